#!/usr/bin/env bash
# UEFI Secure Boot (issue 17): Debian's OVMF built with Secure Boot on
# (OVMF_CODE_4M.snakeoil.fd, and a copy of OVMF_VARS_4M.snakeoil.fd,
# whose PK, KEK and db are Debian's snakeoil certificate), booting the
# image as \EFI\BOOT\BOOTX64.EFI (this firmware has no usable Shell).
#   sb-test64-signed     test64's image signed with the snakeoil key: it
#                        boots, with its built-in command line and the
#                        initrd it names on the ESP
#   sb-test64-unsigned   the same image unsigned: the firmware refuses it
#   sb-test64-flipped    the signed image with one bit flipped inside its
#                        .text section: refused
#   sb-linux             Debian's vmlinux in a signed image: reaches /init,
#                        and the kernel says Secure Boot is on (its own
#                        view of boot_params.secure_boot, which the EFI
#                        stub set): "Secure boot enabled" and its lockdown
#                        from Secure Boot in dmesg
#   sb-uki-linux         sb-linux's image, signed, as the .linux of a UKI
#                        on systemd's stub (tests/efi/firmware.sh's
#                        make_uki), the UKI signed too: the firmware
#                        verifies the UKI, the stub starts the image
#                        through LoadImage (efi_pe_entry); the kernel gets
#                        exactly .cmdline and says what sb-linux checks
#   sb-uki-handover      sb-uki-linux with the inner image's
#                        MajorImageVersion set to 0 before signing:
#                        systemd's stub takes the EFI handover entry
#                        (efi_handover_entry) instead; the same checks
#   sb-uki-unsigned      the same UKI unsigned: the firmware refuses it
#   sb-uki-long-cmdline  test64's image, signed, in a signed UKI whose
#                        .cmdline is longer than the image takes: the
#                        stub cuts it after its last whole option and
#                        says so ("bzelf note: command line: ..."); the
#                        kernel gets exactly the cut line
# With the suite's own keys instead (a PK, KEK and db certificate made
# with openssl in WORK, written into a copy of Debian's blank
# OVMF_VARS_4M.fd by tests/secureboot/enroll-keys.py; the firmware leaves
# Setup Mode at its start because PK is there):
#   sb-own-keys-signed   test64's image signed with our db key: boots, as
#                        sb-test64-signed
#   sb-own-keys-snakeoil the same image signed with the snakeoil key:
#                        refused, so our keys are the ones in force
#   sb-own-keys-linux    Debian's kernel signed with our db key: what
#                        sb-linux checks, so the firmware reports Secure
#                        Boot on (SecureBoot 1, SetupMode 0) with our keys
# Rows boot in parallel, each QEMU stopped once its outcome is known.
#
# Environment (all optional): those of tests/lib.sh, and
#   OVMF_SB_CODE, OVMF_SB_VARS   the firmware and its variable store
#                  (/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd, ..._VARS_...)
#   SB_KEY, SB_CERT   the key db trusts, and its certificate
#                  (/usr/share/ovmf/PkKek-1-snakeoil.key, .pem; the key's
#                  password is "snakeoil")
#   OVMF_BLANK_VARS   the blank variable store our keys go into
#                  (/usr/share/OVMF/OVMF_VARS_4M.fd); the own-keys rows
#                  boot it with OVMF_SB_CODE (Debian's
#                  OVMF_CODE_4M.snakeoil.fd is a link to
#                  OVMF_CODE_4M.secboot.fd: one Secure Boot build, whose
#                  keys are in the store alone)
#   TIMEOUT        seconds per test kernel boot (120)
#   LINUX_TIMEOUT  seconds per boot of Debian's kernel (240)
#
# Output and exit status: tests/lib.sh; a failed row keeps its serial log
# as LOG_DIR/secureboot-<row>.log.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
OVMF_CODE=${OVMF_SB_CODE:-/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd}
OVMF_VARS=${OVMF_SB_VARS:-/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd}
OVMF_SECURE=yes
SB_KEY=${SB_KEY:-/usr/share/ovmf/PkKek-1-snakeoil.key}
SB_CERT=${SB_CERT:-/usr/share/ovmf/PkKek-1-snakeoil.pem}
OVMF_BLANK_VARS=${OVMF_BLANK_VARS:-/usr/share/OVMF/OVMF_VARS_4M.fd}
TIMEOUT=${TIMEOUT:-120}
LINUX_TIMEOUT=${LINUX_TIMEOUT:-240}
LOG_PREFIX=secureboot-
# shellcheck source=tests/efi/firmware.sh
. "$ROOT/tests/efi/firmware.sh"

# What ends a boot: the stage's stop, Linux's panic or /init's verdict, a
# test kernel's FAIL, and OVMF's boot manager failing to load or start
# the boot option (for a refused image: "BdsDxe: failed to load Boot0001
# ... : Access Denied").
STOP_RE='-- System halted|Kernel panic|BZELF-LINUX-(OK|BAD)|^bzelf-test: FAIL|BdsDxe: failed to (load|start)'

require "$BZELF" "$QEMU" python3 timeout mformat mmd mcopy sbsign openssl objcopy
for f in "$OVMF_CODE" "$OVMF_VARS" "$OVMF_BLANK_VARS" "$SB_KEY" "$SB_CERT" "$SYSTEMD_STUB"; do
  if [ ! -r "$f" ]; then
    echo "run.sh: no $f (Debian's ovmf; tools/install-deps.sh installs it)" >&2
    exit 2
  fi
done
require_kernels test64
kernel_statuses
make_work secureboot

# The snakeoil key without its password, for sbsign.
if ! openssl rsa -in "$SB_KEY" -passin pass:snakeoil -out "$WORK/db.key" \
  >"$WORK/db.key.log" 2>&1; then
  echo "run.sh: openssl cannot read $SB_KEY: $(oneline "$WORK/db.key.log")" >&2
  exit 2
fi

# own_keys: our PK, KEK and db keys and certificates, WORK/own-{pk,kek,db}
# .key and .pem (RSA 2048, self-signed, as a user makes them), and
# WORK/own.vars, the blank store with them enrolled. On failure prints
# the reason and returns 1.
own_keys() {
  local k
  for k in pk kek db; do
    if ! openssl req -new -x509 -newkey rsa:2048 -nodes -subj "/CN=bzelf test $k" -days 1 \
      -keyout "$WORK/own-$k.key" -out "$WORK/own-$k.pem" >"$WORK/own-$k.log" 2>&1; then
      echo "openssl could not make the $k key: $(oneline "$WORK/own-$k.log")"
      return 1
    fi
  done
  if ! python3 "$ROOT/tests/secureboot/enroll-keys.py" --pk "$WORK/own-pk.pem" \
    --kek "$WORK/own-kek.pem" --db "$WORK/own-db.pem" "$OVMF_BLANK_VARS" "$WORK/own.vars" \
    >"$WORK/own.enroll" 2>&1; then
    echo "enroll-keys.py failed: $(oneline "$WORK/own.enroll")"
    return 1
  fi
}
own_why=$(own_keys)

# own_store NAME: fails NAME unless own_keys made our store.
own_store() {
  [ -z "$own_why" ] && return
  fail "$1" "$own_why"
  return 1
}

# boot_esp NAME LIMIT SOURCE=PATH...: the ESP with those files, booted.
boot_esp() {
  local name=$1 limit=$2
  shift 2
  esp_row "$name" "$@" || return 1
  local -a machine disk
  mapfile -t machine < <(machine_args "$name" 512)
  mapfile -t disk < <(disk_args "$name")
  boot "$name" "$limit" "${machine[@]}" "${disk[@]}"
}

# signed NAME IMAGE OUT [KEY CERT]: IMAGE signed with KEY and CERT, by
# default the snakeoil ones db trusts; fails NAME if it cannot be.
signed() {
  local why
  why=$(sign_image "$2" "$3" "${4:-$WORK/db.key}" "${5:-$SB_CERT}") || {
    fail "$1" "$why"
    return 1
  }
}

row_test64_signed() {
  test64_signed sb-test64-signed
}

# Our db key signs, and our store is the firmware's.
row_own_keys_signed() {
  local OVMF_VARS=$WORK/own.vars
  own_store sb-own-keys-signed || return
  test64_signed sb-own-keys-signed "$WORK/own-db.key" "$WORK/own-db.pem"
}

# test64_signed NAME [KEY CERT]: test64's image signed (signed) boots.
test64_signed() {
  local name=$1 cmdline initrd_line reasons=""
  # The firmware passes no load options: the built-in command line names
  # the initrd, and reaches the kernel as it is, initrd= included.
  cmdline="console=ttyS0 bzelf.row=$name token=$(token) initrd=\\test64.initrd"
  initrd_line=$(make_initrd "$WORK/$name.initrd") || {
    fail "$name" "cannot make the initrd"
    return
  }
  build_image "$name" "$WORK/$name.img" "$KERNELS_DIR/test64.elf" --cmdline "$cmdline" || return
  signed "$name" "$WORK/$name.img" "$WORK/$name.efi" "${@:2}" || return
  boot_esp "$name" "$TIMEOUT" "$WORK/$name.efi=EFI/BOOT/BOOTX64.EFI" \
    "$WORK/$name.initrd=test64.initrd" || return
  kernel_report "$name" "$cmdline" "$initrd_line"
  judge "$name"
}

# refused NAME IMAGE: the firmware must refuse IMAGE, which it reports
# as "BdsDxe: failed to load Boot....: Access Denied" (edk2's
# EFI_SECURITY_VIOLATION), and nothing of the image may run.
refused() {
  local name=$1 reasons=""
  boot_esp "$name" "$TIMEOUT" "$2=EFI/BOOT/BOOTX64.EFI" || return
  grep -qE '^BdsDxe: failed to load Boot[0-9A-F]+ .*: Access Denied' "$WORK/$name.log" ||
    reasons+="no 'BdsDxe: failed to load ...: Access Denied' line (stopped at '${stopped:-nothing}', QEMU exit status $status); "
  if grep -qE '^(bzelf|bzelf-test): ' "$WORK/$name.log"; then
    reasons+="the image ran: '$(grep -m1 -E '^(bzelf|bzelf-test): ' "$WORK/$name.log")'; "
  fi
  judge "$name"
}

row_test64_unsigned() {
  local name=sb-test64-unsigned
  build_image "$name" "$WORK/$name.efi" "$KERNELS_DIR/test64.elf" --cmdline "$BUILTIN_CMDLINE" ||
    return
  refused "$name" "$WORK/$name.efi"
}

# The image sb-test64-signed boots, under our keys: the snakeoil
# certificate is in neither db nor anywhere else of our store.
row_own_keys_snakeoil() {
  local name=sb-own-keys-snakeoil OVMF_VARS=$WORK/own.vars
  own_store "$name" || return
  build_image "$name" "$WORK/$name.img" "$KERNELS_DIR/test64.elf" --cmdline "$BUILTIN_CMDLINE" ||
    return
  signed "$name" "$WORK/$name.img" "$WORK/$name.efi" || return
  refused "$name" "$WORK/$name.efi"
}

# One bit flipped in the middle of the .text section (part 5's code, which
# the signature covers) after signing.
row_test64_flipped() {
  local name=sb-test64-flipped start size at
  build_image "$name" "$WORK/$name.img" "$KERNELS_DIR/test64.elf" --cmdline "$BUILTIN_CMDLINE" ||
    return
  signed "$name" "$WORK/$name.img" "$WORK/$name.efi" || return
  { read -r start; read -r size; } < <(image_info "$WORK/$name.efi" pe.sections.1.PointerToRawData \
    pe.sections.1.SizeOfRawData)
  at=$((start + size / 2))
  python3 -c '
import sys
path, at = sys.argv[1], int(sys.argv[2])
with open(path, "r+b") as f:
    f.seek(at)
    b = f.read(1)[0]
    f.seek(at)
    f.write(bytes([b ^ 0x10]))
' "$WORK/$name.efi" "$at"
  refused "$name" "$WORK/$name.efi"
}

# Debian's kernel, not quiet, so that its own lines about Secure Boot
# reach the serial log; /init (tests/linux/make-initramfs.sh --efi)
# prints the marker and powers off.
row_linux() {
  linux_signed sb-linux
}

# The firmware's own view of our keys: it says Secure Boot is on (the
# stub reads SecureBoot 1 and SetupMode 0), and Linux locks down.
row_own_keys_linux() {
  local OVMF_VARS=$WORK/own.vars
  own_store sb-own-keys-linux || return
  linux_signed sb-own-keys-linux "$WORK/own-db.key" "$WORK/own-db.pem"
}

# linux_signed NAME [KEY CERT]: Debian's kernel in an image signed
# (signed) reaches /init, under Secure Boot.
linux_signed() {
  local name=$1 cmdline reasons="" why
  linux_inputs "$name" || return
  cmdline="console=ttyS0 panic=-1 no_timer_check bzelf.row=$name token=$(token) initrd=\\linux.initrd"
  why=$(bzelf_build "$WORK/$name.build" "$LINUX_DIR/vmlinux" "$WORK/$name.img" \
    --cmdline "$cmdline") || {
    fail "$name" "$why"
    return
  }
  signed "$name" "$WORK/$name.img" "$WORK/$name.efi" "${@:2}" || return
  boot_esp "$name" "$LINUX_TIMEOUT" "$WORK/$name.efi=EFI/BOOT/BOOTX64.EFI" \
    "$WORK/$name.initrd=linux.initrd" || return
  linux_marker "$name" "$cmdline"
  secure_linux "$name"
  judge "$name"
}

# linux_inputs NAME: Debian's kernel fetched (if LINUX_DIR has none) and
# the --efi initramfs as WORK/NAME.initrd; fails NAME if either cannot be.
linux_inputs() {
  local why
  if ! "$ROOT/tests/linux/fetch-kernel.sh" "$LINUX_DIR" >"$WORK/$1.fetch" 2>&1; then
    fail "$1" "tests/linux/fetch-kernel.sh failed: $(oneline "$WORK/$1.fetch")"
    return 1
  fi
  why=$(linux_initramfs "$WORK/$1.initrd" "$WORK/$1" --efi) || {
    fail "$1" "$why"
    return 1
  }
}

# secure_linux NAME: adds to reasons unless Linux's log says it booted
# under Secure Boot.
secure_linux() {
  local name=$1
  # arch/x86/kernel/setup.c prints the mode it read from boot_params
  # ("secureboot: Secure boot enabled" in 6.1; "... could not be
  # determined" for efi_secureboot_mode_unset); Debian's lockdown patch
  # says why it locked down.
  grep -qE '^\[ *[0-9.]+\] (secureboot: )?Secure boot enabled' "$WORK/$name.log" ||
    reasons+="Linux did not say 'Secure boot enabled' ($(grep -m1 -oE 'Secure boot [a-z ]+' "$WORK/$name.log" || echo 'no Secure boot line')); "
  grep -qE 'Kernel is locked down from EFI Secure Boot' "$WORK/$name.log" ||
    reasons+="Linux did not lock down from Secure Boot; "
}

# uki NAME INNER: WORK/NAME.uki, INNER (a bzelf image of Debian's kernel)
# as its .linux, WORK/NAME.cmdline and WORK/NAME.initrd as its .cmdline
# and .initrd; fails NAME if it cannot be made.
uki() {
  local name=$1 why
  printf 'ID=bzelf-test\nNAME="bzelf test"\n' >"$WORK/$name.osrel"
  why=$(make_uki "$WORK/$name.uki" "$WORK/$name.osrel" "$WORK/$name.cmdline" "$2" \
    "$WORK/$name.initrd") || {
    fail "$name" "$why"
    return 1
  }
}

# uki_inputs NAME: what the UKI rows of Debian's kernel start from:
# linux_inputs, the row's command line in cmdline and in WORK/NAME.cmdline
# (the UKI's .cmdline, which systemd's stub passes as LoadOptions), and
# the kernel's image, with no built-in command line, as WORK/NAME.img.
# Fails NAME if any of them cannot be made.
uki_inputs() {
  local name=$1 why
  linux_inputs "$name" || return
  cmdline="console=ttyS0 panic=-1 no_timer_check bzelf.row=$name token=$(token)"
  printf '%s' "$cmdline" >"$WORK/$name.cmdline"
  why=$(bzelf_build "$WORK/$name.build" "$LINUX_DIR/vmlinux" "$WORK/$name.img") || {
    fail "$name" "$why"
    return 1
  }
}

# The kernel gets .cmdline as its LoadOptions, unchanged (no initrd=:
# the stub offers .initrd through LoadFile2). systemd-stub 252 starts a
# .linux whose MajorImageVersion is 1 or more (a bzelf image's) through
# LoadImage from its buffer, with the firmware's security protocols
# hooked to pass that buffer unverified (src/boot/efi/linux.c): the UKI's
# signature covers it. The image is signed all the same, as a
# distribution signs the kernel it puts in a UKI.
row_uki_linux() {
  signed_uki sb-uki-linux 'bzelf: EFI stub: entered at efi_pe_entry'
}

# sb-uki-linux with the image's MajorImageVersion set to 0 before it is
# signed (tests/efi/set-image-version.py, as tests/efi's uki-handover
# rows): systemd-stub 252 calls the EFI handover entry instead, in place
# inside the verified UKI, with a boot_params it filled; the stub finds
# Secure Boot on all the same.
row_uki_handover() {
  signed_uki sb-uki-handover \
    'bzelf: EFI stub: entered at efi_handover_entry, boot_params from the loader' 0
}

# signed_uki NAME ENTRY_LINE [MAJOR]: Debian's kernel in a signed image
# (its MajorImageVersion set to MAJOR first, when given) as the .linux of
# a signed UKI; the stub's ENTRY_LINE says which entry systemd's stub
# took, and the kernel reaches /init with exactly .cmdline, under Secure
# Boot.
signed_uki() {
  local name=$1 entry=$2 major=${3:-} cmdline reasons=""
  uki_inputs "$name" || return
  if [ -n "$major" ] && ! python3 "$ROOT/tests/efi/set-image-version.py" "$WORK/$name.img" \
    "$WORK/$name.img" "$major" >"$WORK/$name.patch" 2>&1; then
    fail "$name" "set-image-version.py failed: $(oneline "$WORK/$name.patch")"
    return
  fi
  signed "$name" "$WORK/$name.img" "$WORK/$name.efi" || return
  uki "$name" "$WORK/$name.efi" || return
  signed "$name" "$WORK/$name.uki" "$WORK/$name.uki.signed" || return
  boot_esp "$name" "$LINUX_TIMEOUT" "$WORK/$name.uki.signed=EFI/BOOT/BOOTX64.EFI" || return
  grep -qF "$entry" "$WORK/$name.log" || reasons+="no '$entry' line; "
  linux_marker "$name" "$cmdline"
  secure_linux "$name"
  judge "$name"
}

# test64's image, signed, in a signed UKI whose .cmdline is longer than
# the 2047 bytes the image takes (cmdline_size): systemd's stub passes it
# whole as LoadOptions, and the EFI stub cuts it after its last whole
# option, as Linux's stub did (6.1, efi_convert_cmdline), and says so in
# a note; the kernel gets exactly the cut line and the .initrd.
row_uki_long_cmdline() {
  local name=sb-uki-long-cmdline cmdline want initrd_line reasons="" i
  cmdline="console=ttyS0 bzelf.row=$name token=$(token)"
  for i in $(seq 1 90); do cmdline+=" bzelf.pad$i=0123456789abcdef"; done
  # The first 2047 bytes, up to their last space.
  want=${cmdline:0:2047}
  want=${want% *}
  printf '%s' "$cmdline" >"$WORK/$name.cmdline"
  initrd_line=$(make_initrd "$WORK/$name.initrd") || {
    fail "$name" "cannot make the initrd"
    return
  }
  build_image "$name" "$WORK/$name.img" "$KERNELS_DIR/test64.elf" || return
  signed "$name" "$WORK/$name.img" "$WORK/$name.efi" || return
  uki "$name" "$WORK/$name.efi" || return
  signed "$name" "$WORK/$name.uki" "$WORK/$name.uki.signed" || return
  boot_esp "$name" "$TIMEOUT" "$WORK/$name.uki.signed=EFI/BOOT/BOOTX64.EFI" || return
  grep -qF "bzelf note: command line: LoadOptions longer than 2047 bytes: cut after its last whole option, to ${#want} bytes" \
    "$WORK/$name.log" || reasons+="no note that the command line was cut to ${#want} bytes; "
  kernel_report "$name" "$want" "$initrd_line"
  judge "$name"
}

# The UKI of sb-uki-linux, its image signed, the UKI not: the firmware
# refuses it before systemd's stub runs.
row_uki_unsigned() {
  local name=sb-uki-unsigned cmdline
  uki_inputs "$name" || return
  signed "$name" "$WORK/$name.img" "$WORK/$name.efi" || return
  uki "$name" "$WORK/$name.efi" || return
  refused "$name" "$WORK/$name.uki"
}

# Every row reports PASS or FAIL, also one that stops early (run_rows).
# A row is the end of its function's name; all boot at once.
sb_name() { echo "sb-${1//_/-}"; }
sb_run() { "row_$1"; }
JOBS='' run_rows sb_name sb_run test64_signed test64_unsigned test64_flipped linux uki_linux \
  uki_handover uki_unsigned uki_long_cmdline own_keys_signed own_keys_snakeoil own_keys_linux

finish
