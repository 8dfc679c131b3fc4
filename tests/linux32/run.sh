#!/bin/sh
# Boots Debian's own i386 kernel (linux-image-686; an ELF32 vmlinux with
# physical p_paddr, so bzelf's "paddr" rule) wrapped by bzelf, to an i386
# busybox init that prints a marker with /proc/cmdline and powers off:
#   - QEMU -kernel IMAGE (real-mode setup, then the 32-bit hand-off);
#   - QEMU -kernel STAGE.elf (part 5 cut out, PVH entry).
# Also checks that `bzelf info` names the rule applied.
# Environment: BZELF (the tool), WORK (scratch dir, keeps the kernel).
set -eu
: "${BZELF:=build/bin/bzelf}"
: "${WORK:=build/linux32}"
here=$(dirname "$0")
logs=build/test-logs
mkdir -p "$WORK" "$logs"
passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

if ! "$here/fetch-kernel.sh" "$WORK/kernel" 2>"$WORK/fetch.err"; then
  fail linux32-fetch "$(tr '\n' ' ' <"$WORK/fetch.err")"
  echo "$passed passed, $failed failed"
  exit 1
fi
vmlinux=$WORK/kernel/vmlinux

# The amd64 busybox cannot run under a 32-bit kernel: put the i386 one in.
"$here/../linux/make-initramfs.sh" "$WORK/initrd.gz" "$WORK/kernel/root"

image=$WORK/linux32.bzelf
"$BZELF" build "$vmlinux" -o "$image"
rule=$("$BZELF" info "$image" | sed -n 's/^stage\.placement_rule  *//p')
class=$("$BZELF" info "$image" | sed -n 's/^stage\.kernel_class  *//p')
if [ "$rule" = paddr ] && [ "$class" = ELF32 ]; then
  pass linux32-info
else
  fail linux32-info "stage.kernel_class '$class', stage.placement_rule '$rule' (want ELF32, paddr)"
fi
setup_sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$image" | tr -d ' ')
[ "$setup_sects" -eq 0 ] && setup_sects=4
dd if="$image" of="$WORK/stage.elf" bs=512 skip=$((setup_sects + 1)) status=none

boot() { # NAME KERNEL
  name=$1
  token=$(od -An -tx4 -N4 /dev/urandom | tr -d ' ')
  cmdline="console=ttyS0 quiet panic=-1 bzelf.token=$token"
  log=$logs/$name.log
  timeout 300 qemu-system-x86_64 -kernel "$2" -initrd "$WORK/initrd.gz" -append "$cmdline" \
    -m 128 -display none -monitor none -serial "file:$log" -no-reboot >/dev/null 2>&1 || true
  if grep -qF "BZELF-LINUX-OK cmdline=[$cmdline]" "$log"; then
    pass "$name"
  else
    fail "$name" "no marker line with the command line; serial log tail:"
    tail -n 15 "$log" | sed 's/^/    /'
  fi
}
boot linux32-qemu-kernel "$image"
boot linux32-pvh "$WORK/stage.elf"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
