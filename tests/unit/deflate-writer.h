// A DEFLATE bit-stream writer for hand-made streams (RFC 1951), shared by
// the unit tests and the fuzz seeds: fields, Huffman codes, canonical codes
// from code lengths, dynamic block headers, and streams that exercise a
// decoder's rare paths.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bzelf::deflate_writer {

// Writes a DEFLATE bit stream: fields least-significant bit first, Huffman
// codes most-significant bit first (RFC 1951 3.1.1).
class BitWriter {
 public:
  void Put(uint32_t value, unsigned n) {
    for (unsigned i = 0; i < n; ++i) PutBit((value >> i) & 1);
  }
  void PutCode(uint32_t code, unsigned len) {
    for (unsigned i = len; i-- > 0;) PutBit((code >> i) & 1);
  }
  // RFC 1951 3.2.6 fixed codes.
  void FixedLitLen(unsigned sym) {
    if (sym < 144) PutCode(0x30 + sym, 8);
    else if (sym < 256) PutCode(0x190 + sym - 144, 9);
    else if (sym < 280) PutCode(sym - 256, 7);
    else PutCode(0xc0 + sym - 280, 8);
  }
  void FixedDist(unsigned sym) { PutCode(sym, 5); }
  std::vector<uint8_t> Finish() { return bytes_; }

 private:
  void PutBit(unsigned bit) {
    if (nbits_ % 8 == 0) bytes_.push_back(0);
    bytes_.back() |= static_cast<uint8_t>(bit << (nbits_ % 8));
    ++nbits_;
  }
  std::vector<uint8_t> bytes_;
  size_t nbits_ = 0;
};

// Canonical codes from code lengths (RFC 1951 3.2.2).
inline std::vector<uint32_t> CanonicalCodes(const std::vector<uint8_t>& lens) {
  unsigned count[16] = {}, next[16] = {};
  for (uint8_t l : lens) ++count[l];
  count[0] = 0;
  for (unsigned l = 1, code = 0; l < 16; ++l) next[l] = code = (code + count[l - 1]) << 1;
  std::vector<uint32_t> codes(lens.size());
  for (size_t i = 0; i < lens.size(); ++i)
    if (lens[i]) codes[i] = next[lens[i]]++;
  return codes;
}

// A dynamic block header sending `lens` (litlen then distance lengths) as
// precode symbols, without repeats unless `symbols` (precode symbol and
// extra-bits pairs) is given.
struct Precoded {
  unsigned sym;
  unsigned extra = 0;
};
constexpr unsigned kOrder[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

inline void PutDynamicHeader(BitWriter& w, bool final, unsigned hlit, unsigned hdist,
                      const std::vector<uint8_t>& precode_lens,
                      const std::vector<Precoded>& symbols) {
  w.Put(final, 1);
  w.Put(2, 2);
  w.Put(hlit - 257, 5);
  w.Put(hdist - 1, 5);
  w.Put(19 - 4, 4);
  for (unsigned i = 0; i < 19; ++i) w.Put(precode_lens[kOrder[i]], 3);
  std::vector<uint32_t> codes = CanonicalCodes(precode_lens);
  for (const Precoded& p : symbols) {
    w.PutCode(codes[p.sym], precode_lens[p.sym]);
    if (p.sym == 16) w.Put(p.extra, 2);
    if (p.sym == 17) w.Put(p.extra, 3);
    if (p.sym == 18) w.Put(p.extra, 7);
  }
}

// Precode: 0-15 with 4-bit codes, or (with `repeats`) 13-18 at 5 bits.
inline std::vector<uint8_t> SimplePrecode(bool repeats = false) {
  std::vector<uint8_t> p(19, 4);
  if (repeats) {
    p[13] = p[14] = p[15] = 5;  // 13 codes of 4 bits, 6 of 5: complete
    p[16] = p[17] = p[18] = 5;
  } else {
    p[16] = p[17] = p[18] = 0;
  }
  return p;
}

inline std::vector<Precoded> Literally(const std::vector<uint8_t>& lens) {
  std::vector<Precoded> v;
  for (uint8_t l : lens) v.push_back({l});
  return v;
}

// A stream and what it inflates to.
struct Sample {
  std::vector<uint8_t> stream;
  std::vector<uint8_t> output;
};

// A final dynamic block whose distance code gives every symbol with 11 or
// more extra bits (24-29, distances 4097 to 32768) a code long enough that
// code and extra bits take 26 to 28 bits: more than the 25 that one 32-bit
// load yields, so the stage's decoder reads their extra bits separately
// (kLongDistance in lib/inflate-table.h). The output is
// pseudo-random letters a-d, with such matches among them from 33 KiB on
// and up to the end of the block, so that a distance decoded wrong, or a
// bit consumed wrong, shows in the bytes that follow.
inline Sample LongDistanceSample() {
  // litlen: a, b, c 2 bits, d 3, end of block 4, lengths 3 (257) and 258
  // (285) 5 bits each: a complete code.
  std::vector<uint8_t> litlen(286, 0);
  litlen['a'] = litlen['b'] = litlen['c'] = 2;
  litlen['d'] = 3;
  litlen[256] = 4;
  litlen[257] = litlen[285] = 5;
  // distance: symbols 0-11 of 1 to 12 bits, then 24 and 25 of 15 bits
  // (+ 11 extra), 26 and 27 of 14 (+ 12), 28 and 29 of 15 (+ 13): a
  // complete code.
  std::vector<uint8_t> dist(30, 0);
  for (unsigned sym = 0; sym <= 11; ++sym) dist[sym] = static_cast<uint8_t>(sym + 1);
  dist[24] = dist[25] = 15;
  dist[26] = dist[27] = 14;
  dist[28] = dist[29] = 15;
  constexpr unsigned kFirst = 24;
  constexpr uint32_t kBase[6] = {4097, 6145, 8193, 12289, 16385, 24577};
  constexpr unsigned kExtra[6] = {11, 11, 12, 12, 13, 13};

  BitWriter w;
  std::vector<uint8_t> all(litlen);
  all.insert(all.end(), dist.begin(), dist.end());
  PutDynamicHeader(w, true, 286, 30, SimplePrecode(), Literally(all));
  const std::vector<uint32_t> lc = CanonicalCodes(litlen), dc = CanonicalCodes(dist);

  Sample sample;
  uint32_t state = 0x2545f491u;
  auto next = [&state] {  // xorshift32
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return state;
  };
  while (sample.output.size() < 60000) {
    const uint32_t r = next();
    if (sample.output.size() >= 33 * 1024 && r % 16 == 0) {
      const unsigned k = (r >> 4) % 6;
      const uint32_t extra = (r >> 8) & ((1u << kExtra[k]) - 1);
      const uint32_t distance = kBase[k] + extra;
      const unsigned length = (r >> 24) % 4 == 0 ? 258 : 3;
      const unsigned len_sym = length == 258 ? 285 : 257;
      w.PutCode(lc[len_sym], litlen[len_sym]);
      w.PutCode(dc[kFirst + k], dist[kFirst + k]);
      w.Put(extra, kExtra[k]);
      for (unsigned i = 0; i < length; ++i)
        sample.output.push_back(sample.output[sample.output.size() - distance]);
      continue;
    }
    const unsigned letter = 'a' + r % 4;
    w.PutCode(lc[letter], litlen[letter]);
    sample.output.push_back(static_cast<uint8_t>(letter));
  }
  w.PutCode(lc[256], litlen[256]);
  sample.stream = w.Finish();
  return sample;
}

}  // namespace bzelf::deflate_writer
