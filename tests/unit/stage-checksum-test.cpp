// The part-5 checksums (lib/stage-checksum.h) against zlib's crc32 of a
// copy with the stage_crc field zeroed, fed whole and in pieces as the
// real-mode setup feeds it.
#include "stage-checksum.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "random-bytes.h"

namespace bzelf {
namespace {

using testing::Random;

uint32_t Reference(std::vector<uint8_t> part5, uint32_t size, uint32_t crc_field) {
  std::memset(&part5[crc_field], 0, 4);
  return static_cast<uint32_t>(crc32(0, part5.data(), size));
}

// Every piece size from 1 byte up, so that pieces start and end at each
// byte of the field, and the setup's own 2 KiB.
TEST(StageChecksum, PiecesGiveTheWholeValue) {
  const std::vector<uint8_t> part5 = Random(5000, 7);
  for (uint32_t crc_field : {0u, 1u, 2047u, 2046u, 2045u, 2048u, 4996u}) {
    const uint32_t want = Reference(part5, 5000, crc_field);
    EXPECT_EQ(CheckedBytesChecksum(part5.data(), 5000, crc_field), want) << crc_field;
    for (uint32_t piece : {1u, 2u, 3u, 5u, 7u, 2048u, 5000u}) {
      uint32_t tables = 0, bitwise = 0;
      for (uint32_t at = 0; at < 5000; at += piece) {
        uint32_t n = 5000 - at < piece ? 5000 - at : piece;
        tables = StageChecksumUpdate<Crc32>(tables, at, &part5[at], n, crc_field);
        bitwise = StageChecksumUpdate<Crc32Bitwise>(bitwise, at, &part5[at], n, crc_field);
      }
      EXPECT_EQ(tables, want) << "field " << crc_field << ", pieces of " << piece;
      EXPECT_EQ(bitwise, want) << "field " << crc_field << ", pieces of " << piece;
    }
  }
}

// The field's bytes never count, whatever they hold; every other byte does.
TEST(StageChecksum, OnlyTheFieldIsIgnored) {
  std::vector<uint8_t> part5 = Random(600, 3);
  const uint32_t field = 100;
  const uint32_t base = CheckedBytesChecksum(part5.data(), 600, field);
  for (uint32_t i = 96; i < 108; ++i) {
    std::vector<uint8_t> changed = part5;
    changed[i] ^= 0x40;
    bool in_field = i >= field && i < field + 4;
    EXPECT_EQ(CheckedBytesChecksum(changed.data(), 600, field) == base, in_field) << i;
  }
}

// The stage's checksum: the checked bytes, then the built-in command line.
TEST(StageChecksum, StageChecksumGoesOnOverTheCommandLine) {
  std::vector<uint8_t> part5 = Random(4096, 11);
  StageParams params{};
  const uint32_t params_offset = 0x400;
  params.checked_size = 0x800;
  params.cmdline_offset = 0xf00;
  params.cmdline_size = 0x20;
  std::vector<uint8_t> expected(part5.begin(), part5.begin() + 0x800);
  std::memset(&expected[StageCrcField(params_offset)], 0, 4);
  expected.insert(expected.end(), part5.begin() + 0xf00, part5.begin() + 0xf20);
  EXPECT_EQ(StageChecksum(part5.data(), params_offset, params),
            static_cast<uint32_t>(crc32(0, expected.data(), expected.size())));
  EXPECT_EQ(StageCrcField(params_offset), params_offset + offsetof(StageParams, stage_crc));
}

}  // namespace
}  // namespace bzelf
