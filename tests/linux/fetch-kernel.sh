#!/bin/sh
# Fetches Debian's current kernel by package name and extracts the vmlinux
# inside its bzImage, for the real-Linux boot tests:
#   fetch-kernel.sh OUTDIR [amd64|i386]
#     -> OUTDIR/vmlinuz, OUTDIR/vmlinux, OUTDIR/version, and for i386
#        OUTDIR/root/bin/busybox (busybox-static:i386 for the initramfs)
# The kernel package is the one linux-image-amd64 (or linux-image-686:i386)
# depends on. i386 needs dpkg's i386 architecture (tools/install-deps.sh
# adds it). Nothing is installed or committed; runs once per OUTDIR.
set -eu
out=$1
arch=${2:-amd64}
case $arch in
  amd64) meta=linux-image-amd64 extra= ;;
  i386) meta=linux-image-686:i386 extra=busybox-static:i386 ;;
  *) echo "fetch-kernel.sh: unknown architecture $arch" >&2; exit 1 ;;
esac
if [ -s "$out/vmlinux" ] && [ -s "$out/vmlinuz" ] &&
   { [ -z "$extra" ] || [ -s "$out/root/bin/busybox" ]; }; then
  exit 0
fi
if [ "$arch" = i386 ] && ! dpkg --print-foreign-architectures | grep -qx i386; then
  echo "fetch-kernel.sh: dpkg has no i386 architecture (dpkg --add-architecture i386 && apt-get update)" >&2
  exit 1
fi
mkdir -p "$out/deb"
pkg=$(apt-cache depends "$meta" | awk '/Depends: linux-image-[0-9]/ { print $2; exit }')
if [ -z "$pkg" ]; then
  echo "fetch-kernel.sh: cannot tell which package $meta depends on (apt-get update?)" >&2
  exit 1
fi
# shellcheck disable=SC2086
(cd "$out/deb" && apt-get download "$pkg" $extra >/dev/null 2>&1) || {
  echo "fetch-kernel.sh: apt-get download $pkg $extra failed" >&2
  exit 1
}
pkg=${pkg%:i386}
dpkg-deb --fsys-tarfile "$out"/deb/"$pkg"_*.deb | tar -x -C "$out/deb" ./boot/
cp "$out"/deb/boot/vmlinuz-* "$out/vmlinuz"
echo "$pkg" > "$out/version"
if [ -n "$extra" ]; then
  dpkg-deb -x "$out"/deb/busybox-static_*_i386.deb "$out/deb/busybox"
  mkdir -p "$out/root/bin"
  cp "$out/deb/busybox/bin/busybox" "$out/root/bin/busybox"
fi

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
