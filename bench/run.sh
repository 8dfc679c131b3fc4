#!/bin/sh
# make bench: prints four tables, each measured side by side in one run:
#   1. image size: bzelf's image of Debian's vmlinux against Debian's vmlinuz;
#   2. host inflate throughput on gzip -9 of Debian's vmlinux: our
#      decoder, zlib and libdeflate in one process (-m64, and -m32 like the
#      boot stage: its i486, i686 and SSE2 builds, natively and under
#      qemu-i386), and the CRC32 of the output likewise;
#   3. `bzelf extract` of that image against libdeflate-gunzip of its
#      payload, whole processes on a tmpfs, round robin;
#   4. boot times under QEMU, round robin: Debian's vmlinuz, the vmlinux
#      through PVH, the bzelf image and its stage ELF through PVH, a
#      kernel that exits at once with and without a payload-sized blob,
#      and Debian's vmlinux with an exit at its entry, with and without
#      KASLR;
#      once the bzelf image is an EFI application, Debian's vmlinuz and
#      the bzelf image started by OVMF itself.
# Nothing here passes or fails on time; the script exits non-zero only when
# something could not be measured (a boot without its marker, a decoder
# whose output does not match, extract and libdeflate-gunzip disagreeing).
# Environment (bench/build.mk sets them):
#   BZELF            the host tool
#   WORK             scratch directory
#   KERNEL_DIR       Debian's kernel (tests/linux/fetch-kernel.sh)
#   BENCH_RUNS       boots per variant
#   BENCH_REPS       timed inflate passes per decoder
#   EXTRACT_RUNS     timed runs of each extracting process
#   INFLATE_BENCHES  inflate-bench programs to run, in order
set -eu
: "${BZELF:=build/bin/bzelf}"
export BZELF # for tests/image_info.py and tests/linux/fetch-kernel.sh
: "${WORK:=build/bench}"
: "${KERNEL_DIR:=build/linux/kernel}"
: "${BENCH_RUNS:=5}"
: "${BENCH_REPS:=7}"
: "${EXTRACT_RUNS:=21}"
: "${INFLATE_BENCHES:=}"
here=$(dirname "$0")
mkdir -p "$WORK"

# --- inputs ------------------------------------------------------------------
"$here/../tests/linux/fetch-kernel.sh" "$KERNEL_DIR"
"$here/../tests/linux/make-initramfs.sh" "$WORK/initrd.gz"
image=$WORK/linux.bzelf
"$BZELF" build "$KERNEL_DIR/vmlinux" -o "$image"
# Part 5 alone, the stage ELF that QEMU boots through its PVH note.
part5=$(python3 "$here/../tests/image_info.py" "$image" layout.part5.file_offset)
tail -c +$((part5 + 1)) "$image" >"$WORK/stage.elf"
# The kernel ELF the payload holds (bzelf lays its file out for in-place
# inflation), and two kernels that exit at once: one with those bytes as
# data, one without, to time the stage's inflate alone.
"$BZELF" extract "$image" -o "$WORK/payload.elf"
python3 "$here/make-exit-kernel.py" "$WORK/exit-empty.elf"
python3 "$here/make-exit-kernel.py" "$WORK/exit-blob.elf" "$WORK/payload.elf"
"$BZELF" build "$WORK/exit-empty.elf" -o "$WORK/exit-empty.bzelf"
"$BZELF" build "$WORK/exit-blob.elf" -o "$WORK/exit-blob.bzelf"
# Debian's vmlinux itself, its relocation table included, with the exit
# code written over its entry: booted with and without `nokaslr`, the
# difference is the stage's slot choice and relocation alone.
python3 "$here/make-exit-kernel.py" --linux "$KERNEL_DIR/vmlinux" "$WORK/exit-linux.elf"
"$BZELF" build "$WORK/exit-linux.elf" -o "$WORK/exit-linux.bzelf"

echo "bzelf benchmarks: $(cat "$KERNEL_DIR/version"), $(nproc) CPUs, $(qemu-system-x86_64 --version | head -n 1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo

# --- 1. image size -----------------------------------------------------------
echo "== 1. Image size"
"$here/image-size.sh" "$KERNEL_DIR/vmlinuz" "$KERNEL_DIR/vmlinux" "$image" "$WORK/payload.elf"
echo

# --- 2. host inflate ---------------------------------------------------------
# The input is what the issue names, gzip -9 of Debian's whole vmlinux, not
# the image's payload: that leaves out the zeros at the end of the
# kernel's segments (the stage zeroes them), a different and smaller job.
# Compressed once per kernel: gzip -9 of 66 MB takes seconds.
if [ ! "$WORK/vmlinux.gz" -nt "$KERNEL_DIR/vmlinux" ]; then
  gzip -9 -n -c "$KERNEL_DIR/vmlinux" > "$WORK/vmlinux.gz.tmp"
  mv "$WORK/vmlinux.gz.tmp" "$WORK/vmlinux.gz"
fi
echo "== 2. Host inflate of gzip -9 of Debian's vmlinux (one process, same buffers, round robin)"
for program in $INFLATE_BENCHES; do
  # Run with no arguments it prints its usage and exits 2; a kernel built
  # without 32-bit program support refuses to start it at all (126). Then
  # QEMU's user-mode emulator runs it instead: all three decoders as
  # translated code, like the boot stage under TCG, so its figures are not
  # native ones and say so.
  status=0
  "$program" >/dev/null 2>&1 || status=$?
  if [ "$status" -eq 126 ]; then
    if ! command -v qemu-i386 >/dev/null 2>&1; then
      echo "  $(basename "$program"): not run: this machine's kernel cannot execute it (no 32-bit program support), and qemu-i386 is missing"
      continue
    fi
    echo "  $(basename "$program"): this machine's kernel cannot execute 32-bit programs; run under qemu-i386 (user-mode TCG): emulated figures, not native ones"
    qemu-i386 "$program" "$WORK/vmlinux.gz" "$BENCH_REPS" -m32/qemu
    continue
  fi
  "$program" "$WORK/vmlinux.gz" "$BENCH_REPS"
  # The stage runs as translated code under QEMU's TCG, where what counts
  # is how many guest instructions and memory accesses a decoder takes,
  # not how a host CPU schedules them: the 32-bit builds again, under
  # qemu-i386 ("max": SSE2, CMOV).
  case $program in
    *-32)
      if command -v qemu-i386 >/dev/null 2>&1; then
        echo "  the same under qemu-i386 -cpu max (user-mode TCG, as the stage runs under QEMU):"
        qemu-i386 -cpu max "$program" "$WORK/vmlinux.gz" "$BENCH_REPS" -m32/qemu
      fi
      ;;
  esac
done
echo

# --- 3. extract ----------------------------------------------------------------
echo "== 3. bzelf extract against libdeflate-gunzip of the same payload (whole processes, tmpfs, round robin)"
python3 "$here/extract-times.py" "$image" "$EXTRACT_RUNS"
echo

# --- 4. boot times -----------------------------------------------------------
echo "== 4. Boot times under QEMU (TCG), round robin, BENCH_RUNS=$BENCH_RUNS boots per variant"
# Firmware-direct EFI boots of Debian's kernel, its vmlinuz and the bzelf
# image side by side, once the image is an EFI application: before that,
# OVMF would boot it through its legacy bzImage loader instead.
efi=0
if python3 "$here/../tests/image_info.py" --efi-application "$image"; then
  efi=1
  "$here/../tests/linux/make-initramfs.sh" --efi "$WORK/initrd-efi.gz"
else
  echo "  EFI firmware-direct boots (efi-debian, efi-bzelf) skipped: the bzelf image is not an EFI application yet (bzelf info --json: no pe.Subsystem 10 with a non-zero pe.AddressOfEntryPoint)"
fi
WORK=$WORK KERNEL_DIR=$KERNEL_DIR BENCH_RUNS=$BENCH_RUNS EFI=$efi "$here/boot-times.sh"
