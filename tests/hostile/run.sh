#!/usr/bin/env bash
# Hostile layouts and memory (issue 6): kernels whose segments lie over
# what the loader handed over (boot_params, the command line, the initrd),
# over the stage itself, in memory holes or past the end of RAM, and
# kernels too big for the machine, booted through QEMU -kernel. Each row
# says what must happen:
#   refused  the stage stops with its one line, "bzelf: <what>: <detail>
#            -- System halted", and the line names the problem (a pattern
#            per row); the kernel never runs. QEMU is stopped as soon as
#            the line appears.
#   boots    the right answer is to get out of the way (the stage moves
#            itself) or the layout is fine on a machine that size: the
#            kernel runs and prints "bzelf-test: PASS". These rows also
#            show that the refused kernels are good kernels.
# A hang, a reset (a triple fault: -no-reboot makes QEMU exit with status
# 0), a kernel that reports FAIL, or a refusal with a message that does not
# name the problem fails the row.
#
# The SETUP_E820_EXT rows boot test32 through e820-loader.elf (this
# folder, built by build.mk): a 32-bit boot-protocol loader, itself booted
# by QEMU as a multiboot kernel, that gives the stage a memory map with
# entries in a SETUP_E820_EXT setup_data node (e820-loader.cpp says how
# each mode lays it out).
#
# The kernels are the hostile-*.elf of tests/kernels/build.mk, test32-low
# (also through PVH: QEMU -kernel on the stage ELF alone), test64, and
# Debian's x86_64 kernel (tests/linux/fetch-kernel.sh; fetched
# into build/linux/kernel when it is not there yet).
#
# Environment (all optional): those of tests/lib.sh, and
#   E820_LOADER  the SETUP_E820_EXT loader      (build/hostile/e820-loader.elf)
#   TIMEOUT      seconds one boot may take      (30)
#
# Output: "PASS <row>: <what happened>" or "FAIL <row>: <reason>" per row
# (a failed row keeps its serial log as LOG_DIR/hostile-<row>.log and what
# QEMU's -d int,cpu_reset and its monitor saw on a second run as
# .qemu-log), then "<N> passed, <M> failed" last; exit status as in
# tests/lib.sh.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
E820_LOADER=${E820_LOADER:-$ROOT/build/hostile/e820-loader.elf}
TIMEOUT=${TIMEOUT:-30}
LOG_PREFIX=hostile-
POLL=0.1
STAGE_HALTED='^bzelf: [a-z0-9_ -]+: .* -- System halted$'
# What the stage says about a range that is not usable RAM, and about a
# range over something it must keep (lib/memory-plan.cpp).
NOT_RAM='is not RAM in the E820 map'
SEGMENT='kernel segment [0-9]+ at 0x[0-9a-f]+-0x[0-9a-f]+'

require "$BZELF" "$QEMU" timeout
kernel_statuses
make_work hostile

# image KERNEL: builds KERNEL once; prints the image's path, or nothing
# (and leaves the tool's words in WORK/<kernel>.build) when it fails.
image() {
  local name
  name=$(basename "$1" .elf)
  if [ ! -f "$WORK/$name.img" ]; then
    "$BZELF" build "$1" -o "$WORK/$name.img" >"$WORK/$name.build" 2>&1 || return
  fi
  echo "$WORK/$name.img"
}

# row NAME KERNEL MEMORY EXPECT [-initrd SIZE_KIB] [-append CMDLINE]
#     [-pvh x] [-e820-loader MODE]: boots KERNEL's image (with -pvh, its
# stage ELF; with -e820-loader, through E820_LOADER in MODE) with
# -m MEMORY. EXPECT is "boots", or "refused:" and an extended regular
# expression the stage's line must match.
row() {
  local name=$1 kernel=$2 memory=$3 expect=$4 img what line pvh="" loader=""
  selected "$name" || return 0
  shift 4
  local -a args=(-m "$memory")
  while [ $# -gt 0 ]; do
    case $1 in
      -pvh) pvh=1 ;;
      -e820-loader) loader=$2 ;;
      -initrd)
        head -c $(($2 * 1024)) /dev/urandom >"$WORK/$name.initrd"
        args+=(-initrd "$WORK/$name.initrd")
        ;;
      -append) args+=(-append "$2") ;;
    esac
    shift 2
  done
  if [ ! -f "$kernel" ]; then
    fail "$name" "no $kernel (make test-kernels)"
    return
  fi
  img=$(image "$kernel")
  if [ -z "$img" ]; then
    fail "$name" "bzelf build failed: $(oneline "$WORK/$(basename "$kernel" .elf).build")"
    return
  fi
  if [ -n "$pvh" ]; then
    stage_elf "$img" "${img%.img}.stage.elf"
    img=${img%.img}.stage.elf
  fi
  if [ -n "$loader" ]; then
    if [ ! -f "$E820_LOADER" ]; then
      fail "$name" "no $E820_LOADER (make $E820_LOADER)"
      return
    fi
    # QEMU's multiboot loader: the image is the module, MODE the command line.
    args+=(-initrd "$img" -append "$loader")
    img=$E820_LOADER
  fi
  args+=(-kernel "$img")

  boot "$name" "$TIMEOUT" "${args[@]}"
  what=$(outcome "$name")
  case $expect in
    boots)
      if [ "$what" = intact ]; then
        pass "$name" "the kernel booted and passed (-m $memory)"
      else
        diagnose "$name" "${args[@]}"
        fail "$name" "should boot (-m $memory), but: $what"
      fi
      ;;
    refused:*)
      line=${what#halted }
      if [ "$line" = "$what" ]; then
        diagnose "$name" "${args[@]}"
        fail "$name" "should be refused (-m $memory), but: $what"
      elif grep -aq '^bzelf-test: ' "$WORK/$name.log"; then
        fail "$name" "the kernel ran before the stage's line: $line"
      elif ! grep -aqE "$STAGE_HALTED" <<<"$line"; then
        fail "$name" "the stage's line is not 'bzelf: <what>: <detail> -- System halted': $line"
      elif ! grep -aqE "${expect#refused:}" <<<"$line"; then
        fail "$name" "refused (-m $memory), but the message does not name the problem (${expect#refused:}): $line"
      else
        pass "$name" "refused (-m $memory): $line"
      fi
      ;;
  esac
}

K=$KERNELS_DIR

# Over what the loader handed over (QEMU's setup runs at 0x10000 with its
# zero page at 0x11650; the command line is at 0x20000; the initrd at the
# top of RAM below initrd_addr_max, 0x7EE0000 for 1 MiB with -m 128).
row zero-page "$K/hostile-zeropage32.elf" 128 \
  "refused:$SEGMENT overlaps boot_params at "
row command-line "$K/hostile-cmdline32.elf" 128 \
  "refused:$SEGMENT overlaps the command line at " -append "console=ttyS0 hostile"
row initrd "$K/hostile-initrd32.elf" 128 \
  "refused:$SEGMENT overlaps the initrd at " -initrd 1024
row initrd-none "$K/hostile-initrd32.elf" 128 boots
# The same with an unchanged kernel: test64 (16 MiB up) and a 24 MiB
# initrd, which QEMU puts at 0x27E0000 - 24 MiB = 0xFE0000 with -m 40.
row initrd-test64 "$K/test64.elf" 40 \
  "refused:$SEGMENT overlaps the initrd at " -initrd 24576

# Over the stage: it moves out of the way (test32-low covers its start,
# hostile-arena32 only its tail and its working memory).
row stage-start "$K/test32-low.elf" 128 boots
row stage-arena "$K/hostile-arena32.elf" 128 boots
row stage-start-elf64 "$K/hostile-low64.elf" 128 boots
# Entered through PVH, boot_params is in the stage's arena: it moves too.
row stage-start-pvh "$K/test32-low.elf" 128 boots -pvh x -append "console=ttyS0 pvh"

# Not RAM: the EBDA and the legacy hole below 1 MiB, the end of RAM.
row ebda "$K/hostile-ebda32.elf" 128 "refused:$SEGMENT $NOT_RAM"
row vga-hole "$K/hostile-vga32.elf" 128 "refused:kernel segment 0 at 0xa0000-0x[0-9a-f]+ $NOT_RAM"
row ram-end "$K/hostile-edge32.elf" 128 "refused:kernel segment 3 at 0x[0-9a-f]+-0x[0-9a-f]+ $NOT_RAM"
row above-ram "$K/hostile-high32.elf" 128 "refused:kernel segment 0 at 0xc800000-0x[0-9a-f]+ $NOT_RAM"
row above-ram-fits "$K/hostile-high32.elf" 256 boots

# A memory map continued in a SETUP_E820_EXT node (e820-loader.cpp).
# split: the kernel's RAM is only in the node (boot_params holds 128
# entries, all below 1 MiB); reserve: the node marks the kernel's first
# page reserved; bad-len: the same node with a length that is not whole
# entries, whose whole entry the stage takes, as Linux does; over-node: the node lies where the
# kernel goes, and setup_data is kept clear; loop: the node links to
# itself, and the stage's walk of the list gives up.
row e820-ext-split "$K/test32.elf" 128 boots -e820-loader split
row e820-ext-reserve "$K/test32.elf" 128 \
  "refused:kernel segment 0 at 0x200000-0x[0-9a-f]+ $NOT_RAM" -e820-loader reserve
row e820-ext-bad-len "$K/test32.elf" 128 \
  "refused:kernel segment 0 at 0x200000-0x[0-9a-f]+ $NOT_RAM" -e820-loader bad-len
row e820-ext-over-node "$K/test32.elf" 128 \
  "refused:kernel segment 0 at 0x200000-0x[0-9a-f]+ overlaps setup_data at 0x201000-" \
  -e820-loader over-node
row e820-ext-loop "$K/test32.elf" 128 \
  "refused:list node at 0x30000: the list does not end" -e820-loader loop

# Kernels that do not fit.
row big-bss "$K/hostile-big64.elf" 32 "refused:$SEGMENT $NOT_RAM"
row big-bss-fits "$K/hostile-big64.elf" 128 boots
# Fits -m 32 only where the stage is: the stage has nowhere to move to.
row stage-cornered "$K/hostile-lowbig32.elf" 32 \
  "refused:the kernel overlaps the boot stage at 0x100000 and there is no free RAM to move the stage to"
# Does not fit -m 24 at all: that, not the stage's move, is the problem.
row stage-cornered-too-big "$K/hostile-lowbig32.elf" 24 "refused:$SEGMENT $NOT_RAM"
row stage-cornered-fits "$K/hostile-lowbig32.elf" 128 boots

# Debian's kernel (16 MiB up to about 74 MiB) in 48 MiB.
if "$ROOT/tests/linux/fetch-kernel.sh" "$LINUX_DIR" >"$WORK/fetch.out" 2>&1; then
  row linux-48m "$LINUX_DIR/vmlinux" 48 "refused:$SEGMENT $NOT_RAM"
else
  fail linux-48m "tests/linux/fetch-kernel.sh $LINUX_DIR failed: $(tail -n 2 "$WORK/fetch.out" | tr '\n' ' ')"
fi

finish
