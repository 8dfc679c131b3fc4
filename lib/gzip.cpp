// gzip member framing (RFC 1952 2.3):
//
//   ID1 ID2 CM FLG MTIME(4) XFL OS      10 bytes, 1f 8b 08 ...
//   [FEXTRA: XLEN(2) + XLEN bytes]
//   [FNAME: zero-terminated]
//   [FCOMMENT: zero-terminated]
//   [FHCRC: CRC16 = low 16 bits of the CRC-32 of the header so far]
//   DEFLATE data
//   CRC32(4) ISIZE(4)                   little-endian
//
// The caller hands over exactly one member, so the trailer is found from
// the end and the DEFLATE data's length is known before inflating it.

#include "gzip.h"

#include "crc32.h"

namespace bzelf {
namespace {

constexpr size_t kFixedHeader = 10;
constexpr size_t kTrailer = 8;

constexpr uint8_t kFlagText = 1 << 0;  // a hint only; nothing to parse
constexpr uint8_t kFlagHeaderCrc = 1 << 1;
constexpr uint8_t kFlagExtra = 1 << 2;
constexpr uint8_t kFlagName = 1 << 3;
constexpr uint8_t kFlagComment = 1 << 4;
constexpr uint8_t kFlagsReserved = 0xe0;
static_assert((kFlagText | kFlagHeaderCrc | kFlagExtra | kFlagName | kFlagComment |
               kFlagsReserved) == 0xff);

uint32_t Le32(const uint8_t* p) {
  return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24;
}

}  // namespace

GzipMember ParseGzipMember(const uint8_t* data, size_t len) {
  GzipMember m = {GzipError::kOk, 0, 0, 0, 0};
  if (len < kFixedHeader + kTrailer) {
    m.error = GzipError::kTooShort;
    return m;
  }
  if (data[0] != 0x1f || data[1] != 0x8b) {
    m.error = GzipError::kBadMagic;
    return m;
  }
  if (data[2] != 8) {  // CM 8 = deflate, the only method defined
    m.error = GzipError::kBadMethod;
    return m;
  }
  const uint8_t flags = data[3];
  if (flags & kFlagsReserved) {
    // RFC 1952 2.3.1.2: a reader must reject them, as they may announce
    // fields it would not know to skip.
    m.error = GzipError::kReservedFlags;
    return m;
  }

  // The optional fields must end before the trailer; `end` bounds every
  // read below.
  const size_t end = len - kTrailer;
  size_t pos = kFixedHeader;
  bool ok = true;
  if (flags & kFlagExtra) {
    if (end - pos < 2) {
      ok = false;
    } else {
      const size_t xlen = data[pos] | data[pos + 1] << 8;
      pos += 2;
      if (end - pos < xlen) ok = false;
      else pos += xlen;
    }
  }
  const uint8_t string_flags[] = {kFlagName, kFlagComment};  // in this order
  for (uint8_t flag : string_flags) {
    if (!ok || !(flags & flag)) continue;
    while (pos < end && data[pos] != 0) ++pos;
    if (pos == end) ok = false;
    else ++pos;  // the terminating zero
  }
  if (ok && (flags & kFlagHeaderCrc)) {
    if (end - pos < 2) {
      ok = false;
    } else {
      const uint32_t want = data[pos] | data[pos + 1] << 8;
      ok = (Crc32(0, data, pos) & 0xffff) == want;
      pos += 2;
    }
  }
  if (!ok) {
    m.error = GzipError::kBadHeader;
    return m;
  }

  m.deflate_offset = pos;
  m.deflate_length = end - pos;
  m.crc32 = Le32(data + end);
  m.isize = Le32(data + end + 4);
  return m;
}

const char* GzipErrorString(GzipError error) {
  switch (error) {
    case GzipError::kOk:
      return "ok";
    case GzipError::kTooShort:
      return "too short for a gzip member";
    case GzipError::kBadMagic:
      return "not gzip data (bad magic)";
    case GzipError::kBadMethod:
      return "gzip compression method is not deflate";
    case GzipError::kReservedFlags:
      return "gzip header has reserved flags set";
    case GzipError::kBadHeader:
      return "gzip header is truncated or fails its CRC";
  }
  return "unknown error";
}

}  // namespace bzelf
