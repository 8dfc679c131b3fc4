#!/usr/bin/env bash
# The image as a PE/COFF file (issue 15, "The header"): what other tools
# make of it. binutils' objdump reads it as pei-x86-64 with no warning;
# sbsigntool signs it with a key made here and verifies the signature
# with no warning (a section table with a gap, or bytes past the last
# section, are what it warns about, and what a signature would not cover);
# file(1) still calls it a Linux bzImage; its header is W^X (w-x.py:
# NX_COMPAT, no section writable and executable). Signed, the image reads
# the same in bzelf info (part 5, the CRC right, and a signature) and
# extract gives the same kernel; a BIOS loader still boots it. For test64,
# test32 and Debian's kernel, whose images differ in size and layout.
#
# Rows: pe-test64, pe-test32, pe-signed-bios-test64, pe-ovmf-test64,
# pe-linux; they run in parallel, and each prints PASS or FAIL.
#
# Environment: those of tests/lib.sh (OVMF_CODE and OVMF_VARS: the
# firmware of pe-ovmf-test64). Output and exit status: tests/lib.sh.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"

require "$BZELF" objdump sbsign sbverify openssl file
require_kernels test32 test64
kernel_statuses
make_work pe

# check_signed IMAGE SIGNED: bzelf reads SIGNED, IMAGE signed, as IMAGE:
# it exits 0 (so the image CRC32 and the stage checksum are right), says
# a signature is there and IMAGE has none, finds part 5 and the CRC where
# they were, and extracts the same kernel. Adds to reasons.
check_signed() {
  for key in layout.part5.bytes layout.image_crc.file_offset image_crc32 hdr.syssize; do
    before=$(image_info "$1" "$key" 2>&1) after=$(image_info "$2" "$key" 2>&1)
    [ "$before" = "$after" ] || reasons="${reasons}signed, $key is '$after', not '$before'; "
  done
  [ "$(image_info "$1" signature.present)" = false ] ||
    reasons="${reasons}bzelf info sees a signature on the unsigned image; "
  [ "$(image_info "$2" signature.present)" = true ] ||
    reasons="${reasons}bzelf info sees no signature on the signed image; "
  "$BZELF" info "$2" >"$2.info" 2>&1 ||
    reasons="${reasons}bzelf info on the signed image: $(grep '^bzelf: ' "$2.info"); "
  if ! "$BZELF" extract "$1" -o "$1.elf" >"$1.extract" 2>&1 ||
    ! "$BZELF" extract "$2" -o "$2.elf" >"$2.extract" 2>&1; then
    reasons="${reasons}bzelf extract failed: $(oneline "$1.extract") $(oneline "$2.extract"); "
  elif ! cmp -s "$1.elf" "$2.elf"; then
    reasons="${reasons}bzelf extract gives another kernel from the signed image; "
  fi
}

# check NAME IMAGE: the three tools on IMAGE, and bzelf on IMAGE signed.
check() {
  name=$1 image=$2 reasons=""
  if ! objdump -p "$image" >"$WORK/$name.objdump" 2>"$WORK/$name.objdump.err"; then
    reasons="${reasons}objdump -p failed: $(oneline "$WORK/$name.objdump.err"); "
  elif [ -s "$WORK/$name.objdump.err" ]; then
    reasons="${reasons}objdump warns: $(oneline "$WORK/$name.objdump.err"); "
  else
    grep -q 'file format pei-x86-64' "$WORK/$name.objdump" ||
      reasons="${reasons}objdump does not read pei-x86-64; "
    grep -q '^Subsystem.*(EFI application)' "$WORK/$name.objdump" ||
      reasons="${reasons}objdump sees no EFI application subsystem; "
  fi
  signed=$WORK/$name.signed
  if ! why=$(sign_image "$image" "$signed"); then
    reasons="${reasons}$why; "
  elif grep -qiE 'warning|gap|remaining' "$signed.sbsign"; then
    reasons="${reasons}sbsign warns: $(oneline "$signed.sbsign"); "
  elif ! sbverify --cert "$WORK/sign-cert.pem" "$signed" >"$WORK/$name.sbverify" 2>&1; then
    reasons="${reasons}sbverify failed: $(oneline "$WORK/$name.sbverify"); "
  elif grep -qiE 'warning|gap|remaining' "$WORK/$name.sbverify"; then
    reasons="${reasons}sbverify warns: $(oneline "$WORK/$name.sbverify"); "
  else
    check_signed "$image" "$signed"
  fi
  file -b "$image" >"$WORK/$name.file" 2>&1
  grep -q '^Linux kernel x86 boot executable bzImage' "$WORK/$name.file" ||
    reasons="${reasons}file says '$(oneline "$WORK/$name.file")'; "
  # bzelf info reads the same header back.
  subsystem=$(image_info "$image" pe.Subsystem 2>/dev/null)
  [ "$subsystem" = 10 ] || reasons="${reasons}bzelf info --json gives pe.Subsystem '$subsystem'; "
  # W^X: NX_COMPAT, and no section both writable and executable.
  wx=$(python3 "$ROOT/tests/pe/w-x.py" "$image" 2>&1) || reasons="${reasons}${wx:-w-x.py failed}; "
  if [ -z "$reasons" ]; then pass "$name"; else fail "$name" "$reasons"; fi
}

# pe-test64, pe-test32: the tools on the test kernels' images.
row_tools() {
  local k=$1 name=pe-$1
  build_image "$name" "$WORK/$k.img" "$KERNELS_DIR/$k.elf" || return
  check "$name" "$WORK/$k.img"
}
row_test64() { row_tools test64; }
row_test32() { row_tools test32; }

# A signed image from a BIOS loader: QEMU -kernel loads the whole file,
# certificate table and all, and the stage must not mind what follows
# part 5 (tests/loaders boots one through GRUB, tests/mbr from a disk).
row_signed_bios_test64() {
  local name=pe-signed-bios-test64 cmdline initrd_line why reasons=""
  cmdline="$BUILTIN_CMDLINE token=$(token)"
  build_image "$name" "$WORK/$name.img" "$KERNELS_DIR/test64.elf" || return
  initrd_line=$(make_initrd "$WORK/$name.initrd") || {
    fail "$name" "cannot make the initrd"
    return
  }
  why=$(sign_image "$WORK/$name.img" "$WORK/$name.signed") || {
    fail "$name" "$why"
    return
  }
  boot "$name" "${TIMEOUT:-120}" -m 256 -kernel "$WORK/$name.signed" \
    -initrd "$WORK/$name.initrd" -append "$cmdline"
  kernel_report "$name" "$cmdline" "$initrd_line"
  judge "$name"
}

# A PE loader's verdict: edk2's (OVMF) loads test64's image as
# \EFI\BOOT\BOOTX64.EFI from a FAT disk (QEMU's vvfat) and starts it at
# AddressOfEntryPoint; the kernel must pass. What the EFI stub does there
# is tests/efi's; this row is about the header: sections, SizeOfImage and
# the entry as the firmware reads them.
row_ovmf_test64() {
  local name=pe-ovmf-test64 cmdline reasons=""
  if [ ! -r "$OVMF_CODE" ] || [ ! -r "$OVMF_VARS" ]; then
    fail "$name" "no $OVMF_CODE or $OVMF_VARS (Debian's ovmf)"
    return
  fi
  mkdir -p "$WORK/esp/EFI/BOOT"
  cmdline="$BUILTIN_CMDLINE token=$(token)"
  build_image "$name" "$WORK/esp/EFI/BOOT/BOOTX64.EFI" "$KERNELS_DIR/test64.elf" \
    --cmdline "$cmdline" || return
  cp "$OVMF_VARS" "$WORK/vars.fd"
  boot "$name" "${TIMEOUT:-120}" -m 256 \
    -drive "if=pflash,format=raw,readonly=on,file=$OVMF_CODE" \
    -drive "if=pflash,format=raw,file=$WORK/vars.fd" \
    -drive "file=fat:rw:$WORK/esp,format=raw"
  kernel_report "$name" "$cmdline" 'bzelf-test: initrd: none'
  judge "$name"
}

row_linux() {
  local name=pe-linux
  if ! "$ROOT/tests/linux/fetch-kernel.sh" "$LINUX_DIR" >"$WORK/$name.fetch" 2>&1; then
    fail "$name" "no Debian kernel: $(oneline "$WORK/$name.fetch")"
    return
  fi
  build_image "$name" "$WORK/linux.img" "$LINUX_DIR/vmlinux" || return
  check "$name" "$WORK/linux.img"
}

# The rows sign in parallel: the throwaway key first, once.
if ! why=$(throwaway_key); then
  echo "run.sh: $why" >&2
  exit 2
fi
# Every row reports PASS or FAIL, also one that stops early (run_rows).
# A row: its name, then the function that runs it.
pe_row() { "$2"; }
run_rows first_word pe_row "pe-test64 row_test64" "pe-test32 row_test32" \
  "pe-signed-bios-test64 row_signed_bios_test64" "pe-ovmf-test64 row_ovmf_test64" \
  "pe-linux row_linux"

finish
