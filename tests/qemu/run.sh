#!/usr/bin/env bash
# Boots every test kernel (tests/kernels/) wrapped by `bzelf build` under
# QEMU's -kernel loader -- the real-mode entry path of DESIGN.md -- and
# checks what the kernels report on serial (and that the stage handed CR4
# back as the setup left it), test64 also for the stage's SSE2 copies and
# test32 on a CPU without SSE2 (-cpu pentium2); then checks that a corrupted
# payload, stage or stage parameter block stops the stage with its one-line
# reason instead of booting.
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

  local -a args=(-m 128 -kernel "$image")
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
  # The stage turns SSE on for its inflate where the CPU has it
  # (compressed/sse2.cpp) and must hand CR4 back as the loader left it:
  # here the real-mode setup, which never sets CR4.OSFXSR (bit 9).
  local cr4
  cr4=$(grep -a -m1 -o 'entry: CR0=[0-9a-fx]* .*CR4=0x[0-9a-f]*' "$WORK/$name.log" | sed 's/.*CR4=//')
  if [ -n "$cr4" ] && (((cr4 >> 9) & 1)); then
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

# corrupt KERNEL WHAT: flips one byte of an image of KERNEL and requires
# the stage to stop with its one-line reason. WHAT is where: "payload" (the
# middle of the compressed kernel), "stage" (the decompressor's code) or
# "params" (the segment table the tool recorded for the stage).
corrupt() {
  local kernel=$1 what=$2 name image
  name=corrupt-$what-$(basename "$kernel" .elf)
  selected "$name" || return 0
  image=$WORK/$name.img

  build_image "$name" "$image" "$kernel" || return
  # Where the payload is, from the setup header (boot.rst): part 5 starts
  # after the boot sector and setup_sects setup sectors (0 means 4);
  # payload_offset counts from part 5, payload_length is its size.
  # The stage parameters are found through part 5's notes (tools/stage-elf.h):
  # at 0x1c0 the 20-byte Xen PVH note, then the bzelf note, whose first
  # descriptor word is the parameters' offset in part 5.
  if ! python3 - "$image" "$what" >"$WORK/$name.flip" 2>&1 <<'PYTHON'
import struct, sys
path, what = sys.argv[1], sys.argv[2]
data = bytearray(open(path, "rb").read())
setup_sects = data[0x1F1] or 4
part5 = (setup_sects + 1) * 512
payload_offset, payload_length = struct.unpack_from("<II", data, 0x248)
if payload_length < 64 or part5 + payload_offset + payload_length > len(data):
    sys.exit("payload_offset/payload_length do not describe a payload")
if what == "payload":
    where = part5 + payload_offset + payload_length // 2
elif what == "stage":
    where = part5 + 0x2000
else:
    params = struct.unpack_from("<I", data, part5 + 0x1C0 + 20 + 12 + 8)[0]
    where = part5 + params + 0x60  # inside segments[]
data[where] ^= 0xFF
open(path, "wb").write(data)
print("flipped the byte at file offset 0x%x" % where)
PYTHON
  then
    fail "$name" "could not corrupt the image: $(tr '\n' ' ' <"$WORK/$name.flip")"
    return
  fi

  # The stage halts rather than exiting QEMU: boot stops QEMU at its line.
  boot "$name" "$TIMEOUT" -m 128 -kernel "$image"

  if grep -qx 'bzelf-test: PASS' "$WORK/$name.log"; then
    fail "$name" "the kernel ran and passed despite the corrupted $what"
  elif grep -q '^bzelf-test: ' "$WORK/$name.log"; then
    fail "$name" "the stage jumped into the kernel despite the corrupted $what"
  elif ! grep -qE '^bzelf: .* -- System halted' "$WORK/$name.log"; then
    fail "$name" "no 'bzelf: ... -- System halted' line within ${TIMEOUT}s (QEMU exit status $status)"
  else
    pass "$name"
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
corrupt "$KERNELS_DIR/test32.elf" stage
corrupt "$KERNELS_DIR/test64.elf" params

finish
