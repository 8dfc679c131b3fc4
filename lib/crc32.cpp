// CRC-32 (reflected, polynomial 0xEDB88320) by slicing-by-8: eight 1 KiB
// tables let each step fold 8 input bytes with eight independent loads
// instead of a chain of eight dependent ones. The stage checks the whole
// inflated kernel against the gzip trailer, tens of megabytes, so the
// speed matters there; 8 KiB of .rodata is the price. (The host folds
// with carry-less multiplication where the CPU has it, crc32-host.cpp,
// and comes here for short inputs and on CPUs without it.)
//
// Runs of zero bytes take a shortcut. Half of a kernel image is zeros (page
// alignment padding, zero-initialized data), and the CRC register after n
// zero bytes is a linear function of the register before them: for a
// 64-byte block of zeros it is four lookups in a 4 KiB table, where
// slicing would take 64. Under QEMU's TCG, where the stage's boot time goes,
// every table lookup is a memory access through the soft-TLB, so the
// shortcut halves the memory accesses of the check.
//
// The tables are built at compile time (constexpr), so there is nothing to
// initialize at run time and no global constructor.

#include "crc32.h"

namespace bzelf {
namespace {

// The size of a zero block that the shortcut skips in one step.
constexpr size_t kZeroBlock = 64;

struct Crc32Tables {
  // t[0] is the classic byte-at-a-time table: the register update for one
  // byte. t[k][b] is the update for byte b followed by k zero bytes, which
  // is what a byte k positions earlier in an 8-byte group contributes.
  uint32_t t[8][256];
  // zero[k][b]: the register after kZeroBlock zero bytes, starting from
  // the register b << 8k. The register after a zero block is the XOR of
  // these for its four bytes.
  uint32_t zero[4][256];
};

constexpr uint32_t ByteUpdate(uint32_t reg, uint8_t byte, const uint32_t* t0) {
  return (reg >> 8) ^ t0[(reg ^ byte) & 0xff];
}

constexpr Crc32Tables MakeTables() {
  Crc32Tables tables{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int bit = 0; bit < 8; ++bit) c = (c >> 1) ^ ((c & 1) ? kCrc32Polynomial : 0);
    tables.t[0][b] = c;
  }
  for (int k = 1; k < 8; ++k) {
    for (uint32_t b = 0; b < 256; ++b) {
      uint32_t prev = tables.t[k - 1][b];
      tables.t[k][b] = (prev >> 8) ^ tables.t[0][prev & 0xff];
    }
  }
  for (int k = 0; k < 4; ++k) {
    for (uint32_t b = 0; b < 256; ++b) {
      uint32_t reg = b << (8 * k);
      for (size_t i = 0; i < kZeroBlock; ++i) reg = ByteUpdate(reg, 0, tables.t[0]);
      tables.zero[k][b] = reg;
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
    reg = ByteUpdate(reg, static_cast<uint8_t>(*p), kTables.t[0]);
  return ~reg;
}
static_assert(ByteWiseCheck() == 0xcbf43926u);

// The zero-block table against the byte table: "123456789" followed by
// kZeroBlock zeros.
constexpr bool ZeroBlockCheck() {
  uint32_t reg = 0xffffffffu;
  for (const char* p = "123456789"; *p; ++p)
    reg = ByteUpdate(reg, static_cast<uint8_t>(*p), kTables.t[0]);
  uint32_t bytewise = reg;
  for (size_t i = 0; i < kZeroBlock; ++i) bytewise = ByteUpdate(bytewise, 0, kTables.t[0]);
  const auto& z = kTables.zero;
  uint32_t block = z[0][reg & 0xff] ^ z[1][(reg >> 8) & 0xff] ^
                   z[2][(reg >> 16) & 0xff] ^ z[3][reg >> 24];
  return block == bytewise;
}
static_assert(ZeroBlockCheck());

// True if data[0, kZeroBlock) is all zero. Word loads, one OR chain, one
// branch.
inline bool IsZeroBlock(const uint8_t* data) {
  uintptr_t acc = 0;
#pragma GCC unroll 16
  for (size_t i = 0; i < kZeroBlock; i += sizeof acc) {
    uintptr_t w;
    __builtin_memcpy(&w, data + i, sizeof w);
    acc |= w;
  }
  return acc == 0;
}

}  // namespace

// Aligned so that it cannot straddle a page boundary while it is under
// 1 KiB: under QEMU's TCG only jumps within a guest page are chained
// directly (see InflateRaw() in inflate-stage.cpp).
[[gnu::aligned(1024)]] uint32_t Crc32RawTables(uint32_t reg, const uint8_t* data, size_t len) {
  const auto& t = kTables.t;
  const auto& z = kTables.zero;
  // 64-byte blocks. A block that starts with 8 zero bytes is checked whole
  // and, if all zero, skipped with the zero table; any other block is
  // sliced 8 bytes at a time. The loads are unaligned little-endian words
  // (x86); the register lines up with the first four bytes.
  while (len >= kZeroBlock) {
    uint32_t lo, hi;
    __builtin_memcpy(&lo, data, 4);
    __builtin_memcpy(&hi, data + 4, 4);
    if ((lo | hi) == 0 && IsZeroBlock(data)) {
      reg = z[0][reg & 0xff] ^ z[1][(reg >> 8) & 0xff] ^ z[2][(reg >> 16) & 0xff] ^
            z[3][reg >> 24];
      data += kZeroBlock;
      len -= kZeroBlock;
      continue;
    }
    const uint8_t* const end = data + kZeroBlock;
    for (;;) {
      lo ^= reg;
      reg = t[7][lo & 0xff] ^ t[6][(lo >> 8) & 0xff] ^ t[5][(lo >> 16) & 0xff] ^
            t[4][lo >> 24] ^ t[3][hi & 0xff] ^ t[2][(hi >> 8) & 0xff] ^
            t[1][(hi >> 16) & 0xff] ^ t[0][hi >> 24];
      data += 8;
      if (data == end) break;
      __builtin_memcpy(&lo, data, 4);
      __builtin_memcpy(&hi, data + 4, 4);
    }
    len -= kZeroBlock;
  }
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
