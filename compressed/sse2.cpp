#include "sse2.h"

#include "cpuid.h"

namespace bzelf {
namespace {

// Control register bits (Intel SDM vol. 3A, 2.5).
constexpr uint32_t kCr0Mp = 1u << 1;  // monitor coprocessor: WAIT honours TS
constexpr uint32_t kCr0Em = 1u << 2;  // emulation: SSE instructions #UD
constexpr uint32_t kCr0Ts = 1u << 3;  // task switched: SSE instructions #NM
constexpr uint32_t kCr4Osfxsr = 1u << 9;  // SSE instructions allowed

uint32_t ReadCr0() {
  uint32_t v;
  asm volatile("mov %%cr0, %0" : "=r"(v));
  return v;
}
uint32_t ReadCr4() {
  uint32_t v;
  asm volatile("mov %%cr4, %0" : "=r"(v));
  return v;
}
void WriteCr0(uint32_t v) { asm volatile("mov %0, %%cr0" : : "r"(v) : "memory"); }
void WriteCr4(uint32_t v) { asm volatile("mov %0, %%cr4" : : "r"(v) : "memory"); }

}  // namespace

Sse2State EnableSse2() {
  // CPUID itself is there: the stage is built for i686.
  constexpr uint32_t kNeeded = kCpuid1EdxFxsr | kCpuid1EdxSse2;
  Sse2State state = {false, ReadCr0(), ReadCr4()};
  if ((Cpuid(1).edx & kNeeded) != kNeeded) return state;
  WriteCr0((state.cr0 & ~(kCr0Em | kCr0Ts)) | kCr0Mp);
  WriteCr4(state.cr4 | kCr4Osfxsr);
  state.enabled = true;
  return state;
}

void RestoreSse2(const Sse2State& state) {
  if (!state.enabled) return;
  WriteCr4(state.cr4);
  WriteCr0(state.cr0);
}

}  // namespace bzelf
