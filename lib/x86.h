// x86 architectural constants the stages set or test: EFLAGS and control
// register bits, the EFER MSR and page-table entry bits, with the names of
// Intel's SDM (vol. 3A unless said otherwise). One copy for the setup
// (-m16), the stage and the host's unit tests; assembly gets the same
// values as #defines in build/gen/asm-offsets.h (tools/gen-asm-offsets.cpp
// prints them from here).
#pragma once

#include <stdint.h>

namespace bzelf::x86 {

// EFLAGS ("EFLAGS Register", vol. 1): bits whose being writable tells
// CPUs apart (Intel's processor identification note, AP-485).
inline constexpr uint32_t kEflagsAc = 1u << 18;  // AC: writable from the i486 on
inline constexpr uint32_t kEflagsId = 1u << 21;  // ID: writable where CPUID exists

// CR0 ("Control Registers").
inline constexpr uint32_t kCr0Pe = 1u << 0;   // protection enable
inline constexpr uint32_t kCr0Mp = 1u << 1;   // monitor coprocessor: WAIT honours TS
inline constexpr uint32_t kCr0Em = 1u << 2;   // emulation: SSE instructions #UD
inline constexpr uint32_t kCr0Ts = 1u << 3;   // task switched: SSE instructions #NM
inline constexpr uint32_t kCr0Pg = 1u << 31;  // paging

// CR4 ("Control Registers").
inline constexpr uint32_t kCr4Pae = 1u << 5;     // 64-bit page-table entries; long mode needs it
inline constexpr uint32_t kCr4Pge = 1u << 7;     // global pages: kept in the TLB across CR3 loads
inline constexpr uint32_t kCr4Osfxsr = 1u << 9;  // FXSAVE/FXRSTOR supported: SSE instructions allowed
inline constexpr uint32_t kCr4La57 = 1u << 12;   // 5-level paging (in long mode: CR3 holds a PML5)

// IA32_EFER ("Extended Feature Enable Register"; its index is in vol. 4,
// "IA-32 Architectural MSRs").
inline constexpr uint32_t kMsrEfer = 0xc0000080;
inline constexpr uint32_t kEferLme = 1u << 8;  // IA-32e (long) mode enable

// Paging-structure entries ("4-Level Paging and 5-Level Paging": the
// formats of PML4, PDPT and PD entries).
inline constexpr uint64_t kPtePresent = 1u << 0;    // P
inline constexpr uint64_t kPteWritable = 1u << 1;   // R/W
inline constexpr uint64_t kPteLargePage = 1u << 7;  // PS: a PD entry maps a 2 MiB page

}  // namespace bzelf::x86
