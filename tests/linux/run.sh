#!/bin/sh
# Boots Debian's own kernels wrapped by bzelf, to a busybox init that
# prints a marker with /proc/cmdline and powers off:
#   - x86_64 (linux-image-amd64): QEMU -kernel IMAGE (real-mode setup) in
#     -m 96, and QEMU -kernel STAGE.elf (part 5 cut out, PVH entry); the
#     payload is a gzip member of the kernel ELF: zlib and `bzelf extract`
#     agree, and its segments/entry/notes match the input;
#   - i386 (linux-image-686, an ELF32 vmlinux): the same two boots, and
#     `bzelf info` naming the placement rule;
#   - for both, Debian's vmlinuz itself as the input (its XZ payload read
#     by bzelf, tools/kernel-input.h): byte-identical to the image of the
#     vmlinux that xz extracted from it (fetch-kernel.sh) given the
#     alignment the vmlinuz's header states (--kernel-alignment: a vmlinux
#     does not record it; Debian 686's is 16 MiB, not the default 2 MiB),
#     and booted.
# Environment: those of tests/lib.sh (LINUX_DIR: the amd64 kernel), and
# WORK (scratch dir, keeps the i386 kernel; build/linux). Output and exit
# status: tests/lib.sh.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
: "${WORK:=$ROOT/build/linux}"
here=$ROOT/tests/linux
mkdir -p "$WORK" "$LOG_DIR"

boot_linux() { # NAME KERNEL INITRD MEMORY_MB
  name=$1
  cmdline="console=ttyS0 $LINUX_TEST_ARGS bzelf.token=$(token)"
  boot "$name" 300 -m "$4" -kernel "$2" -initrd "$3" -append "$cmdline"
  reasons=
  linux_marker "$name" "$cmdline"
  judge "$name"
}

# from_vmlinuz NAME VMLINUZ VMLINUX INITRD MEMORY_MB: VMLINUZ wrapped as
# it is must give the image of VMLINUX, the vmlinux inside it, built with
# the header's kernel_alignment, byte for byte; then it boots.
from_vmlinuz() {
  if ! "$BZELF" build "$2" -o "$WORK/$1.bzelf" >"$WORK/$1.build" 2>&1; then
    fail "$1-same" "bzelf build $2: $(oneline "$WORK/$1.build")"
    return
  fi
  if ! align=$(image_info "$2" hdr.kernel_alignment) ||
    ! "$BZELF" build "$3" -o "$WORK/$1.vmlinux.bzelf" --kernel-alignment "$align" \
      >"$WORK/$1.vmlinux.build" 2>&1; then
    fail "$1-same" "bzelf build $3 --kernel-alignment '$align': $(oneline "$WORK/$1.vmlinux.build")"
    return
  fi
  if cmp -s "$WORK/$1.bzelf" "$WORK/$1.vmlinux.bzelf"; then
    pass "$1-same"
  else
    fail "$1-same" "the image of $2 differs from that of its vmlinux: $(cmp "$WORK/$1.bzelf" "$WORK/$1.vmlinux.bzelf" 2>&1)"
  fi
  boot_linux "$1-qemu-kernel" "$WORK/$1.bzelf" "$4" "$5"
}

# --- x86_64 --------------------------------------------------------------
"$here/fetch-kernel.sh" "$LINUX_DIR"
vmlinux=$LINUX_DIR/vmlinux
why=$(linux_initramfs "$WORK/initrd.gz" "$WORK/initrd") || {
  echo "run.sh: $why" >&2
  exit 2
}
image=$WORK/linux.bzelf
"$BZELF" build "$vmlinux" -o "$image"
stage_elf "$image" "$WORK/stage.elf"
# Debian's own bzImage needs 96 MB; so must we, no more.
boot_linux linux-qemu-kernel "$image" "$WORK/initrd.gz" 96
boot_linux linux-pvh "$WORK/stage.elf" "$WORK/initrd.gz" 96
from_vmlinuz linux-vmlinuz "$LINUX_DIR/vmlinuz" "$vmlinux" "$WORK/initrd.gz" 96

"$BZELF" extract "$image" -o "$WORK/extracted.elf"
if python3 "$here/check-payload.py" "$image" "$WORK/extracted.elf" "$vmlinux"; then
  pass linux-payload
else
  fail linux-payload "payload check failed"
fi
# Debian's own vmlinuz: bzelf extract gives the vmlinux inside it, with
# Linux's relocation table after the ELF, byte for byte what
# fetch-kernel.sh's unxz of the payload gave.
if ! "$BZELF" extract "$LINUX_DIR/vmlinuz" -o "$WORK/vmlinuz.elf" 2>"$WORK/vmlinuz-extract.err"; then
  fail linux-vmlinuz-extract "bzelf extract failed: $(oneline "$WORK/vmlinuz-extract.err")"
elif ! cmp -s "$WORK/vmlinuz.elf" "$vmlinux"; then
  fail linux-vmlinuz-extract "differs from the vmlinux: $(cmp "$WORK/vmlinuz.elf" "$vmlinux" 2>&1)"
else
  pass linux-vmlinuz-extract
fi

# --- i386 ------------------------------------------------------------------
if "$here/fetch-kernel.sh" "$WORK/kernel32" i386 2>"$WORK/fetch32.err"; then
  # The amd64 busybox cannot run under a 32-bit kernel: the i386 one goes in.
  why=$(linux_initramfs "$WORK/initrd32.gz" "$WORK/initrd32" "" "$WORK/kernel32/root") || {
    echo "run.sh: $why" >&2
    exit 2
  }
  image=$WORK/linux32.bzelf
  "$BZELF" build "$WORK/kernel32/vmlinux" -o "$image"
  info=$("$BZELF" info "$image")
  rule=$(echo "$info" | sed -n 's/^stage\.placement_rule  *//p')
  class=$(echo "$info" | sed -n 's/^stage\.kernel_class  *//p')
  if [ "$rule" = paddr ] && [ "$class" = ELF32 ]; then
    pass linux32-info
  else
    fail linux32-info "stage.kernel_class '$class', stage.placement_rule '$rule' (want ELF32, paddr)"
  fi
  stage_elf "$image" "$WORK/stage32.elf"
  boot_linux linux32-qemu-kernel "$image" "$WORK/initrd32.gz" 128
  boot_linux linux32-pvh "$WORK/stage32.elf" "$WORK/initrd32.gz" 128
  from_vmlinuz linux32-vmlinuz "$WORK/kernel32/vmlinuz" "$WORK/kernel32/vmlinux" \
    "$WORK/initrd32.gz" 128
else
  fail linux32-fetch "$(tr '\n' ' ' <"$WORK/fetch32.err")"
fi

finish
