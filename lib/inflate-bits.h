// DEFLATE decoder: reading the input bit by bit, with every byte
// bounds-checked, for block headers, code-length tables and the careful
// loop; and the bound on input per output byte that lets the fast loops
// skip those checks.
//
// One of the decoder's private headers (see inflate.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "inflate-table.h"

namespace bzelf {
namespace {

// The fast loops load little-endian words; this code runs on x86 only.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian only");

// The careful path's bit buffer: a machine word.
using BitBuf = uintptr_t;
constexpr unsigned kBitBufBits = sizeof(BitBuf) * 8;

struct Inflater {
  const uint8_t* in_begin;
  const uint8_t* next;  // next input byte not yet in `buf`
  const uint8_t* in_end;
  uint8_t* out_begin;
  uint8_t* out;
  uint8_t* out_end;

  // Bits [0, count) of buf are the next input bits; the bits above are
  // zero. (The fast loops keep their own bit state while they run.)
  BitBuf buf;
  unsigned count;
  // Zero bytes appended past in_end by CarefulRefill(), so that a lookup
  // near the end can always index a full table; the input was truncated iff
  // any of them are consumed.
  unsigned overrun;

  // Leaves kBitBufBits - 8 to kBitBufBits - 1 bits (a full 64 would make
  // the shift by `count` undefined).
  void CarefulRefill() {
    while (count < kBitBufBits - 8) {
      BitBuf byte = 0;
      if (next != in_end) {
        byte = *next++;
      } else {
        ++overrun;
      }
      buf |= byte << count;
      count += 8;
    }
  }

  bool Overrun() const { return count < 8 * overrun; }

  void Consume(unsigned n) {
    buf >>= n;
    count -= n;
  }

  // Reads n <= 16 bits, least-significant first.
  uint32_t Bits(unsigned n) {
    CarefulRefill();
    uint32_t v = static_cast<uint32_t>(buf) & LowMask(n);
    Consume(n);
    return v;
  }

  // Table lookup with subtable resolution; consumes nothing. (A literal
  // entry never has the kSubtable bit.)
  uint32_t Lookup(const Entry* table, unsigned root_bits) const {
    uint32_t e = table[buf & LowMask(root_bits)];
    if (e & kSubtable)
      e = table[Value(e) + ((buf >> root_bits) & LowMask(TotalBits(e)))];
    return e;
  }

  // Input bytes consumed, the last partial byte counted as a whole.
  size_t InUsed() const {
    return static_cast<size_t>(next - in_begin) + overrun - count / 8;
  }

  bool AtEndOfInput() const { return next == in_end && count == 8 * overrun; }
};

// No symbol costs more than 16 input bits per output byte: a literal takes
// at most 15 bits for 1 byte, a match at most 15 + 5 + 15 + 13 = 48 bits
// for 3 or more bytes (a length code has extra bits only for lengths of 11
// and up). So the output a stretch of a fast loop produces bounds the
// input it consumes, and one comparison per iteration, `out < out_limit`,
// guards both buffers.
constexpr size_t kMaxInPerOut = 2;

}  // namespace
}  // namespace bzelf
