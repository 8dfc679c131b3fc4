#!/bin/sh
# Builds the initramfs the real-Linux tests boot to:
#   make-initramfs.sh [--efi] [--tpm] OUT.cpio.gz [DIR]
# busybox-static, and an /init that checks a random blob against the
# checksum taken here (so a damaged initrd shows), prints
#   BZELF-LINUX-OK cmdline=[<the kernel's /proc/cmdline>]
# then where the kernel runs, from /proc/kallsyms and /proc/iomem:
#   BZELF-LINUX-TEXT <the _text line>
#   BZELF-LINUX-CODE <the Kernel code line>
# and powers off. With --efi, /init also requires /sys/firmware/efi (Linux
# kept the EFI system table and runtime services: tests/efi); else it
# prints "BZELF-LINUX-BAD no /sys/firmware/efi" instead. With --tpm,
# /init then prints what Linux read of the TPM (tests/efi's tpm rows):
#   BZELF-TPM-PCR9 <the SHA-256 PCR 9, /sys/class/tpm/tpm0/pcr-sha256/9>
#   BZELF-TPM-LOG <base64 of the event log, a line at a time>...
#   BZELF-TPM-LOG-END
# (the log: /sys/kernel/security/tpm0/binary_bios_measurements), or
# "BZELF-TPM-BAD <what is missing>". Files under DIR, if given, are added
# to the root.
set -eu
# The lines of /init's check that --efi adds, and what --tpm adds.
efi_check=
tpm_dump=
while [ $# -gt 0 ]; do
  case $1 in
    --efi)
      efi_check='elif ! { /bin/busybox mount -t sysfs sysfs /sys && [ -d /sys/firmware/efi ]; }; then
  echo "BZELF-LINUX-BAD no /sys/firmware/efi"'
      ;;
    --tpm)
      tpm_dump='/bin/busybox mountpoint -q /sys || /bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t securityfs securityfs /sys/kernel/security
log=/sys/kernel/security/tpm0/binary_bios_measurements
if [ ! -r /sys/class/tpm/tpm0/pcr-sha256/9 ]; then
  echo "BZELF-TPM-BAD no /sys/class/tpm/tpm0/pcr-sha256/9"
elif [ ! -r $log ]; then
  echo "BZELF-TPM-BAD no $log"
else
  echo "BZELF-TPM-PCR9 $(/bin/busybox cat /sys/class/tpm/tpm0/pcr-sha256/9)"
  /bin/busybox base64 $log | /bin/busybox sed "s/^/BZELF-TPM-LOG /"
  echo "BZELF-TPM-LOG-END"
fi'
      ;;
    *) break ;;
  esac
  shift
done
out=$1
extra=${2:-}
root=$(mktemp -d "${TMPDIR:-/tmp}/bzelf-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/proc" "$root/sys"
cp /bin/busybox "$root/bin/busybox"
[ -n "$extra" ] && cp -a "$extra/." "$root/"
head -c 300000 /dev/urandom > "$root/blob"
sum=$(md5sum < "$root/blob" | cut -d' ' -f1)
cat > "$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
got=\$(/bin/busybox md5sum /blob | /bin/busybox cut -d' ' -f1)
if [ "\$got" != "$sum" ]; then
  echo "BZELF-LINUX-BAD initrd blob checksum \$got"
$efi_check
else
  echo "BZELF-LINUX-OK cmdline=[\$(/bin/busybox cat /proc/cmdline)]"
fi
echo "BZELF-LINUX-TEXT \$(/bin/busybox grep -m1 ' _text\$' /proc/kallsyms)"
echo "BZELF-LINUX-CODE \$(/bin/busybox grep -m1 'Kernel code' /proc/iomem)"
$tpm_dump
/bin/busybox poweroff -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) > "$out.tmp"
mv "$out.tmp" "$out"
