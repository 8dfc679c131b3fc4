#!/bin/sh
# Boot times under QEMU, wall clock from QEMU's start to its exit, the
# variants booted in turn (round robin) so that a noisy neighbour slows all
# of them alike. Medians and ratios of medians; nothing fails on time, but a
# boot that does not show its marker is not counted and makes the script
# exit non-zero. The same again in QEMU's CPU time (user + system, all its
# threads): the work each boot took, which a neighbour that takes the CPU
# away does not lengthen, so its ratios vary less between runs than the
# wall-clock ones on a shared machine; and in its user time alone.
# Linux variants (same initramfs, QEMU flags and command line; the init
# prints BZELF-LINUX-OK and powers off):
#   debian      Debian's vmlinuz, its own bzImage (XZ)
#   pvh         the vmlinux inside it, booted by QEMU through its PVH note:
#               no decompression at all
#   bzelf       the bzelf image of that vmlinux (real-mode entry), KASLR
#               on (the default: a random physical and virtual place)
#   bzelf-nokaslr  the same image with `nokaslr`: the kernel's own
#               addresses, no relocation
#   bzelf-pvh   the image's stage ELF (part 5) alone, through PVH
# Stage alone (a kernel that leaves QEMU through isa-debug-exit at once):
#   exit-empty  bzelf image of the bare exit kernel
#   exit-blob   the same with the payload's kernel ELF as data: the
#               difference is the stage inflating (and checking) it
#   exit-linux  bzelf image of Debian's vmlinux with the exit code written
#               over its entry (make-exit-kernel.py --linux), KASLR on,
#               the Linux boots' initrd and command line: the stage
#               inflates it, draws a slot and applies its relocation
#               table, then jumps to the exit
#   exit-linux-nokaslr  the same with `nokaslr`: no slot, no relocation;
#               the difference is what the stage's KASLR costs, without
#               any of the work Linux itself does when KASLR_FLAG is set
# With EFI=1 (bench/run.sh sets it when the bzelf image is an EFI
# application), Debian's kernel started by UEFI firmware itself, no boot
# loader: OVMF (q35, OVMF_CODE_4M.fd, a fresh copy of OVMF_VARS_4M.fd for
# each boot) given the image by QEMU's -kernel, which it starts with
# LoadImage and StartImage, the initrd offered through LoadFile2; the same
# initramfs (its --efi /init also checks /sys/firmware/efi), command line
# and -m 256 for both:
#   efi-debian  Debian's vmlinuz, through Linux's EFI stub
#   efi-bzelf   the bzelf image of its vmlinux, through bzelf's EFI stub
# Each must show the command line with the " initrd=initrd" OVMF adds only
# when it starts a PE image (its legacy loader for a bzImage without a PE
# header adds nothing), so neither is timed through another path.
# Environment: WORK (inputs from bench/run.sh), KERNEL_DIR, BENCH_RUNS,
# EFI, OVMF_CODE and OVMF_VARS (Debian's ovmf).
set -eu
: "${WORK:=build/bench}"
: "${KERNEL_DIR:=build/linux/kernel}"
: "${BENCH_RUNS:=5}"
: "${EFI:=0}"
: "${OVMF_CODE:=/usr/share/OVMF/OVMF_CODE_4M.fd}"
: "${OVMF_VARS:=/usr/share/OVMF/OVMF_VARS_4M.fd}"
variants="debian pvh bzelf bzelf-nokaslr bzelf-pvh exit-empty exit-blob exit-linux exit-linux-nokaslr"
[ "$EFI" = 1 ] && variants="$variants efi-debian efi-bzelf"
cmdline="console=ttyS0 quiet panic=-1"
qemu_flags="-m 96 -display none -monitor none -no-reboot"
efi_flags="-machine q35 -m 256 -nodefaults -vga std -display none -monitor none -no-reboot"
times=$WORK/times
rm -rf "$times"
mkdir -p "$times"
failed=0

now_ms() { echo $(($(date +%s%N) / 1000000)); }
# Sets children_ms to the CPU time (user + system) of this shell's
# waited-for children so far, and children_user_ms to its user part: the
# second line of `times` ("0m1.230000s 0m0.040000s" in dash). `times` must
# run in this shell, not in a $(...) subshell, whose children are its
# own: hence the file.
children_cpu_ms() {
  times > "$times/.times"
  # shellcheck disable=SC2046 # two numbers
  set -- $(awk 'NR == 2 {
    split($1, u, "m"); split($2, s, "m"); sub("s", "", u[2]); sub("s", "", s[2])
    printf "%.0f %.0f\n", ((u[1] + s[1]) * 60 + u[2] + s[2]) * 1000, (u[1] * 60 + u[2]) * 1000 }' "$times/.times")
  [ $# -eq 2 ] || { echo "boot-times.sh: cannot read the shell's times: $(cat "$times/.times")" >&2; exit 1; }
  children_ms=$1 children_user_ms=$2
}

kernel_of() {
  case $1 in
    debian) echo "$KERNEL_DIR/vmlinuz" ;;
    pvh) echo "$KERNEL_DIR/vmlinux" ;;
    bzelf | bzelf-nokaslr) echo "$WORK/linux.bzelf" ;;
    bzelf-pvh) echo "$WORK/stage.elf" ;;
    exit-empty) echo "$WORK/exit-empty.bzelf" ;;
    exit-blob) echo "$WORK/exit-blob.bzelf" ;;
    exit-linux | exit-linux-nokaslr) echo "$WORK/exit-linux.bzelf" ;;
    efi-debian) echo "$KERNEL_DIR/vmlinuz" ;;
    efi-bzelf) echo "$WORK/linux.bzelf" ;;
  esac
}

cmdline_of() {
  case $1 in
    bzelf-nokaslr | exit-linux-nokaslr) echo "$cmdline nokaslr" ;;
    *) echo "$cmdline" ;;
  esac
}

boot_once() { # VARIANT: appends the time in ms to $times/VARIANT
  log=$times/$1.log
  rm -f "$log"
  # The firmware's variables as they come, untimed.
  case $1 in efi-*) cp "$OVMF_VARS" "$times/vars.fd" ;; esac
  children_cpu_ms
  cpu_start=$children_ms user_start=$children_user_ms
  start=$(now_ms)
  case $1 in
    efi-*)
      # shellcheck disable=SC2086
      timeout 300 qemu-system-x86_64 $efi_flags \
        -drive "if=pflash,format=raw,unit=0,readonly=on,file=$OVMF_CODE" \
        -drive "if=pflash,format=raw,unit=1,file=$times/vars.fd" \
        -kernel "$(kernel_of "$1")" -initrd "$WORK/initrd-efi.gz" -append "$cmdline" \
        -serial "file:$log" >/dev/null 2>&1 || true
      grep -qF "BZELF-LINUX-OK cmdline=[$cmdline initrd=initrd]" "$log" && ok=1 || ok=0
      ;;
    exit-*)
      # exit-linux gets the Linux boots' initrd too: the stage keeps its
      # slots clear of it, as it does for them.
      initrd=
      case $1 in exit-linux*) initrd="-initrd $WORK/initrd.gz" ;; esac
      # shellcheck disable=SC2086
      timeout 120 qemu-system-x86_64 -kernel "$(kernel_of "$1")" $initrd -append "$(cmdline_of "$1")" \
        $qemu_flags -serial "file:$log" -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        >/dev/null 2>&1 && status=0 || status=$?
      # The exit kernel writes 0: QEMU's status is (0 << 1) | 1.
      [ "$status" -eq 1 ] && ok=1 || ok=0
      ;;
    *)
      # shellcheck disable=SC2086
      timeout 300 qemu-system-x86_64 -kernel "$(kernel_of "$1")" \
        -initrd "$WORK/initrd.gz" -append "$(cmdline_of "$1")" $qemu_flags \
        -serial "file:$log" >/dev/null 2>&1 || true
      grep -q 'BZELF-LINUX-OK' "$log" && ok=1 || ok=0
      ;;
  esac
  end=$(now_ms)
  children_cpu_ms
  if [ "$ok" -eq 1 ]; then
    echo $((end - start)) >> "$times/$1"
    echo $((children_ms - cpu_start)) >> "$times/$1.cpu"
    echo $((children_user_ms - user_start)) >> "$times/$1.user"
  else
    echo "  run failed: $1 (log tail below)"
    tail -n 5 "$log" 2>/dev/null | sed 's/^/    /'
    failed=$((failed + 1))
  fi
}

run=1
while [ "$run" -le "$BENCH_RUNS" ]; do
  for v in $variants; do
    boot_once "$v"
  done
  run=$((run + 1))
done

# min, median, max of the numbers in FILE (median of an even count: the
# mean of the middle two).
stats() {
  sort -n "$1" | awk '{ v[NR] = $1 }
    END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%d %d %d %d\n", NR, v[1], m, v[NR] }'
}
# stat VARIANT FIELD: 2 = min, 3 = median (ms), 0 when nothing was timed.
# The file is $times/VARIANT$SUFFIX: SUFFIX is empty for wall-clock times,
# .cpu for CPU times, .user for user time alone.
SUFFIX=
stat() { [ -s "$times/$1$SUFFIX" ] && stats "$times/$1$SUFFIX" | cut -d' ' -f"$2" || echo 0; }

table() {
  printf '  %-19s %-46s %5s %8s %8s %8s\n' variant what runs "min s" "median" "max s"
  for v in $variants; do
    case $v in
      debian) what="Debian's vmlinuz (its bzImage, XZ)" ;;
      pvh) what="vmlinux via PVH (no decompression)" ;;
      bzelf) what="bzelf image of the vmlinux (gzip), KASLR" ;;
      bzelf-nokaslr) what="the same with nokaslr" ;;
      bzelf-pvh) what="bzelf stage ELF alone via PVH" ;;
      exit-empty) what="bzelf image, kernel that exits at once" ;;
      exit-blob) what="same + $payload_bytes B of payload ELF" ;;
      exit-linux) what="vmlinux, exit at its entry, KASLR" ;;
      exit-linux-nokaslr) what="the same with nokaslr" ;;
      efi-debian) what="OVMF starts Debian's vmlinuz (its EFI stub)" ;;
      efi-bzelf) what="OVMF starts the bzelf image (bzelf's stub)" ;;
    esac
    if [ -s "$times/$v$SUFFIX" ]; then
      stats "$times/$v$SUFFIX" | awk -v v="$v" -v what="$what" '{
        printf "  %-19s %-46s %5d %8.2f %8.2f %8.2f\n", v, what, $1, $2 / 1000, $3 / 1000, $4 / 1000 }'
    else
      printf '  %-19s %-46s %5d %8s %8s %8s\n' "$v" "$what" 0 - - -
    fi
  done
}

# The ratios from the medians, and the same from the minimums: on a busy
# machine the fastest run of each is the one least disturbed.
ratios() { # FIELD LABEL
  awk -v deb="$(stat debian "$1")" -v pvh="$(stat pvh "$1")" -v bz="$(stat bzelf "$1")" \
    -v bznk="$(stat bzelf-nokaslr "$1")" \
    -v bzpvh="$(stat bzelf-pvh "$1")" -v empty="$(stat exit-empty "$1")" \
    -v blob="$(stat exit-blob "$1")" -v bytes="$payload_bytes" -v label="$2" \
    -v xl="$(stat exit-linux "$1")" -v xlnk="$(stat exit-linux-nokaslr "$1")" 'BEGIN {
    printf "  from the %s:\n", label
    printf "    decompression cost over pvh: debian %+.2f s, bzelf %+.2f s, bzelf-pvh %+.2f s\n",
      (deb - pvh) / 1000, (bz - pvh) / 1000, (bzpvh - pvh) / 1000
    if (deb != pvh) {
      printf "    R     = (bzelf - pvh) / (debian - pvh)     = %.2f with KASLR, %.2f with nokaslr (bzelf-nokaslr)\n",
        (bz - pvh) / (deb - pvh), (bznk - pvh) / (deb - pvh)
      printf "    R_pvh = (bzelf-pvh - pvh) / (debian - pvh) = %.2f\n", (bzpvh - pvh) / (deb - pvh)
      if (xl > 0 && xlnk > 0)
        printf "    the stage'"'"'s KASLR (slot choice, relocation) adds (exit-linux - exit-linux-nokaslr) / (debian - pvh) = %+.3f to R (%+.3f s)\n",
          (xl - xlnk) / (deb - pvh), (xl - xlnk) / 1000
    }
    if (blob > empty)
      printf "    stage inflate + CRC under TCG = exit-blob - exit-empty = %.2f s, %.0f MB/s of output\n",
        (blob - empty) / 1000, bytes / 1e6 / ((blob - empty) / 1000)
  }'
  [ "$EFI" = 1 ] || return 0
  awk -v deb="$(stat efi-debian "$1")" -v bz="$(stat efi-bzelf "$1")" 'BEGIN {
    if (deb > 0 && bz > 0)
      printf "    EFI, firmware-direct: efi-bzelf / efi-debian = %.2f (%+.2f s)\n",
        bz / deb, (bz - deb) / 1000
  }'
}
payload_bytes=$(wc -c < "$WORK/payload.elf" | tr -d ' ')
echo "  wall clock, QEMU's start to its exit:"
table
ratios 3 medians
ratios 2 minimums
echo "  QEMU's CPU time (user + system), the same boots:"
SUFFIX=.cpu
table
ratios 3 medians
ratios 2 minimums
# The user part alone: QEMU running the guest. The system part is the
# host kernel's work for QEMU, among it handing QEMU the guest's RAM as
# the guest first touches it, and it varies between boots of one image by
# more than the whole difference KASLR makes (bench/README.md).
echo "  QEMU's user CPU time alone, the same boots:"
SUFFIX=.user
table
ratios 3 medians
ratios 2 minimums
echo "  load average after the boots: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$failed" -eq 0 ] || { echo "  $failed runs failed and were not counted"; exit 1; }
