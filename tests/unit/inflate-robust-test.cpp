// Invalid and borderline streams from the test suites of zlib and puff,
// as byte strings with the outcome each source gives, against InflateRaw
// and ParseGzipMember. inflate-test.cpp already has zlib's
// test/infcover.c cover_inflate() vectors and two of cover_fast(); these
// are the rest: puff's coverage vectors, the remaining cover_fast() and
// cover_support() streams, and the gzip framing vectors of cover_wrap(),
// then every prefix and bit flip of the valid ones.
#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "crc32.h"
#include "gzip.h"
#include "inflate.h"

namespace bzelf {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes HexBytes(const char* hex) {
  Bytes b;
  for (const char* p = hex; *p;) {
    if (*p == ' ') {
      ++p;
      continue;
    }
    char* end;
    b.push_back(static_cast<uint8_t>(std::strtoul(p, &end, 16)));
    p = end;
  }
  return b;
}

// Into an exactly sized heap buffer, so that AddressSanitizer sees any
// access past either end (inputs too are copied to their exact size).
InflateResult Inflate(const Bytes& in, size_t out_cap, Bytes* out) {
  Bytes input(in);
  out->assign(out_cap, 0);
  InflateResult r = InflateRaw(input.data(), input.size(), out->data(), out_cap,
                               InflateEnd::kFinalBlock);
  EXPECT_LE(r.in_used, in.size());
  EXPECT_LE(r.out_used, out_cap);
  return r;
}

// zlib's raw inflate with a full 32 KiB window: Z_STREAM_END or not, and
// what it wrote.
bool ZlibInflate(const Bytes& in, Bytes* out) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, -15), Z_OK);
  out->assign(1 << 16, 0);
  z.next_in = const_cast<uint8_t*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = out->data();
  z.avail_out = static_cast<uInt>(out->size());
  int ret = inflate(&z, Z_FINISH);
  out->resize(z.total_out);
  inflateEnd(&z);
  return ret == Z_STREAM_END;
}

// Puff's return codes (contrib/puff/puff.c, puff()) and ours.
InflateError FromPuff(int code) {
  switch (code) {
    case 2: return InflateError::kTruncated;        // input did not terminate
    case 1: return InflateError::kOutputOverflow;   // output space exhausted
    case 0: return InflateError::kOk;
    case -1: return InflateError::kBadBlockType;
    case -2: return InflateError::kBadStoredLength;
    case -10: return InflateError::kBadSymbol;
    case -11: return InflateError::kDistanceTooFar;
    default: return InflateError::kBadCodeLengths;  // -3 .. -9: the code description
  }
}

// zlib's contrib/puff/Makefile, target "cov" (zlib 1.2.8): each stream is
// piped into puff, which must exit with the given code (shown there modulo
// 256: 254 is -2). "-f" halves the output space after a first successful
// run, to reach "output space exhausted".
TEST(InflateRobust, PuffCoverageVectors) {
  struct Vector {
    const char* hex;
    int puff_code;
    bool half_output;  // puff -f
  };
  const Vector vectors[] = {
      {"04", 2, false},
      {"00", 2, false},
      {"00 00 00 00 00", -2, false},
      {"00 01 00 fe ff", 2, false},
      {"01 01 00 fe ff 0a", 1, true},
      {"02 7e ff ff", -10, false},
      {"02", 2, false},
      {"04 80 49 92 24 49 92 24 0f b4 ff ff c3 04", 2, false},
      {"04 80 49 92 24 49 92 24 71 ff ff 93 11 00", -7, false},
      {"04 c0 81 08 00 00 00 00 20 7f eb 0b 00 00", -10, false},
      {"0b 00 00", 1, true},
      {"1a 07", -10, false},
      {"0c c0 81 00 00 00 00 00 90 ff 6b 04", -11, false},
      {"fc 00 00", -3, false},
      {"04 00 fe ff", -4, false},
      {"04 00 24 49", -5, false},
      {"04 80 49 92 24 49 92 24 0f b4 ff ff c3 84", -8, false},
      {"04 00 24 e9 ff ff", -6, false},
      {"04 00 24 e9 ff 6d", -9, false},
  };
  for (const Vector& v : vectors) {
    SCOPED_TRACE(v.hex);
    Bytes in = HexBytes(v.hex), out, z;
    const bool zlib_ok = ZlibInflate(in, &z);
    size_t cap = 1 << 16;
    if (v.half_output) {
      // The stream is valid: first all of it, then into half the room.
      ASSERT_TRUE(zlib_ok);
      InflateResult whole = Inflate(in, z.size(), &out);
      ASSERT_EQ(whole.error, InflateError::kOk) << InflateErrorString(whole.error);
      EXPECT_TRUE(out == z);
      cap = z.size() / 2;
    } else {
      EXPECT_FALSE(zlib_ok);
    }
    InflateResult r = Inflate(in, cap, &out);
    EXPECT_EQ(r.error, FromPuff(v.puff_code))
        << "puff " << v.puff_code << ", ours: " << InflateErrorString(r.error);
  }
}

// zlib's test/infcover.c, cover_fast(): streams that end in an error after
// reaching inflate_fast(). zlib runs them with an 8-bit (256-byte) window;
// our window is the whole output, so the verdict to match is zlib's with a
// 32 KiB window (the same: each is invalid for another reason as well).
TEST(InflateRobust, ZlibCoverFastVectors) {
  const char* const vectors[] = {
      // "fast length extra bits"
      "e5 e0 81 ad 6d cb b2 2c c9 01 1e 59 63 ae 7d ee fb 4d fd b5 35 41 68 ff 7f 0f 0 0 0 0 0 0",
      // "fast distance extra bits"
      "25 fd 81 b5 6d 59 b6 6a 49 ea af 35 6 34 eb 8c b9 f6 b9 1e ef 67 49 50 fe ff ff 3f 0 0 0 "
      "0 0 0",
      // "fast 2nd level codes and too far back"
      "d c7 1 ae eb 38 c 4 41 a0 87 72 de df fb 1f b8 36 b1 38 5d ff ff 0 0 0 0",
  };
  for (const char* hex : vectors) {
    SCOPED_TRACE(hex);
    Bytes in = HexBytes(hex), out, z;
    EXPECT_FALSE(ZlibInflate(in, &z));
    InflateResult r = Inflate(in, 1 << 16, &out);
    EXPECT_NE(r.error, InflateError::kOk);
    // Up to the error, the same bytes as zlib.
    ASSERT_LE(r.out_used, z.size());
    EXPECT_TRUE(std::equal(out.begin(), out.begin() + r.out_used, z.begin()));
  }
  // "copy direct from output": valid, Z_STREAM_END.
  Bytes in = HexBytes("63 0 3 0 0 0 0 0"), out, z;
  ASSERT_TRUE(ZlibInflate(in, &z));
  InflateResult r = Inflate(in, z.size(), &out);
  ASSERT_EQ(r.error, InflateError::kOk) << InflateErrorString(r.error);
  EXPECT_TRUE(out == z);
}

// zlib's test/infcover.c, cover_support() and cover_fast(): streams that
// zlib runs with an 8-bit window and a small output buffer to reach its
// window-handling code, where it stops with Z_OK. With all of the input, a
// full window and room for the output, two of them are unfinished (input
// ends inside the final block) and the rest are complete streams.
TEST(InflateRobust, ZlibWindowStreams) {
  struct Vector {
    const char* hex;
    bool complete;
    const char* name;
  };
  const Vector vectors[] = {
      {"63 0", false, "force window allocation"},
      {"63 18 5", false, "force window replacement"},
      {"63 18 68 30 d0 0 0", true, "force split window update"},
      {"63 18 5 40 c 0", true, "window wrap"},
      {"63 18 5 8c 10 8 0 0 0 0", true, "very common case"},
      {"63 60 60 18 c9 00 08 18 18 18 26 c0 28 00 29 00 0 0 0 0 0 0", true,
       "contiguous and wrap around window"},
  };
  for (const Vector& v : vectors) {
    SCOPED_TRACE(v.name);
    Bytes in = HexBytes(v.hex), out, z;
    EXPECT_EQ(ZlibInflate(in, &z), v.complete);
    InflateResult r = Inflate(in, 1 << 16, &out);
    EXPECT_EQ(r.error, v.complete ? InflateError::kOk : InflateError::kTruncated)
        << InflateErrorString(r.error);
    ASSERT_LE(r.out_used, z.size());
    EXPECT_TRUE(std::equal(out.begin(), out.begin() + r.out_used, z.begin()));
    if (v.complete) {
      EXPECT_EQ(r.out_used, z.size());
      // And into a buffer of exactly that size.
      r = Inflate(in, z.size(), &out);
      EXPECT_EQ(r.error, InflateError::kOk) << InflateErrorString(r.error);
    }
  }
}

enum class GunzipResult { kOk, kFraming, kInflate, kIsize, kCrc };

// A whole gzip member as `bzelf extract` reads one: framing, then the
// DEFLATE data into ISIZE bytes, then the trailer checks.
GunzipResult Gunzip(const Bytes& member, GzipError* framing) {
  GzipMember m = ParseGzipMember(member.data(), member.size());
  *framing = m.error;
  if (m.error != GzipError::kOk) return GunzipResult::kFraming;
  Bytes out;
  InflateResult r = Inflate(Bytes(member.begin() + m.deflate_offset,
                                  member.begin() + m.deflate_offset + m.deflate_length),
                            m.isize, &out);
  if (r.error == InflateError::kOutputOverflow) return GunzipResult::kIsize;
  if (r.error != InflateError::kOk) return GunzipResult::kInflate;
  if (r.out_used != m.isize) return GunzipResult::kIsize;
  if (Crc32(0, out.data(), out.size()) != m.crc32) return GunzipResult::kCrc;
  return GunzipResult::kOk;
}

// zlib's test/infcover.c, cover_wrap() and cover_inflate(): gzip framing.
// zlib reads a member as a stream, so some of its vectors stop right after
// the byte it objects to; a member here is whole, so those get zeros
// appended up to the shortest member (18 bytes) or a whole trailer, as
// noted for each.
TEST(InflateRobust, ZlibGzipVectors) {
  struct Vector {
    const char* hex;
    GunzipResult result;
    GzipError framing;
    const char* zlib_says;
  };
  const Vector vectors[] = {
      // "1f 8b 0 0" + 14 zeros.
      {"1f 8b 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0", GunzipResult::kFraming, GzipError::kBadMethod,
       "unknown compression method"},
      // "1f 8b 8 80" + 14 zeros.
      {"1f 8b 8 80 0 0 0 0 0 0 0 0 0 0 0 0 0 0", GunzipResult::kFraming,
       GzipError::kReservedFlags, "unknown header flags set"},
      // FEXTRA, FNAME, FCOMMENT, FHCRC + 1 zero.
      {"1f 8b 8 1e 0 0 0 0 0 0 1 0 0 0 0 0 0 0", GunzipResult::kFraming, GzipError::kBadHeader,
       "header crc mismatch"},
      // FHCRC right, empty data, CRC32 0 and ISIZE 0: valid; as in infcover.c.
      {"1f 8b 8 2 0 0 0 0 0 0 1d 26 3 0 0 0 0 0 0 0 0 0", GunzipResult::kOk, GzipError::kOk,
       "(stream end)"},
      // CRC32 0x01000000 for no data; ISIZE 0 appended.
      {"1f 8b 8 0 0 0 0 0 0 0 3 0 0 0 0 1 0 0 0 0", GunzipResult::kCrc, GzipError::kOk,
       "incorrect data check"},
      // ISIZE 0x01000000 for no data; as in infcover.c.
      {"1f 8b 8 0 0 0 0 0 0 0 3 0 0 0 0 0 0 0 0 1", GunzipResult::kIsize, GzipError::kOk,
       "incorrect length check"},
  };
  for (const Vector& v : vectors) {
    GzipError framing;
    EXPECT_EQ(Gunzip(HexBytes(v.hex), &framing), v.result) << v.hex << ": " << v.zlib_says;
    EXPECT_EQ(framing, v.framing) << v.hex << ": " << GzipErrorString(framing);
  }
  // The same vectors as zlib takes them, cut where zlib stops reading: too
  // short to be a member at all.
  for (const char* hex : {"1f 8b 0 0", "1f 8b 8 80", "1f 8b 8 1e 0 0 0 0 0 0 1 0 0 0 0 0 0",
                          "1f 8b 8 0 0 0 0 0 0 0 3 0 0 0 0 1"}) {
    GzipError framing;
    EXPECT_EQ(Gunzip(HexBytes(hex), &framing), GunzipResult::kFraming) << hex;
    EXPECT_EQ(framing, GzipError::kTooShort) << hex;
  }
}

// Every prefix and every single-bit corruption of small valid streams from
// the vectors above: never a crash, never output past the buffer, never a
// success that zlib does not share.
TEST(InflateRobust, PrefixesAndBitFlipsOfVectors) {
  const char* const valid[] = {
      "1 1 0 fe ff 0a",
      "0b 00 00",
      "63 0 3 0 0 0 0 0",
      "5 e0 81 91 24 cb b2 2c 49 e2 f 2e 8b 9a 47 56 9f fb fe ec d2 ff 1f",
      "ed cf c1 b1 2c 47 10 c4 30 fa 6f 35 1d 1 82 59 3d fb be 2e 2a fc f c",
  };
  for (const char* hex : valid) {
    const Bytes base = HexBytes(hex);
    std::vector<Bytes> inputs;
    for (size_t n = 0; n < base.size(); ++n) inputs.emplace_back(base.begin(), base.begin() + n);
    for (size_t bit = 0; bit < 8 * base.size(); ++bit) {
      Bytes b = base;
      b[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      inputs.push_back(b);
    }
    for (const Bytes& in : inputs) {
      Bytes out, z;
      const bool zlib_ok = ZlibInflate(in, &z);
      InflateResult r = Inflate(in, 1 << 16, &out);
      ASSERT_EQ(r.error == InflateError::kOk, zlib_ok) << hex << ": " << InflateErrorString(r.error);
      if (zlib_ok) {
        out.resize(r.out_used);
        ASSERT_TRUE(out == z) << hex;
      }
    }
  }
}

}  // namespace
}  // namespace bzelf
