// A kernel placed above 4 GiB (lib/kernel-staging.h): on a 6 GiB machine
// fixed seeds draw places above 4 GiB for x86_64 Linux, each with a
// temporary place below 4 GiB that is free and disjoint from it; places
// below 4 GiB and kernels that cannot be copied stay as they are; the
// errors; and the identity map's pages for the copy.

#include "kernel-staging.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "identity-map.h"
#include "kaslr.h"
#include "plan-fixtures.h"

namespace bzelf {
namespace {

using linuxboot::e820_entry;
using linuxboot::E820_TYPE_RAM;
using linuxboot::E820_TYPE_RESERVED;
using testing::DebianAmd64Params;
using testing::HexString;
using testing::kGiB;
using testing::kMiB;
using testing::Oracle;
using testing::RealMachine;

// QEMU's pc machine with -m 6G (SeaBIOS's E820, as Linux prints it): 3 GiB
// below the PCI hole, 3 GiB from 4 GiB up.
std::vector<e820_entry> Qemu6G() {
  return {
      {0, 0x9fc00, E820_TYPE_RAM},
      {0x9fc00, 0x400, E820_TYPE_RESERVED},
      {0xf0000, 0x10000, E820_TYPE_RESERVED},
      {kMiB, 0xbffe0000 - kMiB, E820_TYPE_RAM},
      {0xbffe0000, 0x20000, E820_TYPE_RESERVED},
      {0xfffc0000, 0x40000, E820_TYPE_RESERVED},
      {4 * kGiB, 3 * kGiB, E820_TYPE_RAM},
  };
}

// Whether [r.start, r.end) is free: RAM by the map (the Oracle) and clear
// of everything the machine keeps.
bool Free(const RealMachine& m, const std::vector<e820_entry>& map, Range r) {
  if (!Oracle(map).Contains(r.start, r.end)) return false;
  for (const auto& [kept, name] : m.Kept()) {
    if (kept.Overlaps(r)) return false;
  }
  return true;
}

TEST(KernelStaging, FixedSeedsOnSixGiBPlaceAboveFourGiBWithATemporaryPlaceBelow) {
  const auto map = Qemu6G();
  RealMachine m(map);
  MemoryPlan plan;
  ASSERT_FALSE(m.Init(plan));
  const StageParams params = DebianAmd64Params();
  const KaslrKernel k = KaslrKernelFor(params);
  int above = 0, below = 0;
  for (uint32_t seed = 1; seed <= 32; ++seed) {
    SeededEntropy hw(seed);
    KernelPlace place;
    ASSERT_FALSE(ChooseKernelPlace(plan, k, KaslrOptions{}, nullptr, 0,
                                   [&] { return KaslrRandom(0, hw); }, &place));
    ASSERT_EQ(place.how, KaslrHow::kRandom);
    KernelMove move;
    move.phys_move = place.phys_base - k.link_base;
    KernelStaging staging;
    ASSERT_FALSE(PlanKernelStaging(plan, k, move, nullptr, 0, &staging)) << seed;
    const Range final{place.phys_base, place.phys_base + k.size};
    EXPECT_EQ(staging.final_base, place.phys_base);
    EXPECT_EQ(staging.size, k.size);
    EXPECT_TRUE(Free(m, map, final)) << seed << " " << HexString(final.start);
    if (final.end <= k4GiB) {
      ++below;
      EXPECT_FALSE(staging.copy) << seed;
      EXPECT_EQ(staging.temp_base, place.phys_base);
      continue;
    }
    ++above;
    const Range temp{staging.temp_base, staging.temp_base + k.size};
    EXPECT_TRUE(staging.copy) << seed;
    EXPECT_GE(temp.start, kMiB);
    EXPECT_LE(temp.end, k4GiB) << seed;
    EXPECT_EQ(temp.start % k.align, 0u);
    EXPECT_FALSE(temp.Overlaps(final)) << seed;
    EXPECT_TRUE(Free(m, map, temp)) << seed << " " << HexString(temp.start);
    // What the stage writes: the segments at the temporary place, which
    // the plan accepts as it stands (no stage move).
    const KernelMove written = staging.Written(k, move);
    EXPECT_EQ(written.virt_offset, move.virt_offset);
    StageSegment segments[kMaxSegments];
    MovedSegments(params, written, segments);
    KernelPlan kp;
    EXPECT_FALSE(PlanKernel(plan, segments, params.segment_count, &kp)) << seed;
    EXPECT_FALSE(kp.move_stage);
  }
  // 3 GiB of RAM each side of the hole: both happen in 32 draws.
  EXPECT_GE(above, 4);
  EXPECT_GE(below, 4);
}

TEST(KernelStaging, OnlyAKernelThatMovesWithoutRelocationsIsCopied) {
  const auto map = Qemu6G();
  RealMachine m(map);
  MemoryPlan plan;
  ASSERT_FALSE(m.Init(plan));
  StageParams params = DebianAmd64Params();
  KaslrKernel k = KaslrKernelFor(params);
  KernelMove move;
  move.phys_move = 5 * kGiB - k.link_base;
  KernelStaging staging;
  ASSERT_FALSE(PlanKernelStaging(plan, k, move, nullptr, 0, &staging));
  EXPECT_TRUE(staging.copy);
  // memmap= ranges are kept clear of too: one over that temporary place
  // sends it elsewhere.
  const Range memmap = {staging.temp_base, staging.temp_base + k.size};
  KernelStaging clear;
  ASSERT_FALSE(PlanKernelStaging(plan, k, move, &memmap, 1, &clear));
  EXPECT_TRUE(clear.copy);
  EXPECT_FALSE(memmap.Overlaps({clear.temp_base, clear.temp_base + k.size}));
  // A place that starts below 4 GiB and reaches past it is copied too.
  move.phys_move = 0xbe000000 - k.link_base;
  KernelStaging across;
  const KaslrKernel big = [&] {
    KaslrKernel b = k;
    b.size = 0x44000000;  // into the hole and past 4 GiB: not free
    return b;
  }();
  EXPECT_EQ(PlanKernelStaging(plan, big, move, nullptr, 0, &across).kind, PlanError::Kind::kNotFree);
  // A PIE kernel's pointers follow its physical place: never copied, and
  // the plan refuses its segments above 4 GiB.
  params.reloc_source = static_cast<uint8_t>(RelocSource::kDynamic);
  k = KaslrKernelFor(params);
  EXPECT_EQ(k.ceiling, k4GiB);
  move.phys_move = 5 * kGiB - k.link_base;
  ASSERT_FALSE(PlanKernelStaging(plan, k, move, nullptr, 0, &staging));
  EXPECT_FALSE(staging.copy);
  EXPECT_EQ(staging.temp_base, 5 * kGiB);
  StageSegment segments[kMaxSegments];
  MovedSegments(params, staging.Written(k, move), segments);
  KernelPlan kp;
  EXPECT_EQ(PlanKernel(plan, segments, params.segment_count, &kp).kind,
            PlanError::Kind::kNotBelow4G);
}

TEST(KernelStaging, ErrorsAreValuesThatSayWhatWentWrong) {
  const auto map = Qemu6G();
  RealMachine m(map);
  MemoryPlan plan;
  ASSERT_FALSE(m.Init(plan));
  const KaslrKernel k = KaslrKernelFor(DebianAmd64Params());
  // Past the end of RAM.
  KernelMove move;
  move.phys_move = 7 * kGiB - 0x1000000 - k.link_base;
  KernelStaging staging;
  const PlanError e = PlanKernelStaging(plan, k, move, nullptr, 0, &staging);
  EXPECT_EQ(e.kind, PlanError::Kind::kNotFree);
  EXPECT_FALSE(staging.copy);
  Message text;
  Describe(e, text);
  EXPECT_EQ(std::string(text.c_str()), "kernel at 0x1bf000000-0x1c2a00000 is not free RAM");

  // 48 MiB below 4 GiB: no room there for the 58 MiB kernel.
  const std::vector<e820_entry> small = {
      {0, 0x9fc00, E820_TYPE_RAM},
      {kMiB, 47 * kMiB, E820_TYPE_RAM},
      {4 * kGiB, 2 * kGiB, E820_TYPE_RAM},
  };
  RealMachine s(small);
  MemoryPlan small_plan;
  ASSERT_FALSE(s.Init(small_plan));
  move.phys_move = 4 * kGiB - k.link_base;
  const PlanError none = PlanKernelStaging(small_plan, k, move, nullptr, 0, &staging);
  EXPECT_EQ(none.kind, PlanError::Kind::kNoRoomToStage);
  Message why;
  Describe(none, why);
  EXPECT_EQ(std::string(why.c_str()),
            "no room below 4 GiB to write the kernel (60817408 bytes) before it is copied to "
            "0x100000000-0x103a00000");
}

// The hand-off's page pool maps the first 4 GiB and the two GiB a kernel
// copied up spans, even across a 512 GiB line (a PDPT more each side).
TEST(KernelStaging, TheArenaPageTablesHoldTheCopysMap) {
  std::vector<uint8_t> pool(kArenaPageTablesSize + 4096);
  uint8_t* aligned = reinterpret_cast<uint8_t*>(
      (reinterpret_cast<uintptr_t>(pool.data()) + 4095) & ~uintptr_t{4095});
  IdentityMap map(aligned, kArenaPageTablesSize / 4096);
  for (uint64_t gib = 0; gib < 4; ++gib) EXPECT_TRUE(map.MapGiB(gib << 30));
  EXPECT_TRUE(map.MapGiB(511 * kGiB));
  EXPECT_TRUE(map.MapGiB(512 * kGiB));
}

}  // namespace
}  // namespace bzelf
