// CPUID and the EFLAGS probes for the real-mode setup and the stage: the
// hardware side of lib/cpu-check.h, which makes the decisions (Intel SDM
// vol. 2A, CPUID; AMD APM vol. 3, CPUID). The same code runs in the -m16
// setup and the -m32 stage (pushfl and popfl take a size prefix in 16-bit
// code).
#pragma once

#include <stdint.h>

namespace bzelf {

struct CpuidResult {
  uint32_t eax, ebx, ecx, edx;
};

// What the stages read the CPU through: ReadCpuFeatures (lib/cpu-check.h)
// takes any type with these two members, and the unit tests pass a fake.
struct HardwareCpu {
  // Whether the EFLAGS bits in mask can be flipped; EFLAGS is restored.
  // Interrupts are off across the test: a real-mode interrupt handler
  // returns with a 16-bit IRET, which drops EFLAGS.AC, so an interrupt
  // between the popfl and the pushfl would make a 486 look like a 386. The
  // final popfl restores IF.
  static bool EflagsWritable(uint32_t mask) {
    uint32_t before, after;
    asm volatile(
        "pushfl\n\t"
        "cli\n\t"
        "pushfl\n\t"
        "popl %0\n\t"
        "movl %0, %1\n\t"
        "xorl %2, %1\n\t"
        "pushl %1\n\t"
        "popfl\n\t"
        "pushfl\n\t"
        "popl %1\n\t"
        "popfl"
        : "=&r"(before), "=&r"(after)
        : "ri"(mask)
        : "cc");
    return ((before ^ after) & mask) == mask;
  }

  // Only once EflagsWritable(kEflagsId) said that the instruction exists.
  static CpuidResult Cpuid(uint32_t leaf, uint32_t subleaf) {
    CpuidResult r;
    asm volatile("cpuid"
                 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
                 : "a"(leaf), "c"(subleaf));
    return r;
  }
};

}  // namespace bzelf
