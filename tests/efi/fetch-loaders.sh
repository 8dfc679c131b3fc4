#!/bin/sh
# Fetches the EFI loaders whose Debian packages cannot be installed here,
# by package name, for tests/efi:
#   fetch-loaders.sh OUTDIR
#     -> OUTDIR/refind_x64.efi  rEFInd (package refind)
#        OUTDIR/ipxe.efi        iPXE's EFI build (package ipxe, /boot/ipxe.efi)
#        OUTDIR/versions        the packages, one "name version" a line
# refind's install script tries to install rEFInd onto the machine's ESP
# and ipxe's runs update-grub: both are taken with `apt-get download` and
# unpacked with dpkg-deb instead. Nothing is installed; runs once per OUTDIR.
set -eu
out=$1
if [ -s "$out/refind_x64.efi" ] && [ -s "$out/ipxe.efi" ] && [ -s "$out/versions" ]; then
  exit 0
fi
mkdir -p "$out/deb"
# As root, apt-get download warns that it downloads "unsandboxed" when the
# _apt user cannot write there; the files are the same.
(cd "$out/deb" && apt-get download refind ipxe) >"$out/deb/download.log" 2>&1 || {
  echo "fetch-loaders.sh: apt-get download refind ipxe failed: $(tail -n 2 "$out/deb/download.log" | tr '\n' ' ')" >&2
  exit 1
}
for deb in "$out"/deb/*.deb; do
  dpkg-deb -x "$deb" "$out/deb/root"
done
cp "$out/deb/root/usr/share/refind/refind/refind_x64.efi" "$out/refind_x64.efi"
cp "$out/deb/root/boot/ipxe.efi" "$out/ipxe.efi"
for deb in "$out"/deb/*.deb; do
  # shellcheck disable=SC2016 # dpkg-deb's fields, not the shell's
  dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb"
done >"$out/versions.tmp"
mv "$out/versions.tmp" "$out/versions"
rm -rf "$out/deb"
