#!/usr/bin/env bash
# Memory detection on a BIOS without INT 15h E820h, and without E801h
# either (boot/e820.cpp: E820, then E801, then AH=88h; the planner's
# fallback in lib/e820-map.cpp, E820Map::SetBase), on the "MBR (direct)"
# path of DESIGN.md: the real-mode setup asks the BIOS itself.
#
# SeaBIOS has all three, so the BIOS boots a chain-loader first
# (int15-hook-chainload.S, built by build.mk, on the first disk): it hooks
# INT 15h so that the hidden services fail as on a BIOS without them,
# says so ("int15-hook: hidden: ..."), and boots the image on the second
# disk. The test kernel gets "bzelf.test.no-e820" on its command line,
# which makes it require an empty E820 table and check that it lies in
# the map Linux makes from the older sizes (tests/kernels,
# memory-map-checks.cpp); it prints both sizes, which this suite compares
# with what SeaBIOS's own E820 map (on its debug console, port 0x402, as
# tests/qemu reads it) makes them: E801 counts the RAM from 1 MiB up to
# the first range that is not RAM (SeaBIOS keeps the top 128 KiB of RAM
# below 4 GiB for its tables: 129920 KiB at -m 128), AH=88h the same up
# to 63 MiB (0xFC00 KiB, its 16-bit count's limit as SeaBIOS caps it).
#
# Rows (test32 and test64 each):
#   int15-no-e820-<kernel>       E820 hidden: alt_mem_k from E801
#   int15-no-e820-e801-<kernel>  E820 and E801 hidden: alt_mem_k 0,
#                                ext_mem_k from AH=88h (63 MiB)
# Each kernel must pass, see its command line and no initrd, with the
# hook's line before the kernel's first; what the hook saw INT 15h answer
# ("int15-hook: E801h: ...", tests/lib.sh legacy_sizes) must agree with
# SeaBIOS's map too.
#
# Environment (all optional): those of tests/lib.sh, and
#   INT15_DIR    the built hooks                (build/int15)
#   TIMEOUT      seconds allowed per boot       (20)
#
# Output and exit status: tests/lib.sh.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
INT15_DIR=${INT15_DIR:-$ROOT/build/int15}
TIMEOUT=${TIMEOUT:-20}
MEMORY_MB=128

require "$BZELF" "$QEMU" timeout truncate
for hook in no-e820 no-e820-e801; do
  if [ ! -f "$INT15_DIR/int15-$hook.bin" ]; then
    echo "run.sh: no $INT15_DIR/int15-$hook.bin (make test-deps)" >&2
    exit 2
  fi
done
require_kernels test32 test64
kernel_statuses
make_work int15

# bios_sizes NAME: E801 and AH=88h's sizes in KiB, from SeaBIOS's E820
# map on NAME's debug console: its RAM entry from 1 MiB, which ends at
# the first hole, and that capped at 63 MiB. Nothing when there is no such
# entry.
bios_sizes() {
  local end
  end=$(sed -n 's/^ *[0-9]*: 0*100000 - \([0-9a-f]*\) = 1 .*/\1/p' "$WORK/$1.seabios" | tail -n 1)
  [ -n "$end" ] || return 0
  local k=$(((0x$end - 0x100000) / 1024))
  echo "$k $((k > 63 * 1024 ? 63 * 1024 : k))"
}

# hook_row NAME HOOK KERNEL: KERNEL's image behind the hook
# int15-HOOK.bin; the kernel must report alt_mem_k as E801 gives it, or 0
# when HOOK hides E801, and ext_mem_k as AH=88h gives it.
hook_row() {
  local name=$1 hook=$2 kernel=$3 img=$WORK/$1.img chain=$WORK/$1.chain reasons=""
  local cmdline="$BUILTIN_CMDLINE bzelf.test.no-e820" hook_at first_at sizes e801_k ah88_k
  selected "$name" || return 0
  build_image "$name" "$img" "$KERNELS_DIR/$kernel.elf" --cmdline "$cmdline" || return
  cp "$INT15_DIR/int15-$hook.bin" "$chain"
  truncate -s 1M "$chain"
  boot "$name" "$TIMEOUT" -m "$MEMORY_MB" -boot c \
    -drive "file=$chain,format=raw,if=ide,index=0" \
    -drive "file=$img,format=raw,if=ide,index=1" \
    -chardev "file,id=seabios,path=$WORK/$name.seabios" \
    -device isa-debugcon,iobase=0x402,chardev=seabios
  sizes=$(bios_sizes "$name")
  read -r e801_k ah88_k <<<"$sizes"
  [[ $hook == *e801* ]] && e801_k=0
  # What the hook saw INT 15h answer must agree (tests/lib.sh).
  if [ -n "$sizes" ] && [ "$(legacy_sizes "$name")" != "$e801_k $ah88_k" ]; then
    reasons+="the hook's E801h/88h lines ($(legacy_sizes "$name")) are not SeaBIOS's map's $e801_k $ah88_k; "
  fi
  hook_at=$(grep -n -m1 '^int15-hook: hidden: ' "$WORK/$name.log" | cut -d: -f1)
  first_at=$(grep -n -m1 '^bzelf-test: ' "$WORK/$name.log" | cut -d: -f1)
  if [ -z "$hook_at" ] || { [ -n "$first_at" ] && [ "$first_at" -lt "$hook_at" ]; }; then
    reasons+="no 'int15-hook: hidden:' line before the kernel's, so the boot proves nothing; "
  else
    kernel_report "$name" "$cmdline" 'bzelf-test: initrd: none'
  fi
  if [ -z "$sizes" ]; then
    reasons+="SeaBIOS printed no E820 RAM entry from 1 MiB; "
  elif [ -n "$first_at" ]; then
    grep -qx "bzelf-test: e801: alt_mem_k=$e801_k" "$WORK/$name.log" ||
      reasons+="alt_mem_k is not $e801_k ($(grep -m1 '^bzelf-test: e801: ' "$WORK/$name.log")); "
    grep -qx "bzelf-test: 88h: ext_mem_k=$ah88_k" "$WORK/$name.log" ||
      reasons+="ext_mem_k is not $ah88_k ($(grep -m1 '^bzelf-test: 88h: ' "$WORK/$name.log")); "
  fi
  judge "$name"
}

for kernel in test32 test64; do
  hook_row "int15-no-e820-$kernel" no-e820 "$kernel"
  hook_row "int15-no-e820-e801-$kernel" no-e820-e801 "$kernel"
done

finish
