// InflateRaw against zlib's deflate: every level and strategy, flushed
// regions decoded the way the stage does, and malformed streams.

#include "inflate.h"
#include "deflate-writer.h"

#include <gtest/gtest.h>
#include <pthread.h>
#include <zlib.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace bzelf {
namespace {

using Bytes = std::vector<uint8_t>;
using namespace deflate_writer;

// --- test data --------------------------------------------------------------

struct Rng {
  uint64_t state;
  uint64_t Next() {  // xorshift64*
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545f4914f6cdd1dull;
  }
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(Next() >> 32) % n; }
};

Bytes RandomBytes(size_t n, uint64_t seed) {
  Rng rng{seed};
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng.Next() >> 56);
  return b;
}

Bytes Text(size_t n, uint64_t seed) {
  static const char* const kWords[] = {
      "the ", "kernel ", "boot ", "stage ", "inflate ", "of ", "a ",
      "segment ", "memory ", "page ", "table ", "and ", "to ", "in ",
      "protocol ", "header ", "\n", "is ", "compressed ", "data "};
  Rng rng{seed};
  Bytes b;
  while (b.size() < n) {
    const char* w = kWords[rng.Below(20)];
    b.insert(b.end(), w, w + strlen(w));
  }
  b.resize(n);
  return b;
}

// Something like a kernel image: code-like bytes, text, zero runs, tables,
// and incompressible stretches.
Bytes Mixed(size_t n, uint64_t seed) {
  Rng rng{seed};
  Bytes b;
  while (b.size() < n) {
    size_t len = 1 + rng.Below(20000);
    switch (rng.Below(5)) {
      case 0: {
        Bytes t = Text(len, rng.Next());
        b.insert(b.end(), t.begin(), t.end());
        break;
      }
      case 1:
        b.insert(b.end(), len, static_cast<uint8_t>(rng.Below(3) ? 0 : 0xff));
        break;
      case 2: {
        Bytes r = RandomBytes(len, rng.Next());
        b.insert(b.end(), r.begin(), r.end());
        break;
      }
      case 3:  // repeating short patterns (distances 2..7 and beyond)
        for (size_t i = 0, period = 2 + rng.Below(12); i < len; ++i)
          b.push_back(static_cast<uint8_t>(i % period * 37));
        break;
      default:  // small integers with structure
        for (size_t i = 0; i < len; ++i)
          b.push_back(static_cast<uint8_t>((i * 4) ^ rng.Below(4)));
        break;
    }
  }
  b.resize(n);
  return b;
}

// --- zlib reference -----------------------------------------------------------

struct Deflated {
  Bytes data;
  std::vector<size_t> cuts;  // stream offsets after each full flush
};

// Raw DEFLATE (windowBits -15), with a Z_FULL_FLUSH after every
// `flush_every` input bytes if that is non-zero.
Deflated ZlibDeflate(const Bytes& in, int level, int strategy = Z_DEFAULT_STRATEGY,
                     size_t flush_every = 0) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, level, Z_DEFLATED, -15, 9, strategy), Z_OK);
  Deflated d;
  Bytes buf(1 << 16);
  size_t pos = 0;
  for (;;) {
    size_t chunk = flush_every ? flush_every : in.size();
    if (chunk > in.size() - pos) chunk = in.size() - pos;
    bool last = pos + chunk == in.size();
    z.next_in = const_cast<uint8_t*>(in.data() + pos);
    z.avail_in = static_cast<uInt>(chunk);
    int ret;
    do {
      z.next_out = buf.data();
      z.avail_out = static_cast<uInt>(buf.size());
      ret = deflate(&z, last ? Z_FINISH : Z_FULL_FLUSH);
      EXPECT_NE(ret, Z_STREAM_ERROR);
      d.data.insert(d.data.end(), buf.data(), z.next_out);
    } while (z.avail_out == 0 || (last && ret != Z_STREAM_END));
    pos += chunk;
    if (last) break;
    d.cuts.push_back(d.data.size());
  }
  deflateEnd(&z);
  return d;
}

// zlib's verdict on a raw stream: true and the output if it ends properly.
bool ZlibInflate(const Bytes& in, Bytes* out) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, -15), Z_OK);
  out->clear();
  Bytes buf(1 << 16);
  z.next_in = const_cast<uint8_t*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  int ret;
  do {
    z.next_out = buf.data();
    z.avail_out = static_cast<uInt>(buf.size());
    ret = inflate(&z, Z_NO_FLUSH);
    out->insert(out->end(), buf.data(), z.next_out);
  } while (ret == Z_OK && (z.avail_out == 0 || z.avail_in != 0));
  inflateEnd(&z);
  return ret == Z_STREAM_END;
}

// Decodes into an exactly sized heap buffer, so that AddressSanitizer
// catches any access past either end.
InflateResult Inflate(const Bytes& in, size_t out_cap, Bytes* out,
                      InflateEnd end = InflateEnd::kFinalBlock) {
  Bytes input(in);  // exact size, even if the caller's has slack
  out->assign(out_cap, 0xa5);
  InflateResult r = InflateRaw(input.data(), input.size(), out->data(), out_cap, end);
  EXPECT_LE(r.in_used, in.size());
  EXPECT_LE(r.out_used, out_cap);
  return r;
}

Bytes HexBytes(const char* hex) {
  Bytes b;
  for (const char* p = hex; *p;) {
    if (*p == ' ') {
      ++p;
      continue;
    }
    char* end;
    b.push_back(static_cast<uint8_t>(strtoul(p, &end, 16)));
    p = end;
  }
  return b;
}

void ExpectRoundTrip(const Bytes& data, int level, int strategy) {
  SCOPED_TRACE(testing::Message() << "size " << data.size() << " level " << level
                                  << " strategy " << strategy);
  Deflated d = ZlibDeflate(data, level, strategy);
  Bytes out;
  InflateResult r = Inflate(d.data, data.size(), &out);
  ASSERT_EQ(r.error, InflateError::kOk) << InflateErrorString(r.error);
  EXPECT_EQ(r.in_used, d.data.size());
  ASSERT_EQ(r.out_used, data.size());
  EXPECT_TRUE(out == data);

  // Spare output room is left alone by the result, and trailing input
  // (a gzip trailer) is not consumed.
  Bytes in2 = d.data;
  in2.insert(in2.end(), {1, 2, 3, 4, 5, 6, 7, 8});
  r = Inflate(in2, data.size() + 1000, &out);
  ASSERT_EQ(r.error, InflateError::kOk);
  EXPECT_EQ(r.in_used, d.data.size());
  EXPECT_EQ(r.out_used, data.size());
  EXPECT_TRUE(std::equal(data.begin(), data.end(), out.begin()));
}

// --- round trips --------------------------------------------------------------

class RoundTrip : public testing::TestWithParam<std::tuple<int, int>> {};

TEST_P(RoundTrip, VariedData) {
  auto [level, strategy] = GetParam();
  ExpectRoundTrip({}, level, strategy);
  ExpectRoundTrip({0x42}, level, strategy);
  ExpectRoundTrip(Text(100000, 1), level, strategy);
  ExpectRoundTrip(RandomBytes(100000, 2), level, strategy);
  ExpectRoundTrip(Bytes(300000, 0), level, strategy);
  ExpectRoundTrip(Mixed(200000, 3), level, strategy);
  for (size_t size : {32767, 32768, 32769, 65535, 65536, 65537, 65536 + 258})
    ExpectRoundTrip(Mixed(size, size), level, strategy);
  for (size_t size = 1; size < 600; size += 37) ExpectRoundTrip(Text(size, size), level, strategy);
}

// Level 0 writes stored blocks whatever the strategy.
INSTANTIATE_TEST_SUITE_P(ZlibStored, RoundTrip,
                         testing::Values(std::tuple{0, Z_DEFAULT_STRATEGY}));
INSTANTIATE_TEST_SUITE_P(Zlib, RoundTrip,
                         testing::Combine(testing::Values(1, 6, 9),
                                          testing::Values(Z_DEFAULT_STRATEGY, Z_FILTERED,
                                                          Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED)));

TEST(Inflate, SeveralMegabytes) {
  Bytes data = Mixed(6 << 20, 42);
  for (int level : {1, 9}) ExpectRoundTrip(data, level, Z_DEFAULT_STRATEGY);
}

// Long matches at the longest distances, and matches ending exactly where
// the output buffer does.
TEST(Inflate, FarMatches) {
  Bytes block = RandomBytes(32768, 7);
  Bytes data;
  for (int i = 0; i < 6; ++i) data.insert(data.end(), block.begin(), block.end());
  ExpectRoundTrip(data, 9, Z_DEFAULT_STRATEGY);
  ExpectRoundTrip(data, 1, Z_DEFAULT_STRATEGY);
}

// --- flushed regions: the stage's use -------------------------------------------

void ExpectRegions(const Bytes& data, int level, int strategy, size_t every) {
  SCOPED_TRACE(testing::Message() << "level " << level << " strategy " << strategy
                                  << " every " << every);
  Deflated d = ZlibDeflate(data, level, strategy, every);
  // Each region into a buffer of its own, sized exactly.
  size_t start = 0;
  for (size_t i = 0; i <= d.cuts.size(); ++i) {
    bool last = i == d.cuts.size();
    size_t stop = last ? d.data.size() : d.cuts[i];
    Bytes slice(d.data.begin() + static_cast<ptrdiff_t>(start),
                d.data.begin() + static_cast<ptrdiff_t>(stop));
    size_t out_off = i * every;
    size_t out_len = last ? data.size() - out_off : every;
    Bytes out;
    InflateResult r = Inflate(slice, out_len, &out,
                              last ? InflateEnd::kFinalBlock : InflateEnd::kEndOfInput);
    ASSERT_EQ(r.error, InflateError::kOk) << "region " << i << ": "
                                          << InflateErrorString(r.error);
    EXPECT_EQ(r.in_used, slice.size());
    ASSERT_EQ(r.out_used, out_len);
    ASSERT_TRUE(std::equal(out.begin(), out.end(), data.begin() + static_cast<ptrdiff_t>(out_off)));
    if (!last) {
      // The same region is not a whole stream...
      EXPECT_EQ(Inflate(slice, out_len, &out, InflateEnd::kFinalBlock).error,
                InflateError::kNoFinalBlock);
    } else if (!slice.empty()) {
      // ... and the last one is not a run of flushed blocks.
      EXPECT_EQ(Inflate(slice, out_len, &out, InflateEnd::kEndOfInput).error,
                InflateError::kUnexpectedFinal);
    }
    start = stop;
  }
  // The whole flushed stream at once.
  Bytes out;
  InflateResult r = Inflate(d.data, data.size(), &out);
  ASSERT_EQ(r.error, InflateError::kOk);
  EXPECT_EQ(r.in_used, d.data.size());
  EXPECT_TRUE(out == data);
}

TEST(Inflate, FlushedRegions) {
  Bytes data = Mixed(1 << 20, 9);
  for (int level : {0, 1, 6, 9}) {
    ExpectRegions(data, level, Z_DEFAULT_STRATEGY, 65536);
    ExpectRegions(data, level, Z_DEFAULT_STRATEGY, 10007);
  }
  for (int strategy : {Z_HUFFMAN_ONLY, Z_RLE, Z_FIXED})
    ExpectRegions(data, 6, strategy, 40000);
  ExpectRegions(Bytes(200000, 0), 9, Z_DEFAULT_STRATEGY, 4096);
  ExpectRegions(Text(1000, 3), 6, Z_DEFAULT_STRATEGY, 1);
}

TEST(Inflate, EmptyInput) {
  Bytes out;
  InflateResult r = Inflate({}, 0, &out, InflateEnd::kEndOfInput);
  EXPECT_EQ(r.error, InflateError::kOk);
  EXPECT_EQ(r.in_used, 0u);
  EXPECT_EQ(Inflate({}, 10, &out).error, InflateError::kNoFinalBlock);
  // The flush marker alone: an empty non-final stored block.
  r = Inflate({0x00, 0x00, 0x00, 0xff, 0xff}, 0, &out, InflateEnd::kEndOfInput);
  EXPECT_EQ(r.error, InflateError::kOk);
  EXPECT_EQ(r.in_used, 5u);
}

// --- hand-made streams ------------------------------------------------------------

// A final dynamic block with the given litlen/distance lengths, followed
// by the litlen `symbols` (no matches) coded with them.
Bytes DynamicBlock(const std::vector<uint8_t>& litlen, const std::vector<uint8_t>& dist,
                   const std::vector<unsigned>& symbols) {
  BitWriter w;
  std::vector<uint8_t> all(litlen);
  all.insert(all.end(), dist.begin(), dist.end());
  PutDynamicHeader(w, true, static_cast<unsigned>(litlen.size()),
                   static_cast<unsigned>(dist.size()), SimplePrecode(), Literally(all));
  std::vector<uint32_t> codes = CanonicalCodes(litlen);
  for (unsigned sym : symbols) w.PutCode(codes[sym], litlen[sym]);
  return w.Finish();
}

TEST(Inflate, StoredBlock) {
  Bytes out;
  // BFINAL stored, LEN 3, NLEN ~3, "abc".
  InflateResult r = Inflate({0x01, 0x03, 0x00, 0xfc, 0xff, 'a', 'b', 'c'}, 3, &out);
  ASSERT_EQ(r.error, InflateError::kOk);
  EXPECT_EQ(r.in_used, 8u);
  EXPECT_EQ(std::string(out.begin(), out.end()), "abc");
  EXPECT_EQ(Inflate({0x01, 0x03, 0x00, 0xfd, 0xff, 'a', 'b', 'c'}, 3, &out).error,
            InflateError::kBadStoredLength);
  EXPECT_EQ(Inflate({0x01, 0x03, 0x00, 0xfc, 0xff, 'a', 'b', 'c'}, 2, &out).error,
            InflateError::kOutputOverflow);
  EXPECT_EQ(Inflate({0x01, 0x03, 0x00, 0xfc, 0xff, 'a', 'b'}, 3, &out).error,
            InflateError::kTruncated);
}

TEST(Inflate, BadBlockType) {
  Bytes out;
  EXPECT_EQ(Inflate({0x07, 0, 0, 0}, 10, &out).error, InflateError::kBadBlockType);
  EXPECT_EQ(Inflate({0x06}, 10, &out, InflateEnd::kEndOfInput).error,
            InflateError::kBadBlockType);
}

TEST(Inflate, FixedBlockSymbols) {
  // 'a', then a match of length 3 at distance 1: "aaaa".
  BitWriter w;
  w.Put(1, 1);
  w.Put(1, 2);
  w.FixedLitLen('a');
  w.FixedLitLen(257);
  w.FixedDist(0);
  w.FixedLitLen(256);
  Bytes out;
  InflateResult r = Inflate(w.Finish(), 4, &out);
  ASSERT_EQ(r.error, InflateError::kOk);
  EXPECT_EQ(std::string(out.begin(), out.end()), "aaaa");

  for (unsigned bad : {286u, 287u}) {
    BitWriter b;
    b.Put(1, 1);
    b.Put(1, 2);
    b.FixedLitLen('a');
    b.FixedLitLen(bad);
    b.FixedLitLen(256);
    EXPECT_EQ(Inflate(b.Finish(), 100, &out).error, InflateError::kBadSymbol) << bad;
  }
  for (unsigned bad : {30u, 31u}) {
    BitWriter b;
    b.Put(1, 1);
    b.Put(1, 2);
    b.FixedLitLen('a');
    b.FixedLitLen(257);
    b.FixedDist(bad);
    b.FixedLitLen(256);
    EXPECT_EQ(Inflate(b.Finish(), 100, &out).error, InflateError::kBadSymbol) << bad;
  }
}

// A fixed block of `prefix` literals and then one match.
Bytes FixedMatch(size_t prefix, unsigned dist_sym, unsigned dist_extra, unsigned dist_bits) {
  BitWriter w;
  w.Put(1, 1);
  w.Put(1, 2);
  for (size_t i = 0; i < prefix; ++i) w.FixedLitLen('a' + i % 26);
  w.FixedLitLen(257);  // length 3
  w.FixedDist(dist_sym);
  w.Put(dist_extra, dist_bits);
  w.FixedLitLen(256);
  return w.Finish();
}

// RFC 1951 3.2.5 in reverse: the symbol and extra bits for a length or a
// distance.
struct Coded {
  unsigned sym, extra, bits;
};
Coded LengthCode(unsigned length) {
  if (length == 258) return {285, 0, 0};
  unsigned base = 3, sym = 257;
  for (unsigned bits = 0;; ++bits) {
    for (unsigned i = 0; i < (bits == 0 ? 8u : 4u); ++i, ++sym, base += 1u << bits)
      if (length < base + (1u << bits)) return {sym, length - base, bits};
  }
}
Coded DistanceCode(unsigned distance) {
  unsigned base = 1, sym = 0;
  for (unsigned bits = 0;; ++bits) {
    for (unsigned i = 0; i < (bits == 0 ? 4u : 2u); ++i, ++sym, base += 1u << bits)
      if (distance < base + (1u << bits)) return {sym, distance - base, bits};
  }
}

// Every distance from 1 to 40 (overlapping copies of every period, and
// word copies) with every length, each once with room behind it (the fast
// loop, whose copies run in word steps past the match) and once ending
// the output (the careful loop, into an exactly sized buffer).
TEST(Inflate, EveryShortMatch) {
  ASSERT_EQ(LengthCode(3).sym, 257u);
  ASSERT_EQ(LengthCode(227).sym, 284u);
  ASSERT_EQ(LengthCode(257).extra, 30u);
  ASSERT_EQ(DistanceCode(5).sym, 4u);
  ASSERT_EQ(DistanceCode(32768).extra, 8191u);
  for (unsigned distance = 1; distance <= 40; ++distance) {
    for (unsigned length = 3; length <= 258; ++length) {
      for (size_t tail : {size_t{0}, size_t{300}}) {
        BitWriter w;
        w.Put(1, 1);
        w.Put(1, 2);
        std::string expect;
        for (unsigned i = 0; i < distance + 5; ++i) {
          char c = static_cast<char>('A' + (i * 7) % 53);
          w.FixedLitLen(static_cast<uint8_t>(c));
          expect += c;
        }
        Coded l = LengthCode(length), d = DistanceCode(distance);
        w.FixedLitLen(l.sym);
        w.Put(l.extra, l.bits);
        w.FixedDist(d.sym);
        w.Put(d.extra, d.bits);
        for (unsigned i = 0; i < length; ++i) expect += expect[expect.size() - distance];
        for (size_t i = 0; i < tail; ++i) {
          w.FixedLitLen('0' + i % 10);
          expect += static_cast<char>('0' + i % 10);
        }
        w.FixedLitLen(256);
        Bytes out;
        InflateResult r = Inflate(w.Finish(), expect.size(), &out);
        ASSERT_EQ(r.error, InflateError::kOk) << distance << " " << length << " " << tail;
        ASSERT_TRUE(std::string(out.begin(), out.end()) == expect)
            << distance << " " << length << " " << tail;
      }
    }
  }
}

// Where the fast loop stops (at either margin, or between two literals) it
// must leave the stream where it was, and a length code after a literal
// must not be read from a bit window that the literal has shortened. Units
// of a literal with the longest code a root table entry holds (10 bits in
// the stage's table, 11 in the 64-bit host's: both are run) and a match of
// 257 bytes with a 15-bit length code and 5 extra bits,
// then a tail of short literals whose count moves the output margin
// through every phase of them; decoded into exactly sized buffers, with
// trailing input bytes: none or a few (the input margin stops the fast
// loop, repeatedly as it resumes) or many (only the output margin does).
TEST(Inflate, FastLoopStopPoints) {
  // 'a' to 'm' with 1- to 13-bit codes, end of block 14, 'z' and length
  // symbol 284 (227 + 5 extra bits) 15: a complete code. Distances 1 and
  // 4, one bit each.
  std::vector<uint8_t> litlen(286, 0);
  const unsigned syms[] = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i',
                           'j', 'k', 'l', 'm', 256, 'z', 284};
  for (unsigned i = 0; i < 16; ++i) litlen[syms[i]] = static_cast<uint8_t>(i < 15 ? i + 1 : 15);
  std::vector<uint8_t> dist(30, 0);
  dist[0] = dist[3] = 1;
  std::vector<uint32_t> lc = CanonicalCodes(litlen), dc = CanonicalCodes(dist);
  std::vector<uint8_t> all(litlen);
  all.insert(all.end(), dist.begin(), dist.end());
  for (unsigned unit_literal : {'j', 'k'}) {
    for (unsigned units : {1u, 3u, 40u}) {
      for (unsigned tail = 0; tail < 270; ++tail) {
        BitWriter v;
        PutDynamicHeader(v, true, 286, 30, SimplePrecode(), Literally(all));
        std::string expect;
        auto literal = [&](unsigned s) {
          v.PutCode(lc[s], litlen[s]);
          expect += static_cast<char>(s);
        };
        for (unsigned s : {'a', 'b', 'c', 'd'}) literal(s);
        for (unsigned u = 0; u < units; ++u) {
          literal(unit_literal);
          v.PutCode(lc[284], 15);
          v.Put(30, 5);  // length 257
          v.PutCode(dc[3], 1);
          for (int i = 0; i < 257; ++i) expect += expect[expect.size() - 4];
        }
        for (unsigned i = 0; i < tail; ++i) literal("abjz"[i % 4]);
        v.PutCode(lc[256], litlen[256]);
        Bytes in = v.Finish();
        for (size_t trailing : {size_t{0}, size_t{tail % 37}, 2 * expect.size() + 64}) {
          Bytes in2(in);
          in2.resize(in.size() + trailing, 0x5a);
          Bytes out;
          InflateResult r = Inflate(in2, expect.size(), &out);
          ASSERT_EQ(r.error, InflateError::kOk)
              << unit_literal << " " << units << " " << tail << " " << trailing;
          EXPECT_EQ(r.in_used, in.size());
          ASSERT_TRUE(std::string(out.begin(), out.end()) == expect)
              << unit_literal << " " << units << " " << tail << " " << trailing;
        }
      }
    }
  }
}

TEST(Inflate, DistanceTooFar) {
  Bytes out;
  EXPECT_EQ(Inflate(FixedMatch(0, 0, 0, 0), 100, &out).error, InflateError::kDistanceTooFar);
  EXPECT_EQ(Inflate(FixedMatch(1, 1, 0, 0), 100, &out).error, InflateError::kDistanceTooFar);
  EXPECT_EQ(Inflate(FixedMatch(2, 1, 0, 0), 100, &out).error, InflateError::kOk);
  // Distance 32768 (symbol 29, extra 8191), one byte short and exactly
  // reachable; long enough to run in the fast loop.
  EXPECT_EQ(Inflate(FixedMatch(32767, 29, 8191, 13), 40000, &out).error,
            InflateError::kDistanceTooFar);
  InflateResult r = Inflate(FixedMatch(32768, 29, 8191, 13), 40000, &out);
  EXPECT_EQ(r.error, InflateError::kOk);
  EXPECT_EQ(r.out_used, 32771u);
  EXPECT_EQ(out[32768], 'a');
}

// Distance codes whose code and extra bits take 26 to 28 bits, zlib
// agreeing on the sample, decoded with room to spare (the fast loop) and
// into an exact buffer (the careful loop for the last matches). This is the
// host's decoder; the stage's, for which these are kLongDistance entries,
// meets the same stream as fuzz seeds in replay-inflate-32
// (tests/fuzz/make-seeds.cpp).
TEST(Inflate, LongDistanceCodes) {
  const Sample sample = LongDistanceSample();
  Bytes zlib_out;
  ASSERT_TRUE(ZlibInflate(sample.stream, &zlib_out));
  ASSERT_TRUE(zlib_out == sample.output);
  for (size_t cap : {sample.output.size() + 1000, sample.output.size()}) {
    Bytes out;
    InflateResult r = Inflate(sample.stream, cap, &out);
    ASSERT_EQ(r.error, InflateError::kOk) << cap;
    EXPECT_EQ(r.in_used, sample.stream.size());
    ASSERT_EQ(r.out_used, sample.output.size());
    out.resize(r.out_used);
    EXPECT_TRUE(out == sample.output) << cap;
  }
}

TEST(Inflate, OutputTooSmall) {
  Bytes data = Mixed(300000, 5);
  for (int level : {0, 1, 9}) {
    Deflated d = ZlibDeflate(data, level);
    for (size_t cap : {size_t{0}, size_t{1}, size_t{1000}, data.size() / 2,
                       data.size() - 300, data.size() - 1}) {
      Bytes out;
      InflateResult r = Inflate(d.data, cap, &out);
      EXPECT_EQ(r.error, InflateError::kOutputOverflow) << "level " << level << " cap " << cap;
      EXPECT_TRUE(std::equal(out.begin(), out.begin() + static_cast<ptrdiff_t>(r.out_used),
                             data.begin()));
    }
  }
  // Every capacity of a small stream.
  Bytes small = Text(700, 3);
  Deflated d = ZlibDeflate(small, 9);
  for (size_t cap = 0; cap < small.size(); ++cap) {
    Bytes out;
    EXPECT_EQ(Inflate(d.data, cap, &out).error, InflateError::kOutputOverflow) << cap;
  }
}

TEST(Inflate, TruncatedAtEveryLength) {
  struct Case {
    Bytes data;
    Deflated d;
  };
  std::vector<Case> cases;
  for (auto [data, level, strategy] :
       {std::tuple{Text(3000, 1), 9, Z_DEFAULT_STRATEGY},  // dynamic
        std::tuple{Text(3000, 1), 6, Z_FIXED},             // fixed
        std::tuple{RandomBytes(500, 1), 0, Z_DEFAULT_STRATEGY},  // stored
        std::tuple{Mixed(30000, 4), 6, Z_DEFAULT_STRATEGY}}) {   // several blocks
    cases.push_back({data, ZlibDeflate(data, level, strategy)});
  }
  for (const Case& c : cases) {
    const Bytes& s = c.d.data;
    for (size_t len = 0; len < s.size(); ++len) {
      Bytes prefix(s.begin(), s.begin() + static_cast<ptrdiff_t>(len));
      Bytes out;
      InflateResult r = Inflate(prefix, c.data.size(), &out);
      EXPECT_TRUE(r.error == InflateError::kTruncated || r.error == InflateError::kNoFinalBlock)
          << "length " << len << " of " << s.size() << ": " << InflateErrorString(r.error);
      // As a run of flushed blocks, a prefix is only acceptable if it ends
      // at a block boundary; then what it gives is a prefix of the data.
      r = Inflate(prefix, c.data.size(), &out, InflateEnd::kEndOfInput);
      if (r.error == InflateError::kOk) {
        EXPECT_EQ(r.in_used, len);
        EXPECT_TRUE(std::equal(out.begin(), out.begin() + static_cast<ptrdiff_t>(r.out_used),
                               c.data.begin()));
      }
    }
  }
}

TEST(Inflate, DynamicCodeLengthSets) {
  Bytes out;
  // Litlen: 'a' and EOB at 1 bit; distance: one 1-bit code. Valid.
  std::vector<uint8_t> litlen(257, 0);
  litlen['a'] = 1;
  litlen[256] = 1;
  EXPECT_EQ(Inflate(DynamicBlock(litlen, {1}, {'a', 256}), 10, &out).error,
            InflateError::kOk);
  EXPECT_EQ(out[0], 'a');
  // No distance codes at all: a literal-only block is fine...
  EXPECT_EQ(Inflate(DynamicBlock(litlen, {0}, {'a', 256}), 10, &out).error,
            InflateError::kOk);
  // ... and so is a single 1-bit litlen code (end of block only).
  std::vector<uint8_t> eob_only(257, 0);
  eob_only[256] = 1;
  EXPECT_EQ(Inflate(DynamicBlock(eob_only, {1}, {256}), 10, &out).error,
            InflateError::kOk);

  // Over-subscribed litlen: three 1-bit codes.
  std::vector<uint8_t> over = litlen;
  over['b'] = 1;
  EXPECT_EQ(Inflate(DynamicBlock(over, {1}, {}), 10, &out).error,
            InflateError::kBadCodeLengths);
  // Incomplete litlen: two 2-bit codes.
  std::vector<uint8_t> incomplete(257, 0);
  incomplete['a'] = 2;
  incomplete[256] = 2;
  EXPECT_EQ(Inflate(DynamicBlock(incomplete, {1}, {}), 10, &out).error,
            InflateError::kBadCodeLengths);
  // A single litlen code that is not 1 bit long.
  std::vector<uint8_t> single2(257, 0);
  single2[256] = 2;
  EXPECT_EQ(Inflate(DynamicBlock(single2, {1}, {}), 10, &out).error,
            InflateError::kBadCodeLengths);
  // Incomplete distance code with two codes.
  EXPECT_EQ(Inflate(DynamicBlock(litlen, {2, 2}, {}), 10, &out).error,
            InflateError::kBadCodeLengths);
  // Over-subscribed distance code.
  EXPECT_EQ(Inflate(DynamicBlock(litlen, {1, 1, 1}, {}), 10, &out).error,
            InflateError::kBadCodeLengths);
  // No end-of-block code.
  std::vector<uint8_t> no_eob(257, 0);
  no_eob['a'] = 1;
  no_eob['b'] = 1;
  EXPECT_EQ(Inflate(DynamicBlock(no_eob, {1}, {}), 10, &out).error,
            InflateError::kBadCodeLengths);
  // Distance symbol with no code in a single-code table.
  std::vector<uint8_t> with_len(258, 0);
  with_len['a'] = 1;
  with_len[256] = 2;
  with_len[257] = 2;
  BitWriter w;
  std::vector<uint8_t> all(with_len);
  all.push_back(1);  // distance 0 only, code "0"
  PutDynamicHeader(w, true, 258, 1, SimplePrecode(), Literally(all));
  w.PutCode(0, 1);     // 'a'
  w.PutCode(3, 2);     // 257 (codes: 'a'=0, 256=10, 257=11)
  w.PutCode(1, 1);     // unused distance code
  w.Put(0, 8);
  EXPECT_EQ(Inflate(w.Finish(), 10, &out).error, InflateError::kBadSymbol);
}

TEST(Inflate, PrecodeAndRepeats) {
  Bytes out;
  std::vector<uint8_t> pre = SimplePrecode(true);
  auto header = [&](const std::vector<Precoded>& syms, unsigned hlit, unsigned hdist) {
    BitWriter w;
    PutDynamicHeader(w, true, hlit, hdist, pre, syms);
    w.PutCode(0, 1);  // 'a'
    w.PutCode(1, 1);  // EOB
    return w.Finish();
  };
  // 97 zeros (18: 11 + 86), 'a' = 1, 138 zeros (18: 11 + 127), 10 zeros
  // (17: 3 + 7), 4 more (16: repeat the last, 3 + 1), 6 zeros (17: 3 + 3):
  // 256 entries; then end-of-block = 1 and one distance length 1.
  std::vector<Precoded> good = {{18, 86}, {1}, {18, 127}, {17, 7}, {16, 1}, {17, 3}, {1}, {1}};
  InflateResult r = Inflate(header(good, 257, 1), 10, &out);
  ASSERT_EQ(r.error, InflateError::kOk) << InflateErrorString(r.error);
  EXPECT_EQ(out[0], 'a');

  // Repeat of the previous length with no previous length.
  EXPECT_EQ(Inflate(header({{16, 0}}, 257, 1), 10, &out).error, InflateError::kBadCodeLengths);
  // A repeat running past HLIT + HDIST.
  EXPECT_EQ(Inflate(header({{18, 127}, {18, 127}, {18, 127}}, 257, 1), 10, &out).error,
            InflateError::kBadCodeLengths);
  // A repeat may cross from the litlen into the distance lengths: HLIT 258
  // with 257 = 0, then "three zeros" covers 257 and distances 0 and 1.
  std::vector<Precoded> cross = {{18, 86}, {1}, {18, 127}, {17, 7}, {16, 1}, {17, 3},
                                 {1}, {17, 0}, {1}};
  r = Inflate(header(cross, 258, 3), 10, &out);
  EXPECT_EQ(r.error, InflateError::kOk) << InflateErrorString(r.error);

  // Over-subscribed and incomplete precodes.
  std::vector<uint8_t> over(19, 4);
  over[16] = over[17] = over[18] = 4;
  BitWriter w1;
  PutDynamicHeader(w1, true, 257, 1, over, {});
  EXPECT_EQ(Inflate(w1.Finish(), 10, &out).error, InflateError::kBadCodeLengths);
  std::vector<uint8_t> incomplete(19, 0);
  incomplete[1] = 1;
  BitWriter w2;
  PutDynamicHeader(w2, true, 257, 1, incomplete, {});
  EXPECT_EQ(Inflate(w2.Finish(), 10, &out).error, InflateError::kBadCodeLengths);

  // HLIT 287/288, HDIST 31/32: more symbols than exist.
  for (auto [hlit, hdist] : {std::pair{287u, 1u}, {288u, 1u}, {257u, 31u}, {257u, 32u}}) {
    BitWriter w;
    PutDynamicHeader(w, true, hlit, hdist, SimplePrecode(), {});
    EXPECT_EQ(Inflate(w.Finish(), 10, &out).error, InflateError::kBadCodeLengths)
        << hlit << " " << hdist;
  }
}

// Codes of the maximum length 15, through litlen and distance subtables.
TEST(Inflate, LongCodes) {
  std::vector<uint8_t> litlen(286, 0);
  // Lengths 1, 2, ..., 14, 15, 15: a complete code over 16 symbols.
  std::vector<unsigned> syms = {'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h',
                                'i', 'j', 'k', 'l', 'm', 256, 285, 'z'};
  for (unsigned i = 0; i < syms.size(); ++i)
    litlen[syms[i]] = static_cast<uint8_t>(i < 15 ? i + 1 : 15);
  std::vector<uint8_t> dist(30, 0);
  for (unsigned i = 0; i < 15; ++i) dist[i] = static_cast<uint8_t>(i + 1);
  dist[29] = 15;
  std::vector<uint32_t> lc = CanonicalCodes(litlen), dc = CanonicalCodes(dist);
  std::vector<uint8_t> all(litlen);
  all.insert(all.end(), dist.begin(), dist.end());

  // Literals with 1- to 15-bit codes, 258-byte matches at distance 4
  // (symbol 3, 4 bits), and once there is enough output, at 24577 + x
  // (symbol 29: a 15-bit code and 13 extra bits).
  BitWriter v;
  PutDynamicHeader(v, true, 286, 30, SimplePrecode(), Literally(all));
  std::string expect;
  Rng rng{5};
  while (expect.size() < 60000) {
    unsigned pick = rng.Below(4);
    if (pick < 2 || expect.size() < 4) {
      unsigned s = syms[rng.Below(13)];
      if (rng.Below(2)) s = 'z';
      v.PutCode(lc[s], litlen[s]);
      expect += static_cast<char>(s);
    } else if (pick == 2) {
      v.PutCode(lc[285], 15);
      v.PutCode(dc[3], 4);
      for (int i = 0; i < 258; ++i) expect += expect[expect.size() - 4];
    } else if (expect.size() > 30000) {
      unsigned extra = rng.Below(5000);
      size_t d = 24577 + extra;
      v.PutCode(lc[285], 15);
      v.PutCode(dc[29], 15);
      v.Put(extra, 13);
      for (int i = 0; i < 258; ++i) expect += expect[expect.size() - d];
    }
  }
  v.PutCode(lc[256], litlen[256]);
  Bytes out;
  InflateResult r = Inflate(v.Finish(), expect.size(), &out);
  ASSERT_EQ(r.error, InflateError::kOk) << InflateErrorString(r.error);
  EXPECT_TRUE(std::string(out.begin(), out.end()) == expect);
}

// Vectors from zlib's test/infcover.c (cover_inflate() and cover_fast()),
// raw DEFLATE, with the message zlib gives for each.
TEST(Inflate, ZlibInfcoverVectors) {
  struct Vector {
    const char* hex;
    InflateError error;
    const char* zlib_message;
  };
  const Vector vectors[] = {
      {"0 0 0 0 0", InflateError::kBadStoredLength, "invalid stored block lengths"},
      {"6", InflateError::kBadBlockType, "invalid block type"},
      {"fc 0 0", InflateError::kBadCodeLengths, "too many length or distance symbols"},
      {"4 0 fe ff", InflateError::kBadCodeLengths, "invalid code lengths set"},
      {"4 0 24 49 0", InflateError::kBadCodeLengths, "invalid bit length repeat"},
      {"4 0 24 e9 ff ff", InflateError::kBadCodeLengths, "invalid bit length repeat"},
      {"4 0 24 e9 ff 6d", InflateError::kBadCodeLengths, "invalid code -- missing end-of-block"},
      {"4 80 49 92 24 49 92 24 71 ff ff 93 11 0", InflateError::kBadCodeLengths,
       "invalid literal/lengths set"},
      {"4 80 49 92 24 49 92 24 f b4 ff ff c3 84", InflateError::kBadCodeLengths,
       "invalid distances set"},
      {"4 c0 81 8 0 0 0 0 20 7f eb b 0 0", InflateError::kBadSymbol,
       "invalid literal/length code"},
      {"2 7e ff ff", InflateError::kBadSymbol, "invalid distance code"},
      {"c c0 81 0 0 0 0 0 90 ff 6b 4 0", InflateError::kDistanceTooFar,
       "invalid distance too far back"},
      {"3 7e 0 0 0 0 0", InflateError::kBadSymbol, "fast invalid distance code"},
      {"1b 7 0 0 0 0 0", InflateError::kBadSymbol, "fast invalid literal/length code"},
  };
  for (const Vector& v : vectors) {
    Bytes out;
    EXPECT_EQ(Inflate(HexBytes(v.hex), 1024, &out).error, v.error) << v.zlib_message;
    Bytes z;
    EXPECT_FALSE(ZlibInflate(HexBytes(v.hex), &z)) << v.zlib_message;
  }
  // Valid streams from the same file: the output must be zlib's.
  const char* const valid[] = {
      "3 0",
      "1 1 0 fe ff 0",
      "5 c0 21 d 0 0 0 80 b0 fe 6d 2f 91 6c",
      "5 e0 81 91 24 cb b2 2c 49 e2 f 2e 8b 9a 47 56 9f fb fe ec d2 ff 1f",
      "ed c0 1 1 0 0 0 40 20 ff 57 1b 42 2c 4f",
      "ed cf c1 b1 2c 47 10 c4 30 fa 6f 35 1d 1 82 59 3d fb be 2e 2a fc f c",
      "ed c0 81 0 0 0 0 80 a0 fd a9 17 a9 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 "
      "0 0 0 0 0 0 0 6",
      "2 8 20 80 0 3 0",
  };
  for (const char* hex : valid) {
    Bytes in = HexBytes(hex), z, out;
    bool zlib_ok = ZlibInflate(in, &z);
    InflateResult r = Inflate(in, 1 << 20, &out);
    EXPECT_EQ(r.error == InflateError::kOk, zlib_ok) << hex << ": " << InflateErrorString(r.error);
    if (zlib_ok) {
      out.resize(r.out_used);
      EXPECT_TRUE(out == z) << hex;
    }
  }
}

// Differential fuzzing: random corruptions of valid streams, and random
// bytes, must get the same verdict and output as from zlib.
TEST(Inflate, AgreesWithZlibOnCorruptStreams) {
  std::vector<Bytes> seeds = {
      ZlibDeflate(Text(5000, 1), 9).data,
      ZlibDeflate(Mixed(20000, 2), 6).data,
      ZlibDeflate(Text(2000, 3), 6, Z_FIXED).data,
      ZlibDeflate(Mixed(3000, 4), 6, Z_RLE).data,
  };
  Rng rng{99};
  int checked = 0;
  for (int iter = 0; iter < 6000; ++iter) {
    Bytes in;
    if (iter % 4 == 3) {
      in = RandomBytes(1 + rng.Below(64), rng.Next());
    } else {
      in = seeds[rng.Below(static_cast<uint32_t>(seeds.size()))];
      for (unsigned flips = 1 + rng.Below(3); flips > 0; --flips)
        in[rng.Below(static_cast<uint32_t>(in.size()))] ^= static_cast<uint8_t>(1 << rng.Below(8));
    }
    Bytes z, out;
    bool zlib_ok = ZlibInflate(in, &z);
    InflateResult r = Inflate(in, 1 << 18, &out);
    if (zlib_ok && z.size() > (1u << 18)) continue;
    ++checked;
    ASSERT_EQ(r.error == InflateError::kOk, zlib_ok)
        << "iteration " << iter << ": " << InflateErrorString(r.error);
    if (zlib_ok) {
      out.resize(r.out_used);
      ASSERT_TRUE(out == z) << "iteration " << iter;
    }
  }
  EXPECT_GT(checked, 5000);
}

// The stack a thread takes to run `body`: it runs on a stack of our own,
// painted first, and the bytes no longer painted are counted. This
// includes the thread's own start-up (and glibc keeps its thread
// descriptor at the top of a stack it is given), so compare two bodies.
size_t StackTaken(void* (*body)(void*), void* arg) {
  constexpr size_t kSize = 256 * 1024;
  constexpr uint8_t kPaint = 0xa5;
  void* const stack = aligned_alloc(4096, kSize);
  memset(stack, kPaint, kSize);
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstack(&attr, stack, kSize);
  pthread_t thread;
  const int created = pthread_create(&thread, &attr, body, arg);
  EXPECT_EQ(created, 0);
  if (created == 0) pthread_join(thread, nullptr);
  pthread_attr_destroy(&attr);
  const uint8_t* const bytes = static_cast<const uint8_t*>(stack);
  size_t untouched = 0;
  while (untouched < kSize && bytes[untouched] == kPaint) ++untouched;
  free(stack);
  return kSize - untouched;
}

struct InflateCall {
  Bytes in;
  Bytes out;
  InflateResult result;
};

void* RunInflate(void* arg) {
  auto* call = static_cast<InflateCall*>(arg);
  call->result = InflateRaw(call->in.data(), call->in.size(), call->out.data(),
                            call->out.size(), InflateEnd::kFinalBlock);
  return nullptr;
}

[[gnu::noinline]] void* RunNothing(void* arg) {
  asm volatile("" : : "r"(arg) : "memory");
  return nullptr;
}

// inflate.h: under 13 KiB of stack on a 64-bit host (in the stage, the
// linker script bounds it). Dynamic blocks, so that every table is built.
TEST(Inflate, StackUse) {
  const Bytes data = Mixed(1 << 20, 77);
  InflateCall call{ZlibDeflate(data, 9).data, Bytes(data.size()), {}};
  const size_t with = StackTaken(RunInflate, &call);
  const size_t without = StackTaken(RunNothing, nullptr);
  ASSERT_EQ(call.result.error, InflateError::kOk);
  EXPECT_TRUE(call.out == data);
  EXPECT_GT(with, without);
  EXPECT_LT(with - without, 13u * 1024) << with << " bytes against " << without;
}

TEST(Inflate, ErrorStrings) {
  for (int e = 0; e <= static_cast<int>(InflateError::kUnexpectedFinal); ++e)
    EXPECT_STRNE(InflateErrorString(static_cast<InflateError>(e)), "unknown error") << e;
}

}  // namespace
}  // namespace bzelf
