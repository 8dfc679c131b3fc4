// lzop's file format, in which Linux's lzo kernels come (`lzop -9`,
// scripts/Makefile.lib), around LZO1X blocks that liblzo2 decodes. From
// lzop 1.04's sources and its files (all numbers big-endian):
//
//   magic 89 4c 5a 4f 00 0d 0a 1a 0a
//   version(2) lib_version(2) [version_needed(2)]   [..]: version >= 0x0940
//   method(1) [level(1)] flags(4) [filter(4) if F_H_FILTER]
//   mode(4) mtime_low(4) [mtime_high(4)] name_length(1) name
//   header checksum(4): Adler-32 (or CRC-32 with F_H_CRC32) of the header
//                       from `version` to the end of the name
//   [extra field if F_H_EXTRA_FIELD: length(4), bytes, checksum(4)]
//   blocks: uncompressed length(4) (0 ends the file), compressed length(4),
//           [Adler-32 of the uncompressed bytes if F_ADLER32_D]
//           [CRC-32 of them if F_CRC32_D]
//           [Adler-32 / CRC-32 of the compressed bytes if F_ADLER32_C /
//            F_CRC32_C, and only when they are fewer than the uncompressed]
//           the bytes: stored as they are when both lengths are equal.
#include <lzo/lzo1x.h>

#include <cstring>

#include "decoders.h"

namespace bzelf {
namespace {

constexpr uint8_t kMagic[9] = {0x89, 'L', 'Z', 'O', 0x00, '\r', '\n', 0x1a, '\n'};

constexpr uint32_t F_ADLER32_D = 0x0001;
constexpr uint32_t F_ADLER32_C = 0x0002;
constexpr uint32_t F_H_EXTRA_FIELD = 0x0040;
constexpr uint32_t F_CRC32_D = 0x0100;
constexpr uint32_t F_CRC32_C = 0x0200;
constexpr uint32_t F_H_FILTER = 0x0800;
constexpr uint32_t F_H_CRC32 = 0x1000;

// The version from which the header has version_needed, level and
// mtime_high.
constexpr uint16_t kVersionLongHeader = 0x0940;

// lzop's methods that are LZO1X streams: LZO1X-1, LZO1X-1(15), LZO1X-999.
constexpr uint8_t kMethodsLzo1x[] = {1, 2, 3};

// lzop writes blocks of 256 KiB and reads none over 64 MiB (MAX_BLOCK_SIZE).
constexpr uint32_t kMaxBlock = uint32_t{64} << 20;

class Reader {
 public:
  Reader(const uint8_t* data, size_t len, const DecompressFailure& fail)
      : data_(data), len_(len), fail_(fail) {}
  [[noreturn]] void Fail(const std::string& problem) const { fail_(problem); }
  const uint8_t* Take(size_t n) {
    if (len_ - at_ < n) fail_.Truncated();
    at_ += n;
    return data_ + at_ - n;
  }
  uint8_t U8() { return *Take(1); }
  uint16_t Be16() {
    const uint8_t* p = Take(2);
    return static_cast<uint16_t>(p[0] << 8 | p[1]);
  }
  uint32_t Be32() {
    const uint8_t* p = Take(4);
    return uint32_t{p[0]} << 24 | p[1] << 16 | p[2] << 8 | p[3];
  }
  size_t at() const { return at_; }
  size_t left() const { return len_ - at_; }

 private:
  const uint8_t* data_;
  size_t len_;
  const DecompressFailure& fail_;
  size_t at_ = 0;
};

uint32_t Adler32(const uint8_t* p, size_t n) { return lzo_adler32(1, p, n); }
uint32_t Crc32(const uint8_t* p, size_t n) { return lzo_crc32(0, p, n); }

void Check(Reader& r, bool present, uint32_t (*sum)(const uint8_t*, size_t), const uint8_t* p,
           size_t n, const char* what) {
  if (!present) return;
  if (r.Be32() != sum(p, n)) r.Fail(std::string(what) + " checksum mismatch (corrupt)");
}

}  // namespace

void DecompressLzop(const uint8_t* data, size_t len, DecompressOutput& out,
                    const DecompressFailure& fail) {
  static const bool lzo_ready = lzo_init() == LZO_E_OK;
  Reader r(data, len, fail);
  if (!lzo_ready) r.Fail("liblzo2 failed to initialise");
  if (std::memcmp(r.Take(sizeof(kMagic)), kMagic, sizeof(kMagic)) != 0) r.Fail("no lzop magic");

  uint16_t version = r.Be16();
  r.Be16();  // lib_version
  if (version >= kVersionLongHeader) r.Be16();  // version_needed
  uint8_t method = r.U8();
  if (version >= kVersionLongHeader) r.U8();  // level
  uint32_t flags = r.Be32();
  if (flags & F_H_FILTER) r.Fail("uses a filter, which this reader does not undo");
  r.Take(8);                                     // mode, mtime_low
  if (version >= kVersionLongHeader) r.Take(4);  // mtime_high
  r.Take(r.U8());                                // name
  size_t header_end = r.at();
  const uint8_t* header = data + sizeof(kMagic);
  Check(r, true, flags & F_H_CRC32 ? Crc32 : Adler32, header, header_end - sizeof(kMagic),
        "header");
  if (flags & F_H_EXTRA_FIELD) r.Take(r.Be32() + size_t{4});
  if (std::memchr(kMethodsLzo1x, method, sizeof(kMethodsLzo1x)) == nullptr) {
    r.Fail("method " + std::to_string(method) + " is not one of lzop's LZO1X methods");
  }

  for (;;) {
    uint32_t dst_len = r.Be32();
    if (dst_len == 0) break;
    uint32_t src_len = r.Be32();
    if (dst_len > kMaxBlock || src_len == 0 || src_len > dst_len) {
      r.Fail("block lengths " + std::to_string(src_len) + " -> " + std::to_string(dst_len) +
             " (corrupt)");
    }
    // The checksums come before the bytes they cover: read them first.
    size_t sums_at = r.at();
    bool compressed = src_len < dst_len;
    r.Take(4 * ((flags & F_ADLER32_D ? 1 : 0) + (flags & F_CRC32_D ? 1 : 0) +
                (compressed && (flags & F_ADLER32_C) ? 1 : 0) +
                (compressed && (flags & F_CRC32_C) ? 1 : 0)));
    const uint8_t* src = r.Take(src_len);
    size_t room;
    uint8_t* dst = out.Room(room, dst_len);
    if (room < dst_len) out.TooLarge();
    if (!compressed) {
      std::memcpy(dst, src, src_len);
    } else {
      lzo_uint got = dst_len;
      int rc = lzo1x_decompress_safe(src, src_len, dst, &got, nullptr);
      if (rc != LZO_E_OK || got != dst_len) r.Fail("corrupt (an LZO1X block that does not decode)");
    }
    Reader sums(data + sums_at, src - (data + sums_at), fail);
    Check(sums, flags & F_ADLER32_D, Adler32, dst, dst_len, "Adler-32");
    Check(sums, flags & F_CRC32_D, Crc32, dst, dst_len, "CRC-32");
    Check(sums, compressed && (flags & F_ADLER32_C), Adler32, src, src_len, "Adler-32");
    Check(sums, compressed && (flags & F_CRC32_C), Crc32, src, src_len, "CRC-32");
    out.Wrote(dst_len);
  }
  if (r.left() != 0) fail.Trailing(r.left());
}

}  // namespace bzelf
