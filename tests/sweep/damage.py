#!/usr/bin/env python3
"""Writes damaged copies of a bzelf image for tests/sweep/run.sh.

    damage.py IMAGE OUTDIR KIND

KIND is one of
  part5     one byte of every 4 KiB block of part 5 (the stage ELF, the
            payload and the image CRC) inverted; the byte within each block
            moves from block to block (see Part5Offset)
  params    the stage parameter block (lib/stage-params.h StageParams),
            field by field: the block is covered by the stage checksum, but
            the 32-bit entry reads arena_offset before the check
  landmarks one byte at each edge in part 5 the block sweep is unlikely to
            hit: the first bytes of startup_32, the ends of the checked
            stage, the gzip header field by field, the first and last
            DEFLATE bytes, the gzip CRC32 and ISIZE, the image CRC32
  header    setup header fields (boot.rst), each zeroed, all-ones and with
            its low and high byte inverted
  truncate  the image cut short at several points, from inside the setup
            header to the last byte of the image CRC

For each damaged copy it writes OUTDIR/<id>.img and prints one manifest
line, tab-separated:
  <id> <file offset, hex> <what was damaged> <qemu-may-refuse: 0 or 1>
The last column is 1 only for damage QEMU checks itself before it boots
anything (hw/i386/x86.c, x86_load_linux: a setup that does not fit in the
file is "invalid kernel header"); any other refusal by QEMU is a failure.
"""
import os
import struct
import sys

BLOCK = 4096

# Setup header fields (boot.rst, "The real-mode kernel header"): name,
# offset, size.
HEADER_FIELDS = [
    ("setup_sects", 0x1F1, 1),
    ("syssize", 0x1F4, 4),
    ("boot_flag", 0x1FE, 2),
    ("header", 0x202, 4),
    ("version", 0x206, 2),
    ("loadflags", 0x211, 1),
    ("code32_start", 0x214, 4),
    ("initrd_addr_max", 0x22C, 4),
    ("kernel_alignment", 0x230, 4),
    ("xloadflags", 0x236, 2),
    ("cmdline_size", 0x238, 4),
    ("payload_offset", 0x248, 4),
    ("payload_length", 0x24C, 4),
    ("pref_address", 0x258, 8),
    ("init_size", 0x260, 4),
]

# StageParams (lib/stage-params.h), packed: name, offset, size. segments[]
# starts at 0x40 (24 bytes each), regions[] after kMaxSegments of them.
PARAMS_FIELDS = [
    ("magic", 0x00, 4),
    ("version", 0x04, 4),
    ("file_size", 0x08, 4),
    ("arena_offset", 0x0C, 4),
    ("arena_size", 0x10, 4),
    ("payload_offset", 0x14, 4),
    ("payload_length", 0x18, 4),
    ("deflate_offset", 0x1C, 4),
    ("deflate_length", 0x20, 4),
    ("kernel_class", 0x24, 1),
    ("placement_rule", 0x25, 1),
    ("segment_count", 0x26, 1),
    ("region_count", 0x27, 1),
    ("stage_crc", 0x28, 4),
    ("checked_size", 0x2C, 4),
    ("cmdline_offset", 0x30, 4),
    ("cmdline_size", 0x34, 4),
    ("entry", 0x38, 8),
    ("paddr_offset", 0x40, 8),
    ("segments[0].paddr", 0x48, 8),
    ("segments[0].filesz", 0x50, 8),
    ("segments[0].memsz", 0x58, 8),
    ("regions[0].deflate_offset", 0x48 + 16 * 24, 4),
    ("regions[0].out_length", 0x48 + 16 * 24 + 4, 4),
    ("regions[0].sink", 0x48 + 16 * 24 + 8, 1),
]
PARAMS_MAGIC = 0x50455A42  # "BZEP"
# tools/stage-elf.h: the Xen PVH note (20 bytes) at 0x1c0, then the bzelf
# note: namesz, descsz, type, "bzelf\0" padded to 8, then params_offset.
PARAMS_NOTE_OFFSET = 0x1C0 + 20 + 12 + 8


class Image:
    def __init__(self, path):
        self.data = bytes(open(path, "rb").read())
        self.setup_sects = self.data[0x1F1] or 4
        self.part5 = (self.setup_sects + 1) * 512
        self.payload_offset, self.payload_length = struct.unpack_from(
            "<II", self.data, 0x248)
        self.params = struct.unpack_from(
            "<I", self.data, self.part5 + PARAMS_NOTE_OFFSET)[0]
        p = self.part5 + self.params
        if struct.unpack_from("<I", self.data, p)[0] != PARAMS_MAGIC:
            sys.exit("damage.py: no stage parameters where the bzelf note says")
        (self.checked_size, self.cmdline_offset,
         self.cmdline_size) = struct.unpack_from("<III", self.data, p + 0x2C)
        self.deflate_offset = struct.unpack_from("<I", self.data, p + 0x1C)[0]

    def region(self, rel):
        """What lies at part 5 offset `rel`."""
        po, pl = self.payload_offset, self.payload_length
        if rel < 0x200:
            return "stage ELF head"
        if self.params <= rel < self.params + 0x48 + 16 * 24 + 33 * 12:
            return "stage params+0x%x" % (rel - self.params)
        if self.cmdline_offset <= rel < self.cmdline_offset + self.cmdline_size:
            return "built-in cmdline"
        if rel < self.checked_size:
            return "stage code/data"
        if rel < po:
            return "between stage and payload"
        if rel < po + self.deflate_offset:
            return "gzip header"
        if rel < po + pl - 8:
            return "DEFLATE data"
        if rel < po + pl:
            return "gzip CRC32/ISIZE"
        if rel >= len(self.data) - self.part5 - 4:
            return "image CRC32"
        return "after payload"


def Part5Offset(block, length):
    """The byte inverted in block `block` (of `length` bytes): a fixed
    stride through the block, so consecutive blocks hit different offsets
    and every alignment (code, tables, DEFLATE bits) gets its turn."""
    return (block * 1031 + 517) % length


def Write(outdir, name, data, offset, what, qemu_may_refuse=0):
    with open(os.path.join(outdir, name + ".img"), "wb") as f:
        f.write(data)
    print("%s\t0x%x\t%s\t%d" % (name, offset, what, qemu_may_refuse))


def Field(data, offset, size):
    return int.from_bytes(data[offset:offset + size], "little")


def FieldVariants(data, offset, size):
    """(label, new bytes) for a field: low/high byte inverted, zero, ones."""
    old = data[offset:offset + size]
    out = []
    lo = bytearray(old)
    lo[0] ^= 0xFF
    out.append(("lowbyte", bytes(lo)))
    if size > 1:
        hi = bytearray(old)
        hi[-1] ^= 0xFF
        out.append(("highbyte", bytes(hi)))
    out.append(("zero", bytes(size)))
    out.append(("ones", b"\xff" * size))
    seen, unique = {old}, []
    for label, new in out:
        if new not in seen:
            seen.add(new)
            unique.append((label, new))
    return unique


def Main():
    path, outdir, kind = sys.argv[1:4]
    img = Image(path)
    data = img.data
    part5_len = len(data) - img.part5
    if kind == "part5":
        for block in range((part5_len + BLOCK - 1) // BLOCK):
            start = block * BLOCK
            rel = start + Part5Offset(block, min(BLOCK, part5_len - start))
            d = bytearray(data)
            d[img.part5 + rel] ^= 0xFF
            Write(outdir, "block%03d" % block, d, img.part5 + rel,
                  "part5+0x%x (%s)" % (rel, img.region(rel)))
    elif kind == "landmarks":
        po, pl = img.payload_offset, img.payload_length
        startup_32 = struct.unpack_from("<I", data, 0x214)[0] - 0x100000
        marks = [
            ("elf-magic", 0), ("startup-32", startup_32),
            ("startup-32-plus-8", startup_32 + 8),
            ("checked-last", img.checked_size - 1),
            ("after-checked", img.checked_size),
            ("gzip-id", po), ("gzip-cm", po + 2), ("gzip-flg", po + 3),
            ("gzip-mtime", po + 4), ("gzip-xfl", po + 8), ("gzip-os", po + 9),
            ("deflate-first", po + img.deflate_offset),
            ("deflate-last", po + pl - 9),
            ("gzip-crc32", po + pl - 8), ("gzip-isize", po + pl - 4),
            ("image-crc32", part5_len - 4), ("last-byte", part5_len - 1),
        ]
        for name, rel in marks:
            if not 0 <= rel < part5_len:
                continue
            d = bytearray(data)
            d[img.part5 + rel] ^= 0xFF
            Write(outdir, name, d, img.part5 + rel,
                  "part5+0x%x %s (%s)" % (rel, name, img.region(rel)))
    elif kind == "params":
        base = img.part5 + img.params
        for name, off, size in PARAMS_FIELDS:
            for label, new in FieldVariants(data, base + off, size):
                d = bytearray(data)
                d[base + off:base + off + size] = new
                Write(outdir, "%s-%s" % (name.replace("[", "").replace("]", ""), label),
                      d, base + off, "params.%s %s (0x%x -> 0x%x)" % (
                          name, label, Field(data, base + off, size),
                          int.from_bytes(new, "little")))
    elif kind == "header":
        for name, off, size in HEADER_FIELDS:
            for label, new in FieldVariants(data, off, size):
                d = bytearray(data)
                d[off:off + size] = new
                refusable = 0
                if name == "setup_sects":
                    sects = new[0] or 4
                    refusable = int((sects + 1) * 512 > len(data))
                Write(outdir, "%s-%s" % (name, label), d, off,
                      "hdr.%s %s (0x%x -> 0x%x)" % (
                          name, label, Field(data, off, size),
                          int.from_bytes(new, "little")), refusable)
    elif kind == "truncate":
        po, pl = img.part5 + img.payload_offset, img.payload_length
        cuts = [
            ("in-header", 0x230, "inside the setup header"),
            ("in-setup", img.part5 // 2, "inside the real-mode setup"),
            ("no-part5", img.part5, "at the start of part 5"),
            ("part5-head", img.part5 + 0x200, "after the stage ELF head"),
            ("stage-start", img.part5 + 0x1000, "after the stage's first page"),
            ("stage-half", img.part5 + img.checked_size // 2, "half way through the stage"),
            ("no-payload", po, "at the payload"),
            ("payload-half", po + pl // 2, "half way through the payload"),
            ("no-gzip-trailer", po + pl - 8, "before the gzip CRC32/ISIZE"),
            ("no-isize", po + pl - 4, "before the gzip ISIZE"),
            ("no-image-crc", len(data) - 4, "before the image CRC32"),
            ("last-byte", len(data) - 1, "the last byte cut"),
        ]
        for name, at, what in cuts:
            # QEMU refuses a file too short for the setup it announces.
            Write(outdir, name, data[:at], at, "cut at 0x%x, %s" % (at, what),
                  int(at < img.part5))
    else:
        sys.exit("damage.py: unknown kind %s" % kind)


if __name__ == "__main__":
    Main()
