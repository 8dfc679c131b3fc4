#!/usr/bin/env bash
# Kernels that run where they were not linked (issue 16): bzelf build finds
# their relocations, bzelf info says what it found, and the stage applies
# them for a placement fixed at build time (--load-address,
# --virtual-offset).
#
#   info-pie64, info-pie32    the PIE test kernels' R_*_RELATIVE entries
#   pie64-at-A, pie32-at-A    tests/kernels' pie64.elf / pie32.elf (ET_DYN,
#                             linked at 0) at two addresses each: every
#                             pointer they hold points at its target, they
#                             lie in one E820 RAM entry, and say where
#   pie64-pvh                 the same through the PVH entry
#   pie64-kaslr, pie32-kaslr  built without a fixed place: the stage draws
#                             one (lib/kaslr.h); 4 boots each pass, at
#                             least 2 distinct addresses
#   info-rela64, info-rela32  tests/kernels' rela64.elf / rela32.elf, linked
#                             --emit-relocs: the table bzelf makes from their
#                             .rela / .rel sections has as many entries of
#                             each list as `readelf -r` shows relocations of
#                             the types Linux puts there
#   rela64-extract            `bzelf extract` of its image gives the ELF with
#                             that table after it, taken as "appended" with
#                             the same counts
#   rela64-at, rela32-at      those kernels at a fixed place (rela64 also
#                             moved virtually): every absolute address they
#                             hold (pointers in data, immediates in code)
#                             points where they run, and they say where
#   rela64-kaslr, rela32-kaslr  built without a fixed place, 4 boots each
#                             under KASLR: each passes, at least 2 distinct
#                             physical (and for rela64 virtual) addresses
#   refuse-*                  moves a kernel cannot make: one line, no file
#   linux64-info              Debian's amd64 vmlinux: its table's layout and
#                             counts (137,699 + 8,385 + 76,906 on 6.1)
#   info-kaslr-fixed          an image of a kernel that cannot move: bzelf
#                             info says so
#   linux64-kaslr-info        an image of that kernel: the KASLR ranges bzelf
#                             info gives, worked out again from its
#                             program headers
#   linux64-moved             that kernel at 48 MiB and 512 MiB up in
#                             virtual memory reaches init with _text and
#                             "Kernel code" there
#   linux32-moved             Debian's i386 kernel at 32 MiB reaches init
#                             with "Kernel code" there
#
# Environment: those of tests/lib.sh, and LINUX32_DIR (Debian's i386
# kernel, fetched there by tests/linux/fetch-kernel.sh: build/linux/kernel32,
# where tests/linux keeps it). Output and exit status: tests/lib.sh.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
LINUX32_DIR=${LINUX32_DIR:-$ROOT/build/linux/kernel32}
LOG_PREFIX=relocs-
require "$BZELF" "$QEMU" timeout python3
require_kernels pie64 pie32 test64 rela64 rela32
kernel_statuses
make_work relocs

# expect_info NAME FILE KEY=VALUE...: bzelf info --json FILE says so
# (info_is, for each KEY).
expect_info() {
  local name=$1 file=$2 reasons="" kv
  selected "$name" || return 0
  shift 2
  for kv in "$@"; do
    info_is "$file" "${kv%%=*}" "${kv#*=}"
  done
  judge "$name"
}

# pie NAME KERNEL ADDRESS [pvh]: KERNEL built to run at ADDRESS passes,
# and says it runs there.
pie() {
  local name=$1 kernel=$2 address=$3 reasons=""
  selected "$name" || return 0
  local image=$WORK/$name.img
  build_image "$name" "$image" "$KERNELS_DIR/$kernel.elf" --cmdline "console=ttyS0" \
    --load-address "$address" || return
  if [ "${4:-}" = pvh ]; then
    stage_elf "$image" "$WORK/$name.elf" || { fail "$name" "cannot cut out part 5"; return; }
    image=$WORK/$name.elf
  fi
  boot "$name" 60 -m 128 -kernel "$image"
  kernel_passed "$name"
  local want
  want="bzelf-pie: running at $(printf '0x%x' "$address"), linked at 0x0, "
  grep -q "^$want" "$WORK/$name.log" ||
    reasons+="no line '$want...' ($(grep -m1 '^bzelf-pie' "$WORK/$name.log")); "
  judge "$name"
}

# kaslr_boots NAME KERNEL PLACE: four boots, NAME-1 to NAME-4, of one
# image of KERNEL that the stage places at random; each must pass (adds
# to reasons), and PLACE BOOT adds where the kernel of BOOT says it runs
# to the caller's lists. On a failed build a FAIL for NAME and status 1.
kaslr_boots() {
  local name=$1 kernel=$2 place=$3 i
  build_image "$name" "$WORK/$name.img" "$KERNELS_DIR/$kernel.elf" --cmdline "console=ttyS0" ||
    return
  for i in 1 2 3 4; do
    boot "$name-$i" 60 -m 128 -kernel "$WORK/$name.img"
    kernel_passed "$name-$i"
    "$place" "$name-$i"
  done
  return 0
}

# pie_place BOOT: adds the address of "bzelf-pie: running at A, ..." to
# seen.
pie_place() {
  local at
  at=$(sed -n 's/^bzelf-pie: running at \(0x[0-9a-f]*\),.*/\1/p' "$WORK/$1.log")
  [ -n "$at" ] || reasons+="$1: no 'bzelf-pie: running at' line; "
  seen+="$at "
}

# pie_kaslr NAME KERNEL: four boots of one image the stage places at
# random: each passes, and they ran at 2 or more addresses.
pie_kaslr() {
  local name=$1 kernel=$2 reasons="" seen=""
  selected "$name" || return 0
  kaslr_boots "$name" "$kernel" pie_place || return
  local distinct
  distinct=$(printf '%s\n' $seen | sort -u | wc -l)
  [ "$distinct" -ge 2 ] || reasons+="$distinct distinct address(es): $seen; "
  if [ -z "$reasons" ]; then
    pass "$name" "at $seen"
  else
    fail "$name" "${reasons%; }"
  fi
}

# rela_where NAME: "VIRTUAL PHYSICAL" from the kernel's line "bzelf-rela:
# running at V (physical P), ...".
rela_where() {
  sed -n 's/^bzelf-rela: running at \(0x[0-9a-f]*\) (physical \(0x[0-9a-f]*\)),.*/\1 \2/p' \
    "$WORK/$1.log" | head -n 1
}

# rela_at NAME KERNEL VIRTUAL PHYSICAL BUILD_OPTION...: KERNEL built with
# the options passes and runs at VIRTUAL (PHYSICAL).
rela_at() {
  local name=$1 kernel=$2 want="$3 $4" reasons="" got
  selected "$name" || return 0
  shift 4
  build_image "$name" "$WORK/$name.img" "$KERNELS_DIR/$kernel.elf" --cmdline "console=ttyS0" "$@" ||
    return
  boot "$name" 60 -m 128 -kernel "$WORK/$name.img"
  kernel_passed "$name"
  got=$(rela_where "$name")
  [ "$got" = "$want" ] || reasons+="runs at '$got', not '$want'; "
  judge "$name"
}

# rela_place BOOT: adds the virtual and physical address of BOOT's
# kernel (rela_where) to virt and phys, and a reason if it did not say.
rela_place() {
  local where
  where=$(rela_where "$1")
  [ -n "$where" ] || reasons+="$1: no 'bzelf-rela: running at' line; "
  virt+="${where% *} " phys+="${where#* } "
}

# rela_kaslr NAME KERNEL: four boots of one image the stage places at
# random: each passes; 2 or more distinct physical addresses, and with
# rela64 2 or more virtual ones.
rela_kaslr() {
  local name=$1 kernel=$2 reasons="" virt="" phys=""
  selected "$name" || return 0
  kaslr_boots "$name" "$kernel" rela_place || return
  local nv np
  nv=$(printf '%s\n' $virt | sort -u | wc -l)
  np=$(printf '%s\n' $phys | sort -u | wc -l)
  [ "$np" -ge 2 ] || reasons+="$np distinct physical address(es): $phys; "
  [ "$kernel" = rela32 ] || [ "$nv" -ge 2 ] || reasons+="$nv distinct virtual address(es): $virt; "
  if [ -z "$reasons" ]; then
    pass "$name" "at $virt(physical $phys)"
  else
    fail "$name" "${reasons%; }"
  fi
}

# readelf_count KERNEL TYPE...: how many relocations of these types
# `readelf -r` lists in tests/kernels' KERNEL.
readelf_count() {
  local kernel=$1
  shift
  readelf -rW "$KERNELS_DIR/$kernel.elf" | awk -v types=" $* " \
    'index(types, " " $3 " ") { n++ } END { print n + 0 }'
}

# refuse NAME TEXT BZELF_BUILD_ARGS...: bzelf build fails with one line
# containing TEXT and writes nothing.
refuse() {
  local name=$1 text=$2 reasons=""
  selected "$name" || return 0
  shift 2
  mkdir -p "$WORK/$name"
  if "$BZELF" build "$@" -o "$WORK/$name/image" >"$WORK/$name.out" 2>&1; then
    reasons+="bzelf build exited 0; "
  fi
  [ -z "$(ls -A "$WORK/$name")" ] || reasons+="left a file; "
  [ "$(wc -l <"$WORK/$name.out")" -eq 1 ] || reasons+="not one line: $(oneline "$WORK/$name.out"); "
  grep -qF -- "$text" "$WORK/$name.out" || reasons+="no '$text' in: $(oneline "$WORK/$name.out"); "
  judge "$name"
}

# linux NAME VMLINUX INITRD MEMORY_MB TEXT CODE BUILD_OPTION...: reaches
# init, whose /proc/kallsyms _text line starts with TEXT (unless empty) and
# /proc/iomem "Kernel code" line with CODE.
linux() {
  local name=$1 vmlinux=$2 initrd=$3 memory=$4 text=$5 code=$6 reasons=""
  selected "$name" || return 0
  shift 6
  build_image "$name" "$WORK/$name.img" "$vmlinux" "$@" || return
  local cmdline
  cmdline="console=ttyS0 $LINUX_TEST_ARGS bzelf.token=$(token)"
  boot "$name" 300 -m "$memory" -kernel "$WORK/$name.img" -initrd "$initrd" -append "$cmdline"
  linux_marker "$name" "$cmdline"
  if [ -n "$text" ] && ! grep -q "^BZELF-LINUX-TEXT $text T _text" "$WORK/$name.log"; then
    reasons+="_text is not at $text ($(grep -m1 '^BZELF-LINUX-TEXT' "$WORK/$name.log")); "
  fi
  if ! grep -qE "^BZELF-LINUX-CODE +$code-[0-9a-f]+ : Kernel code" "$WORK/$name.log"; then
    reasons+="Kernel code is not at $code ($(grep -m1 '^BZELF-LINUX-CODE' "$WORK/$name.log")); "
  fi
  judge "$name"
}

expect_info info-pie64 "$KERNELS_DIR/pie64.elf" kernel.relocations.source=dynamic \
  "kernel.relocations.from=dynamic (DT_RELA)" kernel.relocations.count=6
expect_info info-pie32 "$KERNELS_DIR/pie32.elf" kernel.relocations.source=dynamic \
  "kernel.relocations.from=dynamic (DT_REL)" kernel.relocations.count=6

# rela64 and rela32 have no undefined, absolute or per-CPU symbols: every
# R_X86_64_64 is a 64-bit entry, every _32S a 32-bit one; every R_386_32 a
# 32-bit one.
require readelf
if any_selected info-rela64 info-rela32; then
  expect_info info-rela64 "$KERNELS_DIR/rela64.elf" "kernel.relocations.source=Linux table" \
    "kernel.relocations.from=sections (.rela)" \
    "kernel.relocations.layout=x86_64 (64-bit, inverse 32-bit, 32-bit)" \
    "kernel.relocations.count64=$(readelf_count rela64 R_X86_64_64)" \
    "kernel.relocations.count32=$(readelf_count rela64 R_X86_64_32 R_X86_64_32S)" \
    kernel.relocations.count_inverse32=0
  expect_info info-rela32 "$KERNELS_DIR/rela32.elf" "kernel.relocations.source=Linux table" \
    "kernel.relocations.from=sections (.rel)" "kernel.relocations.layout=i386 (32-bit)" \
    "kernel.relocations.count32=$(readelf_count rela32 R_386_32)"
fi

if selected rela64-extract; then
  if "$BZELF" build "$KERNELS_DIR/rela64.elf" -o "$WORK/rela64-extract.img" >"$WORK/rela64-extract.out" 2>&1 &&
    "$BZELF" extract "$WORK/rela64-extract.img" -o "$WORK/rela64-extract.elf" >>"$WORK/rela64-extract.out" 2>&1; then
    expect_info rela64-extract "$WORK/rela64-extract.elf" "kernel.relocations.from=appended" \
      "kernel.relocations.count64=$(readelf_count rela64 R_X86_64_64)" \
      "kernel.relocations.count32=$(readelf_count rela64 R_X86_64_32 R_X86_64_32S)" \
      "kernel.relocations.bytes=$(image_info "$KERNELS_DIR/rela64.elf" kernel.relocations.bytes)"
  else
    fail rela64-extract "$(oneline "$WORK/rela64-extract.out")"
  fi
fi

# A few seconds each: one after the other, so that PASS and FAIL count.
rela_at rela64-at rela64 0xffffffffa1000000 0x3000000 --load-address 0x3000000 \
  --virtual-offset 0x20000000
rela_at rela32-at rela32 0x2400000 0x2400000 --load-address 0x2400000
rela_kaslr rela64-kaslr rela64
rela_kaslr rela32-kaslr rela32
pie pie64-at-a pie64 0x2345000
pie pie64-at-b pie64 0x6000000
pie pie32-at-a pie32 0x2345000
pie pie32-at-b pie32 0x7001000
pie pie64-pvh pie64 0x3000000 pvh
pie_kaslr pie64-kaslr pie64
pie_kaslr pie32-kaslr pie32
refuse refuse-no-relocs "the kernel has no relocations, it cannot move" \
  "$KERNELS_DIR/test64.elf" --load-address 0x2000000
refuse refuse-unaligned "moves in steps of 0x1000" "$KERNELS_DIR/pie64.elf" --load-address 0x2000800
refuse refuse-pie-virtual "--virtual-offset: only an x86_64 Linux kernel" \
  "$KERNELS_DIR/pie64.elf" --load-address 0x2000000 --virtual-offset 0x200000

# kaslr_info NAME VMLINUX: the KASLR ranges `bzelf info` gives for an
# image of x86_64 Linux, worked out again from readelf's program headers:
# from its link address to Linux's 64 TiB limit (MAXMEM: the stage copies
# it above 4 GiB; lib/kernel-staging.h) in 2 MiB steps, and Linux's count of
# virtual slots (find_random_virt_addr: 1 + (1 GiB - 16 MiB - image) /
# 2 MiB, the image from the lowest segment's start to the highest end).
kaslr_info() {
  local name=$1 vmlinux=$2 low="" high=0 size type offset vaddr paddr filesz memsz rest
  selected "$name" || return 0
  build_image "$name" "$WORK/$name.img" "$vmlinux" || return
  while read -r type offset vaddr paddr filesz memsz rest; do
    [ "$type" = LOAD ] || continue
    if [ -z "$low" ] || [ $((paddr)) -lt "$low" ]; then low=$((paddr)); fi
    [ $((paddr + memsz)) -le "$high" ] || high=$((paddr + memsz))
  done < <(readelf -lW "$vmlinux")
  size=$((high - low))
  expect_info "$name" "$WORK/$name.img" stage.kaslr.movable=true \
    "stage.kaslr.physical=$(printf '0x%x-0x3fffffffffff, slots of 0x%x bytes every 0x200000' "$low" "$size")" \
    "stage.kaslr.virtual=$(printf 'offsets 0-0x%x every 0x200000 (%d slots)' \
      $(((0x40000000 - 0x1000000 - size) / 0x200000 * 0x200000)) \
      $((1 + (0x40000000 - 0x1000000 - size) / 0x200000)))"
}

if selected info-kaslr-fixed; then
  build_image info-kaslr-fixed "$WORK/info-kaslr-fixed.img" "$KERNELS_DIR/test64.elf" &&
    expect_info info-kaslr-fixed "$WORK/info-kaslr-fixed.img" stage.kaslr.movable=false
fi

if any_selected linux64-info linux64-kaslr-info refuse-linux-virtual linux64-moved &&
  "$ROOT/tests/linux/fetch-kernel.sh" "$LINUX_DIR" >"$WORK/fetch.log" 2>&1 &&
  "$ROOT/tests/linux/make-initramfs.sh" "$WORK/initrd.gz" >"$WORK/initramfs.log" 2>&1; then
  expect_info linux64-info "$LINUX_DIR/vmlinux" "kernel.relocations.from=appended" \
    "kernel.relocations.layout=x86_64 (64-bit, inverse 32-bit, 32-bit)"
  kaslr_info linux64-kaslr-info "$LINUX_DIR/vmlinux"
  refuse refuse-linux-virtual "must be a multiple of 0x200000 below 1 GiB" \
    "$LINUX_DIR/vmlinux" --virtual-offset 0x40000000
  linux linux64-moved "$LINUX_DIR/vmlinux" "$WORK/initrd.gz" 512 ffffffffa1000000 03000000 \
    --load-address 0x3000000 --virtual-offset 0x20000000
elif any_selected linux64-info linux64-kaslr-info refuse-linux-virtual linux64-moved; then
  fail linux64 "Debian's amd64 kernel: $(oneline "$WORK/fetch.log") $(oneline "$WORK/initramfs.log")"
fi
if selected linux32-moved && "$ROOT/tests/linux/fetch-kernel.sh" "$LINUX32_DIR" i386 >"$WORK/fetch32.log" 2>&1 &&
  "$ROOT/tests/linux/make-initramfs.sh" "$WORK/initrd32.gz" "$LINUX32_DIR/root" >"$WORK/initramfs32.log" 2>&1; then
  linux linux32-moved "$LINUX32_DIR/vmlinux" "$WORK/initrd32.gz" 256 "" 02000000 \
    --load-address 0x2000000
elif selected linux32-moved; then
  fail linux32 "Debian's i386 kernel: $(oneline "$WORK/fetch32.log") $(oneline "$WORK/initramfs32.log")"
fi
finish
