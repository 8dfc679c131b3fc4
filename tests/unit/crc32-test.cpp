// Crc32/Crc32Raw against the CRC catalogue's check value and zlib's crc32;
// on the host, Crc32Raw folds with carry-less multiplication where the CPU
// can (lib/crc32-host.cpp), so these also hold it to the tables' values.

#include "crc32.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <vector>

#include "random-bytes.h"

namespace bzelf {
namespace {

using testing::Random;

uint32_t ZlibCrc(uint32_t crc, const uint8_t* p, size_t n) {
  return static_cast<uint32_t>(crc32(crc, p, static_cast<uInt>(n)));
}

TEST(Crc32, CheckValue) {
  // CRC-32/ISO-HDLC in the Williams/Cook catalogue: "123456789" -> CBF43926.
  const uint8_t check[] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  EXPECT_EQ(Crc32(0, check, sizeof check), 0xcbf43926u);
  EXPECT_EQ(Crc32(0, nullptr, 0), 0u);
  // The raw register: no inversions (Linux's build.c stores it as is).
  EXPECT_EQ(Crc32Raw(0xffffffffu, check, sizeof check), ~0xcbf43926u);
  EXPECT_EQ(Crc32Raw(0x12345678u, nullptr, 0), 0x12345678u);
  // The CRC of "a", as zlib computes it.
  const uint8_t a[] = {'a'};
  EXPECT_EQ(Crc32(0, a, 1), 0xe8b7be43u);
}

TEST(Crc32, MatchesZlibAtEveryLengthAndAlignment) {
  std::vector<uint8_t> data = Random(4096 + 64, 1);
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t len = 0; len < 300; ++len) {
      ASSERT_EQ(Crc32(0, data.data() + offset, len), ZlibCrc(0, data.data() + offset, len))
          << offset << " " << len;
    }
  }
  EXPECT_EQ(Crc32(0, data.data(), 4096), ZlibCrc(0, data.data(), 4096));
}

TEST(Crc32, Chained) {
  std::vector<uint8_t> data = Random(1 << 20, 2);
  uint32_t whole = ZlibCrc(0, data.data(), data.size());
  EXPECT_EQ(Crc32(0, data.data(), data.size()), whole);
  // Chunks of odd sizes, as the stage checks region by region.
  uint32_t crc = 0;
  size_t pos = 0, step = 1;
  while (pos < data.size()) {
    size_t n = std::min(step, data.size() - pos);
    crc = Crc32(crc, data.data() + pos, n);
    pos += n;
    step = step * 3 + 1;
  }
  EXPECT_EQ(crc, whole);
  // Starting from a non-zero CRC.
  EXPECT_EQ(Crc32(0xdeadbeefu, data.data(), 1000), ZlibCrc(0xdeadbeefu, data.data(), 1000));
}

// The host's Crc32Raw against the tables (Crc32RawTables) and zlib at
// every length through several folding steps and the tails after them
// (whole 16-byte chunks and single bytes), at each alignment, from
// registers other than the usual start, whose bits go into the first
// fold.
TEST(Crc32, FoldingMatchesTables) {
  std::vector<uint8_t> data = Random(2048 + 16, 3);
  const uint32_t regs[] = {0xffffffffu, 0, 0x12345678u, 0x80000001u};
  for (uint32_t reg : regs) {
    for (size_t offset = 0; offset < 16; offset += 5) {
      for (size_t len = 0; len <= 2048; ++len) {
        const uint8_t* p = data.data() + offset;
        ASSERT_EQ(Crc32Raw(reg, p, len), Crc32RawTables(reg, p, len))
            << std::hex << reg << std::dec << " " << offset << " " << len;
      }
    }
    ASSERT_EQ(~Crc32Raw(~reg, data.data(), 2048), ZlibCrc(reg, data.data(), 2048)) << reg;
  }
  // Long runs of zeros, which the tables skip by a shortcut of their own.
  std::vector<uint8_t> sparse(1 << 16, 0);
  sparse[100] = 1;
  sparse[40000] = 0xff;
  EXPECT_EQ(Crc32(0, sparse.data(), sparse.size()),
            ZlibCrc(0, sparse.data(), sparse.size()));
}

}  // namespace
}  // namespace bzelf
