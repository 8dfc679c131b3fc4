// DEFLATE decoder: decode-table entries, and building the tables of a
// canonical Huffman code (RFC 1951 3.2.2) from its code lengths.
//
// Huffman codes are decoded through lookup tables: one root lookup per
// symbol, plus a subtable lookup for the rare codes longer than the root.
// An entry carries everything the decode loops need (the bits to consume,
// the literal byte or the length/distance base, the number of extra bits),
// so that no loop consults per-symbol side tables.
//
// One of the decoder's private headers (see inflate.cpp): each build of the
// decoder is one translation unit that includes them, so everything here
// has internal linkage.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace bzelf {
namespace {

// One 32-bit Entry per table slot:
//   bits  0-4   bits to consume: code length + extra bits; for a subtable
//               pointer, the number of index bits of that subtable
//   bit   5     kEndOfBlock in a litlen entry; kLongDistance in a distance
//               entry
//   bit   6     kSubtable: bits 16-30 hold the subtable's start index
//   bit   7     kExceptional: end of block, subtable pointer, long distance,
//               or a code that is not a valid symbol (litlen 286/287,
//               distance 30/31, or an unused slot of an incomplete code)
//   bits  8-15  laid out for the fast loop that reads them (a Layout, below)
//   bits 16-30  value: length base, distance base, precode symbol, or
//               subtable start (a literal's may hold its byte instead)
//   bit  31     kLiteral (so a literal is found with one sign test)
// Subtable entries hold the full code length, so resolving a long code never
// consumes the root bits separately.
using Entry = uint32_t;

constexpr uint32_t kLiteral = 0x80000000u;
constexpr uint32_t kExceptional = 0x80u;
constexpr uint32_t kSubtable = 0x40u;
constexpr uint32_t kEndOfBlock = 0x20u;
// A distance whose code and extra bits together are longer than the fast
// loop can look at from one load (Layout::kPeekBits): only in the stage,
// whose 32-bit word holds 25 bits, and only for distances over 4 KiB (11
// to 13 extra bits) with codes of 13 to 15 bits. The entry has
// kExceptional too, so the fast loop's one test for a rare entry catches
// it, and no distance costs a test of its length.
constexpr uint32_t kLongDistance = 0x20u;
constexpr uint32_t kLongDistanceFlags = kExceptional | kLongDistance;

// A Layout says where an entry keeps the byte of a literal and the number
// of extra bits: each fast loop has its own (StageLayout in inflate-fast.h,
// WideLayout in inflate-host.cpp), made for the instructions that read it.
// It provides
//   kLitLenBits                      root bits of the litlen table
//   kPeekBits                        bits the fast loop reads a distance
//                                    code and its extra bits from
//   MakeLiteral(byte, len)           a literal's entry
//   MakeEntry(flags_value, len, extra)  any other entry
//   LiteralByte(e), ExtraCount(e)    and back
constexpr unsigned TotalBits(uint32_t e) { return e & 0x1f; }
constexpr uint32_t Value(uint32_t e) { return (e >> 16) & 0x7fff; }
constexpr uint32_t LowMask(unsigned n) { return (uint32_t{1} << n) - 1; }
template <class Layout>
constexpr unsigned CodeLength(uint32_t e) {
  return TotalBits(e) - Layout::ExtraCount(e);
}

// Root table sizes. A bigger litlen root means fewer subtable lookups but a
// longer table build per block and more stack; each Layout picks its own.
// The sizes including subtables are the worst cases over all valid codes,
// computed with zlib's examples/enough.c ("enough 288 10 15" = 1334,
// "enough 288 11 15" = 2342, "enough 32 8 15" = 402, "enough 19 7 7" =
// 128), as quoted in libdeflate's deflate_decompress.c. BuildTable()
// still bounds-checks against them, so a wrong figure could only reject a
// stream, never overrun a table.
constexpr unsigned LitLenEnough(unsigned root_bits) {
  return root_bits == 10 ? 1334 : root_bits == 11 ? 2342 : 0;
}
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

enum class CodeKind : uint8_t { kPrecode, kLitLen, kDist };

// The entry of symbol `sym` with a code of `len` bits (extra bits + len <=
// 13 + 15 < 32).
template <class Layout>
constexpr Entry SymbolEntry(CodeKind kind, unsigned sym, unsigned len) {
  // Anything but a literal: value, extra bits, bits to consume.
  auto entry = [len](uint32_t flags_value, unsigned extra) {
    return Layout::MakeEntry(flags_value, len, extra);
  };
  switch (kind) {
    case CodeKind::kPrecode:
      return entry(sym << 16, 0);
    case CodeKind::kLitLen:
      if (sym < 256) return Layout::MakeLiteral(sym, len);
      if (sym == 256) return entry(kExceptional | kEndOfBlock, 0);
      if (sym < 286)
        return entry(uint32_t{kLengthBase[sym - 257]} << 16, kLengthExtra[sym - 257]);
      return entry(kExceptional, 0);
    case CodeKind::kDist:
      if (sym >= 30) return entry(kExceptional, 0);
      if (len + kDistExtra[sym] > Layout::kPeekBits)
        return entry(kLongDistanceFlags | uint32_t{kDistBase[sym]} << 16, kDistExtra[sym]);
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
template <class Layout>
constexpr bool BuildTable(Entry* table, unsigned capacity, unsigned root_bits,
                          const uint8_t* lens, unsigned num_syms, CodeKind kind) {
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
    // An unused slot of the incomplete code: decoding it is an error after
    // one bit (a code length of 1, no extra bits).
    for (unsigned i = 0; i < root_size; ++i) table[i] = Layout::MakeEntry(kExceptional, 1, 0);
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
    const Entry entry = SymbolEntry<Layout>(kind, sym, len);
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
// worst case. They live in the frame of the decoder's entry point, where
// the fast loop (inlined there) reaches them through the stack pointer and
// needs no register for them. For a dynamic block, the precode table lives
// in `dist` while the code lengths are read; the distance table is built
// after it is no longer used.
template <class Layout>
struct DecodeTables {
  static constexpr unsigned kLitLenEnough = LitLenEnough(Layout::kLitLenBits);
  static_assert(kLitLenEnough != 0, "no worst-case table size for this root");
  Entry litlen[kLitLenEnough];
  Entry dist[kDistEnough];
};
static_assert(kDistEnough >= kPrecodeEnough);

// The fixed code of RFC 1951 3.2.6. It is built into the block's tables
// at run time like a dynamic one (a fixed block is rare in a large stream),
// so that the fast loop finds every table in its own stack frame.
template <class Layout>
[[gnu::noinline]] constexpr void BuildFixedTables(DecodeTables<Layout>& t) {
  uint8_t lens[kNumLitLen + kNumDist] = {};
  for (unsigned i = 0; i < kNumLitLen; ++i)
    lens[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
  for (unsigned i = 0; i < kNumDist; ++i) lens[kNumLitLen + i] = 5;
  BuildTable<Layout>(t.litlen, t.kLitLenEnough, Layout::kLitLenBits, lens, kNumLitLen,
                     CodeKind::kLitLen);
  BuildTable<Layout>(t.dist, kDistEnough, kDistBits, lens + kNumLitLen, kNumDist,
                     CodeKind::kDist);
}

// The fixed tables at compile time, for each Layout's spot checks of the
// table builder against RFC 1951 3.2.6.
template <class Layout>
constexpr DecodeTables<Layout> MakeFixedTables() {
  DecodeTables<Layout> t{};
  BuildFixedTables(t);
  return t;
}

}  // namespace
}  // namespace bzelf
