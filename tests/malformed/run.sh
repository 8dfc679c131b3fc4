#!/usr/bin/env bash
# Feeds `bzelf` malformed kernels and images, generated at test time by
# make-corpus.py: `bzelf build` and `bzelf info` on broken kernel ELFs,
# `bzelf info` and `bzelf extract` on broken images, and files that are
# missing or cannot be written. For each, the tool must (DESIGN.md, "Host
# tool"):
#   - exit with a status from 1 to 127 (an error, not a signal),
#   - print exactly one line on stderr, "bzelf: <file>: <problem>", naming
#     the input (or the output it could not write),
#   - leave nothing behind in the output directory: no image, no temporary.
# It runs with a 1 GiB address-space limit, so taking an absurd size at its
# word (a 4 GiB ISIZE) fails the test instead of swapping.
#
# Every case runs through $BZELF and, when it has been built, through
# $BZELF_ASAN (the tool under AddressSanitizer and UBSan, tests/fuzz/build.mk),
# which turns a silent out-of-bounds read into a failure.
#
# Environment (optional): BZELF (build/bin/bzelf), BZELF_ASAN
# (build/fuzz/bzelf-asan). Output and exit status: tests/lib.sh.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
BZELF_ASAN=${BZELF_ASAN:-$ROOT/build/fuzz/bzelf-asan}
GEN="$ROOT/tests/malformed/make-corpus.py"

require "$BZELF" python3
tools=("$BZELF")
[ -x "$BZELF_ASAN" ] && tools+=("$BZELF_ASAN")

make_work malformed
mkdir -p "$WORK/kernels" "$WORK/images" "$WORK/out" || exit 2

# ASan reserves terabytes of address space: it gets no limit, but a cap on
# any single allocation instead.
export ASAN_OPTIONS=max_allocation_size_mb=1024:allocator_may_return_null=0:detect_leaks=0
export UBSAN_OPTIONS=print_stacktrace=1

# run TOOL ARGS...: runs one bzelf in $WORK/out, stderr to $WORK/err;
# sets $status.
run() {
  local tool=$1
  shift
  if [ "$tool" = "$BZELF" ]; then
    (ulimit -v 1048576; cd "$WORK/out" && exec "$tool" "$@") >/dev/null 2>"$WORK/err"
  else
    (cd "$WORK/out" && exec "$tool" "$@") >/dev/null 2>"$WORK/err"
  fi
  status=$?
}

# expect_error NAME FILE ARGS...: every tool must fail on ARGS as described
# above, naming FILE; the output directory must stay empty.
expect_error() {
  local name=$1 file=$2 tool why=""
  shift 2
  for tool in "${tools[@]}"; do
    rm -rf "$WORK/out" && mkdir -p "$WORK/out"
    run "$tool" "$@"
    local lines label msg
    label=$(basename "$tool")
    lines=$(wc -l < "$WORK/err")
    msg=$(cat "$WORK/err")
    if [ "$status" -eq 0 ]; then
      why="$label: exit status 0"
    elif [ "$status" -ge 128 ]; then
      why="$label: killed by signal $((status - 128)): $(grep -m1 -o 'ERROR: [A-Za-z]*: [a-z-]*\|runtime error: .*' "$WORK/err")"
    elif [ "$lines" -ne 1 ]; then
      why="$label: $lines lines on stderr: $(head -c 300 "$WORK/err" | tr '\n' '|')"
    elif [[ $msg != "bzelf: $file: "?* ]]; then
      why="$label: not 'bzelf: $file: <problem>': $msg"
    elif [ -n "$(ls -A "$WORK/out")" ]; then
      why="$label: left files behind: $(find "$WORK/out" -mindepth 1 -printf '%f ')"
    fi
    [ -n "$why" ] && break
  done
  if [ -n "$why" ]; then
    fail "$name" "$why"
  else
    pass "$name"
  fi
}

# --- kernels -----------------------------------------------------------------
python3 "$GEN" kernels "$WORK/kernels" > "$WORK/kernels.list" || exit 2

# expect_valid NAME FILE: every tool builds FILE silently, extracts the
# image again, and `info` accepts both.
expect_valid() {
  local name=$1 file=$2 tool ok=1
  for tool in "${tools[@]}"; do
    rm -rf "$WORK/out" && mkdir -p "$WORK/out"
    run "$tool" build "$file" -o "$WORK/out/k.img"
    [ "$status" -eq 0 ] && [ ! -s "$WORK/err" ] && [ "$(ls -A "$WORK/out")" = "k.img" ] || ok=0
    [ "$ok" = 1 ] && run "$tool" extract "$WORK/out/k.img" -o "$WORK/out/k.elf"
    [ "$ok" = 1 ] && [ "$status" -eq 0 ] && [ ! -s "$WORK/err" ] || ok=0
    [ "$ok" = 1 ] && run "$tool" info "$WORK/out/k.img"
    [ "$ok" = 1 ] && [ "$status" -eq 0 ] && [ ! -s "$WORK/err" ] || ok=0
    [ "$ok" = 1 ] || break
  done
  if [ "$ok" = 1 ]; then
    pass "$name"
  else
    fail "$name" "$(basename "$tool") fails on a well-formed kernel: status $status: $(head -c 300 "$WORK/err")"
    return 1
  fi
}

# The valid kernels first: the cases below are only worth something if the
# same tools accept a well-formed kernel and round-trip it.
for k in good32 good64; do
  expect_valid "valid-$k" "$WORK/kernels/$k.elf" &&
    cp "$WORK/out/k.img" "$WORK/images/$k.img"
done
[ -f "$WORK/images/good64.img" ] || {
  finish
  exit 1
}

while read -r name file kind; do
  case $kind in
    valid)
      case $name in good*) continue ;; esac
      expect_valid "build-$name" "$file" ;;
    unbuildable)
      expect_error "build-$name" "$file" build "$file" -o "$WORK/out/kernel.img" ;;
    *)
      expect_error "build-$name" "$file" build "$file" -o "$WORK/out/kernel.img"
      expect_error "info-$name" "$file" info "$file" ;;
  esac
done < "$WORK/kernels.list"

# Files that are not there or cannot be written.
good="$WORK/kernels/good64.elf"
expect_error "build-missing-input" "$WORK/missing.elf" build "$WORK/missing.elf" -o "$WORK/out/k.img"
expect_error "info-missing-input" "$WORK/missing.img" info "$WORK/missing.img"
expect_error "extract-missing-input" "$WORK/missing.img" extract "$WORK/missing.img" -o "$WORK/out/k.elf"
expect_error "build-input-is-a-directory" "$WORK/kernels" build "$WORK/kernels" -o "$WORK/out/k.img"
expect_error "build-output-dir-missing" "$WORK/out/no/such/dir/k.img" build "$good" -o "$WORK/out/no/such/dir/k.img"
touch "$WORK/a-file"
expect_error "build-output-under-a-file" "$WORK/a-file/k.img" build "$good" -o "$WORK/a-file/k.img"
# A read-only directory; root writes anyway, so it gets a procfs directory
# that nobody can create files in.
if [ "$(id -u)" = 0 ]; then
  ro=/proc/self/fdinfo
else
  ro="$WORK/read-only"
  mkdir -p "$ro" && chmod 555 "$ro"
fi
expect_error "build-output-dir-unwritable" "$ro/k.img" build "$good" -o "$ro/k.img"
expect_error "extract-output-dir-unwritable" "$ro/k.elf" extract "$WORK/images/good64.img" -o "$ro/k.elf"

# An output that is a directory: nothing may be left next to it.
mkdir -p "$WORK/out-is-dir/k.img"
run "$BZELF" build "$good" -o "$WORK/out-is-dir/k.img"
if [ "$status" -ge 1 ] && [ "$status" -lt 128 ] && [ "$(wc -l < "$WORK/err")" -eq 1 ] &&
   [ "$(ls -A "$WORK/out-is-dir")" = "k.img" ] && [ -z "$(ls -A "$WORK/out-is-dir/k.img")" ]; then
  pass "build-output-is-a-directory"
else
  fail "build-output-is-a-directory" "status $status, stderr '$(cat "$WORK/err")', left: $(ls -A "$WORK/out-is-dir")"
fi

# A failed build must not touch an existing output file.
printf 'old contents\n' > "$WORK/keep.img"
run "$BZELF" build "$WORK/kernels/et-rel.elf" -o "$WORK/keep.img"
if [ "$status" -ne 0 ] && [ "$(cat "$WORK/keep.img")" = "old contents" ] &&
   [ "$(cd "$WORK" && echo keep.img*)" = "keep.img" ]; then
  pass "build-failure-keeps-old-output"
else
  fail "build-failure-keeps-old-output" "status $status; keep.img: $(head -c 40 "$WORK/keep.img")"
fi

# --- images ------------------------------------------------------------------
python3 "$GEN" images "$WORK/images/good64.img" "$WORK/images" > "$WORK/images.list" || exit 2
while read -r name file; do
  expect_error "info-$name" "$file" info "$file"
  # extract needs only the payload: a bad image CRC alone does not stop it.
  [ "$name" = image-bad-crc ] && continue
  expect_error "extract-$name" "$file" extract "$file" -o "$WORK/out/kernel.elf"
done < "$WORK/images.list"
# A kernel ELF is not an image.
expect_error "extract-kernel-elf" "$good" extract "$good" -o "$WORK/out/kernel.elf"

finish
