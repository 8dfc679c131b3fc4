#!/usr/bin/env bash
# The placement rules of DESIGN.md ("What p_paddr means"), one row each:
# `bzelf build` turns a kernel's p_paddr into physical addresses, `bzelf
# info` must name the rule it applied, and the kernel, booted through QEMU
# -kernel, must find itself -- its entry point and its .data/.rodata -- at
# the physical address it was linked for (tests/kernels/placement-checks.cpp
# prints "bzelf-test: placement: entered at <address>, ..."). The kernels
# are the place-*.elf of tests/kernels/build.mk plus test32/test64.
#
#   paddr-elf64               test64: p_paddr physical, vaddr high (vmlinux)
#   paddr-elf32               test32: p_paddr = p_vaddr, physical
#   virtual-base-elf32        place-old32: p_paddr = p_vaddr = 0xC0200000;
#                             0xC0000000 subtracted, lands at 2 MiB
#   xen-notes-elf64           place-xen64: p_paddr = physical + offset, and
#                             XEN_ELFNOTE_PADDR_OFFSET/VIRT_BASE say so
#   ambiguous-elf64-refused   place-direct64, the same without notes: bzelf
#                             refuses with one line, exit status non-zero,
#                             no output file
#   ambiguous-elf64-override  place-direct64 with --paddr-offset: boots
#   misplaced-elf32-detected  place-old32 put 4 MiB too high on purpose
#                             (--paddr-offset): the kernel must notice and
#                             fail, which shows the rows above can fail
#
# Environment (all optional): those of tests/lib.sh, and
#   TIMEOUT      seconds allowed per boot       (60)
#   PLACE_DIRECT_MAP: tests/kernels/build.mk exports it, and is asked for
#                it when it is not set.
#
# Output and exit status: tests/lib.sh; a failed boot keeps its serial log
# as LOG_DIR/placement-<name>.log.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
TIMEOUT=${TIMEOUT:-60}
LOG_PREFIX=placement-

require "$BZELF" "$QEMU" timeout
kernel_statuses
DIRECT_MAP=${PLACE_DIRECT_MAP:-$(kernel_var PLACE_DIRECT_MAP)}
if [ -z "$DIRECT_MAP" ]; then
  echo "run.sh: cannot get PLACE_DIRECT_MAP from tests/kernels/build.mk" >&2
  exit 2
fi
make_work placement

# info_field INFO KEY: KEY's value in INFO, the output of `bzelf info`.
info_field() {
  printf '%s\n' "$1" | sed -n "s/^$2  *//p" | head -n 1
}

# check_info NAME IMAGE RULE REASON_TEXT ENTRY: `bzelf info` names RULE
# for the stage and the payload, gives a reason containing REASON_TEXT, and
# records ENTRY as the physical entry point. Prints what is wrong.
check_info() {
  local image=$2 rule=$3 reason_text=$4 entry=$5 info got
  info=$("$BZELF" info "$image" 2>/dev/null)
  got=$(info_field "$info" 'stage\.placement_rule')
  [ "$got" = "$rule" ] || printf '%s' "stage.placement_rule is '$got', not '$rule'; "
  got=$(info_field "$info" 'payload\.kernel\.placement_rule')
  [ "$got" = "$rule" ] || printf '%s' "payload.kernel.placement_rule is '$got', not '$rule'; "
  got=$(info_field "$info" 'payload\.kernel\.placement_reason')
  case $got in
    *"$reason_text"*) ;;
    *) printf '%s' "payload.kernel.placement_reason '$got' does not say '$reason_text'; " ;;
  esac
  got=$(info_field "$info" 'stage\.entry_physical')
  [ "$got" = "$entry" ] || printf '%s' "stage.entry_physical is '$got', not $entry; "
}

# row NAME KERNEL RULE REASON_TEXT PHYSICAL [BUILD_OPTION...]: builds,
# checks `bzelf info`, boots, and requires a PASS from a kernel that found
# itself entered at PHYSICAL.
row() {
  local name=$1 kernel=$KERNELS_DIR/$2 rule=$3 reason_text=$4 physical=$5
  selected "$name" || return 0
  shift 5
  local image=$WORK/$name.img reasons=""
  build_image "$name" "$image" "$kernel" --cmdline "console=ttyS0 bzelf.test=$name" "$@" ||
    return
  reasons=$(check_info "$name" "$image" "$rule" "$reason_text" "$physical")
  boot "$name" "$TIMEOUT" -m 128 -kernel "$image"
  if ! grep -q "^bzelf-test: placement: entered at $physical, " "$WORK/$name.log"; then
    local got
    got=$(grep -m1 '^bzelf-test: placement: ' "$WORK/$name.log")
    reasons+="kernel not entered at $physical (${got:-no placement line}); "
  fi
  kernel_passed "$name"
  judge "$name"
}

# refused NAME KERNEL TEXT: `bzelf build` must fail with one line
# "bzelf: KERNEL: ..." containing TEXT, and leave no file behind.
refused() {
  local name=$1 kernel=$KERNELS_DIR/$2 text=$3 out=$WORK/$1.out reasons=""
  mkdir -p "$out"
  "$BZELF" build "$kernel" -o "$out/image" >"$WORK/$name.stdout" 2>"$WORK/$name.stderr"
  local code=$?
  [ "$code" -ne 0 ] || reasons+="bzelf build exited 0; "
  local left
  left=$(find "$out" -mindepth 1 -printf '%f ')
  [ -z "$left" ] || reasons+="left files behind: $left; "
  local lines message
  lines=$(wc -l <"$WORK/$name.stderr")
  message=$(head -n 1 "$WORK/$name.stderr")
  [ "$lines" -eq 1 ] || reasons+="$lines lines on stderr, not one; "
  case $message in
    "bzelf: $kernel: "*"$text"*) ;;
    *) reasons+="message '$message' is not 'bzelf: $kernel: ...$text...'; " ;;
  esac
  judge "$name"
}

# misplaced NAME KERNEL PHYSICAL OPTION...: built to land at PHYSICAL, not
# where it was linked: the kernel must report the entry check FAILED.
misplaced() {
  local name=$1 kernel=$KERNELS_DIR/$2 physical=$3 reasons=""
  shift 3
  build_image "$name" "$WORK/$name.img" "$kernel" "$@" || return
  boot "$name" "$TIMEOUT" -m 128 -kernel "$WORK/$name.img"
  [ "$status" -eq "$FAIL_STATUS" ] ||
    reasons+="QEMU exit status $status, not $FAIL_STATUS (the kernel's FAIL); "
  grep -q "^bzelf-test: placement: entered at $physical, " "$WORK/$name.log" ||
    reasons+="no 'entered at $physical' line; "
  grep -qx 'bzelf-test: FAIL entered at the physical address it was linked for (and [0-9]* more)' \
    "$WORK/$name.log" || reasons+="no FAIL verdict naming the entry address check; "
  judge "$name"
}

row paddr-elf64 test64.elf paddr "p_paddr is the physical address" 0x1000000
row paddr-elf32 test32.elf paddr "p_paddr is the physical address" 0x200000
row virtual-base-elf32 place-old32.elf virtual-base "kernel virtual base 0xc0000000" 0x200000
row xen-notes-elf64 place-xen64.elf xen-paddr-offset \
  "XEN_ELFNOTE_PADDR_OFFSET $DIRECT_MAP is subtracted" 0x1800000
refused ambiguous-elf64-refused place-direct64.elf "give --paddr-offset"
row ambiguous-elf64-override place-direct64.elf override "--paddr-offset $DIRECT_MAP given" \
  0x2800000 --paddr-offset "$DIRECT_MAP"
# 0xC0000000 - 4 MiB: every segment 4 MiB above 0x200000.
misplaced misplaced-elf32-detected place-old32.elf 0x600000 --paddr-offset 0xbfc00000

finish
