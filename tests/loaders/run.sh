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
# Environment (all optional):
#   BZELF        the host tool                        (build/bin/bzelf)
#   KERNELS_DIR  the built test kernels               (build/kernels)
#   LINUX_DIR    where fetch-kernel.sh keeps Debian's kernel (build/linux/kernel)
#   QEMU         the emulator                         (qemu-system-x86_64)
#   OVMF         UEFI firmware for QEMU -bios         (/usr/share/ovmf/OVMF.fd)
#   TIMEOUT      seconds allowed per test kernel boot (60)
#   LINUX_TIMEOUT  seconds allowed per Debian boot    (120)
#   LOG_DIR      serial logs of failed tests          (build/test-logs)
#   TEST_KERNEL_PASS_STATUS  QEMU's exit status for a pass (33)
#
# Output: one line per test, "PASS <name>" or "FAIL <name>: <reason>" (a
# failure also keeps its serial log and prints the log's tail), then
# "<N> passed, <M> failed" alone on the last line. Exit status 1 if any
# test failed, 2 if the tests could not run at all. How long each boot
# took goes to $LOG_DIR/loaders-timings.txt (a figure, never a verdict).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
BZELF=${BZELF:-build/bin/bzelf}
KERNELS_DIR=${KERNELS_DIR:-build/kernels}
LINUX_DIR=${LINUX_DIR:-build/linux/kernel}
QEMU=${QEMU:-qemu-system-x86_64}
OVMF=${OVMF:-/usr/share/ovmf/OVMF.fd}
TIMEOUT=${TIMEOUT:-60}
LINUX_TIMEOUT=${LINUX_TIMEOUT:-120}
LOG_DIR=${LOG_DIR:-build/test-logs}
PASS_STATUS=${TEST_KERNEL_PASS_STATUS:-33}

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

for tool in "$BZELF" "$QEMU" python3 timeout grub-mkrescue xorriso mformat \
  mcopy syslinux; do
  if ! command -v "$tool" >/dev/null; then
    echo "run.sh: $tool: not found (tools/install-deps.sh installs it)" >&2
    exit 2
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bzelf-loaders.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$LOG_DIR" || exit 2
TIMINGS=$LOG_DIR/loaders-timings.txt
: >"$TIMINGS"

passed=0
failed=0

# pass NAME: reports, and drops a log a failed earlier run left behind.
pass() {
  echo "PASS $1"
  passed=$((passed + 1))
  rm -f "$LOG_DIR/loader-$1.log"
}

# fail NAME REASON: reports, keeps NAME's serial log (if it booted), prints
# its tail.
fail() {
  echo "FAIL $1: $2"
  failed=$((failed + 1))
  if [ -s "$WORK/$1.log" ]; then
    cp "$WORK/$1.log" "$LOG_DIR/loader-$1.log"
    echo "  serial log kept in $LOG_DIR/loader-$1.log; its last lines:"
    tail -n 20 "$LOG_DIR/loader-$1.log" | sed 's/^/  | /'
  fi
}

# oneline FILE: the first lines of FILE on one line, for a reason.
oneline() {
  head -n 3 "$1" 2>/dev/null | tr '\n' ' '
}

# serial_log NAME: the serial output of NAME's boot so far, without '\r'
# and the escape sequences GRUB draws its screen with.
serial_log() {
  tr -d '\r' <"$WORK/$1.serial" 2>/dev/null |
    sed 's/\x1b\[[0-9;?]*[A-Za-z]//g' >"$WORK/$1.log"
}

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
# Kernels are named test64, test32 (tests/kernels) and debian (Debian's
# vmlinux). For each, these files in $WORK/in/ and facts in arrays:
#   $kernel.img       the bzelf image
#   $kernel.initrd    the initrd the loader passes
#   IMG_OK[kernel]    1 when the image (and initrd) could be made
#   ARGS_EXTRA[kernel]  what the kernel's command lines carry besides ours
mkdir -p "$WORK/in"
declare -A IMG_OK IMG_WHY ARGS_EXTRA INITRD_REPORT
TOKEN=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')

# The command line each image carries: a loader always passes one, so
# seeing this one arrive would mean the loader's got lost.
BUILTIN_CMDLINE="console=ttyS0 bzelf-builtin"

for k in test64 test32; do
  IMG_OK[$k]=0
  ARGS_EXTRA[$k]=""
  if ! "$BZELF" build "$KERNELS_DIR/$k.elf" -o "$WORK/in/$k.img" \
    --cmdline "$BUILTIN_CMDLINE" >"$WORK/in/$k.build" 2>&1; then
    IMG_WHY[$k]="bzelf build $KERNELS_DIR/$k.elf failed: $(oneline "$WORK/in/$k.build")"
    continue
  fi
  # An odd size, so that a loader or kernel that rounds it shows.
  head -c 70001 /dev/urandom >"$WORK/in/$k.initrd"
  INITRD_REPORT[$k]=$(python3 -c '
import sys, zlib
data = open(sys.argv[1], "rb").read()
print("bzelf-test: initrd: size=%d crc32=0x%08x" % (len(data), zlib.crc32(data)))
' "$WORK/in/$k.initrd")
  IMG_OK[$k]=1
done

# Debian's kernel: fetched once into LINUX_DIR (shared with tests/linux),
# wrapped here; the initramfs's /init prints the marker and powers off,
# and panic=-1 turns a panic into a reset, which -no-reboot ends.
IMG_OK[debian]=0
ARGS_EXTRA[debian]="quiet panic=-1 "
if ! tests/linux/fetch-kernel.sh "$LINUX_DIR" >"$WORK/in/debian.fetch" 2>&1; then
  IMG_WHY[debian]="tests/linux/fetch-kernel.sh failed: $(oneline "$WORK/in/debian.fetch")"
elif ! "$BZELF" build "$LINUX_DIR/vmlinux" -o "$WORK/in/debian.img" \
  >"$WORK/in/debian.build" 2>&1; then
  IMG_WHY[debian]="bzelf build $LINUX_DIR/vmlinux failed: $(oneline "$WORK/in/debian.build")"
elif ! tests/linux/make-initramfs.sh "$WORK/in/debian.initrd" \
  >"$WORK/in/debian.initramfs" 2>&1; then
  IMG_WHY[debian]="tests/linux/make-initramfs.sh failed: $(oneline "$WORK/in/debian.initramfs")"
else
  IMG_OK[debian]=1
fi

# ---------------------------------------------------------------------------
# boot NAME KERNEL EXPECTED_CMDLINE QEMU_ARGS...: boots, waits for QEMU to
# leave (or for a line after which nothing can pass, or the timeout), and
# checks what the kernel reported against what the loader was told.
boot() {
  local name=$1 kernel=$2 expected=$3 pid status i start reasons="" stopped=""
  local limit=$TIMEOUT
  shift 3
  [ "$kernel" = debian ] && limit=$LINUX_TIMEOUT
  : >"$WORK/$name.serial"
  start=$EPOCHREALTIME
  timeout -k 5 "$limit" "$QEMU" -m 256 -display none -no-reboot \
    -serial "file:$WORK/$name.serial" -monitor none \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 "$@" \
    </dev/null >"$WORK/$name.qemu" 2>&1 &
  pid=$!
  for ((i = 0; i < (limit + 10) * 4; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    serial_log "$name"
    if grep -qE -- "$STOP_RE" "$WORK/$name.log"; then
      sleep 0.5 # let the rest of the message reach the log
      kill "$pid" 2>/dev/null # timeout passes the TERM on to QEMU
      stopped=$(grep -m1 -E -- "$STOP_RE" "$WORK/$name.log")
      break
    fi
    sleep 0.25
  done
  wait "$pid"
  status=$?
  local now=$EPOCHREALTIME
  local us=$((10#${now//[.,]/} - 10#${start//[.,]/}))
  printf '%-24s %4d.%d s\n' "$name" $((us / 1000000)) $((us / 100000 % 10)) >>"$TIMINGS"
  serial_log "$name"
  if [ -n "$stopped" ]; then
    # Nothing after this line can pass: it is the whole story.
    reasons="stopped at '$stopped'; "
    local errors
    errors=$(grep '^error: ' "$WORK/$name.log" | head -n 3 | tr '\n' ' ')
    [ -n "$errors" ] && reasons+="GRUB said: $errors; "
  elif [ "$kernel" = debian ]; then
    if ! grep -qxF "BZELF-LINUX-OK cmdline=[$expected]" "$WORK/$name.log"; then
      local got
      got=$(grep -m1 -E 'BZELF-LINUX-(OK|BAD)' "$WORK/$name.log")
      if [ -n "$got" ]; then
        reasons+="marker is '$got', expected 'BZELF-LINUX-OK cmdline=[$expected]'; "
      elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        reasons+="no marker within ${limit}s; "
      else
        reasons+="no marker line (QEMU exit status $status); "
      fi
    fi
  else
    if [ "$status" -ne "$PASS_STATUS" ]; then
      case $status in
        $((PASS_STATUS + 2))) reasons+="QEMU exit status $status: the kernel reported FAIL; " ;;
        124 | 137) reasons+="no exit within ${limit}s; " ;;
        0) reasons+="QEMU exit status 0: the guest reset or powered off; " ;;
        *) reasons+="QEMU exit status $status; " ;;
      esac
    fi
    if ! grep -qx 'bzelf-test: PASS' "$WORK/$name.log"; then
      local verdict
      verdict=$(grep -m1 -E '^(bzelf-test: FAIL|bzelf: )' "$WORK/$name.log")
      reasons+="no PASS line (${verdict:-no verdict at all}); "
    fi
    if ! grep -q '^bzelf-test: ' "$WORK/$name.log"; then
      : # the kernel never ran: nothing more to say about it
    elif ! grep -qxF "bzelf-test: cmdline: $expected" "$WORK/$name.log"; then
      local got
      got=$(grep -m1 -E '^bzelf-test: (no )?cmdline' "$WORK/$name.log")
      reasons+="command line is not '$expected' (got '${got#bzelf-test: }'); "
    fi
    if grep -q '^bzelf-test: ' "$WORK/$name.log" &&
      ! grep -qxF "${INITRD_REPORT[$kernel]}" "$WORK/$name.log"; then
      reasons+="initrd report is not '${INITRD_REPORT[$kernel]#bzelf-test: }'; "
    fi
  fi
  # QEMU's own messages explain a failure (its note that we stopped it
  # does not).
  local said
  said=$(grep -v 'terminating on signal' "$WORK/$name.qemu" | head -n 2 | tr '\n' ' ')
  if [ -n "$reasons" ] && [ -n "$said" ]; then
    reasons+="QEMU said: $said; "
  fi
  if [ -z "$reasons" ]; then
    pass "$name"
  else
    fail "$name" "${reasons%; }"
  fi
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
  boot "$name" "$kernel" "BOOT_IMAGE=/boot/$kernel.img $cmdline" \
    -cdrom "$WORK/$name.iso" "$@"
}

# --- the syslinux family -----------------------------------------------------
# syslinux_cfg ROW KERNEL: the config file every syslinux variant reads.
# syslinux puts "BOOT_IMAGE=<kernel> " in front of APPEND and, for an
# INITRD line, " initrd=<file>" after it (seen with 6.04).
syslinux_cfg() {
  cat <<EOF
SERIAL 0 115200
PROMPT 0
TIMEOUT 0
DEFAULT bzelf
LABEL bzelf
  KERNEL $2.img
  INITRD $2.initrd
  APPEND $(args "$1" "$2")
EOF
}
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
  syslinux_cfg "$row" "$kernel" >"$WORK/$name.cfg"
  # 32 MiB: Debian's image and initramfs are about 12.5 MiB together.
  if ! { mformat -i "$fat" -C -T 65536 -h 64 -s 32 -v BZELF :: &&
    mcopy -i "$fat" "$WORK/$name.cfg" ::syslinux.cfg &&
    mcopy -i "$fat" "$WORK/in/$kernel.img" "$WORK/in/$kernel.initrd" :: &&
    syslinux --install "$fat"; } >"$WORK/$name.mkfs" 2>&1; then
    fail "$name" "making the FAT image failed: $(oneline "$WORK/$name.mkfs")"
    return
  fi
  boot "$name" "$kernel" "$(syslinux_expected "$row" "$kernel")" \
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
  syslinux_cfg "$row" "$kernel" >"$dir/isolinux/isolinux.cfg"
  if ! xorriso -as mkisofs -quiet -o "$WORK/$name.iso" \
    -b isolinux/isolinux.bin -c isolinux/boot.cat -no-emul-boot \
    -boot-load-size 4 -boot-info-table "$dir" >"$WORK/$name.mkisofs" 2>&1; then
    fail "$name" "xorriso failed: $(oneline "$WORK/$name.mkisofs")"
    return
  fi
  boot "$name" "$kernel" "$(syslinux_expected "$row" "$kernel")" \
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
  syslinux_cfg "$row" "$kernel" >"$dir/pxelinux.cfg/default"
  local -a net
  mapfile -t net < <(net_args "$dir" pxelinux.0)
  boot "$name" "$kernel" "$(syslinux_expected "$row" "$kernel")" "${net[@]}"
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
  boot "$name" "$kernel" "$(args "$row" "$kernel")" "${net[@]}"
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

for k in test64 test32 debian; do
  grub_row grub-linux "$GRUB_PC_DIR" linux initrd "$k"
done
for k in test64 test32 debian; do
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

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
