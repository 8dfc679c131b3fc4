// DEFLATE (RFC 1951) decoder, compiled twice: freestanding into the 32-bit
// decompressor stage and hosted into the host tool and the unit tests.
//
// Shape of the decoder:
//  - The whole output buffer is the history window, so a match is a copy
//    from earlier in `out`; there is no separate window and no streaming.
//  - Huffman codes are decoded through lookup tables (one root lookup per
//    symbol, plus a subtable lookup for the rare codes longer than the root).
//    A table entry carries everything the decode loop needs: the bits to
//    consume, the literal byte or the length/distance base, and the number
//    of extra bits, so the hot loop does not consult per-symbol side tables.
//  - Each Huffman block is decoded by a fast loop that runs while at least
//    kInMargin input bytes and kOutMargin output bytes remain
//    (kWideInMargin and kWideOutMargin for the 64-bit loop), and so can
//    read the input with unaligned word loads and copy matches in word
//    steps without bounds checks; the rest of the block goes through a
//    careful loop that checks every byte it reads and writes.
//  - There are two fast loops, for two different machines. DecodeFast()
//    is written for the stage's i686 under QEMU's TCG, where every memory
//    access (a spilled register too) goes through the soft-TLB: its
//    literal loop keeps all its state in the seven registers, and it finds
//    the tables through the stack pointer. DecodeFastWide() is written for
//    a 64-bit out-of-order CPU (the host tool), where the latency from one
//    symbol's table entry to the next bounds the speed, and a mispredicted
//    branch on the kind of a symbol lengthens it: a 64-bit bit buffer
//    refilled without branches, and the entries that may come next
//    (literal, distance, or the one after a match) looked up before that
//    branch.
//  - Block headers and code-length tables are always read carefully: they
//    are a tiny fraction of the work.
//
// Only <stddef.h>/<stdint.h>: no library, no heap, no global constructors,
// no pointer tables (the stage is position-independent and does no
// relocation processing). Working memory is stack: about 8.5 KiB at the
// deepest in the stage (the decode tables plus BuildTable()'s frame), about
// 12.5 KiB on a 64-bit host, whose litlen root table is twice as large.

#include "inflate.h"

namespace bzelf {
namespace {

// The fast loop loads little-endian words; this code runs on x86 only.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian only");

// ---------------------------------------------------------------------------
// Decode table entries
//
// One 32-bit Entry per table slot:
//   bits  0-4   bits to consume: code length + extra bits; for a subtable
//               pointer, the number of index bits of that subtable
//   bit   5     kEndOfBlock in a litlen entry; kLongDistance in a distance
//               entry
//   bit   6     kSubtable: bits 16-30 hold the subtable's start index
//   bit   7     kExceptional: end of block, subtable pointer, long distance,
//               or a code that is not a valid symbol (litlen 286/287,
//               distance 30/31, or an unused slot of an incomplete code)
//   bits  8-15  in the stage, a literal: its byte (so that it can be
//               stored from %ah)
//   bits  8-12  in the stage, anything else: 31 - the number of extra bits
//               (see ExtraValue())
//   bits 16-30  value: length base, distance base, precode symbol, or
//               subtable start
//   bit  31     kLiteral (so a literal is found with one sign test)
// On a 64-bit host (kHostLayout) bits 8-15 are laid out for BMI's BEXTR
// and BZHI, which take their bit counts from a register's low bytes, so
// that the entry itself is the operand (see DecodeFastWide()):
//   bits  8-15  a literal: kLitLenBits, and BEXTR with the entry extracts
//               the root index that follows the literal's code
//   bits 16-23  a literal: its byte
//   bits  8-12  anything else: the code length, and BZHI by the entry then
//               a shift by bits 8-15 extracts the extra bits
// Subtable entries hold the full code length, so resolving a long code never
// consumes the root bits separately.
// The 64-bit host uses 32-bit entries too, in the layout above: wider ones
// that carried the code length and an extra-bits mask measured no faster
// there, and took twice the cache.
using Entry = uint32_t;

constexpr uint32_t kLiteral = 0x80000000u;
constexpr uint32_t kExceptional = 0x80u;
constexpr uint32_t kSubtable = 0x40u;
constexpr uint32_t kEndOfBlock = 0x20u;
// A distance whose code and extra bits together are longer than one
// Peek() yields (kPeekBits): only in the stage, whose 32-bit word holds 25
// bits, and only for distances over 4 KiB (11 to 13 extra bits) with codes
// of 13 to 15 bits. The entry has kExceptional too, so the fast loop's one
// test for a rare entry catches it, and no distance costs a test of its
// length.
constexpr uint32_t kLongDistance = 0x20u;
constexpr uint32_t kLongDistanceFlags = kExceptional | kLongDistance;

// One input or copy word: 8 bytes on the host, 4 in the stage, where
// 64-bit values would live in register pairs on a register-starved i686.
using Word = uintptr_t;
constexpr unsigned kWordSize = sizeof(Word);

// Peek() yields at least this many valid bits (the load's first byte may
// start up to 7 bits early): 25 in the stage, 57 on the host.
constexpr unsigned kPeekBits = kWordSize * 8 - 7;

// The host's entry layout (above): entries are built in it by the 64-bit
// build only, which the stage never runs.
constexpr bool kHostLayout = kWordSize == 8;

constexpr unsigned TotalBits(uint32_t e) { return e & 0x1f; }
constexpr uint32_t LiteralByte(uint32_t e) { return (e >> (kHostLayout ? 16 : 8)) & 0xff; }
constexpr unsigned ExtraCount(uint32_t e) {
  return kHostLayout ? TotalBits(e) - ((e >> 8) & 0x1f) : 31 - ((e >> 8) & 0x1f);
}
constexpr unsigned CodeLength(uint32_t e) { return TotalBits(e) - ExtraCount(e); }
constexpr uint32_t Value(uint32_t e) { return (e >> 16) & 0x7fff; }
constexpr uint32_t LowMask(unsigned n) { return (uint32_t{1} << n) - 1; }

// The extra bits of a length or distance entry `e` (in the stage's layout)
// from `bits`, the input bits from the entry's code on: the ExtraCount(e)
// bits above the code.
// Shifts only, two by counts straight from the entry: the TotalBits(e)
// bits to the top (a shift by 32 - TotalBits(e), which x86 takes mod 32
// from -e), then down by 32 - ExtraCount(e) in two steps (so that no extra
// bits is a shift by 1 + 31, not by 32).
constexpr uint32_t ExtraValue(uint32_t bits, uint32_t e) {
  return (bits << ((0u - e) & 31)) >> 1 >> ((e >> 8) & 31);
}

// An unused slot of an incomplete code (one length-1 code, or no code at
// all): decoding it is an error after one bit (a code length of 1, no
// extra bits).
constexpr Entry kUnusedEntry = kExceptional | (kHostLayout ? 1u : 31u) << 8 | 1u;

// Root table sizes. A bigger litlen root means fewer subtable lookups but a
// longer table build per block and more stack. The stage's 10 bits cover
// nearly all codes of real streams, and under TCG every table entry
// written costs a soft-TLB store. On a 64-bit host a subtable lookup costs
// a branch that the CPU mispredicts, and 11 bits (as libdeflate has) took
// the host's decode of a kernel about 2.5% faster than 10; 12 bits was
// slower again. The sizes including subtables are the worst cases over all
// valid codes, computed with zlib's examples/enough.c ("enough 288 10 15"
// = 1334, "enough 288 11 15" = 2342, "enough 32 8 15" = 402, "enough 19 7
// 7" = 128), as quoted in libdeflate's deflate_decompress.c. BuildTable()
// still bounds-checks against them, so a wrong figure could only reject a
// stream, never overrun a table.
constexpr unsigned kLitLenBits = kHostLayout ? 11 : 10;
constexpr unsigned kLitLenEnough = kLitLenBits == 11 ? 2342 : 1334;
constexpr unsigned kDistBits = 8;
constexpr unsigned kDistEnough = 402;
constexpr unsigned kPrecodeBits = 7;
constexpr unsigned kPrecodeEnough = 128;

constexpr unsigned kMaxCodeLength = 15;
constexpr unsigned kNumLitLen = 288;  // including the invalid 286 and 287
constexpr unsigned kNumDist = 32;     // including the invalid 30 and 31
constexpr unsigned kNumPrecode = 19;

// RFC 1951 3.2.5: base and extra bits of length symbols 257-285 and of
// distance symbols 0-29.
constexpr uint16_t kLengthBase[29] = {
    3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr uint8_t kLengthExtra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1,
                                      1, 1, 2, 2, 2, 2, 3, 3, 3, 3,
                                      4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr uint16_t kDistBase[30] = {
    1,    2,    3,    4,    5,    7,     9,     13,    17,    25,
    33,   49,   65,   97,   129,  193,   257,   385,   513,   769,
    1025, 1537, 2049, 3073, 4097, 6145,  8193,  12289, 16385, 24577};
constexpr uint8_t kDistExtra[30] = {0, 0, 0, 0, 1, 1, 2,  2,  3,  3,
                                    4, 4, 5, 5, 6, 6, 7,  7,  8,  8,
                                    9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

// RFC 1951 3.2.7: the order in which code length code lengths are sent.
constexpr uint8_t kPrecodeOrder[kNumPrecode] = {16, 17, 18, 0, 8,  7, 9,
                                                6,  10, 5,  11, 4, 12, 3,
                                                13, 2,  14, 1,  15};

enum class CodeKind : uint8_t { kPrecode, kLitLen, kDist };

// The entry of symbol `sym` with a code of `len` bits (extra bits + len <=
// 13 + 15 < 32).
constexpr Entry SymbolEntry(CodeKind kind, unsigned sym, unsigned len) {
  // Anything but a literal: value, extra bits, bits to consume.
  auto entry = [len](uint32_t flags_value, unsigned extra) {
    return flags_value | (kHostLayout ? len : 31 - extra) << 8 | (len + extra);
  };
  switch (kind) {
    case CodeKind::kPrecode:
      return entry(sym << 16, 0);
    case CodeKind::kLitLen:
      if (sym < 256) {
        return kHostLayout ? kLiteral | sym << 16 | kLitLenBits << 8 | len
                           : kLiteral | sym << 8 | len;
      }
      if (sym == 256) return entry(kExceptional | kEndOfBlock, 0);
      if (sym < 286)
        return entry(uint32_t{kLengthBase[sym - 257]} << 16,
                     kLengthExtra[sym - 257]);
      return entry(kExceptional, 0);
    case CodeKind::kDist:
      if (sym >= 30) return entry(kExceptional, 0);
      if (len + kDistExtra[sym] > kPeekBits)
        return entry(kLongDistanceFlags | uint32_t{kDistBase[sym]} << 16,
                     kDistExtra[sym]);
      return entry(uint32_t{kDistBase[sym]} << 16, kDistExtra[sym]);
  }
  return entry(kExceptional, 0);
}

// DEFLATE sends Huffman codes most-significant bit first, but the bit buffer
// is read from the least-significant end, so tables are indexed by the
// bit-reversed code. Reversal goes through a byte table (256 bytes of
// .rodata) as it is done for every code of every dynamic block.
struct ReverseTable {
  uint8_t rev[256];
};

constexpr ReverseTable MakeReverseTable() {
  ReverseTable t{};
  for (unsigned b = 0; b < 256; ++b) {
    unsigned r = 0;
    for (unsigned i = 0; i < 8; ++i) r |= ((b >> i) & 1) << (7 - i);
    t.rev[b] = static_cast<uint8_t>(r);
  }
  return t;
}

constexpr ReverseTable kReverse = MakeReverseTable();

// The low `len` (<= 16) bits of `code`, reversed.
constexpr unsigned ReverseBits(unsigned code, unsigned len) {
  const unsigned rev16 = kReverse.rev[code & 0xff] << 8 | kReverse.rev[(code >> 8) & 0xff];
  return rev16 >> (16 - len);
}
static_assert(ReverseBits(0x30, 8) == 0x0c && ReverseBits(1, 15) == 0x4000);

// Builds the decode table of the canonical Huffman code (RFC 1951 3.2.2)
// given by lens[0, num_syms) into table[0, capacity). Returns false for
// an over-subscribed code, and for an incomplete one unless it is a litlen
// or distance code with no codes or a single 1-bit code (RFC 1951 3.2.7
// allows one distance code; zlib accepts the same cases).
constexpr bool BuildTable(Entry* table, unsigned capacity,
                          unsigned root_bits, const uint8_t* lens,
                          unsigned num_syms, CodeKind kind) {
  uint16_t count[kMaxCodeLength + 1] = {};
  for (unsigned sym = 0; sym < num_syms; ++sym) ++count[lens[sym]];

  // Kraft sum: `left` is the unused code space in units of codes of the
  // current length.
  int32_t left = 1;
  unsigned num_codes = 0;
  for (unsigned len = 1; len <= kMaxCodeLength; ++len) {
    left = 2 * left - count[len];
    if (left < 0) return false;
    num_codes += count[len];
  }
  const unsigned root_size = 1u << root_bits;
  if (left > 0) {
    bool allowed = kind != CodeKind::kPrecode &&
                   (num_codes == 0 || (num_codes == 1 && count[1] == 1));
    if (!allowed) return false;
    for (unsigned i = 0; i < root_size; ++i) table[i] = kUnusedEntry;
  }

  // Symbols in canonical order: by code length, then by symbol value.
  uint16_t offset[kMaxCodeLength + 2] = {};
  for (unsigned len = 1; len <= kMaxCodeLength; ++len)
    offset[len + 1] = offset[len] + count[len];
  uint16_t sorted[kNumLitLen] = {};
  for (unsigned sym = 0; sym < num_syms; ++sym)
    if (lens[sym] != 0) sorted[offset[lens[sym]]++] = static_cast<uint16_t>(sym);

  unsigned code = 0;  // canonical code of sorted[i], MSB-first
  unsigned prev_len = 0;
  unsigned table_end = root_size;
  unsigned sub_prefix = root_size;  // root slot of the current subtable
  unsigned sub_start = 0;
  unsigned sub_bits = 0;
  for (unsigned i = 0; i < num_codes; ++i) {
    const unsigned sym = sorted[i];
    const unsigned len = lens[sym];
    if (i != 0) code = (code + 1) << (len - prev_len);
    prev_len = len;
    const Entry entry = SymbolEntry(kind, sym, len);
    const unsigned rev = ReverseBits(code, len);
    if (len <= root_bits) {
      // A short code owns every root slot whose low `len` bits match it.
      for (unsigned idx = rev; idx < root_size; idx += 1u << len)
        table[idx] = entry;
    } else {
      const unsigned prefix = rev & (root_size - 1);
      if (prefix != sub_prefix) {
        // First code under a new root slot. Codes sharing a root prefix are
        // consecutive in canonical order and, the code being complete, fill
        // the slot exactly: grow the subtable until the remaining codes of
        // each length (this one included) have used up its space.
        unsigned bits = len - root_bits;
        int32_t room = 1 << bits;  // free subtable space, in codes of length l
        for (unsigned l = len;; ++l, ++bits) {
          room -= count[l];
          if (room <= 0 || l == kMaxCodeLength) break;
          room *= 2;
        }
        if (table_end + (1u << bits) > capacity) return false;
        sub_prefix = prefix;
        sub_start = table_end;
        sub_bits = bits;
        table_end += 1u << bits;
        table[prefix] = kExceptional | kSubtable | sub_start << 16 | bits;
      }
      const unsigned step = 1u << (len - root_bits);
      for (unsigned idx = rev >> root_bits; idx < (1u << sub_bits); idx += step)
        table[sub_start + idx] = entry;
    }
    --count[len];  // now counts the codes of this length still to place
  }
  return true;
}

// The decode tables of a Huffman block, fixed or dynamic, sized for the
// worst case. They live in InflateRaw()'s frame, where the fast loop
// (inlined there) reaches them through the stack pointer and needs no
// register for them. For a dynamic block, the precode table lives in `dist`
// while the code lengths are read; the distance table is built after it is
// no longer used.
struct DecodeTables {
  Entry litlen[kLitLenEnough];
  Entry dist[kDistEnough];
};
static_assert(kDistEnough >= kPrecodeEnough);

// The fixed code of RFC 1951 3.2.6. It is built into the block's tables
// at run time like a dynamic one (a fixed block is rare in a large stream),
// so that the fast loop finds every table in its own stack frame.
[[gnu::noinline]] constexpr void BuildFixedTables(DecodeTables& t) {
  uint8_t lens[kNumLitLen + kNumDist] = {};
  for (unsigned i = 0; i < kNumLitLen; ++i)
    lens[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
  for (unsigned i = 0; i < kNumDist; ++i) lens[kNumLitLen + i] = 5;
  BuildTable(t.litlen, kLitLenEnough, kLitLenBits, lens, kNumLitLen,
             CodeKind::kLitLen);
  BuildTable(t.dist, kDistEnough, kDistBits, lens + kNumLitLen, kNumDist,
             CodeKind::kDist);
}

constexpr DecodeTables MakeFixedTables() {
  DecodeTables t{};
  BuildFixedTables(t);
  return t;
}

// Spot checks of the table builder against RFC 1951 3.2.6, at compile
// time: 7-bit 0000000 is end of block, 8-bit 00110000 is literal 0, 9-bit
// 111111111 is literal 255, 5-bit 11101 is distance 29.
constexpr DecodeTables kFixedCheck = MakeFixedTables();
static_assert(kFixedCheck.litlen[0] ==
              (kExceptional | kEndOfBlock | (kHostLayout ? 7u : 31u) << 8 | 7));
static_assert(kFixedCheck.litlen[ReverseBits(0x30, 8)] ==
              (kLiteral | (kHostLayout ? kLitLenBits << 8 : 0) | 8));
static_assert(kFixedCheck.litlen[0x1ff] == (kLiteral | 255u << (kHostLayout ? 16 : 8) |
                                            (kHostLayout ? kLitLenBits << 8 : 0) | 9));
static_assert(kFixedCheck.dist[ReverseBits(29, 5)] ==
              (24577u << 16 | (kHostLayout ? 5u : 18u) << 8 | 18));
// Lengths 17-18 (symbol 268, 7-bit code 0001100, one extra bit).
static_assert(kHostLayout ||
              Value(kFixedCheck.litlen[ReverseBits(12, 7)]) +
                      ExtraValue(ReverseBits(12, 7) | 1u << 7,
                                 kFixedCheck.litlen[ReverseBits(12, 7)]) ==
                  18);
static_assert(CodeLength(kFixedCheck.dist[ReverseBits(29, 5)]) == 5 &&
              ExtraCount(kFixedCheck.dist[ReverseBits(29, 5)]) == 13);

// ---------------------------------------------------------------------------
// Bit input

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
  // zero. (The fast loop keeps a bit position instead, see DecodeFast().)
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

// ---------------------------------------------------------------------------
// Huffman blocks

// Fast-loop margins, derived from what one iteration can do.
//
// Input: the fast loop reads the stream through Peek(), a word load at the
// byte holding the current bit. Within one iteration (a symbol, or a pair
// of literals) the last Peek() starts at most 15 + 5 + 15 bits (a length
// code and its extra bits, a distance code: 5 bytes) after the iteration's
// first bit and reads sizeof(Word) <= 8 bytes, so 16 bytes of margin keep
// every load in bounds.
//
// Output: an iteration writes at most two literals or one match of at most
// 258 bytes, whose copy may run up to 2 * sizeof(Word) - 1 bytes past its
// end (see CopyMatchFast).
constexpr ptrdiff_t kInMargin = 16;
constexpr ptrdiff_t kOutMargin = 258 + 16;

// No symbol costs more than 16 input bits per output byte: a literal takes
// at most 15 bits for 1 byte, a match at most 15 + 5 + 15 + 13 = 48 bits
// for 3 or more bytes (a length code has extra bits only for lengths of 11
// and up). So the output a stretch of the fast loop produces bounds the
// input it consumes, and one comparison per iteration, `out < out_limit`,
// guards both buffers.
constexpr size_t kMaxInPerOut = 2;

// A literal/length code with its extra bits needs <= 15 + 5 = 20 bits, a
// distance code <= 15 by itself (its extra bits are read separately when a
// 32-bit word is too short: kLongDistance).
static_assert(kPeekBits >= 20);
// After a literal of up to 15 bits a whole root index is still valid, so
// the next symbol's root entry can come from the same word.
static_assert(kPeekBits - kMaxCodeLength >= kLitLenBits);

// The input bits from bit `pos` of `in` on, in the low bits of a word.
// Bits above kPeekBits are zero or valid input.
inline Word Peek(const uint8_t* in, size_t pos) {
  Word w;
  __builtin_memcpy(&w, in + pos / 8, sizeof w);
  return w >> (pos % 8);
}

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
[[gnu::always_inline]] inline InflateError DecodeFast(Inflater& s, const DecodeTables& t,
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
  constexpr uint32_t kRootMask = LowMask(kLitLenBits);

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
    // The bound lives in memory, and each pass of the loop below takes
    // its own copy: the literal loop keeps it in a register, while the
    // match path, which needs every register, can give that one up: a
    // load per match instead of spills (measured under TCG: the stage's
    // inflate and CRC of Debian's kernel in about a tenth less time).
    volatile uintptr_t stretch_limit = reinterpret_cast<uintptr_t>(out + stretch);

    for (;;) {
      uint8_t* const out_limit = reinterpret_cast<uint8_t*>(stretch_limit);
      if (out >= out_limit) break;
      Word w = Peek(in, pos);
      uint32_t e = t.litlen[w & kRootMask];
      while (e & kLiteral) {
        *out++ = static_cast<uint8_t>(LiteralByte(e));
        pos += TotalBits(e);
        // At least kPeekBits - 15 >= kLitLenBits bits are left in `w`: a
        // whole root index. A root literal takes no more bits than that,
        // so a second one is decoded from the same word.
        w >>= TotalBits(e);
        e = t.litlen[w & kRootMask];
        if (e & kLiteral) {
          *out++ = static_cast<uint8_t>(LiteralByte(e));
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
          e = t.litlen[Value(e) + ((w >> kLitLenBits) & LowMask(TotalBits(e)))];
          if (e & kLiteral) {
            *out++ = static_cast<uint8_t>(LiteralByte(e));
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
      if constexpr (kPeekBits >= 20 + 28) {
        w >>= TotalBits(e);
      } else {
        w = Peek(in, pos);
      }
      uint32_t d = t.dist[w & LowMask(kDistBits)];
      if (d & kExceptional) [[unlikely]] {
        if (d & kSubtable)
          d = t.dist[Value(d) + ((w >> kDistBits) & LowMask(TotalBits(d)))];
        if (d & kLongDistance) {
          // Its code and extra bits are longer than `w` holds: peek again
          // for the extra bits, and put them where ExtraValue() takes them.
          d &= ~kLongDistanceFlags;
          w = Peek(in, pos + CodeLength(d)) << CodeLength(d);
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

// The host's fast loop, for 64-bit words. On an out-of-order CPU what
// bounds a decoder is the chain from one symbol's table entry to the next
// one's, so this loop keeps that chain short:
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
//    payload); in a loop that did nothing else, each miss cost about 27
//    cycles on the AMD EPYC this was measured on. So before that branch,
//    the two entries that may follow are both looked up from the bits
//    past the symbol: the next litlen entry, in case it is a literal, and
//    the distance entry, in case it is a length. When the CPU has guessed
//    wrong, the loads it needs are already under way while it starts over
//    on the right path. This took the decode of a kernel about 6% faster;
//    the lookups cost one load more per symbol.
//  - Where the CPU has BMI and BMI2 (kBmi), the host's entry layout takes
//    a step off that chain: BEXTR extracts the root index past a literal
//    with the literal's entry as its control (RootIndexPast()), where a
//    shift and a mask took two dependent steps; BZHI extracts extra bits
//    (ExtraValueWide()).
//  - `bitsleft` counts in its low 6 bits only: an entry of a literal,
//    length or distance has its total bit count in its low 6 bits (flags
//    are clear there), so subtracting the whole entry is right mod 64.
//    The refill and the shifts use the count mod 64, as x86 does.
//    (kLongDistance, bit 5, is never set with 64-bit words.)
// Stage builds (32-bit words) use DecodeFast() above instead.
//
// Margins. Input: like DecodeFast(), one comparison per iteration, `out <
// out_limit`, guards both buffers (kMaxInPerOut). `in` runs ahead of the
// bits consumed by at most 8 bytes (the buffer), a refill loads 8 bytes at
// `in`, and an iteration consumes up to 6 bytes before its output is
// counted: 32 bytes of margin cover all of it.
constexpr ptrdiff_t kWideInMargin = 32;
// Output: a literal, or a match (CopyMatchWide() writes at most
// max(40, length + 15) bytes).
constexpr ptrdiff_t kWideOutMargin = 258 + 16;
static_assert(kWordSize < 8 || kPeekBits >= kMaxCodeLength + 13,
              "a 64-bit word holds every distance code with its extra bits");

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

// BMI's BZHI and BEXTR for DecodeFastWide(), which the host's entry
// layout is made for: one instruction each where the CPU has them (kBmi),
// and the same result from plain shifts where it does not. Inline
// assembly, as GCC makes a BZHI of the expression only sometimes, and a
// BEXTR never.

// The extra bits of a length or distance entry `e` (in the host's layout)
// from `saved`, the bit buffer as it was before the entry's bits were
// consumed: its low TotalBits(e) bits (BZHI takes the count from bits 0-7,
// whose flags are clear for a length or distance), shifted down by the
// code length (bits 8-15).
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
    return (bits >> (e & 63)) & LowMask(kLitLenBits);
  }
}

// The plain builds against RFC 1951 3.2.6, as for the stage's layout
// above: lengths 17-18 (symbol 268, 7-bit code 0001100, one extra bit),
// and the root index past literal 0 (8-bit code 00110000).
static_assert(!kHostLayout ||
              (kFixedCheck.litlen[ReverseBits(12, 7)] >> 16) +
                      ExtraValueWide<false>(ReverseBits(12, 7) | 1u << 7,
                                            kFixedCheck.litlen[ReverseBits(12, 7)]) ==
                  18);
static_assert(!kHostLayout ||
              RootIndexPast<false>(ReverseBits(0x30, 8) | 0x5a5u << 8,
                                   kFixedCheck.litlen[ReverseBits(0x30, 8)]) == 0x5a5);

template <bool kBmi>
[[gnu::always_inline]] inline InflateError DecodeFastWide(Inflater& s, const DecodeTables& t,
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
  constexpr uint32_t kRootMask = LowMask(kLitLenBits);

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
        *out++ = static_cast<uint8_t>(LiteralByte(e));
        e = next;
        refill();
        rest = bitbuf >> (e & 63);
        next = next2;
        d = dist[rest & LowMask(kDistBits)];
        continue;
      }
      if (e & kExceptional) [[unlikely]] {
        if (e & kSubtable) {
          e = litlen[Value(e) + ((bitbuf >> kLitLenBits) & LowMask(TotalBits(e)))];
          if (e & kLiteral) {
            consume(e);
            *out++ = static_cast<uint8_t>(LiteralByte(e));
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
      // Together with the early lookup above, this took the decode of a
      // kernel about 2.5% faster; either alone measured no faster.
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

// The careful loop: the same decoding with every input and output byte
// bounds-checked, for the rest of a block once a margin is reached. Near
// the end of input a lookup may index with appended zero bits; what counts
// is whether the bits it consumes were real, hence the Overrun() checks
// before any other verdict (Overrun() stays true once it is).
[[gnu::noinline]] InflateError DecodeCareful(Inflater& s, const Entry* litlen,
                                             const Entry* dist) {
  for (;;) {
    s.CarefulRefill();
    const uint32_t e = s.Lookup(litlen, kLitLenBits);
    if (e & kLiteral) {
      s.Consume(TotalBits(e));
      if (s.Overrun()) return InflateError::kTruncated;
      if (s.out == s.out_end) return InflateError::kOutputOverflow;
      *s.out++ = static_cast<uint8_t>(LiteralByte(e));
      continue;
    }
    s.Consume(CodeLength(e));
    if (s.Overrun()) return InflateError::kTruncated;
    if (e & kExceptional) {
      if (e & kEndOfBlock) return InflateError::kOk;
      return InflateError::kBadSymbol;
    }
    const uint32_t length = Value(e) + s.Bits(ExtraCount(e));

    s.CarefulRefill();
    uint32_t d = s.Lookup(dist, kDistBits);
    if (d & kLongDistance) d &= ~kLongDistanceFlags;  // Bits() reads the extra bits
    s.Consume(CodeLength(d));
    if (s.Overrun()) return InflateError::kTruncated;
    if (d & kExceptional) return InflateError::kBadSymbol;
    const uint32_t distance = Value(d) + s.Bits(ExtraCount(d));
    if (s.Overrun()) return InflateError::kTruncated;

    if (distance > static_cast<size_t>(s.out - s.out_begin))
      return InflateError::kDistanceTooFar;
    if (length > static_cast<size_t>(s.out_end - s.out))
      return InflateError::kOutputOverflow;
    const uint8_t* src = s.out - distance;
    for (uint32_t i = 0; i < length; ++i) s.out[i] = src[i];
    s.out += length;
  }
}

// The instruction-set extension a build of the decoder may use: SSE2 in
// the stage's InflateRawSse2(), BMI and BMI2 on a 64-bit host that has
// them (InflateRaw() picks).
enum class Extension : uint8_t { kNone, kSse2, kBmi };

// Decodes the symbols of one Huffman block, end-of-block included.
template <Extension kExtension>
[[gnu::always_inline]] inline InflateError DecodeHuffmanBlock(Inflater& s,
                                                              const DecodeTables& t) {
  bool block_ended;
  InflateError error;
  if constexpr (kWordSize == 8) {
    error = DecodeFastWide<kExtension == Extension::kBmi>(s, t, &block_ended);
  } else {
    error = DecodeFast<kExtension == Extension::kSse2>(s, t, &block_ended);
  }
  if (error != InflateError::kOk || block_ended) return error;
  return DecodeCareful(s, t.litlen, t.dist);
}

// Reads the code-length tables of a dynamic block (RFC 1951 3.2.7) and
// builds its decode tables.
[[gnu::noinline]] InflateError ReadDynamicTables(Inflater& s, DecodeTables& t) {
  const uint32_t header = s.Bits(14);
  const unsigned num_litlen = (header & 0x1f) + 257;
  const unsigned num_dist = ((header >> 5) & 0x1f) + 1;
  const unsigned num_precode = (header >> 10) + 4;
  if (s.Overrun()) return InflateError::kTruncated;
  // HLIT may say up to 288 and HDIST up to 32, but symbols 286-287 and
  // 30-31 can never be used; zlib rejects such headers, and so do we.
  if (num_litlen > 286 || num_dist > 30) return InflateError::kBadCodeLengths;

  uint8_t precode_lens[kNumPrecode] = {};
  for (unsigned i = 0; i < num_precode; ++i)
    precode_lens[kPrecodeOrder[i]] = static_cast<uint8_t>(s.Bits(3));
  if (s.Overrun()) return InflateError::kTruncated;

  Entry* const precode = t.dist;
  if (!BuildTable(precode, kPrecodeEnough, kPrecodeBits, precode_lens,
                  kNumPrecode, CodeKind::kPrecode))
    return InflateError::kBadCodeLengths;

  // Litlen and distance code lengths form one sequence: a repeat may run
  // from one into the other.
  uint8_t lens[286 + 30];
  const unsigned total = num_litlen + num_dist;
  for (unsigned i = 0; i < total;) {
    s.CarefulRefill();
    const uint32_t e = precode[s.buf & LowMask(kPrecodeBits)];
    s.Consume(TotalBits(e));
    if (s.Overrun()) return InflateError::kTruncated;
    const unsigned sym = Value(e);
    if (sym < 16) {
      lens[i++] = static_cast<uint8_t>(sym);
      continue;
    }
    uint8_t value = 0;
    unsigned repeat;
    if (sym == 16) {
      if (i == 0) return InflateError::kBadCodeLengths;
      value = lens[i - 1];
      repeat = 3 + s.Bits(2);
    } else if (sym == 17) {
      repeat = 3 + s.Bits(3);
    } else {
      repeat = 11 + s.Bits(7);
    }
    if (s.Overrun()) return InflateError::kTruncated;
    if (repeat > total - i) return InflateError::kBadCodeLengths;
    for (unsigned j = 0; j < repeat; ++j) lens[i++] = value;
  }

  // Without an end-of-block code the block could never end.
  if (lens[256] == 0) return InflateError::kBadCodeLengths;
  if (!BuildTable(t.litlen, kLitLenEnough, kLitLenBits, lens, num_litlen,
                  CodeKind::kLitLen) ||
      !BuildTable(t.dist, kDistEnough, kDistBits, lens + num_litlen, num_dist,
                  CodeKind::kDist))
    return InflateError::kBadCodeLengths;
  return InflateError::kOk;
}

// A stored block (RFC 1951 3.2.4): byte-aligned LEN, NLEN, then LEN bytes.
[[gnu::noinline]] InflateError CopyStoredBlock(Inflater& s) {
  s.Consume(s.count % 8);  // to the byte boundary
  const uint32_t len = s.Bits(16);
  const uint32_t nlen = s.Bits(16);
  if (s.Overrun()) return InflateError::kTruncated;
  if (len != (~nlen & 0xffff)) return InflateError::kBadStoredLength;

  // Hand the whole bytes still in the bit buffer back to the input, then
  // copy straight from it.
  s.next -= s.count / 8 - s.overrun;
  s.buf = 0;
  s.count = 0;
  s.overrun = 0;
  if (len > static_cast<size_t>(s.in_end - s.next))
    return InflateError::kTruncated;
  if (len > static_cast<size_t>(s.out_end - s.out))
    return InflateError::kOutputOverflow;
  // (An empty block, such as a flush marker, may come with a null `out`:
  // memcpy must not see it even for length 0.)
  if (len != 0) __builtin_memcpy(s.out, s.next, len);
  s.next += len;
  s.out += len;
  return InflateError::kOk;
}

template <Extension kExtension>
[[gnu::always_inline]] inline InflateResult Inflate(const uint8_t* in, size_t in_len, uint8_t* out,
                                                    size_t out_cap, InflateEnd end) {
  Inflater s = {in, in, in + in_len, out, out, out + out_cap, 0, 0, 0};
  DecodeTables tables;
  InflateError error = InflateError::kOk;
  for (;;) {
    // A block boundary with no input left: the normal end of a run of
    // flushed blocks, or a stream that lacks its final block.
    if (s.AtEndOfInput()) {
      if (end != InflateEnd::kEndOfInput) error = InflateError::kNoFinalBlock;
      break;
    }
    const uint32_t header = s.Bits(3);
    if (s.Overrun()) {
      error = InflateError::kTruncated;
      break;
    }
    const bool final = header & 1;
    if (final && end == InflateEnd::kEndOfInput) {
      error = InflateError::kUnexpectedFinal;
      break;
    }
    switch (header >> 1) {
      case 0:
        error = CopyStoredBlock(s);
        break;
      case 1:
        BuildFixedTables(tables);
        break;
      case 2:
        error = ReadDynamicTables(s, tables);
        break;
      default:
        error = InflateError::kBadBlockType;
        break;
    }
    // One call site, so that the decoder is inlined here and reaches the
    // tables through the stack pointer.
    if (error == InflateError::kOk && (header >> 1) != 0)
      error = DecodeHuffmanBlock<kExtension>(s, tables);
    if (error != InflateError::kOk || final) break;
  }
  size_t in_used = s.InUsed();
  if (in_used > in_len) in_used = in_len;  // only after kTruncated
  return {error, in_used, static_cast<size_t>(s.out - out)};
}

#if defined(__x86_64__) && __STDC_HOSTED__
// On a 64-bit host the decoder is built twice, and InflateRaw() picks the
// build for the CPU it runs on. With BMI2, shifts by a register count
// (shlx, shrx) take any register and leave the flags alone, and with BMI
// and BMI2 the host's entry layout lets BEXTR and BZHI take their counts
// straight from table entries, which shortens the chain from one symbol's
// entry to the next (RootIndexPast()). libdeflate likewise builds its
// decoder a second time for BMI2 and picks one at run time.
// Both out of line, so that InflateRaw() has no frame of its own: with
// one build inlined there, its decode tables took stack beside the other
// build's. Each starts a 64-byte line, so that where its loops fall
// against the lines the CPU fetches depends on its own code only (two
// copies of the same decoder at different places in one program have
// differed by 1.5% in speed).
[[gnu::noinline, gnu::aligned(64)]] InflateResult InflateRawPlain(
    const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, InflateEnd end) {
  return Inflate<Extension::kNone>(in, in_len, out, out_cap, end);
}

[[gnu::noinline, gnu::aligned(64), gnu::target("bmi,bmi2")]] InflateResult InflateRawBmi(
    const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, InflateEnd end) {
  return Inflate<Extension::kBmi>(in, in_len, out, out_cap, end);
}
#endif

}  // namespace

#if defined(__x86_64__) && __STDC_HOSTED__
InflateResult InflateRaw(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap,
                         InflateEnd end) {
  if (__builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2"))
    return InflateRawBmi(in, in_len, out, out_cap, end);
  return InflateRawPlain(in, in_len, out, out_cap, end);
}
#else
// In the stage: page-aligned, and kept well under a page (about 2 KiB;
// linker/stage.ld asserts that it fits one) by
// leaving the cold paths out of line: under QEMU's TCG a jump is chained
// straight to its target only within a guest page, and anything else goes
// through a lookup, which costs the fast loop a fifth of its time if it
// straddles a page boundary. (Loaders put the stage page-aligned:
// code32_start, or its PVH ELF's load address.) A section of its own, so
// that the alignment pads only before this function, not before the rest
// of this file's code.
[[gnu::aligned(4096), gnu::section(".text.inflate")]] InflateResult InflateRaw(
    const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, InflateEnd end) {
  return Inflate<Extension::kNone>(in, in_len, out, out_cap, end);
}
#endif

#if !defined(__x86_64__)
// Placed like InflateRaw() in the stage, in a page of its own.
[[gnu::aligned(4096), gnu::section(".text.inflate.sse2")]] InflateResult InflateRawSse2(
    const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, InflateEnd end) {
  return Inflate<Extension::kSse2>(in, in_len, out, out_cap, end);
}
#endif

const char* InflateErrorString(InflateError error) {
  switch (error) {
    case InflateError::kOk:
      return "ok";
    case InflateError::kTruncated:
      return "input ends inside a block";
    case InflateError::kBadBlockType:
      return "invalid block type";
    case InflateError::kBadStoredLength:
      return "stored block length does not match its complement";
    case InflateError::kBadCodeLengths:
      return "invalid code lengths";
    case InflateError::kBadSymbol:
      return "invalid literal/length or distance code";
    case InflateError::kDistanceTooFar:
      return "distance reaches before the start of the output";
    case InflateError::kOutputOverflow:
      return "output does not fit the buffer";
    case InflateError::kNoFinalBlock:
      return "input ends without a final block";
    case InflateError::kUnexpectedFinal:
      return "final block where more input was expected";
  }
  return "unknown error";
}

}  // namespace bzelf
