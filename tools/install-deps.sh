#!/bin/sh
# Installs the Debian packages that building and testing bzelf need, and
# only when one is missing, so that `make run` and `make check` work on a
# fresh Debian 12 machine.
set -eu

packages="build-essential g++-multilib gcc-multilib binutils libgtest-dev
  zlib1g-dev zlib1g:i386 libdeflate-dev libdeflate-tools clang libclang-rt-14-dev qemu-system-x86 qemu-user
  qemu-utils xz-utils cpio busybox-static python3 grub-common grub-pc-bin grub-efi-amd64-bin ovmf
  syslinux syslinux-common isolinux pxelinux mtools xorriso dosfstools
  ipxe-qemu kexec-tools file systemd-boot-efi
  debhelper dpkg-dev lintian man-db mandoc git"
# The host tool reads kernels compressed by any method Linux offers for
# its bzImage (tools/kernel-input.h), through these libraries; the tests
# make such kernels with the command-line compressors.
packages="$packages liblzma-dev libbz2-dev liblz4-dev liblzo2-dev libzstd-dev
  bzip2 zstd lz4 lzop"

# tests/pe, tests/loaders, tests/mbr and tests/secureboot: sbsigntool signs
# the image (with a key openssl makes, or ovmf's snakeoil key), and
# verifies it; binutils' objdump reads its PE header.
packages="$packages sbsigntool openssl"

# tests/bochs: a second PC model. bochs needs one display library
# package; bochs-term is the small one (the suite uses the rfb display,
# built into bochs itself), and naming it keeps apt from choosing wx.
packages="$packages bochs bochs-term bochsbios vgabios"

# tests/efi's tpm rows: a software TPM 2.0 for QEMU (swtpm; swtpm-tools
# has swtpm_setup, which makes a TPM's state ahead of time).
packages="$packages swtpm swtpm-tools"

# tests/efi boots through systemd-boot (systemd-boot-efi) besides OVMF and
# GRUB; it fetches rEFInd and iPXE's EFI build with apt-get download
# instead of installing them (their install scripts write to the ESP and
# run update-grub), and writes FAT file systems with mtools.
#
# make deb and tests/install: debhelper and dpkg-dev build the package
# (debian/control's Build-Depends are in the list above too), lintian
# checks it, man-db and mandoc check the manual, git clones the tree.
#
# The real-Linux tests also boot Debian's i386 kernel, which apt-get
# downloads only with dpkg's i386 architecture enabled; the same
# architecture gives zlib1g:i386, for the 32-bit test build of the stage's
# decoder (tests/fuzz/build.mk).
need_i386=""
if ! dpkg --print-foreign-architectures | grep -qx i386; then
  need_i386=yes
fi

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done

if [ -z "$missing" ] && [ -z "$need_i386" ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" != 0 ]; then
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
if [ -n "$need_i386" ]; then
  echo "bzelf: adding dpkg architecture i386 (for Debian's i386 kernel in the tests)"
  $sudo dpkg --add-architecture i386
fi
echo "bzelf: installing:${missing:- nothing, updating package lists}"
# An index that fails to download (a mirror mid-sync, an architecture
# that a mirror lacks) makes `apt-get update` fail as a whole; the install
# below still works from what did download, so let it decide.
$sudo apt-get update -qq || echo "bzelf: apt-get update reported errors; installing anyway" >&2
if [ -n "$missing" ]; then
  # shellcheck disable=SC2086
  $sudo apt-get install -y -qq --no-install-recommends $missing
fi
