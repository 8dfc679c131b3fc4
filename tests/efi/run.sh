#!/usr/bin/env bash
# The UEFI rows: an image booted as an EFI application by Debian's OVMF
# (q35, OVMF_CODE_4M.fd with a copy of OVMF_VARS_4M.fd), straight from the
# firmware and through every EFI loader that boots Linux, each from a FAT
# ESP made with mtools (no root, no loop device). tests/efi/README.md lists
# the rows, their exact configuration and the command line each loader
# hands over, byte for byte; each row checks that the kernel saw exactly
# that.
#
# The image is a parameter. The control is Debian's own vmlinuz, an EFI
# application through Linux's EFI stub: every row must boot it (and fail
# for anything that is not an EFI application: EFI_IMAGE=<a plain ELF>).
# The bzelf variants of every row boot bzelf images of the test kernels
# (test64, test32) and of Debian's vmlinux; they run unless EFI_BZELF
# says otherwise (an image that is not an EFI application fails them: the
# loaders refuse it). GRUB's `linux` also boots a bzelf image through its
# legacy path: those rows run always.
#
# Debian's kernel boots to the initramfs of tests/linux/make-initramfs.sh
# --efi: /init checks its blob and that /sys/firmware/efi exists, prints
# BZELF-LINUX-OK cmdline=[/proc/cmdline] and powers off. In the tpm rows
# (measured boot, with a software TPM), its --tpm /init also dumps the
# TPM's event log and PCR 9, which tpm-log.py checks.
#
# Environment (all optional): those of tests/lib.sh (OVMF_CODE and
# OVMF_VARS among them: the firmware and its variable store template), and
#   EFI_IMAGE      the control image       ($LINUX_DIR/vmlinuz)
#   EFI_BZELF      the bzelf variants: yes, no, or auto (yes when the
#                  bzelf image of test64 is an EFI application)   (yes)
#   EFI_LOADERS_DIR  rEFInd and iPXE, fetched by fetch-loaders.sh
#                                          (build/efi-loaders)
#   TIMEOUT        seconds per test kernel boot (90)
#   LINUX_TIMEOUT  seconds per boot of Debian's kernel (180)
#   JOBS           boots at a time (3)
#
# Output and exit status: tests/lib.sh; a failed row keeps its serial log
# as LOG_DIR/efi-<row>.log. How long each boot took goes to
# LOG_DIR/efi-timings.txt (a figure, never a verdict).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
here=$ROOT/tests/efi
EFI_LOADERS_DIR=${EFI_LOADERS_DIR:-$ROOT/build/efi-loaders}
EFI_IMAGE=${EFI_IMAGE:-$LINUX_DIR/vmlinuz}
EFI_BZELF=${EFI_BZELF:-yes}
TIMEOUT=${TIMEOUT:-90}
LINUX_TIMEOUT=${LINUX_TIMEOUT:-180}
JOBS=${JOBS:-3}
LOG_PREFIX=efi-

# Media, the machine, UKIs (make_uki, and SYSTEMD_STUB, the stub UKIs
# start from).
# shellcheck source=tests/efi/firmware.sh
. "$here/firmware.sh"

# Where Debian's packages put the loaders this suite installs.
SYSTEMD_BOOT=/usr/lib/systemd/boot/efi/systemd-bootx64.efi
GRUB_EFI_DIR=/usr/lib/grub/x86_64-efi

# Serial output after which a boot cannot go on to pass: the stage's
# one-line stop, Linux's panic (and, where the row expects the panic, the
# end of the story), the initrd and EFI check of /init, a test kernel's
# FAIL, and the firmware and loaders giving up: OVMF's boot manager
# failing to load or start a boot option, or falling through to its UEFI
# Shell; systemd-boot ("Error loading \<image>: Unsupported"), rEFInd
# ("Error: Not Found while loading <image>"), iPXE ("Could not boot
# image: Exec format error") and GRUB ("Press any key to continue")
# refusing an image that is not an EFI application.
STOP_COMMON='-- System halted|Kernel panic|BZELF-LINUX-BAD|^bzelf-test: FAIL'
STOP_FIRMWARE='BdsDxe: failed to (load|start)|to skip startup\.nsh'
STOP_LOADERS='Error loading|Error: .* while loading|Could not boot|Exec format error|Press any key to continue'

require "$BZELF" "$QEMU" python3 timeout mformat mmd mcopy grub-mkimage \
  apt-get dpkg-deb objcopy
for f in "$OVMF_CODE" "$OVMF_VARS" "$SYSTEMD_BOOT" "$SYSTEMD_STUB" "$GRUB_EFI_DIR/chain.mod"; do
  if [ ! -f "$f" ]; then
    echo "run.sh: no $f (tools/install-deps.sh installs it)" >&2
    exit 2
  fi
done
kernel_statuses
make_work efi
TIMINGS=$LOG_DIR/efi-timings.txt
: >"$TIMINGS"
TOKEN=$(token)

# ---------------------------------------------------------------------------
# What is booted. Kernels are named
#   vmlinuz  EFI_IMAGE, Debian's kernel with Linux's EFI stub (the control)
#   test64, test32  bzelf images of tests/kernels
#   debian   the bzelf image of Debian's vmlinux
# with, in $WORK/in/: $kernel.efi, the image; $kernel.initrd, the initrd.
mkdir -p "$WORK/in"
declare -A READY WHY INITRD_REPORT LINUX
for k in vmlinuz test64 test32 debian; do
  READY[$k]=0
  LINUX[$k]=0
done
LINUX[vmlinuz]=1
LINUX[debian]=1

if ! "$ROOT/tests/linux/fetch-kernel.sh" "$LINUX_DIR" >"$WORK/in/fetch" 2>&1; then
  WHY[vmlinuz]="tests/linux/fetch-kernel.sh failed: $(oneline "$WORK/in/fetch")"
  WHY[debian]=${WHY[vmlinuz]}
elif ! why=$(linux_initramfs "$WORK/in/linux.initrd" "$WORK/in/linux" --efi); then
  WHY[vmlinuz]=$why
  WHY[debian]=$why
else
  TPM_INITRD_WHY=$(linux_initramfs "$WORK/in/tpm.initrd" "$WORK/in/tpm" "--efi --tpm") || :
  ln "$WORK/in/linux.initrd" "$WORK/in/vmlinuz.initrd"
  ln "$WORK/in/linux.initrd" "$WORK/in/debian.initrd"
  if cp "$EFI_IMAGE" "$WORK/in/vmlinuz.efi" 2>"$WORK/in/vmlinuz.cp"; then
    READY[vmlinuz]=1
  else
    WHY[vmlinuz]="no image: $(oneline "$WORK/in/vmlinuz.cp")"
  fi
  if why=$(bzelf_build "$WORK/in/debian.build" "$LINUX_DIR/vmlinux" "$WORK/in/debian.efi"); then
    READY[debian]=1
  else
    WHY[debian]=$why
  fi
fi
for k in test64 test32; do
  if out=$(test_kernel_image "$k" "$WORK/in/$k.efi" "$WORK/in/$k.initrd" "$WORK/in/$k.build"); then
    INITRD_REPORT[$k]=$out
    READY[$k]=1
  else
    WHY[$k]=$out
  fi
done

# Whether the bzelf rows run.
case $EFI_BZELF in
  yes) BZELF_ROWS=1 ;;
  no) BZELF_ROWS=0 ;;
  auto)
    BZELF_ROWS=0
    if [ "${READY[test64]}" = 1 ] && efi_application "$WORK/in/test64.efi"; then
      BZELF_ROWS=1
    fi
    ;;
  *)
    echo "run.sh: EFI_BZELF must be yes, no or auto, not '$EFI_BZELF'" >&2
    exit 2
    ;;
esac
if [ "$EFI_BZELF" = no ]; then
  echo "efi: bzelf variants not run (EFI_BZELF=no); only GRUB's legacy linux rows boot the bzelf images"
elif [ "$BZELF_ROWS" = 0 ]; then
  echo "efi: bzelf variants not run: the bzelf image is not an EFI application (bzelf info --json: no pe.Subsystem 10 with a non-zero pe.AddressOfEntryPoint); only GRUB's legacy linux rows boot it"
fi

# args ROW KERNEL: the command line a loader's configuration gives KERNEL.
# Linux gets panic=-1 (a panic resets, and -no-reboot ends QEMU) and
# no_timer_check: on a loaded host, TCG's timer interrupts can come too
# late for Linux's IO-APIC timer check, which then panics ("IO-APIC +
# timer doesn't work!"; seen here under GRUB's linux, load average 13).
args() {
  if [ "${LINUX[$2]}" = 1 ]; then
    echo "console=ttyS0 $LINUX_TEST_ARGS bzelf.loader=$1 token=$TOKEN"
  else
    echo "console=ttyS0 bzelf.loader=$1 token=$TOKEN"
  fi
}

# builtin_image NAME KERNEL CMDLINE: the bzelf image of KERNEL with
# CMDLINE built in, as $WORK/NAME.efi, for the rows whose loader passes
# no command line. Fails NAME if it cannot be made.
builtin_image() {
  local input=$KERNELS_DIR/$2.elf why
  [ "$2" = debian ] && input=$LINUX_DIR/vmlinux
  why=$(bzelf_build "$WORK/$1.build" "$input" "$WORK/$1.efi" --cmdline "$3") || {
    fail "$1" "$why"
    return 1
  }
}

# ---------------------------------------------------------------------------
# Media and the machine: make_esp, esp_row, machine_args, disk_args (from
# firmware.sh, sourced above).

# A NIC without an option ROM: OVMF's own virtio-net driver and network
# stack drive it (with QEMU's iPXE ROM, iPXE would do the network boot).
net_args() { # DIR BOOTFILE
  printf '%s\n' -netdev "user,id=net0,tftp=$1,bootfile=$2" \
    -device virtio-net-pci,netdev=net0,romfile=,bootindex=1
}

# ---------------------------------------------------------------------------
# check NAME KERNEL HOW EXPECTED MEMORY QEMU_ARGS...: boots and judges.
# HOW says what the kernel must show:
#   report   a test kernel's report: EXPECTED as its command line and the
#            initrd it was given (INITRD_REPORT)
#   noinitrd the same, with no initrd
#   marker   Debian's kernel ran /init: EXPECTED as /proc/cmdline
#   dmesg    Debian's kernel with no initrd: it printed EXPECTED as its
#            command line and found EFI ("efi: EFI v..."), then could not
#            mount a root file system (its panic ends the boot)
#   running  a kernel given no command line, which has nothing to print
#            on the serial port: OVMF's boot manager started a boot
#            option, and Linux's kernel proper ran (linux-running.py)
#   tpm      marker, and the TPM's event log and PCR 9 that Linux read
#            show EXPECTED (the LoadOptions) and the tpm initrd measured
#            into PCR 9 (tpm-log.py)
check() {
  local name=$1 kernel=$2 how=$3 expected=$4 memory=$5 limit=$TIMEOUT reasons=""
  shift 5
  [ "${LINUX[$kernel]}" = 1 ] && limit=$LINUX_TIMEOUT
  local -a extra=()
  local watcher=
  if [ "$how" = running ]; then
    extra=(-monitor "unix:$WORK/$name.mon,server=on,wait=off")
    python3 "$here/linux-running.py" "$WORK/$name.mon" "$limit" "$WORK/$name.running" &
    watcher=$!
  fi
  local -a machine
  mapfile -t machine < <(machine_args "$name" "$memory")
  boot "$name" "$limit" "${machine[@]}" "${extra[@]}" "$@"
  [ -n "$watcher" ] && wait "$watcher"
  case $how in
    report) kernel_report "$name" "$expected" "${INITRD_REPORT[$kernel]}" ;;
    noinitrd) kernel_report "$name" "$expected" "bzelf-test: initrd: none" ;;
    marker) linux_marker "$name" "$expected" ;;
    tpm)
      linux_marker "$name" "$expected"
      local tpm_why
      tpm_why=$(python3 "$here/tpm-log.py" "$WORK/$name.log" "$expected" "$WORK/in/tpm.initrd" 2>&1) ||
        reasons+="${tpm_why:-tpm-log.py failed}; "
      ;;
    dmesg)
      local got
      got=$(sed -n 's/^\[ *[0-9.]*\] Kernel command line: //p' "$WORK/$name.log" | head -n 1)
      [ "$got" = "$expected" ] ||
        reasons+="Linux's command line is not '$expected' (its 'Kernel command line:' says '$got'); "
      grep -qE '^\[ *[0-9.]+\] efi: EFI v[0-9]' "$WORK/$name.log" ||
        reasons+="Linux did not find EFI (no 'efi: EFI v...' line); "
      ;;
    running)
      grep -q '^BdsDxe: starting Boot' "$WORK/$name.log" ||
        reasons+="OVMF never started a boot option; "
      if ! grep -q '^linux-running ' "$WORK/$name.running" 2>/dev/null; then
        reasons+="Linux's kernel never ran ($(cat "$WORK/$name.running" 2>/dev/null || echo "no monitor")"
        if [ -n "$stopped" ]; then
          reasons+=", stopped at '$stopped'); "
        else
          reasons+=", QEMU exit status $status); "
        fi
      fi
      ;;
  esac
  # A bzelf image that a row starts as an EFI application must have run
  # its EFI stub, which says so on ConOut (OVMF mirrors ConOut on the
  # serial port): not OVMF's legacy bzImage loader, nor GRUB's legacy path
  # (DESIGN.md, "EFI test pitfalls"). GRUB's linux rows take that legacy
  # path on purpose.
  if [ "$kernel" != vmlinuz ] && [[ $name != grub-linux-* ]]; then
    grep -q 'bzelf: EFI stub: command line ' "$WORK/$name.log" ||
      reasons+="no 'bzelf: EFI stub:' line: the image's EFI stub did not run; "
  fi
  # STUB_ENTRY: the EFI stub's line naming the entry it came through.
  if [ -n "${STUB_ENTRY:-}" ] && ! grep -qxF "$STUB_ENTRY" "$WORK/$name.log"; then
    got=$(grep -m1 '^bzelf: EFI stub: entered' "$WORK/$name.log") || :
    reasons+="no '$STUB_ENTRY' line (${got:-no entry line at all}); "
  fi
  # A stop explains what is missing.
  if [ -n "$reasons" ] && [ -n "$stopped" ] && [[ $reasons != *"$stopped"* ]]; then
    reasons+="stopped at '$stopped'; "
  fi
  judge "$name"
}

# ready NAME KERNEL: whether KERNEL's image and initrd exist; fails NAME
# if not.
ready() {
  if [ "${READY[$2]}" != 1 ]; then
    fail "$1" "${WHY[$2]}"
    return 1
  fi
}

# how_with_initrd KERNEL: check's HOW for a boot with an initrd.
how_with_initrd() {
  if [ "${LINUX[$1]}" = 1 ]; then echo marker; else echo report; fi
}

# Each row's QEMU arguments, from disk_args and net_args.
declare -a disk net

# --- 1. firmware, no loader ----------------------------------------------------
# The image as \EFI\BOOT\BOOTX64.EFI, the removable-media path OVMF's boot
# manager tries on a disk with no boot option of its own. It passes no
# load options: a bzelf image uses its built-in command line, which
# names the initrd on the same ESP.
firmware_row() {
  local k=$1 name=firmware-$1 cmdline
  ready "$name" "$k" || return
  STOP_RE="$STOP_COMMON|$STOP_FIRMWARE"
  if [ "$k" = vmlinuz ]; then
    esp_row "$name" "$WORK/in/$k.efi=EFI/BOOT/BOOTX64.EFI" || return
    readarray -t disk < <(disk_args "$name")
    check "$name" "$k" running "" 256 "${disk[@]}"
    return
  fi
  cmdline="$(args firmware "$k") initrd=\\$k.initrd"
  builtin_image "$name" "$k" "$cmdline" || return
  esp_row "$name" "$WORK/$name.efi=EFI/BOOT/BOOTX64.EFI" "$WORK/in/$k.initrd=$k.initrd" || return
  readarray -t disk < <(disk_args "$name")
  check "$name" "$k" "$(how_with_initrd "$k")" "$cmdline" 256 "${disk[@]}"
}

# --- 2. OVMF -kernel -initrd -append ------------------------------------------------
# QEMU hands the files to OVMF through fw_cfg; OVMF starts the image with
# LoadImage and adds " initrd=initrd" to the command line (a PE image's
# tell-tale: its legacy loader for a bzImage without a PE header adds
# nothing) and offers the initrd through LoadFile2.
ovmf_kernel_row() {
  local k=$1 name=ovmf-kernel-$1
  ready "$name" "$k" || return
  STOP_RE="$STOP_COMMON|$STOP_FIRMWARE"
  check "$name" "$k" "$(how_with_initrd "$k")" "$(args ovmf-kernel "$k") initrd=initrd" 256 \
    -kernel "$WORK/in/$k.efi" -initrd "$WORK/in/$k.initrd" -append "$(args ovmf-kernel "$k")"
}

# --- 3. UEFI Shell, startup.nsh --------------------------------------------------
# The ESP has no \EFI\BOOT\BOOTX64.EFI, so OVMF's boot manager falls
# through to its built-in UEFI Shell, which runs FS0:\startup.nsh after a
# 5-second countdown. The Shell passes the whole line, image path first.
shell_row() {
  local k=$1 name=shell-$1 line
  ready "$name" "$k" || return
  # The Shell's own words when a command fails; the ESP's missing
  # BOOTX64.EFI is expected here.
  STOP_RE="$STOP_COMMON|$STOP_LOADERS|Script Error Status|is not recognized"
  line="\\$k.efi $(args shell "$k") initrd=\\$k.initrd"
  printf '%s\r\n' "$line" >"$WORK/$name.nsh"
  esp_row "$name" "$WORK/in/$k.efi=$k.efi" "$WORK/in/$k.initrd=$k.initrd" \
    "$WORK/$name.nsh=startup.nsh" || return
  readarray -t disk < <(disk_args "$name")
  check "$name" "$k" "$(how_with_initrd "$k")" "$line" 256 "${disk[@]}"
}

# --- 4. systemd-boot ---------------------------------------------------------------
# A type #1 entry; systemd-boot 252 puts "initrd=<path> " in front of the
# options and also offers the initrd through LoadFile2.
systemd_boot_row() {
  local k=$1 name=systemd-boot-$1
  ready "$name" "$k" || return
  STOP_RE="$STOP_COMMON|$STOP_FIRMWARE|$STOP_LOADERS"
  printf 'timeout 0\ndefault bzelf.conf\n' >"$WORK/$name.loader.conf"
  cat >"$WORK/$name.entry.conf" <<EOF
title bzelf $k
linux /$k.efi
initrd /$k.initrd
options $(args systemd-boot "$k")
EOF
  esp_row "$name" "$SYSTEMD_BOOT=EFI/BOOT/BOOTX64.EFI" \
    "$WORK/$name.loader.conf=loader/loader.conf" \
    "$WORK/$name.entry.conf=loader/entries/bzelf.conf" \
    "$WORK/in/$k.efi=$k.efi" "$WORK/in/$k.initrd=$k.initrd" || return
  readarray -t disk < <(disk_args "$name")
  check "$name" "$k" "$(how_with_initrd "$k")" \
    "initrd=\\$k.initrd $(args systemd-boot "$k")" 256 "${disk[@]}"
}

# --- 5. rEFInd -----------------------------------------------------------------------
# A manual stanza, booted at once (timeout -1); rEFInd 0.13 appends
# " initrd=<path>" to the options and has no LoadFile2.
refind_row() {
  local k=$1 name=refind-$1
  ready "$name" "$k" || return
  STOP_RE="$STOP_COMMON|$STOP_FIRMWARE|$STOP_LOADERS"
  cat >"$WORK/$name.conf" <<EOF
timeout -1
textonly
scanfor manual
default_selection bzelf
menuentry bzelf {
    loader /$k.efi
    initrd /$k.initrd
    options "$(args refind "$k")"
}
EOF
  esp_row "$name" "$EFI_LOADERS_DIR/refind_x64.efi=EFI/BOOT/BOOTX64.EFI" \
    "$WORK/$name.conf=EFI/BOOT/refind.conf" \
    "$WORK/in/$k.efi=$k.efi" "$WORK/in/$k.initrd=$k.initrd" || return
  readarray -t disk < <(disk_args "$name")
  check "$name" "$k" "$(how_with_initrd "$k")" \
    "$(args refind "$k") initrd=\\$k.initrd" 256 "${disk[@]}"
}

# --- 6. iPXE EFI -------------------------------------------------------------------------
# Debian's ipxe.efi (2019) from the ESP fetches the script boot.ipxe, the
# image and the initrd over TFTP. It passes "<image name> <args>" and
# offers the initrd only as a file of that name on the image's device:
# the kernel reads it through an initrd= on the command line.
ipxe_row() {
  local k=$1 name=ipxe-$1 dir=$WORK/ipxe-$1.tftp
  ready "$name" "$k" || return
  STOP_RE="$STOP_COMMON|$STOP_FIRMWARE|$STOP_LOADERS"
  mkdir -p "$dir"
  ln -f "$WORK/in/$k.efi" "$WORK/in/$k.initrd" "$dir/"
  cat >"$dir/boot.ipxe" <<EOF
#!ipxe
kernel $k.efi initrd=$k.initrd $(args ipxe "$k")
initrd $k.initrd
boot
EOF
  esp_row "$name" "$EFI_LOADERS_DIR/ipxe.efi=EFI/BOOT/BOOTX64.EFI" || return
  readarray -t disk < <(disk_args "$name")
  readarray -t net < <(net_args "$dir" boot.ipxe)
  check "$name" "$k" "$(how_with_initrd "$k")" \
    "$k.efi initrd=$k.initrd $(args ipxe "$k")" 256 "${disk[@]}" "${net[@]}"
}

# --- 7. UEFI network boot -------------------------------------------------------------
# OVMF's own PXE client fetches the image over TFTP (DHCP's boot file) and
# starts it with no load options. The image has no file system to read an
# initrd from: a bzelf image boots on its built-in command line alone.
pxe_row() {
  local k=$1 name=pxe-$1 dir=$WORK/pxe-$1.tftp cmdline how
  ready "$name" "$k" || return
  STOP_RE="$STOP_COMMON|$STOP_FIRMWARE"
  mkdir -p "$dir"
  if [ "$k" = vmlinuz ]; then
    ln -f "$WORK/in/$k.efi" "$dir/"
    readarray -t net < <(net_args "$dir" "$k.efi")
    check "$name" "$k" running "" 256 "${net[@]}"
    return
  fi
  if [ "$k" = debian ]; then
    # Without "quiet", so that Linux prints its command line.
    cmdline="console=ttyS0 panic=-1 no_timer_check bzelf.loader=pxe token=$TOKEN"
    how=dmesg
  else
    cmdline=$(args pxe "$k")
    how=noinitrd
  fi
  builtin_image "$name" "$k" "$cmdline" || return
  ln -f "$WORK/$name.efi" "$dir/$k.efi"
  readarray -t net < <(net_args "$dir" "$k.efi")
  check "$name" "$k" "$how" "$cmdline" 256 "${net[@]}"
}

# --- 8. GRUB 2.06 x86_64-efi ---------------------------------------------------------------
# grub-mkimage's core image as BOOTX64.EFI, its grub.cfg beside it.
# `linux` puts "BOOT_IMAGE=<path> " in front of the arguments; it boots
# Linux through its EFI handover entry, and an image without a PE header
# through its legacy path (32-bit entry after ExitBootServices).
# `chainloader` starts the image with LoadImage, the arguments as its load
# options, untouched. 512 MB: with 256, GRUB's `linux` says "out of
# memory" for Debian's vmlinuz.
GRUB_MODULES="normal configfile fat part_msdos linux chain serial terminal echo"
grub_row() {
  local row=$1 k=$2 name=$1-$2 body expected
  ready "$name" "$k" || return
  STOP_RE="$STOP_COMMON|$STOP_FIRMWARE|$STOP_LOADERS"
  case $row in
    grub-linux)
      body="  linux /$k.efi $(args "$row" "$k")
  initrd /$k.initrd"
      expected="BOOT_IMAGE=/$k.efi $(args "$row" "$k")"
      ;;
    grub-chainloader)
      # GRUB's parser takes "\\" for one backslash.
      body="  chainloader /$k.efi $(args "$row" "$k") initrd=\\\\$k.initrd"
      expected="$(args "$row" "$k") initrd=\\$k.initrd"
      ;;
  esac
  cat >"$WORK/$name.cfg" <<EOF
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial
set timeout=0
menuentry "bzelf $k" {
$body
}
EOF
  # shellcheck disable=SC2086 # a list of modules
  if ! grub-mkimage -O x86_64-efi -d "$GRUB_EFI_DIR" -p /EFI/BOOT \
    -o "$WORK/$name.grub.efi" $GRUB_MODULES >"$WORK/$name.mkimage" 2>&1; then
    fail "$name" "grub-mkimage failed: $(oneline "$WORK/$name.mkimage")"
    return
  fi
  esp_row "$name" "$WORK/$name.grub.efi=EFI/BOOT/BOOTX64.EFI" \
    "$WORK/$name.cfg=EFI/BOOT/grub.cfg" \
    "$WORK/in/$k.efi=$k.efi" "$WORK/in/$k.initrd=$k.initrd" || return
  readarray -t disk < <(disk_args "$name")
  check "$name" "$k" "$(how_with_initrd "$k")" "$expected" 512 "${disk[@]}"
}

# --- the EFI stub's refusal --------------------------------------------------------
# A kernel whose range reaches memory the firmware keeps for good: with
# OVMF (q35, 256 MiB) ACPI NVS lies at 0x806000-0x807fff, inside
# hostile-lowbig32's 1 MiB to 0x1fa2820. The stub refuses before
# ExitBootServices, on ConOut and COM1, naming the segment and the
# firmware's memory type, and halts.
refusal_row() {
  local name=refusal-$1 reasons=""
  local line='bzelf: memory: kernel segment [0-9]+ \[0x[0-9a-f]+, 0x[0-9a-f]+\) lies in EFI ACPI NVS memory at \[0x[0-9a-f]+, 0x[0-9a-f]+\) -- System halted'
  STOP_RE="$STOP_COMMON|$STOP_FIRMWARE"
  builtin_image "$name" hostile-lowbig32 "console=ttyS0 bzelf.loader=firmware" || return
  esp_row "$name" "$WORK/$name.efi=EFI/BOOT/BOOTX64.EFI" || return
  readarray -t disk < <(disk_args "$name")
  local -a machine
  mapfile -t machine < <(machine_args "$name" 256)
  boot "$name" "$TIMEOUT" "${machine[@]}" "${disk[@]}"
  grep -qE -e "$line" "$WORK/$name.log" ||
    reasons+="no 'bzelf: memory: kernel segment ... lies in EFI ACPI NVS memory ... -- System halted' line (stopped at '$stopped'); "
  judge "$name"
}

# --- 9. Unified kernel images (systemd-stub 252) ----------------------------------
# The image as the .linux section of a UKI made onto Debian's
# linuxx64.efi.stub by firmware.sh's make_uki, and the UKI as
# \EFI\BOOT\BOOTX64.EFI. The firmware passes
# no load options: the stub gives .cmdline, unchanged, as the kernel's
# LoadOptions and offers .initrd through LoadFile2. It starts a .linux
# whose MajorImageVersion is 1 or more through LoadImage (row uki); one
# below 1 through the EFI handover entry, in place inside the UKI, with a
# boot_params of its own filling (row uki-handover, the image's
# MajorImageVersion patched to 0 by set-image-version.py). A bzelf image
# must say which entry it came through (STUB_ENTRY).
uki_row() {
  local row=$1 k=$2 name=$1-$2 linux cmdline why
  ready "$name" "$k" || return
  STOP_RE="$STOP_COMMON|$STOP_FIRMWARE|$STOP_LOADERS"
  linux=$WORK/in/$k.efi
  if [ "$row" = uki-handover ]; then
    linux=$WORK/$name.linux
    if ! python3 "$here/set-image-version.py" "$WORK/in/$k.efi" "$linux" 0 \
      >"$WORK/$name.patch" 2>&1; then
      fail "$name" "set-image-version.py failed: $(oneline "$WORK/$name.patch")"
      return
    fi
  fi
  if [ "$k" != vmlinuz ]; then
    if [ "$row" = uki-handover ]; then
      STUB_ENTRY='bzelf: EFI stub: entered at efi_handover_entry, boot_params from the loader'
    else
      STUB_ENTRY='bzelf: EFI stub: entered at efi_pe_entry'
    fi
  fi
  cmdline=$(args "$row" "$k")
  printf '%s' "$cmdline" >"$WORK/$name.cmdline"
  printf 'ID=bzelf-test\nNAME="bzelf test"\n' >"$WORK/$name.osrel"
  why=$(make_uki "$WORK/$name.uki" "$WORK/$name.osrel" "$WORK/$name.cmdline" "$linux" \
    "$WORK/in/$k.initrd") || {
    fail "$name" "$why"
    return
  }
  esp_row "$name" "$WORK/$name.uki=EFI/BOOT/BOOTX64.EFI" || return
  readarray -t disk < <(disk_args "$name")
  check "$name" "$k" "$(how_with_initrd "$k")" "$cmdline" 256 "${disk[@]}"
}

# --- 10. measured boot -------------------------------------------------------------
# Row 2's OVMF -kernel -initrd -append with a software TPM 2.0 (swtpm, on
# QEMU's CRB interface), and Debian's kernel booted to the --tpm /init:
# the firmware measures the image (PCR 4) and nothing of what it hands
# over; the stub measures the LoadOptions (the command line with
# " initrd=initrd", UCS-2, its NUL counted) and the LoadFile2 initrd into
# PCR 9, as Linux's stub does (the control), and hands Linux the event
# log. The rows without a TPM show that no TPM is no error.
tpm_row() {
  local k=$1 name=tpm-$1 dir=$WORK/tpm-$1.swtpm cmdline
  ready "$name" "$k" || return
  if [ -n "${TPM_INITRD_WHY:-}" ]; then
    fail "$name" "$TPM_INITRD_WHY"
    return
  fi
  if ! command -v swtpm >/dev/null; then
    fail "$name" "no swtpm (tools/install-deps.sh installs it)"
    return
  fi
  STOP_RE="$STOP_COMMON|$STOP_FIRMWARE|BZELF-TPM-BAD"
  mkdir -p "$dir"
  if ! swtpm socket --tpm2 --tpmstate "dir=$dir" --ctrl "type=unixio,path=$dir/sock" \
    --pid "file=$dir/pid" --log "file=$dir/log" --daemon >"$dir/out" 2>&1; then
    fail "$name" "swtpm did not start: $(oneline "$dir/out") $(oneline "$dir/log")"
    return
  fi
  cmdline=$(args tpm "$k")
  check "$name" "$k" tpm "$cmdline initrd=initrd" 256 \
    -chardev "socket,id=tpm,path=$dir/sock" -tpmdev emulator,id=tpm0,chardev=tpm \
    -device tpm-crb,tpmdev=tpm0 \
    -kernel "$WORK/in/$k.efi" -initrd "$WORK/in/tpm.initrd" -append "$cmdline"
  # swtpm ends when QEMU hangs up; one that did not is stopped here.
  if [ -s "$dir/pid" ]; then
    kill "$(cat "$dir/pid")" 2>/dev/null || :
  fi
}

# ---------------------------------------------------------------------------
# The rows: every row with the control, the bzelf variants where they run.
if ! "$here/fetch-loaders.sh" "$EFI_LOADERS_DIR" >"$WORK/in/loaders" 2>&1; then
  LOADERS_WHY="tests/efi/fetch-loaders.sh failed: $(oneline "$WORK/in/loaders")"
fi
ROWS=()
kernels=(vmlinuz)
[ "$BZELF_ROWS" = 1 ] && kernels+=(test64 test32 debian)
for k in "${kernels[@]}"; do
  ROWS+=("firmware_row $k" "ovmf_kernel_row $k" "shell_row $k" "systemd_boot_row $k"
    "refind_row $k" "ipxe_row $k" "pxe_row $k" "grub_row grub-chainloader $k"
    "uki_row uki $k" "uki_row uki-handover $k")
  [ "${LINUX[$k]}" = 1 ] && ROWS+=("tpm_row $k")
done
for k in vmlinuz test64 test32 debian; do
  ROWS+=("grub_row grub-linux $k")
done
[ "$BZELF_ROWS" = 1 ] && ROWS+=("refusal_row nvs")

# row_name FUNCTION ARG...: the test a row reports on.
row_name() {
  case $1 in
    grub_row | uki_row) echo "$2-$3" ;;
    ovmf_kernel_row) echo "ovmf-kernel-$2" ;;
    systemd_boot_row) echo "systemd-boot-$2" ;;
    *) echo "${1%_row}-$2" ;;
  esac
}

# efi_row FUNCTION ARG...: runs a row; one whose loader could not be
# fetched fails at once.
efi_row() {
  case $1 in
    refind_row | ipxe_row)
      if [ -n "${LOADERS_WHY:-}" ]; then
        fail "$(row_name "$@")" "$LOADERS_WHY"
        return
      fi
      ;;
  esac
  "$@"
}

# JOBS rows at a time, each in its own QEMU; their reports in row order.
run_rows row_name efi_row "${ROWS[@]}"

finish
