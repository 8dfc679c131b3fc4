#!/bin/sh
# Sizes of the bzelf image of a kernel, part by part, against the distro's
# own bzImage of the same kernel:
#   image-size.sh VMLINUZ VMLINUX IMAGE PAYLOAD_ELF
# PAYLOAD_ELF is the kernel ELF inside IMAGE's payload (`bzelf extract`).
# Where each part lies (part 5 after the (setup_sects + 1) * 512 bytes of
# setup, the payload by payload_offset and payload_length) is what `bzelf
# info --json` says of each image (tests/image_info.py; $BZELF or
# build/bin/bzelf), Debian's as well as ours.
set -eu
vmlinuz=$1
vmlinux=$2
image=$3
payload_elf=$4
here=$(dirname "$0")

size() { wc -c < "$1" | tr -d ' '; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a / b }'; }
row() { printf '  %-46s %11s B  %s\n' "$1" "$2" "${3:-}"; }
# layout IMAGE: the setup's bytes (part 5's file offset), payload_offset and
# payload_length of IMAGE, on one line.
layout() {
  python3 "$here/../tests/image_info.py" "$1" layout.part5.file_offset \
    layout.payload.offset layout.payload.bytes | tr '\n' ' '
}

# shellcheck disable=SC2046 # three numbers
set -- $(layout "$vmlinuz") $(layout "$image")
[ $# -eq 6 ] || { echo "image-size.sh: cannot read the layout of $vmlinuz and $image" >&2; exit 1; }
z_setup=$1 z_offset=$2 z_length=$3
i_setup=$4 i_offset=$5 i_length=$6
z_size=$(size "$vmlinuz")
i_size=$(size "$image")
i_tail=$((i_size - i_setup - i_offset - i_length))
elf_size=$(size "$payload_elf")
vmlinux_size=$(size "$vmlinux")
# The payload's kernel ELF deflated again as one stream, with the zlib
# settings bzelf builds with (level 9, memLevel 9), but without the full
# flushes bzelf puts between regions: what those flush points cost.
one_stream=$(python3 -c '
import sys, zlib
c = zlib.compressobj(9, zlib.DEFLATED, -15, 9)
d = open(sys.argv[1], "rb").read()
print(len(c.compress(d)) + len(c.flush()) + 18)' "$payload_elf")

echo "  Debian's vmlinuz (bzImage, XZ payload)"
row "file" "$z_size"
row "setup, (setup_sects+1)*512" "$z_setup"
row "payload (XZ), payload_length" "$z_length"
row "rest of part 5 (decompressor, headers)" "$((z_size - z_setup - z_length))" \
  "payload_offset $z_offset: Linux puts its code after the payload"
echo "  bzelf image of the same vmlinux (gzip, zlib level 9)"
row "file" "$i_size" "ratio bzelf/Debian = $(ratio "$i_size" "$z_size")"
row "setup, (setup_sects+1)*512" "$i_setup" "ratio bzelf/Debian = $(ratio "$i_setup" "$z_setup")"
row "payload (gzip member), payload_length" "$i_length" "ratio gzip/XZ = $(ratio "$i_length" "$z_length")"
row "rest of part 5 (decompressor, headers)" "$((i_size - i_setup - i_length))" \
  "ratio bzelf/Debian = $(ratio $((i_size - i_setup - i_length)) $((z_size - z_setup - z_length)))"
row "  of which before the payload, payload_offset" "$i_offset" "stage ELF headers, code, data"
row "  of which after the payload" "$i_tail" "image CRC32, padding"
row "stage ELF, part 5" "$((i_size - i_setup))"
echo "  what the payload holds"
row "Debian's vmlinux (input of bzelf build)" "$vmlinux_size"
row "kernel ELF in the payload (ISIZE)" "$elf_size" "compression ratio ISIZE/payload_length = $(ratio "$elf_size" "$i_length")"
row "same ELF as one gzip -9 stream, no flushes" "$one_stream" "ratio payload_length/one stream = $(ratio "$i_length" "$one_stream")"
