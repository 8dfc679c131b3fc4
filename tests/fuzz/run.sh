#!/usr/bin/env bash
# Replays every fuzz input we keep through the fuzz targets, built without
# libFuzzer but with AddressSanitizer and UBSan (tests/fuzz/build.mk): the
# committed corpus (tests/fuzz/corpus/<target>/), the inputs that once
# found a bug (tests/fuzz/regressions/<target>/) and the generated seeds
# ($FUZZ_DIR/seeds/<target>/). Fuzzing itself is `make fuzz`.
#
# Environment (optional): FUZZ_DIR, where build.mk put the binaries
# (build/fuzz). Output and exit status: tests/lib.sh, one test per target,
# replay-<target>.
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

for t in $TARGETS; do
  bin="$FUZZ_DIR/replay-$t"
  if [ ! -x "$bin" ]; then
    fail "replay-$t" "$bin not built"
    continue
  fi
  "$bin" "$ROOT/tests/fuzz/corpus/$t" "$ROOT/tests/fuzz/regressions/$t" \
    "$FUZZ_DIR/seeds/$t" > /dev/null 2> "$LOG"
  status=$?
  count=$(sed -n 's/^replay: \([0-9]*\) inputs$/\1/p' "$LOG")
  if [ "$status" -eq 0 ] && [ -n "$count" ]; then
    pass "replay-$t" "$count inputs"
  else
    # The input that failed is the last one named before the report.
    input=$(grep '^replay: /' "$LOG" | tail -1 | sed 's/^replay: //')
    report=$(grep -m1 'ERROR: AddressSanitizer\|runtime error\|-fuzz: ' "$LOG")
    fail "replay-$t" "status $status on $input: ${report:-see below}"
    grep -v '^replay: /' "$LOG" | head -30
  fi
done

finish
