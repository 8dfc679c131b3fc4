#!/bin/sh
# Fetches Debian's current kernel by package name and extracts the vmlinux
# inside its bzImage, for the real-Linux boot tests:
#   fetch-kernel.sh OUTDIR [amd64|i386]
#     -> OUTDIR/vmlinuz, OUTDIR/vmlinux, OUTDIR/version, and for i386
#        OUTDIR/root/bin/busybox (busybox-static:i386 for the initramfs)
# The kernel package is the one linux-image-amd64 (or linux-image-686:i386)
# depends on. i386 needs dpkg's i386 architecture (tools/install-deps.sh
# adds it). Nothing is installed or committed; runs once per OUTDIR.
# Environment: BZELF, the host tool that finds the payload in the bzImage
# (tests/image_info.py; build/bin/bzelf).
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

# The bzImage's payload (boot.rst: payload_offset/payload_length) is an XZ
# stream followed by the 4-byte uncompressed size Linux's decompressor
# reads; `bzelf info` says where it is. xz, not bzelf, takes the vmlinux
# out: tests/linux/run.sh checks that bzelf reads the vmlinuz the same.
# (The image's CRC32 does not match: Debian signs its vmlinuz after the
# build, appending a PE certificate table and updating the PE header.)
root=$(cd "$(dirname "$0")/../.." && pwd)
payload=$(python3 "$root/tests/image_info.py" "$out/vmlinuz" \
  layout.payload.file_offset layout.payload.bytes) || exit 1
# shellcheck disable=SC2086 # two numbers
set -- $payload
tail -c +$(($1 + 1)) "$out/vmlinuz" | head -c "$2" >"$out/payload.xz"
if [ "$(head -c 6 "$out/payload.xz" | od -An -tx1 | tr -d ' ')" != fd377a585a00 ]; then
  echo "fetch-kernel.sh: payload of $out/vmlinuz is not XZ" >&2
  exit 1
fi
xz -dc --single-stream "$out/payload.xz" > "$out/vmlinux.tmp"
mv "$out/vmlinux.tmp" "$out/vmlinux"
rm -rf "$out/deb" "$out/payload.xz"
