# shellcheck shell=sh
# What the test suites (tests/*/run.sh) share: the tools and their
# defaults, a scratch directory, counting PASS and FAIL and the closing
# line, booting QEMU with a timeout and an early stop, the serial log and
# keeping it when a test fails, and what a test kernel's report must say.
# POSIX sh, so that sh suites can source it as well as bash ones; boot,
# pass, fail and the checks of a report also work under set -e (a grep
# that finds nothing does not end the suite). A suite sets ROOT, the top
# of the tree, and sources it:
#   ROOT=$(cd "$(dirname "$0")/../.." && pwd)
#   . "$ROOT/tests/lib.sh"
#
# Environment (all optional):
#   BZELF        the host tool                  (build/bin/bzelf)
#   KERNELS_DIR  the built test kernels         (build/kernels)
#   LINUX_DIR    Debian's kernel, fetched there by tests/linux/fetch-kernel.sh
#                                               (build/linux/kernel)
#   QEMU         the emulator                   (qemu-system-x86_64)
#   OVMF_CODE, OVMF_VARS  the UEFI firmware of the suites that boot q35
#                with Debian's OVMF, and the variable store each boot
#                gets a copy of (/usr/share/OVMF/OVMF_CODE_4M.fd,
#                OVMF_VARS_4M.fd); tests/secureboot takes OVMF_SB_CODE
#                and OVMF_SB_VARS instead
#   LOG_DIR      logs of failed tests           (build/test-logs)
#   TEST_KERNEL_PASS_STATUS  QEMU's exit status for a test kernel's pass;
#                tests/kernels/build.mk exports it, and is asked for it
#                when it is not set (kernel_statuses).
#
# Every suite prints one line per test, "PASS <name>[: <what>]" or "FAIL
# <name>: <reason>" (a failure keeps the test's serial log and prints its
# tail), then "<N> passed, <M> failed" alone on the last line (finish).
# Exit status 1 if any test failed, 2 if the tests could not run at all.

BZELF=${BZELF:-$ROOT/build/bin/bzelf}
# For the scripts the suites run that read images (tests/image_info.py).
export BZELF
KERNELS_DIR=${KERNELS_DIR:-$ROOT/build/kernels}
LINUX_DIR=${LINUX_DIR:-$ROOT/build/linux/kernel}
QEMU=${QEMU:-qemu-system-x86_64}
OVMF_CODE=${OVMF_CODE:-/usr/share/OVMF/OVMF_CODE_4M.fd}
OVMF_VARS=${OVMF_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
LOG_DIR=${LOG_DIR:-$ROOT/build/test-logs}

# The command line the suites' images carry (bzelf build --cmdline). A boot
# without -append must deliver it; a loader always passes a command line of
# its own, so seeing this one arrive there would mean the loader's got lost.
BUILTIN_CMDLINE="console=ttyS0 bzelf-builtin"

# The one line with which the setup and the stage stop when an ELF64
# kernel meets a CPU without long mode (lib/cpu-check.cpp).
# shellcheck disable=SC2034 # for the suites
NEEDS64='bzelf: cpu: this kernel needs a 64-bit (x86-64) CPU; long mode not found -- System halted'

# What a suite may set after sourcing this file:
#   LOG_PREFIX  put in front of a test's name in the names of its kept logs
#   STOP_RE     serial output (an extended regular expression) after which
#               a boot cannot go on to pass: boot stops QEMU there. The
#               default is the one-line stop of the boot sector, the setup
#               and the stage (DESIGN.md, "Decompressor", step 6), which
#               halt the machine instead of exiting QEMU.
#   POLL        seconds between two looks at the serial log
#   TIMINGS     a file that gets one line per boot with how long it took
#               (a figure, never a verdict)
#   KERNEL_EXITS  empty on a machine without isa-debug-exit: the test
#               kernels' verdict is then their last serial line alone
#               (kernel_passed)
LOG_PREFIX=
STOP_RE='-- System halted'
KERNEL_EXITS=yes
POLL=0.25
TIMINGS=
# How long diagnose lets a machine run before its monitor looks.
DIAG_SECONDS=${DIAG_SECONDS:-2}

passed=0
failed=0

# require_kernels NAME...: exits with status 2 unless the test kernels
# KERNELS_DIR/NAME.elf are there.
require_kernels() {
  for required_kernel in "$@"; do
    if [ ! -f "$KERNELS_DIR/$required_kernel.elf" ]; then
      echo "run.sh: no $required_kernel.elf in $KERNELS_DIR (make test-kernels)" >&2
      exit 2
    fi
  done
}

# What every boot of a Debian kernel in the suites adds to its command
# line: quiet; panic=-1 (a panic resets, and -no-reboot ends QEMU); and
# no_timer_check: on a loaded host TCG's timer interrupts can come too late
# for Linux's IO-APIC timer check, which then panics ("IO-APIC + timer
# doesn't work!", seen in the kexec, EFI and KASLR suites here).
LINUX_TEST_ARGS="quiet panic=-1 no_timer_check"

# selected NAME: whether the test NAME is to run: every test, or with
# ONLY set (an extended regular expression; make mutate uses it), those
# whose names match it.
selected() {
  [ -z "${ONLY:-}" ] || printf '%s\n' "$1" | grep -qE -e "$ONLY"
}

# any_selected NAME...: whether ONLY selects one of the rows NAME... (for
# set-up that several rows share).
any_selected() {
  local name
  for name in "$@"; do
    selected "$name" && return 0
  done
  return 1
}

# require TOOL...: exits with status 2 unless every TOOL can be run.
require() {
  for required in "$@"; do
    if ! command -v "$required" >/dev/null; then
      echo "run.sh: $required: not found (tools/install-deps.sh installs it)" >&2
      exit 2
    fi
  done
}

# make_work SUITE: a scratch directory, WORK, removed when the suite exits
# (after making it writable again: a test may take that away), and LOG_DIR.
make_work() {
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/bzelf-$1.XXXXXX") || exit 2
  trap 'chmod -R u+w "$WORK" 2>/dev/null; rm -rf "$WORK"' EXIT
  mkdir -p "$LOG_DIR" || exit 2
}

# kernel_var NAME: a variable of tests/kernels/build.mk, for a suite run
# outside make.
kernel_var() {
  make -s --no-print-directory -C "$ROOT" print-test-kernel-var VAR="$1"
}

# kernel_statuses: PASS_STATUS and FAIL_STATUS, QEMU's exit status when a
# test kernel passes or fails (isa-debug-exit exits with 2 * value + 1;
# verdict.h: kDebugExitFail is kDebugExitPass + 1, so the status is + 2).
kernel_statuses() {
  PASS_STATUS=${TEST_KERNEL_PASS_STATUS:-$(kernel_var TEST_KERNEL_PASS_STATUS)}
  if [ -z "$PASS_STATUS" ]; then
    echo "run.sh: cannot get TEST_KERNEL_PASS_STATUS from tests/kernels/build.mk" >&2
    exit 2
  fi
  FAIL_STATUS=$((PASS_STATUS + 2))
}

# pass NAME [WHAT]: reports, and drops the logs a failed earlier run left.
pass() {
  echo "PASS $1${2:+: $2}"
  passed=$((passed + 1))
  rm -f "$LOG_DIR/$LOG_PREFIX$1.log" "$LOG_DIR/$LOG_PREFIX$1.qemu-log"
}

# fail NAME REASON: reports, keeps NAME's serial log (if it booted) and
# prints its tail, and keeps QEMU's trace if a test made one (diagnose).
fail() {
  echo "FAIL $1: $2"
  failed=$((failed + 1))
  if [ -s "$WORK/$1.log" ]; then
    cp "$WORK/$1.log" "$LOG_DIR/$LOG_PREFIX$1.log"
    echo "  serial log kept in $LOG_DIR/$LOG_PREFIX$1.log; its last lines:"
    # awk ends the last line too: a log cut short of its newline must
    # not run into the next report.
    tail -n 20 "$WORK/$1.log" | awk '{ print "  | " $0 }'
  fi
  if [ -s "$WORK/$1.qemu-log" ]; then
    cp "$WORK/$1.qemu-log" "$LOG_DIR/$LOG_PREFIX$1.qemu-log"
    echo "  QEMU's trace kept in $LOG_DIR/$LOG_PREFIX$1.qemu-log"
  fi
}

# finish: the closing line; the suite's exit status when it comes last.
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# oneline FILE: the first lines of FILE on one line, for a reason.
oneline() {
  head -n 3 "$1" 2>/dev/null | tr '\n' ' '
}

# bzelf_build LOG KERNEL IMAGE [OPTION...]: `bzelf build KERNEL -o IMAGE
# OPTION...`, the tool's words in LOG; on failure prints the reason and
# returns 1.
bzelf_build() {
  bzelf_build_log=$1 bzelf_build_kernel=$2
  shift 2
  if ! "$BZELF" build "$bzelf_build_kernel" -o "$@" >"$bzelf_build_log" 2>&1; then
    echo "bzelf build $bzelf_build_kernel failed: $(oneline "$bzelf_build_log")"
    return 1
  fi
}

# build_image NAME IMAGE KERNEL [OPTION...]: bzelf_build into IMAGE, the
# tool's words in IMAGE.build; on failure a FAIL for NAME and status 1.
build_image() {
  build_name=$1 build_out=$2 build_kernel=$3
  shift 3
  build_reason=$(bzelf_build "$build_out.build" "$build_kernel" "$build_out" "$@") || {
    fail "$build_name" "$build_reason"
    return 1
  }
}

# debian_image IMAGE INITRD LOGS: Debian's kernel, fetched into LINUX_DIR
# (tests/linux/fetch-kernel.sh), its bzelf image IMAGE, and the initramfs
# of tests/linux in INITRD, whose /init prints the marker and powers off;
# the steps' words go to LOGS.fetch, LOGS.build and LOGS.initramfs. On
# failure prints the reason and returns 1.
debian_image() {
  if ! "$ROOT/tests/linux/fetch-kernel.sh" "$LINUX_DIR" >"$3.fetch" 2>&1; then
    echo "tests/linux/fetch-kernel.sh failed: $(oneline "$3.fetch")"
    return 1
  fi
  bzelf_build "$3.build" "$LINUX_DIR/vmlinux" "$1" || return 1
  linux_initramfs "$2" "$3"
}

# linux_initramfs INITRD LOGS ["OPTION..."] [DIR]: the initramfs of
# tests/linux in INITRD, whose /init checks its blob (and with --efi, that
# Linux found EFI: /sys/firmware/efi; --tpm dumps the TPM's event log and
# PCR 9), prints the marker and powers off; its words go to
# LOGS.initramfs. DIR: where fetch-kernel.sh put an i386 kernel, whose
# busybox (DIR/root) goes in instead of the host's, which a 32-bit kernel
# cannot run. On failure prints the reason and returns 1.
linux_initramfs() {
  # shellcheck disable=SC2086 # no option, or several in one word
  if ! "$ROOT/tests/linux/make-initramfs.sh" ${3:-} "$1" ${4:+"$4"} >"$2.initramfs" 2>&1; then
    echo "tests/linux/make-initramfs.sh failed: $(oneline "$2.initramfs")"
    return 1
  fi
}

# syslinux_cfg IMAGE INITRD ARGS: the syslinux.cfg (also isolinux.cfg and
# pxelinux.cfg/default) that boots IMAGE with INITRD and ARGS, on the
# serial console and without a prompt. syslinux puts "BOOT_IMAGE=IMAGE "
# in front of ARGS and " initrd=INITRD" after them (seen with 6.04).
syslinux_cfg() {
  cat <<EOF
SERIAL 0 115200
PROMPT 0
TIMEOUT 0
DEFAULT bzelf
LABEL bzelf
  KERNEL $1
  INITRD $2
  APPEND $3
EOF
}

# test_kernel_image KERNEL IMAGE INITRD LOG: tests/kernels' KERNEL.elf as
# the bzelf image IMAGE, with BUILTIN_CMDLINE built in (the tool's words in
# LOG), and a random initrd INITRD (make_initrd). Prints the line the test
# kernel must report for that initrd, or on failure the reason, and
# returns 1.
test_kernel_image() {
  bzelf_build "$4" "$KERNELS_DIR/$1.elf" "$2" --cmdline "$BUILTIN_CMDLINE" || return 1
  make_initrd "$3" || {
    echo "cannot make the initrd $3"
    return 1
  }
}

# throwaway_key: the throwaway key and certificate of sign_image, made in
# WORK unless they are there; a suite whose rows sign in parallel makes
# them first. On failure prints the reason and returns 1.
throwaway_key() {
  [ -s "$WORK/sign-cert.pem" ] && return
  if ! openssl req -new -x509 -newkey rsa:2048 -nodes -subj /CN=bzelf-test -days 1 \
    -keyout "$WORK/sign-key.pem" -out "$WORK/sign-cert.pem" >"$WORK/sign-key.log" 2>&1; then
    echo "openssl could not make a key: $(oneline "$WORK/sign-key.log")"
    return 1
  fi
}

# sign_image IMAGE SIGNED [KEY CERT]: IMAGE signed as a distribution signs
# its kernels, by sbsign (which appends a certificate table), into SIGNED;
# sbsign's words in SIGNED.sbsign. Without KEY and CERT, with a throwaway
# key and certificate made once in WORK. On failure prints the reason
# and returns 1.
sign_image() {
  sign_key=${3:-$WORK/sign-key.pem} sign_cert=${4:-$WORK/sign-cert.pem}
  if [ -z "${3:-}" ]; then
    throwaway_key || return 1
  fi
  if ! sbsign --key "$sign_key" --cert "$sign_cert" --output "$2" "$1" >"$2.sbsign" 2>&1; then
    echo "sbsign failed: $(oneline "$2.sbsign")"
    return 1
  fi
}

# token: a value no earlier run could have left in memory.
token() {
  od -An -N8 -tx1 /dev/urandom | tr -d ' \n'
}

# make_initrd FILE: writes a random initrd of an odd size (so that a loader
# or kernel that rounds it shows) and prints the line a test kernel given
# it must print.
make_initrd() {
  head -c 70001 /dev/urandom >"$1"
  python3 -c '
import sys, zlib
data = open(sys.argv[1], "rb").read()
print("bzelf-test: initrd: size=%d crc32=0x%08x" % (len(data), zlib.crc32(data)))
' "$1"
}

# image_info IMAGE KEY...: what `bzelf info --json IMAGE` says at each
# KEY, a dotted path such as layout.part5.file_offset (tests/image_info.py),
# one value a line. Scripts find the pieces of an image this way, never by
# decoding its header themselves.
image_info() {
  python3 "$ROOT/tests/image_info.py" "$@"
}

# info_is FILE KEY WANT: adds a reason unless `bzelf info --json FILE`
# says WANT at KEY (image_info; what it says when it cannot read FILE or
# has no KEY is what the reason shows).
info_is() {
  info_got=$(image_info "$1" "$2" 2>&1) || :
  [ "$info_got" = "$3" ] || reasons="${reasons}info $2 is '$info_got', not '$3'; "
}

# efi_application IMAGE: whether `bzelf info --json IMAGE` says IMAGE is
# an EFI application that UEFI firmware can start (tests/image_info.py,
# EfiApplication: pe.Subsystem 10 and a non-zero pe.AddressOfEntryPoint).
efi_application() {
  python3 "$ROOT/tests/image_info.py" --efi-application "$1"
}

# part5_offset IMAGE: where part 5 starts in IMAGE.
part5_offset() {
  image_info "$1" layout.part5.file_offset
}

# stage_elf IMAGE OUT: part 5 of IMAGE, the stage ELF that QEMU -kernel
# boots through its PVH note (DESIGN.md).
stage_elf() {
  stage_elf_at=$(part5_offset "$1") || return 1
  tail -c +$((stage_elf_at + 1)) "$1" >"$2"
}

# serial_log NAME: the serial output of NAME's boot so far, in NAME.log,
# without the '\r' before each '\n' and the escape sequences GRUB and
# OVMF draw their screens with (OVMF's terminal also sends "ESC [=3h",
# a screen mode). (One sed, as boot runs it several times a second.)
CR=$(printf '\r')
ESC=$(printf '\033')
serial_log() {
  LC_ALL=C sed "s/$CR//g; s/$ESC\[[0-9;?=]*[A-Za-z]//g" \
    <"$WORK/$1.serial" >"$WORK/$1.log"
}

# boot NAME SECONDS QEMU_ARGS...: boots the machine every suite uses (no
# display and no monitor, so that nothing claims stdio; -no-reboot, so that
# a reset ends QEMU with status 0; isa-debug-exit at 0xf4, through which
# the test kernels report) with QEMU_ARGS, for at most SECONDS. QEMU's own
# output goes to NAME.qemu, the serial output to NAME.serial and, without
# '\r', to NAME.log, all in WORK (NAME may name a subdirectory). QEMU is
# stopped once a line matches STOP_RE. Sets status (QEMU's exit status;
# 124 or 137 at the timeout) and stopped (the line QEMU was stopped at,
# or nothing).
boot() {
  boot_name=$1
  boot_seconds=$2
  shift 2
  run_watched "$boot_name" "$boot_seconds" "$STOP_RE" "$QEMU" -display none \
    -monitor none -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -serial "file:$WORK/$boot_name.serial" "$@"
}

# run_watched NAME SECONDS STOP_RE COMMAND...: runs the emulator COMMAND,
# which writes the guest's serial output to WORK/NAME.serial, for at most
# SECONDS, its own output in NAME.qemu, and stops it once a line of
# NAME.log matches STOP_RE. Sets status, stopped and boot_seconds as boot
# says, and adds a line to TIMINGS.
run_watched() {
  boot_name=$1
  boot_seconds=$2
  run_stop_re=$3
  shift 3
  stopped=
  : >"$WORK/$boot_name.serial"
  boot_start=$(date +%s%N)
  timeout -k 5 "$boot_seconds" "$@" </dev/null >"$WORK/$boot_name.qemu" 2>&1 &
  boot_pid=$!
  while kill -0 "$boot_pid" 2>/dev/null; do
    serial_log "$boot_name"
    if grep -aqE -e "$run_stop_re" "$WORK/$boot_name.log"; then
      sleep "$POLL" # the rest of the message
      # timeout passes the TERM on to the emulator.
      kill "$boot_pid" 2>/dev/null || :
      serial_log "$boot_name"
      # shellcheck disable=SC2034 # for the suites
      stopped=$(grep -a -m1 -E -e "$run_stop_re" "$WORK/$boot_name.log") || :
      break
    fi
    sleep "$POLL"
  done
  status=0
  wait "$boot_pid" || status=$?
  serial_log "$boot_name"
  if [ -n "$TIMINGS" ]; then
    boot_ms=$((($(date +%s%N) - boot_start) / 1000000))
    printf '%-32s %4d.%d s\n' "$boot_name" $((boot_ms / 1000)) \
      $((boot_ms / 100 % 10)) >>"$TIMINGS"
  fi
}

# describe_status: what QEMU's exit status after boot says about a test
# kernel's boot.
describe_status() {
  if [ -n "$stopped" ]; then
    echo "stopped at '$stopped'"
    return
  fi
  case $status in
    "$PASS_STATUS") echo "the kernel passed" ;;
    "$FAIL_STATUS") echo "the kernel reported FAIL" ;;
    124 | 137) echo "no exit within ${boot_seconds}s (hung or halted)" ;;
    0) echo "the guest reset (a triple fault?) or powered off" ;;
    *) echo "QEMU failed or was stopped" ;;
  esac
}

# outcome NAME: one line on how the boot of NAME ended:
#   halted <the first "bzelf: " line> | intact | kernel-fail <verdict> |
#   reset | hung [<last serial line>] | qemu-error <status> <QEMU's words>
# Only the boot sector, the setup and the stage print "bzelf: " lines,
# and only to say why they stop; "intact" is a test kernel that passed.
outcome() {
  if grep -aq '^bzelf: ' "$WORK/$1.log"; then
    echo "halted $(grep -a -m1 '^bzelf: ' "$WORK/$1.log")"
  elif [ "$status" -eq "$PASS_STATUS" ] && grep -aqx 'bzelf-test: PASS' "$WORK/$1.log"; then
    echo intact
  elif [ "$status" -eq "$FAIL_STATUS" ] || grep -aq '^bzelf-test: FAIL' "$WORK/$1.log"; then
    echo "kernel-fail $(grep -a -m1 '^bzelf-test: FAIL' "$WORK/$1.log")"
  elif [ "$status" -eq 0 ]; then
    echo reset
  elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "hung $(grep -a . "$WORK/$1.log" | tail -n 1 | cut -c1-120)"
  else
    echo "qemu-error $status $(head -n 1 "$WORK/$1.qemu")"
  fi
}

# diagnose NAME QEMU_ARGS...: boots QEMU_ARGS again under QEMU's -d
# int,cpu_reset and writes NAME.qemu-log: the last lines of that trace
# (the exceptions that led to a reset, with the CPU state), then what the
# monitor says about the CPU after DIAG_SECONDS (where a hang spins).
diagnose() {
  diag=$WORK/$1
  shift
  # shellcheck disable=SC2016 # $pc is the monitor's, not the shell's
  { sleep "$DIAG_SECONDS"; printf '%s\n' 'info registers' 'x /6i $pc' quit; } |
    timeout -k 2 $((DIAG_SECONDS + 5)) "$QEMU" -display none -monitor stdio \
      -serial null -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
      "$@" -d int,cpu_reset -D "$diag.trace" >"$diag.monitor" 2>&1
  {
    echo "== last lines of -d int,cpu_reset"
    tail -n 60 "$diag.trace" 2>/dev/null
    echo "== monitor after ${DIAG_SECONDS}s (empty: QEMU had exited)"
    tr -d '\r' <"$diag.monitor" | grep -a -E '^(EAX|ESI|EIP|ES |CS |SS |DS |CR0|GDT|IDT)|^0x'
  } >"$diag.qemu-log"
  rm -f "$diag.trace"
}

# The checks of a test kernel's report (tests/kernels/README.md) in the log
# of boot NAME. Each adds what is wrong to reasons, "<reason>; " at a time;
# judge turns them into the test's verdict.

# kernel_passed NAME: QEMU exited with the kernel's PASS status, and the
# kernel printed its PASS line. On a machine without isa-debug-exit
# (KERNEL_EXITS empty: Bochs), the emulator was stopped at that line
# instead (run_watched with the kernel's verdict in its STOP_RE).
kernel_passed() {
  if [ -z "$KERNEL_EXITS" ]; then
    if [ "$stopped" != 'bzelf-test: PASS' ]; then
      reasons="${reasons}stopped at '${stopped:-nothing}' (exit status $status), not at the kernel's PASS line; "
    fi
  elif [ "$status" -ne "$PASS_STATUS" ]; then
    reasons="${reasons}QEMU exit status $status: $(describe_status); "
  fi
  if ! grep -qx 'bzelf-test: PASS' "$WORK/$1.log"; then
    verdict=$(grep -m1 -E '^(bzelf-test: FAIL|bzelf: )' "$WORK/$1.log") || :
    reasons="${reasons}no PASS line (${verdict:-no verdict at all}); "
  fi
}

# kernel_report NAME CMDLINE INITRD_LINE: kernel_passed, and the kernel
# saw exactly CMDLINE and printed INITRD_LINE (make_initrd's, or
# "bzelf-test: initrd: none").
kernel_report() {
  kernel_passed "$1"
  # A kernel that never ran has nothing more to say.
  grep -q '^bzelf-test: ' "$WORK/$1.log" || return 0
  if ! grep -qxF "bzelf-test: cmdline: $2" "$WORK/$1.log"; then
    got=$(grep -m1 -E '^bzelf-test: (no )?cmdline' "$WORK/$1.log") || :
    reasons="${reasons}command line is not '$2' (got '${got#bzelf-test: }'); "
  fi
  if ! grep -qxF "$3" "$WORK/$1.log"; then
    reasons="${reasons}initrd report is not '${3#bzelf-test: }'; "
  fi
}

# linux_marker NAME CMDLINE: Debian's kernel ran the /init of
# tests/linux/make-initramfs.sh, which found its initrd intact and printed
# its marker with CMDLINE as /proc/cmdline.
linux_marker() {
  if ! grep -qxF "BZELF-LINUX-OK cmdline=[$2]" "$WORK/$1.log"; then
    got=$(grep -m1 -E 'BZELF-LINUX-(OK|BAD)' "$WORK/$1.log") || :
    if [ -n "$got" ]; then
      reasons="${reasons}marker is '$got', expected 'BZELF-LINUX-OK cmdline=[$2]'; "
    elif [ -n "$stopped" ]; then
      reasons="${reasons}stopped at '$stopped'; "
    elif [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
      reasons="${reasons}no marker within ${boot_seconds}s; "
    else
      reasons="${reasons}no marker line (QEMU exit status $status); "
    fi
  fi
}

# a20_report DEBUGCON HOW: the setup said on the debug console (port
# 0xe9; what it printed is in the file DEBUGCON) that it opened the A20
# gate HOW (boot/a20.cpp: "already on", "on by the keyboard controller",
# ...). Adds a reason if not.
a20_report() {
  a20_said=$(grep -a -m1 '^bzelf-setup: a20: ' "$1" 2>/dev/null) || :
  if [ "$a20_said" != "bzelf-setup: a20: $2" ]; then
    reasons="${reasons}the setup did not report 'a20: $2' on the debug console (${a20_said:-it said nothing}); "
  fi
}

# judge NAME: PASS when there are no reasons, else FAIL with them and
# QEMU's own words, which explain a failure but do not make one (its note
# that it was stopped explains nothing).
judge() {
  if [ -z "$reasons" ]; then
    pass "$1"
    return
  fi
  said=$(grep -v 'terminating on signal' "$WORK/$1.qemu" 2>/dev/null | head -n 2 | tr '\n' ' ')
  if [ -n "$said" ]; then
    reasons="${reasons}QEMU said: $said; "
  fi
  fail "$1" "${reasons%; }"
}

# run_rows NAME_OF RUN ROW...: runs a suite's rows, which must not
# depend on each other, JOBS at a time (all at once when JOBS is empty),
# each in a process of its own that writes its words to
# WORK/<name>.result; once all have ended, prints those words in the
# rows' order and counts each row by its "FAIL <name>: " or else its
# "PASS <name>" line, failing a row that ended without either. A ROW is words: `NAME_OF
# ROW` prints the row's name (first_word for rows led by their name) and
# `RUN ROW` runs it; a row ONLY does not select is left out. Bash only
# (wait_for_slot), as is every suite that runs its rows in parallel.
run_rows() {
  rows_name_of=$1 rows_run=$2
  shift 2
  for rows_row in "$@"; do
    # shellcheck disable=SC2086 # a row is words
    rows_name=$($rows_name_of $rows_row)
    selected "$rows_name" || continue
    wait_for_slot
    # shellcheck disable=SC2086 # a row is words
    $rows_run $rows_row >"$WORK/$rows_name.result" 2>&1 &
  done
  wait
  for rows_row in "$@"; do
    # shellcheck disable=SC2086 # a row is words
    rows_name=$($rows_name_of $rows_row)
    selected "$rows_name" || continue
    cat "$WORK/$rows_name.result" 2>/dev/null
    # A FAIL line wins over a PASS line the row may also have printed.
    if grep -q "^FAIL $rows_name: " "$WORK/$rows_name.result" 2>/dev/null; then
      failed=$((failed + 1))
    elif grep -q "^PASS $rows_name\(: \|$\)" "$WORK/$rows_name.result" 2>/dev/null; then
      passed=$((passed + 1))
    else
      fail "$rows_name" "the row stopped without a report"
    fi
  done
}

# wait_for_slot: returns once fewer than JOBS of the suite's background
# jobs run (at once when JOBS is empty), so that the next job started
# makes JOBS at most: run_rows's rows, or a suite's boots. JOBS=0 (or 1)
# runs one at a time. A job's exit status is the job's to report, not a
# reason to stop (set -e); with no job left to wait for (wait -n's 127),
# there is a slot. Bash only (wait -n, jobs -r).
# shellcheck disable=SC3045 # bash's wait -n and jobs -r
wait_for_slot() {
  while [ -n "${JOBS:-}" ] && [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do
    wait -n || [ $? -ne 127 ] || break
  done
}

# first_word WORD...: the first word; the name of a row that its name
# leads (run_rows).
first_word() {
  echo "$1"
}

# legacy_sizes NAME: alt_mem_k and ext_mem_k as a setup must make them
# (lib/e801.h; Linux's arch/x86/boot/memory.c reads them alike) from
# what INT 15h E801h and AH=88h answered tests/int15's hook in NAME's
# log ("int15-hook: E801h: AX BX CX DX" or "... none"; the same for
# 88h), one line "ALT EXT"; nothing when the hook printed neither line.
# E801: CX/DX when either is non-zero, else AX/BX; KiB from 1 to 16 MiB
# plus 64 KiB blocks above, the blocks counting only when the first
# count is the full 15 MiB (else a hole below 16 MiB ends the RAM);
# more than 15 MiB in the first count is nonsense and gives 0. The rule
# is written out again here, not taken from lib/e801.h, on purpose: the
# rows hold the setup's result against it.
legacy_sizes() {
  legacy_e801=$(sed -n 's/^int15-hook: E801h: //p' "$WORK/$1.log" | head -n 1)
  legacy_88h=$(sed -n 's/^int15-hook: 88h: //p' "$WORK/$1.log" | head -n 1)
  [ -n "$legacy_e801" ] && [ -n "$legacy_88h" ] || return 0
  legacy_alt=0 legacy_ext=0
  if [ "$legacy_e801" != none ]; then
    # shellcheck disable=SC2086 # four words
    set -- $legacy_e801
    legacy_low=$((0x$1)) legacy_high=$((0x$2))
    if [ $((0x$3)) -ne 0 ] || [ $((0x$4)) -ne 0 ]; then
      legacy_low=$((0x$3)) legacy_high=$((0x$4))
    fi
    if [ "$legacy_low" -eq $((15 * 1024)) ]; then
      legacy_alt=$((legacy_low + legacy_high * 64))
    elif [ "$legacy_low" -lt $((15 * 1024)) ]; then
      legacy_alt=$legacy_low
    fi
  fi
  if [ "$legacy_88h" != none ]; then
    # shellcheck disable=SC2086 # four words
    set -- $legacy_88h
    legacy_ext=$((0x$1))
  fi
  echo "$legacy_alt $legacy_ext"
}
