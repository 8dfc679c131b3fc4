// Far-memory access for the real-mode setup.
//
// The compiler assumes ds = es = ss = our segment and never touches fs or
// gs, so fs is free to reach memory outside our segment (the BIOS data
// area, the interrupt vector table, the A20 wrap-around test).
#pragma once

#include <stdint.h>

namespace bzelf::setup {

// Our segment: the real-mode segment of the image's first byte.
inline uint16_t Ds() {
  uint16_t seg;
  asm volatile("movw %%ds, %0" : "=rm"(seg));
  return seg;
}

// The linear address of a pointer into our segment.
inline uint32_t Linear(const volatile void* p) {
  return (uint32_t(Ds()) << 4) + uint32_t(reinterpret_cast<uintptr_t>(p));
}

// Reads and writes seg:off. T is uint8_t, uint16_t or uint32_t.
template <typename T>
inline T FarRead(uint16_t seg, uint16_t off) {
  T value;
  asm volatile("movw %1, %%fs\n\tmov %%fs:(%2), %0"
               : "=r"(value)
               : "rm"(seg), "r"(uint32_t(off))
               : "memory");
  return value;
}

template <typename T>
inline void FarWrite(uint16_t seg, uint16_t off, T value) {
  asm volatile("movw %0, %%fs\n\tmov %2, %%fs:(%1)"
               :
               : "rm"(seg), "r"(uint32_t(off)), "r"(value)
               : "memory");
}

}  // namespace bzelf::setup
