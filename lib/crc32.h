// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as gzip and
// Linux's arch/x86/boot/tools/build.c use it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace bzelf {

// The polynomial, reflected: bit 31 - i is the coefficient of x^i, and
// x^32 is left out.
inline constexpr uint32_t kCrc32Polynomial = 0xedb88320u;

// The raw register update by tables (crc32.cpp): no pre- or
// post-inversion. Linux's build.c starts it at 0xffffffff and stores the
// register as it is.
uint32_t Crc32RawTables(uint32_t reg, const uint8_t* data, size_t len);

#if __STDC_HOSTED__
// The same update on the host: carry-less multiplication where the CPU
// has it, the tables elsewhere (crc32-host.cpp).
uint32_t Crc32Raw(uint32_t reg, const uint8_t* data, size_t len);
#else
// The stages: tables only (their builds keep to the general registers).
inline uint32_t Crc32Raw(uint32_t reg, const uint8_t* data, size_t len) {
  return Crc32RawTables(reg, data, len);
}
#endif

// A bit at a time, without tables: the same value as Crc32, for the
// real-mode setup, which checks tens of KiB once and must stay small.
inline uint32_t Crc32Bitwise(uint32_t crc, const uint8_t* data, size_t len) {
  crc = ~crc;
  for (size_t i = 0; i < len; ++i) {
    crc ^= data[i];
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (kCrc32Polynomial & (0u - (crc & 1)));
  }
  return ~crc;
}

// zlib's crc32(): Crc32(0, ...) is the gzip trailer value; chain by passing
// the previous result.
inline uint32_t Crc32(uint32_t crc, const uint8_t* data, size_t len) {
  return ~Crc32Raw(~crc, data, len);
}

}  // namespace bzelf
