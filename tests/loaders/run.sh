#!/usr/bin/env bash
# The loader matrix: boots bzelf images through the real boot loaders that
# boot Linux -- GRUB (`linux` and `linux16` on BIOS, `linux` on x86_64 EFI
# under OVMF), syslinux, isolinux, pxelinux and iPXE -- each with the test
# kernels (tests/kernels/) and with Debian's own x86_64 kernel
# (tests/linux/), an initrd and a command line taken from the loader's own
# configuration. Also checks that file(1) recognises an image as a bzImage
# and shows the version string bzelf put in. tests/loaders/README.md lists
# the loaders, the entry path each one takes and the exact config lines.
#
# Environment (all optional): those of tests/lib.sh, and
#   OVMF         UEFI firmware for QEMU -bios         (/usr/share/ovmf/OVMF.fd)
#   TIMEOUT      seconds allowed per test kernel boot (60)
#   LINUX_TIMEOUT  seconds allowed per Debian boot    (120)
#
# Output and exit status: tests/lib.sh; a failed test keeps its serial log
# as LOG_DIR/loader-<name>.log. How long each boot took goes to
# $LOG_DIR/loaders-timings.txt (a figure, never a verdict).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}
TIMEOUT=${TIMEOUT:-60}
LINUX_TIMEOUT=${LINUX_TIMEOUT:-120}
LOG_PREFIX=loader-

# Where the Debian packages put each loader's files.
GRUB_PC_DIR=/usr/lib/grub/i386-pc
GRUB_EFI_DIR=/usr/lib/grub/x86_64-efi
ISOLINUX_BIN=/usr/lib/ISOLINUX/isolinux.bin
PXELINUX_0=/usr/lib/PXELINUX/pxelinux.0
LDLINUX_C32=/usr/lib/syslinux/modules/bios/ldlinux.c32

# Serial output after which a boot cannot go on to pass: the stage's
# one-line panic (DESIGN.md, "Decompressor", step 6), Linux's panic, the
# initrd check of tests/linux/make-initramfs.sh, and the loaders' own
# "could not boot" messages (GRUB waits for a key after an error that stops
# the boot -- not all its "error: " lines do: under OVMF it says "no
# suitable video mode found" and boots on; syslinux says which file it
# could not load).
STOP_RE='-- System halted|Kernel panic|BZELF-LINUX-BAD|Press any key to continue|Could not find kernel image|No bootable device|Boot failed'

require "$BZELF" "$QEMU" python3 timeout grub-mkrescue xorriso mformat \
  mcopy syslinux sbsign openssl
kernel_statuses
make_work loaders
TIMINGS=$LOG_DIR/loaders-timings.txt
: >"$TIMINGS"

# link_files DIR FILE...: puts FILEs into DIR (hard links; copies across
# file systems).
link_files() {
  local dir=$1 f
  shift
  mkdir -p "$dir"
  for f in "$@"; do
    ln -f "$f" "$dir/" 2>/dev/null || cp "$f" "$dir/"
  done
}

# ---------------------------------------------------------------------------
# What is booted: the images, initrds, command lines and expected reports.
#
# Kernels are named test64, test32 (tests/kernels), debian (Debian's
# vmlinux) and test64-signed (test64's image signed by sbsign). For each,
# these files in $WORK/in/ and facts in arrays:
#   $kernel.img       the bzelf image
#   $kernel.initrd    the initrd the loader passes
#   IMG_OK[kernel]    1 when the image (and initrd) could be made
#   ARGS_EXTRA[kernel]  what the kernel's command lines carry besides ours
mkdir -p "$WORK/in"
declare -A IMG_OK IMG_WHY ARGS_EXTRA INITRD_REPORT
TOKEN=$(token)

for k in test64 test32; do
  IMG_OK[$k]=0
  ARGS_EXTRA[$k]=""
  if out=$(test_kernel_image "$k" "$WORK/in/$k.img" "$WORK/in/$k.initrd" "$WORK/in/$k.build"); then
    INITRD_REPORT[$k]=$out
    IMG_OK[$k]=1
  else
    IMG_WHY[$k]=$out
  fi
done

# test64's image signed (sbsign appends a certificate table after the
# image): BIOS loaders load the whole file, and the image must boot as
# it did (issue 17).
k=test64-signed
IMG_OK[$k]=0
ARGS_EXTRA[$k]=""
if [ "${IMG_OK[test64]}" != 1 ]; then
  IMG_WHY[$k]=${IMG_WHY[test64]}
elif why=$(sign_image "$WORK/in/test64.img" "$WORK/in/$k.img"); then
  cp "$WORK/in/test64.initrd" "$WORK/in/$k.initrd"
  INITRD_REPORT[$k]=${INITRD_REPORT[test64]}
  IMG_OK[$k]=1
else
  IMG_WHY[$k]=$why
fi

# Debian's kernel: fetched once into LINUX_DIR (shared with tests/linux),
# wrapped here; the initramfs's /init prints the marker and powers off,
# and panic=-1 turns a panic into a reset, which -no-reboot ends.
IMG_OK[debian]=0
ARGS_EXTRA[debian]="$LINUX_TEST_ARGS "
if why=$(debian_image "$WORK/in/debian.img" "$WORK/in/debian.initrd" "$WORK/in/debian"); then
  IMG_OK[debian]=1
else
  IMG_WHY[debian]=$why
fi

# ---------------------------------------------------------------------------
# check NAME KERNEL EXPECTED_CMDLINE QEMU_ARGS...: boots, waits for QEMU to
# leave (or for a line after which nothing can pass, or the timeout), and
# checks what the kernel reported against what the loader was told.
check() {
  local name=$1 kernel=$2 expected=$3 limit=$TIMEOUT reasons=""
  shift 3
  [ "$kernel" = debian ] && limit=$LINUX_TIMEOUT
  boot "$name" "$limit" -m 256 "$@"
  if [ -n "$stopped" ]; then
    # Nothing after this line can pass: it is the whole story.
    reasons="stopped at '$stopped'; "
    local errors
    errors=$(grep '^error: ' "$WORK/$name.log" | head -n 3 | tr '\n' ' ')
    [ -n "$errors" ] && reasons+="GRUB said: $errors; "
  elif [ "$kernel" = debian ]; then
    linux_marker "$name" "$expected"
  else
    kernel_report "$name" "$expected" "${INITRD_REPORT[$kernel]}"
  fi
  judge "$name"
}

# ready NAME KERNEL: whether KERNEL's image exists; fails NAME if not.
ready() {
  if [ "${IMG_OK[$2]}" != 1 ]; then
    fail "$1" "${IMG_WHY[$2]}"
    return 1
  fi
}

# args ROW KERNEL: the command line a loader config gives KERNEL in ROW.
args() {
  echo "console=ttyS0 ${ARGS_EXTRA[$2]}bzelf.loader=$1 token=$TOKEN"
}

# --- GRUB ------------------------------------------------------------------
# grub_row ROW PLATFORM_DIR LINUX_CMD INITRD_CMD KERNEL [QEMU_ARGS...]
# One ISO per boot, made by grub-mkrescue; GRUB talks on COM1 and boots the
# only entry at once. GRUB's linux loaders put "BOOT_IMAGE=<path> " in
# front of the arguments (grub-core/loader/i386/linux.c and pc/linux.c).
grub_row() {
  local row=$1 platform=$2 linux=$3 initrd=$4 kernel=$5 name dir cmdline
  shift 5
  name=$row-$kernel
  ready "$name" "$kernel" || return
  dir=$WORK/$name.d
  link_files "$dir/boot" "$WORK/in/$kernel.img" "$WORK/in/$kernel.initrd"
  mkdir -p "$dir/boot/grub"
  cmdline=$(args "$row" "$kernel")
  cat >"$dir/boot/grub/grub.cfg" <<EOF
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
menuentry "bzelf $kernel" {
  $linux /boot/$kernel.img $cmdline
  $initrd /boot/$kernel.initrd
}
EOF
  if ! grub-mkrescue -d "$platform" -o "$WORK/$name.iso" "$dir" \
    >"$WORK/$name.mkrescue" 2>&1; then
    fail "$name" "grub-mkrescue failed: $(tail -n 2 "$WORK/$name.mkrescue" | tr '\n' ' ')"
    return
  fi
  check "$name" "$kernel" "BOOT_IMAGE=/boot/$kernel.img $cmdline" \
    -cdrom "$WORK/$name.iso" "$@"
}

# --- the syslinux family -----------------------------------------------------
# syslinux_expected ROW KERNEL: the command line KERNEL gets from the
# syslinux_cfg (tests/lib.sh) of KERNEL.img, KERNEL.initrd and the row's
# args.
syslinux_expected() {
  echo "BOOT_IMAGE=$2.img $(args "$1" "$2") initrd=$2.initrd"
}

# syslinux: a FAT file system in an image file, boot sector and
# ldlinux.sys installed by `syslinux --install` (no root, no loop device),
# booted as the first hard disk.
syslinux_row() {
  local row=syslinux kernel=$1 name fat
  name=$row-$kernel
  ready "$name" "$kernel" || return
  fat=$WORK/$name.fat
  syslinux_cfg "$kernel.img" "$kernel.initrd" "$(args "$row" "$kernel")" >"$WORK/$name.cfg"
  # 32 MiB: Debian's image and initramfs are about 12.5 MiB together.
  if ! { mformat -i "$fat" -C -T 65536 -h 64 -s 32 -v BZELF :: &&
    mcopy -i "$fat" "$WORK/$name.cfg" ::syslinux.cfg &&
    mcopy -i "$fat" "$WORK/in/$kernel.img" "$WORK/in/$kernel.initrd" :: &&
    syslinux --install "$fat"; } >"$WORK/$name.mkfs" 2>&1; then
    fail "$name" "making the FAT image failed: $(oneline "$WORK/$name.mkfs")"
    return
  fi
  check "$name" "$kernel" "$(syslinux_expected "$row" "$kernel")" \
    -drive "file=$fat,format=raw,if=ide"
}

# isolinux: an El Torito no-emulation ISO made by xorriso.
isolinux_row() {
  local row=isolinux kernel=$1 name dir
  name=$row-$kernel
  ready "$name" "$kernel" || return
  dir=$WORK/$name.d
  link_files "$dir/isolinux" "$ISOLINUX_BIN" "$LDLINUX_C32" \
    "$WORK/in/$kernel.img" "$WORK/in/$kernel.initrd"
  syslinux_cfg "$kernel.img" "$kernel.initrd" "$(args "$row" "$kernel")" >"$dir/isolinux/isolinux.cfg"
  if ! xorriso -as mkisofs -quiet -o "$WORK/$name.iso" \
    -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot \
    -boot-load-size 4 -boot-info-table "$dir" >"$WORK/$name.mkisofs" 2>&1; then
    fail "$name" "xorriso failed: $(oneline "$WORK/$name.mkisofs")"
    return
  fi
  check "$name" "$kernel" "$(syslinux_expected "$row" "$kernel")" \
    -cdrom "$WORK/$name.iso"
}

# The network rows: QEMU's user network answers DHCP with the bootfile and
# serves DIR over TFTP; the e1000's option ROM is iPXE, which boots it.
net_args() { # DIR BOOTFILE
  printf '%s\n' -netdev "user,id=net0,tftp=$1,bootfile=$2" \
    -device e1000,netdev=net0 -boot n
}

# pxelinux: pxelinux.0 as the bootfile; it reads pxelinux.cfg/default.
pxelinux_row() {
  local row=pxelinux kernel=$1 name dir
  name=$row-$kernel
  ready "$name" "$kernel" || return
  dir=$WORK/$name.d
  link_files "$dir" "$PXELINUX_0" "$LDLINUX_C32" \
    "$WORK/in/$kernel.img" "$WORK/in/$kernel.initrd"
  mkdir -p "$dir/pxelinux.cfg"
  syslinux_cfg "$kernel.img" "$kernel.initrd" "$(args "$row" "$kernel")" >"$dir/pxelinux.cfg/default"
  local -a net
  mapfile -t net < <(net_args "$dir" pxelinux.0)
  check "$name" "$kernel" "$(syslinux_expected "$row" "$kernel")" "${net[@]}"
}

# iPXE: an iPXE script as the bootfile; `kernel` takes the command line
# verbatim, with nothing added.
ipxe_row() {
  local row=ipxe kernel=$1 name dir
  name=$row-$kernel
  ready "$name" "$kernel" || return
  dir=$WORK/$name.d
  link_files "$dir" "$WORK/in/$kernel.img" "$WORK/in/$kernel.initrd"
  cat >"$dir/boot.ipxe" <<EOF
#!ipxe
kernel $kernel.img $(args "$row" "$kernel")
initrd $kernel.initrd
boot
EOF
  local -a net
  mapfile -t net < <(net_args "$dir" boot.ipxe)
  check "$name" "$kernel" "$(args "$row" "$kernel")" "${net[@]}"
}

# --- file(1) -----------------------------------------------------------------
# file(1)'s magic reads the setup header (boot_flag, "HdrS") and prints the
# string at kernel_version + 0x200 as the version.
file_row() {
  local kernel=$1 version=$2 name=file-magic-$1 got
  ready "$name" "$kernel" || return
  if ! command -v file >/dev/null; then
    fail "$name" "file: not found (Debian package 'file')"
    return
  fi
  got=$(file -b "$WORK/in/$kernel.img")
  case $got in
    "Linux kernel x86 boot executable bzImage, version $version,"*) pass "$name" ;;
    *) fail "$name" "file says '$got', expected 'Linux kernel x86 boot executable bzImage, version $version, ...'" ;;
  esac
}

file_row test64 "bzelf test64.elf"
file_row test32 "bzelf test32.elf"
# fetch-kernel.sh records the package, linux-image-<release>.
file_row debian "bzelf Linux $(sed 's/^linux-image-//' "$LINUX_DIR/version" 2>/dev/null)"

for k in test64 test32 debian test64-signed; do
  grub_row grub-linux "$GRUB_PC_DIR" linux initrd "$k"
done
for k in test64 test32 debian test64-signed; do
  grub_row grub-linux16 "$GRUB_PC_DIR" linux16 initrd16 "$k"
done
for k in test64 test32 debian; do
  grub_row grub-efi "$GRUB_EFI_DIR" linux initrd "$k" -bios "$OVMF"
done
for k in test64 test32 debian; do
  syslinux_row "$k"
done
for k in test64 test32 debian; do
  isolinux_row "$k"
done
for k in test64 test32 debian; do
  pxelinux_row "$k"
done
for k in test64 test32 debian; do
  ipxe_row "$k"
done

finish
