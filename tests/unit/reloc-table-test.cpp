// lib/reloc-table.h: Linux's relocation table, its three layouts, and its
// application to a kernel that moved; checked against small tables made
// here and, when they are present, Debian's kernels (LINUX_DIR/vmlinux,
// LINUX32_DIR/vmlinux: Debian 12's amd64 and 686 kernels).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "common.h"
#include "elf.h"
#include "kernel-elf.h"
#include "reloc-table.h"

namespace bzelf {
namespace {

constexpr uint64_t kKernelMap64 = 0xffffffff80000000ull;  // __START_KERNEL_map
constexpr uint64_t kPageOffset32 = 0xc0000000ull;         // i386 __PAGE_OFFSET

Bytes Table(std::initializer_list<std::vector<uint32_t>> lists) {
  Bytes out;
  auto put = [&](uint32_t w) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(w >> (8 * i)));
  };
  for (const auto& list : lists) {
    put(0);
    for (uint32_t w : list) put(w);
  }
  return out;
}

RelocTableParse Parse(const Bytes& b, uint8_t elf_class) {
  return ParseRelocTable(b.data(), b.size(), elf_class);
}

TEST(RelocTable, TellsTheThreeLayoutsApartByTheirZeroWords) {
  Bytes old64 = Table({{0x81000010, 0x81000020}, {0x81000100}, {0x81000200, 0x81000204, 0x81000208}});
  RelocTableParse p = Parse(old64, elf::ELFCLASS64);
  ASSERT_EQ(p.error, RelocTableError::kOk);
  EXPECT_EQ(p.table.layout, RelocLayout::kX86_64Inverse);
  EXPECT_EQ(p.table.count64, 2u);
  EXPECT_EQ(p.table.start64, 1u);
  EXPECT_EQ(p.table.count_inverse, 1u);
  EXPECT_EQ(p.table.start_inverse, 4u);
  EXPECT_EQ(p.table.count32, 3u);
  EXPECT_EQ(p.table.start32, 6u);
  EXPECT_EQ(RelocTableBytes(p.table), old64.size());

  Bytes new64 = Table({{0x81000010}, {0x81000200, 0x81000204}});
  p = Parse(new64, elf::ELFCLASS64);
  ASSERT_EQ(p.error, RelocTableError::kOk);
  EXPECT_EQ(p.table.layout, RelocLayout::kX86_64);
  EXPECT_EQ(p.table.count64, 1u);
  EXPECT_EQ(p.table.count_inverse, 0u);
  EXPECT_EQ(p.table.count32, 2u);
  EXPECT_EQ(p.table.start32, 3u);
  EXPECT_EQ(RelocTableBytes(p.table), new64.size());

  Bytes i386 = Table({{0xc1000000, 0xc1000004}});
  p = Parse(i386, elf::ELFCLASS32);
  ASSERT_EQ(p.error, RelocTableError::kOk);
  EXPECT_EQ(p.table.layout, RelocLayout::kI386);
  EXPECT_EQ(p.table.count32, 2u);
  EXPECT_EQ(p.table.start32, 1u);
  EXPECT_EQ(RelocTableBytes(p.table), i386.size());
}

TEST(RelocTable, EmptyListsKeepTheirZeroWords) {
  RelocTableParse p = Parse(Table({{}, {}, {0x81000000}}), elf::ELFCLASS64);
  ASSERT_EQ(p.error, RelocTableError::kOk);
  EXPECT_EQ(p.table.layout, RelocLayout::kX86_64Inverse);
  EXPECT_EQ(p.table.Count(), 1u);
  EXPECT_EQ(p.table.count32, 1u);
  p = Parse(Table({{}}), elf::ELFCLASS32);
  ASSERT_EQ(p.error, RelocTableError::kOk);
  EXPECT_EQ(p.table.Count(), 0u);
}

TEST(RelocTable, RefusesWhatIsNoTable) {
  Bytes t = Table({{0x81000010}, {0x81000200}});
  Bytes odd = t;
  odd.push_back(1);
  EXPECT_EQ(Parse(odd, elf::ELFCLASS64).error, RelocTableError::kNotWords);
  Bytes no_zero = {1, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(Parse(no_zero, elf::ELFCLASS64).error, RelocTableError::kNoLeadingZero);
  EXPECT_EQ(Parse({}, elf::ELFCLASS64).error, RelocTableError::kNoLeadingZero);
  // Zero padding: as many lists as words.
  EXPECT_EQ(Parse(Bytes(16, 0), elf::ELFCLASS64).error, RelocTableError::kListCount);
  EXPECT_EQ(Parse(t, elf::ELFCLASS32).error, RelocTableError::kWrongClass);
  EXPECT_EQ(Parse(Table({{0xc1000000}}), elf::ELFCLASS64).error, RelocTableError::kWrongClass);
}

// Kernel memory at a physical address, for ApplyRelocTable.
struct FakeMemory {
  uint64_t base;
  std::vector<uint8_t>* bytes;
  uint8_t* Bytes(uint64_t addr, uint64_t size) const {
    EXPECT_GE(addr, base);
    EXPECT_LE(addr - base + size, bytes->size());
    return bytes->data() + (addr - base);
  }
};

template <typename T>
T Get(const Bytes& b, size_t off) {
  T v;
  std::memcpy(&v, &b[off], sizeof(T));
  return v;
}
template <typename T>
void Set(Bytes& b, size_t off, T v) {
  std::memcpy(&b[off], &v, sizeof(T));
}

TEST(RelocTable, AppliesEachListAsLinuxDoes) {
  // A kernel linked at 0xffffffff81000000 (physical 16 MiB), loaded 32 MiB
  // higher and moved 0x40000000 up in virtual memory.
  constexpr uint64_t kLink = 0x1000000, kMove = 0x2000000, kDelta = 0x40000000;
  Bytes mem(0x3000, 0);
  Set<uint64_t>(mem, 0x10, 0xffffffff81000100ull);
  Set<uint32_t>(mem, 0x1004, 0x00001000);          // inverse: a difference
  Set<uint32_t>(mem, 0x2008, 0x81000200);          // 32-bit: sign-extended use
  Set<uint64_t>(mem, 0x2ff8, 0xffffffff81002000ull);  // the segment's last word
  Bytes table = Table({{0x81000010, 0x81002ff8}, {0x81001004}, {0x81002008}});
  RelocTableParse p = Parse(table, elf::ELFCLASS64);
  ASSERT_EQ(p.error, RelocTableError::kOk);
  StageSegment seg{kLink + kMove, 0x3000, 0x3000};
  RelocMove move{kKernelMap64, kMove, kDelta};
  RelocFault f = ApplyRelocTable(table.data(), p.table, move, &seg, 1,
                                 FakeMemory{kLink + kMove, &mem});
  ASSERT_FALSE(f);
  EXPECT_EQ(Get<uint64_t>(mem, 0x10), 0xffffffffc1000100ull);
  EXPECT_EQ(Get<uint64_t>(mem, 0x2ff8), 0xffffffffc1002000ull);
  EXPECT_EQ(Get<uint32_t>(mem, 0x1004), 0x00001000u - 0x40000000u);
  EXPECT_EQ(Get<uint32_t>(mem, 0x2008), 0xc1000200u);
}

TEST(RelocTable, I386WordsMoveWithThePhysicalMove) {
  constexpr uint64_t kLink = 0x1000000, kMove = 0x400000;
  Bytes mem(0x1000, 0);
  Set<uint32_t>(mem, 0x40, 0xc1000800);
  Bytes table = Table({{0xc1000040}});
  RelocTableParse p = Parse(table, elf::ELFCLASS32);
  ASSERT_EQ(p.error, RelocTableError::kOk);
  StageSegment seg{kLink + kMove, 0x1000, 0x1000};
  RelocFault f = ApplyRelocTable(table.data(), p.table, RelocMove{kPageOffset32, kMove, kMove},
                                 &seg, 1, FakeMemory{kLink + kMove, &mem});
  ASSERT_FALSE(f);
  EXPECT_EQ(Get<uint32_t>(mem, 0x40), 0xc1400800u);
}

TEST(RelocTable, AWordOutsideTheKernelStopsThePassThere) {
  constexpr uint64_t kLink = 0x1000000;
  constexpr uint64_t kDelta = 0x200000;
  StageSegment seg{kLink, 0x1000, 0x1000};
  RelocMove move{kKernelMap64, 0, kDelta};
  struct Case {
    const char* what;
    Bytes table;
    RelocKind kind;
    uint32_t index;
    uint64_t location;
    bool first_applied;  // the 64-bit word at 0x10, named before the fault
  };
  const Case cases[] = {
      {"past the end", Table({{0x81000010, 0x81001000}, {}}), RelocKind::k64, 1, 0x1001000, true},
      {"straddles the end", Table({{0x81000ffc}, {}}), RelocKind::k64, 0, 0x1000ffc, false},
      {"below the start", Table({{0x81000010}, {0x80fffffc}}), RelocKind::k32, 0, 0xfffffc, true},
      {"inverse, past", Table({{}, {0x81001000}, {}}), RelocKind::kInverse32, 0, 0x1001000, false},
      // After an entry in the same segment: the segment kept from it
      // must not take a word that crosses its end.
      {"straddles the end after another", Table({{0x81000010, 0x81000ffc}, {}}), RelocKind::k64, 1,
       0x1000ffc, true},
  };
  for (const Case& c : cases) {
    Bytes mem(0x1000, 0);
    Set<uint64_t>(mem, 0x10, 0xffffffff81000100ull);
    Bytes expected = mem;
    if (c.first_applied) Set<uint64_t>(expected, 0x10, 0xffffffff81000100ull + kDelta);
    RelocTableParse p = Parse(c.table, elf::ELFCLASS64);
    ASSERT_EQ(p.error, RelocTableError::kOk) << c.what;
    RelocFault f = ApplyRelocTable(c.table.data(), p.table, move, &seg, 1, FakeMemory{kLink, &mem});
    ASSERT_TRUE(f) << c.what;
    EXPECT_EQ(f.kind, c.kind) << c.what;
    EXPECT_EQ(f.index, c.index) << c.what;
    EXPECT_EQ(f.location, c.location) << c.what;
    EXPECT_EQ(mem, expected) << c.what;
  }
}

// A segment smaller than the word: no word fits in it, wherever it starts.
TEST(RelocTable, ASegmentSmallerThanTheWordHoldsNone) {
  const StageSegment tiny{0x1000000, 4, 4};
  EXPECT_TRUE(WordInSegment(0x1000000, 4, tiny));
  EXPECT_FALSE(WordInSegment(0x1000000, 8, tiny));
  EXPECT_FALSE(WordInSegment(0x1000004, 8, tiny));
  EXPECT_FALSE(WordInSegment(0x0fffffc, 4, tiny));
  Bytes table = Table({{0x81000000}, {}});
  RelocTableParse p = Parse(table, elf::ELFCLASS64);
  ASSERT_EQ(p.error, RelocTableError::kOk);
  RelocFault f = WalkRelocTable(table.data(), p.table, RelocMove{kKernelMap64, 0, 0}, &tiny, 1,
                                [](RelocKind, uint64_t) {});
  ASSERT_TRUE(f);
  EXPECT_EQ(f.location, 0x1000000u);
}

// Entries that hop between two segments, out of order, and a last one in
// the gap between them: each word is found in its own segment (the walk
// keeps the last segment it found, and must look again when an entry lies
// elsewhere), and the gap is refused.
TEST(RelocTable, EntriesHopBetweenSegments) {
  constexpr uint64_t kLink = 0x1000000, kMove = 0x600000;
  // Two segments of one page each, a page apart, moved up by kMove.
  const StageSegment segs[] = {{kLink + kMove, 0x1000, 0x1000},
                               {kLink + 0x2000 + kMove, 0x1000, 0x1000}};
  Bytes mem(0x3000, 0);
  const uint32_t words[] = {0x81002ff0, 0x81000008, 0x81002000, 0x81000ff8, 0x81000000};
  for (uint32_t w : words) Set<uint64_t>(mem, w - 0x81000000, 0xffffffff80000000ull | w);
  Set<uint32_t>(mem, 0x2ffc, 0x00001000);  // an inverse word: a difference
  Bytes table = Table({{words[0], words[1], words[2], words[3], words[4]}, {0x81002ffc}, {}});
  RelocTableParse p = Parse(table, elf::ELFCLASS64);
  ASSERT_EQ(p.error, RelocTableError::kOk);
  RelocMove move{kKernelMap64, kMove, kMove};
  ASSERT_FALSE(ApplyRelocTable(table.data(), p.table, move, segs, 2,
                               FakeMemory{kLink + kMove, &mem}));
  for (uint32_t w : words) {
    EXPECT_EQ(Get<uint64_t>(mem, w - 0x81000000), (0xffffffff80000000ull | w) + kMove) << w;
  }
  // The inverse word in the second segment's last 4 bytes fits there (a
  // 64-bit word would not).
  EXPECT_EQ(Get<uint32_t>(mem, 0x2ffc), 0x00001000u - static_cast<uint32_t>(kMove));
  Bytes gap = Table({{0x81000010, 0x81002010, 0x81001ff8}, {}});
  p = Parse(gap, elf::ELFCLASS64);
  ASSERT_EQ(p.error, RelocTableError::kOk);
  RelocFault f = WalkRelocTable(gap.data(), p.table, move, segs, 2, [](RelocKind, uint64_t) {});
  ASSERT_TRUE(f);
  EXPECT_EQ(f.index, 2u);
  EXPECT_EQ(f.location, kLink + 0x1ff8 + kMove);
}

// Debian's kernels: the table after the ELF, its counts, and every word it
// names inside a PT_LOAD at the kernel's own addresses.
struct DebianKernel {
  const char* env;
  uint8_t elf_class;
  uint64_t kernel_map;
  uint64_t trailing;
  RelocLayout layout;
  uint32_t count64, count_inverse, count32;
};

void CheckDebianKernel(const DebianKernel& d) {
  const char* dir = std::getenv(d.env);
  std::string path = dir ? std::string(dir) + "/vmlinux" : "";
  if (path.empty() || !std::filesystem::exists(path)) {
    GTEST_SKIP() << d.env << "/vmlinux is not there";
  }
  Bytes file = ReadFile(path);
  KernelElf k = ParseKernel(file, path);
  ASSERT_EQ(k.elf_class, d.elf_class);
  ASSERT_EQ(k.trailing, d.trailing);
  RelocTableParse p = ParseRelocTable(file.data() + k.elf_end, k.trailing, k.elf_class);
  ASSERT_EQ(p.error, RelocTableError::kOk);
  EXPECT_EQ(p.table.layout, d.layout);
  EXPECT_EQ(p.table.count64, d.count64);
  EXPECT_EQ(p.table.count_inverse, d.count_inverse);
  EXPECT_EQ(p.table.count32, d.count32);
  std::vector<StageSegment> segs;
  for (const KernelPhdr& ph : k.phdrs) {
    if (ph.type == elf::PT_LOAD) segs.push_back({ph.paddr, ph.filesz, ph.memsz});
  }
  std::map<RelocKind, uint32_t> seen;
  RelocFault f = WalkRelocTable(file.data() + k.elf_end, p.table, RelocMove{d.kernel_map, 0, 0},
                                segs.data(), static_cast<unsigned>(segs.size()),
                                [&](RelocKind kind, uint64_t) { ++seen[kind]; });
  EXPECT_FALSE(f) << "entry " << f.index << " at " << std::hex << f.location;
  EXPECT_EQ(seen[RelocKind::k64], d.count64);
  EXPECT_EQ(seen[RelocKind::kInverse32], d.count_inverse);
  EXPECT_EQ(seen[RelocKind::k32], d.count32);
}

TEST(RelocTable, DebianAmd64Kernel) {
  // Debian 12's linux-image-6.1.0-*-amd64 (issue 16's figures).
  CheckDebianKernel({"LINUX_DIR", elf::ELFCLASS64, kKernelMap64, 891972,
                     RelocLayout::kX86_64Inverse, 137699, 8385, 76906});
}

TEST(RelocTable, DebianI386Kernel) {
  CheckDebianKernel({"LINUX32_DIR", elf::ELFCLASS32, kPageOffset32, 4 * (276083 + 1),
                     RelocLayout::kI386, 0, 0, 276083});
}

}  // namespace
}  // namespace bzelf
