// The memory planner (lib/memory-plan.h, lib/placement.cpp) on the host:
// every row of tests/hostile/run.sh as the stage sees it under QEMU
// -kernel, the corner cases of the map and the kept ranges, and a corpus
// of real machines' E820 maps (e820-corpus.cpp) checked against a second,
// independent computation of the same answers.

#include "memory-plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "e820-corpus.h"
#include "plan-fixtures.h"
#include "identity-map.h"
#include "pvh.h"
#include "stage-move.h"

namespace bzelf {
namespace {

using linuxboot::boot_params;
using linuxboot::e820_entry;
using linuxboot::E820_TYPE_RAM;
using linuxboot::E820_TYPE_RESERVED;

constexpr uint64_t kKiB = 0x400;
using testing::DebianAmd64Segments;
using testing::FakeMemory;
using testing::HexString;
using testing::kMiB;
using testing::Oracle;
using testing::RealMachine;

// What QEMU -kernel sets up for an image under SeaBIOS (read off a test
// kernel's report, tests/kernels: "bzelf-test: e820: ..."): the map for
// -m `mib` MiB, boot_params in the setup's bss in its segment at 0x10000
// (where it is depends on the setup's size), the command
// line at 0x20000, the initrd at the top of RAM below 0x7FFFFFFF, part 5
// at 1 MiB with its arena. The figures of the stage are a test32 image's.
struct QemuMachine {
  static constexpr uint64_t kBootParams = 0x119f0;
  static constexpr uint64_t kCmdline = 0x20000;
  static constexpr uint64_t kStage = kMiB;
  static constexpr uint32_t kFileSize = 0x52ae0;
  static constexpr uint32_t kArenaOffset = 0x53000;

  FakeMemory memory;
  boot_params* bp;
  StageExtent stage{kStage, kFileSize, kArenaOffset, kArenaSize};

  explicit QemuMachine(uint64_t mib) {
    bp = reinterpret_cast<boot_params*>(memory.Add(kBootParams, sizeof(boot_params)));
    bp->hdr.version = linuxboot::kProtocolVersion;
    bp->hdr.cmdline_size = linuxboot::kCmdlineSize;
    const uint64_t top = mib * kMiB - 128 * kKiB;
    const e820_entry map[] = {
        {0, 0x9fc00, E820_TYPE_RAM},
        {0x9fc00, 0x400, E820_TYPE_RESERVED},
        {0xf0000, 0x10000, E820_TYPE_RESERVED},
        {kMiB, top - kMiB, E820_TYPE_RAM},
        {top, 128 * kKiB, E820_TYPE_RESERVED},
        {0xfffc0000, 0x40000, E820_TYPE_RESERVED},
        {0xfd00000000, 0x300000000, E820_TYPE_RESERVED},
    };
    std::copy(std::begin(map), std::end(map), bp->e820_table);
    bp->e820_entries = std::size(map);
    ram_top_ = top;
  }

  void Cmdline(const std::string& text) {
    std::memcpy(memory.Add(kCmdline, 4096), text.c_str(), text.size() + 1);
    bp->hdr.cmd_line_ptr = kCmdline;
  }
  // QEMU puts the initrd page-aligned at the top of RAM.
  void Initrd(uint64_t size) {
    bp->hdr.ramdisk_image = static_cast<uint32_t>((ram_top_ - size) & ~uint64_t{0xfff});
    bp->hdr.ramdisk_size = static_cast<uint32_t>(size);
  }

  PlanError Plan(MemoryPlan& plan) const {
    return plan.Init(*bp, kBootParams, memory, stage);
  }

  uint64_t ram_top_;
};

// The four PT_LOADs of tests/kernels' test32 and test64, from `base`
// (readelf -l of build/kernels/test32.elf and test64.elf), with `bss_extra`
// more .bss, as the hostile kernels of tests/kernels/build.mk add.
std::vector<StageSegment> Test32(uint64_t base, uint64_t bss_extra = 0) {
  return {{base, 0x1b2e, 0x1b2e},
          {base + 0x2000, 0x4c55, 0x4c55},
          {base + 0x7000, 0x40064, 0x40064},
          {base + 0x48000, 0, 0x104000 + bss_extra}};
}
std::vector<StageSegment> Test64(uint64_t base = 16 * kMiB, uint64_t bss_extra = 0) {
  return {{base, 0x173b, 0x173b},
          {base + 0x2000, 0x4d88, 0x4d88},
          {base + 0x7000, 0x40070, 0x40070},
          {base + 0x48000, 0, 0x10c000 + bss_extra}};
}

// A plan's verdict on a kernel, as the halt line would give it ("" when
// the kernel fits), and where the stage moves.
struct Verdict {
  std::string line;
  KernelPlan plan;
};

Verdict Judge(const QemuMachine& m, const std::vector<StageSegment>& kernel) {
  MemoryPlan plan;
  Verdict v;
  PlanError e = m.Plan(plan);
  if (!e) e = PlanKernel(plan, kernel.data(), static_cast<unsigned>(kernel.size()), &v.plan);
  if (e) {
    const Failure f = ToFailure(e);
    v.line = std::string(f.what) + ": " + f.detail.c_str();
  }
  return v;
}

// ---- tests/hostile/run.sh, row by row ------------------------------------

TEST(MemoryPlanHostile, OverWhatTheLoaderHandedOver) {
  {
    QemuMachine m(128);
    EXPECT_EQ(Judge(m, Test32(0x10000)).line,
              "memory: kernel segment 0 at 0x10000-0x11b2e overlaps boot_params at "
              "0x119f0-0x129f0");
  }
  {
    QemuMachine m(128);
    m.Cmdline("console=ttyS0 hostile");
    EXPECT_EQ(Judge(m, Test32(0x20000)).line,
              "memory: kernel segment 0 at 0x20000-0x21b2e overlaps the command line at "
              "0x20000-0x20016");
  }
  {
    QemuMachine m(128);
    m.Initrd(1 * kMiB);
    EXPECT_EQ(Judge(m, Test32(0x7e00000)).line,
              "memory: kernel segment 3 at 0x7e48000-0x7f4c000 overlaps the initrd at "
              "0x7ee0000-0x7fe0000");
    QemuMachine none(128);
    EXPECT_EQ(Judge(none, Test32(0x7e00000)).line, "");
  }
  {
    QemuMachine m(40);
    m.Initrd(24 * kMiB);
    EXPECT_EQ(Judge(m, Test64()).line,
              "memory: kernel segment 0 at 0x1000000-0x100173b overlaps the initrd at "
              "0xfe0000-0x27e0000");
  }
}

// The map an EFI loader leaves for Linux (efi_info, "EL64") is kept like
// the initrd: a kernel over it is refused, and KASLR's free ranges (the
// same plan) leave it out.
TEST(MemoryPlanHostile, OverTheEfiMemoryMap) {
  QemuMachine m(128);
  linuxboot::efi_info efi{};
  efi.efi_loader_signature = linuxboot::EFI64_LOADER_SIGNATURE;
  efi.efi_memmap = 0x7e50000;
  efi.efi_memmap_size = 0x1800;
  std::memcpy(m.bp->efi_info, &efi, sizeof efi);
  EXPECT_EQ(Judge(m, Test32(0x7e00000)).line,
            "memory: kernel segment 3 at 0x7e48000-0x7f4c000 overlaps the EFI memory map at "
            "0x7e50000-0x7e51800");
  // Without the signature the same words are no loader's map.
  efi.efi_loader_signature = 0;
  std::memcpy(m.bp->efi_info, &efi, sizeof efi);
  EXPECT_EQ(Judge(m, Test32(0x7e00000)).line, "");
}

TEST(MemoryPlanHostile, OverTheStageItMoves) {
  for (uint64_t base : {kMiB, uint64_t{0x150000}}) {
    QemuMachine m(128);
    Verdict v = Judge(m, Test32(base));
    EXPECT_EQ(v.line, "") << std::hex << base;
    EXPECT_TRUE(v.plan.move_stage);
    // The lowest page at or above 1 MiB past the kernel's last byte.
    const std::vector<StageSegment> k = Test32(base);
    EXPECT_EQ(v.plan.stage_to, k.back().paddr + k.back().memsz) << std::hex << base;
  }
  QemuMachine m(128);
  Verdict v = Judge(m, Test64(kMiB));
  EXPECT_EQ(v.line, "");
  EXPECT_TRUE(v.plan.move_stage);
  EXPECT_EQ(v.plan.stage_to, 0x148000u + 0x10c000u);
  // A kernel clear of the stage leaves it where it is.
  Verdict stay = Judge(m, Test32(2 * kMiB));
  EXPECT_EQ(stay.line, "");
  EXPECT_FALSE(stay.plan.move_stage);
}

TEST(MemoryPlanHostile, PvhBootParamsInTheArenaMoveWithTheStage) {
  QemuMachine m(128);
  // The PVH entry builds boot_params in the arena's zero page: the kernel
  // may cover it, since it moves with the stage.
  MemoryPlan plan;
  const uint64_t zero_page = m.stage.base + m.stage.arena_offset + kArenaZeroPageOffset;
  ASSERT_FALSE(plan.Init(*m.bp, zero_page, m.memory, m.stage));
  const auto kernel = Test32(kMiB);
  KernelPlan kp;
  EXPECT_FALSE(PlanKernel(plan, kernel.data(), 4, &kp));
  EXPECT_TRUE(kp.move_stage);
  // Not so once the stage has no say: the same range checked strictly.
  PlanError e = plan.Check({zero_page, zero_page + 1}, "x", 0);
  EXPECT_EQ(e.kind, PlanError::Kind::kOverlaps);
}

TEST(MemoryPlanHostile, NotRam) {
  QemuMachine m(128);
  EXPECT_EQ(Judge(m, Test32(0x60000)).line,
            "memory: kernel segment 2 at 0x67000-0xa7064 is not RAM in the E820 map");
  EXPECT_EQ(Judge(m, Test32(0xa0000)).line,
            "memory: kernel segment 0 at 0xa0000-0xa1b2e is not RAM in the E820 map");
  EXPECT_EQ(Judge(m, Test32(0x7f00000)).line,
            "memory: kernel segment 3 at 0x7f48000-0x804c000 is not RAM in the E820 map");
  EXPECT_EQ(Judge(m, Test32(0xc800000)).line,
            "memory: kernel segment 0 at 0xc800000-0xc801b2e is not RAM in the E820 map");
  QemuMachine big(256);
  EXPECT_EQ(Judge(big, Test32(0xc800000)).line, "");
}

TEST(MemoryPlanHostile, TooBigForTheMachine) {
  QemuMachine m32(32);
  EXPECT_EQ(Judge(m32, Test64(16 * kMiB, 16 * kMiB)).line,
            "memory: kernel segment 3 at 0x1048000-0x2154000 is not RAM in the E820 map");
  QemuMachine m128(128);
  EXPECT_EQ(Judge(m128, Test64(16 * kMiB, 16 * kMiB)).line, "");

  // hostile-lowbig32: fits -m 32 only where the stage is.
  const auto lowbig = Test32(kMiB, 0x1d54000);
  EXPECT_EQ(Judge(m32, lowbig).line,
            "memory: the kernel overlaps the boot stage at 0x100000 and there is no free RAM "
            "to move the stage to (413696 bytes)");
  QemuMachine m24(24);
  EXPECT_EQ(Judge(m24, lowbig).line,
            "memory: kernel segment 3 at 0x148000-0x1fa0000 is not RAM in the E820 map");
  Verdict v = Judge(m128, lowbig);
  EXPECT_EQ(v.line, "");
  EXPECT_EQ(v.plan.stage_to, 0x1fa0000u);

  QemuMachine m48(48);
  EXPECT_EQ(Judge(m48, DebianAmd64Segments()).line,
            "memory: kernel segment 1 at 0x2a00000-0x3044000 is not RAM in the E820 map");
}

// setup_data nodes in fake memory: the e820-ext rows.
struct Node {
  uint64_t addr;
  uint64_t next;
  uint32_t type;
  std::vector<e820_entry> entries;
  int64_t len = -1;  // a lie about the length, when >= 0
};

void WriteNodes(QemuMachine& m, const std::vector<Node>& nodes) {
  for (const Node& n : nodes) {
    const uint32_t len = n.len >= 0 ? static_cast<uint32_t>(n.len)
                                    : static_cast<uint32_t>(n.entries.size() * sizeof(e820_entry));
    const size_t data = std::max<size_t>(len, n.entries.size() * sizeof(e820_entry));
    uint8_t* p = m.memory.Add(n.addr, sizeof(linuxboot::setup_data) + data);
    const linuxboot::setup_data sd{n.next, n.type, len};
    std::memcpy(p, &sd, sizeof sd);
    std::memcpy(p + sizeof sd, n.entries.data(), n.entries.size() * sizeof(e820_entry));
  }
  m.bp->hdr.setup_data = nodes.empty() ? 0 : nodes[0].addr;
}

TEST(MemoryPlanHostile, E820Extensions) {
  using linuxboot::SETUP_E820_EXT;
  // split: boot_params holds only the map below 1 MiB; the RAM the kernel
  // needs is in the node.
  {
    QemuMachine m(128);
    m.bp->e820_entries = 3;
    WriteNodes(m, {{0x30000, 0, SETUP_E820_EXT, {{kMiB, 127 * kMiB - 128 * kKiB, E820_TYPE_RAM}}}});
    EXPECT_EQ(Judge(m, Test32(2 * kMiB)).line, "");
    // A node shorter than an entry is ignored: the arena is not RAM.
    QemuMachine bad(128);
    bad.bp->e820_entries = 3;
    WriteNodes(bad, {{0x30000, 0, SETUP_E820_EXT, {{kMiB, 127 * kMiB, E820_TYPE_RAM}}, 19}});
    EXPECT_EQ(Judge(bad, Test32(2 * kMiB)).line,
              "memory: the boot stage's memory at 0x153000-0x165000 is not RAM in the E820 map");
  }
  // reserve: the node marks the kernel's first page reserved; bad-len:
  // the same with a len that is not whole entries, whose whole entry
  // counts, as Linux counts it.
  for (int64_t len : {-1, 20 + 7}) {
    QemuMachine m(128);
    WriteNodes(m, {{0x30000, 0, SETUP_E820_EXT, {{2 * kMiB, 0x1000, E820_TYPE_RESERVED}}, len}});
    EXPECT_EQ(Judge(m, Test32(2 * kMiB)).line,
              "memory: kernel segment 0 at 0x200000-0x201b2e is not RAM in the E820 map")
        << len;
  }
  // over-node: a node where the kernel goes is kept clear.
  {
    QemuMachine m(128);
    WriteNodes(m, {{0x201000, 0, SETUP_E820_EXT, {{0x9000000, kMiB, E820_TYPE_RAM}}}});
    EXPECT_EQ(Judge(m, Test32(2 * kMiB)).line,
              "memory: kernel segment 0 at 0x200000-0x201b2e overlaps setup_data at "
              "0x201000-0x201024");
  }
  // loop: the node links to itself.
  {
    QemuMachine m(128);
    WriteNodes(m, {{0x30000, 0x30000, SETUP_E820_EXT, {}}});
    EXPECT_EQ(Judge(m, Test32(2 * kMiB)).line,
              "setup_data: list node at 0x30000: the list does not end");
  }
  // A node out of reach below 4 GiB is kept up to 4 GiB.
  {
    QemuMachine m(128);
    m.bp->hdr.setup_data = 0x4000000;  // no memory there in FakeMemory
    EXPECT_EQ(Judge(m, Test32(2 * kMiB)).line, "");
    EXPECT_EQ(Judge(m, Test32(0x7000000)).line,
              "memory: kernel segment 0 at 0x7000000-0x7001b2e overlaps setup_data at "
              "0x4000000-0x100000000");
  }
}

// A SETUP_INDIRECT node: what it points at is kept as the node is, unless
// its type is SETUP_INDIRECT alone (Linux's rule).
TEST(MemoryPlanHostile, SetupIndirectKeepsWhatItPointsAt) {
  using linuxboot::SETUP_INDIRECT;
  for (uint32_t inner : {SETUP_INDIRECT | 1u, SETUP_INDIRECT}) {
    QemuMachine m(128);
    uint8_t* p = m.memory.Add(0x30000, sizeof(linuxboot::setup_data) +
                                           sizeof(linuxboot::setup_indirect));
    const linuxboot::setup_data sd{0, SETUP_INDIRECT, sizeof(linuxboot::setup_indirect)};
    const linuxboot::setup_indirect si{inner, 0, 0x1000, 2 * kMiB + 0x1000};
    std::memcpy(p, &sd, sizeof sd);
    std::memcpy(p + sizeof sd, &si, sizeof si);
    m.bp->hdr.setup_data = 0x30000;
    EXPECT_EQ(Judge(m, Test32(2 * kMiB)).line,
              inner == SETUP_INDIRECT
                  ? ""
                  : "memory: kernel segment 0 at 0x200000-0x201b2e overlaps setup_data at "
                    "0x201000-0x202000")
        << std::hex << inner;
  }
  // A whole list of them: every node and what it points at are kept.
  QemuMachine m(128);
  const uint64_t first = 0x30000;
  constexpr uint64_t kNodeBytes = sizeof(linuxboot::setup_data) + sizeof(linuxboot::setup_indirect);
  for (int i = 0; i < kMaxSetupDataNodes; ++i) {
    const uint64_t at = first + i * kNodeBytes;
    uint8_t* p = m.memory.Add(at, kNodeBytes);
    const uint64_t next = i + 1 < kMaxSetupDataNodes ? at + kNodeBytes : 0;
    const linuxboot::setup_data sd{next, SETUP_INDIRECT, sizeof(linuxboot::setup_indirect)};
    const linuxboot::setup_indirect si{SETUP_INDIRECT | 1u, 0, 0x1000, 0x4000000 + i * 0x1000ull};
    std::memcpy(p, &sd, sizeof sd);
    std::memcpy(p + sizeof sd, &si, sizeof si);
  }
  m.bp->hdr.setup_data = first;
  EXPECT_EQ(Judge(m, Test32(2 * kMiB)).line, "");
  // The last node's data too.
  EXPECT_EQ(Judge(m, Test32(0x403f000)).line,
            "memory: kernel segment 0 at 0x403f000-0x4040b2e overlaps setup_data at "
            "0x403f000-0x4040000");
}

// ---- the rules, one at a time ---------------------------------------------

TEST(MemoryPlan, AdjacentAndOverlappingRamEntriesAreOneRange) {
  QemuMachine m(128);
  // 1 MiB-127.875 MiB in three pieces: adjacent, overlapping, unsorted.
  const e820_entry map[] = {
      {0, 0x9fc00, E820_TYPE_RAM},
      {64 * kMiB, 64 * kMiB - 128 * kKiB, E820_TYPE_RAM},
      {kMiB, 31 * kMiB, E820_TYPE_RAM},
      {30 * kMiB, 34 * kMiB, E820_TYPE_RAM},
  };
  std::copy(std::begin(map), std::end(map), m.bp->e820_table);
  m.bp->e820_entries = std::size(map);
  EXPECT_EQ(Judge(m, Test32(31 * kMiB, 40 * kMiB)).line, "");
  // The stage's new place may span the pieces too: a kernel from 1 MiB
  // that ends 64 KiB short of 64 MiB, where two entries meet.
  Verdict v = Judge(m, Test32(kMiB, 0x3ff0000 - 0x24c000));
  EXPECT_EQ(v.line, "");
  EXPECT_TRUE(v.plan.move_stage);
  EXPECT_EQ(v.plan.stage_to, 0x3ff0000u);
  // A reserved range inside RAM wins.
  m.bp->e820_table[m.bp->e820_entries++] = {40 * kMiB, 0x1000, E820_TYPE_RESERVED};
  EXPECT_EQ(Judge(m, Test32(31 * kMiB, 40 * kMiB)).line,
            "memory: kernel segment 3 at 0x1f48000-0x484c000 is not RAM in the E820 map");
  // The stage's place starts where such a range ends, not only where RAM
  // starts or something kept ends.
  m.bp->e820_table[m.bp->e820_entries++] = {kMiB, 0x80000, E820_TYPE_RESERVED};
  MemoryPlan plan;
  m.stage.base = 100 * kMiB;  // out of the way
  ASSERT_FALSE(m.Plan(plan));
  EXPECT_EQ(plan.FindFree(0x1000, kPageSize, kMiB, k4GiB, nullptr, 0), 0x180000u);
}

TEST(MemoryPlan, E801And88hFallbackTakesTheLarger) {
  QemuMachine m(128);
  m.bp->e820_entries = 0;
  m.bp->alt_mem_k = 15 * 1024;                // E801 stopped at a hole below 16 MiB
  m.bp->screen_info.ext_mem_k = 63 * 1024;    // AH=88h: 63 MiB above 1 MiB
  EXPECT_EQ(Judge(m, Test32(2 * kMiB, 40 * kMiB)).line, "");
  m.bp->screen_info.ext_mem_k = 0;
  EXPECT_EQ(Judge(m, Test32(2 * kMiB, 40 * kMiB)).line,
            "memory: kernel segment 3 at 0x248000-0x2b4c000 is not RAM in the E820 map");
  m.bp->alt_mem_k = 0;
  EXPECT_EQ(Judge(m, Test32(2 * kMiB)).line,
            "memory: boot_params has no usable memory map (e820_entries=0, no E801/88h sizes "
            "either)");
  // Below 1 MiB the fallback has the conventional memory below the EBDA.
  m.bp->alt_mem_k = 64 * 1024;
  MemoryPlan plan;
  ASSERT_FALSE(m.Plan(plan));
  EXPECT_FALSE(plan.Check({0x9e000, 0x9f000}, "x", 0));
  EXPECT_EQ(plan.Check({0x9e000, 0x9f001}, "x", 0).kind, PlanError::Kind::kNotRam);
  EXPECT_EQ(plan.Check({0xfffff, kMiB + 1}, "x", 0).kind, PlanError::Kind::kNotRam);
}

TEST(MemoryPlan, CommandLineLengthFollowsTheProtocol) {
  QemuMachine m(128);
  m.Cmdline("short");
  MemoryPlan plan;
  ASSERT_FALSE(m.Plan(plan));
  // Its NUL included, nothing past it.
  auto kept = [&](uint64_t start, uint64_t end) {
    const PlanError e = plan.Check({start, end}, "x", 0);
    return e.kind == PlanError::Kind::kOverlaps && e.kept == Kept::kCmdline;
  };
  EXPECT_FALSE(plan.Check({QemuMachine::kCmdline + 6, QemuMachine::kCmdline + 7}, "x", 0));
  EXPECT_TRUE(kept(QemuMachine::kCmdline + 5, QemuMachine::kCmdline + 6));
  // Unreadable: kept whole, cmdline_size + 1 bytes; before 2.06, 256.
  m.bp->hdr.cmd_line_ptr = 0x40000;
  ASSERT_FALSE(m.Plan(plan));
  EXPECT_TRUE(kept(0x40000 + 0x7ff, 0x40000 + 0x800));
  EXPECT_FALSE(plan.Check({0x40000 + 0x800, 0x40000 + 0x801}, "x", 0));
  m.bp->hdr.version = 0x0205;
  ASSERT_FALSE(m.Plan(plan));
  EXPECT_TRUE(kept(0x40000 + 255, 0x40000 + 256));
  EXPECT_FALSE(plan.Check({0x40000 + 256, 0x40000 + 257}, "x", 0));
  // Above 4 GiB through ext_cmd_line_ptr: kept where it is.
  m.bp->hdr.version = linuxboot::kProtocolVersion;
  m.bp->ext_cmd_line_ptr = 1;
  m.bp->hdr.cmd_line_ptr = 0;
  EXPECT_EQ(CmdlineAddress(*m.bp), uint64_t{1} << 32);
}

// A 64-bit loader's initrd (the EFI handover entry's boot_params): the
// high halves at 0x0c0 and 0x0c4 count, for the address and for the size,
// even when the low half of the size is 0.
TEST(MemoryPlan, TheInitrdTakesItsHighHalves) {
  linuxboot::boot_params bp{};
  EXPECT_EQ(InitrdSize(bp), 0u);
  bp.hdr.ramdisk_image = 0x2000'0000;
  bp.ext_ramdisk_image = 1;
  bp.hdr.ramdisk_size = 0;
  bp.ext_ramdisk_size = 1;
  EXPECT_EQ(InitrdAddress(bp), 0x1'2000'0000u);
  EXPECT_EQ(InitrdSize(bp), 0x1'0000'0000u);
  bp.hdr.ramdisk_size = 0x345;
  bp.ext_ramdisk_size = 0;
  EXPECT_EQ(InitrdSize(bp), 0x345u);
}

TEST(MemoryPlan, BelowFourGiBAndTheBiosDataArea) {
  QemuMachine m(128);
  m.bp->e820_table[m.bp->e820_entries++] = {0x100000000, 4 * 1024 * kMiB, E820_TYPE_RAM};
  MemoryPlan plan;
  ASSERT_FALSE(m.Plan(plan));
  PlanError e = plan.Check({0xffff0000, 0x100010000}, "kernel segment", 2);
  EXPECT_EQ(e.kind, PlanError::Kind::kNotBelow4G);
  Message text;
  Describe(e, text);
  EXPECT_STREQ(text.c_str(), "kernel segment 2 at 0xffff0000-0x100010000 is not below 4 GiB");
  EXPECT_EQ(plan.Check({0x400, 0x600}, "part 5", -1).kept, Kept::kBiosData);
  Describe(plan.Check({0x400, 0x600}, "part 5", -1), text = Message());
  EXPECT_STREQ(text.c_str(), "part 5 at 0x400-0x600 overlaps the BIOS data area at 0x0-0x500");
  // An empty range writes nothing, inside a reserved range too.
  EXPECT_FALSE(plan.Check({0x9fd00, 0x9fd00}, "x", 0));
  // A range that wraps is not below 4 GiB either.
  EXPECT_EQ(plan.Check({0x2000, 0x1000}, "x", 0).kind, PlanError::Kind::kNotBelow4G);
  // Segments whose end wraps past 2^64 or whose filesz is over memsz.
  std::vector<StageSegment> bad = {{~uint64_t{0} - 10, 0, 100}};
  KernelPlan kp;
  EXPECT_EQ(PlanKernel(plan, bad.data(), 1, &kp).kind, PlanError::Kind::kBadSegment);
  bad = {{2 * kMiB, 0x2000, 0x1000}};
  Describe(PlanKernel(plan, bad.data(), 1, &kp), text = Message());
  EXPECT_STREQ(text.c_str(), "segment 0 has filesz > memsz");
}

TEST(MemoryPlan, FindFreeHonoursAlignmentFloorCeilingAndAvoid) {
  QemuMachine m(128);
  MemoryPlan plan;
  ASSERT_FALSE(m.Plan(plan));
  // The stage is kept, so the lowest place at 1 MiB is past it.
  const uint64_t past_stage = m.stage.All().end;
  EXPECT_EQ(plan.FindFree(0x1000, kPageSize, kMiB, k4GiB, nullptr, 0), past_stage);
  const Range avoid[] = {{past_stage, 3 * kMiB}};
  EXPECT_EQ(plan.FindFree(0x1000, kPageSize, kMiB, k4GiB, avoid, 1), 3 * kMiB);
  EXPECT_EQ(plan.FindFree(0x1000, 2 * kMiB, kMiB, k4GiB, avoid, 1), 4 * kMiB);
  EXPECT_EQ(plan.FindFree(0x1000, kPageSize, 5 * kMiB + 1, k4GiB, nullptr, 0), 5 * kMiB + 0x1000);
  // The largest free block runs from past the stage to the end of RAM.
  EXPECT_EQ(plan.FindFree(0x7fe0000 - past_stage, kPageSize, kMiB, k4GiB, nullptr, 0),
            past_stage);
  EXPECT_EQ(plan.FindFree(0x7fe0000 - past_stage + 1, kPageSize, kMiB, k4GiB, nullptr, 0), 0u);
  EXPECT_EQ(plan.FindFree(0x1000, kPageSize, kMiB, 2 * kMiB, avoid, 1), 0u);
  EXPECT_EQ(plan.FindFree(k4GiB, kPageSize, kMiB, k4GiB, nullptr, 0), 0u);
}

TEST(MemoryPlan, WhatMovesWithTheStageAndWhatDoesNot) {
  // A loader that ignores init_size (Limine does, DESIGN.md) may put the
  // initrd where the stage's arena goes: the arena is written from the
  // start, so that is refused before anything else.
  {
    QemuMachine m(128);
    m.bp->hdr.ramdisk_image = static_cast<uint32_t>(m.stage.Arena().start + 0x2000);
    m.bp->hdr.ramdisk_size = 0x1000;
    MemoryPlan plan;
    Message text;
    Describe(m.Plan(plan), text);
    EXPECT_STREQ(text.c_str(),
                 "the boot stage's memory at 0x153000-0x165000 overlaps the initrd at "
                 "0x155000-0x156000");
  }
  // Between part 5's last byte and its arena: the stage may move, but
  // the initrd stays, and a kernel over it is refused.
  {
    QemuMachine m(128);
    m.bp->hdr.ramdisk_image = static_cast<uint32_t>(m.stage.base + m.stage.file_size);
    m.bp->hdr.ramdisk_size = 0x100;
    EXPECT_EQ(Judge(m, Test32(kMiB)).line,
              "memory: kernel segment 3 at 0x148000-0x24c000 overlaps the initrd at "
              "0x152ae0-0x152be0");
  }
  // boot_params and a command line in the arena's two data pages move
  // with it; anywhere else in the arena they cannot be.
  {
    QemuMachine m(128);
    const uint64_t pages = m.stage.Arena().start + kArenaZeroPageOffset;
    m.bp->hdr.cmd_line_ptr = static_cast<uint32_t>(pages + kArenaCmdlineOffset -
                                                   kArenaZeroPageOffset);
    MemoryPlan plan;
    ASSERT_FALSE(plan.Init(*m.bp, pages, m.memory, m.stage));
    const auto kernel = Test32(kMiB);
    KernelPlan kp;
    EXPECT_FALSE(PlanKernel(plan, kernel.data(), 4, &kp));
    EXPECT_TRUE(kp.move_stage);
    Message text;
    Describe(plan.Init(*m.bp, m.stage.Arena().start, m.memory, m.stage), text);
    EXPECT_STREQ(text.c_str(),
                 "the boot stage's memory at 0x153000-0x165000 overlaps boot_params at "
                 "0x153000-0x154000");
  }
  // An arena past the end of RAM.
  {
    QemuMachine m(128);
    m.stage.base = 0x7fe0000 - m.stage.arena_offset;
    MemoryPlan plan;
    EXPECT_EQ(m.Plan(plan).kind, PlanError::Kind::kNotRam);
  }
}

TEST(RangeMemory, MapsOnlyInsideItsRanges) {
  RangeMemory memory;
  memory.Add(0x1000, 0x1000);
  memory.Add(~uint64_t{0} - 0x100, 0x1000);  // wraps: kept to the top
  EXPECT_NE(memory.Map(0x1000, 0x1000), nullptr);
  EXPECT_NE(memory.Map(0x1fff, 1), nullptr);
  EXPECT_NE(memory.Map(0x2000, 0), nullptr);
  EXPECT_EQ(memory.Map(0x1fff, 2), nullptr);
  EXPECT_EQ(memory.Map(0xfff, 1), nullptr);
  EXPECT_EQ(memory.Map(0x3000, 1), nullptr);  // past the range's end
  EXPECT_EQ(memory.Map(0x1'0000'0000, 16), nullptr);
  EXPECT_NE(memory.Map(~uint64_t{0} - 0x10, 0x10), nullptr);
}

// ---- real machines ---------------------------------------------------------

// The halt line the planner must print for `kernel` on `m`, or "" when the
// kernel fits, worked out by the oracle; `stage_to` gets where the stage
// must move (0: it stays).
std::string Expected(const RealMachine& m, const std::vector<e820_entry>& map,
                     const std::vector<StageSegment>& kernel, uint64_t* stage_to) {
  *stage_to = 0;
  const Oracle ram(map);
  const auto kept = m.Kept();
  bool covers_stage = false;
  char line[256];
  for (size_t i = 0; i < kernel.size(); ++i) {
    const Range r{kernel[i].paddr, kernel[i].paddr + kernel[i].memsz};
    std::snprintf(line, sizeof line, "memory: kernel segment %zu at %s-%s", i,
                  HexString(r.start).c_str(), HexString(r.end).c_str());
    if (!ram.Contains(r.start, r.end)) return std::string(line) + " is not RAM in the E820 map";
    for (const auto& [range, name] : kept) {
      if (name.rfind("the boot stage", 0) == 0) continue;  // it can move
      if (range.Overlaps(r)) {
        return std::string(line) + " overlaps " + name + " at " + HexString(range.start) + "-" +
               HexString(range.end);
      }
    }
    covers_stage = covers_stage || r.Overlaps(m.stage.All());
  }
  if (!covers_stage) return "";
  Oracle home = ram;
  for (const auto& [range, name] : kept) home.Remove(range.start, range.end);
  for (const StageSegment& s : kernel) home.Remove(s.paddr, s.paddr + s.memsz);
  *stage_to = home.Lowest(m.stage.Size(), kMiB);
  if (*stage_to != 0) return "";
  return "memory: the kernel overlaps the boot stage at " + HexString(m.stage.base) +
         " and there is no free RAM to move the stage to (" + std::to_string(m.stage.Size()) +
         " bytes)";
}

TEST(MemoryPlanCorpus, EveryMachineEveryLayout) {
  int machines = 0, placed = 0, refused = 0, moved = 0;
  for (const testing::E820Machine& machine : testing::E820Corpus()) {
    std::string error;
    const auto entries = testing::ParseDmesgE820(machine.text, &error);
    ASSERT_TRUE(entries.has_value()) << machine.name << ": " << error;
    ++machines;
    RealMachine m(*entries);
    MemoryPlan plan;
    ASSERT_FALSE(m.Init(plan)) << machine.name;

    // Kernels at 1 MiB (over the stage), 2 MiB, 15 MiB (the ISA hole of
    // old PCs), 16 MiB (Linux's default), 64 MiB, 2 GiB and 3 GiB (where
    // PCI windows usually are), small, with 32 MiB of .bss, and with
    // 512 MiB of it; and Debian's.
    std::vector<std::vector<StageSegment>> kernels;
    for (uint64_t base : {kMiB, 2 * kMiB, 15 * kMiB, 16 * kMiB, 64 * kMiB, 2048 * kMiB,
                          3072 * kMiB}) {
      kernels.push_back(Test32(base));
      kernels.push_back(Test32(base, 32 * kMiB));
      kernels.push_back(Test32(base, 512 * kMiB));
    }
    kernels.push_back(DebianAmd64Segments());
    // And a kernel right over the initrd.
    if (m.initrd != 0) kernels.push_back(Test32(m.initrd - 0x48000));
    for (const auto& kernel : kernels) {
      const std::string where =
          std::string(machine.name) + " kernel at " + HexString(kernel[0].paddr);
      KernelPlan kp;
      const Failure f = ToFailure(
          PlanKernel(plan, kernel.data(), static_cast<unsigned>(kernel.size()), &kp));
      const std::string got = f ? std::string(f.what) + ": " + f.detail.c_str() : "";
      uint64_t stage_to;
      EXPECT_EQ(got, Expected(m, *entries, kernel, &stage_to)) << where;
      EXPECT_EQ(kp.move_stage ? kp.stage_to : 0, f ? 0 : stage_to) << where;
      (f ? refused : stage_to ? moved : placed) += 1;
    }
  }
  std::printf("corpus: %d machines; kernels placed %d, refused %d, stage moved %d\n", machines,
              placed, refused, moved);
  EXPECT_GE(machines, 20);
  // The corpus exercises every outcome.
  EXPECT_GT(placed, 0);
  EXPECT_GT(refused, 0);
  EXPECT_GT(moved, 0);
}

// startup_64's question on every machine with RAM above 4 GiB: where does
// a stage with its arena go below 4 GiB, clear of Linux at 16 MiB. The
// oracle decides too.
TEST(MemoryPlanCorpus, StageHomeBelowFourGiB) {
  int machines = 0;
  for (const testing::E820Machine& machine : testing::E820Corpus()) {
    const auto entries = testing::ParseDmesgE820(machine.text);
    ASSERT_TRUE(entries.has_value());
    if (entries->size() > linuxboot::E820_MAX_ENTRIES_ZEROPAGE) continue;
    RealMachine m(*entries);
    // The loader put the stage at the top of RAM, as kexec does: on the
    // machines with RAM above 4 GiB, nothing kept below 4 GiB but what
    // the loader handed over.
    uint64_t top = 0;
    for (const e820_entry& e : *entries) {
      if (e.type == E820_TYPE_RAM && e.addr + e.size > top) top = e.addr + e.size;
    }
    if (top < k4GiB + m.stage.Size()) continue;
    ++machines;
    m.stage.base = (top - m.stage.Size()) & ~(kPageSize - 1);
    MemoryPlan plan;
    ASSERT_FALSE(m.Init(plan)) << machine.name;
    const auto kernel = DebianAmd64Segments();
    Oracle oracle(*entries);
    for (const auto& [range, name] : m.Kept()) oracle.Remove(range.start, range.end);
    for (const StageSegment& s : kernel) oracle.Remove(s.paddr, s.paddr + s.memsz);
    EXPECT_EQ(StageHome(plan, kernel.data(), 4, m.stage.Size()),
              oracle.Lowest(m.stage.Size(), kMiB))
        << machine.name;
  }
  EXPECT_GE(machines, 8);
}

// ---- the pieces the stages share with the planner -------------------------

TEST(IdentityMap, MapsTheGigabytesAskedWithTwoMiBPages) {
  constexpr uint32_t kPages = 7;
  auto* pool = static_cast<uint8_t*>(std::aligned_alloc(4096, kPages * 4096));
  ASSERT_NE(pool, nullptr);
  std::memset(pool, 0xa5, kPages * 4096);  // the builder clears its tables
  IdentityMap map(pool, kPages);
  ASSERT_TRUE(map.MapGiB(0x1'2345'6789));
  ASSERT_TRUE(map.MapGiB(0x1'3fff'ffff));  // the same gigabyte: no new table
  ASSERT_TRUE(map.MapGiB(0x20'0000));
  EXPECT_EQ(map.Root(), reinterpret_cast<uintptr_t>(pool));
  // Walk it as the CPU would.
  auto walk = [&](uint64_t va) -> uint64_t {
    auto* pml4 = reinterpret_cast<uint64_t*>(pool);
    uint64_t e = pml4[(va >> 39) & 511];
    if (!(e & 1)) return ~0ull;
    e = reinterpret_cast<uint64_t*>(e & 0xffffffffff000)[(va >> 30) & 511];
    if (!(e & 1)) return ~0ull;
    e = reinterpret_cast<uint64_t*>(e & 0xffffffffff000)[(va >> 21) & 511];
    if ((e & 0x83) != 0x83) return ~0ull;
    return (e & ~0x1fffffull & 0xffffffffff000) | (va & 0x1fffff);
  };
  EXPECT_EQ(walk(0x1'2345'6789), 0x1'2345'6789u);
  EXPECT_EQ(walk(0x1'0000'0000), 0x1'0000'0000u);
  EXPECT_EQ(walk(0x3fff'ffff), 0x3fff'ffffu);
  EXPECT_EQ(walk(0x4000'0000), ~0ull);  // not asked for
  // PML4 + one PDPT + two PDs so far; three more gigabytes fill the pool.
  EXPECT_TRUE(map.MapGiB(0x4000'0000));
  EXPECT_TRUE(map.MapGiB(0x8000'0000));
  EXPECT_TRUE(map.MapGiB(0xc000'0000));
  EXPECT_FALSE(map.MapGiB(0x2'0000'0000));
  std::free(pool);
}

TEST(IdentityMap, FiveLevels) {
  auto* pool = static_cast<uint8_t*>(std::aligned_alloc(4096, 4 * 4096));
  ASSERT_NE(pool, nullptr);
  IdentityMap map(pool, 4, /*five_levels=*/true);
  ASSERT_TRUE(map.MapGiB(0x4000'0000));
  auto next = [](uint64_t e) { return reinterpret_cast<uint64_t*>(e & 0xffffffffff000); };
  const auto* pml5 = reinterpret_cast<uint64_t*>(pool);
  ASSERT_EQ(pml5[0] & 3, 3u);
  const uint64_t* pml4 = next(pml5[0]);
  const uint64_t* pdpt = next(pml4[0]);
  const uint64_t* pd = next(pdpt[1]);
  EXPECT_EQ(pd[3], 0x4000'0000u + 3 * 0x200000 + 0x83);
  EXPECT_FALSE(map.MapGiB(0x8000'0000));  // the pool holds no fifth table
  std::free(pool);
}

TEST(StageMove, CopyHighCmdline) {
  // A host's heap lies above 4 GiB, where a 64-bit loader may put the
  // command line.
  std::string line = "console=ttyS0 root=/dev/vda1";
  if (reinterpret_cast<uintptr_t>(line.data()) + 4096 < k4GiB) GTEST_SKIP();
  boot_params bp{};
  bp.hdr.version = linuxboot::kProtocolVersion;
  bp.hdr.cmdline_size = 10;
  const auto at = reinterpret_cast<uintptr_t>(line.data());
  bp.hdr.cmd_line_ptr = static_cast<uint32_t>(at);
  bp.ext_cmd_line_ptr = static_cast<uint32_t>(uint64_t{at} >> 32);
  char page[16];
  std::memset(page, 'x', sizeof page);
  CopyHighCmdline(&bp, page, sizeof page);
  EXPECT_STREQ(page, "console=tt");  // cmdline_size bytes, then the NUL
  EXPECT_EQ(CmdlineAddress(bp), reinterpret_cast<uintptr_t>(page));
  // At most the page, with its NUL.
  bp.hdr.cmd_line_ptr = static_cast<uint32_t>(at);
  bp.ext_cmd_line_ptr = static_cast<uint32_t>(uint64_t{at} >> 32);
  bp.hdr.cmdline_size = 2047;
  char small[8];
  CopyHighCmdline(&bp, small, sizeof small);
  EXPECT_STREQ(small, "console");
  // A command line below 4 GiB stays where it is.
  bp.hdr.cmd_line_ptr = 0x20000;
  bp.ext_cmd_line_ptr = 0;
  CopyHighCmdline(&bp, small, sizeof small);
  EXPECT_EQ(CmdlineAddress(bp), 0x20000u);
}

TEST(StageMove, CopiesPart5AndTheArenaPagesAndFollowsThem) {
  StageParams params{};
  params.file_size = 0x3000;
  params.arena_offset = 0x3000;
  params.arena_size = kArenaSize;
  const size_t span = params.arena_offset + params.arena_size;
  std::vector<uint8_t> from(span, 0xab), to(span, 0);
  const auto from_addr = reinterpret_cast<uintptr_t>(from.data());
  const auto to_addr = reinterpret_cast<uintptr_t>(to.data());
  auto* bp = reinterpret_cast<boot_params*>(from.data() + params.arena_offset + kArenaZeroPageOffset);
  const uint64_t old_cmdline = from_addr + params.arena_offset + kArenaCmdlineOffset;
  bp->hdr.cmd_line_ptr = static_cast<uint32_t>(old_cmdline);
  bp->ext_cmd_line_ptr = static_cast<uint32_t>(old_cmdline >> 32);

  boot_params* moved = MoveStage(from_addr, to_addr, params, bp);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(moved),
            to_addr + params.arena_offset + kArenaZeroPageOffset);
  EXPECT_EQ(CmdlineAddress(*moved), to_addr + params.arena_offset + kArenaCmdlineOffset);
  EXPECT_EQ(CmdlineAddress(*bp), old_cmdline);  // the old copy is left alone
  EXPECT_EQ(std::memcmp(to.data(), from.data(), params.file_size), 0);
  // The stack, scratch and page-table pages of the arena are not copied.
  EXPECT_EQ(std::count(to.begin() + params.file_size,
                       to.begin() + params.arena_offset + kArenaZeroPageOffset, 0xab),
            0);
  const size_t cmdline_page = params.arena_offset + kArenaCmdlineOffset;
  EXPECT_EQ(std::memcmp(to.data() + cmdline_page, from.data() + cmdline_page, kArenaCmdlineSize), 0);

  // boot_params outside the arena stays where the loader put it.
  boot_params loaders{};
  EXPECT_EQ(MoveStage(from_addr, to_addr, params, &loaders), &loaders);
}

TEST(Pvh, StartInfoToBootParams) {
  FakeMemory memory;
  constexpr uint64_t kModules = 0x5000, kMap = 0x6000;
  auto* mod = reinterpret_cast<hvm_modlist_entry*>(memory.Add(kModules, sizeof(hvm_modlist_entry)));
  *mod = {0x1'2000'0000, 0x12345, 0, 0};
  auto* map = reinterpret_cast<hvm_memmap_table_entry*>(memory.Add(kMap, 200 * 24));
  for (int i = 0; i < 200; ++i) map[i] = {uint64_t(i) * kMiB, kMiB, E820_TYPE_RAM, 0};
  hvm_start_info si{};
  si.magic = XEN_HVM_START_MAGIC_VALUE;
  si.version = 1;
  si.nr_modules = 1;
  si.modlist_paddr = kModules;
  si.cmdline_paddr = 0x7000;
  si.rsdp_paddr = 0xf5a40;
  si.memmap_paddr = kMap;
  si.memmap_entries = 3;
  auto bp = std::make_unique<boot_params>();
  ASSERT_FALSE(PvhToBootParams(si, memory, bp.get()));
  EXPECT_EQ(bp->hdr.header, linuxboot::kHeaderMagic);
  EXPECT_EQ(bp->hdr.cmd_line_ptr, 0x7000u);
  EXPECT_EQ(bp->hdr.ramdisk_image, 0x2000'0000u);
  EXPECT_EQ(bp->ext_ramdisk_image, 1u);
  EXPECT_EQ(bp->hdr.ramdisk_size, 0x12345u);
  EXPECT_EQ(bp->acpi_rsdp_addr, 0xf5a40u);
  // Three entries and the ISA hole.
  ASSERT_EQ(bp->e820_entries, 4);
  EXPECT_EQ(bp->e820_table[2].addr, 2 * kMiB);
  EXPECT_EQ(bp->e820_table[3].addr, 0xa0000u);
  EXPECT_EQ(bp->e820_table[3].size, 0x60000u);
  EXPECT_EQ(bp->e820_table[3].type, E820_TYPE_RESERVED);

  // A long map is cut at what boot_params holds, with no room left for
  // the ISA hole.
  si.memmap_entries = 200;
  ASSERT_FALSE(PvhToBootParams(si, memory, bp.get()));
  EXPECT_EQ(bp->e820_entries, 128);
  EXPECT_EQ(bp->e820_table[127].addr, 127 * kMiB);

  // What it refuses.
  auto line = [&](const hvm_start_info& s) {
    const Failure f = PvhToBootParams(s, memory, bp.get());
    return f ? std::string(f.what) + ": " + f.detail.c_str() : std::string();
  };
  hvm_start_info v0 = si;
  v0.version = 0;
  EXPECT_EQ(line(v0), "pvh: hvm_start_info has no memory map (version 0)");
  hvm_start_info far = si;
  far.memmap_paddr = 0x9000;
  EXPECT_EQ(line(far), "pvh: memory map at 0x9000 is out of reach");
  hvm_start_info high = si;
  high.cmdline_paddr = 0x1'0000'0000;
  EXPECT_EQ(line(high), "pvh: command line above 4 GiB");
  hvm_start_info no_mods = si;
  no_mods.modlist_paddr = 0x8000;
  EXPECT_EQ(line(no_mods), "pvh: module list at 0x8000 is out of reach");
}

}  // namespace
}  // namespace bzelf
