#!/usr/bin/env bash
# Boots every test kernel (tests/kernels/) wrapped by `bzelf build` under
# QEMU's -kernel loader -- the real-mode entry path of DESIGN.md -- and
# checks what the kernels report on serial; then checks that a corrupted
# payload, stage or stage parameter block stops the stage with its one-line
# reason instead of booting.
#
# Environment (all optional):
#   BZELF        the host tool                  (build/bin/bzelf)
#   KERNELS_DIR  the built test kernels         (build/kernels)
#   QEMU         the emulator                   (qemu-system-x86_64)
#   TIMEOUT      seconds allowed per boot       (60)
#   LOG_DIR      serial logs of failed tests    (build/test-logs)
#   TEST_KERNEL_PASS_STATUS  QEMU's exit status for a pass; build.mk
#                exports it, and is asked for it when it is not set.
#
# Output: one line per test, "PASS <name>" or "FAIL <name>: <reason>" (a
# failure also keeps its serial log and prints the log's tail), then
# "<N> passed, <M> failed" alone on the last line. Exit status 1 if any
# test failed, 2 if the tests could not run at all.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BZELF=${BZELF:-$ROOT/build/bin/bzelf}
KERNELS_DIR=${KERNELS_DIR:-$ROOT/build/kernels}
QEMU=${QEMU:-qemu-system-x86_64}
TIMEOUT=${TIMEOUT:-60}
LOG_DIR=${LOG_DIR:-$ROOT/build/test-logs}
PASS_STATUS=${TEST_KERNEL_PASS_STATUS:-$(make -s --no-print-directory -C "$ROOT" print-test-kernel-pass-status)}

# The command line every image carries (bzelf build --cmdline). A boot with
# -append must pass the loader's to the kernel; one without, this one.
BUILTIN_CMDLINE="console=ttyS0 bzelf-builtin"
# The serial line the stage prints when it gives up (DESIGN.md,
# "Decompressor", step 6).
STAGE_HALTED='^bzelf: .* -- System halted'

for tool in "$BZELF" "$QEMU" python3 timeout; do
  if ! command -v "$tool" >/dev/null; then
    echo "run.sh: $tool: not found" >&2
    exit 2
  fi
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/bzelf-qemu.XXXXXX") || exit 2
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$LOG_DIR" || exit 2

passed=0
failed=0

# pass NAME: reports, and drops a log a failed earlier run left behind.
pass() {
  echo "PASS $1"
  passed=$((passed + 1))
  rm -f "$LOG_DIR/$1.log"
}

# fail NAME REASON: reports, keeps NAME's serial log, prints its tail.
fail() {
  echo "FAIL $1: $2"
  failed=$((failed + 1))
  if [ -s "$WORK/$1.log" ]; then
    cp "$WORK/$1.log" "$LOG_DIR/$1.log"
    echo "  serial log kept in $LOG_DIR/$1.log; its last lines:"
    tail -n 25 "$LOG_DIR/$1.log" | sed 's/^/  | /'
  fi
}

# serial_log NAME: the serial output of NAME's boot so far, without the
# '\r' the kernels and the stage put before each '\n'.
serial_log() {
  tr -d '\r' <"$WORK/$1.serial" >"$WORK/$1.log" 2>/dev/null
}

# qemu_args IMAGE SERIAL_FILE: the machine every test boots.
# -display none and -serial file: instead of -nographic, which would also
# claim stdio for the serial port; -monitor none for the same reason.
qemu_args() {
  printf '%s\n' -kernel "$1" -m 128 -display none -no-reboot \
    -serial "file:$2" -monitor none \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04
}

# describe_status STATUS: what QEMU's exit status says about the boot.
describe_status() {
  case $1 in
    "$PASS_STATUS") echo "the kernel passed" ;;
    # verdict.h: kDebugExitFail is kDebugExitPass + 1, so status + 2.
    $((PASS_STATUS + 2))) echo "the kernel reported FAIL" ;;
    124 | 137) echo "no exit within ${TIMEOUT}s (hung or halted)" ;;
    0) echo "the guest reset (a triple fault?) or powered off" ;;
    *) echo "QEMU failed" ;;
  esac
}

# boot_kernel KERNEL [builtin-cmdline]: builds KERNEL into an image, boots
# it with a fresh command line and initrd (or with neither, to see the
# built-in command line arrive), and checks the kernel's report.
boot_kernel() {
  local kernel=$1 variant=${2:-} name image initrd cmdline token status
  local reasons="" expected builtin
  name=$(basename "$kernel" .elf)${variant:+-$variant}
  image=$WORK/$name.img
  initrd=$WORK/$name.initrd
  # A token no earlier run could have left in memory, spaces, quotes and
  # an '=' in a value: the kernel must print exactly this back.
  token=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
  builtin=$BUILTIN_CMDLINE
  [ -n "$variant" ] && builtin+=" token=$token"

  if ! "$BZELF" build "$kernel" -o "$image" --cmdline "$builtin" \
      >"$WORK/$name.build" 2>&1; then
    fail "$name" "bzelf build failed: $(head -n 3 "$WORK/$name.build" | tr '\n' ' ')"
    return
  fi
  # The payload is compressed and bzelf lays segments out so that gaps
  # compress away: an image much bigger than the ELF file means the gap
  # between segments (test*-spread) went into it.
  if [ "$(wc -c <"$image")" -gt $(($(wc -c <"$kernel") + 1024 * 1024)) ]; then
    reasons="image is $(wc -c <"$image") bytes for a $(wc -c <"$kernel")-byte ELF; "
  fi

  local -a args
  mapfile -t args < <(qemu_args "$image" "$WORK/$name.serial")
  if [ "$variant" = builtin-cmdline ]; then
    cmdline=$builtin
    expected="bzelf-test: initrd: none"
  else
    cmdline="console=ttyS0 bzelf.test=$name token=$token say=\"two words\" end"
    # An odd size, so that a loader or kernel that rounds shows it.
    head -c 70001 /dev/urandom >"$initrd"
    expected=$(python3 -c '
import sys, zlib
data = open(sys.argv[1], "rb").read()
print("bzelf-test: initrd: size=%d crc32=0x%08x" % (len(data), zlib.crc32(data)))
' "$initrd")
    args+=(-append "$cmdline" -initrd "$initrd")
  fi
  timeout -k 5 "$TIMEOUT" "$QEMU" "${args[@]}" </dev/null \
    >"$WORK/$name.qemu" 2>&1
  status=$?
  serial_log "$name"

  if [ "$status" -ne "$PASS_STATUS" ]; then
    reasons+="QEMU exit status $status: $(describe_status "$status"); "
  fi
  if ! grep -qx 'bzelf-test: PASS' "$WORK/$name.log"; then
    local verdict
    verdict=$(grep -m1 -E '^(bzelf-test: FAIL|bzelf: )' "$WORK/$name.log")
    reasons+="no PASS line (${verdict:-no verdict at all}); "
  fi
  if ! grep -qxF "bzelf-test: cmdline: $cmdline" "$WORK/$name.log"; then
    local got
    got=$(grep -m1 -E '^bzelf-test: (no )?cmdline' "$WORK/$name.log")
    reasons+="command line not echoed as passed (got '${got#bzelf-test: }'); "
  fi
  if ! grep -qxF "$expected" "$WORK/$name.log"; then
    reasons+="initrd report is not '${expected#bzelf-test: }'; "
  fi
  # QEMU's own messages explain a failure, but do not make one.
  if [ -n "$reasons" ] && [ -s "$WORK/$name.qemu" ]; then
    reasons+="QEMU said: $(head -n 2 "$WORK/$name.qemu" | tr '\n' ' '); "
  fi

  if [ -z "$reasons" ]; then
    pass "$name"
  else
    fail "$name" "${reasons%; }"
  fi
}

# corrupt KERNEL WHAT: flips one byte of an image of KERNEL and requires
# the stage to stop with its one-line reason. WHAT is where: "payload" (the
# middle of the compressed kernel), "stage" (the decompressor's code) or
# "params" (the segment table the tool recorded for the stage).
corrupt() {
  local kernel=$1 what=$2 name image pid status i
  name=corrupt-$what-$(basename "$kernel" .elf)
  image=$WORK/$name.img

  if ! "$BZELF" build "$kernel" -o "$image" >"$WORK/$name.build" 2>&1; then
    fail "$name" "bzelf build failed: $(head -n 3 "$WORK/$name.build" | tr '\n' ' ')"
    return
  fi
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

  # The stage halts rather than exiting QEMU: boot in the background and
  # stop QEMU once the stage's line appears (or at the timeout).
  local -a args
  mapfile -t args < <(qemu_args "$image" "$WORK/$name.serial")
  : >"$WORK/$name.serial"
  timeout -k 5 "$TIMEOUT" "$QEMU" "${args[@]}" </dev/null \
    >"$WORK/$name.qemu" 2>&1 &
  pid=$!
  for ((i = 0; i < TIMEOUT * 4; i++)); do
    serial_log "$name"
    if grep -qE "$STAGE_HALTED" "$WORK/$name.log" ||
      ! kill -0 "$pid" 2>/dev/null; then
      break
    fi
    sleep 0.25
  done
  # timeout passes the TERM on to QEMU.
  kill "$pid" 2>/dev/null
  wait "$pid"
  status=$?
  serial_log "$name"

  if grep -qx 'bzelf-test: PASS' "$WORK/$name.log"; then
    fail "$name" "the kernel ran and passed despite the corrupted $what"
  elif grep -q '^bzelf-test: ' "$WORK/$name.log"; then
    fail "$name" "the stage jumped into the kernel despite the corrupted $what"
  elif ! grep -qE "$STAGE_HALTED" "$WORK/$name.log"; then
    fail "$name" "no '$STAGE_HALTED' line within ${TIMEOUT}s (QEMU exit status $status)"
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
corrupt "$KERNELS_DIR/test32.elf" payload
corrupt "$KERNELS_DIR/test32.elf" stage
corrupt "$KERNELS_DIR/test64.elf" params

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
