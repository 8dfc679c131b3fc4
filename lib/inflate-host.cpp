// The host's DEFLATE decoder (inflate.h), for a 64-bit out-of-order CPU:
// the block loop with a fast loop of its own, DecodeFastWide(), and the
// entry layout made for it (WideLayout). Built twice, for plain x86-64
// and for x86-64 with BMI and BMI2, and InflateRaw() picks one at run
// time. Built only into the host tool and its tests; see inflate.cpp.

#include "inflate-block.h"
#include "inflate-copy.h"
#include "inflate.h"

namespace bzelf {
namespace {

static_assert(kWordSize == 8, "the wide decoder is for 64-bit hosts");

// The host's entries (inflate-table.h). Bits 8-15 are laid out for BMI's
// BEXTR and BZHI, which take their bit counts from a register's low bytes,
// so that the entry itself is the operand (see DecodeFastWide()):
//   bits  8-15  a literal: kLitLenBits, and BEXTR with the entry extracts
//               the root index that follows the literal's code
//   bits 16-23  a literal: its byte
//   bits  8-12  anything else: the code length, and BZHI by the entry then
//               a shift by bits 8-15 extracts the extra bits
// 32 bits, as in the stage: entries twice as wide could carry the code
// length and an extra-bits mask, but would take twice the cache.
struct WideLayout {
  // A subtable lookup costs a branch that the CPU mispredicts; 11 root
  // bits, as libdeflate has, take most of them away, where more would cost
  // table builds and cache.
  static constexpr unsigned kLitLenBits = 11;
  // A refill leaves 56 to 63 bits, enough for a whole match: a length code
  // with its extra bits (20) and a distance code with its extra bits (28).
  // So no distance is a long one (kLongDistance).
  static constexpr unsigned kPeekBits = 56;

  static constexpr Entry MakeLiteral(unsigned byte, unsigned len) {
    return kLiteral | byte << 16 | kLitLenBits << 8 | len;
  }
  static constexpr Entry MakeEntry(uint32_t flags_value, unsigned len, unsigned extra) {
    return flags_value | len << 8 | (len + extra);
  }
  static constexpr uint32_t LiteralByte(uint32_t e) { return (e >> 16) & 0xff; }
  static constexpr unsigned ExtraCount(uint32_t e) { return TotalBits(e) - ((e >> 8) & 0x1f); }
};
static_assert(WideLayout::kPeekBits >= 20 + kMaxCodeLength + 13);

// BMI's BZHI and BEXTR for DecodeFastWide(), which WideLayout is made
// for: one instruction each where the CPU has them (kBmi), and the same
// result from plain shifts where it does not. Inline assembly, as GCC
// makes a BZHI of the expression only sometimes, and a BEXTR never.

// The extra bits of a length or distance entry `e` from `saved`, the bit
// buffer as it was before the entry's bits were consumed: its low
// TotalBits(e) bits (BZHI takes the count from bits 0-7, whose flags are
// clear for a length or distance), shifted down by the code length (bits
// 8-15).
template <bool kBmi>
constexpr uint32_t ExtraValueWide(uint64_t saved, uint64_t e) {
  uint64_t low;
  if constexpr (kBmi) {
    asm("bzhi %2, %1, %0" : "=r"(low) : "r"(saved), "r"(e));
  } else {
    low = saved & ((uint64_t{1} << (e & 63)) - 1);
  }
  return static_cast<uint32_t>(low >> ((e >> 8) & 63));
}

// The root index that follows a root litlen entry `e` in `bits` (the bits
// from `e`'s code on), should `e` be a literal: BEXTR with `e` as its
// control, a start of TotalBits(e) (bits 0-7) and a width of kLitLenBits
// (bits 8-15). For other root entries the result is not used, but is still
// an index into the root table: their bits 8-15 (a code length that fits
// the root, or 0) are at most kLitLenBits, and the flags of an exceptional
// entry make its start 64 or more, which gives 0.
template <bool kBmi>
constexpr uint64_t RootIndexPast(uint64_t bits, uint64_t e) {
  if constexpr (kBmi) {
    uint64_t index;
    asm("bextr %2, %1, %0" : "=r"(index) : "r"(bits), "r"(e));
    return index;
  } else {
    return (bits >> (e & 63)) & LowMask(WideLayout::kLitLenBits);
  }
}

// Spot checks of the table builder against RFC 1951 3.2.6, at compile
// time, as for the stage's layout (inflate-fast.h): 7-bit 0000000 is end
// of block, 8-bit 00110000 is literal 0, 9-bit 111111111 is literal 255,
// 5-bit 11101 is distance 29; 7-bit 0001100 is symbol 268, lengths 17-18
// with one extra bit; and the root index past literal 0.
constexpr DecodeTables<WideLayout> kWideFixed = MakeFixedTables<WideLayout>();
static_assert(kWideFixed.litlen[0] == (kExceptional | kEndOfBlock | 7u << 8 | 7));
static_assert(kWideFixed.litlen[ReverseBits(0x30, 8)] == (kLiteral | 11u << 8 | 8));
static_assert(kWideFixed.litlen[0x1ff] == (kLiteral | 255u << 16 | 11u << 8 | 9));
static_assert(kWideFixed.dist[ReverseBits(29, 5)] == (24577u << 16 | 5u << 8 | 18));
static_assert(CodeLength<WideLayout>(kWideFixed.dist[ReverseBits(29, 5)]) == 5 &&
              WideLayout::ExtraCount(kWideFixed.dist[ReverseBits(29, 5)]) == 13);
static_assert((kWideFixed.litlen[ReverseBits(12, 7)] >> 16) +
                  ExtraValueWide<false>(ReverseBits(12, 7) | 1u << 7,
                                        kWideFixed.litlen[ReverseBits(12, 7)]) ==
              18);
static_assert(RootIndexPast<false>(ReverseBits(0x30, 8) | 0x5a5u << 8,
                                   kWideFixed.litlen[ReverseBits(0x30, 8)]) == 0x5a5);

// Margins. Input: like DecodeFast(), one comparison per iteration, `out <
// out_limit`, guards both buffers (kMaxInPerOut). `in` runs ahead of the
// bits consumed by at most 8 bytes (the buffer), a refill loads 8 bytes at
// `in`, and an iteration consumes up to 6 bytes before its output is
// counted: 32 bytes of margin cover all of it.
constexpr ptrdiff_t kWideInMargin = 32;
// Output: a literal, or a match (CopyMatchWide() writes at most
// max(40, length + 15) bytes).
constexpr ptrdiff_t kWideOutMargin = 258 + 16;

// Copies a match for DecodeFastWide(): like CopyMatchFast(), but the
// first 40 bytes go unconditionally (94% of the matches in a kernel are
// no longer), which spares the branch on the length that the CPU would
// mispredict. Writes at most max(40, length + 15) bytes: 40 for a match
// of up to 40 at a distance of 8 or more, up to 15 past the end for one at
// a distance under 8.
// Distances 1, 2 and 4 repeat a pattern that divides a word, so the
// pattern is broadcast to a word and stored: in Debian's kernel they are
// 17% of the matches (130,402 at distance 1, runs of one byte, 260 at
// distance 2, and 386,651 at distance 4, repeated 32-bit values, of
// 3,039,234). CopyMatchFast() would start those at 2 and 4 with a byte
// loop. Distances 3, 5, 6 and 7 (11,120) still go through it.
// Inlined by force: GCC made it a call, whose clobbered registers cost the
// loop spills.
[[gnu::always_inline]] inline void CopyMatchWide(uint8_t* out, uint32_t distance,
                                                 uint32_t length) {
  const uint8_t* src = out - distance;
  uint8_t* const stop = out + length;
  if (distance < kWordSize) [[unlikely]] {
    if ((distance & (distance - 1)) != 0) {
      CopyMatchFast<false>(out, distance, length);
      return;
    }
    // The pattern is the `distance` bytes at `src`; the load's other bytes
    // (from `out` on) are masked off.
    uint32_t pattern;
    __builtin_memcpy(&pattern, src, sizeof pattern);
    pattern &= 0xffffffffu >> (32 - 8 * distance);
    // ~0 / (2^(8 * distance) - 1): 0x01 in every byte, 0x0001 in every
    // 16 bits, or 0x00000001 in every 32 bits.
    constexpr uint64_t kBroadcast[5] = {0, 0x0101010101010101, 0x0001000100010001, 0,
                                        0x0000000100000001};
    const uint64_t w = pattern * kBroadcast[distance];
    do {
      __builtin_memcpy(out, &w, sizeof w);
      __builtin_memcpy(out + 8, &w, sizeof w);
      out += 16;
    } while (out < stop);
    return;
  }
  CopyWord(out, src);
  CopyWord(out + 8, src + 8);
  CopyWord(out + 16, src + 16);
  CopyWord(out + 24, src + 24);
  CopyWord(out + 32, src + 32);
  if (length > 40) [[unlikely]] {
    out += 40;
    src += 40;
    do {
      CopyWord(out, src);
      CopyWord(out + 8, src + 8);
      out += 16;
      src += 16;
    } while (out < stop);
  }
}

// The host's fast loop. On an out-of-order CPU what bounds a decoder is
// the chain from one symbol's table entry to the next one's, so this loop
// keeps that chain short:
//  - The bits live in a 64-bit buffer, refilled without a branch: one
//    unaligned load ORed in above the valid bits, `in` advanced by the
//    whole bytes that fitted, and the count set to 56-63. Bits above the
//    count are input bits too (from the same load), so a lookup or a
//    refill never has to clear them. A refill is taken once per
//    iteration, which covers the longest symbol: a literal, or a match (a
//    length code with extra bits, 20, and a distance code with extra
//    bits, 28).
//  - A symbol's entry is looked up as soon as the bits before it are
//    known, before the refill and before the previous match is copied,
//    so that the next lookup waits on neither; the entry after a match
//    even before the branch on the kind of the symbol (below).
//  - The branch on a symbol's kind (literal or length) is the one the CPU
//    cannot predict. In Debian's kernel, a symbol's kind differs from the
//    one before in 49% of the 8.4 million symbols, and even a predictor
//    that knew the last 16 kinds would miss 27% of them (counted over the
//    payload), and each miss costs about 27 cycles on an AMD EPYC (in a
//    loop that does nothing else). So before that branch, the two entries
//    that may follow are both looked up from the bits past the symbol: the
//    next litlen entry, in case it is a literal, and the distance entry,
//    in case it is a length. When the CPU has guessed wrong, the loads it
//    needs are already under way while it starts over on the right path,
//    for one load more per symbol.
//  - Where the CPU has BMI and BMI2 (kBmi), WideLayout takes a step off
//    that chain: BEXTR extracts the root index past a literal with the
//    literal's entry as its control (RootIndexPast()), where a shift and a
//    mask took two dependent steps; BZHI extracts extra bits
//    (ExtraValueWide()).
//  - `bitsleft` counts in its low 6 bits only: an entry of a literal,
//    length or distance has its total bit count in its low 6 bits (flags
//    are clear there), so subtracting the whole entry is right mod 64.
//    The refill and the shifts use the count mod 64, as x86 does.
//    (kLongDistance, bit 5, is never set here.)
template <bool kBmi>
[[gnu::always_inline]] inline InflateError DecodeFastWide(Inflater& s,
                                                          const DecodeTables<WideLayout>& t,
                                                          bool* block_ended) {
  *block_ended = false;
  if (s.overrun != 0) return InflateError::kOk;

  uint64_t bitbuf = s.buf;
  uint32_t bitsleft = s.count;
  const uint8_t* in = s.next;
  uint8_t* out = s.out;
  uint8_t* const out_begin = s.out_begin;
  const Entry* const litlen = t.litlen;
  const Entry* const dist = t.dist;
  constexpr uint32_t kRootMask = LowMask(WideLayout::kLitLenBits);

  auto refill = [&] {
    uint64_t w;
    __builtin_memcpy(&w, in, sizeof w);
    bitbuf |= w << (bitsleft & 63);
    in += (~bitsleft >> 3) & 7;  // (63 - bitsleft % 64) / 8 whole bytes
    bitsleft |= 56;
  };
  auto consume = [&](uint64_t e) {
    bitbuf >>= e & 63;
    bitsleft -= static_cast<uint32_t>(e);
  };

  InflateError error = InflateError::kOk;
  uint64_t e = 0;
  for (bool first = true;; first = false) {
    // A stretch: as much output as both margins allow, as in DecodeFast().
    const size_t in_room = static_cast<size_t>(s.in_end - in);
    const size_t out_room = static_cast<size_t>(s.out_end - out);
    if (in_room < kWideInMargin + kMaxInPerOut || out_room <= kWideOutMargin) break;
    size_t stretch = (in_room - kWideInMargin) / kMaxInPerOut;
    if (stretch > out_room - kWideOutMargin) stretch = out_room - kWideOutMargin;
    uint8_t* const out_limit = out + stretch;
    if (first) {
      refill();
      e = litlen[bitbuf & kRootMask];
    }
    // `rest` is the bit buffer past `e`'s bits; `next` and `d` are the
    // entries that follow `e` if it is a literal or a length, looked up
    // before the branch on its kind (see above). At least 36 valid bits
    // are past `e`: a whole index for either table.
    uint64_t rest;
    Entry next;
    uint64_t d;
    auto look_ahead = [&] {
      rest = bitbuf >> (e & 63);
      next = litlen[RootIndexPast<kBmi>(bitbuf, e)];
      d = dist[rest & LowMask(kDistBits)];
    };
    look_ahead();

    while (out < out_limit) {
      // One step further for a run of literals: the entry after `next`,
      // should `e` be a literal. Every path into this loop ends with a
      // refill, which fills all 64 bits with input. `next2` is used only
      // when `e` and `next` are both literals of the root table, which
      // take at most 2 * 11 bits and leave a whole index.
      const Entry next2 = litlen[RootIndexPast<kBmi>(rest, next)];
      // And the entry after a match, should `e` be a length and `d` its
      // distance: the litlen entry past both (48 bits at most, with their
      // extra bits, and a root index still fits the 64 bits of input the
      // last refill left). The exceptional paths below look it up again
      // when they change `e` or `d`.
      Entry after_match = litlen[(rest >> (d & 63)) & kRootMask];
      // [[likely]]: about two symbols in three are literals, and this way
      // GCC lays the literal path out as the loop's fall-through.
      if (static_cast<int32_t>(e) < 0) [[likely]] {  // kLiteral
        bitbuf = rest;
        bitsleft -= static_cast<uint32_t>(e);
        *out++ = static_cast<uint8_t>(WideLayout::LiteralByte(e));
        e = next;
        refill();
        rest = bitbuf >> (e & 63);
        next = next2;
        d = dist[rest & LowMask(kDistBits)];
        continue;
      }
      if (e & kExceptional) [[unlikely]] {
        if (e & kSubtable) {
          e = litlen[Value(e) + ((bitbuf >> WideLayout::kLitLenBits) & LowMask(TotalBits(e)))];
          if (e & kLiteral) {
            consume(e);
            *out++ = static_cast<uint8_t>(WideLayout::LiteralByte(e));
            refill();
            e = litlen[bitbuf & kRootMask];
            look_ahead();
            continue;
          }
        }
        if (e & kEndOfBlock) {
          bitbuf >>= TotalBits(e);
          bitsleft -= TotalBits(e);
          *block_ended = true;
          goto done;
        }
        if (e & kExceptional) {
          error = InflateError::kBadSymbol;
          goto done;
        }
        d = dist[(bitbuf >> (e & 63)) & LowMask(kDistBits)];
        after_match = litlen[((bitbuf >> (e & 63)) >> (d & 63)) & kRootMask];
      }
      if (d & kExceptional) [[unlikely]] {
        const uint64_t after_length = bitbuf >> (e & 63);
        if (d & kSubtable) {
          d = dist[Value(d) + ((after_length >> kDistBits) & LowMask(TotalBits(d)))];
        }
        if (d & kExceptional) {
          error = InflateError::kBadSymbol;
          goto done;
        }
        after_match = litlen[(after_length >> (d & 63)) & kRootMask];
      }
      // The next symbol first: its entry, the refill and the look-ahead
      // come in program order before the length and the distance, so that
      // after a mispredicted branch into this path the CPU reaches the
      // loads of the chain without first working through the rest.
      const uint64_t bits_length = bitbuf;
      const uint64_t bits_distance = bitbuf >> (e & 63);
      const uint64_t length_entry = e;
      const uint64_t distance_entry = d;
      bitbuf = bits_distance >> (d & 63);
      bitsleft -= static_cast<uint32_t>(e) + static_cast<uint32_t>(d);  // mod 64
      e = after_match;
      refill();
      look_ahead();
      // Value(), without its mask: bit 31 is clear in a length or distance.
      const uint32_t length = static_cast<uint32_t>(length_entry >> 16) +
                              ExtraValueWide<kBmi>(bits_length, length_entry);
      const uint32_t distance = static_cast<uint32_t>(distance_entry >> 16) +
                                ExtraValueWide<kBmi>(bits_distance, distance_entry);
      if (distance > static_cast<size_t>(out - out_begin)) [[unlikely]] {
        error = InflateError::kDistanceTooFar;
        goto done;
      }
      CopyMatchWide(out, distance, length);
      out += length;
    }
  }

done:
  // Back to the careful loop's bit buffer: the valid bits are the last
  // ones of the bytes before `in`, and the bits above them must be zero.
  bitsleft &= 63;
  s.buf = bitbuf & ((uint64_t{1} << bitsleft) - 1);
  s.count = bitsleft;
  s.next = in;
  s.out = out;
  return error;
}

// Two builds, both out of line, so that InflateRaw() has no frame of its
// own: with one build inlined there, its decode tables took stack beside
// the other build's. With BMI2, shifts by a register count (shlx, shrx)
// take any register and leave the flags alone, and with BMI and BMI2
// WideLayout lets BEXTR and BZHI take their counts straight from table
// entries, which shortens the chain from one symbol's entry to the next
// (RootIndexPast()). libdeflate likewise builds its decoder a second time
// for BMI2 and picks one at run time. Each starts a 64-byte line, so that
// where its loops fall against the lines the CPU fetches depends on its
// own code only, not on what precedes it.
[[gnu::noinline, gnu::aligned(64)]] InflateResult InflateRawPlain(
    const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, InflateEnd end) {
  return Inflate<WideLayout, DecodeFastWide<false>>(in, in_len, out, out_cap, end);
}

[[gnu::noinline, gnu::aligned(64), gnu::target("bmi,bmi2")]] InflateResult InflateRawBmi(
    const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, InflateEnd end) {
  return Inflate<WideLayout, DecodeFastWide<true>>(in, in_len, out, out_cap, end);
}

}  // namespace

InflateResult InflateRaw(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap,
                         InflateEnd end) {
  if (__builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2"))
    return InflateRawBmi(in, in_len, out, out_cap, end);
  return InflateRawPlain(in, in_len, out, out_cap, end);
}

}  // namespace bzelf
