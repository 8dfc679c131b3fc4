#!/usr/bin/env bash
# Replays every fuzz input we keep through the fuzz targets, built without
# libFuzzer but with AddressSanitizer and UBSan (tests/fuzz/build.mk): the
# committed corpus (tests/fuzz/corpus/<target>/), the inputs that once
# found a bug (tests/fuzz/regressions/<target>/) and the generated seeds
# ($FUZZ_DIR/seeds/<target>/). Fuzzing itself is `make fuzz`.
#
# The inflate inputs go once more through replay-inflate-32, the boot
# stage's own 32-bit decoder object (both of its entries) against zlib;
# under qemu-i386 where the kernel cannot execute 32-bit programs.
#
# Environment (optional): FUZZ_DIR, where build.mk put the binaries
# (build/fuzz). Output and exit status: tests/lib.sh, one test per target,
# replay-<target>, and replay-inflate-32.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
FUZZ_DIR=${FUZZ_DIR:-$ROOT/build/fuzz}
TARGETS="inflate kernel image"

# A single allocation over 1 GiB is a finding (an ISIZE of 4 GiB taken at
# its word), as libFuzzer's -malloc_limit_mb makes it when fuzzing.
export ASAN_OPTIONS=max_allocation_size_mb=1024:allocator_may_return_null=0:detect_leaks=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# Keep every report of the image target visible (image-fuzz.cpp).
export IMAGE_FUZZ_VERBOSE=1

make_work fuzz
LOG=$WORK/replay.log

# replay NAME TARGET COMMAND...: COMMAND with every input of TARGET.
replay() {
  local name=$1 t=$2
  selected "$name" || return 0
  shift 2
  "$@" "$ROOT/tests/fuzz/corpus/$t" "$ROOT/tests/fuzz/regressions/$t" \
    "$FUZZ_DIR/seeds/$t" > /dev/null 2> "$LOG"
  local status=$?
  local count
  count=$(sed -n 's/^replay: \([0-9]*\) inputs$/\1/p' "$LOG")
  if [ "$status" -eq 0 ] && [ -n "$count" ]; then
    pass "$name" "$count inputs"
  else
    # The input that failed is the last one named before the report.
    local input report
    input=$(grep '^replay: /' "$LOG" | tail -1 | sed 's/^replay: //')
    report=$(grep -m1 'ERROR: AddressSanitizer\|runtime error\|-fuzz: ' "$LOG")
    fail "$name" "status $status on $input: ${report:-see below}"
    grep -v '^replay: /' "$LOG" | head -30
  fi
}

for t in $TARGETS; do
  bin="$FUZZ_DIR/replay-$t"
  if [ ! -x "$bin" ]; then
    fail "replay-$t" "$bin not built"
    continue
  fi
  replay "replay-$t" "$t" "$bin"
done

bin32="$FUZZ_DIR/replay-inflate-32"
if [ ! -x "$bin32" ]; then
  fail replay-inflate-32 "$bin32 not built"
else
  # With no arguments it replays nothing and exits 0; 126 is the kernel
  # refusing a 32-bit program. qemu-i386's "max" CPU has SSE2, which
  # InflateRawSse2 needs.
  status=0
  "$bin32" > /dev/null 2>&1 || status=$?
  if [ "$status" -eq 126 ]; then
    replay replay-inflate-32 inflate qemu-i386 -cpu max "$bin32"
  else
    replay replay-inflate-32 inflate "$bin32"
  fi
fi

finish
