#!/usr/bin/env bash
# Kernels in every form `bzelf build` takes (tools/kernel-input.h), each
# built into an image that must be byte-identical to the image of the
# plain kernel ELF, and booted under QEMU -kernel:
#   compressed-<kernel>-<method>  test32/test64 compressed by gzip, xz,
#       zstd or bzip2 as a user would; `bzelf info` names the method;
#   bzimage-test64-<method>  a bzImage as Linux's build makes one, in each
#       of Linux's methods (gzip, bzip2, lzma, xz, lzo, lz4, zstd, with
#       Linux's options), from the image of test64: its payload the ELF
#       and 64 KiB standing in for Linux's relocation table, compressed,
#       the length appended (make-bzimage.py); `bzelf info` names the
#       protocol and method and finds the 64 KiB after the ELF; the xz and
#       lz4 ones are booted;
#   rewrap-test64  a bzelf image wrapped again: with the same options the
#       same image; with another built-in command line, the kernel gets it.
# Debian's own vmlinuz is rewrapped by tests/linux/run.sh.
#
# Environment (all optional): those of tests/lib.sh, and
#   TIMEOUT  seconds allowed per boot  (60)
# Output and exit status: tests/lib.sh.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
TIMEOUT=${TIMEOUT:-60}
HERE=$ROOT/tests/inputs

require "$BZELF" "$QEMU" python3 timeout cmp gzip xz zstd bzip2 lzma lzop lz4
require_kernels test32 test64
kernel_statuses
make_work inputs

# boot_image NAME IMAGE: boots IMAGE with a fresh command line and initrd
# and adds to reasons what the kernel's report gets wrong.
boot_image() {
  local cmdline expected
  cmdline="console=ttyS0 bzelf.test=$1 token=$(token)"
  expected=$(make_initrd "$WORK/$1.initrd")
  boot "$1" "$TIMEOUT" -m 128 -kernel "$2" -append "$cmdline" -initrd "$WORK/$1.initrd"
  kernel_report "$1" "$cmdline" "$expected"
}

# same_image IMAGE PLAIN: adds a reason unless IMAGE is PLAIN byte for byte.
same_image() {
  if ! cmp -s "$1" "$2"; then
    reasons+="$(basename "$1") differs from the image of the plain ELF: $(cmp "$1" "$2" 2>&1 | head -n 1); "
  fi
}

# The plain images every other one must equal.
for k in test32 test64; do
  bzelf_build "$WORK/$k.build" "$KERNELS_DIR/$k.elf" "$WORK/$k.img" \
    --cmdline "$BUILTIN_CMDLINE" >"$WORK/$k.why" || {
    fail "plain-$k" "$(cat "$WORK/$k.why")"
    finish
    exit 1
  }
done

# --- compressed ELF kernels ---------------------------------------------------
for k in test32 test64; do
  for method in gzip:gz xz:xz zstd:zst bzip2:bz2; do
    tool=${method%:*}
    name=compressed-$k-$tool
    selected "$name" || continue
    reasons=
    input=$WORK/$k.elf.${method#*:}
    "$tool" -c <"$KERNELS_DIR/$k.elf" >"$input"
    build_image "$name" "$WORK/$name.img" "$input" --cmdline "$BUILTIN_CMDLINE" || continue
    same_image "$WORK/$name.img" "$WORK/$k.img"
    info_is "$input" input.description "$tool-compressed ELF kernel"
    boot_image "$name" "$WORK/$name.img"
    judge "$name"
  done
done

# --- bzImages as Linux's build makes them -----------------------------------
# Linux's commands for each method (scripts/Makefile.lib, cmd_*_with_size;
# scripts/xz_wrap.sh for x86).
declare -A linux_tool=(
  [gzip]="gzip -n -9"
  [bzip2]="bzip2 -9"
  [lzma]="lzma -9"
  [xz]="xz --check=crc32 --x86 --lzma2=dict=32MiB"
  [lzo]="lzop -9"
  [lz4]="lz4 -l -9 -q"
  [zstd]="zstd -22 --ultra -q"
)
relocs=65536
content=$WORK/test64.content
{ cat "$KERNELS_DIR/test64.elf"; head -c "$relocs" /dev/urandom; } >"$content"
for method in gzip bzip2 lzma xz lzo lz4 zstd; do
  name=bzimage-test64-$method
  selected "$name" || continue
  reasons=
  # shellcheck disable=SC2086 # the command and its options
  ${linux_tool[$method]} -c <"$content" >"$WORK/$name.payload"
  if ! python3 "$HERE/make-bzimage.py" "$WORK/test64.img" "$WORK/$name.payload" \
    "$(wc -c <"$content")" "$WORK/$name.bzImage" 2>"$WORK/$name.why"; then
    fail "$name" "make-bzimage.py: $(oneline "$WORK/$name.why")"
    continue
  fi
  info_is "$WORK/$name.bzImage" input.description "Linux bzImage, protocol 2.15, $method payload"
  info_is "$WORK/$name.bzImage" payload.kernel.trailing_bytes "$relocs"
  build_image "$name" "$WORK/$name.img" "$WORK/$name.bzImage" --cmdline "$BUILTIN_CMDLINE" || continue
  same_image "$WORK/$name.img" "$WORK/test64.img"
  case $method in
    xz | lz4) boot_image "$name" "$WORK/$name.img" ;;
  esac
  judge "$name"
done

# --- a bzelf image, wrapped again --------------------------------------------
name=rewrap-test64
if selected "$name"; then
  reasons=
  info_is "$WORK/test64.img" input.description "bzelf image, protocol 2.15, gzip payload"
  if build_image "$name" "$WORK/$name.same" "$WORK/test64.img" --cmdline "$BUILTIN_CMDLINE" &&
    build_image "$name" "$WORK/$name.img" "$WORK/test64.img" --cmdline "console=ttyS0 rewrapped"; then
    same_image "$WORK/$name.same" "$WORK/test64.img"
    # No -append: the new built-in command line must arrive.
    boot "$name" "$TIMEOUT" -m 128 -kernel "$WORK/$name.img"
    kernel_report "$name" "console=ttyS0 rewrapped" "bzelf-test: initrd: none"
    judge "$name"
  fi
fi

finish
