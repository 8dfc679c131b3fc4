// ParseGzipMember on members written by zlib (every optional header field)
// and on broken headers.

#include "gzip.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "crc32.h"
#include "inflate.h"

namespace bzelf {
namespace {

using Bytes = std::vector<uint8_t>;

// A gzip member from zlib (windowBits 31), with the optional fields set if
// `fields` is true.
Bytes ZlibGzip(const Bytes& data, bool fields) {
  z_stream z{};
  EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
  static char name[] = "vmlinux";
  static char comment[] = "a comment";
  static unsigned char extra[] = {'B', 'z', 3, 0, 1, 2, 3};
  gz_header h{};
  if (fields) {
    h.text = 1;
    h.name = reinterpret_cast<Bytef*>(name);
    h.comment = reinterpret_cast<Bytef*>(comment);
    h.extra = extra;
    h.extra_len = sizeof extra;
    h.hcrc = 1;
    EXPECT_EQ(deflateSetHeader(&z, &h), Z_OK);
  }
  Bytes out(deflateBound(&z, data.size()) + 64);
  z.next_in = const_cast<uint8_t*>(data.data());
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Bytes Data() {
  Bytes d(100000);
  for (size_t i = 0; i < d.size(); ++i) d[i] = static_cast<uint8_t>((i * 7) ^ (i >> 5));
  return d;
}

void ExpectMember(const Bytes& member, const Bytes& data) {
  GzipMember m = ParseGzipMember(member.data(), member.size());
  ASSERT_EQ(m.error, GzipError::kOk) << GzipErrorString(m.error);
  EXPECT_EQ(m.deflate_offset + m.deflate_length + 8, member.size());
  EXPECT_EQ(m.isize, data.size());
  EXPECT_EQ(m.crc32, Crc32(0, data.data(), data.size()));
  Bytes out(data.size());
  InflateResult r = InflateRaw(member.data() + m.deflate_offset, m.deflate_length, out.data(),
                               out.size(), InflateEnd::kFinalBlock);
  EXPECT_EQ(r.error, InflateError::kOk);
  EXPECT_EQ(r.in_used, m.deflate_length);
  EXPECT_TRUE(out == data);
}

TEST(Gzip, PlainMember) {
  Bytes data = Data();
  Bytes member = ZlibGzip(data, false);
  EXPECT_EQ(ParseGzipMember(member.data(), member.size()).deflate_offset, 10u);
  ExpectMember(member, data);
}

TEST(Gzip, AllOptionalFields) {
  Bytes data = Data();
  Bytes member = ZlibGzip(data, true);
  ASSERT_EQ(member[3], 0x1f);  // FTEXT FHCRC FEXTRA FNAME FCOMMENT
  // 10 + XLEN field (2) + 7 + "vmlinux\0" + "a comment\0" + CRC16.
  EXPECT_EQ(ParseGzipMember(member.data(), member.size()).deflate_offset,
            10u + 2 + 7 + 8 + 10 + 2);
  ExpectMember(member, data);
}

TEST(Gzip, EmptyData) {
  Bytes member = ZlibGzip({}, false);
  ExpectMember(member, {});
}

TEST(Gzip, BadHeaders) {
  Bytes good = ZlibGzip(Data(), true);
  auto parse = [](const Bytes& b) { return ParseGzipMember(b.data(), b.size()).error; };

  EXPECT_EQ(parse({}), GzipError::kTooShort);
  EXPECT_EQ(parse(Bytes(good.begin(), good.begin() + 17)), GzipError::kTooShort);
  Bytes b = good;
  b[1] = 0x8c;
  EXPECT_EQ(parse(b), GzipError::kBadMagic);
  b = good;
  b[2] = 7;
  EXPECT_EQ(parse(b), GzipError::kBadMethod);
  for (uint8_t bit : {0x20, 0x40, 0x80}) {
    b = good;
    b[3] |= bit;
    EXPECT_EQ(parse(b), GzipError::kReservedFlags);
  }
  // Header CRC mismatch: flip a byte of the file name.
  b = good;
  b[20] ^= 1;
  EXPECT_EQ(parse(b), GzipError::kBadHeader);

  // Fields that run into the trailer: a minimal member (10-byte header,
  // 8-byte trailer) with each flag set in turn.
  Bytes minimal = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(parse(minimal), GzipError::kOk);
  EXPECT_EQ(ParseGzipMember(minimal.data(), minimal.size()).deflate_length, 0u);
  for (uint8_t flag : {0x02, 0x04, 0x08, 0x10}) {
    b = minimal;
    b[3] = flag;
    EXPECT_EQ(parse(b), GzipError::kBadHeader) << int{flag};
  }
  // FEXTRA whose XLEN reaches past the end; FNAME without its zero.
  b = minimal;
  b[3] = 0x04;
  b.insert(b.begin() + 10, {5, 0, 1, 2, 3, 4});
  EXPECT_EQ(parse(b), GzipError::kBadHeader);
  b = minimal;
  b[3] = 0x08;
  b.insert(b.begin() + 10, {'a', 'b'});
  EXPECT_EQ(parse(b), GzipError::kBadHeader);
  // Just fits: FNAME "ab\0" and no DEFLATE data.
  b.insert(b.begin() + 12, 0);
  GzipMember m = ParseGzipMember(b.data(), b.size());
  EXPECT_EQ(m.error, GzipError::kOk);
  EXPECT_EQ(m.deflate_offset, 13u);
  EXPECT_EQ(m.deflate_length, 0u);
}

// From zlib's test/infcover.c (cover_wrap): a header with FHCRC, FEXTRA,
// FNAME and FCOMMENT whose CRC16 is wrong ("bad header crc"), and a member
// with an empty FEXTRA and a CRC16 that is right ("check gzip length").
TEST(Gzip, ZlibInfcoverVectors) {
  Bytes bad_crc = {0x1f, 0x8b, 8, 0x1e, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  bad_crc.resize(bad_crc.size() + 8);  // our parser needs the trailer bytes
  // FEXTRA XLEN 1 (one byte 0), FNAME "", FCOMMENT "", CRC16 0000.
  EXPECT_EQ(ParseGzipMember(bad_crc.data(), bad_crc.size()).error, GzipError::kBadHeader);
  Bytes good = {0x1f, 0x8b, 8, 2, 0, 0, 0, 0, 0, 0, 0x1d, 0x26, 3, 0,
                0,    0,    0, 0, 0, 0, 0, 0};
  GzipMember m = ParseGzipMember(good.data(), good.size());
  ASSERT_EQ(m.error, GzipError::kOk);
  EXPECT_EQ(m.deflate_offset, 12u);
  EXPECT_EQ(m.deflate_length, 2u);
  EXPECT_EQ(m.crc32, 0u);
  EXPECT_EQ(m.isize, 0u);
}

TEST(Gzip, ErrorStrings) {
  for (int e = 0; e <= static_cast<int>(GzipError::kBadHeader); ++e)
    EXPECT_STRNE(GzipErrorString(static_cast<GzipError>(e)), "unknown error");
}

}  // namespace
}  // namespace bzelf
