"""Checks an image's payload the way Xen and extract-vmlinux read it.

  check-payload.py IMAGE EXTRACTED.elf INPUT.elf

payload_offset/payload_length (boot.rst), where `bzelf info --json` finds
them (tests/image_info.py; $BZELF), must frame a gzip member that zlib
inflates to exactly what `bzelf extract` wrote, whose last 4 bytes are
ISIZE, and whose ELF has the input kernel's segments (their bytes in
memory), entry and notes.
"""
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import image_info  # noqa: E402 (tests/image_info.py)


def fail(msg):
    sys.exit('check-payload: ' + msg)


def phdrs(elf):
    cls = elf[4]
    if cls == 2:
        entry, phoff = struct.unpack_from('<QQ', elf, 24)
        phentsize, phnum = struct.unpack_from('<HH', elf, 54)
        fmt = '<IIQQQQQQ'
        rows = [struct.unpack_from(fmt, elf, phoff + i * phentsize) for i in range(phnum)]
        # type, flags, offset, vaddr, paddr, filesz, memsz, align
        return entry, [(r[0], r[1], r[3], r[4], r[5], r[6], r[2]) for r in rows]
    entry, phoff = struct.unpack_from('<II', elf, 24)
    phentsize, phnum = struct.unpack_from('<HH', elf, 42)
    rows = [struct.unpack_from('<8I', elf, phoff + i * phentsize) for i in range(phnum)]
    # type, offset, vaddr, paddr, filesz, memsz, flags, align
    return entry, [(r[0], r[6], r[2], r[3], r[4], r[5], r[1]) for r in rows]


def notes(elf):
    _, hdrs = phdrs(elf)
    out = []
    for (ptype, _, _, _, filesz, _, offset) in hdrs:
        if ptype == 4:
            out.append(elf[offset:offset + filesz])
    return out


def main():
    image, extracted, original = (open(p, 'rb').read() for p in sys.argv[1:4])
    payload = image_info.Load(sys.argv[1])['layout']['payload']
    start, length = payload['file_offset'], payload['bytes']
    member = image[start:start + length]
    if member[:2] != b'\x1f\x8b':
        fail('payload is not a gzip member')
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    data = d.decompress(member) + d.flush()
    if not d.eof or d.unused_data:
        fail('gzip member does not end exactly at payload_length')
    if struct.unpack_from('<I', member, len(member) - 4)[0] != len(data) & 0xffffffff:
        fail('last 4 bytes of the payload are not ISIZE')
    if data != extracted:
        fail('zlib and bzelf extract disagree')
    e1, p1 = phdrs(data)
    e2, p2 = phdrs(original)
    if e1 != e2:
        fail('entry %#x != %#x' % (e1, e2))
    # Type, flags, addresses and p_memsz as in the input; a PT_LOAD's
    # p_filesz may be shorter by trailing zeros, which are then in its
    # p_memsz tail: the same bytes in memory.
    def strip(h):
        return h[:4] + h[5:6]
    if [strip(h) for h in p1] != [strip(h) for h in p2]:
        fail('program headers differ: %s vs %s' % ([strip(h) for h in p1], [strip(h) for h in p2]))
    if notes(data) != notes(original):
        fail('notes differ')
    trimmed = 0
    for h1, h2 in zip(p1, p2):
        if h1[4] != h2[4] and (h1[0] != 1 or h1[4] > h2[4]):
            fail('p_filesz of the header at %#x differs' % h1[3])
        if h1[0] != 1:
            continue
        ours = data[h1[6]:h1[6] + h1[4]]
        theirs = original[h2[6]:h2[6] + h2[4]]
        if ours != theirs[:len(ours)] or theirs[len(ours):].count(0) != len(theirs) - len(ours):
            fail('PT_LOAD at %#x has different contents' % h1[3])
        trimmed += len(theirs) - len(ours)
    print('payload: gzip member of %d bytes -> ELF of %d bytes, %d program headers match, '
          '%d trailing zero bytes of PT_LOADs in p_memsz tails'
          % (len(member), len(data), len(p1), trimmed))


main()
