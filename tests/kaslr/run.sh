#!/usr/bin/env bash
# KASLR (lib/kaslr.h) seen from inside Linux: Debian's kernels wrapped by
# bzelf boot to the init of tests/linux/make-initramfs.sh, which prints
# where the kernel runs (the "Kernel code" line of /proc/iomem, the _text
# line of /proc/kallsyms); the rows compare boots:
#   amd64        6 boots: each reaches init; at least 4 distinct physical
#                and 4 distinct virtual addresses, every _text offset a
#                multiple of 2 MiB below 1 GiB
#   nokaslr      the kernel's own addresses, 0x1000000 and ffffffff81000000
#   control      Debian's own vmlinuz, 6 boots the same way: at least 4
#                distinct of each (the check can see randomization)
#   seed         two boots with bzelf.kaslr_seed=N: the same addresses;
#                a third with another seed: other addresses
#   memmap-limit more than four memmap= ranges: the physical address stays
#                at the link address and the stage says so, the virtual
#                one is still random (as in Linux)
#   efi          Debian's kernel through UEFI: OVMF's kernel loader starts
#                the bzelf image (bzelf's EFI stub, which leaves the final
#                EFI memory map in efi_info), EFI_SEEDS boots with
#                bzelf.kaslr_seed= and efi=debug, so that Linux prints the
#                map it got ("efi: memNN: [<type>|...] range=[a-b]"): each
#                reaches init through the stub, its Kernel code range lies
#                inside one Conventional entry of that map (never in
#                boot-services memory, which E820 calls RAM), and the seeds
#                give at least 2 distinct places
#   i386         Debian's 686 kernel, 4 boots: each reaches init, at least
#                2 distinct physical addresses, each a multiple of 2 MiB
#                (a vmlinux: tools/kernel-relocs.cpp's rule for a kernel
#                without its header)
#   i386-vmlinuz the same kernel wrapped from its vmlinuz: each address a
#                multiple of the header's kernel_alignment (16 MiB), as
#                Linux's own decompressor places it
#   above4g      Debian's amd64 kernel with -m 6G on a pc machine whose RAM
#                below 4 GiB is cut to 256 MiB (max-ram-below-4g), two
#                boots with the ABOVE4G_SEEDS: each reaches init, and at
#                least one has its Kernel code at or above 0x100000000
#                (written below 4 GiB and copied up at the hand-off:
#                lib/kernel-staging.h). About 1 in 33 of the slots lies
#                below 4 GiB, and a seed's place changes with the image,
#                so two seeds: both below, about 1 in 1000 images
# Boots run JOBS at a time (3), each stopped once the init has reported.
# The position-independent test kernels' boots at random places are
# tests/relocs' pie64-kaslr and pie32-kaslr rows.
# Environment: those of tests/lib.sh (LINUX_DIR: the amd64 kernel;
# OVMF_CODE and OVMF_VARS: the efi row's firmware), EFI_SEEDS (the efi
# row's seeds), LINUX32_DIR (the i386 kernel, fetched to
# build/linux/kernel32 when not given), ONLY. Output and exit status:
# tests/lib.sh.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=tests/lib.sh
. "$ROOT/tests/lib.sh"
LINUX32_DIR=${LINUX32_DIR:-$ROOT/build/linux/kernel32}
# Far apart: neighbouring seeds often draw the same slot.
EFI_SEEDS=${EFI_SEEDS:-1 12 123 1234 12345 123456 1234567 12345678}
ABOVE4G_SEEDS=${ABOVE4G_SEEDS:-1 2}
# machine_args: the q35 machine with OVMF (shared with tests/efi).
# shellcheck source=tests/efi/firmware.sh
. "$ROOT/tests/efi/firmware.sh"
JOBS=${JOBS:-3}
LOG_PREFIX=kaslr-
# The init prints its last line, then powers off.
STOP_RE='^BZELF-LINUX-CODE|-- System halted'
make_work kaslr

# --- booting, JOBS at a time (wait_for_slot) -------------------------------
# launch NAME MEMORY_MB KERNEL INITRD CMDLINE
launch() {
  wait_for_slot
  (boot "$1" 300 -m "$2" -kernel "$3" -initrd "$4" -append "$5") &
}
# settle: every boot launched has ended.
settle() {
  wait
}

# What a boot's init printed: the _text address, the Kernel code start.
text_of() { grep -a -m1 '^BZELF-LINUX-TEXT' "$WORK/$1.log" | awk '{print $2}'; }
code_of() { grep -a -m1 '^BZELF-LINUX-CODE' "$WORK/$1.log" | sed 's/^BZELF-LINUX-CODE *//; s/-.*//'; }

# reached NAME CMDLINE: the init ran and found its initrd intact (adds to
# reasons otherwise).
reached() {
  status=0 stopped=
  linux_marker "$1" "$2"
  if [ -z "$(text_of "$1")" ] || [ -z "$(code_of "$1")" ]; then
    reasons="${reasons}$1: no _text or Kernel code line; "
  fi
}

distinct() { sort -u | grep -c . || :; }

# spread ROW PREFIX COUNT MIN_DISTINCT CMDLINE [CHECK_OFFSETS [ALIGN]]:
# the boots PREFIX-1..COUNT reached init, with at least MIN_DISTINCT
# distinct physical and virtual addresses (virtual ones only with
# CHECK_OFFSETS, which also wants every _text offset a multiple of 2 MiB
# below 1 GiB), and with ALIGN every physical address a multiple of it.
spread() {
  row=$1 prefix=$2 count=$3 min=$4 cmdline=$5 offsets=${6:-} align=${7:-}
  reasons=
  texts='' codes=''
  i=1
  while [ "$i" -le "$count" ]; do
    reached "$prefix-$i" "$cmdline"
    t=$(text_of "$prefix-$i") c=$(code_of "$prefix-$i")
    texts="$texts$t
"
    codes="$codes$c
"
    if [ -n "$align" ] && [ -n "$c" ] && [ $((0x$c % align)) -ne 0 ]; then
      reasons="${reasons}Kernel code at 0x$c is not a multiple of $(printf 0x%x "$align"); "
    fi
    if [ -n "$offsets" ] && [ -n "$t" ]; then
      # The low 32 bits: sh's arithmetic is signed 64-bit.
      off=$((0x${t#ffffffff} - 0x81000000))
      if [ "${t%????????}" != ffffffff ] || [ $((off % 0x200000)) -ne 0 ] || [ "$off" -lt 0 ] ||
        [ "$off" -ge $((0x40000000)) ]; then
        reasons="${reasons}_text $t is not 0xffffffff81000000 + a multiple of 2 MiB below 1 GiB; "
      fi
    fi
    i=$((i + 1))
  done
  nc=$(printf '%s' "$codes" | distinct)
  nt=$(printf '%s' "$texts" | distinct)
  if [ "$nc" -lt "$min" ]; then
    reasons="${reasons}$nc distinct physical addresses in $count boots (want $min):$(printf '%s' "$codes" | tr '\n' ' '); "
  fi
  if [ -n "$offsets" ] && [ "$nt" -lt "$min" ]; then
    reasons="${reasons}$nt distinct _text in $count boots (want $min):$(printf '%s' "$texts" | tr '\n' ' '); "
  fi
  # A failure keeps the first failed boot's log (else the first's) under
  # the row's name.
  first_bad=$(grep -L '^BZELF-LINUX-CODE' "$WORK/$prefix"-[0-9]*.log 2>/dev/null | head -n 1)
  cp "${first_bad:-$WORK/$prefix-1.log}" "$WORK/$row.log" 2>/dev/null || :
  judge "$row"
  echo "  $row: physical $(printf '%s' "$codes" | sort -u | tr '\n' ' ')"
  [ -z "$offsets" ] || echo "  $row: _text $(printf '%s' "$texts" | sort -u | tr '\n' ' ')"
}

# no_timer_check: under TCG on a loaded machine Linux's check that the
# IO-APIC delivers timer interrupts fails now and then ("IO-APIC + timer
# doesn't work!", a panic at any address); the parameter skips that check
# (arch/x86/kernel/apic/io_apic.c).
cmdline="console=ttyS0 $LINUX_TEST_ARGS"
# shellcheck disable=SC2016 # memmap= takes a literal $
memmap5='memmap=4K$0x7000000,4K$0x7100000,4K$0x7200000,4K$0x7300000,4K$0x7400000'

# --- amd64 ------------------------------------------------------------------
if selected amd64 || selected nokaslr || selected control || selected seed ||
  selected memmap-limit; then
  reason=$(debian_image "$WORK/linux.bzelf" "$WORK/initrd.gz" "$WORK/amd64") || {
    fail amd64 "$reason"
    finish
    exit
  }
  if selected amd64; then
    for i in 1 2 3 4 5 6; do
      launch "amd64-$i" 256 "$WORK/linux.bzelf" "$WORK/initrd.gz" "$cmdline"
    done
  fi
  if selected control; then
    for i in 1 2 3 4 5 6; do
      launch "control-$i" 256 "$LINUX_DIR/vmlinuz" "$WORK/initrd.gz" "$cmdline"
    done
  fi
  selected nokaslr &&
    launch nokaslr 256 "$WORK/linux.bzelf" "$WORK/initrd.gz" "$cmdline nokaslr"
  if selected seed; then
    launch seed-1 256 "$WORK/linux.bzelf" "$WORK/initrd.gz" "$cmdline bzelf.kaslr_seed=12345"
    launch seed-2 256 "$WORK/linux.bzelf" "$WORK/initrd.gz" "$cmdline bzelf.kaslr_seed=12345"
    launch seed-3 256 "$WORK/linux.bzelf" "$WORK/initrd.gz" "$cmdline bzelf.kaslr_seed=54321"
  fi
  selected memmap-limit &&
    launch memmap-limit 256 "$WORK/linux.bzelf" "$WORK/initrd.gz" "$cmdline $memmap5"
  settle

  selected amd64 && spread amd64 amd64 6 4 "$cmdline" offsets
  selected control && spread control control 6 4 "$cmdline" offsets
  if selected nokaslr; then
    reasons=
    reached nokaslr "$cmdline nokaslr"
    t=$(text_of nokaslr) c=$(code_of nokaslr)
    [ "$t" = ffffffff81000000 ] || reasons="${reasons}_text is '$t', not ffffffff81000000; "
    [ "$c" = 01000000 ] || reasons="${reasons}Kernel code at '$c', not 01000000; "
    judge nokaslr
  fi
  if selected seed; then
    reasons=
    reached seed-1 "$cmdline bzelf.kaslr_seed=12345"
    reached seed-2 "$cmdline bzelf.kaslr_seed=12345"
    # Another seed, another place: a seed that turned the choice off (or
    # ignored the seed) would pass the first check alone. Both addresses
    # alike by chance: about one in 473 x (the physical slots).
    reached seed-3 "$cmdline bzelf.kaslr_seed=54321"
    a="$(text_of seed-1) $(code_of seed-1)" b="$(text_of seed-2) $(code_of seed-2)"
    c="$(text_of seed-3) $(code_of seed-3)"
    [ "$a" = "$b" ] || reasons="${reasons}one seed, two places: '$a' and '$b'; "
    [ "$a" != "$c" ] || reasons="${reasons}two seeds, one place: '$a'; "
    cp "$WORK/seed-1.log" "$WORK/seed.log"
    judge seed
    echo "  seed: $a; another seed: $c"
  fi
  if selected memmap-limit; then
    reasons=
    reached memmap-limit "$cmdline $memmap5"
    c=$(code_of memmap-limit)
    [ "$c" = 01000000 ] || reasons="${reasons}Kernel code at '$c', not 01000000; "
    grep -aq '^bzelf note: kaslr: more than 4 memmap= ranges' "$WORK/memmap-limit.log" ||
      reasons="${reasons}no 'bzelf note: kaslr: more than 4 memmap= ranges' line; "
    judge memmap-limit
    echo "  memmap-limit: _text $(text_of memmap-limit)"
  fi
fi

# --- amd64 above 4 GiB -------------------------------------------------------
if selected above4g; then
  if ! reason=$(debian_image "$WORK/linux.bzelf" "$WORK/initrd.gz" "$WORK/amd64"); then
    fail above4g "$reason"
  else
    # Memory is allocated as the guest touches it: 6 GiB costs little.
    for seed in $ABOVE4G_SEEDS; do
      wait_for_slot
      (boot "above4g-$seed" 300 -machine pc,max-ram-below-4g=256M -m 6G \
        -kernel "$WORK/linux.bzelf" -initrd "$WORK/initrd.gz" \
        -append "$cmdline bzelf.kaslr_seed=$seed") &
    done
    settle
    reasons='' high='' codes=''
    for seed in $ABOVE4G_SEEDS; do
      reached "above4g-$seed" "$cmdline bzelf.kaslr_seed=$seed"
      c=$(code_of "above4g-$seed")
      codes="$codes ${c:-?}"
      if [ -n "$c" ] && [ $((0x$c)) -ge $((0x100000000)) ]; then high="$high $seed"; fi
    done
    [ -n "$high" ] ||
      reasons="${reasons}no boot put Kernel code at or above 0x100000000 (seeds $ABOVE4G_SEEDS:$codes); "
    first_bad=$(grep -L '^BZELF-LINUX-CODE' "$WORK"/above4g-[0-9]*.log 2>/dev/null | head -n 1)
    first=${ABOVE4G_SEEDS%% *}
    cp "${first_bad:-$WORK/above4g-$first.log}" "$WORK/above4g.log" 2>/dev/null || :
    judge above4g
    echo "  above4g: Kernel code at$codes"
  fi
fi

# --- amd64 through UEFI ------------------------------------------------------
# efi_inside NAME: reasons unless the Kernel code range of NAME's init lies
# inside one Conventional entry of the EFI map Linux printed first
# (efi=debug; the ends it prints are inclusive; the second listing, later
# in the boot, is the runtime map).
efi_inside() {
  local line code_start code_end start end type inside='' conventional=0
  line=$(grep -a -m1 '^BZELF-LINUX-CODE' "$WORK/$1.log" | sed 's/^BZELF-LINUX-CODE *//')
  code_start=${line%%-*}
  code_end=${line#*-}
  code_end=${code_end%% *}
  if [ -z "$code_start" ] || [ -z "$code_end" ]; then
    reasons="${reasons}$1: no Kernel code range; "
    return
  fi
  while read -r start end type; do
    [ "$type" = Conventional ] && conventional=$((conventional + 1))
    if [ $((0x$code_start)) -ge $((start)) ] && [ $((0x$code_end)) -le $((end)) ]; then
      inside="$type [$start-$end]"
    fi
  done < <(awk '/efi: mem00: / && seen++ { exit } /efi: mem[0-9]+: \[/' "$WORK/$1.log" |
    sed -E 's/.*: \[([^|]*)\|.*range=\[(0x[0-9a-f]+)-(0x[0-9a-f]+)\].*/\2 \3 \1/')
  if [ "$conventional" -eq 0 ]; then
    reasons="${reasons}$1: no Conventional entry in an efi: memory map line; "
  elif [ "${inside% \[*}" != Conventional ]; then
    reasons="${reasons}$1: Kernel code $code_start-$code_end lies in ${inside:-no single EFI map entry}; "
  fi
  echo "  $1: Kernel code $code_start-$code_end in ${inside:-?}"
}

if selected efi; then
  # Not quiet: efi=debug's lines are KERN_INFO. The memmap= range,
  # [86 MiB, 416 MiB), leaves slots only next to OVMF's boot-services
  # data at 9-21 MiB (the map of q35 with 512 MiB): 4 in conventional
  # memory, and 2 or 3 more, with Kernel code in that data, for a stage that
  # took its RAM from E820 alone. The seeds' places vary from boot to
  # boot with the firmware's map, which boot_params' hash takes in: such
  # a stage fails about one boot in three, the row with its 8 boots about
  # 96 times in 100.
  # shellcheck disable=SC2016 # memmap= takes a literal $
  efi_cmdline='console=ttyS0 panic=-1 no_timer_check efi=debug memmap=330M$0x5600000'
  if [ ! -f "$OVMF_CODE" ] || [ ! -f "$OVMF_VARS" ]; then
    fail efi "no $OVMF_CODE or $OVMF_VARS (tools/install-deps.sh installs ovmf)"
  elif ! reason=$(debian_image "$WORK/linux.bzelf" "$WORK/initrd.gz" "$WORK/amd64"); then
    fail efi "$reason"
  else
    for seed in $EFI_SEEDS; do
      mapfile -t machine < <(machine_args "efi-$seed" 512)
      wait_for_slot
      (boot "efi-$seed" 300 "${machine[@]}" -kernel "$WORK/linux.bzelf" -initrd "$WORK/initrd.gz" \
        -append "$efi_cmdline bzelf.kaslr_seed=$seed") &
    done
    settle
    reasons='' codes=''
    for seed in $EFI_SEEDS; do
      # OVMF's loader appends " initrd=initrd" (tests/efi/README.md).
      reached "efi-$seed" "$efi_cmdline bzelf.kaslr_seed=$seed initrd=initrd"
      grep -aq '^bzelf: EFI stub: ' "$WORK/efi-$seed.log" ||
        reasons="${reasons}efi-$seed: no 'bzelf: EFI stub:' line (not through the stub); "
      efi_inside "efi-$seed"
      codes="$codes$(code_of "efi-$seed")
"
    done
    n=$(printf '%s' "$codes" | distinct)
    [ "$n" -ge 2 ] || reasons="${reasons}$n distinct physical addresses for seeds $EFI_SEEDS; "
    first_bad=$(grep -L '^BZELF-LINUX-CODE' "$WORK"/efi-[0-9]*.log 2>/dev/null | head -n 1)
    first=${EFI_SEEDS%% *}
    cp "${first_bad:-$WORK/efi-$first.log}" "$WORK/efi.log" 2>/dev/null || :
    judge efi
  fi
fi

# --- i386 -------------------------------------------------------------------
if selected i386; then
  if ! "$ROOT/tests/linux/fetch-kernel.sh" "$LINUX32_DIR" i386 >"$WORK/fetch32" 2>&1; then
    fail i386 "tests/linux/fetch-kernel.sh $LINUX32_DIR i386 failed: $(oneline "$WORK/fetch32")"
  elif ! bzelf_build "$WORK/build32" "$LINUX32_DIR/vmlinux" "$WORK/linux32.bzelf" >"$WORK/why32"; then
    fail i386 "$(cat "$WORK/why32")"
  elif ! "$ROOT/tests/linux/make-initramfs.sh" "$WORK/initrd32.gz" "$LINUX32_DIR/root" \
    >"$WORK/initramfs32" 2>&1; then
    fail i386 "tests/linux/make-initramfs.sh failed: $(oneline "$WORK/initramfs32")"
  else
    for i in 1 2 3 4; do
      launch "i386-$i" 256 "$WORK/linux32.bzelf" "$WORK/initrd32.gz" "$cmdline"
    done
    settle
    spread i386 i386 4 2 "$cmdline" "" $((0x200000))
  fi
fi
if selected i386-vmlinuz; then
  if ! "$ROOT/tests/linux/fetch-kernel.sh" "$LINUX32_DIR" i386 >"$WORK/fetch32" 2>&1; then
    fail i386-vmlinuz "tests/linux/fetch-kernel.sh $LINUX32_DIR i386 failed: $(oneline "$WORK/fetch32")"
  elif ! align32=$(image_info "$LINUX32_DIR/vmlinuz" hdr.kernel_alignment) ||
    [ -z "$align32" ]; then
    fail i386-vmlinuz "bzelf info $LINUX32_DIR/vmlinuz gives no hdr.kernel_alignment"
  elif ! bzelf_build "$WORK/build32z" "$LINUX32_DIR/vmlinuz" "$WORK/linux32z.bzelf" \
    >"$WORK/why32z"; then
    fail i386-vmlinuz "$(cat "$WORK/why32z")"
  elif [ ! -s "$WORK/initrd32.gz" ] && ! "$ROOT/tests/linux/make-initramfs.sh" \
    "$WORK/initrd32.gz" "$LINUX32_DIR/root" >"$WORK/initramfs32" 2>&1; then
    fail i386-vmlinuz "tests/linux/make-initramfs.sh failed: $(oneline "$WORK/initramfs32")"
  else
    for i in 1 2 3 4; do
      launch "i386z-$i" 256 "$WORK/linux32z.bzelf" "$WORK/initrd32.gz" "$cmdline"
    done
    settle
    spread i386-vmlinuz i386z 4 2 "$cmdline" "" $((align32))
  fi
fi

finish
