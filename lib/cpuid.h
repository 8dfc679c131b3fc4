// CPUID for the real-mode setup and the stage: the leaves and bits they
// check (Intel SDM vol. 2A, CPUID; AMD APM vol. 3, CPUID). Callers make
// sure that the instruction exists (EFLAGS.ID, or an i686 build).
#pragma once

#include <stdint.h>

namespace bzelf {

struct CpuidResult {
  uint32_t eax, ebx, ecx, edx;
};

inline CpuidResult Cpuid(uint32_t leaf) {
  CpuidResult r;
  asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(0));
  return r;
}

// Leaf 1, EDX.
constexpr uint32_t kCpuid1EdxCmov = 1u << 15;
constexpr uint32_t kCpuid1EdxFxsr = 1u << 24;
constexpr uint32_t kCpuid1EdxSse2 = 1u << 26;
// Leaf 0x80000001, EDX: long mode.
constexpr uint32_t kCpuidExtEdxLm = 1u << 29;

// Long mode. The highest extended leaf must look like one first (CPUs
// without extended leaves may return anything for 0x80000000), as
// get_cpuflags() in Linux's arch/x86/boot/cpuflags.c checks it.
inline bool HasLongMode() {
  const uint32_t max_ext = Cpuid(0x80000000u).eax;
  return max_ext >= 0x80000001u && max_ext <= 0x8000ffffu &&
         (Cpuid(0x80000001u).edx & kCpuidExtEdxLm) != 0;
}

}  // namespace bzelf
