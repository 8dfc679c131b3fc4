#!/bin/sh
# Fetches Debian's current x86_64 kernel by package name and extracts the
# vmlinux inside its bzImage, for the real-Linux boot tests.
#   fetch-kernel.sh OUTDIR  ->  OUTDIR/vmlinuz, OUTDIR/vmlinux, OUTDIR/version
# The package is the one that linux-image-amd64 depends on; nothing is
# committed. Runs once per OUTDIR.
set -eu
out=$1
[ -s "$out/vmlinux" ] && [ -s "$out/vmlinuz" ] && exit 0
mkdir -p "$out/deb"
pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$pkg" ]; then
  echo "fetch-kernel.sh: cannot tell which package linux-image-amd64 depends on (apt-get update?)" >&2
  exit 1
fi
(cd "$out/deb" && apt-get download "$pkg" >/dev/null 2>&1) || {
  echo "fetch-kernel.sh: apt-get download $pkg failed" >&2
  exit 1
}
dpkg-deb --fsys-tarfile "$out"/deb/"$pkg"_*.deb | tar -x -C "$out/deb" ./boot/
cp "$out"/deb/boot/vmlinuz-* "$out/vmlinuz"
echo "$pkg" > "$out/version"

# The bzImage's payload (boot.rst: payload_offset/payload_length, relative
# to the protected-mode part at (setup_sects + 1) * 512) is an XZ stream
# followed by the 4-byte uncompressed size Linux's decompressor reads.
python3 - "$out/vmlinuz" "$out/payload.xz" <<'PY'
import struct, sys
d = open(sys.argv[1], 'rb').read()
setup_sects = d[0x1f1] or 4
offset, length = struct.unpack_from('<II', d, 0x248)
start = (setup_sects + 1) * 512 + offset
payload = d[start:start + length]
if payload[:6] != b'\xfd7zXZ\x00':
    sys.exit('fetch-kernel.sh: payload of %s is not XZ' % sys.argv[1])
open(sys.argv[2], 'wb').write(payload)
PY
xz -dc --single-stream "$out/payload.xz" > "$out/vmlinux.tmp"
mv "$out/vmlinux.tmp" "$out/vmlinux"
rm -rf "$out/deb" "$out/payload.xz"
