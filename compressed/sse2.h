// SSE2 for the decompressor's match copies (InflateRawSse2 in
// lib/inflate.h) and for zeroing the segments' p_memsz tails, enabled for
// the time of the inflate and put back as the loader left it before the
// kernel runs.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace bzelf {

struct Sse2State {
  bool enabled;  // the CPU has SSE2 and it is now usable
  uint32_t cr0;  // CR0 and CR4 as they were at entry
  uint32_t cr4;
};

// Enables SSE2 on a CPU that has it (and FXSR, without which CR4.OSFXSR
// cannot be set: CpuFeatures::Sse2() in lib/cpu-check.h, which the caller
// asks first): CR0.EM and CR0.TS cleared, CR0.MP and CR4.OSFXSR set.
Sse2State EnableSse2();

// Puts CR0 and CR4 back as EnableSse2() found them.
void RestoreSse2(const Sse2State& state);

// Zeroes n bytes at dest with 16-byte SSE2 stores; SSE2 must be enabled.
void ZeroSse2(uint8_t* dest, size_t n);

}  // namespace bzelf
