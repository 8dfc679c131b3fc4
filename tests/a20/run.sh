#!/usr/bin/env bash
# The real-mode setup's A20 code (boot/a20.cpp), on the "MBR (direct)"
# path of DESIGN.md with the A20 gate closed when our boot sector starts.
#
# SeaBIOS hands over with the gate open, so under QEMU alone the setup's
# EnableA20 has nothing to do and a setup without it boots just as well.
# Here the BIOS boots a chain-loader first (a20-off-chainload.S, built by
# build.mk, on the first disk, BIOS drive 0x80): it closes the gate the
# three ways a PC has (INT 15h AX=2400h, the keyboard controller's output
# port, port 0x92), checks with the wrap-around test that it is closed,
# prints "a20-off: A20 closed (wrap-around)", and boots sector 0 of the
# second disk (drive 0x81), the bzelf image, with dl = 0x81. Our boot
# sector and setup then load the image from drive 0x81 as from 0x80.
# The setup says on the debug console (port 0xE9, QEMU's isa-debugcon)
# which way it opened the gate: "bzelf-setup: a20: on by ...".
#
# Why the gate is still closed when EnableA20 runs: the setup copies part
# 5 above 1 MiB with INT 15h AH=87h (boot/block-move.cpp), and SeaBIOS
# opens the gate for each copy but closes it again afterwards if port
# 0x92 said it was closed before (src/system.c, handle_1587: set_a20(1),
# the copy, set_a20(prev)); so do its trips to 32-bit mode for its own
# drivers (src/stacks.c, call32). So part 5 does land at 1 MiB, and the
# setup's check of it (boot/verify-stage.cpp) reads it back through the
# same call, but when the setup switches to protected mode and jumps to
# code32_start, address bit 20 is still forced to zero: without
# EnableA20 the CPU runs what lies at 0x00000000 (the real-mode interrupt
# table, the BIOS data area) in place of startup_32 at 0x00100000. That
# ends in a #GP, a double and a triple fault (QEMU's -d int), so the
# guest resets and, with -no-reboot, QEMU exits with status 0; or, now
# and then, since those bytes include the BIOS's timer count, in a loop,
# which TIMEOUT ends. Either way no kernel line appears and the row
# fails. The chain-loader closes the gate through port 0x92 last because
# SeaBIOS takes that bit, not the gate, for the gate's state, and QEMU's
# gate follows whichever of port 0x92 and the keyboard controller was
# written last: closed through the controller alone, with the bit still
# set, the gate stays closed through SeaBIOS's copies, which then land in
# the first megabyte (tried: the first one overwrites the interrupt table
# and the boot hangs in the BIOS, EnableA20 or not).
#
# QEMU must emulate the gate, which TCG (QEMU's default, and what every
# suite uses) does and KVM does not: under KVM the chain-loader finds the
# gate still open, halts with its line, and every row fails, as a test
# that can prove nothing should.
#
# Rows: test32 and test64 from tests/kernels, built with the built-in
# command line; each must pass, see that command line, no initrd and the
# boot sector as its loader (type_of_loader 0x20), and its serial log must
# show the chain-loader's "A20 closed" line before the kernel's first
# line; the setup must have opened the gate through the BIOS (SeaBIOS has
# INT 15h AX=2401h: src/system.c, handle_152401). Then Debian's x86_64
# kernel the same way, to its root-fs panic (no initrd on this path),
# with its command line from the image.
#
# The a20-kbc rows are an ISA PC's A20: one more disk in front, the hook
# of tests/int15 that takes the BIOS's AH=24h services away
# (int15-no-a20-bios.bin: "int15-hook: hidden: AH=24h"), then the
# chain-loader, then the image, as drives 0x80, 0x81 and 0x82. The BIOS
# call fails, and the setup must open the gate with the keyboard
# controller, before it ever writes port 0x92: QEMU's PC has both (its
# i8042 and port 0x92 come and go together, -machine i8042=off), so
# "port 0x92 absent" is shown by the keyboard controller's being enough.
#
# Environment (all optional): those of tests/lib.sh, and
#   A20_CHAINLOAD  the chain-loader            (build/a20/a20-off-chainload.bin)
#   INT15_DIR    tests/int15's hooks            (build/int15)
#   TIMEOUT        seconds allowed per boot    (20; 300 for Linux)
#
# Output and exit status: tests/lib.sh. A failed row also keeps what
# QEMU's -d int,cpu_reset and its monitor saw on a second run (diagnose).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
A20_CHAINLOAD=${A20_CHAINLOAD:-$ROOT/build/a20/a20-off-chainload.bin}
INT15_DIR=${INT15_DIR:-$ROOT/build/int15}
NO_A20_BIOS=$INT15_DIR/int15-no-a20-bios.bin
TIMEOUT=${TIMEOUT:-20}
# The chain-loader's line once the gate is closed; its other lines say
# what went wrong and end with "-- System halted", where boot stops.
CLOSED_LINE='a20-off: A20 closed (wrap-around)'

require "$BZELF" "$QEMU" timeout truncate
for chainloader in "$A20_CHAINLOAD" "$NO_A20_BIOS"; do
  if [ ! -f "$chainloader" ]; then
    echo "run.sh: no $chainloader (make test-deps)" >&2
    exit 2
  fi
done
require_kernels test32 test64
kernel_statuses
make_work a20

# The chain-loaders' disks: a sector, then zeros to 1 MiB, so that the
# BIOS sees an ordinary (small) hard disk.
chain_disk=$WORK/chainload.img
cp "$A20_CHAINLOAD" "$chain_disk"
truncate -s 1M "$chain_disk"
hook_disk=$WORK/no-a20-bios.img
cp "$NO_A20_BIOS" "$hook_disk"
truncate -s 1M "$hook_disk"

# qemu_args NAME IMAGE [kbc]: the machine of row NAME, into the array
# args: the chain-loader's disk first (IDE index 0, the primary master:
# SeaBIOS boots it and numbers it 0x80) and IMAGE second (index 1, the
# primary slave, drive 0x81); with kbc, the hook's disk before both
# (0x80, 0x81 and 0x82). The debug console at 0xE9 goes to NAME.debugcon.
qemu_args() {
  local disks=("$chain_disk" "$2") index=0 disk
  [ "${3:-}" = kbc ] && disks=("$hook_disk" "${disks[@]}")
  # shellcheck disable=SC2054 # the commas are QEMU's
  args=(-m 128 -boot c
    -chardev "file,id=debugcon,path=$WORK/$1.debugcon"
    -device isa-debugcon,iobase=0xe9,chardev=debugcon)
  for disk in "${disks[@]}"; do
    args+=(-drive "file=$disk,format=raw,if=ide,index=$index")
    index=$((index + 1))
  done
}

# chain_closed NAME FIRST_LINE_RE: the chain-loader closed the gate before
# the booted image printed anything: its line comes before the first line
# matching FIRST_LINE_RE. Without it the boot proves nothing about A20:
# adds the reason and returns 1, and the row checks nothing more.
chain_closed() {
  local closed_at first_at said
  closed_at=$(grep -n -m1 -xF "$CLOSED_LINE" "$WORK/$1.log" | cut -d: -f1)
  if [ -z "$closed_at" ]; then
    said=$(grep -m1 '^a20-off: .*-- System halted' "$WORK/$1.log") || :
    reasons+="no '$CLOSED_LINE' line (${said:-no line from the chain-loader}), so the boot proves nothing about A20; "
    return 1
  fi
  first_at=$(grep -n -m1 -E -e "$2" "$WORK/$1.log" | cut -d: -f1)
  if [ -n "$first_at" ] && [ "$first_at" -lt "$closed_at" ]; then
    reasons+="the chain-loader's line comes after the kernel's first line, so the boot proves nothing about A20; "
    return 1
  fi
}

# boot_kernel NAME KERNEL [kbc]: a test kernel's image behind the
# chain-loader (qemu_args). A failure after the gate was closed also
# keeps QEMU's trace (diagnose): where the CPU faulted or spins.
boot_kernel() {
  local name=$1 img=$WORK/$1.img reasons=""
  selected "$name" || return 0
  build_image "$name" "$img" "$KERNELS_DIR/$2.elf" --cmdline "$BUILTIN_CMDLINE" || return
  qemu_args "$name" "$img" "${3:-}"
  boot "$name" "$TIMEOUT" "${args[@]}"

  if [ "${3:-}" = kbc ] && ! grep -qx 'int15-hook: hidden: AH=24h' "$WORK/$name.log"; then
    reasons+="no 'int15-hook: hidden: AH=24h' line, so the BIOS's A20 services were there; "
  elif chain_closed "$name" '^bzelf-test: '; then
    kernel_report "$name" "$BUILTIN_CMDLINE" 'bzelf-test: initrd: none'
    if [ "${3:-}" = kbc ]; then
      a20_report "$WORK/$name.debugcon" "on by the keyboard controller"
    else
      a20_report "$WORK/$name.debugcon" "on by INT 15h AX=2401h"
    fi
    grep -q '^bzelf-test: boot_params at .* type_of_loader=0x20 ' "$WORK/$name.log" ||
      reasons+="type_of_loader is not 0x20 (bootsect-loader); "
    if [ -n "$reasons" ]; then
      diagnose "$name" "${args[@]}"
    fi
  fi
  judge "$name"
}

boot_kernel a20-test32 test32
boot_kernel a20-test64 test64
boot_kernel a20-kbc-test32 test32 kbc
boot_kernel a20-kbc-test64 test64 kbc

# Debian's kernel: its own serial lines show the command line it got and
# that it ran up to mounting the root file system (panic=-1 and
# -no-reboot end QEMU at the panic).
linux_name=a20-linux
if ! selected "$linux_name"; then
  :
elif ! "$ROOT/tests/linux/fetch-kernel.sh" "$LINUX_DIR" >"$WORK/$linux_name.fetch" 2>&1; then
  fail "$linux_name" "no Debian kernel: $(tail -n 2 "$WORK/$linux_name.fetch" | tr '\n' ' ')"
else
  cmdline="console=ttyS0 panic=-1 bzelf.token=$(token)"
  if build_image "$linux_name" "$WORK/$linux_name.img" "$LINUX_DIR/vmlinux" --cmdline "$cmdline"; then
    qemu_args "$linux_name" "$WORK/$linux_name.img"
    boot "$linux_name" 300 "${args[@]}"
    reasons=""
    # Linux's first line on ttyS0 is its version banner.
    if chain_closed "$linux_name" '^(\[ *[0-9.]+\] )?Linux version '; then
      grep -qF "Kernel command line: $cmdline" "$WORK/$linux_name.log" ||
        reasons+="no 'Kernel command line: $cmdline'; "
      grep -q 'Kernel panic - not syncing: VFS: Unable to mount root fs' "$WORK/$linux_name.log" ||
        reasons+="the kernel did not get to mounting the root fs (QEMU exit status $status); "
      a20_report "$WORK/$linux_name.debugcon" "on by INT 15h AX=2401h"
    fi
    judge "$linux_name"
  fi
fi

finish
