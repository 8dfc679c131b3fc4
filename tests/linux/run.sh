#!/bin/sh
# Boots Debian's own x86_64 kernel wrapped by bzelf, to a busybox init that
# prints a marker with /proc/cmdline and powers off:
#   - QEMU -kernel IMAGE (real-mode setup path), in -m 96;
#   - QEMU -kernel STAGE.elf (part 5 cut out, PVH entry);
#   - the payload is a gzip member of the kernel ELF: zlib and
#     `bzelf extract` agree, and its segments/entry/notes match the input.
# Environment: BZELF (the tool), WORK (scratch dir, keeps the kernel).
set -eu
: "${BZELF:=build/bin/bzelf}"
: "${WORK:=build/linux}"
here=$(dirname "$0")
logs=build/test-logs
mkdir -p "$WORK" "$logs"
passed=0
failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1: $2"; failed=$((failed + 1)); }

"$here/fetch-kernel.sh" "$WORK/kernel"
vmlinux=$WORK/kernel/vmlinux

"$here/make-initramfs.sh" "$WORK/initrd.gz"

image=$WORK/linux.bzelf
"$BZELF" build "$vmlinux" -o "$image"
setup_sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$image" | tr -d ' ')
[ "$setup_sects" -eq 0 ] && setup_sects=4
dd if="$image" of="$WORK/stage.elf" bs=512 skip=$((setup_sects + 1)) status=none

boot() { # NAME KERNEL
  name=$1
  token=$(od -An -tx4 -N4 /dev/urandom | tr -d ' ')
  cmdline="console=ttyS0 quiet panic=-1 bzelf.token=$token"
  log=$logs/$name.log
  timeout 300 qemu-system-x86_64 -kernel "$2" -initrd "$WORK/initrd.gz" -append "$cmdline" \
    -m 96 -display none -monitor none -serial "file:$log" -no-reboot >/dev/null 2>&1 || true
  if grep -qF "BZELF-LINUX-OK cmdline=[$cmdline]" "$log"; then
    pass "$name"
  else
    fail "$name" "no marker line with the command line; serial log tail:"
    tail -n 15 "$log" | sed 's/^/    /'
  fi
}
boot linux-qemu-kernel "$image"
boot linux-pvh "$WORK/stage.elf"

# The payload for Xen and extract tools.
"$BZELF" extract "$image" -o "$WORK/extracted.elf"
if python3 "$here/check-payload.py" "$image" "$WORK/extracted.elf" "$vmlinux"; then
  pass linux-payload
else
  fail linux-payload "payload check failed"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
