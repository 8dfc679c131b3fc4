#!/bin/sh
# Installs what `make bench` needs beyond tools/install-deps.sh (which
# already brings i386 zlib), and only when it is missing: Debian's i386
# libdeflate run-time library, so that the inflate benchmark can also be
# built -m32 like the boot stage. The run-time package is enough: the
# bench links the .so file by path, and the amd64 header (libdeflate.h)
# does not depend on the architecture. The -dev:i386 packages would also
# pull in libc6-dev:i386 and linux-libc-dev:i386, which must match the
# amd64 versions exactly.
set -eu

packages="libdeflate0:i386"

missing=""
for p in $packages; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0

echo "bzelf bench: installing:$missing"
sudo=""
if [ "$(id -u)" != 0 ]; then
  sudo=sudo
fi
export DEBIAN_FRONTEND=noninteractive
if ! dpkg --print-foreign-architectures | grep -qx i386; then
  $sudo dpkg --add-architecture i386
fi
# One unreachable index (say, a mirror mid-sync for one architecture) makes
# apt-get update exit non-zero although the lists it needs came through;
# the install below is what decides.
$sudo apt-get update -qq || echo "bzelf bench: apt-get update reported errors; trying the install anyway" >&2
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing
