#include "sse2.h"

#include "x86.h"

namespace bzelf {
namespace {

using x86::kCr0Em;
using x86::kCr0Mp;
using x86::kCr0Ts;
using x86::kCr4Osfxsr;

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
  // CR4 is read only here, on a CPU with SSE2: an i486 has no CR4.
  Sse2State state = {false, ReadCr0(), ReadCr4()};
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

// Stores of 16 aligned bytes, four to a loop pass. QEMU's TCG splits a
// 16-byte store into two 8-byte ones, each a soft-TLB access, and runs
// `rep stosl` one 4-byte store per step, so this takes half the accesses
// and a sixteenth of the steps. (Debian's kernel has 24 MB of zeros to
// fill: see tools/payload.cpp.)
void ZeroSse2(uint8_t* dest, size_t n) {
  size_t head = (0u - reinterpret_cast<uintptr_t>(dest)) & 15;
  if (head > n) head = n;
  __builtin_memset(dest, 0, head);
  dest += head;
  n -= head;
  uint8_t* stop = dest + (n & ~size_t{63});
  if (dest != stop) {
    asm volatile(
        "pxor %%xmm0, %%xmm0\n"
        "1:\n\t"
        "movdqa %%xmm0, (%[p])\n\t"
        "movdqa %%xmm0, 16(%[p])\n\t"
        "movdqa %%xmm0, 32(%[p])\n\t"
        "movdqa %%xmm0, 48(%[p])\n\t"
        "add $64, %[p]\n\t"
        "cmp %[stop], %[p]\n\t"
        "jne 1b"
        : [p] "+r"(dest)
        : [stop] "r"(stop)
        : "cc", "memory");
  }
  __builtin_memset(dest, 0, n & 63);
}

}  // namespace bzelf
