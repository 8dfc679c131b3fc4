// The checks every test kernel runs, in the order kernel-main.cpp runs them.
// Each prints what it found and reports through the Verdict.
#pragma once

#include <stdint.h>

#include "boot-params.h"
#include "verdict.h"

namespace bzelf::testkernel {

using linuxboot::boot_params;

// entry-checks.cpp: CPU mode, segments, flags, the boot_params register.
void CheckEntryState(Verdict& verdict);

// boot-params-checks.cpp. The header first: the rest of boot_params is only
// read when it names itself (returns null otherwise).
const boot_params* CheckBootParamsHeader(Verdict& verdict);
void CheckCommandLine(Verdict& verdict, const boot_params& params);
void CheckInitrd(Verdict& verdict, const boot_params& params);

// memory-map-checks.cpp: the E820 table, and where things were put.
void CheckMemoryMap(Verdict& verdict, const boot_params& params);

// image-checks.cpp: .data and .rodata as compiled, .bss zero.
void CheckImage(Verdict& verdict);
// image-checks.cpp: .data and .rodata as compiled, read through the
// physical addresses the link map intends for them (KernelVirtToPhys).
void CheckImageAtPhysical(Verdict& verdict);

// placement-checks.cpp: entered at the intended physical address, and
// CheckImageAtPhysical.
void CheckPlacement(Verdict& verdict);

// The 64-bit fields of boot_params: the ext_ half is the upper 32 bits
// (boot.rst, "Details of Header Fields" and zero-page.rst).
inline uint64_t CommandLineAddress(const boot_params& params) {
  return params.hdr.cmd_line_ptr |
         static_cast<uint64_t>(params.ext_cmd_line_ptr) << 32;
}
inline uint64_t InitrdAddress(const boot_params& params) {
  return params.hdr.ramdisk_image |
         static_cast<uint64_t>(params.ext_ramdisk_image) << 32;
}
inline uint64_t InitrdSize(const boot_params& params) {
  return params.hdr.ramdisk_size |
         static_cast<uint64_t>(params.ext_ramdisk_size) << 32;
}

// Most bytes the command line may hold, its NUL included: cmdline_size
// (protocol 2.06 and later) does not count the NUL.
inline uint64_t CommandLineLimit(const boot_params& params) {
  return static_cast<uint64_t>(params.hdr.cmdline_size) + 1;
}

// Bytes the command line occupies, its NUL included (CommandLineLimit when
// there is no NUL within it); 0 when there is none or it is out of reach.
uint64_t CommandLineBytes(const boot_params& params);

// Whether the command line holds `word` as a whole word (between spaces,
// or the line's ends). The suites tell a kernel what its boot lacks this
// way (memory-map-checks.cpp).
bool CommandLineHasWord(const boot_params& params, const char* word);

}  // namespace bzelf::testkernel
