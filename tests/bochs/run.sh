#!/usr/bin/env bash
# A second PC model: Bochs 2.7 (Debian's bochs), with its own BIOS
# (bochsbios: BIOS-bochs-latest, the Bochs project's own rombios, not
# SeaBIOS) and the LGPL VGA BIOS (vgabios), an i440FX/PIIX3 chipset and
# its own CPU, ATA and 8250 models. QEMU with SeaBIOS is the PC every
# other suite boots; what differs here (the BIOS's INT 13h and INT 15h services, its
# E820 map, how it hands over) can break the direct boot unnoticed.
#
# Rows:
#   bochs-test32, bochs-test64  the test kernel's image as the first hard
#       disk (DESIGN.md, "MBR (direct)"): the kernel passes (its checks
#       include the E820 map it got from Bochs's BIOS), sees the image's
#       built-in command line, no initrd, and the boot sector as its
#       loader (type_of_loader 0x20)
#   bochs-floppy-test32, bochs-floppy-test64  the same from a 1.44 MB
#       floppy image (bzelf build --floppy) in drive A: Bochs's BIOS has
#       no INT 13h extensions for floppies, so the setup reads by
#       cylinder, head and sector (lib/chs.h), as on QEMU in tests/mbr
#   bochs-pentium-test32, bochs-pentium-test64  the image as a disk on
#       Bochs's oldest CPU model, `pentium` (a P54C: no CMOV, no long
#       mode; Bochs 2.7 has no i486 one): test32 passes, test64 stops
#       with the setup's line for a CPU without long mode (tests/lib.sh
#       NEEDS64), as on QEMU's in tests/cpu
#   bochs-syslinux-test32  test32 and an initrd through syslinux on a FAT
#       disk image, as tests/loaders makes one: the command line and the
#       initrd syslinux was given arrive
#   bochs-a20-kbc-test32  an ISA PC's A20 gate: tests/int15's hook hides
#       the BIOS's A20 services, tests/a20's chain-loader closes the
#       gate, and the setup must open it with the keyboard controller
#       (the others must find it open: Bochs's BIOS leaves it so)
#   bochs-no-e820-test32, bochs-no-e820-e801-test32  Bochs's BIOS without
#       E820, and without E801 too: tests/int15's hooks in front of the
#       image; the sizes the kernel gets must be what the BIOS's E801h
#       and AH=88h answered the hook
#   bochs-linux32  Debian's i386 kernel (tests/linux/fetch-kernel.sh
#       i386, an ELF32 vmlinux) and its initramfs through syslinux, to the
#       marker of the /init of tests/linux/make-initramfs.sh: about 20 s
#       (the others about 2 s each)
# The test kernels' setup must say on the debug console how it opened
# the A20 gate (boot/debugcon.cpp; Bochs's port_e9_hack).
#
# Headless: of Debian's Bochs display libraries, x, sdl and wx (packages
# bochs-x, bochs-sdl, bochs-wx) want a display and term (bochs-term) a
# terminal; rfb (a VNC server, in bochs itself) with timeout=0 starts
# without waiting for a viewer. It listens on TCP port 5900, or the next
# free one, for as long as a row runs.
# Debian's Bochs has the internal debugger compiled in, which stops
# before the first instruction: an -rc file with `c` starts the machine.
# COM1 goes to a file; the suite stops Bochs at the kernel's verdict line
# (Bochs has no isa-debug-exit), at any "-- System halted" line, or at
# the timeout.
#
# Environment (all optional): those of tests/lib.sh, and
#   BOCHS        the emulator                   (bochs)
#   LINUX32_DIR  Debian's i386 kernel, fetched there by
#                tests/linux/fetch-kernel.sh    (build/linux/kernel32)
#   TIMEOUT      seconds allowed per test kernel boot (60)
#   LINUX_TIMEOUT  seconds allowed for Debian's kernel (300)
#   JOBS         rows at a time                 (2)
#   A20_CHAINLOAD, INT15_DIR  as tests/a20 and tests/int15 take them
#
# Output and exit status: tests/lib.sh.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
BOCHS=${BOCHS:-bochs}
LINUX32_DIR=${LINUX32_DIR:-$ROOT/build/linux/kernel32}
TIMEOUT=${TIMEOUT:-60}
BOCHS_BIOS=/usr/share/bochs/BIOS-bochs-latest
VGA_BIOS=/usr/share/vgabios/vgabios.bin
LDLINUX_C32=/usr/lib/syslinux/modules/bios/ldlinux.c32
A20_CHAINLOAD=${A20_CHAINLOAD:-$ROOT/build/a20/a20-off-chainload.bin}
INT15_DIR=${INT15_DIR:-$ROOT/build/int15}
NO_A20_BIOS=$INT15_DIR/int15-no-a20-bios.bin
# The test kernels' verdict ends a row: Bochs would sit in the kernel's
# closing hlt for ever.
KERNEL_EXITS=
VERDICT_RE="^bzelf-test: (PASS|FAIL)|$STOP_RE"

require "$BZELF" "$BOCHS" timeout truncate mformat mcopy syslinux python3
for file in "$BOCHS_BIOS" "$VGA_BIOS" "$LDLINUX_C32" "$A20_CHAINLOAD" "$NO_A20_BIOS" \
  "$INT15_DIR/int15-no-e820.bin" "$INT15_DIR/int15-no-e820-e801.bin"; do
  if [ ! -f "$file" ]; then
    echo "run.sh: no $file (tools/install-deps.sh installs it; make test-deps builds it)" >&2
    exit 2
  fi
done
require_kernels test32 test64
make_work bochs
TIMINGS=$LOG_DIR/bochs-timings.txt
: >"$TIMINGS"
echo c >"$WORK/continue.rc"

# A hard disk for Bochs's ATA model with the geometry its BIOS reports for
# a flat image (16 heads, 63 sectors a track): Bochs takes the size in
# whole cylinders of 16 * 63 sectors and leaves out the rest, so DISK is
# padded to the next whole cylinder.
kCylinderBytes=$((16 * 63 * 512))
pad_to_cylinders() {
  local size
  size=$(wc -c <"$1")
  truncate -s $(((size + kCylinderBytes - 1) / kCylinderBytes * kCylinderBytes)) "$1"
}

# bochs_config NAME [--cpu MODEL] [--floppy IMAGE] DISK...: the machine
# of every row, NAME.bochsrc in WORK: 128 MiB, the DISKs as the ATA
# channels' devices in order (primary master and slave, then secondary:
# the BIOS numbers them 0x80 up), booted from the first, COM1 to
# NAME.serial, the debug console (port 0xE9, where the setup says how it
# opened the A20 gate) to Bochs's own output (bochs_boot). The Bochs log
# (NAME.bochs-log) keeps what the BIOS says; clock sync=none lets the
# guest run as fast as the host can, which only changes how long the
# BIOS's own waits take. --cpu: one of Bochs's CPU models (`cpu: model=`)
# instead of its default, bx_generic (a P6-class CPU with long mode).
# --floppy: IMAGE, a 1.44 MB floppy image, in drive A, booted from
# instead of the first disk.
bochs_config() {
  local name=$1 disk channel=0 role=master cpu="" floppy=""
  shift
  while [ $# -gt 0 ]; do
    case $1 in
      --cpu) cpu=$2 ;;
      --floppy) floppy=$2 ;;
      *) break ;;
    esac
    shift 2
  done
  {
    cat <<EOF
memory: guest=128, host=128
romimage: file=$BOCHS_BIOS
vgaromimage: file=$VGA_BIOS
display_library: rfb, options="timeout=0"
ata0: enabled=1, ioaddr1=0x1f0, ioaddr2=0x3f0, irq=14
EOF
    [ -z "$cpu" ] || echo "cpu: model=$cpu"
    if [ -n "$floppy" ]; then
      echo "floppya: 1_44=\"$floppy\", status=inserted"
      echo "boot: floppy"
    else
      echo "boot: disk"
    fi
    if [ $# -gt 2 ]; then
      echo "ata1: enabled=1, ioaddr1=0x170, ioaddr2=0x370, irq=15"
    else
      echo "ata1: enabled=0"
    fi
    for disk in "$@"; do
      echo "ata$channel-$role: type=disk, path=\"$disk\", mode=flat"
      if [ $role = master ]; then
        role=slave
      else
        role=master channel=$((channel + 1))
      fi
    done
    cat <<EOF
ata2: enabled=0
ata3: enabled=0
com1: enabled=1, mode=file, dev="$WORK/$name.serial"
log: $WORK/$name.bochs-log
panic: action=fatal
error: action=report
info: action=report
debug: action=ignore
clock: sync=none
port_e9_hack: enabled=1
EOF
  } >"$WORK/$name.bochsrc"
}

# bochs_boot NAME SECONDS STOP_RE: boots NAME.bochsrc (bochs_config)
# until a line matches STOP_RE (run_watched). Bochs's own output, the
# debug console's text among its banner and notes, goes to NAME.out
# (judge would quote its banner as the emulator's words; its complaints
# are in the Bochs log, which a failed row keeps).
bochs_boot() {
  run_watched "$1" "$2" "$3" "$BOCHS" -q -unlock -f "$WORK/$1.bochsrc" \
    -rc "$WORK/continue.rc"
  mv "$WORK/$1.qemu" "$WORK/$1.out"
  : >"$WORK/$1.qemu"
}

# keep_bochs_log NAME: after a FAIL, the Bochs log goes with the serial log.
keep_bochs_log() {
  if [ -s "$WORK/$1.bochs-log" ]; then
    cp "$WORK/$1.bochs-log" "$LOG_DIR/$LOG_PREFIX$1.bochs-log"
    echo "  Bochs's log kept in $LOG_DIR/$LOG_PREFIX$1.bochs-log"
  fi
}

# row_verdict NAME: judge, with the Bochs log kept on a failure.
row_verdict() {
  local before=$failed
  judge "$1"
  [ "$failed" -eq "$before" ] || keep_bochs_log "$1"
}

# disk_row NAME KERNEL [--cpu MODEL] [--floppy]: KERNEL's image,
# built-in command line, as the first disk; on Bochs's CPU MODEL (its
# Pentium: an i586 without CMOV or long mode); or, --floppy, as `bzelf
# build --floppy` pads it to a 1.44 MB floppy, booted from drive A: the
# setup reads it by cylinder, head and sector (lib/chs.h), as Bochs's
# BIOS has no INT 13h extensions for floppy drives.
disk_row() {
  local name=$1 kernel=$2 disk=$WORK/$1.img reasons="" floppy="" size
  local -a machine=()
  shift 2
  while [ $# -gt 0 ]; do
    case $1 in
      --cpu)
        machine+=(--cpu "$2")
        shift
        ;;
      --floppy) floppy=--floppy ;;
    esac
    shift
  done
  selected "$name" || return 0
  build_image "$name" "$disk" "$KERNELS_DIR/$kernel.elf" --cmdline "$BUILTIN_CMDLINE" \
    $floppy || return
  if [ -n "$floppy" ]; then
    size=$(wc -c <"$disk")
    if [ "$size" != 1474560 ]; then
      fail "$name" "bzelf build --floppy wrote $size bytes, not 1474560"
      return
    fi
    machine+=(--floppy "$disk")
  else
    pad_to_cylinders "$disk"
    machine+=("$disk")
  fi
  bochs_config "$name" "${machine[@]}"
  bochs_boot "$name" "$TIMEOUT" "$VERDICT_RE"
  kernel_report "$name" "$BUILTIN_CMDLINE" 'bzelf-test: initrd: none'
  grep -q '^bzelf-test: boot_params at .* type_of_loader=0x20 ' "$WORK/$name.log" ||
    reasons+="type_of_loader is not 0x20 (bootsect-loader); "
  # Bochs's BIOS hands over with the gate open.
  a20_report "$WORK/$name.out" "already on"
  row_verdict "$name"
}

# halt_row NAME KERNEL MODEL LINE: KERNEL's image as the first disk on
# Bochs's CPU MODEL must stop with LINE, the setup's one line, before
# any kernel runs.
halt_row() {
  local name=$1 disk=$WORK/$1.img reasons="" got
  selected "$name" || return 0
  build_image "$name" "$disk" "$KERNELS_DIR/$2.elf" --cmdline "$BUILTIN_CMDLINE" || return
  pad_to_cylinders "$disk"
  bochs_config "$name" --cpu "$3" "$disk"
  bochs_boot "$name" "$TIMEOUT" "$VERDICT_RE"
  if grep -aq '^bzelf-test: ' "$WORK/$name.log"; then
    reasons+="a kernel ran; expected '$4'; "
  elif ! grep -aqxF "$4" "$WORK/$name.log"; then
    got=$(grep -a -m1 '^bzelf: ' "$WORK/$name.log") || :
    reasons+="no '$4' line within ${TIMEOUT}s (got '${got:-nothing}', exit status $status); "
  fi
  row_verdict "$name"
}

# a20_row NAME KERNEL: an ISA PC's A20 on Bochs's PC, as tests/a20's
# a20-kbc rows do it on QEMU's: tests/int15's hook takes the BIOS's AH=24h
# services away (drive 0x80), tests/a20's chain-loader closes the gate
# (0x81), KERNEL's image boots from 0x82; the setup must open the gate
# with the keyboard controller.
a20_row() {
  local name=$1 disk=$WORK/$1.img hook=$WORK/$1.hook chain=$WORK/$1.chain reasons=""
  selected "$name" || return 0
  build_image "$name" "$disk" "$KERNELS_DIR/$2.elf" --cmdline "$BUILTIN_CMDLINE" || return
  cp "$NO_A20_BIOS" "$hook"
  cp "$A20_CHAINLOAD" "$chain"
  pad_to_cylinders "$disk"
  pad_to_cylinders "$hook"
  pad_to_cylinders "$chain"
  bochs_config "$name" "$hook" "$chain" "$disk"
  bochs_boot "$name" "$TIMEOUT" "$VERDICT_RE"
  if ! grep -qx 'int15-hook: hidden: AH=24h' "$WORK/$name.log"; then
    reasons+="no 'int15-hook: hidden: AH=24h' line, so the BIOS's A20 services were there; "
  elif ! grep -qx 'a20-off: A20 closed (wrap-around)' "$WORK/$name.log"; then
    reasons+="no 'a20-off: A20 closed (wrap-around)' line, so the boot proves nothing about A20; "
  else
    kernel_report "$name" "$BUILTIN_CMDLINE" 'bzelf-test: initrd: none'
    a20_report "$WORK/$name.out" "on by the keyboard controller"
  fi
  row_verdict "$name"
}

# no_e820_row NAME HOOK KERNEL: Bochs's BIOS without E820 (HOOK
# no-e820), or without E801 too (no-e820-e801): tests/int15's hook on
# drive 0x80, KERNEL's image on 0x81, as tests/int15 does on QEMU. The
# kernel, told bzelf.test.no-e820, must pass with an empty E820 table,
# and report the sizes the setup must have made of what INT 15h answered
# the hook (tests/lib.sh legacy_sizes).
no_e820_row() {
  local name=$1 disk=$WORK/$1.img hook=$WORK/$1.hook reasons="" sizes alt ext
  local cmdline="$BUILTIN_CMDLINE bzelf.test.no-e820"
  selected "$name" || return 0
  build_image "$name" "$disk" "$KERNELS_DIR/$3.elf" --cmdline "$cmdline" || return
  cp "$INT15_DIR/int15-$2.bin" "$hook"
  pad_to_cylinders "$disk"
  pad_to_cylinders "$hook"
  bochs_config "$name" "$hook" "$disk"
  bochs_boot "$name" "$TIMEOUT" "$VERDICT_RE"
  sizes=$(legacy_sizes "$name")
  if [ -z "$sizes" ]; then
    reasons+="no 'int15-hook: E801h:' and '88h:' lines, so the boot proves nothing; "
  else
    read -r alt ext <<<"$sizes"
    kernel_report "$name" "$cmdline" 'bzelf-test: initrd: none'
    grep -qx "bzelf-test: e801: alt_mem_k=$alt" "$WORK/$name.log" ||
      reasons+="alt_mem_k is not $alt ($(grep -m1 '^bzelf-test: e801: ' "$WORK/$name.log")); "
    grep -qx "bzelf-test: 88h: ext_mem_k=$ext" "$WORK/$name.log" ||
      reasons+="ext_mem_k is not $ext ($(grep -m1 '^bzelf-test: 88h: ' "$WORK/$name.log")); "
    if [[ $2 == *e801* ]] && [ "$alt" -ne 0 ]; then
      reasons+="E801h answered through a hook that hides it; "
    fi
  fi
  row_verdict "$name"
}

# fat_disk NAME CFG FILE...: a FAT file system of whole cylinders (8 MiB:
# 16 of them, enough for test32; 64 MiB for Debian's kernel) with
# syslinux.cfg from CFG and the FILEs, syslinux installed, in NAME.fat.
# On failure a FAIL for NAME and status 1.
fat_disk() {
  local name=$1 cfg=$2 fat=$WORK/$1.fat cylinders=16
  shift 2
  [ "$(cat "$@" | wc -c)" -lt $((6 * 1024 * 1024)) ] || cylinders=130
  if ! { mformat -i "$fat" -C -T $((cylinders * 16 * 63)) -h 16 -s 63 -v BZELF :: &&
    mcopy -i "$fat" "$cfg" ::syslinux.cfg &&
    mcopy -i "$fat" "$@" :: &&
    syslinux --install "$fat"; } >"$WORK/$name.mkfs" 2>&1; then
    fail "$name" "making the FAT image failed: $(oneline "$WORK/$name.mkfs")"
    return 1
  fi
}

syslinux_row() {
  local name=bochs-syslinux-test32 reasons="" args expected_initrd
  selected "$name" || return 0
  args="console=ttyS0 bzelf.test=$name token=$(token)"
  expected_initrd=$(test_kernel_image test32 "$WORK/test32.img" "$WORK/test32.initrd" \
    "$WORK/$name.build") || {
    fail "$name" "$expected_initrd"
    return
  }
  syslinux_cfg test32.img test32.initrd "$args" >"$WORK/$name.cfg"
  fat_disk "$name" "$WORK/$name.cfg" "$WORK/test32.img" "$WORK/test32.initrd" || return
  bochs_config "$name" "$WORK/$name.fat"
  bochs_boot "$name" "$TIMEOUT" "$VERDICT_RE"
  kernel_report "$name" "BOOT_IMAGE=test32.img $args initrd=test32.initrd" "$expected_initrd"
  # syslinux opens the gate itself before it loads the image.
  a20_report "$WORK/$name.out" "already on"
  row_verdict "$name"
}

# Debian's i386 kernel through syslinux, to the marker of the initramfs's
# /init. The amd64 busybox cannot run under it: fetch-kernel.sh's i386
# busybox goes into the initramfs (as tests/linux does).
linux_row() {
  local name=bochs-linux32 reasons="" cmdline why
  selected "$name" || return 0
  if ! "$ROOT/tests/linux/fetch-kernel.sh" "$LINUX32_DIR" i386 >"$WORK/$name.fetch" 2>&1; then
    fail "$name" "no Debian i386 kernel: $(oneline "$WORK/$name.fetch")"
    return
  fi
  build_image "$name" "$WORK/linux32.img" "$LINUX32_DIR/vmlinux" || return
  why=$(linux_initramfs "$WORK/initrd32.gz" "$WORK/$name" "" "$LINUX32_DIR/root") || {
    fail "$name" "$why"
    return
  }
  # cryptomgr.notests: Linux's crypto self-tests (the late initcall
  # crypto_algapi_init runs those of every algorithm registered before
  # it) took 146 of this row's 164 s here, and test nothing of ours.
  cmdline="console=ttyS0 $LINUX_TEST_ARGS cryptomgr.notests bzelf.token=$(token)"
  syslinux_cfg linux32.img initrd32.gz "$cmdline" >"$WORK/$name.cfg"
  fat_disk "$name" "$WORK/$name.cfg" "$WORK/linux32.img" "$WORK/initrd32.gz" || return
  bochs_config "$name" "$WORK/$name.fat"
  bochs_boot "$name" "${LINUX_TIMEOUT:-300}" \
    "BZELF-LINUX-(OK|BAD)|Kernel panic|$STOP_RE"
  linux_marker "$name" "BOOT_IMAGE=linux32.img $cmdline initrd=initrd32.gz"
  row_verdict "$name"
}

# The rows, JOBS at a time (2: the suites share two cores), each Bochs on
# its own files; their reports in row order. Linux, the longest, first.
JOBS=${JOBS:-2}
ROWS=(bochs-linux32 bochs-test32 bochs-test64 bochs-floppy-test32 bochs-floppy-test64
  bochs-pentium-test32 bochs-pentium-test64 bochs-syslinux-test32
  bochs-a20-kbc-test32 bochs-no-e820-test32 bochs-no-e820-e801-test32)
run_row() {
  case $1 in
    bochs-linux32) linux_row ;;
    bochs-test32) disk_row "$1" test32 ;;
    bochs-test64) disk_row "$1" test64 ;;
    bochs-floppy-test32) disk_row "$1" test32 --floppy ;;
    bochs-floppy-test64) disk_row "$1" test64 --floppy ;;
    bochs-pentium-test32) disk_row "$1" test32 --cpu pentium ;;
    bochs-pentium-test64) halt_row "$1" test64 pentium "$NEEDS64" ;;
    bochs-syslinux-test32) syslinux_row ;;
    bochs-a20-kbc-test32) a20_row "$1" test32 ;;
    bochs-no-e820-test32) no_e820_row "$1" no-e820 test32 ;;
    bochs-no-e820-e801-test32) no_e820_row "$1" no-e820-e801 test32 ;;
  esac
}
run_rows first_word run_row "${ROWS[@]}"
echo "boot times: $TIMINGS"

finish
