#!/usr/bin/env python3
"""Copies a PE image with another MajorImageVersion, for the UKI rows.

    set-image-version.py IMAGE OUT MAJOR

systemd-stub 252 starts a `.linux` whose MajorImageVersion is 1 or more
through LoadImage, and one below 1 through the EFI handover entry
(src/boot/efi/linux.c, pe_kernel_info); the handover row sets it to 0.
Where the PE header lies comes from `bzelf info --json` (pe.header_offset,
for Debian's vmlinuz too); the field's place within it from the PE/COFF
specification: after the 4-byte signature and the 20-byte COFF header,
MajorImageVersion is at offset 44 of the PE32+ optional header. The
CheckSum field is left as it is: UEFI firmware does not check it.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import image_info  # noqa: E402

kSignatureSize = 4
kCoffHeaderSize = 20
kMajorImageVersionOffset = 44
kPe32PlusMagic = 0x20B


def main():
    image, out, major = sys.argv[1], sys.argv[2], int(sys.argv[3], 0)
    pe = image_info.Load(image).get("pe")
    if not pe or pe.get("Magic") != kPe32PlusMagic:
        sys.exit("set-image-version.py: %s: no PE32+ header" % image)
    data = bytearray(open(image, "rb").read())
    at = pe["header_offset"] + kSignatureSize + kCoffHeaderSize + kMajorImageVersionOffset
    struct.pack_into("<H", data, at, major)
    with open(out, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    main()
