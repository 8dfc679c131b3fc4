#!/bin/sh
# Installs the Debian packages that building and testing bzelf need, and
# only when one is missing, so that `make run` and `make check` work on a
# fresh Debian 12 machine.
set -eu

packages="build-essential g++-multilib gcc-multilib binutils libgtest-dev
  zlib1g-dev libdeflate-dev clang qemu-system-x86 qemu-utils xz-utils cpio
  busybox-static python3 grub-common grub-pc-bin grub-efi-amd64-bin ovmf
  syslinux syslinux-common isolinux pxelinux mtools xorriso dosfstools
  ipxe-qemu kexec-tools file"

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ]; then
  exit 0
fi

echo "bzelf: installing:$missing"
sudo=""
if [ "$(id -u)" != 0 ]; then
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
# An index that fails to download (a mirror mid-sync, an architecture
# that a mirror lacks) makes `apt-get update` fail as a whole; the install
# below still works from what did download, so let it decide.
$sudo apt-get update -qq || echo "bzelf: apt-get update reported errors; installing anyway" >&2
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
