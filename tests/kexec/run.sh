#!/usr/bin/env bash
# The kexec rows of the loader matrix: a running Linux (Debian's x86_64
# kernel, its own vmlinuz, under QEMU) kexecs into a bzelf image with
# kexec-tools' `kexec`, through each of its x86_64 bzImage loaders:
#   - bzImage64 (`kexec -t bzImage64`): long mode, identity map, enters
#     part 5 at +0x200 (startup_64); the kernel's own kexec_file_load
#     loader (`kexec -s -t bzImage64`) does the same;
#   - bzImage (`kexec -t bzImage`): the 32-bit loader, enters part 5 at
#     offset 0 (the ELF header decoded as code) in flat protected mode;
#   - bzImage with `--real-mode`: runs the real-mode setup;
# each with the test kernels (tests/kernels/: command line, initrd size
# and CRC-32, the boot_params kexec built) and Debian's kernel wrapped by
# bzelf (to the BZELF-LINUX-OK marker of tests/linux/make-initramfs.sh).
# One more row kexecs bzImage64 on a machine with RAM above 4 GiB, where
# kexec-tools puts the image and boot_params at the top of memory.
# README.md here has the exact kexec command lines.
#
# Environment (all optional):
#   BZELF        the host tool                          (build/bin/bzelf)
#   KERNELS_DIR  the built test kernels                 (build/kernels)
#   LINUX_DIR    Debian's kernel, from tests/linux/fetch-kernel.sh
#                                                       (build/linux/kernel)
#   FIRST_KERNEL the kernel that runs kexec             ($LINUX_DIR/vmlinuz)
#   QEMU         the emulator                           (qemu-system-x86_64)
#   KEXEC        kexec-tools' kexec, copied into the first initramfs
#                with the libraries ldd lists           (/sbin/kexec)
#   BUSYBOX      a static busybox                       (/bin/busybox)
#   TIMEOUT      seconds allowed per row, both boots    (120)
#   JOBS         rows run at the same time              (2)
#   LOG_DIR      serial logs of failed rows             (build/test-logs)
#   TEST_KERNEL_PASS_STATUS  QEMU's exit status for a pass (33)
#
# Output: one line per row, "PASS <name>" or "FAIL <name>: <reason>" (a
# failure keeps the row's serial log, and QEMU's -d int,cpu_reset log
# when the failure came after `kexec -e`, and prints the tails), then
# "<N> passed, <M> failed" alone on the last line. Exit status 1 if any
# row failed, 2 if the rows could not run at all. How long each row took
# goes to $LOG_DIR/kexec-timings.txt (a figure, never a verdict).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
BZELF=${BZELF:-build/bin/bzelf}
KERNELS_DIR=${KERNELS_DIR:-build/kernels}
LINUX_DIR=${LINUX_DIR:-build/linux/kernel}
FIRST_KERNEL=${FIRST_KERNEL:-$LINUX_DIR/vmlinuz}
QEMU=${QEMU:-qemu-system-x86_64}
export KEXEC=${KEXEC:-/sbin/kexec}
export BUSYBOX=${BUSYBOX:-/bin/busybox}
TIMEOUT=${TIMEOUT:-120}
JOBS=${JOBS:-2}
LOG_DIR=${LOG_DIR:-build/test-logs}
PASS_STATUS=${TEST_KERNEL_PASS_STATUS:-33}

# Serial output after which a row cannot pass: the stage's one-line panic
# (DESIGN.md, "Decompressor", step 6), a panic of either Linux, the
# initrd check of tests/linux/make-initramfs.sh, and /init giving up
# (make-initramfs.sh here).
STOP_RE='-- System halted|Kernel panic|BZELF-LINUX-BAD|^bzelf-kexec: .*failed'

for tool in "$BZELF" "$QEMU" "$KEXEC" "$BUSYBOX" python3 timeout cpio ldd; do
  if ! command -v "$tool" >/dev/null; then
    echo "run.sh: $tool: not found (tools/install-deps.sh installs it)" >&2
    exit 2
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bzelf-kexec.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$LOG_DIR" || exit 2
TIMINGS=$LOG_DIR/kexec-timings.txt
: >"$TIMINGS"

passed=0
failed=0

# pass NAME: reports, and drops logs a failed earlier run left behind.
# (Rows run in the background: the counts come from their reports.)
pass() {
  echo "PASS $1"
  rm -f "$LOG_DIR/$1.log" "$LOG_DIR/$1.qemu-d.log"
}

# fail NAME REASON: reports, keeps NAME's serial log (if it booted) and
# prints its tail.
fail() {
  echo "FAIL $1: $2"
  if [ -s "$WORK/$1.log" ]; then
    cp "$WORK/$1.log" "$LOG_DIR/$1.log"
    echo "  serial log kept in $LOG_DIR/$1.log; its last lines:"
    tail -n 20 "$LOG_DIR/$1.log" | sed 's/^/  | /'
  fi
}

# oneline FILE: the first lines of FILE on one line, for a reason.
oneline() {
  head -n 3 "$1" 2>/dev/null | tr '\n' ' '
}

# ---------------------------------------------------------------------------
# What is kexeced into. Kernels are named test64, test32 (tests/kernels)
# and debian (Debian's vmlinux); for each, $WORK/in/$kernel/ holds the
# bzelf image and the initrd, and becomes /kexec in the first kernel's
# initramfs ($WORK/$kernel.cpio), with one file per row in rows/.
declare -A READY WHY INITRD_REPORT
TOKEN=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
# The command line each image carries: kexec always passes one, so seeing
# this one arrive would mean kexec's got lost.
BUILTIN_CMDLINE="console=ttyS0 bzelf-builtin"

for k in test64 test32; do
  READY[$k]=0
  mkdir -p "$WORK/in/$k/rows"
  if ! "$BZELF" build "$KERNELS_DIR/$k.elf" -o "$WORK/in/$k/$k.img" \
    --cmdline "$BUILTIN_CMDLINE" >"$WORK/$k.build" 2>&1; then
    WHY[$k]="bzelf build $KERNELS_DIR/$k.elf failed: $(oneline "$WORK/$k.build")"
    continue
  fi
  # An odd size, so that a loader or kernel that rounds it shows.
  head -c 70001 /dev/urandom >"$WORK/in/$k/$k.initrd"
  INITRD_REPORT[$k]=$(python3 -c '
import sys, zlib
data = open(sys.argv[1], "rb").read()
print("bzelf-test: initrd: size=%d crc32=0x%08x" % (len(data), zlib.crc32(data)))
' "$WORK/in/$k/$k.initrd")
  READY[$k]=1
done

# Debian's kernel: fetched once into LINUX_DIR (shared with tests/linux
# and tests/loaders); the second kernel's initramfs is the one of
# tests/linux, whose /init prints the marker and powers off. panic=-1
# makes a panic reset, which -no-reboot turns into QEMU leaving.
READY[debian]=0
mkdir -p "$WORK/in/debian/rows"
if ! tests/linux/fetch-kernel.sh "$LINUX_DIR" >"$WORK/debian.fetch" 2>&1; then
  WHY[debian]="tests/linux/fetch-kernel.sh failed: $(oneline "$WORK/debian.fetch")"
elif ! "$BZELF" build "$LINUX_DIR/vmlinux" -o "$WORK/in/debian/debian.img" \
  >"$WORK/debian.build" 2>&1; then
  WHY[debian]="bzelf build $LINUX_DIR/vmlinux failed: $(oneline "$WORK/debian.build")"
elif ! tests/linux/make-initramfs.sh "$WORK/in/debian/debian.initrd" \
  >"$WORK/debian.initramfs" 2>&1; then
  WHY[debian]="tests/linux/make-initramfs.sh failed: $(oneline "$WORK/debian.initramfs")"
else
  READY[debian]=1
fi
if [ ! -s "$FIRST_KERNEL" ]; then
  for k in test64 test32 debian; do
    READY[$k]=0
    WHY[$k]="no first kernel at $FIRST_KERNEL (tests/linux/fetch-kernel.sh $LINUX_DIR)"
  done
fi

# The rows: NAME KERNEL MEMORY KEXEC_OPTIONS... (besides -l, the image,
# --append and --initrd). Each gets the command line args NAME KERNEL.
args() {
  case $2 in
    debian) echo "console=ttyS0 quiet panic=-1 bzelf.loader=$1 token=$TOKEN" ;;
    *) echo "console=ttyS0 bzelf.loader=$1 token=$TOKEN say=\"two words\" end" ;;
  esac
}
ROWS=(
  "kexec-bzImage64-test64 test64 512 -t bzImage64"
  "kexec-bzImage64-test32 test32 512 -t bzImage64"
  "kexec-bzImage64-debian debian 512 -t bzImage64"
  "kexec-bzImage64-above4g-test64 test64 6G -t bzImage64"
  "kexec-file-bzImage64-test64 test64 512 -s -t bzImage64"
  "kexec-file-bzImage64-debian debian 512 -s -t bzImage64"
  "kexec-bzImage-test64 test64 512 -t bzImage"
  "kexec-bzImage-test32 test32 512 -t bzImage"
  "kexec-bzImage-debian debian 512 -t bzImage"
  "kexec-bzImage-real-mode-test64 test64 512 -t bzImage --real-mode"
  "kexec-bzImage-real-mode-debian debian 512 -t bzImage --real-mode"
)

# The row files: the arguments of `kexec -l`, one to a line, as /init
# runs them. The above-4G row has no initrd: kexec-tools' bzImage64
# loader puts it at the top of memory, and the test kernels read theirs
# through a map of the low 4 GiB only (tests/kernels/README.md). It puts
# boot_params and the command line there too: the stage, which runs in
# 32-bit mode, has to bring those below 4 GiB itself.
for row in "${ROWS[@]}"; do
  read -r name kernel memory opts <<<"$row"
  {
    echo -l
    # shellcheck disable=SC2086
    printf '%s\n' $opts
    echo "--append=$(args "$name" "$kernel")"
    case $name in
      *above4g*) ;;
      *) echo "--initrd=/kexec/$kernel.initrd" ;;
    esac
    echo "/kexec/$kernel.img"
  } >"$WORK/in/$kernel/rows/$name"
done

for k in test64 test32 debian; do
  [ "${READY[$k]}" = 1 ] || continue
  if ! tests/kexec/make-initramfs.sh "$WORK/$k.cpio" "$WORK/in/$k" \
    >"$WORK/$k.mkinitramfs" 2>&1; then
    READY[$k]=0
    WHY[$k]="tests/kexec/make-initramfs.sh failed: $(oneline "$WORK/$k.mkinitramfs")"
  fi
done

# ---------------------------------------------------------------------------
# serial_log NAME: the serial output of NAME's boots so far, without '\r'.
serial_log() {
  tr -d '\r' <"$WORK/$1.serial" >"$WORK/$1.log" 2>/dev/null
}

# qemu_d_tail NAME: keeps the end of QEMU's -d int,cpu_reset log (the
# exceptions of the last instructions before a reset) and says what it
# shows.
qemu_d_tail() {
  local d=$WORK/$1.qemu-d last
  [ -s "$d" ] || return
  tail -n 120 "$d" >"$LOG_DIR/$1.qemu-d.log"
  last=$(grep -E '^ *[0-9]+: v=' "$d" | tail -n 3 | sed 's/^ *//; s/ env->.*//' | tr '\n' ';')
  if grep -q '^Triple fault' "$d"; then
    echo "QEMU saw a triple fault; its last exceptions: ${last%;}"
  elif [ -n "$last" ]; then
    echo "the last exceptions QEMU saw: ${last%;}"
  fi
}

# run_row NAME KERNEL MEMORY: boots the first kernel into the row's
# `kexec -l` and `kexec -e`, waits for QEMU to leave (or for a line after
# which nothing can pass, or the timeout) and checks what the second
# kernel reported.
run_row() {
  local name=$1 kernel=$2 memory=$3 pid status i start stopped="" reasons=""
  local expected
  expected=$(args "$name" "$kernel")
  if [ "${READY[$kernel]}" != 1 ]; then
    fail "$name" "${WHY[$kernel]}"
    return
  fi
  : >"$WORK/$name.serial"
  start=$EPOCHREALTIME
  timeout -k 5 "$TIMEOUT" "$QEMU" -m "$memory" -display none -no-reboot \
    -serial "file:$WORK/$name.serial" -monitor none \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -d int,cpu_reset -D "$WORK/$name.qemu-d" \
    -kernel "$FIRST_KERNEL" -initrd "$WORK/$kernel.cpio" \
    -append "console=ttyS0 quiet panic=-1 bzelf.kexec.row=$name" \
    </dev/null >"$WORK/$name.qemu" 2>&1 &
  pid=$!
  for ((i = 0; i < (TIMEOUT + 10) * 4; i++)); do
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
  printf '%-32s %4d.%d s\n' "$name" $((us / 1000000)) $((us / 100000 % 10)) >>"$TIMINGS"
  serial_log "$name"
  local log=$WORK/$name.log

  if ! grep -q '^bzelf-kexec: kexec ' "$log"; then
    reasons+="the first kernel never ran /init's kexec (QEMU exit status $status); "
  elif grep -q '^bzelf-kexec: kexec -l failed' "$log"; then
    # What kexec printed between our line and its failure.
    local said
    said=$(sed -n '/^bzelf-kexec: kexec -l /,/^bzelf-kexec: kexec -l failed/p' "$log" |
      sed '1d; $d' | grep -v '^\[ *[0-9.]*\] ' | head -n 3 | tr '\n' ' ')
    reasons+="kexec -l refused the image: '${said% }'; "
  elif ! grep -q '^bzelf-kexec: kexec -e$' "$log"; then
    reasons+="kexec -l never returned (QEMU exit status $status); "
  elif grep -q '^bzelf-kexec: kexec -e failed' "$log"; then
    reasons+="$(grep -m1 '^bzelf-kexec: kexec -e failed' "$log" | sed 's/^bzelf-kexec: //'); "
  else
    # The second kernel ran (or should have): what it said.
    [ -n "$stopped" ] && reasons+="stopped at '$stopped'; "
    if [ "$kernel" = debian ]; then
      if ! grep -qxF "BZELF-LINUX-OK cmdline=[$expected]" "$log"; then
        local got
        got=$(grep -m1 -E 'BZELF-LINUX-(OK|BAD)' "$log")
        if [ -n "$got" ]; then
          reasons+="marker is '$got', expected 'BZELF-LINUX-OK cmdline=[$expected]'; "
        elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
          reasons+="no marker within ${TIMEOUT}s; "
        else
          reasons+="no marker line (QEMU exit status $status); "
        fi
      fi
    else
      local initrd_report=${INITRD_REPORT[$kernel]}
      [[ $name == *above4g* ]] && initrd_report="bzelf-test: initrd: none"
      if [ -z "$stopped" ] && [ "$status" -ne "$PASS_STATUS" ]; then
        case $status in
          $((PASS_STATUS + 2))) reasons+="QEMU exit status $status: the kernel reported FAIL; " ;;
          124 | 137) reasons+="no exit within ${TIMEOUT}s; " ;;
          0) reasons+="QEMU exit status 0: the guest reset or powered off; " ;;
          *) reasons+="QEMU exit status $status; " ;;
        esac
      fi
      if ! grep -qx 'bzelf-test: PASS' "$log"; then
        local verdict
        verdict=$(grep -m1 -E '^(bzelf-test: FAIL|bzelf: )' "$log")
        reasons+="no PASS line (${verdict:-no verdict at all}); "
      fi
      if grep -q '^bzelf-test: ' "$log"; then
        if ! grep -qxF "bzelf-test: cmdline: $expected" "$log"; then
          local got
          got=$(grep -m1 -E '^bzelf-test: (no )?cmdline' "$log")
          reasons+="command line is not '$expected' (got '${got#bzelf-test: }'); "
        fi
        if ! grep -qxF "$initrd_report" "$log"; then
          reasons+="initrd report is not '${initrd_report#bzelf-test: }'; "
        fi
        # kexec-tools says it is the loader: type_of_loader 0xD0
        # (LOADER_TYPE_KEXEC << 4, kexec/arch/i386/x86-linux-setup.c).
        if ! grep -q '^bzelf-test: boot_params at .* type_of_loader=0xd0 ' "$log"; then
          reasons+="boot_params.hdr.type_of_loader is not kexec's 0xd0; "
        fi
      elif [ -z "$stopped" ]; then
        reasons+="nothing from the test kernel after kexec -e; "
      fi
    fi
    if [ -n "$reasons" ]; then
      local d
      d=$(qemu_d_tail "$name")
      [ -n "$d" ] && reasons+="$d (kept in $LOG_DIR/$name.qemu-d.log); "
    fi
  fi
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

# JOBS rows at a time, each QEMU on its own; their reports in row order.
for row in "${ROWS[@]}"; do
  read -r name kernel memory opts <<<"$row"
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
    wait -n
  done
  run_row "$name" "$kernel" "$memory" >"$WORK/$name.result" 2>&1 &
done
wait
for row in "${ROWS[@]}"; do
  read -r name kernel memory opts <<<"$row"
  cat "$WORK/$name.result" 2>/dev/null
  if grep -qx "PASS $name" "$WORK/$name.result" 2>/dev/null; then
    passed=$((passed + 1))
  else
    grep -q "^FAIL $name: " "$WORK/$name.result" 2>/dev/null ||
      echo "FAIL $name: the row stopped without a report"
    failed=$((failed + 1))
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
