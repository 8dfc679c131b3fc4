// CRC-32 as gzip and zlib compute it (reflected, polynomial 0xEDB88320),
// for the initrd check. Written out here rather than taken from lib/crc32:
// the test kernels judge the stage, so they share no code with it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace bzelf::testkernel {

struct Crc32Table {
  uint32_t entries[256];
};

constexpr Crc32Table MakeCrc32Table() {
  Crc32Table table{};
  for (uint32_t n = 0; n < 256; ++n) {
    uint32_t c = n;
    for (int bit = 0; bit < 8; ++bit) {
      c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    table.entries[n] = c;
  }
  return table;
}

inline constexpr Crc32Table kCrc32Table = MakeCrc32Table();

// zlib's crc32(0, data, size).
constexpr uint32_t Crc32(const uint8_t* data, size_t size) {
  uint32_t crc = 0xffffffffu;
  for (size_t i = 0; i < size; ++i) {
    crc = kCrc32Table.entries[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
  }
  return ~crc;
}

// The check value of the CRC-32 catalogue: "123456789" -> 0xCBF43926.
inline constexpr uint8_t kCrc32CheckInput[] = {'1', '2', '3', '4', '5',
                                               '6', '7', '8', '9'};
static_assert(Crc32(kCrc32CheckInput, sizeof kCrc32CheckInput) ==
              0xcbf43926u);

}  // namespace bzelf::testkernel
