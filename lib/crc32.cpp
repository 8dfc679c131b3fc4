// CRC-32 (reflected, polynomial 0xEDB88320) by slicing-by-8: eight 1 KiB
// tables let each step fold 8 input bytes with eight independent loads
// instead of a chain of eight dependent ones. The stage checks the whole
// inflated kernel against the gzip trailer, tens of megabytes, so the
// speed matters there as much as on the host; 8 KiB of .rodata is the price.
//
// The tables are built at compile time (constexpr), so there is nothing to
// initialize at run time and no global constructor.

#include "crc32.h"

namespace bzelf {
namespace {

constexpr uint32_t kPolynomial = 0xedb88320u;

struct Crc32Tables {
  // t[0] is the classic byte-at-a-time table: the register update for one
  // byte. t[k][b] is the update for byte b followed by k zero bytes, which
  // is what a byte k positions earlier in an 8-byte group contributes.
  uint32_t t[8][256];
};

constexpr Crc32Tables MakeTables() {
  Crc32Tables tables{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int bit = 0; bit < 8; ++bit) c = (c >> 1) ^ ((c & 1) ? kPolynomial : 0);
    tables.t[0][b] = c;
  }
  for (int k = 1; k < 8; ++k) {
    for (uint32_t b = 0; b < 256; ++b) {
      uint32_t prev = tables.t[k - 1][b];
      tables.t[k][b] = (prev >> 8) ^ tables.t[0][prev & 0xff];
    }
  }
  return tables;
}

constexpr Crc32Tables kTables = MakeTables();

// The check value of the CRC catalogue, "123456789" -> 0xCBF43926, through
// the byte table alone.
constexpr uint32_t ByteWiseCheck() {
  uint32_t reg = 0xffffffffu;
  for (const char* p = "123456789"; *p; ++p)
    reg = (reg >> 8) ^ kTables.t[0][(reg ^ static_cast<uint8_t>(*p)) & 0xff];
  return ~reg;
}
static_assert(ByteWiseCheck() == 0xcbf43926u);

}  // namespace

uint32_t Crc32Raw(uint32_t reg, const uint8_t* data, size_t len) {
  const auto& t = kTables.t;
  // Eight bytes at a time. The loads are unaligned little-endian words
  // (x86); the register lines up with the first four bytes.
  while (len >= 8) {
    uint32_t lo, hi;
    __builtin_memcpy(&lo, data, 4);
    __builtin_memcpy(&hi, data + 4, 4);
    lo ^= reg;
    reg = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^
          t[4][lo >> 24] ^ t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^
          t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
    data += 8;
    len -= 8;
  }
  while (len--) reg = (reg >> 8) ^ t[0][(reg ^ *data++) & 0xff];
  return reg;
}

}  // namespace bzelf
