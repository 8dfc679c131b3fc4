#!/usr/bin/env python3
"""Writes damaged copies of a bzelf image for tests/sweep/run.sh.

    damage.py IMAGE OUTDIR KIND

KIND is one of
  part5     one byte of every 4 KiB block of part 5 (the stage ELF, the
            payload and the image CRC) inverted; the byte within each block
            moves from block to block (see Part5Offset)
  params    the stage parameter block (lib/stage-params.h StageParams),
            field by field, each field of segments[0] and regions[0]
            included. Written as part 5 alone, the stage ELF, to be booted
            through its PVH note: without the setup, whose check of part 5
            would see the damage first, the stage's own check (StageVerify
            in compressed/main.cpp) must stop each one with its message
  landmarks one byte at each edge in part 5 the block sweep is unlikely to
            hit: the first bytes of startup_32, the ends of the checked
            stage, the gzip header field by field, the first and last
            DEFLATE bytes, the gzip CRC32 and ISIZE, the image CRC32
  header    setup header fields (boot.rst), each zeroed, all-ones and with
            its low and high byte inverted
  truncate  the image cut short at several points, from inside the setup
            header to the last byte of the image CRC

Where everything is in IMAGE (part 5, the payload, the parameter block and
each of its fields, the setup header's fields) is what `bzelf info --json`
says (tests/image_info.py; $BZELF), not decoded here.

It writes OUTDIR/good.img, the undamaged file in the form the damaged ones
take (the image, or part 5 alone for params), and for each damaged copy
OUTDIR/<id>.img and one manifest line on stdout, tab-separated:
  <id> <file offset, hex> <what was damaged> <qemu-may-refuse: 0 or 1> <expect>
qemu-may-refuse is 1 only for damage QEMU checks itself before it boots
anything (hw/i386/x86.c, x86_load_linux: a setup that does not fit in the
file is "invalid kernel header"); any other refusal by QEMU is a failure.
expect is "-" when the boot may end either way run.sh accepts (a halt
with the stage's line, or an intact kernel), else an extended regular
expression that the boot's halt line must match: the check that must
catch this damage.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import image_info  # noqa: E402 (tests/image_info.py)

BLOCK = 4096

# The setup header fields damaged, by their boot.rst names.
HEADER_FIELDS = [
    "setup_sects", "syssize", "boot_flag", "header", "version", "loadflags",
    "code32_start", "initrd_addr_max", "kernel_alignment", "xloadflags",
    "cmdline_size", "payload_offset", "payload_length", "pref_address",
    "init_size",
]

# What StageVerify (compressed/main.cpp) says, in the order it checks:
# magic and version, then the sizes it needs for the checksum, then the
# checksum itself.
PARAMS_MISSING = "^bzelf: image: stage parameters missing: "
PARAMS_DAMAGED = "^bzelf: image: stage parameters are damaged -- "
CHECKSUM_MISMATCH = ("^bzelf: image: boot stage checksum mismatch "
                     r"\(0x[0-9a-f]+, expected 0x[0-9a-f]+\): the image is damaged -- ")
# The fields StageVerify looks at before the checksum: damage to one of
# them stops it there, or (a change its checks let pass) at the checksum.
PARAMS_CHECKED_FIRST = {
    "magic": PARAMS_MISSING,
    "version": PARAMS_MISSING,
    "checked_size": PARAMS_DAMAGED,
    "file_size": "(%s|%s)" % (PARAMS_DAMAGED, CHECKSUM_MISMATCH),
    "cmdline_offset": "(%s|%s)" % (PARAMS_DAMAGED, CHECKSUM_MISMATCH),
    "cmdline_size": "(%s|%s)" % (PARAMS_DAMAGED, CHECKSUM_MISMATCH),
}


class Image:
    def __init__(self, path):
        self.data = bytes(open(path, "rb").read())
        layout = image_info.Load(path)["layout"]
        self.layout = layout
        if "params" not in layout:
            sys.exit("damage.py: bzelf info finds no stage parameters in %s" % path)
        self.part5 = layout["part5"]["file_offset"]
        # Part 5 offsets from here on.
        self.payload_offset = layout["payload"]["offset"]
        self.payload_length = layout["payload"]["bytes"]
        self.deflate_offset = layout["payload"]["deflate"]["offset"]
        self.params = layout["params"]["offset"]
        self.params_bytes = layout["params"]["bytes"]
        self.checked_size = layout["stage"]["checked"]["bytes"]
        self.startup_32 = layout["stage"]["startup_32"]["offset"]
        cmdline = layout.get("cmdline", {"offset": 0, "bytes": 0})
        self.cmdline_offset, self.cmdline_size = cmdline["offset"], cmdline["bytes"]

    def ParamsFields(self):
        """(name, part 5 offset, size) of each field damaged."""
        params = self.layout["params"]
        out = [(name, f["offset"], f["bytes"]) for name, f in params["fields"].items()]
        for table in ("segments", "regions"):
            for name, f in params[table]["entries"][0].items():
                out.append(("%s[0].%s" % (table, name), f["offset"], f["bytes"]))
        return out

    def region(self, rel):
        """What lies at part 5 offset `rel`."""
        po, pl = self.payload_offset, self.payload_length
        if rel < self.layout["stage"]["head"]["bytes"]:
            return "stage ELF head"
        if self.params <= rel < self.params + self.params_bytes:
            return "stage params+0x%x" % (rel - self.params)
        if self.cmdline_offset <= rel < self.cmdline_offset + self.cmdline_size:
            return "built-in cmdline"
        if rel < self.checked_size:
            return "stage code/data"
        if rel < po:
            return "between stage and payload"
        if rel < self.deflate_offset:
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


def Write(outdir, name, data, offset, what, qemu_may_refuse=0, expect="-"):
    with open(os.path.join(outdir, name + ".img"), "wb") as f:
        f.write(data)
    print("%s\t0x%x\t%s\t%d\t%s" % (name, offset, what, qemu_may_refuse, expect))


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
    good = data[img.part5:] if kind == "params" else data
    with open(os.path.join(outdir, "good.img"), "wb") as f:
        f.write(good)
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
        startup_32 = img.startup_32
        gzip = img.payload_offset  # RFC 1952: ID1 ID2 CM FLG MTIME(4) XFL OS
        marks = [
            ("elf-magic", 0), ("startup-32", startup_32),
            ("startup-32-plus-8", startup_32 + 8),
            ("checked-last", img.checked_size - 1),
            ("after-checked", img.checked_size),
            ("gzip-id", gzip), ("gzip-cm", gzip + 2), ("gzip-flg", gzip + 3),
            ("gzip-mtime", gzip + 4), ("gzip-xfl", gzip + 8), ("gzip-os", gzip + 9),
            ("deflate-first", img.deflate_offset),
            ("deflate-last", po + pl - 9),
            ("gzip-crc32", img.layout["payload"]["gzip_crc32"]["offset"]),
            ("gzip-isize", img.layout["payload"]["gzip_isize"]["offset"]),
            ("image-crc32", img.layout["image_crc"]["file_offset"] - img.part5),
            ("last-byte", part5_len - 1),
        ]
        for name, rel in marks:
            if not 0 <= rel < part5_len:
                continue
            d = bytearray(data)
            d[img.part5 + rel] ^= 0xFF
            Write(outdir, name, d, img.part5 + rel,
                  "part5+0x%x %s (%s)" % (rel, name, img.region(rel)))
    elif kind == "params":
        part5 = data[img.part5:]
        for name, off, size in img.ParamsFields():
            expect = PARAMS_CHECKED_FIRST.get(name, CHECKSUM_MISMATCH)
            for label, new in FieldVariants(part5, off, size):
                d = bytearray(part5)
                d[off:off + size] = new
                Write(outdir, "%s-%s" % (name.replace("[", "").replace("]", ""), label),
                      d, img.part5 + off, "params.%s %s (0x%x -> 0x%x)" % (
                          name, label, Field(part5, off, size),
                          int.from_bytes(new, "little")), expect=expect)
    elif kind == "header":
        fields = img.layout["hdr"]["fields"]
        for name in HEADER_FIELDS:
            off, size = fields[name]["file_offset"], fields[name]["bytes"]
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
        hdr = img.layout["hdr"]
        cuts = [
            ("in-header", hdr["file_offset"] + hdr["bytes"] // 2, "inside the setup header"),
            ("in-setup", img.part5 // 2, "inside the real-mode setup"),
            ("no-part5", img.part5, "at the start of part 5"),
            ("part5-head", img.part5 + img.layout["stage"]["head"]["bytes"],
             "after the stage ELF head"),
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
