#!/bin/sh
# Builds the initramfs of the first kernel of the kexec tests:
#   make-initramfs.sh OUT.cpio.gz DIR
# It holds busybox-static, kexec-tools' `kexec` with the shared libraries
# it needs (found with ldd), and everything under DIR in /kexec: the
# images and initrds to kexec into and, per row, /kexec/rows/ROW, the
# arguments of `kexec -l` one to a line. /init takes the row from
# `bzelf.kexec.row=ROW` on the command line, prints
#   bzelf-kexec: kexec <the arguments>
# runs `kexec -l` with them, then
#   bzelf-kexec: kexec -e
# and `kexec -e`. Whatever fails prints `bzelf-kexec: ... failed (status N)`
# and powers off.
# Environment: KEXEC (/sbin/kexec), BUSYBOX (/bin/busybox).
set -eu
out=$1
dir=$2
kexec=${KEXEC:-/sbin/kexec}
busybox=${BUSYBOX:-/bin/busybox}
root=$(mktemp -d "${TMPDIR:-/tmp}/bzelf-kexec-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" "$root/kexec"
cp "$busybox" "$root/bin/busybox"
cp "$kexec" "$root/sbin/kexec"
# The libraries, at the paths the dynamic linker looks in (ldd prints
# "name => /path (address)" for each, and the loader's own path alone).
ldd "$kexec" | awk '/=> \// { print $3 } /^[[:space:]]*\// { print $1 }' |
  while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
cp -a "$dir/." "$root/kexec/"
cat > "$root/init" <<'INIT'
#!/bin/busybox sh
bb=/bin/busybox
$bb mount -t proc proc /proc
# kexec-tools reads the firmware memory map from /sys/firmware/memmap.
$bb mount -t sysfs sysfs /sys
$bb mount -t devtmpfs devtmpfs /dev 2>/dev/null
row=
for arg in $($bb cat /proc/cmdline); do
  case $arg in
    bzelf.kexec.row=*) row=${arg#bzelf.kexec.row=} ;;
  esac
done
give_up() {
  echo "bzelf-kexec: $1"
  $bb poweroff -f
}
[ -n "$row" ] && [ -f "/kexec/rows/$row" ] ||
  give_up "finding row '$row' (bzelf.kexec.row=) in /kexec/rows failed"
set --
while IFS= read -r a; do
  set -- "$@" "$a"
done < "/kexec/rows/$row"
echo "bzelf-kexec: kexec $*"
/sbin/kexec "$@" 2>&1
status=$?
[ "$status" -eq 0 ] || give_up "kexec -l failed (status $status)"
echo "bzelf-kexec: kexec -e"
/sbin/kexec -e 2>&1
give_up "kexec -e failed (status $?)"
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null) > "$out.tmp"
mv "$out.tmp" "$out"
