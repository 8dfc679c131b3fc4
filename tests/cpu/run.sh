#!/usr/bin/env bash
# Every x86 CPU from the i486 on (lib/cpu-check.h): the test kernels under
# QEMU's CPU models from the 486 to the newest Intel one this QEMU has,
# through QEMU -kernel (the real-mode setup runs), the stage ELF through
# PVH (it does not: the stage's own check), and an ISA PC (-M isapc: no
# PCI, a 486) from -kernel and from the image as a disk. test32 must boot
# on all of them; test64 on the 64-bit ones, and elsewhere stop with the
# setup's or the stage's one line; the isa-v2-* kernels, which carry a
# GNU property note asking for x86-64-v2, stop with a line naming the
# first missing feature below that level and boot above it. A first row
# checks that the 32-bit stage and the setup hold no instruction newer
# than the i486's outside the 64-bit code and the SSE2 decoder (the build
# flags it guards: -march=i486 / -march=i386).
#
# Environment (all optional): those of tests/lib.sh, and
#   TIMEOUT      seconds allowed per boot       (60)
#   JOBS         boots run at a time            (2)
#   STAGE_ELF, SETUP_ELF  the built stages      (build/stage.elf, build/setup.elf)
#
# Output and exit status: tests/lib.sh.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
TIMEOUT=${TIMEOUT:-60}
JOBS=${JOBS:-2}
STAGE_ELF=${STAGE_ELF:-$ROOT/build/stage.elf}
SETUP_ELF=${SETUP_ELF:-$ROOT/build/setup.elf}

require "$BZELF" "$QEMU" objdump timeout python3
require_kernels test32 test64 isa-v2-32 isa-v2-64
kernel_statuses
make_work cpu

# QEMU's CPU models, oldest first: 32-bit ones, then those with long mode.
# Icelake-Server (Ice Lake-SP, 2021) is the newest Intel generation in
# QEMU 7.2's list (Debian 12); TCG leaves out what it cannot emulate and
# says so on stderr.
CPUS32="486 pentium pentium2 pentium3 coreduo"
CPUS64="qemu64 Icelake-Server"
NEEDS_V2='bzelf: cpu: this kernel needs an x86-64-v2 CPU (its x86 ISA needed note); '

# --- the code itself ----------------------------------------------------------

# newer_than_i486 ELF [OBJDUMP_OPTION...]: the instructions in ELF that
# an i486 lacks and a compiler emits for newer CPUs (CMOV and the P6's
# x87 compares), one "function: instruction" a line, outside the 64-bit
# link unit (startup64_main, and efi_main, the EFI stub's entry inside it;
# head.S's 64-bit efi_handover_entry)
# and the SSE2 decoder, which only run on CPUs that have them.
newer_than_i486() {
  local elf=$1
  shift
  objdump -d --no-show-raw-insn "$@" "$elf" | awk '
    /^[0-9a-f]+ <.*>:$/ { fn = $2 }
    fn ~ /startup_?64|<efi_main>|<efi_handover_entry>|InflateRawSse2/ { next }
    /^ *[0-9a-f]+:/ && match($0, /[ \t](cmov|fcmov|fcomi|fucomi)[a-z]*/) {
      print fn " " substr($0, RSTART + 1, RLENGTH - 1)
    }' | sort | uniq -c
}

if selected stage-code-i486; then
  name=stage-code-i486
  if [ ! -f "$STAGE_ELF" ] || [ ! -f "$SETUP_ELF" ]; then
    fail "$name" "no $STAGE_ELF or $SETUP_ELF (make)"
  else
    found=$(newer_than_i486 "$STAGE_ELF"; newer_than_i486 "$SETUP_ELF" -m i8086)
    if [ -n "$found" ]; then
      fail "$name" "instructions an i486 lacks: $(echo "$found" | head -n 5 | tr -s ' \n' ' ')"
    elif ! objdump -d --no-show-raw-insn "$STAGE_ELF" | grep -q 'InflateRawSse2'; then
      fail "$name" "no InflateRawSse2 in $STAGE_ELF: the check above has nothing to leave out"
    else
      pass "$name"
    fi
  fi
fi

# --- the images ---------------------------------------------------------------

for kernel in test32 test64 isa-v2-32 isa-v2-64; do
  build_image "build-$kernel" "$WORK/$kernel.img" "$KERNELS_DIR/$kernel.elf" \
    --cmdline "$BUILTIN_CMDLINE" || exit 1
  stage_elf "$WORK/$kernel.img" "$WORK/$kernel.stage.elf" || {
    fail "build-$kernel" "cannot cut part 5 out of $WORK/$kernel.img"
    exit 1
  }
done

# boot_row NAME KERNEL HOW EXPECT QEMU_ARGS...: boots KERNEL's image the
# HOW way -- kernel (QEMU -kernel, with a command line and an initrd of
# its own), pvh (the stage ELF, -kernel, with a command line), disk (the
# image as the first IDE disk, a copy of its own, the built-in command
# line) -- on the machine QEMU_ARGS says. EXPECT is "pass" (the kernel's
# report must be complete) or the one line the boot must stop with,
# before any kernel runs.
boot_row() {
  local name=$1 kernel=$2 how=$3 expect=$4 cmdline initrd_line token reasons=""
  shift 4
  token=$(token)
  local -a args=(-m 128)
  case $how in
    kernel)
      cmdline="console=ttyS0 bzelf.test=$name token=$token"
      initrd_line=$(make_initrd "$WORK/$name.initrd")
      args+=(-kernel "$WORK/$kernel.img" -append "$cmdline" -initrd "$WORK/$name.initrd")
      ;;
    pvh)
      cmdline="console=ttyS0 bzelf.test=$name token=$token"
      initrd_line="bzelf-test: initrd: none"
      args+=(-kernel "$WORK/$kernel.stage.elf" -append "$cmdline")
      ;;
    disk)
      cmdline=$BUILTIN_CMDLINE
      initrd_line="bzelf-test: initrd: none"
      cp "$WORK/$kernel.img" "$WORK/$name.disk"
      args+=(-drive "file=$WORK/$name.disk,format=raw,if=ide")
      ;;
  esac
  boot "$name" "$TIMEOUT" "${args[@]}" "$@"
  if [ "$expect" = pass ]; then
    kernel_report "$name" "$cmdline" "$initrd_line"
    judge "$name"
  elif grep -aq '^bzelf-test: ' "$WORK/$name.log"; then
    fail "$name" "a kernel ran; expected '$expect'"
  elif ! grep -aqxF "$expect" "$WORK/$name.log"; then
    fail "$name" "no '$expect' line within ${TIMEOUT}s (got '$(grep -a -m1 '^bzelf: ' "$WORK/$name.log")', QEMU exit status $status)"
  else
    pass "$name" "${expect#bzelf: cpu: }"
  fi
}

# The rows, one a line: NAME KERNEL HOW EXPECT QEMU_ARGS... (EXPECT a
# shell word; NEEDS64 and NEEDS_V2<feature> are expanded when it runs).
rows=$WORK/rows
: >"$rows"
for cpu in $CPUS32 $CPUS64; do
  echo "$cpu-test32 test32 kernel pass -cpu $cpu" >>"$rows"
  case " $CPUS64 " in
    *" $cpu "*) echo "$cpu-test64 test64 kernel pass -cpu $cpu" >>"$rows" ;;
    *) echo "$cpu-test64 test64 kernel NEEDS64 -cpu $cpu" >>"$rows" ;;
  esac
done
cat >>"$rows" <<'ROWS'
pentium3-isa-v2-32 isa-v2-32 kernel NEEDS_V2SSE2 -cpu pentium3
coreduo-isa-v2-32 isa-v2-32 kernel NEEDS_V2POPCNT -cpu coreduo
Icelake-Server-isa-v2-32 isa-v2-32 kernel pass -cpu Icelake-Server
qemu64-isa-v2-64 isa-v2-64 kernel NEEDS_V2POPCNT -cpu qemu64
Icelake-Server-isa-v2-64 isa-v2-64 kernel pass -cpu Icelake-Server
pvh-486-test32 test32 pvh pass -cpu 486
pvh-pentium-test64 test64 pvh NEEDS64 -cpu pentium
pvh-qemu64-isa-v2-64 isa-v2-64 pvh NEEDS_V2POPCNT -cpu qemu64
isapc-test32-kernel test32 kernel pass -M isapc
isapc-test32-disk test32 disk pass -M isapc
ROWS

# cpu_row NAME KERNEL HOW EXPECT QEMU_ARG...: boot_row, with EXPECT's
# word expanded.
cpu_row() {
  local name=$1 kernel=$2 how=$3 expect=$4
  shift 4
  case $expect in
    NEEDS64) expect=$NEEDS64 ;;
    NEEDS_V2*) expect="${NEEDS_V2}${expect#NEEDS_V2} not found -- System halted" ;;
  esac
  boot_row "$name" "$kernel" "$how" "$expect" "$@"
}

# Each row in a process of its own, JOBS at a time; their lines are
# printed in the rows' order and counted once all have ended.
mapfile -t ROWS <"$rows"
run_rows first_word cpu_row "${ROWS[@]}"

finish
