// DEFLATE decoder: the fast loop of the boot stage, with the entry layout
// made for it (StageLayout). Written for an i686 under QEMU's TCG, where
// every memory access (a spilled register too) goes through the soft-TLB:
// its literal loop keeps all its state in the seven registers, and it finds
// the tables through the stack pointer. It runs while the margins below
// hold, so it reads the input with unaligned word loads and copies matches
// in word steps without bounds checks; the careful loop (inflate-block.h)
// takes the rest of the block.
//
// One of the decoder's private headers (see inflate.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "inflate-bits.h"
#include "inflate-copy.h"
#include "inflate-table.h"

namespace bzelf {
namespace {

// The stage's entries (inflate-table.h), for DecodeFast():
//   bits  8-15  a literal: its byte (so that it can be stored from %ah)
//   bits  8-12  anything else: 31 - the number of extra bits (see
//               ExtraValue())
struct StageLayout {
  // 10 root bits cover nearly all codes of real streams, and under TCG
  // every table entry written costs a soft-TLB store.
  static constexpr unsigned kLitLenBits = 10;
  // Peek() yields at least this many valid bits (the load's first byte may
  // start up to 7 bits early): 25 with the stage's 32-bit words.
  static constexpr unsigned kPeekBits = kWordSize * 8 - 7;

  static constexpr Entry MakeLiteral(unsigned byte, unsigned len) {
    return kLiteral | byte << 8 | len;
  }
  static constexpr Entry MakeEntry(uint32_t flags_value, unsigned len, unsigned extra) {
    return flags_value | (31 - extra) << 8 | (len + extra);
  }
  static constexpr uint32_t LiteralByte(uint32_t e) { return (e >> 8) & 0xff; }
  static constexpr unsigned ExtraCount(uint32_t e) { return 31 - ((e >> 8) & 0x1f); }
};

// The extra bits of a length or distance entry `e` from `bits`, the input
// bits from the entry's code on: the ExtraCount(e) bits above the code.
// Shifts only, two by counts straight from the entry: the TotalBits(e)
// bits to the top (a shift by 32 - TotalBits(e), which x86 takes mod 32
// from -e), then down by 32 - ExtraCount(e) in two steps (so that no extra
// bits is a shift by 1 + 31, not by 32).
constexpr uint32_t ExtraValue(uint32_t bits, uint32_t e) {
  return (bits << ((0u - e) & 31)) >> 1 >> ((e >> 8) & 31);
}

// Spot checks of the table builder against RFC 1951 3.2.6, at compile
// time: 7-bit 0000000 is end of block, 8-bit 00110000 is literal 0, 9-bit
// 111111111 is literal 255, 5-bit 11101 is distance 29; 7-bit 0001100 is
// symbol 268, lengths 17-18 with one extra bit.
constexpr DecodeTables<StageLayout> kStageFixed = MakeFixedTables<StageLayout>();
static_assert(kStageFixed.litlen[0] == (kExceptional | kEndOfBlock | 31u << 8 | 7));
static_assert(kStageFixed.litlen[ReverseBits(0x30, 8)] == (kLiteral | 8));
static_assert(kStageFixed.litlen[0x1ff] == (kLiteral | 255u << 8 | 9));
static_assert(kStageFixed.dist[ReverseBits(29, 5)] == (24577u << 16 | 18u << 8 | 18));
static_assert(CodeLength<StageLayout>(kStageFixed.dist[ReverseBits(29, 5)]) == 5 &&
              StageLayout::ExtraCount(kStageFixed.dist[ReverseBits(29, 5)]) == 13);
static_assert(Value(kStageFixed.litlen[ReverseBits(12, 7)]) +
                  ExtraValue(ReverseBits(12, 7) | 1u << 7,
                             kStageFixed.litlen[ReverseBits(12, 7)]) ==
              18);

// Margins, derived from what one iteration can do.
//
// Input: the fast loop reads the stream through Peek(), a word load at the
// byte holding the current bit. Within one iteration (a symbol, or a pair
// of literals) the last Peek() starts at most 15 + 5 + 15 bits (a length
// code and its extra bits, a distance code: 5 bytes) after the iteration's
// first bit and reads sizeof(Word) <= 8 bytes, so 16 bytes of margin keep
// every load in bounds.
//
// Output: an iteration writes at most two literals or one match of at most
// 258 bytes, whose copy may run up to 15 bytes past its end (7 in word
// steps, 15 in SSE2 steps: CopyMatchFast()).
constexpr ptrdiff_t kInMargin = 16;
constexpr ptrdiff_t kOutMargin = 258 + 16;

// A literal/length code with its extra bits needs <= 15 + 5 = 20 bits, a
// distance code <= 15 by itself (its extra bits are read separately when a
// 32-bit word is too short: kLongDistance).
static_assert(StageLayout::kPeekBits >= 20);
// After a literal of up to 15 bits a whole root index is still valid, so
// the next symbol's root entry can come from the same word.
static_assert(StageLayout::kPeekBits - kMaxCodeLength >= StageLayout::kLitLenBits);

// The input bits from bit `pos` of `in` on, in the low bits of a word.
// Bits above kPeekBits are zero or valid input.
inline Word Peek(const uint8_t* in, size_t pos) {
  Word w;
  __builtin_memcpy(&w, in + pos / 8, sizeof w);
  return w >> (pos % 8);
}

// The fast loop: decodes symbols of a Huffman block while the margins
// hold. Returns an error, or kOk with `*block_ended` telling whether it
// stopped at end-of-block or at a margin.
//
// It is shaped by the i686's seven registers (QEMU's TCG makes a spill a
// soft-TLB access):
//  - The input is read by bit position, not through a bit buffer: `in +
//    pos / 8` is the byte holding the next bit, and a symbol starts with a
//    Peek() there. A load per symbol, as a refill would be, but the bit
//    state takes two registers (`in`, `pos`) instead of three (buffer,
//    count, pointer).
//  - One comparison, `out < out_limit`, guards both buffers
//    (kMaxInPerOut).
//  - The tables are reached through the stack pointer: DecodeFast() is
//    inlined into InflateRaw(), whose frame holds them.
//  - Literals have a loop of their own, which the register allocator
//    treats as a region of its own: the state stays in registers there,
//    and matches, which need more registers, spill around their decoding.
// The copy word is the register size, so the stage copies in 4-byte words.
template <bool kSse2>
[[gnu::always_inline]] inline InflateError DecodeFast(Inflater& s,
                                                      const DecodeTables<StageLayout>& t,
                                                      bool* block_ended) {
  *block_ended = false;
  // Bytes appended past the end mean that the end is near anyway.
  if (s.overrun != 0) return InflateError::kOk;

  // From the bit buffer to a position: the buffer's `count` bits are the
  // last ones of the bytes before `next`.
  const unsigned held = (s.count + 7) / 8;
  const uint8_t* in = s.next - held;
  size_t pos = held * 8 - s.count;
  uint8_t* out = s.out;
  uint8_t* const out_begin = s.out_begin;
  constexpr uint32_t kRootMask = LowMask(StageLayout::kLitLenBits);

  InflateError error = InflateError::kOk;
  bool stop = false;
  while (!stop) {
    // A stretch of the loop: rebase `in` (so that `pos` stays far from
    // overflowing a 32-bit size_t), then set `out_limit` so that it guards
    // both buffers (kMaxInPerOut). Stretches are capped at 64 MiB of
    // output, so `pos` stays below 2^31.
    in += pos / 8;
    pos %= 8;
    const size_t in_room = static_cast<size_t>(s.in_end - in);
    const size_t out_room = static_cast<size_t>(s.out_end - out);
    if (in_room < kInMargin + kMaxInPerOut || out_room <= kOutMargin) break;
    size_t stretch = (in_room - kInMargin) / kMaxInPerOut;
    if (stretch > out_room - kOutMargin) stretch = out_room - kOutMargin;
    if (stretch > (size_t{1} << 26)) stretch = size_t{1} << 26;
    uint8_t* const stretch_limit = out + stretch;

    for (;;) {
      // The bound stays in memory, and each pass loads it into a register
      // of its own (the asm is that load): the literal loop keeps it there,
      // and the match path, which needs every register, has it free. GCC
      // left to itself keeps one value for the whole loop, spills it in
      // the match path and reloads it twice per pass, and loads are what
      // an emulator charges for.
      uint8_t* out_limit;
      asm("mov %1, %0" : "=r"(out_limit) : "m"(stretch_limit));
      if (out >= out_limit) break;
      Word w = Peek(in, pos);
      uint32_t e = t.litlen[w & kRootMask];
      while (e & kLiteral) {
        *out++ = static_cast<uint8_t>(StageLayout::LiteralByte(e));
        pos += TotalBits(e);
        // At least kPeekBits - 15 >= kLitLenBits bits are left in `w`: a
        // whole root index. A root literal takes no more bits than that,
        // so a second one is decoded from the same word.
        w >>= TotalBits(e);
        e = t.litlen[w & kRootMask];
        if (e & kLiteral) {
          *out++ = static_cast<uint8_t>(StageLayout::LiteralByte(e));
          pos += TotalBits(e);
        }
        if (out >= out_limit) break;
        w = Peek(in, pos);
        e = t.litlen[w & kRootMask];
      }
      // Either at out_limit (and `w` may be stale), or `e` is a fresh
      // entry that is not a literal.
      if (out >= out_limit) break;
      if (e & kExceptional) [[unlikely]] {
        if (e & kSubtable) {
          e = t.litlen[Value(e) + ((w >> StageLayout::kLitLenBits) & LowMask(TotalBits(e)))];
          if (e & kLiteral) {
            *out++ = static_cast<uint8_t>(StageLayout::LiteralByte(e));
            pos += TotalBits(e);
            continue;
          }
        }
        if (e & kEndOfBlock) {
          pos += TotalBits(e);
          *block_ended = true;
          stop = true;
          break;
        }
        if (e & kExceptional) {
          error = InflateError::kBadSymbol;
          stop = true;
          break;
        }
      }
      // A length (the entry's bit 31 is clear: its value is e >> 16).
      const uint32_t length = (e >> 16) + ExtraValue(static_cast<uint32_t>(w), e);
      pos += TotalBits(e);
      w = Peek(in, pos);
      uint32_t d = t.dist[w & LowMask(kDistBits)];
      if (d & kExceptional) [[unlikely]] {
        if (d & kSubtable)
          d = t.dist[Value(d) + ((w >> kDistBits) & LowMask(TotalBits(d)))];
        if (d & kLongDistance) {
          // Its code and extra bits are longer than `w` holds: peek again
          // for the extra bits, and put them where ExtraValue() takes them.
          d &= ~kLongDistanceFlags;
          w = Peek(in, pos + CodeLength<StageLayout>(d)) << CodeLength<StageLayout>(d);
        }
        if (d & kExceptional) {
          error = InflateError::kBadSymbol;
          stop = true;
          break;
        }
      }
      const uint32_t distance = (d >> 16) + ExtraValue(static_cast<uint32_t>(w), d);
      pos += TotalBits(d);
      if (distance > static_cast<size_t>(out - out_begin)) [[unlikely]] {
        error = InflateError::kDistanceTooFar;
        stop = true;
        break;
      }
      CopyMatchFast<kSse2>(out, distance, length);
      out += length;
    }
  }

  // Back to the bit buffer, at `pos`. The loop leaves at least kInMargin
  // bytes, so the first byte reloaded is real input.
  s.next = in + pos / 8;
  s.buf = 0;
  s.count = 0;
  s.CarefulRefill();
  s.Consume(pos % 8);
  s.out = out;
  return error;
}

}  // namespace
}  // namespace bzelf
