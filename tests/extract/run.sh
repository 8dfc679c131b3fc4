#!/bin/sh
# `bzelf extract` as a user runs it, a whole process, on images of the
# test kernels: what it writes must be exactly the ELF that `bzelf build`
# wrapped. zlib, a decoder of its own, reads the image's payload where
# `bzelf info --json` says it is and must inflate it to the same bytes,
# and that ELF must have the input kernel's segments, entry and notes
# (tests/linux/check-payload.py, which the linux suite runs on Debian's
# kernel). Then the same image through a pipe (an input that cannot be
# mapped) and over an existing output file.
#
# Environment: those of tests/lib.sh. Output and exit status: tests/lib.sh.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
CHECK="$ROOT/tests/linux/check-payload.py"

require "$BZELF" python3
kernels="test32 test64 test32-spread test64-spread"
# shellcheck disable=SC2086 # names
require_kernels $kernels
make_work extract

for k in $kernels; do
  name=extract-$k
  selected "$name" || continue
  image=$WORK/$k.img
  build_image "$name" "$image" "$KERNELS_DIR/$k.elf" || continue
  if ! "$BZELF" extract "$image" -o "$WORK/$k.out" 2>"$WORK/$k.err"; then
    fail "$name" "bzelf extract failed: $(oneline "$WORK/$k.err")"
  elif ! python3 "$CHECK" "$image" "$WORK/$k.out" "$KERNELS_DIR/$k.elf" >"$WORK/$k.check" 2>&1; then
    fail "$name" "$(oneline "$WORK/$k.check")"
  else
    pass "$name" "$(cat "$WORK/$k.check")"
  fi
done

# The last image again: read from a pipe, and written over the output of
# the first extract, which must be replaced whole.
name=extract-pipe-over-existing
if selected "$name" && [ -f "$WORK/test64-spread.out" ]; then
  cp "$WORK/test64-spread.out" "$WORK/want"
  head -c 100 /dev/urandom >"$WORK/test64-spread.out"
  # shellcheck disable=SC2002 # a pipe, on purpose
  if ! cat "$WORK/test64-spread.img" |
    "$BZELF" extract /dev/stdin -o "$WORK/test64-spread.out" 2>"$WORK/pipe.err"; then
    fail "$name" "bzelf extract /dev/stdin failed: $(oneline "$WORK/pipe.err")"
  elif ! cmp -s "$WORK/want" "$WORK/test64-spread.out"; then
    fail "$name" "the output differs from the file's extract"
  elif [ -e "$WORK/test64-spread.out.tmp-bzelf" ]; then
    fail "$name" "a temporary file was left behind"
  else
    pass "$name"
  fi
fi

finish
