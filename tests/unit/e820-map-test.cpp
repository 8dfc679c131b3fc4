// E820Map: the base map from boot_params and the SETUP_E820_EXT nodes a
// loader chains from hdr.setup_data, read through a buffer that stands in
// for physical memory.

#include "e820-map.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

namespace bzelf {
namespace {

using linuxboot::boot_params;
using linuxboot::e820_entry;
using linuxboot::E820_TYPE_RAM;
using linuxboot::E820_TYPE_RESERVED;
using linuxboot::SETUP_E820_EXT;

constexpr uint64_t kMiB = 0x100000;

// Physical memory from kBase up, kSize bytes; reads elsewhere fail, as
// reads above 4 GiB fail in the stage.
class FakeMemory {
 public:
  static constexpr uint64_t kBase = 0x10000;
  static constexpr uint64_t kSize = 0x40000;

  FakeMemory() : bytes_(kSize) {}

  const void* Map(uint64_t addr, uint64_t size) const {
    if (addr < kBase || addr - kBase > kSize || size > kSize - (addr - kBase)) return nullptr;
    return bytes_.data() + (addr - kBase);
  }

  // Writes a setup_data node at `addr` with `entries` as its data; `len`
  // overrides the length field (to make it lie).
  void Node(uint64_t addr, uint64_t next, uint32_t type, const std::vector<e820_entry>& entries,
            int64_t len = -1) {
    linuxboot::setup_data sd{};
    sd.next = next;
    sd.type = type;
    sd.len = len >= 0 ? static_cast<uint32_t>(len)
                      : static_cast<uint32_t>(entries.size() * sizeof(e820_entry));
    uint8_t* p = bytes_.data() + (addr - kBase);
    std::memcpy(p, &sd, sizeof sd);
    if (!entries.empty()) {
      std::memcpy(p + sizeof sd, entries.data(), entries.size() * sizeof(e820_entry));
    }
  }

 private:
  std::vector<uint8_t> bytes_;
};

// boot_params with a base map that holds the fake memory's RAM (so that
// nodes in it pass the RAM check), 1 MiB to 16 MiB, and a reserved hole.
std::unique_ptr<boot_params> BaseParams() {
  auto bp = std::make_unique<boot_params>();
  std::memset(bp.get(), 0, sizeof *bp);
  bp->hdr.version = 0x020f;
  bp->e820_table[0] = {0, 0x9f000, E820_TYPE_RAM};
  bp->e820_table[1] = {0xf0000, 0x10000, E820_TYPE_RESERVED};
  bp->e820_table[2] = {kMiB, 15 * kMiB, E820_TYPE_RAM};
  bp->e820_entries = 3;
  return bp;
}

// `count` entries of RAM, 1 MiB each, from `from` up.
std::vector<e820_entry> ExtEntries(int count, uint64_t from = 16 * kMiB) {
  std::vector<e820_entry> v;
  for (int i = 0; i < count; ++i) v.push_back({from + uint64_t(i) * kMiB, kMiB, E820_TYPE_RAM});
  return v;
}

TEST(E820Map, BaseOnly) {
  auto bp = BaseParams();
  E820Map map;
  ASSERT_TRUE(map.SetBase(*bp));
  FakeMemory memory;
  E820ExtSummary s = map.AddExtensions(0, memory);
  EXPECT_EQ(s.nodes_used, 0);
  int entries = 0;
  map.ForEach([&](const e820_entry&) { ++entries; });
  EXPECT_EQ(entries, 3);
  EXPECT_TRUE(map.IsRam(2 * kMiB, 16 * kMiB));
  EXPECT_FALSE(map.IsRam(16 * kMiB, 17 * kMiB));
  EXPECT_FALSE(map.IsRam(0x9f000, 0xa0000));
}

TEST(E820Map, FallbackWithoutE820) {
  boot_params bp{};
  bp.alt_mem_k = 31 * 1024;  // E801: 31 MiB above 1 MiB
  E820Map map;
  ASSERT_TRUE(map.SetBase(bp));
  EXPECT_TRUE(map.IsRam(kMiB, 32 * kMiB));
  EXPECT_FALSE(map.IsRam(kMiB, 32 * kMiB + 1));
  boot_params none{};
  EXPECT_FALSE(map.SetBase(none));
  boot_params too_many{};
  too_many.e820_entries = 129;
  EXPECT_FALSE(map.SetBase(too_many));
}

TEST(E820Map, TakesExtensionEntries) {
  auto bp = BaseParams();
  FakeMemory memory;
  // Two nodes, one of another type between them, as a loader may chain.
  memory.Node(0x20000, 0x21000, SETUP_E820_EXT, ExtEntries(100));
  memory.Node(0x21000, 0x22000, /*SETUP_DTB*/ 2, {{0x12345, 0x678, 9}}, 16);
  std::vector<e820_entry> second = ExtEntries(50, 116 * kMiB);
  second.push_back({2 * kMiB, 0x1000, E820_TYPE_RESERVED});  // inside base RAM
  memory.Node(0x22000, 0, SETUP_E820_EXT, second);
  bp->hdr.setup_data = 0x20000;
  E820Map map;
  ASSERT_TRUE(map.SetBase(*bp));
  E820ExtSummary s = map.AddExtensions(SetupDataHead(*bp), memory);
  EXPECT_EQ(s.nodes_used, 2);
  EXPECT_EQ(s.nodes_ignored, 0);
  EXPECT_FALSE(s.walk.gave_up);
  EXPECT_EQ(map.ExtCount(), 151u);
  // RAM only the nodes describe, across the seam between base and nodes.
  EXPECT_TRUE(map.IsRam(15 * kMiB, 17 * kMiB));
  EXPECT_TRUE(map.IsRam(116 * kMiB, 166 * kMiB - 1));
  EXPECT_FALSE(map.IsRam(116 * kMiB, 166 * kMiB + 1));
  // A reserved entry from a node wins over base RAM around it.
  EXPECT_FALSE(map.IsRam(2 * kMiB - 0x1000, 2 * kMiB + 0x1000));
  EXPECT_TRUE(map.IsRam(2 * kMiB + 0x1000, 3 * kMiB));
  EXPECT_TRUE(map.IsRam(2 * kMiB, 2 * kMiB + 0x1000, /*base_only=*/true));
  // The base map alone does not know it.
  EXPECT_FALSE(map.IsRam(16 * kMiB, 17 * kMiB, /*base_only=*/true));
  int entries = 0;
  map.ForEach([&](const e820_entry&) { ++entries; });
  EXPECT_EQ(entries, 154);
}

TEST(E820Map, ProtocolBefore209HasNoSetupData) {
  auto bp = BaseParams();
  bp->hdr.version = 0x0208;
  bp->hdr.setup_data = 0x20000;
  EXPECT_EQ(SetupDataHead(*bp), 0u);
}

TEST(E820Map, IgnoresMalformedNodes) {
  constexpr uint64_t kBad = 0x20000, kGood = 0x30000;
  constexpr uint64_t kLastHeader = FakeMemory::kBase + FakeMemory::kSize - 16 - 20;
  struct Case {
    const char* what;
    uint64_t addr;
    uint32_t len;
    bool reserved_in_base;  // the base map says the node is not RAM
  };
  const Case cases[] = {
      {"len shorter than an entry", kBad, 19, false},
      {"len zero", kBad, 0, false},
      {"data runs past readable memory", kLastHeader, 2 * 20, false},
      {"node not RAM in the base map", kBad, 2 * 20, true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    FakeMemory memory;
    auto bp = BaseParams();
    if (c.reserved_in_base) {
      bp->e820_table[bp->e820_entries++] = {kBad, 0x1000, E820_TYPE_RESERVED};
    }
    // The bad node's bytes are zero: what its length covers says RAM
    // nowhere, so taking them would not show; the count does.
    memory.Node(c.addr, kGood, SETUP_E820_EXT, {}, c.len);
    // A good node after the bad one still counts: the list goes on.
    memory.Node(kGood, 0, SETUP_E820_EXT, ExtEntries(4));
    bp->hdr.setup_data = c.addr;
    E820Map map;
    ASSERT_TRUE(map.SetBase(*bp));
    E820ExtSummary s = map.AddExtensions(SetupDataHead(*bp), memory);
    EXPECT_EQ(s.nodes_ignored, 1);
    EXPECT_EQ(s.nodes_used, 1);
    EXPECT_EQ(map.ExtCount(), 4u);
    EXPECT_TRUE(map.IsRam(16 * kMiB, 20 * kMiB));
  }
}

// A len that is not whole entries: its whole entries count, as Linux
// counts them, and the rest is left out.
TEST(E820Map, LenNotWholeEntriesGivesItsWholeEntries) {
  FakeMemory memory;
  auto bp = BaseParams();
  memory.Node(0x20000, 0, SETUP_E820_EXT, ExtEntries(3), 2 * 20 + 7);
  bp->hdr.setup_data = 0x20000;
  E820Map map;
  ASSERT_TRUE(map.SetBase(*bp));
  E820ExtSummary s = map.AddExtensions(SetupDataHead(*bp), memory);
  EXPECT_EQ(s.nodes_used, 1);
  EXPECT_EQ(map.ExtCount(), 2u);
  EXPECT_TRUE(map.IsRam(16 * kMiB, 18 * kMiB));
  EXPECT_FALSE(map.IsRam(16 * kMiB, 19 * kMiB));
}

TEST(E820Map, NodeOutOfReachEndsTheWalk) {
  auto bp = BaseParams();
  FakeMemory memory;
  memory.Node(0x20000, 0x1'0000'0000ull, SETUP_E820_EXT, ExtEntries(3));
  bp->hdr.setup_data = 0x20000;
  E820Map map;
  ASSERT_TRUE(map.SetBase(*bp));
  E820ExtSummary s = map.AddExtensions(SetupDataHead(*bp), memory);
  EXPECT_EQ(s.nodes_used, 1);
  EXPECT_FALSE(s.walk.gave_up);
  EXPECT_EQ(map.ExtCount(), 3u);
}

TEST(E820Map, CyclicListStops) {
  auto bp = BaseParams();
  FakeMemory memory;
  memory.Node(0x20000, 0x21000, SETUP_E820_EXT, ExtEntries(2));
  memory.Node(0x21000, 0x20000, SETUP_E820_EXT, ExtEntries(2));
  bp->hdr.setup_data = 0x20000;
  E820Map map;
  ASSERT_TRUE(map.SetBase(*bp));
  E820ExtSummary s = map.AddExtensions(SetupDataHead(*bp), memory);
  EXPECT_TRUE(s.walk.gave_up);
  // The same two nodes again and again, up to the node limit.
  EXPECT_EQ(s.nodes_used, E820Map::kMaxExtNodes);
  EXPECT_EQ(s.nodes_used + s.nodes_ignored, kMaxSetupDataNodes);
}

TEST(E820Map, EntryCapTruncatesTheNodeThatCrossesIt) {
  auto bp = BaseParams();
  FakeMemory memory;
  const uint32_t first = E820Map::kMaxExtEntries - 10;
  memory.Node(0x20000, 0x38000, SETUP_E820_EXT, ExtEntries(first));
  memory.Node(0x38000, 0x3c000, SETUP_E820_EXT, ExtEntries(30, 2000 * kMiB));
  memory.Node(0x3c000, 0, SETUP_E820_EXT, ExtEntries(5, 3000 * kMiB));
  bp->hdr.setup_data = 0x20000;
  E820Map map;
  ASSERT_TRUE(map.SetBase(*bp));
  E820ExtSummary s = map.AddExtensions(SetupDataHead(*bp), memory);
  EXPECT_EQ(map.ExtCount(), E820Map::kMaxExtEntries);
  EXPECT_EQ(s.nodes_used, 2);
  EXPECT_EQ(s.nodes_ignored, 1);
  // The second node's first 10 entries are in, the rest are not.
  EXPECT_TRUE(map.IsRam(2000 * kMiB, 2000 * kMiB + 1));
  EXPECT_FALSE(map.IsRam(2029 * kMiB, 2030 * kMiB));
  EXPECT_FALSE(map.IsRam(3000 * kMiB, 3000 * kMiB + 1));
}

TEST(E820Map, NodeCap) {
  auto bp = BaseParams();
  FakeMemory memory;
  const int nodes = E820Map::kMaxExtNodes + 3;
  for (int i = 0; i < nodes; ++i) {
    uint64_t at = 0x20000 + uint64_t(i) * 0x100;
    memory.Node(at, i + 1 < nodes ? at + 0x100 : 0, SETUP_E820_EXT,
                ExtEntries(1, (100 + uint64_t(i)) * kMiB));
  }
  bp->hdr.setup_data = 0x20000;
  E820Map map;
  ASSERT_TRUE(map.SetBase(*bp));
  E820ExtSummary s = map.AddExtensions(SetupDataHead(*bp), memory);
  EXPECT_EQ(s.nodes_used, E820Map::kMaxExtNodes);
  EXPECT_EQ(s.nodes_ignored, 3);
  EXPECT_FALSE(s.walk.gave_up);
  EXPECT_TRUE(map.IsRam((100 + E820Map::kMaxExtNodes - 1) * kMiB, (100 + E820Map::kMaxExtNodes) * kMiB));
  EXPECT_FALSE(map.IsRam((100 + E820Map::kMaxExtNodes) * kMiB, (101 + E820Map::kMaxExtNodes) * kMiB));
}

// Where WalkSetupData() stops, and why: a list of exactly the node limit
// ends; one more node is a loop; a `next` out of reach (above 4 GiB in the
// stage) stops the walk there, even right at the limit.
TEST(SetupData, WalkStopsAtTheEndTheLimitOrOutOfReach) {
  FakeMemory memory;
  auto chain = [&](int nodes, uint64_t last_next) {
    for (int i = 0; i < nodes; ++i) {
      uint64_t at = 0x20000 + uint64_t(i) * 0x100;
      memory.Node(at, i + 1 < nodes ? at + 0x100 : last_next, /*SETUP_DTB*/ 2, {});
    }
  };
  int walked = 0;
  auto count = [&](uint64_t, const linuxboot::setup_data&) { ++walked; };

  chain(kMaxSetupDataNodes, 0);
  SetupDataWalk w = WalkSetupData(0x20000, memory, count);
  EXPECT_EQ(walked, kMaxSetupDataNodes);
  EXPECT_EQ(w.stopped_at, 0u);
  EXPECT_FALSE(w.gave_up);

  const uint64_t beyond = 0x20000 + uint64_t(kMaxSetupDataNodes) * 0x100;
  chain(kMaxSetupDataNodes + 1, 0);
  walked = 0;
  w = WalkSetupData(0x20000, memory, count);
  EXPECT_EQ(walked, kMaxSetupDataNodes);
  EXPECT_EQ(w.stopped_at, beyond);
  EXPECT_TRUE(w.gave_up);

  const uint64_t out_of_reach = 0x1'0000'0000ull;
  chain(kMaxSetupDataNodes, out_of_reach);
  walked = 0;
  w = WalkSetupData(0x20000, memory, count);
  EXPECT_EQ(walked, kMaxSetupDataNodes);
  EXPECT_EQ(w.stopped_at, out_of_reach);
  EXPECT_FALSE(w.gave_up);

  // A header that runs past the end of what can be read.
  walked = 0;
  w = WalkSetupData(FakeMemory::kBase + FakeMemory::kSize - 8, memory, count);
  EXPECT_EQ(walked, 0);
  EXPECT_EQ(w.stopped_at, FakeMemory::kBase + FakeMemory::kSize - 8);
  EXPECT_FALSE(w.gave_up);
}

}  // namespace
}  // namespace bzelf
