#!/usr/bin/env bash
# The "MBR (direct)" entry path of DESIGN.md: a bzelf image written raw to
# a disk, booted by the BIOS (SeaBIOS) with no loader. The boot sector loads
# the setup, the setup loads part 5 (boot/disk.cpp), and the kernel must get
# the built-in command line (bzelf build --cmdline). Then the error codes
# and messages of that path: no INT 13h extensions, a disk that is not our
# image from sector 0, a disk too short for the setup or for part 5.
# Last, Debian's kernel the same way, to its root-fs panic (no initrd on
# this path), with its command line from the image.
#
# Environment (all optional):
#   BZELF        the host tool                  (build/bin/bzelf)
#   KERNELS_DIR  the built test kernels         (build/kernels)
#   LINUX_DIR    Debian's kernel, fetched here  (build/linux/kernel)
#   QEMU         the emulator                   (qemu-system-x86_64)
#   TIMEOUT      seconds allowed per boot       (60; 300 for Linux)
#   LOG_DIR      serial logs of failed tests    (build/test-logs)
#   TEST_KERNEL_PASS_STATUS  QEMU's exit status for a pass; build.mk
#                exports it, and is asked for it when it is not set.
#
# Output: one line per test, "PASS <name>" or "FAIL <name>: <reason>" (a
# failure keeps its serial log and prints its tail), then "<N> passed, <M>
# failed" alone on the last line. Exit status 1 if any test failed, 2 if
# the tests could not run at all.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BZELF=${BZELF:-$ROOT/build/bin/bzelf}
KERNELS_DIR=${KERNELS_DIR:-$ROOT/build/kernels}
LINUX_DIR=${LINUX_DIR:-$ROOT/build/linux/kernel}
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${TIMEOUT:-60}
LOG_DIR=${LOG_DIR:-$ROOT/build/test-logs}
PASS_STATUS=${TEST_KERNEL_PASS_STATUS:-$(make -s --no-print-directory -C "$ROOT" print-test-kernel-pass-status)}

BUILTIN_CMDLINE="console=ttyS0 bzelf-builtin"
# The one-line stop of the boot sector, the setup and the stage.
HALTED='^bzelf: .* -- System halted'

for tool in "$BZELF" "$QEMU" timeout truncate; do
  if ! command -v "$tool" >/dev/null; then
    echo "run.sh: $tool: not found" >&2
    exit 2
  fi
done
for kernel in test32 test64; do
  if [ ! -f "$KERNELS_DIR/$kernel.elf" ]; then
    echo "run.sh: no $kernel.elf in $KERNELS_DIR (make test-kernels)" >&2
    exit 2
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bzelf-mbr.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$LOG_DIR" || exit 2

passed=0
failed=0

pass() {
  echo "PASS $1"
  passed=$((passed + 1))
  rm -f "$LOG_DIR/$1.log"
}

fail() {
  echo "FAIL $1: $2"
  failed=$((failed + 1))
  if [ -s "$WORK/$1.log" ]; then
    cp "$WORK/$1.log" "$LOG_DIR/$1.log"
    echo "  serial log kept in $LOG_DIR/$1.log; its last lines:"
    tail -n 25 "$LOG_DIR/$1.log" | sed 's/^/  | /'
  fi
}

serial_log() {
  tr -d '\r' <"$WORK/$1.serial" >"$WORK/$1.log" 2>/dev/null
}

# token: a value no earlier run could have left in memory.
token() {
  od -An -N8 -tx1 /dev/urandom | tr -d ' \n'
}

# build NAME KERNEL CMDLINE: the image $WORK/NAME.img, or a FAIL.
build() {
  if ! "$BZELF" build "$2" -o "$WORK/$1.img" --cmdline "$3" \
      >"$WORK/$1.build" 2>&1; then
    fail "$1" "bzelf build failed: $(head -n 3 "$WORK/$1.build" | tr '\n' ' ')"
    return 1
  fi
}

# boot NAME DRIVE [SECONDS]: boots the BIOS's first disk, QEMU's -drive
# DRIVE (a raw image: what a USB stick or hard disk written with dd is),
# and sets $status. QEMU is stopped at the first "-- System halted" line
# (the boot sector and the setup halt instead of exiting) or at the
# timeout.
boot() {
  local name=$1 drive=$2 limit=${3:-$TIMEOUT} pid i
  : >"$WORK/$name.serial"
  timeout -k 5 "$limit" "$QEMU" -drive "$drive" \
    -m 128 -display none -no-reboot -monitor none \
    -serial "file:$WORK/$name.serial" \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null \
    >"$WORK/$name.qemu" 2>&1 &
  pid=$!
  for ((i = 0; i < limit * 4; i++)); do
    serial_log "$name"
    if grep -qE "$HALTED" "$WORK/$name.log" || ! kill -0 "$pid" 2>/dev/null; then
      break
    fi
    sleep 0.25
  done
  kill "$pid" 2>/dev/null
  wait "$pid"
  status=$?
  serial_log "$name"
}

# boot_kernel NAME KERNEL [prepare]: a test kernel from a raw disk; it must
# pass, see the built-in command line, no initrd, and the boot sector as
# its loader (type_of_loader 0x20, boot.rst's "bootsect-loader"). With
# "prepare", the disk is padded to whole sectors and followed by 1 MiB of
# other data, as on a used USB stick: only part 5 itself may be copied.
boot_kernel() {
  local name=$1 kernel=$2 prepare=${3:-} cmdline reasons="" disk
  cmdline="$BUILTIN_CMDLINE token=$(token) say=\"two words\""
  build "$name" "$kernel" "$cmdline" || return
  disk=$WORK/$name.img
  if [ -n "$prepare" ]; then
    truncate -s %512 "$disk"
    head -c $((1024 * 1024)) /dev/urandom >>"$disk"
  fi
  boot "$name" "file=$disk,format=raw,if=ide"

  [ "$status" -eq "$PASS_STATUS" ] ||
    reasons+="QEMU exit status $status, not $PASS_STATUS; "
  grep -qx 'bzelf-test: PASS' "$WORK/$name.log" ||
    reasons+="no PASS line ($(grep -m1 -E '^(bzelf-test: FAIL|bzelf: )' "$WORK/$name.log")); "
  grep -qxF "bzelf-test: cmdline: $cmdline" "$WORK/$name.log" ||
    reasons+="built-in command line not echoed (got '$(grep -m1 -E '^bzelf-test: (no )?cmdline' "$WORK/$name.log")'); "
  grep -qx 'bzelf-test: initrd: none' "$WORK/$name.log" ||
    reasons+="an initrd where there is none; "
  grep -q '^bzelf-test: boot_params at .* type_of_loader=0x20 ' "$WORK/$name.log" ||
    reasons+="type_of_loader is not 0x20 (bootsect-loader); "
  if [ -z "$reasons" ]; then
    pass "$name"
  else
    fail "$name" "${reasons%; }"
  fi
}

# expect_halt NAME DRIVE LINE: the boot must stop with exactly LINE on
# serial and never reach a kernel.
expect_halt() {
  local name=$1
  boot "$name" "$2"
  if grep -q '^bzelf-test: ' "$WORK/$name.log"; then
    fail "$name" "a kernel ran; expected '$3'"
  elif ! grep -qxF "$3" "$WORK/$name.log"; then
    fail "$name" "no '$3' line within ${TIMEOUT}s (got '$(grep -m1 -E "$HALTED" "$WORK/$name.log")', QEMU exit status $status)"
  else
    pass "$name"
  fi
}

# The setup_sects of an image, and so where part 5 starts on the disk.
setup_sects() {
  local n
  n=$(od -An -tu1 -j $((0x1f1)) -N1 "$1" | tr -d ' ')
  echo $((n == 0 ? 4 : n))
}

boot_kernel mbr-test32 "$KERNELS_DIR/test32.elf"
boot_kernel mbr-test64 "$KERNELS_DIR/test64.elf"
boot_kernel mbr-test64-used-disk "$KERNELS_DIR/test64.elf" prepare

# Error paths: one image, damaged in turn.
if build mbr-errors "$KERNELS_DIR/test32.elf" "$BUILTIN_CMDLINE"; then
  image=$WORK/mbr-errors.img
  sects=$(setup_sects "$image")

  # SeaBIOS has no INT 13h extensions for floppy drives: code E. (A
  # floppy image must have a floppy's size.)
  cp "$image" "$WORK/floppy.img"
  truncate -s 1474560 "$WORK/floppy.img"
  expect_halt mbr-error-no-edd "file=$WORK/floppy.img,format=raw,if=floppy" \
    'bzelf: boot sector: disk error E -- System halted'

  # Sector 1 is not ours (as when the image went into a partition and the
  # disk's own MBR chain-loads it): code S.
  cp "$image" "$WORK/not-ours.img"
  dd if=/dev/zero of="$WORK/not-ours.img" bs=512 seek=1 count=1 \
    conv=notrunc status=none
  expect_halt mbr-error-not-our-disk "file=$WORK/not-ours.img,format=raw,if=ide" \
    'bzelf: boot sector: disk error S -- System halted'

  # Read errors (QEMU's blkdebug driver fails every read that touches one
  # sector; SeaBIOS reports them as status 0x0C): in the setup sectors,
  # code R after the boot sector's retries; in part 5, the setup's line
  # with the first sector of the failing read.
  io_error() { # NAME SECTOR LINE
    printf '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "%d"\n' \
      "$2" >"$WORK/$1.blkdebug"
    expect_halt "$1" "driver=raw,if=ide,file.driver=blkdebug,file.config=$WORK/$1.blkdebug,file.image.filename=$image" "$3"
  }
  io_error mbr-error-io-setup 2 'bzelf: boot sector: disk error R -- System halted'
  # The setup reads part 5 in 64-sector chunks from sector setup_sects + 1.
  bad=$((sects + 1 + 64 + 10))
  io_error mbr-error-io-part5 "$bad" \
    "bzelf: disk: read error at sector 0x$(printf '%x' $((sects + 1 + 64))) (INT 13h status 0xc) -- System halted"

  # The disk ends inside part 5 (a copy cut short): a read past the end,
  # which SeaBIOS refuses with status 0x01. Cut at the start of the last
  # 32 KiB chunk, so that this read is the first to fail.
  size=$(wc -c <"$image")
  part5=$(((sects + 1) * 512))
  chunks=$(((size - part5 + 32767) / 32768))
  cut=$((part5 + (chunks - 1) * 32768))
  head -c "$cut" "$image" >"$WORK/short.img"
  expect_halt mbr-error-short-disk "file=$WORK/short.img,format=raw,if=ide" \
    "bzelf: disk: read error at sector 0x$(printf '%x' $((cut / 512))) (INT 13h status 0x1) -- System halted"
fi

# Debian's kernel: its own serial lines show the command line it got and
# that it ran up to mounting the root file system (there is no initrd on
# this path; panic=-1 and -no-reboot end QEMU at the panic).
linux_name=mbr-linux
if ! "$ROOT/tests/linux/fetch-kernel.sh" "$LINUX_DIR" >"$WORK/$linux_name.fetch" 2>&1; then
  fail "$linux_name" "no Debian kernel: $(tail -n 2 "$WORK/$linux_name.fetch" | tr '\n' ' ')"
else
  cmdline="console=ttyS0 panic=-1 bzelf.token=$(token)"
  if build "$linux_name" "$LINUX_DIR/vmlinux" "$cmdline"; then
    boot "$linux_name" "file=$WORK/$linux_name.img,format=raw,if=ide" 300
    reasons=""
    grep -qF "Kernel command line: $cmdline" "$WORK/$linux_name.log" ||
      reasons+="no 'Kernel command line: $cmdline'; "
    grep -q 'Kernel panic - not syncing: VFS: Unable to mount root fs' "$WORK/$linux_name.log" ||
      reasons+="the kernel did not get to mounting the root fs (QEMU exit status $status); "
    if [ -z "$reasons" ]; then
      pass "$linux_name"
    else
      fail "$linux_name" "${reasons%; }"
    fi
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
