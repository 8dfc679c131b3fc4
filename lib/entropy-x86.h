// The stage's sources of randomness for KaslrRandom (lib/kaslr.h), as
// Linux's decompressor reads them (arch/x86/lib/kaslr.c,
// arch/x86/include/asm/archrandom.h): RDRAND, the time stamp counter, and
// the i8254's counter 0 when the CPU has neither.
#pragma once

#include <stdint.h>

#include "cpu-check.h"
#include "port-io.h"

namespace bzelf {

// Leaf 1: ECX bit 30 RDRAND, EDX bit 4 TSC (Intel SDM vol. 2A, CPUID).
constexpr uint32_t kCpuid1EcxRdrand = 1u << 30;
constexpr uint32_t kCpuid1EdxTsc = 1u << 4;

class X86Entropy {
 public:
  // From ReadCpuFeatures: an i486 without CPUID has neither (its leaf 1
  // reads as zero), and no CPUID is executed here.
  explicit X86Entropy(const CpuFeatures& cpu)
      : rdrand_((cpu.leaf1_ecx & kCpuid1EcxRdrand) != 0),
        tsc_((cpu.leaf1_edx & kCpuid1EdxTsc) != 0) {}
  bool HasRdrand() const { return rdrand_; }
  bool HasTsc() const { return tsc_; }

  // RDRAND may come back empty (CF clear) when the generator is drained;
  // Linux tries 10 times (RDRAND_RETRY_LOOPS).
  bool Rdrand(uint32_t* out) const {
    for (int i = 0; i < 10; ++i) {
      bool ok;
      asm volatile("rdrand %0" : "=r"(*out), "=@ccc"(ok));
      if (ok) return true;
    }
    return false;
  }

  uint32_t Rdtsc() const {
    uint32_t low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return low;
  }

  // Counter 0's count through the read-back command, latched with its
  // status; read again while the status says the count is not loaded yet
  // (Intel 8254 data sheet, "Read-Back Command").
  uint16_t I8254() const {
    constexpr uint16_t kControl = 0x43, kCounter0 = 0x40;
    constexpr uint8_t kReadBackCounter0 = 0xc0 | 0x02;
    constexpr uint8_t kNullCount = 0x40;
    // Bounded: where no 8254 answers, the port reads 0xFF, NULL COUNT
    // included, for ever; the count read last is then as good as any.
    constexpr int kTries = 1000;
    uint16_t count = 0;
    for (int i = 0; i < kTries; ++i) {
      Outb(kReadBackCounter0, kControl);
      const uint8_t status = Inb(kCounter0);
      count = Inb(kCounter0);
      count = static_cast<uint16_t>(count | (Inb(kCounter0) << 8));
      if (!(status & kNullCount)) break;
    }
    return count;
  }

 private:
  bool rdrand_ = false;
  bool tsc_ = false;
};

}  // namespace bzelf
