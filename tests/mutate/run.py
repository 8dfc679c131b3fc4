#!/usr/bin/env python3
"""make mutate: proves that the tests can fail.

Each mutation below is a deliberate breakage of one check the project
relies on: one exact piece of text in one file replaced by another. In a
scratch copy of the tree (the tracked files and the build, so that only
what a mutation touches is rebuilt), this script applies them one at a
time, rebuilds, runs the tests that guard the check, and reports the
mutation as caught when one of them fails the way it names (the FAIL line
of the row that guards the check, or the gtest test). A mutation whose
text is not found exactly once, whose build fails, or whose tests fail
only in some other way, is an error, not a catch: the list must follow
the code.

Before any mutation, every test command the list uses runs once on the
unmutated copy and must pass having run at least one test; otherwise a
failure would say nothing about the mutation.

Suites run a subset of their rows through ONLY (an extended regular
expression over row names, tests/lib.sh `selected`); unit tests through
--gtest_filter.

Usage: tests/mutate/run.py [NAME-REGEX]   (make mutate runs them all)
Environment: LINUX_DIR (Debian's kernel, build/linux/kernel), JOBS (2).
Output: "CAUGHT <name>: <what> (by <test>)", "MISSED <name>: <what>" or
"ERROR <name>: <what> (why)" per mutation, then "<N> caught, <M> missed,
<E> errors" alone on the last line. Exit status 1 if any mutation was
missed or could not be tried.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass(frozen=True)
class Test:
    """A test command: a suite's run.sh with ONLY, or the unit tests with a
    filter; and what its output must say for a failure to count as this
    mutation's catch (a FAIL line of the row that guards the check, or the
    gtest test that does), so that a crash elsewhere or a flaky boot does
    not pass for one."""
    suite: str   # "unit" or a folder of tests/
    only: str    # ONLY regex, or the gtest filter
    expect: str  # regex over the output's lines

    def label(self):
        return f"{self.suite}[{self.only}]"


@dataclass
class Mutation:
    name: str
    what: str
    path: str
    old: str
    new: str
    tests: list = field(default_factory=list)


def unit(gtest_filter, failed):
    """Unit tests; `failed` matches the name of a test that must fail."""
    return Test("unit", gtest_filter, r"^\[  FAILED  \] " + failed)


def suite(name, only, failed):
    """A suite's rows; `failed` matches the FAIL line one of them prints."""
    return Test(name, only, "^FAIL " + failed)


MUTATIONS = [
    Mutation(
        "stage-crc", "skip the stage's check of its own CRC32",
        "compressed/main.cpp",
        "if (crc != params.stage_crc) {", "if (false) {",
        [suite("qemu", "^corrupt-(stage|params)", r"corrupt-(stage|params)-test(32|64): ")]),
    Mutation(
        "gzip-crc", "skip the gzip CRC32 check of the inflated kernel",
        "compressed/elf-load.cpp",
        "if (crc != gz.crc32) {", "if (false) {",
        [suite("qemu", "^corrupt-gzip-crc", r"corrupt-gzip-crc-test32: .*despite the byte")]),
    Mutation(
        "gzip-isize", "skip the gzip ISIZE check of the inflated kernel",
        "compressed/elf-load.cpp",
        "if (static_cast<uint32_t>(total) != gz.isize) {", "if (false) {",
        [suite("qemu", "^corrupt-gzip-isize", r"corrupt-gzip-isize-test64: .*despite the byte")]),
    Mutation(
        "reserved-ram", "accept a kernel segment over reserved memory",
        "lib/e820-map.cpp",
        "if (e.type != E820_TYPE_RAM && e.addr < end && start < End(e)) other = true;",
        "if (e.type != E820_TYPE_RAM && e.addr < end && start < End(e)) other = false;",
        [unit("MemoryPlan*", r"MemoryPlan"), suite("hostile", "^e820-ext-reserve$", r"e820-ext-reserve: ")]),
    Mutation(
        "initrd", "accept a kernel segment over the initrd",
        "lib/memory-plan.cpp",
        "if (InitrdSize(bp) != 0) Keep(InitrdAddress(bp), InitrdSize(bp), Kept::kInitrd);",
        "if (false) Keep(InitrdAddress(bp), InitrdSize(bp), Kept::kInitrd);",
        [unit("MemoryPlan*", r"MemoryPlan"), suite("hostile", "^initrd", r"initrd(-test64)?: ")]),
    Mutation(
        "initrd-past-dashes", "let the EFI stub read initrd= and noinitrd past a lone --",
        "lib/efi-cmdline.cpp",
        "if (p == start || (p - start == 2 && start[0] == '-' && start[1] == '-')) {",
        "if (p == start) {",
        [unit("EfiCmdline.*", r"EfiCmdline\.(TheKernelsArgumentsEndAtALoneDoubleDash|"
              r"InitrdPathsEndAtALoneDoubleDash)")]),
    Mutation(
        "cmdline-cut-silent", "let the EFI stub cut an overlong LoadOptions without a note",
        "compressed/efi-stub.cpp",
        "if (truncated) NoteCut(console, \"LoadOptions\", kept);",
        "if (false) NoteCut(console, \"LoadOptions\", kept);",
        [suite("secureboot", "^sb-uki-long-cmdline$",
               r"sb-uki-long-cmdline: no note that the command line was cut")]),
    Mutation(
        "memsz-tail", "skip zeroing the p_memsz tails",
        "compressed/elf-load.cpp",
        "if (!failure) ZeroTails(params, segments, sse2.enabled);",
        "if (false) ZeroTails(params, segments, sse2.enabled);",
        [suite("qemu", "^test32-low$", r"test32-low: .*FAIL \.bss is all zero")]),
    Mutation(
        "last-e820", "drop the last E820 entry of boot_params",
        "lib/e820-map.cpp",
        "spans_[span_count_++] = {bp.e820_table, bp.e820_entries};",
        "spans_[span_count_++] = {bp.e820_table, bp.e820_entries - 1u};",
        [unit("E820Map.*:MemoryPlan*", r"(E820Map|MemoryPlan)")]),
    Mutation(
        "last-bios-e820", "drop the last entry of the BIOS's E820 map in the setup",
        "boot/e820.cpp",
        "  zero_page.e820_entries = count;\n", "  zero_page.e820_entries = count - 1;\n",
        [suite("qemu", "^test32$", r"test32: .*E820 map .* is not SeaBIOS's")]),
    Mutation(
        "no-e801", "ignore what INT 15h E801h says in the setup",
        "boot/e820.cpp",
        "  uint32_t alt_mem_k;\n", "  return;\n  uint32_t alt_mem_k;\n",
        [suite("int15", "^int15-no-e820-test32$", r"int15-no-e820-test32: alt_mem_k is not"),
         suite("bochs", "^bochs-no-e820-test32$", r"bochs-no-e820-test32: alt_mem_k is not")]),
    Mutation(
        "e801-ax-bx-first", "read INT 15h E801h's AX/BX, not CX/DX, when both pairs answer",
        "lib/e801.h",
        "  if (answer.cx != 0 || answer.dx != 0) {", "  if (answer.ax == 0 && answer.bx == 0) {",
        [unit("E801.*", r"E801\.CxDxWinsWhenEitherIsNonZero")]),
    Mutation(
        "e801-nonsense", "take an E801h first count above 15 MiB as an answer",
        "lib/e801.h",
        "  if (low_k > k15MiBInK) return false;\n", "",
        [unit("E801.*", r"E801\.AFirstCountPastFifteenMiBIsNonsense")]),
    Mutation(
        "e801-hole", "add E801h's blocks above 16 MiB across a hole below 16 MiB",
        "lib/e801.h",
        "low_k == k15MiBInK ? low_k + (high_blocks << 6) : low_k;", "low_k + (high_blocks << 6);",
        [unit("E801.*", r"E801\.AHoleBelowSixteenMiBEndsTheCount")]),
    Mutation(
        "e801-only", "take E801's size alone when there is no E820 map, never AH=88h's",
        "lib/e820-map.cpp",
        "const uint32_t ext_k = bp.alt_mem_k > bp.screen_info.ext_mem_k ? bp.alt_mem_k",
        "const uint32_t ext_k = true ? bp.alt_mem_k",
        [suite("int15", "^int15-no-e820-e801-test32$", r"int15-no-e820-e801-test32: .*no RAM at 0x100000")]),
    Mutation(
        "cmdline-copy", "off by one in startup_64's copy of a command line from above 4 GiB",
        "lib/stage-move.cpp",
        "  page[n] = 0;\n", "  page[n > 0 ? n - 1 : 0] = 0;\n",
        [unit("StageMove.*", r"StageMove\.CopyHighCmdline"),
         suite("kexec", "above4g", r"kexec-bzImage64-above4g-test64: command line is not")]),
    Mutation(
        "entry-esi", "hand ELF32 kernels boot_params in edi instead of esi",
        "compressed/handoff.S",
        "\tmovl\t8(%esp), %esi\n\txorl\t%ebx, %ebx\n\txorl\t%ebp, %ebp\n\txorl\t%edi, %edi\n",
        "\tmovl\t8(%esp), %edi\n\txorl\t%ebx, %ebx\n\txorl\t%ebp, %ebp\n\txorl\t%esi, %esi\n",
        [suite("qemu", "^test32$", r"test32: .*FAIL esi points at boot_params")]),
    Mutation(
        "entry-rsi", "hand ELF64 kernels boot_params in rdi instead of rsi",
        "compressed/handoff.S",
        "\tmovl\t%esi, %esi\t\t/* rsi: boot_params, zero-extended */\n",
        "\tmovl\t%esi, %esi\t\t/* rsi: boot_params, zero-extended */\n\txchgq\t%rsi, %rdi\n",
        [suite("qemu", "^test64$", r"test64: ")]),
    Mutation(
        "stay-put", "skip the stage's move out of the kernel's way",
        "compressed/main.cpp",
        "  if (kernel.move_stage) MoveAndRestart(", "  if (false) MoveAndRestart(",
        [suite("hostile", "^stage-start$|^stage-arena$", r"stage-(start|arena): should boot")]),
    Mutation(
        "below-4g", "skip startup_64's move below 4 GiB",
        "compressed/startup-64.cpp",
        "  const bool move = stage.All().end > k4GiB;", "  const bool move = false;",
        [suite("kexec", "above4g", r"kexec-bzImage64-above4g-test64: ")]),
    Mutation(
        "a20", "skip enabling the A20 gate",
        "boot/a20.cpp",
        "void EnableA20() {\n", "void EnableA20() {\n  return;\n",
        [suite("a20", "^a20-test32$", r"a20-test32: ")]),
    Mutation(
        "a20-no-kbc", "skip the keyboard controller's A20 method",
        "boot/a20.cpp",
        "void A20ByKbc() {\n", "void A20ByKbc() {\n  return;\n",
        [suite("a20", "^a20-kbc-test32$", r"a20-kbc-test32: .*on by port 0x92"),
         suite("bochs", "^bochs-a20-kbc-test32$", r"bochs-a20-kbc-test32: .*on by port 0x92")]),
    Mutation(
        "xen-sign", "add XEN_ELFNOTE_PADDR_OFFSET to p_paddr instead of subtracting it",
        "tools/kernel-elf.cpp",
        "return Placement{PlacementRule::kXenNotes, offset,",
        "return Placement{PlacementRule::kXenNotes, 0 - offset,",
        [unit("Image*:Placement*:Kernel*", r"(Image|Placement|Kernel).*Xen"),
         suite("placement", "xen", r".*xen")]),
    Mutation(
        "lz4-magic", "miss the magic number of LZ4's legacy format, Linux's lz4 kernels",
        "tools/decompress.cpp",
        "{Compression::kLz4, 4, {0x02, 0x21, 0x4c, 0x18}}",
        "{Compression::kLz4, 4, {0x02, 0x21, 0x4c, 0x19}}",
        [unit("Decompress.*", r"Decompress\.DetectsEachMethodByItsMagic"),
         suite("inputs", "^bzimage-test64-lz4$", r"bzimage-test64-lz4: .*compressed by no method")]),
    Mutation(
        "payload-length", "skip the check of the length Linux appends to a bzImage's payload",
        "tools/kernel-input.cpp",
        "if (static_cast<uint32_t>(elf.size()) != length) {", "if (false) {",
        [unit("KernelInput.*", r"KernelInput\.DamagedBzImagePayloadIsAnError")]),
    Mutation(
        "kernel-name", "name a compressed kernel in the image with its compression's suffix",
        "tools/kernel-input.cpp",
        "in.kernel_name = WithoutSuffix(path, in.compression);",
        "in.kernel_name = WithoutSuffix(path, Compression::kNone);",
        [suite("inputs", "^compressed-test32-gzip$", r"compressed-test32-gzip: .*differs from the image")]),
    Mutation(
        "extract-crc", "skip the gzip CRC32 check of what `bzelf extract` writes",
        "tools/image.cpp",
        "if (Crc32(0, out, m.isize) != m.crc32) {", "if (false) {",
        [unit("Image.*", r"Image\.ExtractFileIsTheWrappedElf")]),
    Mutation(
        "crc-fold-register", "leave the CRC register out of the host's PCLMULQDQ folding",
        "lib/crc32-host.cpp",
        "  x[0][0] ^= reg;\n", "  (void)reg;\n",
        [unit("Crc32.*", r"Crc32\.")]),
    Mutation(
        "inflate-distance", "let a DEFLATE match reach before the start of the output "
        "(the block loop both builds share)",
        "lib/inflate-block.h",
        "    if (distance > static_cast<size_t>(s.out - s.out_begin))\n"
        "      return InflateError::kDistanceTooFar;\n", "",
        [unit("Inflate*", r"Inflate")]),
    Mutation(
        "inflate-distance-stage", "let a DEFLATE match reach before the start of the output "
        "(the stage's fast loop)",
        "lib/inflate-fast.h",
        "if (distance > static_cast<size_t>(out - out_begin)) [[unlikely]] {",
        "if (distance > static_cast<size_t>(out - out_begin) + 0x8000) [[unlikely]] {",
        [suite("fuzz", "^replay-inflate-32$", r"replay-inflate-32: ")]),
    Mutation(
        "usage-status", "exit with status 1, not 2, on a command line that cannot be understood",
        "tools/command-line.h",
        "constexpr int kExitUsage = 2;", "constexpr int kExitUsage = 1;",
        [suite("install", "^usage-errors$", r"usage-errors: .*exit status 1")]),
    Mutation(
        "command-help", "take a command's -h for an unknown option",
        "tools/command-line.cpp",
        '    if (arg == "-h" || arg == "--help") {', '    if (arg == "--help") {',
        [unit("CommandLine.*", r"CommandLine\.VersionAndHelp"),
         suite("install", "^help-build$", r"help-build: ")]),
    Mutation(
        "hook-action", "let the kernel hook wrap on any action of the kernel's postinst",
        "contrib/kernel-hooks/bzelf",
        'if [ -n "$action" ] && [ "$action" != configure ]; then', "if false; then",
        [suite("install", "^kernel-hook-not-configure$", r"kernel-hook-not-configure: ")]),
    Mutation(
        "stage-cpu-check", "let the stage skip its CPU check (the setup still has it)",
        "compressed/main.cpp",
        "if (Failure f = CheckCpu(cpu, params.kernel_class, params.isa_needed)) Panic(f);",
        "(void)cpu;",
        [suite("cpu", "^pvh-", r"pvh-(pentium-test64: no .bzelf: cpu: |qemu64-isa-v2-64: a kernel ran)")]),
    Mutation(
        "isa-64bit-only", "ask an ELF32 kernel for the 64-bit-only features of its ISA level",
        "lib/cpu-check.cpp",
        "if (f.level > level || (f.long_mode_only && !elf64)) continue;",
        "if (f.level > level) continue;",
        [unit("CheckCpu.*", r"CheckCpu\.IsaLevelsOfAnElf32Kernel")]),
    Mutation(
        "isa-note", "read no x86 ISA level from the kernel's GNU property note",
        "tools/kernel-elf.cpp",
        "if (gnu && nh.n_type == elf::NT_GNU_PROPERTY_TYPE_0) {",
        "if (gnu && false) {",
        [unit("KernelIsaNote.*", r"KernelIsaNote"),
         suite("cpu", "^qemu64-isa-v2-64$", r"qemu64-isa-v2-64: a kernel ran")]),
    Mutation(
        "pie-relocs", "leave a position-independent kernel's pointers as linked",
        "compressed/relocate.cpp",
        "  if (source == RelocSource::kNone) return {};",
        "  if (source != RelocSource::kTable) return {};",
        [suite("relocs", "^pie(64|32)-at-a$", r"pie(64|32)-at-a: .*FAIL pointer to .data relocated")]),
    Mutation(
        "table-inverse", "add the move to Linux's inverse 32-bit words instead of subtracting it",
        "lib/reloc-table.h",
        "v = kind == RelocKind::k32 ? v + d : v - d;", "v = v + d;",
        [unit("RelocTable.*", r"RelocTable\.AppliesEachListAsLinuxDoes")]),
    Mutation(
        "table-segment-kept", "take every relocation to lie in the segment the first one of its list lay in",
        "lib/reloc-table.h",
        "if (!found || address - first > limit) {", "if (!found) {",
        [unit("RelocTable.*", r"RelocTable\.EntriesHopBetweenSegments")]),
    Mutation(
        "table-kept-limit", "let an 8-byte word cross the end of the segment kept from the entry before",
        "lib/reloc-table.h",
        "limit = segments[s].memsz - width;", "limit = segments[s].memsz - 4;",
        [unit("RelocTable.*", r"RelocTable\.AWordOutsideTheKernelStopsThePassThere")]),
    Mutation(
        "table-tiny-segment", "let a segment smaller than the word hold it",
        "lib/reloc-table.h",
        "return segment.memsz >= width && at - segment.paddr", "return at - segment.paddr",
        [unit("RelocTable.*", r"RelocTable\.ASegmentSmallerThanTheWordHoldsNone")]),
    Mutation(
        "pie-any-type", "accept a dynamic relocation of any type",
        "tools/kernel-relocs.cpp",
        "    if (!IsRelative(e.type)) {", "    if (false) {",
        [unit("KernelRelocs.*", r"KernelRelocs\.WhatCannotBeHonouredIsRefusedByName")]),
    Mutation(
        "rela-percpu", "relocate absolute references to per-CPU offsets in a .rela kernel",
        "tools/section-relocs.cpp",
        "        if (PerCpu(s)) return;\n", "",
        [unit("SectionRelocs.*", r"SectionRelocs\.X86_64RulesMakeLinuxsTable")]),
    Mutation(
        "rela-percpu-place", "leave a relocation in .data..percpu at its link offset",
        "tools/section-relocs.cpp",
        "offset += per_cpu_load_;", "offset += 0;",
        [unit("SectionRelocs.*", r"SectionRelocs\.X86_64RulesMakeLinuxsTable")]),
    Mutation(
        "rela-type", "put R_X86_64_32S entries made from .rela sections in the 64-bit list",
        "tools/section-relocs.cpp",
        "Add(type == kX64_64 ? relocs64_ : relocs32_, offset, where);",
        "Add(relocs64_, offset, where);",
        [unit("SectionRelocs.*", r"SectionRelocs\.X86_64RulesMakeLinuxsTable"),
         suite("relocs", "^rela64-at$", r"rela64-at: ")]),
    Mutation(
        "rela-i386", "drop the R_386_32 entries of a .rel kernel",
        "tools/section-relocs.cpp",
        "        Add(relocs32_, offset, where);\n", "        (void)offset;\n",
        [suite("relocs", "^rela32-at$", r"rela32-at: ")]),
    Mutation(
        "kaslr-no-entropy", "draw every place from the fixed seed's hardware, never the CPU's",
        "compressed/kernel-place.cpp",
        "return options.has_seed ? KaslrRandom(seed, fixed) : KaslrRandom(seed, hw);",
        "return KaslrRandom(seed, fixed);",
        [suite("relocs", "^pie64-kaslr$", r"pie64-kaslr: .*1 distinct address")]),
    Mutation(
        "kaslr-memmap-bang", "take memmap=nn!ss for RAM",
        "lib/kaslr.cpp",
        "(*q == '#' || *q == '$' || *q == '!')", "(*q == '#' || *q == '$')",
        [unit("KaslrOptions.*", r"KaslrOptions\.MemmapRangesLimitsAndWhatIsIgnored")]),
    Mutation(
        "kaslr-free-over-kept", "let a free range run on over something kept",
        "lib/placement.cpp",
        "    for (int i = 0; i < kept_count_; ++i) boundary(kept_[i].range.start);\n", "",
        [unit("Kaslr*", r"KaslrAvoid\.EverySlotKeepsClearOfWhatLinuxAvoids")]),
    Mutation(
        "pe-w-x", "make the PE image's .text section writable as well as executable",
        "tools/pe-header.cpp",
        "IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_EXECUTE);",
        "IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_EXECUTE | IMAGE_SCN_MEM_WRITE);",
        [unit("PeHeader.*", r"PeHeader\.BuiltImageFollowsTheRules"),
         suite("pe", "^pe-test64$", r"pe-test64: section \.text is writable and executable")]),
    Mutation(
        "drive-probe", "take the first drive that reads as the boot drive, without comparing "
        "its sector 0 with the boot sector",
        "boot/header.S",
        "\trepe cmpsw\n\tjne\tbs_next\n", "\trepe cmpsw\n",
        [suite("int15", "^int15-no-e820-test32$", r"int15-no-e820-test32: .*no verdict at all")]),
    Mutation(
        "chs-dma", "let a CHS read cross a 64 KiB boundary of its buffer",
        "lib/chs.cpp",
        "  if (n > room) n = room;\n", "",
        [unit("Chs.*", r"Chs\.ReadEndsBeforeA64KiBBoundary")]),
    Mutation(
        "floppy-media", "read a floppy with the drive's sectors a track, not its disk's",
        "boot/int13.cpp",
        "  if (drive < 0x80) {", "  if (false) {",
        [suite("mbr", "^mbr-floppy144-in-288-test32$",
               r"mbr-floppy144-in-288-test32: .*read error at sector")]),
    Mutation(
        "setup-indirect", "keep a SETUP_INDIRECT node but not the data it points at",
        "lib/memory-plan.h",
        "if (si.type != linuxboot::SETUP_INDIRECT) Keep(si.addr,", "if (false) Keep(si.addr,",
        [unit("MemoryPlan*", r"MemoryPlanHostile\.SetupIndirectKeepsWhatItPointsAt")]),
    Mutation(
        "kaslr-efi-boot-services", "take every EFI descriptor for slots, boot-services memory too",
        "lib/kaslr.cpp",
        "      if (d.Type != efi::EfiConventionalMemory) continue;\n", "",
        [unit("KaslrEfi.*", r"KaslrEfi\.FixedSeedsNeverChooseBootServicesMemory")]),
    Mutation(
        "shim-validation-off", "let a MokSBStateRT of 1 leave Secure Boot on",
        "lib/efi-secure-boot.cpp",
        "  if (mok_sb_state.status == EFI_SUCCESS && mok_sb_state.value == 1 &&",
        "  if (mok_sb_state.status == EFI_SUCCESS && mok_sb_state.value == 2 &&",
        [unit("SecureBoot.*", r"SecureBoot\.ShimsValidationOffTurnsItOff")]),
    Mutation(
        "kaslr-above-4g", "keep x86_64 Linux's KASLR slots below 4 GiB",
        "lib/kaslr.cpp",
        "      k.ceiling = kLinuxMaxPhys64;\n", "",
        [unit("KaslrKernelFor.*:KernelStaging.*", r"(KaslrKernelFor|KernelStaging)\."),
         suite("kaslr", "^above4g$", r"above4g: no boot put Kernel code at or above")]),
]


def run(cmd, cwd, env=None, log=None):
    """Runs cmd; returns (status, output)."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace")
    if log:
        with open(log, "w") as f:
            f.write(proc.stdout)
    return proc.returncode, proc.stdout


def scratch_copy():
    """The tracked files and the build, in a new directory."""
    work = tempfile.mkdtemp(prefix="bzelf-mutate.")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True,
                           stdout=subprocess.PIPE).stdout.split(b"\0")
    for f in files:
        if not f:
            continue
        rel = f.decode()
        dst = os.path.join(work, rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(os.path.join(ROOT, rel), dst)
    # Debian's kernel stays where it is (LINUX_DIR); logs are not copied.
    skip = {"linux", "test-results", "test-logs"}
    shutil.copytree(os.path.join(ROOT, "build"), os.path.join(work, "build"),
                    symlinks=True, ignore=lambda d, names: [n for n in names
                                                            if d.endswith("build") and n in skip])
    return work


def test_command(test, work):
    if test.suite == "unit":
        return ["build/bin/unit-tests", "--gtest_brief=1", f"--gtest_filter={test.only}"]
    return [f"./tests/{test.suite}/run.sh"]


def ran_something(test, output):
    """Whether a passing run ran at least one test."""
    if test.suite == "unit":
        m = re.search(r"^\[==========\] (\d+) tests? from", output, re.M)
        return bool(m) and int(m.group(1)) > 0
    m = re.search(r"^(\d+) passed, (\d+) failed$", output, re.M)
    return bool(m) and int(m.group(1)) + int(m.group(2)) > 0


def main():
    pattern = re.compile(sys.argv[1]) if len(sys.argv) > 1 else None
    mutations = [m for m in MUTATIONS if not pattern or pattern.search(m.name)]
    linux_dir = os.environ.get("LINUX_DIR", os.path.join(ROOT, "build/linux/kernel"))
    jobs = os.environ.get("JOBS", "2")
    work = scratch_copy()
    logs = os.path.join(ROOT, "build/test-logs/mutate")
    os.makedirs(logs, exist_ok=True)
    env = dict(os.environ, BZELF=os.path.join(work, "build/bin/bzelf"),
               KERNELS_DIR=os.path.join(work, "build/kernels"), LINUX_DIR=linux_dir,
               LOG_DIR=logs)
    build = ["make", "-s", f"-j{jobs}", "test-deps"]
    try:
        status, out = run(build, work)
        if status != 0:
            print(f"mutate: the unmutated copy does not build:\n{out}")
            return 2
        # The guards must pass on the unmutated tree, and run something.
        for test in dict.fromkeys(t for m in mutations for t in m.tests):
            status, out = run(test_command(test, work), work,
                              dict(env, ONLY=test.only))
            if status != 0 or not ran_something(test, out):
                tail = "\n".join(out.splitlines()[-15:])
                print(f"mutate: {test.label()} does not pass unmutated, or runs nothing:\n{tail}")
                return 2

        caught = missed = errors = 0
        for m in mutations:
            start = time.monotonic()
            path = os.path.join(work, m.path)
            with open(path) as f:
                original = f.read()
            count = original.count(m.old)
            if count != 1:
                print(f"ERROR {m.name}: {m.what} (its text occurs {count} times in {m.path}: "
                      "the list no longer follows the code)")
                errors += 1
                continue
            with open(path, "w") as f:
                f.write(original.replace(m.old, m.new))
            try:
                status, out = run(build, work, log=os.path.join(logs, f"{m.name}.build"))
                if status != 0:
                    print(f"ERROR {m.name}: {m.what} (the mutated tree does not build: "
                          f"build/test-logs/mutate/{m.name}.build)")
                    errors += 1
                    continue
                by, other = None, []
                for test in m.tests:
                    status, out = run(test_command(test, work), work, dict(env, ONLY=test.only),
                                      log=os.path.join(logs, f"{m.name}.{test.suite}"))
                    if status == 0:
                        continue
                    if re.search(test.expect, out, re.M):
                        by = test.label()
                        break
                    other.append(test.label())
                seconds = time.monotonic() - start
                if by:
                    print(f"CAUGHT {m.name}: {m.what} (by {by}; {seconds:.0f} s)", flush=True)
                    caught += 1
                elif other:
                    print(f"ERROR {m.name}: {m.what} ({', '.join(other)} failed, but not with "
                          f"the failure that guards this check: build/test-logs/mutate/"
                          f"{m.name}.*)", flush=True)
                    errors += 1
                else:
                    labels = ", ".join(t.label() for t in m.tests)
                    print(f"MISSED {m.name}: {m.what} ({labels} all passed; {seconds:.0f} s)",
                          flush=True)
                    missed += 1
            finally:
                with open(path, "w") as f:
                    f.write(original)
        print(f"{caught} caught, {missed} missed, {errors} errors")
        return 0 if missed == 0 and errors == 0 else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
