#!/usr/bin/env bash
# The "MBR (direct)" entry path of DESIGN.md: a bzelf image written raw to
# a disk, booted by the BIOS (SeaBIOS) with no loader. The boot sector loads
# the first 4 KiB, the setup loads the rest of itself and part 5
# (boot/setup-rest.cpp, boot/disk.cpp), and the kernel must get the
# built-in command line (bzelf build --cmdline); also signed (sbsign's
# certificate table after part 5, which the setup must not read as part
# of it). Then the error codes and messages of that path: the image in a
# partition instead of on the whole disk, read errors in each of the three
# parts, a disk too short.
# Last, Debian's kernel the same way, to its root-fs panic (no initrd on
# this path), with its command line from the image; and on a machine whose
# RAM cannot hold it (-m 8), the setup's refusal before the first read.
#
# Environment (all optional): those of tests/lib.sh, and
#   TIMEOUT      seconds allowed per boot       (60; 300 for Linux)
#
# Output and exit status: tests/lib.sh.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
TIMEOUT=${TIMEOUT:-60}

require "$BZELF" "$QEMU" timeout truncate sbsign openssl
require_kernels test32 test64
kernel_statuses
make_work mbr

# build NAME KERNEL CMDLINE: the image $WORK/NAME.img, or a FAIL.
build() {
  build_image "$1" "$WORK/$1.img" "$2" --cmdline "$3"
}

# boot_disk NAME DRIVE [SECONDS]: boots the BIOS's first disk, QEMU's
# -drive DRIVE (a raw image: what a USB stick or hard disk written with dd
# is); QEMU is stopped at the first "-- System halted" line (the boot
# sector and the setup halt instead of exiting).
boot_disk() {
  boot "$1" "${3:-$TIMEOUT}" -m "${MEMORY:-128}" -drive "$2"
}

# boot_kernel NAME KERNEL [prepare|signed]: a test kernel from a raw disk;
# it must pass, see the built-in command line, no initrd, and the boot
# sector as its loader (type_of_loader 0x20, boot.rst's
# "bootsect-loader"). With "prepare", the disk is padded to whole sectors
# and followed by 1 MiB of other data, as on a used USB stick: only part 5
# itself may be copied. With "signed", the disk is the image signed by
# sbsign, its certificate table after part 5.
boot_kernel() {
  local name=$1 kernel=$2 prepare=${3:-} cmdline reasons="" disk why
  selected "$name" || return 0
  cmdline="$BUILTIN_CMDLINE token=$(token) say=\"two words\""
  build "$name" "$kernel" "$cmdline" || return
  disk=$WORK/$name.img
  if [ "$prepare" = signed ]; then
    disk=$WORK/$name.signed
    if ! why=$(sign_image "$WORK/$name.img" "$disk"); then
      fail "$name" "$why"
      return
    fi
  elif [ -n "$prepare" ]; then
    truncate -s %512 "$disk"
    head -c $((1024 * 1024)) /dev/urandom >>"$disk"
  fi
  boot_disk "$name" "file=$disk,format=raw,if=ide"

  kernel_report "$name" "$cmdline" 'bzelf-test: initrd: none'
  grep -q '^bzelf-test: boot_params at .* type_of_loader=0x20 ' "$WORK/$name.log" ||
    reasons+="type_of_loader is not 0x20 (bootsect-loader); "
  judge "$name"
}

# expect_halt NAME DRIVE LINE: the boot must stop with exactly LINE on
# serial and never reach a kernel.
expect_halt() {
  local name=$1
  selected "$name" || return 0
  boot_disk "$name" "$2"
  if grep -q '^bzelf-test: ' "$WORK/$name.log"; then
    fail "$name" "a kernel ran; expected '$3'"
  elif ! grep -qxF "$3" "$WORK/$name.log"; then
    fail "$name" "no '$3' line within ${TIMEOUT}s (got '$(grep -m1 '^bzelf: ' "$WORK/$name.log")', QEMU exit status $status)"
  else
    pass "$name"
  fi
}

boot_kernel mbr-test32 "$KERNELS_DIR/test32.elf"
boot_kernel mbr-test64 "$KERNELS_DIR/test64.elf"
boot_kernel mbr-test64-used-disk "$KERNELS_DIR/test64.elf" prepare
boot_kernel mbr-test64-signed "$KERNELS_DIR/test64.elf" signed

# boot_floppy NAME KERNEL [SIZE [DRIVE-TYPE]]: a test kernel from a
# 1.44 MB floppy (bzelf build --floppy), booted from drive A: SeaBIOS has
# no INT 13h extensions for floppy drives, so the setup reads by cylinder,
# head and sector (lib/chs.h), track by track; the kernel must pass as
# from a disk. With SIZE 2949120, the image is padded on to a 2.88 MB
# floppy (36 sectors a track; QEMU picks the drive type from the size).
# DRIVE-TYPE (QEMU's floppy drive-type: 144, 288) fixes the drive: a 1.44
# MB disk in a 2.88 MB drive, for which INT 13h AH=08h says 36 sectors a
# track, while the disk has 18.
boot_floppy() {
  local name=$1 kernel=$2 to=${3:-} type=${4:-} cmdline reasons="" disk size
  selected "$name" || return
  cmdline="$BUILTIN_CMDLINE token=$(token)"
  disk=$WORK/$name.img
  build_image "$name" "$disk" "$kernel" --cmdline "$cmdline" --floppy || return
  size=$(wc -c <"$disk")
  if [ "$size" != 1474560 ]; then
    fail "$name" "bzelf build --floppy wrote $size bytes, not 1474560"
    return
  fi
  [ -z "$to" ] || truncate -s "$to" "$disk"
  if [ -n "$type" ]; then
    boot "$name" "$TIMEOUT" -m 128 -drive "if=none,id=fd0,format=raw,file=$disk" \
      -device "floppy,unit=0,drive=fd0,drive-type=$type" -boot a
  else
    boot "$name" "$TIMEOUT" -m 128 -drive "if=floppy,format=raw,file=$disk" -boot a
  fi
  kernel_report "$name" "$cmdline" 'bzelf-test: initrd: none'
  grep -q '^bzelf-test: boot_params at .* type_of_loader=0x20 ' "$WORK/$name.log" ||
    reasons+="type_of_loader is not 0x20 (bootsect-loader); "
  judge "$name"
}
boot_floppy mbr-floppy-test32 "$KERNELS_DIR/test32.elf"
boot_floppy mbr-floppy-test64 "$KERNELS_DIR/test64.elf"
boot_floppy mbr-floppy288-test32 "$KERNELS_DIR/test32.elf" 2949120
boot_floppy mbr-floppy144-in-288-test32 "$KERNELS_DIR/test32.elf" "" 288

# Error paths: one image, damaged in turn.
if any_selected mbr-error-in-partition mbr-error-io-bootsect mbr-error-io-setup \
  mbr-error-io-part5 mbr-error-short-disk &&
  build mbr-errors "$KERNELS_DIR/test32.elf" "$BUILTIN_CMDLINE"; then
  image=$WORK/mbr-errors.img
  part5=$(part5_offset "$image")
  sects=$((part5 / 512 - 1))

  # The image inside a partition instead of on the whole disk from
  # sector 0: a disk whose own MBR (syslinux's mbr.bin) chain-loads the
  # partition's first sector, ours, to 0x7C00. No drive's sector 0 is that
  # sector: code S.
  mbr_bin=/usr/lib/syslinux/mbr/mbr.bin
  if ! selected mbr-error-in-partition; then
    :
  elif [ ! -r "$mbr_bin" ]; then
    fail mbr-error-in-partition "no $mbr_bin (Debian's syslinux-common)"
  else
    disk=$WORK/in-partition.img
    rm -f "$disk"
    truncate -s 8M "$disk"
    dd if="$mbr_bin" of="$disk" conv=notrunc status=none
    # One active partition at LBA 2048, 14336 sectors (type 0x83), and
    # the boot signature; CHS fields unused (mbr.bin reads by LBA).
    printf '\x80\xfe\xff\xff\x83\xfe\xff\xff\x00\x08\x00\x00\x00\x38\x00\x00' |
      dd of="$disk" bs=1 seek=446 conv=notrunc status=none
    printf '\x55\xaa' | dd of="$disk" bs=1 seek=510 conv=notrunc status=none
    dd if="$image" of="$disk" bs=512 seek=2048 conv=notrunc status=none
    expect_halt mbr-error-in-partition "file=$disk,format=raw,if=ide" \
      'bzelf: boot sector: disk error S -- System halted'
  fi

  # Read errors (QEMU's blkdebug driver fails every read that touches one
  # sector; SeaBIOS reports them as status 0x0C): in the setup sectors,
  # code R after the boot sector's retries; in part 5, the setup's line
  # with the first sector of the failing read.
  io_error() { # NAME SECTOR LINE
    printf '[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "%d"\n' \
      "$2" >"$WORK/$1.blkdebug"
    expect_halt "$1" "driver=raw,if=ide,file.driver=blkdebug,file.config=$WORK/$1.blkdebug,file.image.filename=$image" "$3"
  }
  # In the first 4 KiB, which the boot sector reads while it looks for
  # its drive: a drive it cannot read is not the boot drive, code S.
  io_error mbr-error-io-bootsect 2 'bzelf: boot sector: disk error S -- System halted'
  # In the rest of the setup, which the setup reads itself: its line
  # with the first sector of the failing read (EDD on a hard disk: one
  # read from sector 8).
  io_error mbr-error-io-setup 10 \
    'bzelf: disk: read error at sector 0x8 (INT 13h status 0xc) -- System halted'
  # The setup reads part 5 in 64-sector chunks from sector setup_sects + 1.
  bad=$((sects + 1 + 64 + 10))
  io_error mbr-error-io-part5 "$bad" \
    "bzelf: disk: read error at sector 0x$(printf '%x' $((sects + 1 + 64))) (INT 13h status 0xc) -- System halted"

  # The disk ends inside part 5 (a copy cut short): a read past the end,
  # which SeaBIOS refuses with status 0x01. Cut at the start of the last
  # 32 KiB chunk, so that this read is the first to fail.
  size=$(wc -c <"$image")
  chunks=$(((size - part5 + 32767) / 32768))
  cut=$((part5 + (chunks - 1) * 32768))
  head -c "$cut" "$image" >"$WORK/short.img"
  expect_halt mbr-error-short-disk "file=$WORK/short.img,format=raw,if=ide" \
    "bzelf: disk: read error at sector 0x$(printf '%x' $((cut / 512))) (INT 13h status 0x1) -- System halted"
fi

# Debian's kernel: its own serial lines show the command line it got and
# that it ran up to mounting the root file system (there is no initrd on
# this path; panic=-1 and -no-reboot end QEMU at the panic).
linux_name=mbr-linux
if ! any_selected "$linux_name" mbr-error-no-ram; then
  :
elif ! "$ROOT/tests/linux/fetch-kernel.sh" "$LINUX_DIR" >"$WORK/$linux_name.fetch" 2>&1; then
  fail "$linux_name" "no Debian kernel: $(tail -n 2 "$WORK/$linux_name.fetch" | tr '\n' ' ')"
else
  cmdline="console=ttyS0 panic=-1 bzelf.token=$(token)"
  if build "$linux_name" "$LINUX_DIR/vmlinux" "$cmdline" && selected "$linux_name"; then
    boot_disk "$linux_name" "file=$WORK/$linux_name.img,format=raw,if=ide" 300
    reasons=""
    grep -qF "Kernel command line: $cmdline" "$WORK/$linux_name.log" ||
      reasons+="no 'Kernel command line: $cmdline'; "
    grep -q 'Kernel panic - not syncing: VFS: Unable to mount root fs' "$WORK/$linux_name.log" ||
      reasons+="the kernel did not get to mounting the root fs (QEMU exit status $status); "
    judge "$linux_name"
  fi
  if [ -f "$WORK/$linux_name.img" ]; then
    # A machine whose RAM cannot hold part 5 at 1 MiB: the setup's
    # planner check refuses it before the first read. 8 MiB for Debian's
    # kernel, whose part 5 is about 11 MB.
    size=$(printf '0x%x' $((16 * $(image_info "$WORK/$linux_name.img" hdr.syssize))))
    MEMORY=8 expect_halt mbr-error-no-ram "file=$WORK/$linux_name.img,format=raw,if=ide" \
      "bzelf: disk: no RAM at 0x100000 for the $size bytes of part 5 -- System halted"
  fi
fi

finish
