# shellcheck shell=bash
# What the UEFI suites share (tests/efi, tests/secureboot): a FAT ESP on a
# disk image, and the q35 machine with Debian's OVMF. Sourced after
# tests/lib.sh, which sets OVMF_CODE and OVMF_VARS (tests/secureboot sets
# them to its Secure Boot build); OVMF_SECURE=yes gives
# the machine what OVMF's Secure Boot build needs (SMM, and flash that
# only SMM code may write: the variable store that holds the keys).

# make_esp DISK SOURCE=PATH...: DISK, a disk image with an MBR whose one
# partition (type 0xEF, from 1 MiB on) holds a FAT file system made by
# mformat, with each SOURCE copied to PATH in it; 16 MiB more than the
# files need. A partition, not a bare FAT file system on the whole disk:
# GRUB 2.06's chainloader hands such a disk's handle to the image as its
# device, and Linux's stub finds no file system there ("EFI stub: ERROR:
# Failed to handle fs_proto").
make_esp() {
  local disk=$1 spec src path dir part made=" " mib=16
  shift
  for spec in "$@"; do
    mib=$((mib + ($(stat -L -c %s "${spec%%=*}") + 1048575) / 1048576))
  done
  rm -f "$disk"
  truncate -s "${mib}M" "$disk" || return 1
  python3 - "$disk" "$mib" <<'EOF' || return 1
import struct, sys
disk, mib = sys.argv[1], int(sys.argv[2])
start = 2048  # sectors: 1 MiB
# One primary entry: not active, CHS fields "beyond 8 GiB" (LBA only),
# type 0xEF (EFI system partition), LBA start and sector count.
entry = struct.pack("<B3sB3sII", 0, b"\xfe\xff\xff", 0xEF, b"\xfe\xff\xff",
                    start, mib * 2048 - start)
with open(disk, "r+b") as f:
    f.seek(446)
    f.write(entry)
    f.seek(510)
    f.write(b"\x55\xaa")
EOF
  mformat -i "$disk@@1M" -T $(((mib - 1) * 2048)) -h 64 -s 32 -v ESP :: || return 1
  for spec in "$@"; do
    src=${spec%%=*}
    path=${spec#*=}
    # The folders on the way, parents first (mmd makes one at a time).
    dir=
    for part in $(dirname "$path" | tr / ' '); do
      [ "$part" = . ] && continue
      dir=${dir:+$dir/}$part
      if [[ $made != *" $dir "* ]]; then
        mmd -i "$disk@@1M" "::$dir" || return 1
        made+="$dir "
      fi
    done
    mcopy -i "$disk@@1M" "$src" "::$path" || return 1
  done
}

# esp_row NAME SOURCE=PATH...: make_esp into $WORK/NAME.esp, its words in
# NAME.mkesp; fails NAME if it cannot.
esp_row() {
  local name=$1
  shift
  if ! make_esp "$WORK/$name.esp" "$@" >"$WORK/$name.mkesp" 2>&1; then
    fail "$name" "making the ESP failed: $(oneline "$WORK/$name.mkesp")"
    return 1
  fi
}

# The machine: q35, Debian's OVMF with its own copy of the variable
# store, no default devices (so no empty CD-ROM or NIC among the boot
# options) but a VGA, whose GOP a stub may look for.
machine_args() { # NAME MEMORY_MB
  cp "$OVMF_VARS" "$WORK/$1.vars"
  if [ "${OVMF_SECURE:-}" = yes ]; then
    # Also no S3: with SMM, OVMF supports S3 resume unless QEMU says it
    # has none, and then keeps its PEI memory, 0x810000-0x1710000 here,
    # as ACPI NVS for the resume, over the place where test64 and
    # Linux's x86_64 kernel are linked (16 MiB); the EFI stub does not
    # move a kernel yet, and refuses (as tests/efi's refusal-nvs).
    printf '%s\n' -machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on \
      -global ICH9-LPC.disable_s3=1
  else
    printf '%s\n' -machine q35
  fi
  printf '%s\n' -m "$2" -nodefaults -vga std \
    -drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE" \
    -drive "if=pflash,format=raw,unit=1,file=$WORK/$1.vars"
}
disk_args() { # NAME: the ESP as the first boot option
  printf '%s\n' -drive "file=$WORK/$1.esp,format=raw,if=none,id=esp" \
    -device virtio-blk-pci,drive=esp,bootindex=0
}

# systemd's stub that a unified kernel image (UKI) starts from (Debian's
# systemd-boot-efi).
SYSTEMD_STUB=${SYSTEMD_STUB:-/usr/lib/systemd/boot/efi/linuxx64.efi.stub}

# make_uki UKI OSREL CMDLINE LINUX INITRD: UKI, the files as the .osrel,
# .cmdline, .linux and .initrd sections of a copy of SYSTEMD_STUB made
# with objcopy, at the section addresses of systemd's own UKI recipe
# (test/test-efi-create-disk.sh in systemd's tree; ukify came later):
# .osrel 0x20000, .cmdline 0x30000, .linux 0x2000000, .initrd 0x3000000,
# all past the stub's own sections (objdump -h: the last, .sdmagic, ends
# at 0x19134). objcopy's words in UKI.objcopy; on failure prints the
# reason and returns 1.
make_uki() {
  if ! objcopy \
    --add-section .osrel="$2" --change-section-vma .osrel=0x20000 \
    --add-section .cmdline="$3" --change-section-vma .cmdline=0x30000 \
    --add-section .linux="$4" --change-section-vma .linux=0x2000000 \
    --add-section .initrd="$5" --change-section-vma .initrd=0x3000000 \
    "$SYSTEMD_STUB" "$1" >"$1.objcopy" 2>&1; then
    echo "objcopy failed: $(oneline "$1.objcopy")"
    return 1
  fi
}
