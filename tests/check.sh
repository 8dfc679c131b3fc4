#!/bin/sh
# Runs every test suite and closes with one line counting them all: the
# GoogleTest unit tests, then each tests/<suite>/run.sh in name order
# (e.g. qemu: the test kernels under QEMU -kernel; linux: Debian's kernel
# through -kernel and PVH). A suite script prints "PASS name" or
# "FAIL name: reason" per test and exits non-zero on any failure. Each
# suite's own lines stay visible; a suite that cannot run counts as a
# failure. Expects `make` to have built everything first (make check does).
set -u
cd "$(dirname "$0")/.."
out=build/test-results
mkdir -p "$out"
total_passed=0
total_failed=0

# count FILE PASS_PATTERN FAIL_PATTERN: adds the matching line counts.
tally() {
  p=$(grep -c "$2" "$1")
  f=$(grep -c "$3" "$1")
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
}

suite() { # NAME COMMAND...
  name=$1
  shift
  echo "== $name"
  "$@" > "$out/$name.txt" 2>&1
  status=$?
  cat "$out/$name.txt"
  if [ "$status" -ne 0 ] && ! grep -q '^FAIL \|^\[  FAILED  \] [A-Za-z]' "$out/$name.txt"; then
    echo "FAIL $name: suite exited with status $status" | tee -a "$out/$name.txt"
  fi
}

# gtest_suite NAME COMMAND...: a GoogleTest run. gtest prints one
# "[  FAILED  ] Suite.Test" per failure; passes are the tests run minus
# those (and minus the skipped).
gtest_suite() {
  name=$1
  suite "$@"
  run=$(sed -n 's/^\[==========\] \([0-9]*\) tests\{0,1\} from .* ran.*/\1/p' "$out/$name.txt")
  unit_failed=$(grep -c '^\[  FAILED  \] [A-Za-z]' "$out/$name.txt")
  unit_skipped=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) tests\{0,1\},.*/\1/p' "$out/$name.txt")
  total_passed=$((total_passed + ${run:-0} - unit_failed - ${unit_skipped:-0}))
  total_failed=$((total_failed + unit_failed + $(grep -c "^FAIL $name:" "$out/$name.txt")))
}

gtest_suite unit build/bin/unit-tests --gtest_brief=1
# The host's InflateRaw is built twice, for plain x86-64 and for x86-64
# with BMI and BMI2, and picks one for the CPU at run time
# (lib/inflate-host.cpp); on a CPU with both the run above tests only that
# build. The decoder's tests again on QEMU's qemu64 CPU, which has neither,
# test the other.
gtest_suite unit-no-bmi2 qemu-x86_64 -cpu qemu64 build/bin/unit-tests --gtest_brief=1 \
  --gtest_filter='Inflate*:InflateRobust*:Zlib*:ZlibStored*:Gzip*:Crc32*'

for script in tests/*/run.sh; do
  name=$(basename "$(dirname "$script")")
  suite "$name" "./$script"
  tally "$out/$name.txt" '^PASS ' '^FAIL '
done

echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
