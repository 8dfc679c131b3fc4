#!/bin/sh
# Boots Debian's own kernels wrapped by bzelf, to a busybox init that
# prints a marker with /proc/cmdline and powers off:
#   - x86_64 (linux-image-amd64): QEMU -kernel IMAGE (real-mode setup) in
#     -m 96, and QEMU -kernel STAGE.elf (part 5 cut out, PVH entry); the
#     payload is a gzip member of the kernel ELF: zlib and `bzelf extract`
#     agree, and its segments/entry/notes match the input;
#   - i386 (linux-image-686, an ELF32 vmlinux): the same two boots, and
#     `bzelf info` naming the placement rule.
# Environment: BZELF (the tool), WORK (scratch dir, keeps the kernels).
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

# stage_elf IMAGE OUT: cuts part 5 out of an image.
stage_elf() {
  setup_sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$1" | tr -d ' ')
  [ "$setup_sects" -eq 0 ] && setup_sects=4
  dd if="$1" of="$2" bs=512 skip=$((setup_sects + 1)) status=none
}

boot() { # NAME KERNEL INITRD MEMORY_MB
  name=$1
  token=$(od -An -tx4 -N4 /dev/urandom | tr -d ' ')
  cmdline="console=ttyS0 quiet panic=-1 bzelf.token=$token"
  log=$logs/$name.log
  timeout 300 qemu-system-x86_64 -kernel "$2" -initrd "$3" -append "$cmdline" \
    -m "$4" -display none -monitor none -serial "file:$log" -no-reboot >/dev/null 2>&1 || true
  if grep -qF "BZELF-LINUX-OK cmdline=[$cmdline]" "$log"; then
    pass "$name"
  else
    fail "$name" "no marker line with the command line; serial log tail:"
    tail -n 15 "$log" | sed 's/^/    /'
  fi
}

# --- x86_64 --------------------------------------------------------------
"$here/fetch-kernel.sh" "$WORK/kernel"
vmlinux=$WORK/kernel/vmlinux
"$here/make-initramfs.sh" "$WORK/initrd.gz"
image=$WORK/linux.bzelf
"$BZELF" build "$vmlinux" -o "$image"
stage_elf "$image" "$WORK/stage.elf"
# Debian's own bzImage needs 96 MB; so must we, no more.
boot linux-qemu-kernel "$image" "$WORK/initrd.gz" 96
boot linux-pvh "$WORK/stage.elf" "$WORK/initrd.gz" 96

"$BZELF" extract "$image" -o "$WORK/extracted.elf"
if python3 "$here/check-payload.py" "$image" "$WORK/extracted.elf" "$vmlinux"; then
  pass linux-payload
else
  fail linux-payload "payload check failed"
fi

# --- i386 ------------------------------------------------------------------
if "$here/fetch-kernel.sh" "$WORK/kernel32" i386 2>"$WORK/fetch32.err"; then
  # The amd64 busybox cannot run under a 32-bit kernel: the i386 one goes in.
  "$here/make-initramfs.sh" "$WORK/initrd32.gz" "$WORK/kernel32/root"
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
  boot linux32-qemu-kernel "$image" "$WORK/initrd32.gz" 128
  boot linux32-pvh "$WORK/stage32.elf" "$WORK/initrd32.gz" 128
else
  fail linux32-fetch "$(tr '\n' ' ' <"$WORK/fetch32.err")"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
