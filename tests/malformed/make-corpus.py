#!/usr/bin/env python3
"""Writes the malformed inputs of tests/malformed/run.sh.

  make-corpus.py kernels DIR        kernel ELFs: DIR/good32.elf, good64.elf
                                    (valid) and one file per broken case
  make-corpus.py images GOOD DIR    broken copies of the image GOOD

Each case is listed on stdout as "NAME FILE", in the order written; the
comment above each says what is wrong with it. Where GOOD's pieces are
(the setup header's fields, part 5, the payload and its trailer) is what
`bzelf info --json` says of it (tests/image_info.py; $BZELF).
"""
import bz2
import gzip
import io
import lzma
import os
import struct
import sys
import zipfile
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import image_info  # noqa: E402 (tests/image_info.py)

EM_386, EM_X86_64, EM_ARM, EM_AARCH64 = 3, 62, 40, 183
ET_REL, ET_EXEC, ET_DYN, ET_CORE = 1, 2, 3, 4
PT_NULL, PT_LOAD, PT_INTERP, PT_NOTE = 0, 1, 3, 4


def pattern(n, seed=1):
    return bytes(((i * 131 + seed * 7) ^ (i >> 9)) & 0xFF for i in range(n))


def seg(vaddr, filesz, memsz=None, paddr=None, ptype=PT_LOAD, offset=None, align=0x1000):
    return {"type": ptype, "vaddr": vaddr, "paddr": vaddr if paddr is None else paddr,
            "filesz": filesz, "memsz": filesz if memsz is None else memsz,
            "offset": offset, "align": align, "flags": 7}


def elf(cls=64, machine=None, etype=ET_EXEC, entry=0x200000, segs=None, data=1,
        phoff=None, phnum=None, phentsize=None, contents=True):
    """An ELF file; segments without an explicit offset get page-aligned
    file space filled with a pattern."""
    if segs is None:
        segs = [seg(0x200000, 0x1000, 0x2000)]
    if machine is None:
        machine = EM_X86_64 if cls == 64 else EM_386
    end = "<"  # EI_DATA 2 (big-endian) must be rejected before any field is read
    ehsize, phsize = (64, 56) if cls == 64 else (52, 32)
    body = bytearray()
    pos = 0x1000
    offsets = []
    for s in segs:
        if s["offset"] is not None:
            offsets.append(s["offset"])
            continue
        offsets.append(pos)
        if contents and s["filesz"] < (1 << 20):
            body += pattern(s["filesz"], len(offsets))
            pos += s["filesz"]
            pad = (-pos) & 0xFFF
            body += bytes(pad)
            pos += pad
    ident = b"\x7fELF" + bytes([1 if cls == 32 else 2, data, 1]) + bytes(9)
    n = len(segs) if phnum is None else phnum
    po = ehsize if phoff is None else phoff
    pe = phsize if phentsize is None else phentsize
    if cls == 64:
        eh = ident + struct.pack(end + "HHIQQQIHHHHHH", etype, machine, 1, entry, po, 0, 0,
                                 ehsize, pe, n, 0, 0, 0)
    else:
        eh = ident + struct.pack(end + "HHIIIIIHHHHHH", etype, machine, 1, entry, po, 0, 0,
                                 ehsize, pe, n, 0, 0, 0)
    phdrs = b""
    for s, off in zip(segs, offsets):
        if cls == 64:
            phdrs += struct.pack(end + "IIQQQQQQ", s["type"], s["flags"], off, s["vaddr"],
                                 s["paddr"], s["filesz"], s["memsz"], s["align"])
        else:
            m = 0xFFFFFFFF
            phdrs += struct.pack(end + "IIIIIIII", s["type"], off & m, s["vaddr"] & m,
                                 s["paddr"] & m, s["filesz"] & m, s["memsz"] & m, s["flags"],
                                 s["align"] & m)
    head = bytearray(eh + phdrs)
    assert len(head) <= 0x1000
    head += bytes(0x1000 - len(head))
    return bytes(head + body)


def with_field(data, offset, fmt, value):
    b = bytearray(data)
    struct.pack_into(fmt, b, offset, value)
    return bytes(b)


def kernels(out):
    cases = []

    # kind: "bad" -- build and info must refuse it; "unbuildable" -- a
    # well-formed ELF that info describes but build must refuse; "valid" --
    # odd but acceptable, build and extract must work.
    def case(name, data, kind="bad"):
        path = os.path.join(out, name + ".elf")
        with open(path, "wb") as f:
            f.write(data)
        cases.append((name, path, kind))

    good64 = elf(64)
    good32 = elf(32)
    case("good64", good64, "valid")
    case("good32", good32, "valid")

    # Not ELF at all, empty, and only the magic.
    case("not-elf", b"This is a text file, not a kernel.\n" * 20)
    case("empty", b"")
    case("magic-only", b"\x7fELF")
    # ELF headers cut short (64 and 52 bytes long).
    case("truncated-ehdr64", good64[:40])
    case("truncated-ehdr32", good32[:30])
    # Program headers: cut off by the end of the file, placed past it,
    # offset so large that offset + size wraps, wrong entry size, none.
    case("truncated-phdrs", elf(64, segs=[seg(0x200000, 0x100)] * 3)[:64 + 56 + 20])
    case("phdrs-past-eof", with_field(good64, 32, "<Q", 0x7FFFFFFF00))
    case("phoff-wraps", with_field(good64, 32, "<Q", 0xFFFFFFFFFFFFFFF8))
    case("phentsize-wrong", with_field(good64, 54, "<H", 32))
    case("no-phdrs", with_field(good64, 56, "<H", 0))
    # A segment whose bytes lie (partly) outside the file.
    case("segment-past-eof", elf(64, segs=[seg(0x200000, 0x3000, offset=0x1800)]))
    case("p-offset-huge", elf(64, segs=[seg(0x200000, 0x100, offset=1 << 63)]))
    case("p-offset-wraps", elf(64, segs=[seg(0x200000, 0x100, offset=(1 << 64) - 0x10)]))
    case("p-offset-huge32", elf(32, segs=[seg(0x200000, 0x100, offset=0xFFFFFF00)]))
    case("p-filesz-huge", elf(64, segs=[seg(0x200000, 1 << 62, memsz=1 << 62, offset=0x1000)]))
    # A PT_NULL entry (unused, gABI) whose offset and size point outside
    # the file: valid, and its "contents" must not be read.
    case("pt-null-past-eof", elf(64, segs=[seg(0x200000, 0x1000, 0x2000),
                                           seg(0, 0x10, 0, ptype=PT_NULL, offset=1 << 40)]),
         "valid")
    # p_filesz > p_memsz.
    case("filesz-gt-memsz", elf(64, segs=[seg(0x200000, 0x1000, memsz=0x800)]))
    # Absurd memory sizes: 2^63 bytes, and an end that wraps around.
    case("memsz-2e63", elf(64, segs=[seg(0x200000, 0x1000, memsz=1 << 63)]))
    case("memsz-wraps", elf(64, entry=0xFFFFFFFF00000000,
                            segs=[seg(0xFFFFFFFF00000000, 0x1000, memsz=1 << 63)]))
    # Two PT_LOADs sharing physical memory.
    case("overlapping", elf(64, segs=[seg(0x200000, 0x2000), seg(0x201000, 0x1000)]))
    case("overlapping-bss", elf(32, segs=[seg(0x200000, 0x1000, 0x100000),
                                          seg(0x280000, 0x1000)]))
    # Right class, wrong machine; wrong class for the machine.
    case("elf32-x86-64", elf(32, machine=EM_X86_64))
    case("elf64-i386", elf(64, machine=EM_386))
    case("elf32-arm", elf(32, machine=EM_ARM))
    case("elf64-aarch64", elf(64, machine=EM_AARCH64))
    # Big-endian, and classes that do not exist.
    case("big-endian", elf(64, data=2))
    case("class-none", with_field(good64, 4, "B", 0))
    case("class-3", with_field(good64, 4, "B", 3))
    # Not an executable: relocatable, core dump. (A position-independent
    # ET_DYN is a kernel: tests/relocs boots two; with a program
    # interpreter it is not.)
    case("et-rel", elf(64, etype=ET_REL))
    case("et-core", elf(64, etype=ET_CORE))
    case("et-dyn-interp", elf(64, etype=ET_DYN,
                              segs=[seg(0x200000, 0x1000), seg(0, 0x10, ptype=PT_INTERP)]))
    # The entry point in no segment.
    case("entry-outside", elf(64, entry=0x900000))
    # No PT_LOAD; only an empty one.
    case("no-pt-load", elf(64, segs=[seg(0, 0x20, 0, ptype=PT_NOTE)]))
    case("empty-pt-load", elf(64, segs=[seg(0x200000, 0, 0)]))
    # More PT_LOADs than the stage records (16).
    case("too-many-segments", elf(64, segs=[seg(0x200000 + i * 0x2000, 0x100)
                                            for i in range(17)]))
    # Thousands of program headers (one PT_LOAD, then PT_NULL): the headers
    # alone exceed what the payload keeps. Refused by build only.
    many = bytearray(elf(64, segs=[seg(0x200000, 0x1000, 0x2000)]))
    many += many[64:64 + 56] + bytes(59999 * 56)
    struct.pack_into("<Q", many, 32, 0x2000)
    struct.pack_into("<H", many, 56, 60000)
    case("many-phdrs", bytes(many), "unbuildable")
    # Above 4 GiB; straddling it; upper-half p_paddr below the kernel base.
    case("above-4gib", elf(64, entry=0x100000000, segs=[seg(0x100000000, 0x1000)]))
    case("straddles-4gib", elf(64, entry=0xFFFFF000, segs=[seg(0xFFFFF000, 0x1000, 0x2000)]))
    case("upper-half-paddr", elf(64, entry=0xFFFF800000200000,
                                 segs=[seg(0xFFFF800000200000, 0x1000)]))
    # Dynamic linking.
    case("pt-interp", elf(64, segs=[seg(0x200000, 0x1000), seg(0, 0x10, ptype=PT_INTERP)]))
    # Notes outside every PT_LOAD, too big to keep in the payload headers.
    case("notes-too-big", elf(64, segs=[seg(0x200000, 0x1000), seg(0, 0x2000, 0, ptype=PT_NOTE)]),
         "unbuildable")

    # Compressed kernels (tools/kernel-input.h), in the methods Python
    # writes: good64 in each is valid; cut short, changed in the middle,
    # followed by other bytes, or holding no ELF, refused.
    packed = {
        "gzip": gzip.compress(good64, mtime=0),
        "xz": lzma.compress(good64, format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC32),
        "lzma": lzma.compress(good64, format=lzma.FORMAT_ALONE),
        "bzip2": bz2.compress(good64),
    }
    for method, data in packed.items():
        case(method + "-good64", data, "valid")
        case(method + "-cut", data[:len(data) // 2])
        case(method + "-cut-end", data[:-1])
        case(method + "-changed", data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 0x55]) +
             data[len(data) // 2 + 1:])
        case(method + "-then-garbage", data + b"garbage")
    case("gzip-not-elf", gzip.compress(b"not a kernel\n" * 100, mtime=0))
    case("xz-empty", lzma.compress(b"", format=lzma.FORMAT_XZ))
    # Not a kernel, but something people mistake for one.
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("vmlinux", good64)
    case("zip", zipped.getvalue())
    for name, path, kind in cases:
        print(name, path, kind)


def images(good, out):
    with open(good, "rb") as f:
        img = f.read()
    layout = image_info.Load(good)["layout"]
    p5 = layout["part5"]["file_offset"]
    member = layout["payload"]["file_offset"]
    payload_length = layout["payload"]["bytes"]
    deflate = layout["payload"]["deflate"]["file_offset"]
    trailer = layout["payload"]["gzip_crc32"]["file_offset"]
    isize_at = layout["payload"]["gzip_isize"]["file_offset"]
    hdr = layout["hdr"]["fields"]
    cases = []

    def case(name, data, fix_crc=True):
        b = bytearray(data)
        if fix_crc and len(b) >= 4:
            # Linux build.c's CRC: no inversions, stored as the last 4 bytes.
            crc = zlib.crc32(bytes(b[:-4])) ^ 0xFFFFFFFF
            struct.pack_into("<I", b, len(b) - 4, crc)
        path = os.path.join(out, name + ".img")
        with open(path, "wb") as f:
            f.write(bytes(b))
        cases.append((name, path))

    def patched(offset, fmt, value):
        return with_field(img, offset, fmt, value)

    def header(name, value):
        """GOOD with the setup header field NAME set to VALUE."""
        fmt = {1: "B", 2: "<H", 4: "<I", 8: "<Q"}[hdr[name]["bytes"]]
        return with_field(img, hdr[name]["file_offset"], fmt, value)

    # Not an image: text, empty, too short to hold a setup header.
    case("not-image", b"not a kernel image\n" * 300, fix_crc=False)
    case("empty-image", b"", fix_crc=False)
    case("tiny-image", img[:0x300], fix_crc=False)
    # Cut off inside the setup, inside part 5's head, inside the payload.
    case("cut-in-setup", img[:0x1000], fix_crc=False)
    case("cut-in-stage", img[:p5 + 0x100], fix_crc=False)
    case("cut-in-payload", img[:member + payload_length // 2], fix_crc=False)
    # setup_sects past the end of the file; 0 (meaning 4, the wrong place).
    case("setup-sects-255", header("setup_sects", 255))
    case("setup-sects-0", header("setup_sects", 0))
    # payload_offset / payload_length out of range, zero, wrapping.
    case("payload-offset-huge", header("payload_offset", 0xFFFFFFF0))
    case("payload-offset-past-end", header("payload_offset", len(img) - p5 - 4))
    case("payload-length-zero", header("payload_length", 0))
    case("payload-length-huge", header("payload_length", 0xFFFFFFFF))
    case("payload-too-short", header("payload_length", 12))
    # gzip header: magic, method, reserved flags, an FNAME that never ends.
    case("gzip-bad-magic", patched(member, "B", 0x1E))
    case("gzip-bad-method", patched(member + 2, "B", 7))
    case("gzip-reserved-flags", patched(member + 3, "B", 0x20))
    b = bytearray(img)
    b[member + 3] = 0x08
    b[deflate:trailer] = b"A" * (trailer - deflate)
    case("gzip-unterminated-name", bytes(b))
    # DEFLATE data: an invalid block type first; bytes flipped mid-stream;
    # the stream cut short (trailer moved up).
    case("deflate-bad-block-type", patched(deflate, "B", 0x07))
    b = bytearray(img)
    for i in range(deflate + 30, min(deflate + 70, trailer)):
        b[i] ^= 0x5A
    case("deflate-corrupted", bytes(b))
    cut = bytearray(img[:deflate + 20] + img[trailer:])
    struct.pack_into("<I", cut, hdr["payload_length"]["file_offset"], deflate + 20 + 8 - member)
    case("deflate-truncated", bytes(cut))
    # gzip trailer: CRC32 wrong; ISIZE absurd (4 GiB - 1), too small, too big.
    crc = struct.unpack_from("<I", img, trailer)[0]
    isize = struct.unpack_from("<I", img, isize_at)[0]
    case("gzip-bad-crc", patched(trailer, "<I", crc ^ 1))
    case("isize-4gib", patched(isize_at, "<I", 0xFFFFFFFF))
    case("isize-small", patched(isize_at, "<I", isize - 1))
    case("isize-large", patched(isize_at, "<I", isize + 1))
    # The image's own CRC32 (the last 4 bytes) wrong: info must say so.
    case("image-bad-crc", img[:-4] + bytes(x ^ 0xFF for x in img[-4:]), fix_crc=False)
    for name, path in cases:
        print(name, path)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "kernels":
        kernels(sys.argv[2])
    elif len(sys.argv) == 4 and sys.argv[1] == "images":
        images(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
