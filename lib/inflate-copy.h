// DEFLATE decoder: copying a match (LZ77) from earlier in the output, in
// register-sized words, or with SSE2 in 16-byte steps, for the fast loops.
// The whole output buffer is the history window, so a match is a copy from
// earlier in `out`; there is no separate window and no streaming.
//
// One of the decoder's private headers (see inflate.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace bzelf {
namespace {

// One input or copy word: 8 bytes on the host, 4 in the stage, where
// 64-bit values would live in register pairs on a register-starved i686.
using Word = uintptr_t;
constexpr unsigned kWordSize = sizeof(Word);

inline void CopyWord(uint8_t* dst, const uint8_t* src) {
  Word w;
  __builtin_memcpy(&w, src, sizeof w);
  __builtin_memcpy(dst, &w, sizeof w);
}

// 16 bytes from `src` to `dst` through %xmm0.
inline void Copy16Sse2(uint8_t* dst, const uint8_t* src) {
#if defined(__SSE__)
  asm volatile("movdqu (%1), %%xmm0\n\tmovdqu %%xmm0, (%0)" : : "r"(dst), "r"(src)
               : "memory", "xmm0");
#else
  // Built without SSE (the stage: -mgeneral-regs-only), the compiler keeps
  // nothing in %xmm0, and refuses to be told that it is clobbered.
  asm volatile("movdqu (%1), %%xmm0\n\tmovdqu %%xmm0, (%0)" : : "r"(dst), "r"(src) : "memory");
#endif
}

// Fills [out, stop), and up to 15 bytes past `stop`, with `pattern` (four
// equal bytes), 16 bytes a store through %xmm0.
inline void Fill16Sse2(uint8_t* out, const uint8_t* stop, uint32_t pattern) {
  asm volatile(
      "movd %[pattern], %%xmm0\n\t"
      "pshufd $0, %%xmm0, %%xmm0\n"
      "1:\n\t"
      "movdqu %%xmm0, (%[out])\n\t"
      "add $16, %[out]\n\t"
      "cmp %[stop], %[out]\n\t"
      "jb 1b"
      : [out] "+r"(out)
      : [pattern] "r"(pattern), [stop] "r"(stop)
#if defined(__SSE__)
      : "cc", "memory", "xmm0");
#else
      : "cc", "memory");  // see Copy16Sse2()
#endif
}

// Copies a match of `length` (3..258) bytes from `distance` back, writing
// up to 2 * kWordSize - 1 bytes past its end. Overlap is the point of LZ77
// (distance 1 repeats one byte), so word steps are used only where each
// load reads bytes already stored: distance >= kWordSize, in order (the
// stores go through uint8_t, so the compiler keeps them in order).
//
// With kSse2 (the stage's InflateRawSse2()), distances of 16 and more are
// copied in 16-byte SSE2 steps instead (Copy16Sse2()), and runs of one
// byte are stored 16 bytes at a time (Fill16Sse2()), writing up to 15
// bytes past the end (within the same margin). Under QEMU's TCG each guest
// memory access is a software TLB lookup, and a 16-byte load or store
// costs about two of them instead of four 4-byte ones.
template <bool kSse2>
inline void CopyMatchFast(uint8_t* out, uint32_t distance, uint32_t length) {
  const uint8_t* src = out - distance;
  uint8_t* const stop = out + length;
  if constexpr (kSse2) {
    if (distance >= 16) {
      do {
        Copy16Sse2(out, src);
        out += 16;
        src += 16;
      } while (out < stop);
      return;
    }
  }
  if (distance >= kWordSize) {
    // Two unconditional words cover most matches (8 bytes in the stage,
    // and most matches in a kernel are 3 to 8 long) without a loop branch.
    CopyWord(out, src);
    CopyWord(out + kWordSize, src + kWordSize);
    if (length > 2 * kWordSize) {
      out += 2 * kWordSize;
      src += 2 * kWordSize;
      do {
        CopyWord(out, src);
        CopyWord(out + kWordSize, src + kWordSize);
        out += 2 * kWordSize;
        src += 2 * kWordSize;
      } while (out < stop);
    }
  } else if (distance == 1) {
    // Runs of one byte (zeroed kernel data) are the most common overlap.
    const Word w = *src * (~Word{0} / 0xff);
    if constexpr (kSse2) {
      Fill16Sse2(out, stop, static_cast<uint32_t>(w));
      return;
    }
    do {
      __builtin_memcpy(out, &w, sizeof w);
      __builtin_memcpy(out + kWordSize, &w, sizeof w);
      out += 2 * kWordSize;
    } while (out < stop);
  } else {
    // Periods 2 to kWordSize - 1. Byte i of the match equals byte
    // i - k * distance as soon as i >= (k - 1) * distance; with
    // k * distance >= kWordSize that holds from byte kWordSize - 1 on. So
    // copy one word's worth of bytes one at a time, then word steps from
    // k * distance back.
    for (unsigned i = 0; i < kWordSize; ++i) out[i] = src[i];
    if (length > kWordSize) {
      // k * distance, the smallest multiple >= kWordSize, in 4-bit fields
      // indexed by distance (no division, no table in memory): 8, 9, 8,
      // 10, 12, 14 for distances 2-7 on the host; 4, 6 for 2-3 in the stage.
      constexpr uint32_t kPeriods = kWordSize == 8 ? 0xeca89800u : 0x6400u;
      src = out + kWordSize - ((kPeriods >> (4 * distance)) & 0xf);
      out += kWordSize;
      do {
        CopyWord(out, src);
        out += kWordSize;
        src += kWordSize;
      } while (out < stop);
    }
  }
}

}  // namespace
}  // namespace bzelf
