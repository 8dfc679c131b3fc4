#!/usr/bin/env python3
"""Makes a bzImage the way Linux's build does, from a bzelf image.

    make-bzimage.py IMAGE COMPRESSED CONTENT_BYTES OUT

IMAGE is a bzelf image; COMPRESSED the kernel ELF (and whatever follows it)
compressed by one of Linux's methods, CONTENT_BYTES its uncompressed
length. OUT is IMAGE with that in the place of its payload, as Linux's
build frames a payload: for every method but gzip (whose ISIZE is already
its last 4 bytes) the uncompressed length appended, little-endian
(scripts/Makefile.lib, size_append); payload_length and syssize to match;
part 5 padded so that the CRC32 of arch/x86/boot/tools/build.c ends the
file. bzelf's build note is erased (its name), so that OUT reads as
another tool's bzImage: the setup, the stage and the version string stay
bzelf's. The offsets come from `bzelf info --json` (tests/image_info.py).
"""
import os
import struct
import sys
import zlib

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import image_info  # noqa: E402 (tests/image_info.py)


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    image_path, compressed_path, content_bytes, out = sys.argv[1:]
    image = open(image_path, 'rb').read()
    payload = open(compressed_path, 'rb').read()
    if payload[:2] != b'\x1f\x8b':
        payload += struct.pack('<I', int(content_bytes) & 0xffffffff)
    layout = image_info.Load(image_path)['layout']
    part5 = layout['part5']['file_offset']
    fields = layout['hdr']['fields']

    b = bytearray(image[:layout['payload']['file_offset']] + payload)
    part5_bytes = (len(b) - part5 + 4 + 15) // 16 * 16
    b += bytes(part5 + part5_bytes - 4 - len(b))
    struct.pack_into('<I', b, fields['payload_length']['file_offset'], len(payload))
    struct.pack_into('<I', b, fields['syssize']['file_offset'], part5_bytes // 16)
    note = layout['stage']['notes']['bzelf']['file_offset']
    # The name follows the note header's namesz, descsz and type.
    b[note + 12] ^= 0xff
    b += struct.pack('<I', zlib.crc32(bytes(b)) ^ 0xffffffff)
    with open(out, 'wb') as f:
        f.write(b)


main()
