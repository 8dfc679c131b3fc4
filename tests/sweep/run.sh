#!/usr/bin/env bash
# Corruption sweep (issue 6): damaged images of the test kernels, booted
# under QEMU -kernel. Every boot must end one of two ways:
#   - the stage stops with its one line, "bzelf: <what>: <detail> -- System
#     halted" (QEMU is stopped as soon as the line appears), or
#   - the damage did not matter and the kernel boots intact: it verifies
#     its own data and prints "bzelf-test: PASS" (tests/kernels/README.md).
# A boot that hangs without the line, resets (a triple fault: -no-reboot
# turns it into QEMU exiting with status 0), or reaches a kernel that
# reports FAIL is a failure. QEMU refusing the image itself (its own error,
# exit status 1) is accepted only where damage.py says QEMU checks that
# damage before it boots anything.
#
# Rows, one per image and kind of damage (damage.py says what each does):
#   sweep-<kernel>-part5     one byte in every 4 KiB block of part 5
#   sweep-<kernel>-landmarks one byte at each edge of part 5's pieces
#   sweep-<kernel>-params    each field of the stage parameter block
#   sweep-<kernel>-header    setup header fields
#   sweep-<kernel>-truncate  the image cut short at several points
# for test32 and test64, and the part5 sweep again for test32-low (the
# stage moves itself out of that kernel's way before it inflates it).
#
# Environment (all optional):
#   BZELF        the host tool                  (build/bin/bzelf)
#   KERNELS_DIR  the built test kernels         (build/kernels)
#   QEMU         the emulator                   (qemu-system-x86_64)
#   TIMEOUT      seconds one boot may take      (5; an intact boot takes
#                well under one)
#   JOBS         boots run at a time            (2)
#   DIAG_MAX     offending boots per row run again for a QEMU trace (2)
#   DIAG_SECONDS how long such a run goes before the monitor looks (2)
#   LOG_DIR      logs of failed boots           (build/test-logs)
#   TEST_KERNEL_PASS_STATUS  QEMU's exit status for a pass; build.mk
#                exports it, and is asked for it when it is not set.
#
# Output: one "PASS <row>: <figures>" or "FAIL <row>: <figures>; <offenders>"
# line per row, then "<N> passed, <M> failed" last. LOG_DIR/<row>.txt
# keeps every boot of the row (offset, damage, outcome); for every
# offending boot LOG_DIR/<row>-<id>.log keeps its serial output, and for
# the first DIAG_MAX of a row <row>-<id>.qemu-log what QEMU's -d
# int,cpu_reset and its monitor saw on a second run (see diagnose).
# Exit status 1 if any row failed, 2 if the sweep could not run at all.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BZELF=${BZELF:-$ROOT/build/bin/bzelf}
KERNELS_DIR=${KERNELS_DIR:-$ROOT/build/kernels}
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${TIMEOUT:-5}
JOBS=${JOBS:-2}
DIAG_SECONDS=${DIAG_SECONDS:-2}
DIAG_MAX=${DIAG_MAX:-2}
LOG_DIR=${LOG_DIR:-$ROOT/build/test-logs}
PASS_STATUS=${TEST_KERNEL_PASS_STATUS:-$(make -s --no-print-directory -C "$ROOT" print-test-kernel-pass-status)}
# verdict.h: kDebugExitFail is kDebugExitPass + 1, so the status is + 2.
FAIL_STATUS=$((PASS_STATUS + 2))
DAMAGE=$ROOT/tests/sweep/damage.py
# The stage's last words (DESIGN.md, "Decompressor", step 6).
STAGE_HALTED='^bzelf: .* -- System halted$'

for tool in "$BZELF" "$QEMU" python3 timeout; do
  if ! command -v "$tool" >/dev/null; then
    echo "run.sh: $tool: not found" >&2
    exit 2
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bzelf-sweep.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$LOG_DIR" || exit 2

passed=0
failed=0

# boot ID IMAGE DIR: boots IMAGE and writes DIR/ID.outcome, one line:
#   halted <the stage's line> | intact | kernel-fail <verdict> |
#   reset | hung [<last serial line>] | qemu-error <status> <QEMU's words>
# The serial output is left in DIR/ID.log, QEMU's own in DIR/ID.qemu.
boot() {
  local id=$1 image=$2 dir=$3 pid status line
  local serial=$dir/$id.serial log=$dir/$id.log
  : >"$serial"
  timeout -k 2 "$TIMEOUT" "$QEMU" -kernel "$image" -m 128 -display none \
    -monitor none -serial "file:$serial" -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null \
    >"$dir/$id.qemu" 2>&1 &
  pid=$!
  # The stage halts instead of exiting QEMU: poll for its line.
  while kill -0 "$pid" 2>/dev/null; do
    if grep -aq 'System halted' "$serial"; then
      sleep 0.05 # the rest of the line
      kill "$pid" 2>/dev/null
      break
    fi
    sleep 0.05
  done
  wait "$pid"
  status=$?
  tr -d '\r' <"$serial" >"$log"
  line=$(grep -a -m1 -E "$STAGE_HALTED" "$log")
  if [ -n "$line" ]; then
    echo "halted $line"
  elif [ "$status" -eq "$PASS_STATUS" ] && grep -aqx 'bzelf-test: PASS' "$log"; then
    echo intact
  elif [ "$status" -eq "$FAIL_STATUS" ] || grep -aq '^bzelf-test: FAIL' "$log"; then
    echo "kernel-fail $(grep -a -m1 '^bzelf-test: FAIL' "$log")"
  elif [ "$status" -eq 0 ]; then
    echo reset
  elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "hung $(grep -a . "$log" | tail -n 1 | cut -c1-120)"
  else
    echo "qemu-error $status $(head -n 1 "$dir/$id.qemu")"
  fi >"$dir/$id.outcome"
}

# diagnose ID IMAGE DIR: boots IMAGE again under QEMU's -d int,cpu_reset
# and keeps DIR/ID.qemu-log: the last lines of that trace (the exceptions
# that led to a reset, with the CPU state), then what the monitor says
# about the CPU after DIAG_SECONDS (where a hang spins).
diagnose() {
  local id=$1 image=$2 dir=$3
  # shellcheck disable=SC2016 # $pc is the monitor's, not the shell's
  { sleep "$DIAG_SECONDS"; printf '%s\n' 'info registers' 'x /6i $pc' quit; } |
    timeout -k 2 $((DIAG_SECONDS + 5)) "$QEMU" -kernel "$image" -m 128 \
      -display none -monitor stdio -serial null -no-reboot \
      -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
      -d int,cpu_reset -D "$dir/$id.trace" >"$dir/$id.monitor" 2>&1
  {
    echo "== last lines of -d int,cpu_reset"
    tail -n 60 "$dir/$id.trace" 2>/dev/null
    echo "== monitor after ${DIAG_SECONDS}s (empty: QEMU had exited)"
    tr -d '\r' <"$dir/$id.monitor" | grep -a -E '^(EAX|ESI|EIP|ES |CS |SS |DS |CR0|GDT|IDT)|^0x'
  } >"$dir/$id.qemu-log"
  rm -f "$dir/$id.trace"
}

# sweep ROW KERNEL KIND: builds KERNEL into an image, damages it the KIND
# way (damage.py), boots every damaged copy JOBS at a time and reports
# one row.
sweep() {
  local row=$1 kernel=$2 kind=$3 dir=$WORK/$1
  mkdir -p "$dir"
  rm -f "$LOG_DIR/$row".txt "$LOG_DIR/$row"-*.log "$LOG_DIR/$row"-*.qemu-log
  if ! "$BZELF" build "$kernel" -o "$dir/image" --cmdline "console=ttyS0" \
      >"$dir/build.out" 2>&1; then
    report "$row" 1 "bzelf build failed: $(head -n 2 "$dir/build.out" | tr '\n' ' ')"
    return
  fi
  if ! python3 "$DAMAGE" "$dir/image" "$dir" "$kind" >"$dir/manifest" 2>"$dir/damage.err"; then
    report "$row" 1 "damage.py failed: $(head -n 2 "$dir/damage.err" | tr '\n' ' ')"
    return
  fi

  local id offset what refusable running=0
  while IFS=$'\t' read -r id offset what refusable; do
    boot "$id" "$dir/$id.img" "$dir" &
    running=$((running + 1))
    if [ "$running" -ge "$JOBS" ]; then
      wait -n
      running=$((running - 1))
    fi
  done <"$dir/manifest"
  wait

  local boots=0 halted=0 intact=0 hung=0 refused=0 bad=0 outcome offenders=""
  while IFS=$'\t' read -r id offset what refusable; do
    boots=$((boots + 1))
    outcome=$(cat "$dir/$id.outcome")
    case $outcome in
      halted*) halted=$((halted + 1)); continue ;;
      intact) intact=$((intact + 1)); continue ;;
      qemu-error\ 1\ *)
        if [ "$refusable" = 1 ]; then
          refused=$((refused + 1))
          continue
        fi
        ;;
      hung*) hung=$((hung + 1)) ;;
    esac
    bad=$((bad + 1))
    offenders+="; $offset $what: $outcome"
    cp "$dir/$id.log" "$LOG_DIR/$row-$id.log"
    if [ "$bad" -le "$DIAG_MAX" ]; then
      diagnose "$id" "$dir/$id.img" "$dir"
      cp "$dir/$id.qemu-log" "$LOG_DIR/$row-$id.qemu-log"
    fi
  done <"$dir/manifest"

  # Keep the whole table of the row, failing or not: offsets, damage, outcome.
  while IFS=$'\t' read -r id offset what refusable; do
    printf '%s\t%s\t%s\n' "$offset" "$what" "$(cat "$dir/$id.outcome")"
  done <"$dir/manifest" >"$LOG_DIR/$row.txt"

  local figures="$boots boots, $halted halted with a message, $intact booted intact"
  [ "$refused" -gt 0 ] && figures+=", $refused refused by QEMU (a setup header QEMU checks)"
  figures+=", $hung hung"
  [ "$bad" -gt "$hung" ] && figures+=", $((bad - hung)) reset, failed or refused otherwise"
  report "$row" "$bad" "$figures$offenders"
}

# report ROW BAD TEXT: one row, PASS when BAD is 0.
report() {
  if [ "$2" -eq 0 ]; then
    echo "PASS $1: $3"
    passed=$((passed + 1))
  else
    echo "FAIL $1: $3"
    failed=$((failed + 1))
  fi
}

for kernel in test32 test64; do
  if [ ! -f "$KERNELS_DIR/$kernel.elf" ]; then
    echo "run.sh: no $KERNELS_DIR/$kernel.elf (make test-kernels)" >&2
    exit 2
  fi
  for kind in part5 landmarks params header truncate; do
    sweep "sweep-$kernel-$kind" "$KERNELS_DIR/$kernel.elf" "$kind"
  done
done
if [ -f "$KERNELS_DIR/test32-low.elf" ]; then
  sweep sweep-test32-low-part5 "$KERNELS_DIR/test32-low.elf" part5
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
