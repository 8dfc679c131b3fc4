// INT 15h AX=E801h's answer into boot_params.alt_mem_k (lib/e801.h), as
// Linux's arch/x86/boot/memory.c makes it: which register pair counts, the
// hole below 16 MiB, nonsense and zeros; and the map the stage then makes
// of alt_mem_k without an E820 table (E820Map::SetBase).

#include "e801.h"

#include <gtest/gtest.h>

#include <cstdint>

#include "e820-map.h"

namespace bzelf {
namespace {

constexpr uint32_t kUntouched = 0xdeadbeef;

// alt_mem_k for `answer`, or kUntouched when the rule leaves it alone.
uint32_t AltMemK(E801Answer answer) {
  uint32_t alt_mem_k = kUntouched;
  const bool taken = E801AltMemK(answer, &alt_mem_k);
  EXPECT_EQ(taken, alt_mem_k != kUntouched);
  return alt_mem_k;
}

// SeaBIOS under QEMU -m 128 answers the same in both pairs: 15 MiB, and
// 0x6fe 64 KiB blocks from 16 MiB to the 128 KiB it keeps for its tables
// below the top of RAM (tests/int15's hook prints the registers).
TEST(E801, BothPairsTheSame) {
  EXPECT_EQ(AltMemK({0x3c00, 0x6fe, 0x3c00, 0x6fe}), 129920u);  // 15 MiB + 0x6fe * 64 KiB
}

// A BIOS that fills one pair only is read from that pair.
TEST(E801, OnePairFilled) {
  EXPECT_EQ(AltMemK({0x3c00, 0x6fe, 0, 0}), 129920u);  // AX/BX only
  EXPECT_EQ(AltMemK({0, 0, 0x3c00, 0x6fe}), 129920u);  // CX/DX only
}

// CX/DX wins as soon as either of them is non-zero, even when AX/BX say
// something else, and even when half of CX/DX is zero.
TEST(E801, CxDxWinsWhenEitherIsNonZero) {
  EXPECT_EQ(AltMemK({0x3c00, 0x6fe, 0x3c00, 0x2f0}), 15u * 1024 + 0x2f0 * 64);
  // DX alone: CX/DX is taken, and its first count, 0, is a hole at 1 MiB.
  EXPECT_EQ(AltMemK({0x3c00, 0x6fe, 0, 0x6fe}), 0u);
  // CX alone: 7 MiB from CX; AX/BX's 129,920 KiB do not count.
  EXPECT_EQ(AltMemK({0x3c00, 0x6fe, 0x1c00, 0}), 7u * 1024);
}

// Less than the whole 15 MiB below 16 MiB is a hole before 16 MiB:
// alt_mem_k ends there, whatever lies above 16 MiB.
TEST(E801, AHoleBelowSixteenMiBEndsTheCount) {
  // RAM to 8 MiB, a hole, RAM again from 16 MiB.
  EXPECT_EQ(AltMemK({0x1c00, 0x6fe, 0, 0}), 7u * 1024);
  EXPECT_EQ(AltMemK({0x3bff, 0x6fe, 0x3bff, 0x6fe}), 0x3bffu);
  // A machine with no memory above 16 MiB at all.
  EXPECT_EQ(AltMemK({0x3c00, 0, 0, 0}), 15u * 1024);
}

// More than 15 MiB between 1 MiB and 16 MiB cannot be: nothing is taken.
TEST(E801, AFirstCountPastFifteenMiBIsNonsense) {
  EXPECT_EQ(AltMemK({0x3c01, 0x6fe, 0, 0}), kUntouched);
  EXPECT_EQ(AltMemK({0x3c00, 0x6fe, 0xffff, 0x6fe}), kUntouched);  // CX/DX's counts
  EXPECT_EQ(AltMemK({0xffff, 0xffff, 0xffff, 0xffff}), kUntouched);
}

// All zero is an answer: no memory above 1 MiB.
TEST(E801, ZerosSayNoMemoryAboveOneMiB) {
  EXPECT_EQ(AltMemK({0, 0, 0, 0}), 0u);
  // The largest answer fits 32 bits: 0xffff blocks above 16 MiB.
  EXPECT_EQ(AltMemK({0x3c00, 0xffff, 0, 0}), 15u * 1024 + 0xffffu * 64);
}

// What the stage makes of it without E820: RAM from 1 MiB for alt_mem_k
// KiB, so the hole below 16 MiB ends the map's RAM there.
TEST(E801, TheStagesMapEndsAtTheHole) {
  static linuxboot::boot_params bp;
  bp = {};
  bp.alt_mem_k = AltMemK({0x1c00, 0x6fe, 0, 0});
  E820Map map;
  ASSERT_TRUE(map.SetBase(bp));
  EXPECT_TRUE(map.IsRam(0x100000, 0x800000));
  EXPECT_FALSE(map.IsRam(0x100000, 0x800001));
  EXPECT_FALSE(map.IsRam(0x1000000, 0x1001000));
}

}  // namespace
}  // namespace bzelf
