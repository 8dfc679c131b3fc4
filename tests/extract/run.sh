#!/bin/sh
# `bzelf extract` as a user runs it, a whole process, on images of the
# test kernels: what it writes must be exactly the ELF that `bzelf build`
# wrapped. zlib, a decoder of its own, reads the image's payload where
# `bzelf info --json` says it is and must inflate it to the same bytes,
# and that ELF must have the input kernel's segments, entry and notes
# (tests/linux/check-payload.py, which the linux suite runs on Debian's
# kernel). Then the same image through a pipe (an input that cannot be
# mapped) and over an existing output file; and to outputs that are not
# files: standard output and a FIFO.
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
  elif ls "$WORK"/test64-spread.out.?????? >/dev/null 2>&1; then
    fail "$name" "a temporary file was left behind"
  else
    pass "$name"
  fi
fi

# Outputs that are not regular files are written to as they are, never
# replaced by a file: standard output ("-") and a FIFO with a reader.
name=extract-stdout
if selected "$name" && [ -f "$WORK/test64-spread.out" ]; then
  if ! "$BZELF" extract "$WORK/test64-spread.img" -o - >"$WORK/stdout.out" 2>"$WORK/stdout.err"; then
    fail "$name" "bzelf extract -o - failed: $(oneline "$WORK/stdout.err")"
  elif ! cmp -s "$WORK/test64-spread.out" "$WORK/stdout.out"; then
    fail "$name" "what -o - wrote differs from the file's extract"
  else
    pass "$name"
  fi
fi
name=extract-fifo
if selected "$name" && [ -f "$WORK/test64-spread.out" ]; then
  mkfifo "$WORK/fifo"
  cat "$WORK/fifo" >"$WORK/fifo.out" &
  reader=$!
  if ! "$BZELF" extract "$WORK/test64-spread.img" -o "$WORK/fifo" 2>"$WORK/fifo.err"; then
    fail "$name" "bzelf extract into a FIFO failed: $(oneline "$WORK/fifo.err")"
    kill "$reader" 2>/dev/null
  elif ! wait "$reader" || ! cmp -s "$WORK/test64-spread.out" "$WORK/fifo.out"; then
    fail "$name" "what the FIFO's reader got differs from the file's extract"
  elif [ ! -p "$WORK/fifo" ]; then
    fail "$name" "the FIFO was replaced by a file"
  else
    pass "$name"
  fi
fi

finish
