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
//    kInMargin input bytes and kOutMargin output bytes remain, and so can
//    refill the bit buffer with one unaligned word load and copy matches in
//    8-byte steps without bounds checks; the rest of the block goes through
//    a careful loop that checks every byte it reads and writes.
//  - Block headers and code-length tables are always read carefully: they
//    are a tiny fraction of the work.
//
// Only <stddef.h>/<stdint.h>: no library, no heap, no global constructors,
// no pointer tables (the stage is position-independent and does no
// relocation processing). Working memory is stack: about 8.5 KiB at the
// deepest (the dynamic tables plus BuildTable()'s frame).

#include "inflate.h"

namespace bzelf {
namespace {

// The refill below loads a little-endian word; this code runs on x86 only.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian only");

// ---------------------------------------------------------------------------
// Decode table entries
//
// One uint32_t per entry:
//   bits  0-4   bits to consume: code length + extra bits; for a subtable
//               pointer, the number of index bits of that subtable
//   bits  8-11  code length (the extra bits start above it)
//   bit  13     kEndOfBlock
//   bit  14     kSubtable: bits 16-30 hold the subtable's start index
//   bit  15     kExceptional: end of block, subtable pointer, or a code that
//               is not a valid symbol (litlen 286/287, distance 30/31, or an
//               unused slot of an incomplete code)
//   bits 16-30  value: literal byte, length base, distance base, precode
//               symbol, or subtable start
//   bit  31     kLiteral (so a literal is found with one sign test)
// Subtable entries hold the full code length, so resolving a long code never
// consumes the root bits separately.

constexpr uint32_t kLiteral = 0x80000000u;
constexpr uint32_t kExceptional = 0x8000u;
constexpr uint32_t kSubtable = 0x4000u;
constexpr uint32_t kEndOfBlock = 0x2000u;

constexpr unsigned TotalBits(uint32_t e) { return e & 0x1f; }
constexpr unsigned CodeLength(uint32_t e) { return (e >> 8) & 0xf; }
constexpr uint32_t Value(uint32_t e) { return (e >> 16) & 0x7fff; }
constexpr uint32_t LowMask(unsigned n) { return (uint32_t{1} << n) - 1; }

// An unused slot of an incomplete code (one length-1 code, or no code at
// all): decoding it is an error after one bit.
constexpr uint32_t kUnusedEntry = kExceptional | (1u << 8) | 1u;

// Root table sizes. A bigger litlen root means fewer subtable lookups but a
// longer table build per block and more stack; 10 bits covers nearly all
// codes of real streams. The sizes including subtables are the worst cases
// over all valid codes, computed with zlib's examples/enough.c
// ("enough 288 10 15" = 1334, "enough 32 8 15" = 402, "enough 19 7 7" =
// 128), as quoted in libdeflate's deflate_decompress.c. BuildTable() still
// bounds-checks against them, so a wrong figure could only reject a stream,
// never overrun a table.
constexpr unsigned kLitLenBits = 10;
constexpr unsigned kLitLenEnough = 1334;
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

// The part of an entry that depends on the symbol only; BuildTable() adds
// the code length to bits 0-4 and 8-11 (extra bits + length <= 28 < 32).
constexpr uint32_t SymbolEntry(CodeKind kind, unsigned sym) {
  switch (kind) {
    case CodeKind::kPrecode:
      return sym << 16;
    case CodeKind::kLitLen:
      if (sym < 256) return kLiteral | sym << 16;
      if (sym == 256) return kExceptional | kEndOfBlock;
      if (sym < 286)
        return uint32_t{kLengthBase[sym - 257]} << 16 | kLengthExtra[sym - 257];
      return kExceptional;
    case CodeKind::kDist:
      if (sym < 30) return uint32_t{kDistBase[sym]} << 16 | kDistExtra[sym];
      return kExceptional;
  }
  return kExceptional;
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
constexpr bool BuildTable(uint32_t* table, unsigned capacity,
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
    const uint32_t entry = SymbolEntry(kind, sym) + (len << 8) + len;
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

// The fixed code of RFC 1951 3.2.6, built at compile time into .rodata.
struct FixedTables {
  uint32_t litlen[1u << kLitLenBits];
  uint32_t dist[1u << kDistBits];
};

constexpr FixedTables MakeFixedTables() {
  FixedTables t{};
  uint8_t lens[kNumLitLen + kNumDist] = {};
  for (unsigned i = 0; i < kNumLitLen; ++i)
    lens[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
  for (unsigned i = 0; i < kNumDist; ++i) lens[kNumLitLen + i] = 5;
  BuildTable(t.litlen, 1u << kLitLenBits, kLitLenBits, lens, kNumLitLen,
             CodeKind::kLitLen);
  BuildTable(t.dist, 1u << kDistBits, kDistBits, lens + kNumLitLen, kNumDist,
             CodeKind::kDist);
  return t;
}

constexpr FixedTables kFixed = MakeFixedTables();

// Spot checks against RFC 1951 3.2.6: 7-bit 0000000 is end of block,
// 8-bit 00110000 is literal 0, 9-bit 111111111 is literal 255.
static_assert(kFixed.litlen[0] == (kExceptional | kEndOfBlock | 7u << 8 | 7));
static_assert(kFixed.litlen[ReverseBits(0x30, 8)] == (kLiteral | 8u << 8 | 8));
static_assert(kFixed.litlen[0x1ff] == (kLiteral | 255u << 16 | 9u << 8 | 9));

// Dynamic-block tables. The precode table lives in `dist` while the code
// lengths are read; the distance table is built after it is no longer used.
struct DynamicTables {
  uint32_t litlen[kLitLenEnough];
  uint32_t dist[kDistEnough];
};
static_assert(kDistEnough >= kPrecodeEnough);

// ---------------------------------------------------------------------------
// Bit input

// A machine word: 64 bits on the host, 32 in the stage, where a 64-bit
// buffer would live in a register pair on a register-starved i686.
using BitBuf = uintptr_t;
constexpr unsigned kBitBufBits = sizeof(BitBuf) * 8;

// Fast-loop refill guarantee: at least kBitBufBits - 8 valid bits
// (56 or 24). A litlen code with its extra bits needs <= 15 + 5 = 20, a
// distance code with its extra bits <= 15 + 13 = 28.
constexpr unsigned kRefillBits = kBitBufBits - 8;
static_assert(kRefillBits >= 20);

struct Inflater {
  const uint8_t* in_begin;
  const uint8_t* next;  // next input byte not yet in `buf`
  const uint8_t* in_end;
  uint8_t* out_begin;
  uint8_t* out;
  uint8_t* out_end;

  // Bits [0, count) of buf are the next input bits. Bits above `count` are
  // zero or the input bits that follow (the fast refill loads whole words),
  // so every read masks what it takes.
  BitBuf buf;
  unsigned count;
  // Zero bytes appended past in_end by CarefulRefill(), so that a lookup
  // near the end can always index a full table; the input was truncated iff
  // any of them are consumed.
  unsigned overrun;

  // Leaves kBitBufBits - 8 to kBitBufBits - 1 bits, as the fast refill
  // does (a full 64 would make its shift by `count` undefined).
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

  // Table lookup with subtable resolution; consumes nothing.
  uint32_t Lookup(const uint32_t* table, unsigned root_bits) const {
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

// Fast-loop margins. Input: one iteration refills at most three times (a
// 32-bit buffer refills between the symbols of a match), each load reads
// sizeof(BitBuf) bytes and advances at most sizeof(BitBuf) - 1, so 3 * 8
// bytes is more than enough. Output: an iteration writes at most two
// literals or one match of at most 258 bytes, and the copy's 8-byte steps
// overshoot by at most 7 (or write 16 bytes for a length-3 match).
constexpr ptrdiff_t kInMargin = 3 * 8;
constexpr ptrdiff_t kOutMargin = 258 + 8;

inline void Copy8(uint8_t* dst, const uint8_t* src) {
  uint64_t w;
  __builtin_memcpy(&w, src, 8);
  __builtin_memcpy(dst, &w, 8);
}

// Copies a match of `length` (3..258) bytes from `distance` back, given room
// for the overshoot described above. Overlap is the point of LZ77 (distance
// 1 repeats one byte), so 8-byte steps are used only where each step reads
// bytes already written: distance >= 8, in order.
inline void CopyMatchFast(uint8_t* out, uint32_t distance, uint32_t length) {
  const uint8_t* src = out - distance;
  uint8_t* const stop = out + length;
  if (distance >= 8) {
    // Most matches are short: two unconditional steps cover up to 16 bytes
    // without a loop branch to mispredict.
    Copy8(out, src);
    Copy8(out + 8, src + 8);
    if (length > 16) {
      out += 16;
      src += 16;
      do {
        Copy8(out, src);
        out += 8;
        src += 8;
      } while (out < stop);
    }
  } else if (distance == 1) {
    // Runs of one byte (zeroed kernel data) are the most common overlap.
    const uintptr_t w = *src * (~uintptr_t{0} / 0xff);
    do {
      __builtin_memcpy(out, &w, sizeof w);
      out += sizeof w;
    } while (out < stop);
  } else {
    // Periods 2-7. Byte i of the match equals byte i - k * distance as soon
    // as i >= (k - 1) * distance; with k * distance >= 8 that holds from
    // byte 7 on. So copy 8 bytes one at a time, then 8-byte steps from
    // k * distance back.
    for (int i = 0; i < 8; ++i) out[i] = src[i];
    if (length > 8) {
      // k * distance, the smallest multiple >= 8 (no division in here).
      constexpr uint8_t kPeriod[8] = {0, 0, 8, 9, 8, 10, 12, 14};
      src = out + 8 - kPeriod[distance];
      out += 8;
      do {
        Copy8(out, src);
        out += 8;
        src += 8;
      } while (out < stop);
    }
  }
}

// The fast loop: decodes symbols of a Huffman block while the margins
// hold. Returns an error, or kOk with `*block_ended` telling whether it
// stopped at end-of-block or at a margin.
InflateError DecodeFast(Inflater& s, const uint32_t* litlen,
                        const uint32_t* dist, bool* block_ended) {
  // The state lives in locals so that it stays in registers.
  const uint8_t* next = s.next;
  BitBuf buf = s.buf;
  unsigned count = s.count;
  uint8_t* out = s.out;
  uint8_t* const out_begin = s.out_begin;

  // The loop runs while next < in_limit and out < out_limit; a limit equal
  // to the starting pointer keeps it from running at all.
  const uint8_t* const in_limit =
      s.in_end - next > kInMargin ? s.in_end - kInMargin : next;
  uint8_t* const out_limit =
      s.out_end - out > kOutMargin ? s.out_end - kOutMargin : out;

  // Branch-free refill: OR in a whole word above the valid bits and advance
  // over the bytes that fitted entirely. This leaves 56-63 (24-31) valid
  // bits; the partial byte on top is loaded again next time, at its right
  // position, so the OR is idempotent.
  auto refill = [&] {
    BitBuf w;
    __builtin_memcpy(&w, next, sizeof w);
    buf |= w << count;
    next += (kBitBufBits - 1 - count) / 8;
    count |= kRefillBits;
  };
  auto consume = [&](unsigned n) {
    buf >>= n;
    count -= n;
  };
  auto root_entry = [&] { return litlen[buf & LowMask(kLitLenBits)]; };

  // Each iteration starts with at least kRefillBits valid bits and the next
  // litlen root entry already loaded, so that the load overlaps the
  // previous iteration's work (the match copy, mostly).
  InflateError error = InflateError::kOk;
  *block_ended = false;
  if (next < in_limit) refill();
  uint32_t e = root_entry();
  while (next < in_limit && out < out_limit) {
    if (e & kSubtable) [[unlikely]]
      e = litlen[Value(e) + ((buf >> kLitLenBits) & LowMask(TotalBits(e)))];
    if (e & kLiteral) {
      consume(TotalBits(e));
      *out++ = static_cast<uint8_t>(e >> 16);
      e = root_entry();
      // A 64-bit buffer still holds >= 56 - 15 bits: enough for a second
      // literal without a refill.
      if (kRefillBits >= 2 * kMaxCodeLength && (e & kLiteral)) {
        consume(TotalBits(e));
        *out++ = static_cast<uint8_t>(e >> 16);
        e = root_entry();
      }
      refill();  // `e` stays valid: a refill only adds bits on top
      continue;
    }
    if (e & kExceptional) [[unlikely]] {
      if (e & kEndOfBlock) {
        consume(TotalBits(e));
        *block_ended = true;
      } else {
        error = InflateError::kBadSymbol;
      }
      break;
    }
    // Length: the extra bits sit just above the code.
    const uint32_t length =
        Value(e) + ((static_cast<uint32_t>(buf) & LowMask(TotalBits(e))) >>
                    CodeLength(e));
    consume(TotalBits(e));

    if constexpr (kRefillBits < 20 + 15) refill();
    uint32_t d = dist[buf & LowMask(kDistBits)];
    if (d & kExceptional) [[unlikely]] {
      if (d & kSubtable)
        d = dist[Value(d) + ((buf >> kDistBits) & LowMask(TotalBits(d)))];
      if (d & kExceptional) {
        error = InflateError::kBadSymbol;
        break;
      }
    }
    uint32_t distance;
    if (kRefillBits < 20 + 28 && TotalBits(d) > count) [[unlikely]] {
      // 32-bit buffer: a long code with many extra bits; refill between.
      consume(CodeLength(d));
      refill();
      const unsigned extra = TotalBits(d) - CodeLength(d);
      distance = Value(d) + (static_cast<uint32_t>(buf) & LowMask(extra));
      consume(extra);
    } else {
      distance = Value(d) + ((static_cast<uint32_t>(buf) &
                              LowMask(TotalBits(d))) >> CodeLength(d));
      consume(TotalBits(d));
    }
    refill();
    e = root_entry();
    if (distance > static_cast<size_t>(out - out_begin)) [[unlikely]] {
      error = InflateError::kDistanceTooFar;
      break;
    }
    CopyMatchFast(out, distance, length);
    out += length;
  }

  s.next = next;
  s.buf = buf;
  s.count = count;
  s.out = out;
  return error;
}

// The careful loop: the same decoding with every input and output byte
// bounds-checked, for the rest of a block once a margin is reached. Near
// the end of input a lookup may index with appended zero bits; what counts
// is whether the bits it consumes were real, hence the Overrun() checks
// before any other verdict (Overrun() stays true once it is).
InflateError DecodeCareful(Inflater& s, const uint32_t* litlen,
                           const uint32_t* dist) {
  for (;;) {
    s.CarefulRefill();
    const uint32_t e = s.Lookup(litlen, kLitLenBits);
    s.Consume(CodeLength(e));
    if (s.Overrun()) return InflateError::kTruncated;
    if (e & kLiteral) {
      if (s.out == s.out_end) return InflateError::kOutputOverflow;
      *s.out++ = static_cast<uint8_t>(e >> 16);
      continue;
    }
    if (e & kExceptional) {
      if (e & kEndOfBlock) return InflateError::kOk;
      return InflateError::kBadSymbol;
    }
    const uint32_t length = Value(e) + s.Bits(TotalBits(e) - CodeLength(e));

    s.CarefulRefill();
    const uint32_t d = s.Lookup(dist, kDistBits);
    s.Consume(CodeLength(d));
    if (s.Overrun()) return InflateError::kTruncated;
    if (d & kExceptional) return InflateError::kBadSymbol;
    const uint32_t distance = Value(d) + s.Bits(TotalBits(d) - CodeLength(d));
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

// Decodes the symbols of one Huffman block, end-of-block included.
InflateError DecodeHuffmanBlock(Inflater& s, const uint32_t* litlen,
                                const uint32_t* dist) {
  bool block_ended;
  const InflateError error = DecodeFast(s, litlen, dist, &block_ended);
  if (error != InflateError::kOk || block_ended) return error;
  return DecodeCareful(s, litlen, dist);
}

// Reads the code-length tables of a dynamic block (RFC 1951 3.2.7) and
// builds its decode tables.
InflateError ReadDynamicTables(Inflater& s, DynamicTables& t) {
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

  uint32_t* const precode = t.dist;
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
InflateError CopyStoredBlock(Inflater& s) {
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

}  // namespace

InflateResult InflateRaw(const uint8_t* in, size_t in_len, uint8_t* out,
                         size_t out_cap, InflateEnd end) {
  Inflater s = {in, in, in + in_len, out, out, out + out_cap, 0, 0, 0};
  DynamicTables tables;
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
        error = DecodeHuffmanBlock(s, kFixed.litlen, kFixed.dist);
        break;
      case 2:
        error = ReadDynamicTables(s, tables);
        if (error == InflateError::kOk)
          error = DecodeHuffmanBlock(s, tables.litlen, tables.dist);
        break;
      default:
        error = InflateError::kBadBlockType;
        break;
    }
    if (error != InflateError::kOk || final) break;
  }
  size_t in_used = s.InUsed();
  if (in_used > in_len) in_used = in_len;  // only after kTruncated
  return {error, in_used, static_cast<size_t>(s.out - out)};
}

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
