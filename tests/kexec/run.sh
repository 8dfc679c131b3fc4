#!/usr/bin/env bash
# The kexec rows of the loader matrix: a running Linux (Debian's x86_64
# kernel, its own vmlinuz, under QEMU) kexecs into a bzelf image with
# kexec-tools' `kexec`, through each of its x86_64 bzImage loaders:
#   - bzImage64 (`kexec -t bzImage64`): long mode, identity map, enters
#     part 5 at +0x200 (startup_64); the kernel's own kexec_file_load
#     loader (`kexec -s -t bzImage64`) does the same;
#   - bzImage (`kexec -t bzImage`): the 32-bit loader, enters part 5 at
#     offset 0 (the ELF header decoded as code) in flat protected mode;
#   - bzImage with `--real-mode`: runs the real-mode setup;
# each with the test kernels (tests/kernels/: command line, initrd size
# and CRC-32, the boot_params kexec built) and Debian's kernel wrapped by
# bzelf (to the BZELF-LINUX-OK marker of tests/linux/make-initramfs.sh).
# One more row kexecs bzImage64 on a machine with RAM above 4 GiB, where
# kexec-tools puts the image and boot_params at the top of memory.
# README.md here has the exact kexec command lines.
#
# Environment (all optional): those of tests/lib.sh, and
#   FIRST_KERNEL the kernel that runs kexec             ($LINUX_DIR/vmlinuz)
#   KEXEC        kexec-tools' kexec, copied into the first initramfs
#                with the libraries ldd lists           (/sbin/kexec)
#   BUSYBOX      a static busybox                       (/bin/busybox)
#   TIMEOUT      seconds allowed per row, both boots    (120)
#   JOBS         rows run at the same time              (2)
#
# Output and exit status: tests/lib.sh; a failure keeps the row's serial
# log, and the end of QEMU's -d int,cpu_reset log as LOG_DIR/<row>.qemu-log
# when the failure came after `kexec -e`. How long each row took goes to
# $LOG_DIR/kexec-timings.txt (a figure, never a verdict).
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 2
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
FIRST_KERNEL=${FIRST_KERNEL:-$LINUX_DIR/vmlinuz}
export KEXEC=${KEXEC:-/sbin/kexec}
export BUSYBOX=${BUSYBOX:-/bin/busybox}
TIMEOUT=${TIMEOUT:-120}
JOBS=${JOBS:-2}

# Serial output after which a row cannot pass: the stage's one-line panic
# (DESIGN.md, "Decompressor", step 6), a panic of either Linux, the
# initrd check of tests/linux/make-initramfs.sh, and /init giving up
# (make-initramfs.sh here).
STOP_RE='-- System halted|Kernel panic|BZELF-LINUX-BAD|^bzelf-kexec: .*failed'

require "$BZELF" "$QEMU" "$KEXEC" "$BUSYBOX" python3 timeout cpio ldd
kernel_statuses
make_work kexec
TIMINGS=$LOG_DIR/kexec-timings.txt
: >"$TIMINGS"

# ---------------------------------------------------------------------------
# What is kexeced into. Kernels are named test64, test32 (tests/kernels)
# and debian (Debian's vmlinux); for each, $WORK/in/$kernel/ holds the
# bzelf image and the initrd, and becomes /kexec in the first kernel's
# initramfs ($WORK/$kernel.cpio), with one file per row in rows/.
declare -A READY WHY INITRD_REPORT
TOKEN=$(token)

for k in test64 test32; do
  READY[$k]=0
  mkdir -p "$WORK/in/$k/rows"
  if out=$(test_kernel_image "$k" "$WORK/in/$k/$k.img" "$WORK/in/$k/$k.initrd" "$WORK/$k.build"); then
    INITRD_REPORT[$k]=$out
    READY[$k]=1
  else
    WHY[$k]=$out
  fi
done

# Debian's kernel: fetched once into LINUX_DIR (shared with tests/linux
# and tests/loaders); the second kernel's initramfs is the one of
# tests/linux, whose /init prints the marker and powers off. panic=-1
# makes a panic reset, which -no-reboot turns into QEMU leaving.
READY[debian]=0
mkdir -p "$WORK/in/debian/rows"
if why=$(debian_image "$WORK/in/debian/debian.img" "$WORK/in/debian/debian.initrd" \
  "$WORK/debian"); then
  READY[debian]=1
else
  WHY[debian]=$why
fi
if [ ! -s "$FIRST_KERNEL" ]; then
  for k in test64 test32 debian; do
    READY[$k]=0
    WHY[$k]="no first kernel at $FIRST_KERNEL (tests/linux/fetch-kernel.sh $LINUX_DIR)"
  done
fi

# The rows: NAME KERNEL MEMORY KEXEC_OPTIONS... (besides -l, the image,
# --append and --initrd). Each gets the command line args NAME KERNEL.
args() {
  case $2 in
    debian) echo "console=ttyS0 $LINUX_TEST_ARGS bzelf.loader=$1 token=$TOKEN" ;;
    *) echo "console=ttyS0 bzelf.loader=$1 token=$TOKEN say=\"two words\" end" ;;
  esac
}
ROWS=(
  "kexec-bzImage64-test64 test64 512 -t bzImage64"
  "kexec-bzImage64-test32 test32 512 -t bzImage64"
  "kexec-bzImage64-debian debian 512 -t bzImage64"
  "kexec-bzImage64-above4g-test64 test64 6G -t bzImage64"
  "kexec-file-bzImage64-test64 test64 512 -s -t bzImage64"
  "kexec-file-bzImage64-debian debian 512 -s -t bzImage64"
  "kexec-bzImage-test64 test64 512 -t bzImage"
  "kexec-bzImage-test32 test32 512 -t bzImage"
  "kexec-bzImage-debian debian 512 -t bzImage"
  "kexec-bzImage-real-mode-test64 test64 512 -t bzImage --real-mode"
  "kexec-bzImage-real-mode-debian debian 512 -t bzImage --real-mode"
)
# Only the selected rows (tests/lib.sh; make mutate runs single rows).
chosen=()
for row in "${ROWS[@]}"; do
  selected "${row%% *}" && chosen+=("$row")
done
ROWS=("${chosen[@]}")

# The row files: the arguments of `kexec -l`, one to a line, as /init
# runs them. The above-4G row has no initrd: kexec-tools' bzImage64
# loader puts it at the top of memory, and the test kernels read theirs
# through a map of the low 4 GiB only (tests/kernels/README.md). It puts
# boot_params and the command line there too: the stage, which runs in
# 32-bit mode, has to bring those below 4 GiB itself.
for row in "${ROWS[@]}"; do
  read -r name kernel memory opts <<<"$row"
  {
    echo -l
    # shellcheck disable=SC2086
    printf '%s\n' $opts
    echo "--append=$(args "$name" "$kernel")"
    case $name in
      *above4g*) ;;
      *) echo "--initrd=/kexec/$kernel.initrd" ;;
    esac
    echo "/kexec/$kernel.img"
  } >"$WORK/in/$kernel/rows/$name"
done

for k in test64 test32 debian; do
  [ "${READY[$k]}" = 1 ] || continue
  if ! tests/kexec/make-initramfs.sh "$WORK/$k.cpio" "$WORK/in/$k" \
    >"$WORK/$k.mkinitramfs" 2>&1; then
    READY[$k]=0
    WHY[$k]="tests/kexec/make-initramfs.sh failed: $(oneline "$WORK/$k.mkinitramfs")"
  fi
done

# ---------------------------------------------------------------------------
# qemu_d_tail NAME: keeps the end of QEMU's -d int,cpu_reset log (the
# exceptions of the last instructions before a reset) as NAME.qemu-log,
# which fail keeps, and says what it shows.
qemu_d_tail() {
  local d=$WORK/$1.qemu-d last
  [ -s "$d" ] || return
  tail -n 120 "$d" >"$WORK/$1.qemu-log"
  last=$(grep -E '^ *[0-9]+: v=' "$d" | tail -n 3 | sed 's/^ *//; s/ env->.*//' | tr '\n' ';')
  if grep -q '^Triple fault' "$d"; then
    echo "QEMU saw a triple fault; its last exceptions: ${last%;}"
  elif [ -n "$last" ]; then
    echo "the last exceptions QEMU saw: ${last%;}"
  fi
}

# run_row NAME KERNEL MEMORY: boots the first kernel into the row's
# `kexec -l` and `kexec -e`, waits for QEMU to leave (or for a line after
# which nothing can pass, or the timeout) and checks what the second
# kernel reported.
run_row() {
  local name=$1 kernel=$2 memory=$3 reasons=""
  local expected
  expected=$(args "$name" "$kernel")
  if [ "${READY[$kernel]}" != 1 ]; then
    fail "$name" "${WHY[$kernel]}"
    return
  fi
  boot "$name" "$TIMEOUT" -m "$memory" -d int,cpu_reset -D "$WORK/$name.qemu-d" \
    -kernel "$FIRST_KERNEL" -initrd "$WORK/$kernel.cpio" \
    -append "console=ttyS0 $LINUX_TEST_ARGS bzelf.kexec.row=$name"
  local log=$WORK/$name.log

  if ! grep -q '^bzelf-kexec: kexec ' "$log"; then
    reasons+="the first kernel never ran /init's kexec (QEMU exit status $status); "
  elif grep -q '^bzelf-kexec: kexec -l failed' "$log"; then
    # What kexec printed between our line and its failure.
    local said
    said=$(sed -n '/^bzelf-kexec: kexec -l /,/^bzelf-kexec: kexec -l failed/p' "$log" |
      sed '1d; $d' | grep -v '^\[ *[0-9.]*\] ' | head -n 3 | tr '\n' ' ')
    reasons+="kexec -l refused the image: '${said% }'; "
  elif ! grep -q '^bzelf-kexec: kexec -e$' "$log"; then
    reasons+="kexec -l never returned (QEMU exit status $status); "
  elif grep -q '^bzelf-kexec: kexec -e failed' "$log"; then
    reasons+="$(grep -m1 '^bzelf-kexec: kexec -e failed' "$log" | sed 's/^bzelf-kexec: //'); "
  else
    # The second kernel ran (or should have): what it said.
    if [ "$kernel" = debian ]; then
      linux_marker "$name" "$expected"
    else
      local initrd_report=${INITRD_REPORT[$kernel]}
      [[ $name == *above4g* ]] && initrd_report="bzelf-test: initrd: none"
      kernel_report "$name" "$expected" "$initrd_report"
      # kexec-tools says it is the loader: type_of_loader 0xD0
      # (LOADER_TYPE_KEXEC << 4, kexec/arch/i386/x86-linux-setup.c).
      if grep -q '^bzelf-test: ' "$log" &&
        ! grep -q '^bzelf-test: boot_params at .* type_of_loader=0xd0 ' "$log"; then
        reasons+="boot_params.hdr.type_of_loader is not kexec's 0xd0; "
      fi
    fi
    if [ -n "$reasons" ]; then
      local d
      d=$(qemu_d_tail "$name")
      [ -n "$d" ] && reasons+="$d; "
    fi
  fi
  judge "$name"
}

# JOBS rows at a time, each QEMU on its own; their reports in row order.
run_rows first_word run_row "${ROWS[@]}"

finish
