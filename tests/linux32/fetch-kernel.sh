#!/bin/sh
# Fetches Debian's current i386 kernel (the package linux-image-686
# depends on) and busybox-static for i386 by package name, for the 32-bit
# real-Linux boot test:
#   fetch-kernel.sh OUTDIR  ->  OUTDIR/vmlinuz, OUTDIR/vmlinux, OUTDIR/version,
#                               OUTDIR/root/bin/busybox
# Needs dpkg's i386 architecture (dpkg --add-architecture i386, then
# apt-get update). Nothing is installed or committed. Runs once per OUTDIR.
set -eu
out=$1
[ -s "$out/vmlinux" ] && [ -s "$out/vmlinuz" ] && [ -s "$out/root/bin/busybox" ] && exit 0
if ! dpkg --print-foreign-architectures | grep -qx i386; then
  echo "fetch-kernel.sh: dpkg has no i386 architecture (dpkg --add-architecture i386 && apt-get update)" >&2
  exit 1
fi
mkdir -p "$out/deb" "$out/root"
pkg=$(apt-cache depends linux-image-686:i386 | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$pkg" ]; then
  echo "fetch-kernel.sh: cannot tell which package linux-image-686:i386 depends on (apt-get update?)" >&2
  exit 1
fi
(cd "$out/deb" && apt-get download "$pkg" busybox-static:i386 >/dev/null 2>&1) || {
  echo "fetch-kernel.sh: apt-get download $pkg busybox-static:i386 failed" >&2
  exit 1
}
pkg=${pkg%:i386}
dpkg-deb --fsys-tarfile "$out"/deb/"$pkg"_*.deb | tar -x -C "$out/deb" ./boot/
dpkg-deb -x "$out"/deb/busybox-static_*_i386.deb "$out/deb/busybox"
mkdir -p "$out/root/bin"
cp "$out/deb/busybox/bin/busybox" "$out/root/bin/busybox"
cp "$out"/deb/boot/vmlinuz-* "$out/vmlinuz"
echo "$pkg" > "$out/version"

# As tests/linux/fetch-kernel.sh: the bzImage's payload (boot.rst:
# payload_offset/payload_length from the protected-mode part at
# (setup_sects + 1) * 512) is an XZ stream, then a 4-byte size.
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
