#!/usr/bin/env bash
# Corruption sweep (issue 6): damaged images of the test kernels, booted
# under QEMU -kernel. Every boot must end one of two ways:
#   - the setup or the stage stops with its one line, "bzelf: <what>:
#     <detail> -- System halted" (QEMU is stopped as soon as the line
#     appears), or
#   - the damage did not matter and the kernel boots intact: it verifies
#     its own data and prints "bzelf-test: PASS" (tests/kernels/README.md).
# A boot that hangs without the line, resets (a triple fault: -no-reboot
# turns it into QEMU exiting with status 0), or reaches a kernel that
# reports FAIL is a failure. QEMU refusing the image itself (its own error,
# exit status 1) is accepted only where damage.py says QEMU checks that
# damage before it boots anything. Where damage.py names the check that
# must catch a damage (every field of the parameter block), the boot must
# halt with that check's line and nothing else.
#
# A row proves something only if damage happened and was caught: every
# damaged copy must differ from the good file, and the row must see each
# of the halts its kind of damage is there to provoke (required_halts) at
# least once; a damage.py that damaged nothing, or a check that never
# fires, fails the row.
#
# Rows, one per image and kind of damage (damage.py says what each does):
#   sweep-<kernel>-part5     one byte in every 4 KiB block of part 5
#   sweep-<kernel>-landmarks one byte at each edge of part 5's pieces
#   sweep-<kernel>-params    each field of the stage parameter block, part
#                            5 booted alone (PVH), so that the stage's own
#                            check, not the setup's, meets the damage
#   sweep-<kernel>-header    setup header fields
#   sweep-<kernel>-truncate  the image cut short at several points
# for test32 and test64, and the part5 sweep again for test32-low (the
# stage moves itself out of that kernel's way before it inflates it).
#
# Environment (all optional): those of tests/lib.sh, and
#   TIMEOUT      seconds one boot may take      (5; an intact boot takes
#                well under one)
#   JOBS         boots run at a time            (2)
#   DIAG_MAX     offending boots per row run again for a QEMU trace (2)
#   DIAG_SECONDS how long such a run goes before the monitor looks (2)
#
# Output: one "PASS <row>: <figures>" or "FAIL <row>: <figures>; <offenders>"
# line per row, then "<N> passed, <M> failed" last. LOG_DIR/<row>.txt
# keeps every boot of the row (offset, damage, outcome); for every
# offending boot LOG_DIR/<row>-<id>.log keeps its serial output, and for
# the first DIAG_MAX of a row <row>-<id>.qemu-log what QEMU's -d
# int,cpu_reset and its monitor saw on a second run (diagnose in
# tests/lib.sh). Exit status as in tests/lib.sh.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
TIMEOUT=${TIMEOUT:-5}
JOBS=${JOBS:-2}
DIAG_MAX=${DIAG_MAX:-2}
POLL=0.05
DAMAGE=$ROOT/tests/sweep/damage.py
# The setup's and the stage's last words (DESIGN.md, "Decompressor", step 6).
STAGE_HALTED='^bzelf: .* -- System halted$'
# The setup's check of part 5 before it jumps there (boot/verify-stage.cpp).
SETUP_CHECK='^bzelf: setup: protected-mode part missing or damaged at code32_start \(checksum mismatch\) -- System halted$'
# The stage's checks of the payload (compressed/elf-load.cpp).
PAYLOAD_CHECK='^bzelf: payload: .* -- System halted$'

require "$BZELF" "$QEMU" python3 timeout
kernel_statuses
make_work sweep

# boot_damaged ROW ID: boots the damaged image ID of ROW and writes how
# the boot ended (outcome in tests/lib.sh) to WORK/ROW/ID.outcome.
boot_damaged() {
  boot "$1/$2" "$TIMEOUT" -m 128 -kernel "$WORK/$1/$2.img"
  outcome "$1/$2" >"$WORK/$1/$2.outcome"
}

# required_halts KIND: the halts (extended regular expressions, one a
# line) that a row of KIND must each see at least once, because its damage
# is there to provoke them.
required_halts() {
  case $1 in
    # Most of part 5 is the stage, which the setup checks, and the
    # payload, which the stage checks.
    part5 | landmarks) printf '%s\n' "$SETUP_CHECK" "$PAYLOAD_CHECK" ;;
    # Each damage has its own expected line (damage.py); most fields are
    # the checksum's alone to catch.
    params) printf '%s\n' '^bzelf: image: boot stage checksum mismatch' ;;
    # The header fields the setup itself checks.
    header) printf '%s\n' '^bzelf: setup: setup header damaged' ;;
    # A part 5 cut short inside the stage: the setup's check.
    truncate) printf '%s\n' "$SETUP_CHECK" ;;
  esac
}

# sweep ROW KERNEL KIND: builds KERNEL into an image, damages it the KIND
# way (damage.py), boots every damaged copy JOBS at a time and reports
# one row.
sweep() {
  local row=$1 kernel=$2 kind=$3 dir=$WORK/$1
  mkdir -p "$dir"
  rm -f "$LOG_DIR/$row".txt "$LOG_DIR/$row"-*.log "$LOG_DIR/$row"-*.qemu-log
  build_image "$row" "$dir/image" "$kernel" --cmdline "console=ttyS0" || return
  if ! python3 "$DAMAGE" "$dir/image" "$dir" "$kind" >"$dir/manifest" 2>"$dir/damage.err"; then
    fail "$row" "damage.py failed: $(oneline "$dir/damage.err")"
    return
  fi

  local id offset what refusable expect
  while IFS=$'\t' read -r id offset what refusable expect; do
    wait_for_slot
    boot_damaged "$row" "$id" &
  done <"$dir/manifest"
  wait

  local boots=0 halted=0 intact=0 hung=0 refused=0 undamaged=0 wrong=0 bad=0 outcome
  local offenders=""
  while IFS=$'\t' read -r id offset what refusable expect; do
    boots=$((boots + 1))
    outcome=$(cat "$dir/$id.outcome")
    if cmp -s "$dir/good.img" "$dir/$id.img"; then
      undamaged=$((undamaged + 1))
      outcome="not damaged: the same bytes as the good file"
    elif [ "$expect" != - ]; then
      # Only the check damage.py names may stop this boot.
      if grep -aqE -e "$expect" <<<"${outcome#halted }" && [ "${outcome%% *}" = halted ]; then
        halted=$((halted + 1))
        continue
      fi
      wrong=$((wrong + 1))
      outcome="$outcome; expected a halt matching '$expect'"
    else
      case $outcome in
        halted\ *)
          if grep -aqE "$STAGE_HALTED" <<<"${outcome#halted }"; then
            halted=$((halted + 1))
            continue
          fi
          ;;
        intact) intact=$((intact + 1)); continue ;;
        qemu-error\ 1\ *)
          if [ "$refusable" = 1 ]; then
            refused=$((refused + 1))
            continue
          fi
          ;;
        hung*) hung=$((hung + 1)) ;;
      esac
    fi
    bad=$((bad + 1))
    offenders+="; $offset $what: $outcome"
    cp "$dir/$id.log" "$LOG_DIR/$row-$id.log"
    if [ "$bad" -le "$DIAG_MAX" ]; then
      diagnose "$row/$id" -m 128 -kernel "$dir/$id.img"
      cp "$dir/$id.qemu-log" "$LOG_DIR/$row-$id.qemu-log"
    fi
  done <"$dir/manifest"

  # Keep the whole table of the row, failing or not: offsets, damage, outcome.
  while IFS=$'\t' read -r id offset what refusable expect; do
    printf '%s\t%s\t%s\n' "$offset" "$what" "$(cat "$dir/$id.outcome")"
  done <"$dir/manifest" >"$LOG_DIR/$row.txt"

  # The row as a whole: boots at all, and each halt it is there to provoke.
  local missing="" required
  [ "$boots" -gt 0 ] || missing+="; damage.py wrote no damaged copies"
  while read -r required; do
    if ! cut -f3 "$LOG_DIR/$row.txt" | sed -n 's/^halted //p' | grep -aqE -e "$required"; then
      missing+="; no boot halted with a line matching '$required'"
    fi
  done < <(required_halts "$kind")

  local figures="$boots boots, $halted halted with a message, $intact booted intact"
  [ "$refused" -gt 0 ] && figures+=", $refused refused by QEMU (a setup header QEMU checks)"
  figures+=", $hung hung"
  [ "$undamaged" -gt 0 ] && figures+=", $undamaged not damaged at all"
  [ "$wrong" -gt 0 ] && figures+=", $wrong not stopped by the check damage.py names"
  local other=$((bad - hung - undamaged - wrong))
  [ "$other" -gt 0 ] && figures+=", $other reset, failed or refused otherwise"
  if [ "$bad" -eq 0 ] && [ -z "$missing" ]; then
    pass "$row" "$figures"
  else
    fail "$row" "$figures$missing$offenders"
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

finish
