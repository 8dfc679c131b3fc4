// gzip member framing (RFC 1952) around a raw DEFLATE stream.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace bzelf {

enum class GzipError : uint8_t {
  kOk = 0,
  kTooShort,       // fewer bytes than a header and trailer
  kBadMagic,       // not 1f 8b
  kBadMethod,      // CM != 8
  kReservedFlags,  // FLG bits 5-7 set
  kBadHeader,      // FEXTRA/FNAME/FCOMMENT/FHCRC run past the end, or the
                   // FHCRC does not match the header
};

const char* GzipErrorString(GzipError error);

struct GzipMember {
  GzipError error;
  size_t deflate_offset;  // first byte of the raw DEFLATE data
  size_t deflate_length;  // bytes up to the 8-byte trailer
  uint32_t crc32;         // trailer CRC32 of the uncompressed data
  uint32_t isize;         // trailer ISIZE (length mod 2^32)
};

// Parses a whole member occupying data[0, len): the trailer is the last 8
// bytes.
GzipMember ParseGzipMember(const uint8_t* data, size_t len);

}  // namespace bzelf
