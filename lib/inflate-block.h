// DEFLATE decoder: the block loop. Reads each block's header; copies a
// stored block; builds the tables of a fixed or dynamic Huffman block and
// decodes its symbols, first with the fast loop of the build, then with
// the careful loop for the rest of the block, where the fast loop's margins
// no longer hold. Block headers and code-length tables are always read
// carefully: they are a tiny fraction of the work.
//
// One of the decoder's private headers (see inflate.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "inflate-bits.h"
#include "inflate-table.h"
#include "inflate.h"

namespace bzelf {
namespace {

// A fast loop (DecodeFast() in the stage, DecodeFastWide() on a 64-bit
// host): decodes symbols of a Huffman block while its margins hold.
// Returns an error, or kOk with `*block_ended` telling whether it stopped
// at end-of-block or at a margin.
template <class Layout>
using FastLoop = InflateError (*)(Inflater& s, const DecodeTables<Layout>& t,
                                  bool* block_ended);

// The careful loop: the same decoding with every input and output byte
// bounds-checked, for the rest of a block once a margin is reached. Near
// the end of input a lookup may index with appended zero bits; what counts
// is whether the bits it consumes were real, hence the Overrun() checks
// before any other verdict (Overrun() stays true once it is).
template <class Layout>
[[gnu::noinline]] InflateError DecodeCareful(Inflater& s, const Entry* litlen,
                                             const Entry* dist) {
  for (;;) {
    s.CarefulRefill();
    const uint32_t e = s.Lookup(litlen, Layout::kLitLenBits);
    if (e & kLiteral) {
      s.Consume(TotalBits(e));
      if (s.Overrun()) return InflateError::kTruncated;
      if (s.out == s.out_end) return InflateError::kOutputOverflow;
      *s.out++ = static_cast<uint8_t>(Layout::LiteralByte(e));
      continue;
    }
    s.Consume(CodeLength<Layout>(e));
    if (s.Overrun()) return InflateError::kTruncated;
    if (e & kExceptional) {
      if (e & kEndOfBlock) return InflateError::kOk;
      return InflateError::kBadSymbol;
    }
    const uint32_t length = Value(e) + s.Bits(Layout::ExtraCount(e));

    s.CarefulRefill();
    uint32_t d = s.Lookup(dist, kDistBits);
    if (d & kLongDistance) d &= ~kLongDistanceFlags;  // Bits() reads the extra bits
    s.Consume(CodeLength<Layout>(d));
    if (s.Overrun()) return InflateError::kTruncated;
    if (d & kExceptional) return InflateError::kBadSymbol;
    const uint32_t distance = Value(d) + s.Bits(Layout::ExtraCount(d));
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
template <class Layout, FastLoop<Layout> kFastLoop>
[[gnu::always_inline]] inline InflateError DecodeHuffmanBlock(Inflater& s,
                                                              const DecodeTables<Layout>& t) {
  bool block_ended;
  const InflateError error = kFastLoop(s, t, &block_ended);
  if (error != InflateError::kOk || block_ended) return error;
  return DecodeCareful<Layout>(s, t.litlen, t.dist);
}

// RFC 1951 3.2.7: the order in which code length code lengths are sent.
constexpr uint8_t kPrecodeOrder[kNumPrecode] = {16, 17, 18, 0, 8,  7, 9,
                                                6,  10, 5,  11, 4, 12, 3,
                                                13, 2,  14, 1,  15};

// Reads the code-length tables of a dynamic block (RFC 1951 3.2.7) and
// builds its decode tables.
template <class Layout>
[[gnu::noinline]] InflateError ReadDynamicTables(Inflater& s, DecodeTables<Layout>& t) {
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
  if (!BuildTable<Layout>(precode, kPrecodeEnough, kPrecodeBits, precode_lens, kNumPrecode,
                          CodeKind::kPrecode))
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
  if (!BuildTable<Layout>(t.litlen, t.kLitLenEnough, Layout::kLitLenBits, lens, num_litlen,
                          CodeKind::kLitLen) ||
      !BuildTable<Layout>(t.dist, kDistEnough, kDistBits, lens + num_litlen, num_dist,
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

// The whole of InflateRaw() (inflate.h), for one Layout and its fast loop.
template <class Layout, FastLoop<Layout> kFastLoop>
[[gnu::always_inline]] inline InflateResult Inflate(const uint8_t* in, size_t in_len, uint8_t* out,
                                                    size_t out_cap, InflateEnd end) {
  Inflater s = {in, in, in + in_len, out, out, out + out_cap, 0, 0, 0};
  DecodeTables<Layout> tables;
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
      error = DecodeHuffmanBlock<Layout, kFastLoop>(s, tables);
    if (error != InflateError::kOk || final) break;
  }
  size_t in_used = s.InUsed();
  if (in_used > in_len) in_used = in_len;  // only after kTruncated
  return {error, in_used, static_cast<size_t>(s.out - out)};
}

}  // namespace
}  // namespace bzelf
