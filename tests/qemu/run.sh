#!/usr/bin/env bash
# Boots every test kernel (tests/kernels/) wrapped by `bzelf build` under
# QEMU's -kernel loader -- the real-mode entry path of DESIGN.md -- and
# checks what the kernels report on serial (and that the stage handed CR4
# back as the setup left it), test64 also for the stage's SSE2 copies and
# test32 on a CPU without SSE2 (-cpu pentium2); then checks that a corrupted
# payload, stage or stage parameter block is stopped by the check that
# guards it, with that check's one line, instead of booting.
#
# Environment (all optional): those of tests/lib.sh, and
#   TIMEOUT      seconds allowed per boot       (60)
#
# Output and exit status: tests/lib.sh.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
TIMEOUT=${TIMEOUT:-60}

require "$BZELF" "$QEMU" python3 timeout
kernel_statuses
make_work qemu

# boot_kernel KERNEL [builtin-cmdline|sse2|no-sse2]: builds KERNEL into an
# image, boots it with a fresh command line and initrd (or with neither, to
# see the built-in command line arrive), and checks the kernel's report;
# sse2 also checks that the stage used SSE2, no-sse2 that it did not on a
# CPU without it.
boot_kernel() {
  local kernel=$1 variant=${2:-} name image initrd cmdline token
  local reasons="" expected builtin
  name=$(basename "$kernel" .elf)${variant:+-$variant}
  selected "$name" || return 0
  image=$WORK/$name.img
  initrd=$WORK/$name.initrd
  # A token no earlier run could have left in memory, spaces, quotes and
  # an '=' in a value: the kernel must print exactly this back.
  token=$(token)
  builtin=$BUILTIN_CMDLINE
  [ -n "$variant" ] && builtin+=" token=$token"

  build_image "$name" "$image" "$kernel" --cmdline "$builtin" || return
  # The payload is compressed and bzelf lays segments out so that gaps
  # compress away: an image much bigger than the ELF file means the gap
  # between segments (test*-spread) went into it.
  if [ "$(wc -c <"$image")" -gt $(($(wc -c <"$kernel") + 1024 * 1024)) ]; then
    reasons="image is $(wc -c <"$image") bytes for a $(wc -c <"$kernel")-byte ELF; "
  fi

  # SeaBIOS prints its E820 map on its debug console (port 0x402).
  local -a args=(-m 128 -kernel "$image"
    -chardev "file,id=seabios,path=$WORK/$name.seabios" -device isa-debugcon,iobase=0x402,chardev=seabios)
  # sse2 and no-sse2 log the guest code QEMU translates, to see which
  # decoder the stage ran; no-sse2 on a CPU without SSE2 (or SSE), where the
  # stage must keep to general registers.
  case $variant in
    sse2) args+=(-d in_asm -D "$WORK/$name.asm") ;;
    no-sse2) args+=(-cpu pentium2 -d in_asm -D "$WORK/$name.asm") ;;
  esac
  if [ "$variant" = builtin-cmdline ]; then
    cmdline=$builtin
    expected="bzelf-test: initrd: none"
  else
    cmdline="console=ttyS0 bzelf.test=$name token=$token say=\"two words\" end"
    expected=$(make_initrd "$initrd")
    args+=(-append "$cmdline" -initrd "$initrd")
  fi
  boot "$name" "$TIMEOUT" "${args[@]}"
  kernel_report "$name" "$cmdline" "$expected"
  bios_map "$name"
  # The stage turns SSE on for its inflate where the CPU has it
  # (compressed/sse2.cpp) and must hand CR4 back as the loader left it:
  # here the real-mode setup, which never sets CR4.OSFXSR (bit 9).
  # A kernel that reports no CR4 cannot show it was handed back: that is
  # a failure too, not a check skipped.
  local cr4
  cr4=$(grep -a -m1 -o 'entry: CR0=[0-9a-fx]* .*CR4=0x[0-9a-f]*' "$WORK/$name.log" | sed 's/.*CR4=//')
  if [ -z "$cr4" ]; then
    reasons+="no 'entry: CR0=... CR4=...' line from the kernel; "
  elif (((cr4 >> 9) & 1)); then
    reasons+="CR4.OSFXSR set at the kernel's entry (CR4=$cr4); "
  fi
  # The stage's SSE2 copies (InflateRawSse2): movdqu in part 5, which QEMU
  # -kernel puts at 0x100000 (the stage's code is well under 64 KiB).
  local movdqu=0
  if [ -f "$WORK/$name.asm" ]; then
    movdqu=$(grep -cE '^0x0010[0-9a-f]{4}:.*[[:space:]]movdqu[[:space:]]' "$WORK/$name.asm")
  fi
  if [ "$variant" = sse2 ] && [ "$movdqu" -eq 0 ]; then
    reasons+="the stage did not run its SSE2 decoder on a CPU with SSE2 (no movdqu translated); "
  elif [ "$variant" = no-sse2 ] && [ "$movdqu" -ne 0 ]; then
    reasons+="the stage ran SSE2 code on a CPU without it; "
  fi
  judge "$name"
}

# bios_map NAME: the kernel got exactly the E820 map SeaBIOS built, as
# SeaBIOS's debug console printed it last ("e820 map has N items:"):
# the setup's INT 15h E820 loop (boot/e820.cpp) took every entry, in
# order, and changed none. Adds a reason if not.
bios_map() {
  local why
  why=$(python3 - "$WORK/$1.seabios" "$WORK/$1.log" <<'PYTHON'
import re, sys
bios = open(sys.argv[1], errors="replace").read()
blocks = re.findall(r"^e820 map has (\d+) items:\n((?:\s+\d+: .*\n)*)", bios, re.M)
if not blocks:
    sys.exit(print("SeaBIOS printed no E820 map"))
names = {1: "RAM", 2: "reserved", 3: "ACPI data", 4: "ACPI NVS", 5: "unusable"}
want = []
for line in blocks[-1][1].splitlines():
    m = re.match(r"\s+\d+: ([0-9a-f]+) - ([0-9a-f]+) = (\d+)", line)
    want.append((int(m.group(1), 16), int(m.group(2), 16), names.get(int(m.group(3)), "other")))
got = []
for line in open(sys.argv[2], errors="replace"):
    m = re.match(r"bzelf-test: e820: 0x([0-9a-f]+)-0x([0-9a-f]+) (.*)$", line.rstrip("\n"))
    if m:
        got.append((int(m.group(1), 16), int(m.group(2), 16), m.group(3)))
if got != want:
    print("the kernel's E820 map (%d entries) is not SeaBIOS's (%d entries)" % (len(got), len(want)))
PYTHON
)
  [ -n "$why" ] && reasons+="$why; "
}

# corrupt KERNEL WHAT: flips one byte of an image of KERNEL and requires
# the one line of the check that guards that byte, and no other: a boot
# that some other check (or a crash) stops proves nothing about this one.
# WHAT is where, how the image is entered, and whose line:
#   payload      the middle of the compressed kernel, under -kernel: the
#                stage's payload checks ("bzelf: payload: ...")
#   gzip-crc     the gzip trailer's CRC32: the kernel inflates whole, and
#                the stage's CRC32 check must stop it
#   gzip-isize   the gzip trailer's ISIZE: the same for the length check
#   stage        startup_64, the stage's own code (checksummed, and run by
#                no 32-bit entry), part 5 alone through PVH: the stage's
#                own checksum (StageVerify in compressed/main.cpp)
#   params       segments[0] in the stage parameter block, part 5 alone
#                through PVH: StageVerify again
#   setup-check  startup_64 again, under -kernel: the real-mode setup's
#                check of part 5 before it jumps there
#                (boot/verify-stage.cpp)
# PVH, not -kernel, for the stage's own check: under -kernel the setup
# checks part 5 first and would stop the boot with its own line.
corrupt() {
  local kernel=$1 what=$2 name image boot_file expected
  name=corrupt-$what-$(basename "$kernel" .elf)
  selected "$name" || return 0
  image=$WORK/$name.img

  build_image "$name" "$image" "$kernel" || return
  # Where each piece is: what `bzelf info --json` says of the good image
  # (tests/image_info.py). Prints the file offset it flipped and the
  # stage checksum the image records.
  if ! python3 - "$ROOT/tests" "$image" "$what" >"$WORK/$name.flip" 2>&1 <<'PYTHON'
import sys
sys.path.insert(0, sys.argv[1])
import image_info
path, what = sys.argv[2], sys.argv[3]
layout = image_info.Load(path)["layout"]
data = bytearray(open(path, "rb").read())
if what == "payload":
    where = layout["payload"]["file_offset"] + layout["payload"]["bytes"] // 2
elif what == "gzip-crc":
    where = layout["payload"]["gzip_crc32"]["file_offset"]
elif what == "gzip-isize":
    where = layout["payload"]["gzip_isize"]["file_offset"]
elif what in ("stage", "setup-check"):
    where = layout["stage"]["startup_64"]["file_offset"]
else:
    where = layout["params"]["segments"]["entries"][0]["paddr"]["file_offset"]
data[where] ^= 0xFF
open(path, "wb").write(data)
crc = layout["stage"]["stage_crc"]
print("0x%x 0x%x" % (where, int.from_bytes(data[crc["file_offset"]:crc["file_offset"] + 4], "little")))
PYTHON
  then
    fail "$name" "could not corrupt the image: $(tr '\n' ' ' <"$WORK/$name.flip")"
    return
  fi
  local where stage_crc
  read -r where stage_crc <"$WORK/$name.flip"

  boot_file=$image
  case $what in
    payload)
      expected='^bzelf: payload: .* -- System halted$' ;;
    gzip-crc)
      expected='^bzelf: payload: gzip CRC32 mismatch: data 0x[0-9a-f]+, trailer 0x[0-9a-f]+ -- System halted$' ;;
    gzip-isize)
      expected='^bzelf: payload: gzip ISIZE mismatch: data [0-9]+, trailer [0-9]+ -- System halted$' ;;
    stage | params)
      boot_file=$WORK/$name.elf
      stage_elf "$image" "$boot_file" || {
        fail "$name" "cannot cut part 5 out of the image"
        return
      }
      expected="^bzelf: image: boot stage checksum mismatch \\(0x[0-9a-f]+, expected 0x0*${stage_crc#0x}\\): the image is damaged -- System halted$" ;;
    setup-check)
      expected='^bzelf: setup: protected-mode part missing or damaged at code32_start \(checksum mismatch\) -- System halted$' ;;
  esac

  # The stage halts rather than exiting QEMU: boot stops QEMU at its line.
  boot "$name" "$TIMEOUT" -m 128 -kernel "$boot_file"

  local got
  got=$(grep -a -m1 '^bzelf: ' "$WORK/$name.log") || :
  if grep -qx 'bzelf-test: PASS' "$WORK/$name.log"; then
    fail "$name" "the kernel ran and passed despite the byte flipped at $where"
  elif grep -q '^bzelf-test: ' "$WORK/$name.log"; then
    fail "$name" "the stage jumped into the kernel despite the byte flipped at $where"
  elif [ -z "$got" ]; then
    fail "$name" "no 'bzelf: ... -- System halted' line within ${TIMEOUT}s (QEMU exit status $status)"
  elif ! grep -qE -e "$expected" <<<"$got"; then
    fail "$name" "stopped by another check: '$got', expected a line matching '$expected'"
  else
    pass "$name" "byte at $where: $got"
  fi
}

shopt -s nullglob
kernels=("$KERNELS_DIR"/test*.elf)
if [ ${#kernels[@]} -eq 0 ]; then
  echo "run.sh: no test kernels in $KERNELS_DIR (make test-kernels)" >&2
  exit 2
fi

for kernel in "${kernels[@]}"; do
  boot_kernel "$kernel"
done
boot_kernel "$KERNELS_DIR/test32.elf" builtin-cmdline
boot_kernel "$KERNELS_DIR/test64.elf" builtin-cmdline
boot_kernel "$KERNELS_DIR/test64.elf" sse2
boot_kernel "$KERNELS_DIR/test32.elf" no-sse2
corrupt "$KERNELS_DIR/test32.elf" payload
corrupt "$KERNELS_DIR/test32.elf" gzip-crc
corrupt "$KERNELS_DIR/test64.elf" gzip-isize
corrupt "$KERNELS_DIR/test32.elf" stage
corrupt "$KERNELS_DIR/test64.elf" params
corrupt "$KERNELS_DIR/test32.elf" setup-check

finish
