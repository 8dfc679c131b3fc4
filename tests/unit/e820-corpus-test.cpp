// The E820 corpus (e820-corpus.cpp): every machine's lines parse, into the
// number of entries counted by hand, in order and without overlaps, with
// spot checks against particular lines; the corpus covers the kinds of
// machine and map the memory planner must handle; and the parser reads
// both line forms right and refuses what is not a map line.

#include "e820-corpus.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace bzelf::testing {
namespace {

using linuxboot::e820_entry;
using linuxboot::E820_TYPE_ACPI;
using linuxboot::E820_TYPE_NVS;
using linuxboot::E820_TYPE_PMEM;
using linuxboot::E820_TYPE_PRAM;
using linuxboot::E820_TYPE_RAM;
using linuxboot::E820_TYPE_RESERVED;
using linuxboot::E820_TYPE_SOFT_RESERVED;
using linuxboot::E820_TYPE_UNUSABLE;

constexpr uint64_t kMiB = 0x100000;
constexpr uint64_t k4GiB = 0x100000000;

// The entry as plain values, for comparisons and messages (e820_entry is
// packed).
struct Entry {
  uint64_t addr;
  uint64_t size;
  uint32_t type;
  bool operator==(const Entry&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Entry& e) {
  return os << std::hex << "{0x" << e.addr << ", 0x" << e.size << ", " << std::dec << e.type
            << "}";
}

Entry Plain(const e820_entry& e) { return {e.addr, e.size, e.type}; }

std::vector<Entry> Parse(std::string_view text) {
  std::string error;
  auto entries = ParseDmesgE820(text, &error);
  EXPECT_TRUE(entries.has_value()) << error;
  std::vector<Entry> out;
  if (entries) {
    for (const e820_entry& e : *entries) out.push_back(Plain(e));
  }
  return out;
}

std::vector<Entry> ParseMachine(std::string_view name) {
  for (const E820Machine& m : E820Corpus()) {
    if (m.name == name) return Parse(m.text);
  }
  ADD_FAILURE() << "no machine " << name;
  return {};
}

// Entries per machine, counted by hand from the lines in e820-corpus.cpp
// (not by the parser), so a parser that skips or doubles lines fails here.
const std::map<std::string_view, size_t> kEntryCounts = {
    {"cyrix-6x86mx", 8},
    {"tyan-tiger-mpx", 10},
    {"thinkpad-x240", 18},
    {"thinkpad-t400", 28},
    {"ideapad-320", 25},
    {"dell-inspiron-1545", 12},
    {"alienware-m11x", 18},
    {"supermicro-h13dsg", 38},
    {"supermicro-h13dsg-setup-data", 54},
    {"supermicro-x8sie", 13},
    {"supermicro-x8sie-memmap", 15},
    {"poweredge-r7625", 46},
    {"proliant-dl585-g7", 10},
    {"hp-compaq-8000", 10},
    {"hp-pavilion-690", 16},
    {"msi-ms7721", 20},
    {"macbookpro13-2", 23},
    {"macbookpro13-3-setup-data", 26},
    {"macbook5-1", 25},
    {"chromebook-taniks", 14},
    {"chromebook-coral", 12},
    {"hyperv-ws2012-numa", 7},
    {"hyperv-azure-codespaces", 7},
    {"vmware-guest", 12},
    {"virtualbox-vagrant", 9},
    {"xen-pv-passthrough", 19},
    {"xen-dom0-msi-890fxa", 12},
    {"qemu-bochs", 7},
    {"qemu-q35-128g", 11},
};

bool IsKebabCase(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

TEST(E820Corpus, EveryMachineIsNamedFiledAndSourced) {
  std::set<std::string_view> names;
  for (const E820Machine& m : E820Corpus()) {
    SCOPED_TRACE(m.name);
    EXPECT_TRUE(IsKebabCase(m.name));
    EXPECT_TRUE(names.insert(m.name).second) << "name used twice";
    EXPECT_NE(std::find(std::begin(kE820MachineKinds), std::end(kE820MachineKinds), m.kind),
              std::end(kE820MachineKinds))
        << "kind " << m.kind;
    EXPECT_TRUE(m.source_url.starts_with("https://")) << m.source_url;
    EXPECT_FALSE(m.note.empty());
    EXPECT_NE(m.text.find("physical RAM map:"), std::string_view::npos)
        << "lines start at the map's header";
  }
}

TEST(E820Corpus, EveryMachineParses) {
  for (const E820Machine& m : E820Corpus()) {
    std::string error;
    EXPECT_TRUE(ParseDmesgE820(m.text, &error).has_value()) << m.name << ": " << error;
  }
}

TEST(E820Corpus, EntryCountsMatchTheLinesCountedByHand) {
  std::set<std::string_view> seen;
  for (const E820Machine& m : E820Corpus()) {
    SCOPED_TRACE(m.name);
    seen.insert(m.name);
    auto it = kEntryCounts.find(m.name);
    if (it == kEntryCounts.end()) {
      ADD_FAILURE() << "no count written down for this machine";
      continue;
    }
    EXPECT_EQ(Parse(m.text).size(), it->second);
  }
  for (const auto& [name, count] : kEntryCounts) {
    EXPECT_TRUE(seen.contains(name)) << "count for a machine not in the corpus: " << name;
  }
}

// Linux prints a map sorted and without overlaps (it sanitizes before
// printing), so a fixture line with a mistyped digit usually shows here.
TEST(E820Corpus, EntriesAreNonEmptyAscendingAndDisjoint) {
  for (const E820Machine& m : E820Corpus()) {
    SCOPED_TRACE(m.name);
    std::vector<Entry> entries = Parse(m.text);
    for (size_t i = 0; i < entries.size(); ++i) {
      const Entry& e = entries[i];
      EXPECT_GT(e.size, 0u) << e;
      EXPECT_LE(e.addr, UINT64_MAX - (e.size - 1)) << "end past 2^64: " << e;
      if (i > 0) {
        const Entry& prev = entries[i - 1];
        EXPECT_LE(prev.addr + prev.size, e.addr) << prev << " then " << e;
      }
    }
  }
}

TEST(E820Corpus, SpotChecksAgainstParticularLines) {
  struct Spot {
    std::string_view machine;
    size_t index;
    Entry entry;
  };
  const Spot spots[] = {
      // " BIOS-e820: 0000000000000000 - 00000000000a0000 (usable)"
      {"cyrix-6x86mx", 0, {0, 0xa0000, E820_TYPE_RAM}},
      // " BIOS-e820: 0000000000f00000 - 0000000001000000 (reserved)": the ISA hole.
      {"cyrix-6x86mx", 3, {0xf00000, kMiB, E820_TYPE_RESERVED}},
      {"tyan-tiger-mpx", 4, {0xf00000, kMiB, E820_TYPE_RESERVED}},
      // "[mem 0x0000000000000000-0x0000000000057fff] usable"
      {"thinkpad-x240", 0, {0, 0x58000, E820_TYPE_RAM}},
      // "[mem 0x00000000da43b000-0x00000000da63afff] type 20"
      {"thinkpad-x240", 8, {0xda43b000, 0x200000, 20}},
      // "[mem 0x0000000000100000-0x00000000dd7a163f] usable", then
      // "[mem 0x00000000dd7a1640-0x00000000dd7a369f] ACPI NVS"
      {"hp-compaq-8000", 3, {0x100000, 0xdd6a1640, E820_TYPE_RAM}},
      {"hp-compaq-8000", 4, {0xdd7a1640, 0x2060, E820_TYPE_NVS}},
      // "[mem 0x00000000bf79e000-0x00000000bf79ffff] type 9"
      {"supermicro-x8sie", 4, {0xbf79e000, 0x2000, 9}},
      // "user: [mem 0x0000000200000000-0x00000003ffffffff] persistent (type 12)"
      {"supermicro-x8sie-memmap", 13, {0x200000000, 0x200000000, E820_TYPE_PRAM}},
      // "[mem 0x00003ffc00000000-0x00003ffc03ffffff] reserved", the last line.
      {"supermicro-h13dsg", 37, {0x3ffc00000000, 0x4000000, E820_TYPE_RESERVED}},
      // "[mem 0x000000000008f000-0x000000000008ffff] ACPI NVS"
      {"poweredge-r7625", 1, {0x8f000, 0x1000, E820_TYPE_NVS}},
      // "[mem 0x0000071d60000000-0x0000071d801fffff] reserved", the last line.
      {"poweredge-r7625", 45, {0x71d60000000, 0x20200000, E820_TYPE_RESERVED}},
      // "> [  +0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000fcfeffefff] usable"
      {"proliant-dl585-g7", 9, {k4GiB, 0xfbfefff000, E820_TYPE_RAM}},
      // " BIOS-e820: 0000000040000000 - 0000000050000000 (reserved)"
      {"macbook5-1", 4, {0x40000000, 0x10000000, E820_TYPE_RESERVED}},
      // "[mem 0x0000000000000000-0x0000000000000fff] type 16"
      {"chromebook-coral", 0, {0, 0x1000, 16}},
      // "[mem 0x0000000040200000-0x00000000801fffff] usable"
      {"hyperv-ws2012-numa", 6, {0x40200000, 0x40000000, E820_TYPE_RAM}},
      // "Xen: [mem 0x00000000795bc000-0x000000007969ffff] unusable"
      {"xen-pv-passthrough", 4, {0x795bc000, 0xe4000, E820_TYPE_UNUSABLE}},
      // "[mem 0x000000fd00000000-0x000000ffffffffff] reserved"
      {"qemu-q35-128g", 10, {0xfd00000000, 0x300000000, E820_TYPE_RESERVED}},
      // "reserve setup_data: [mem 0x0000000072545018-0x000000007255670d] usable"
      {"macbookpro13-3-setup-data", 5, {0x72545018, 0x116f6, E820_TYPE_RAM}},
  };
  for (const Spot& s : spots) {
    SCOPED_TRACE(std::string(s.machine) + " entry " + std::to_string(s.index));
    std::vector<Entry> entries = ParseMachine(s.machine);
    ASSERT_LT(s.index, entries.size());
    EXPECT_EQ(entries[s.index], s.entry);
  }
}

// The machines the memory planner has to get right, by the list.
TEST(E820Corpus, CoversEveryRequiredKindOfMachine) {
  std::map<std::string_view, int> per_kind;
  for (const E820Machine& m : E820Corpus()) ++per_kind[m.kind];
  for (std::string_view kind : {"isa-hole", "laptop", "server", "mac", "coreboot", "hyperv",
                                "vmware", "virtualbox", "xen", "qemu"}) {
    EXPECT_GE(per_kind[kind], 1) << kind;
  }
  EXPECT_GE(E820Corpus().size(), 24u);
}

// Every "isa-hole" machine really keeps 15-16 MiB from the OS.
TEST(E820Corpus, IsaHoleMachinesReserveFifteenToSixteenMiB) {
  for (const E820Machine& m : E820Corpus()) {
    if (m.kind != "isa-hole") continue;
    SCOPED_TRACE(m.name);
    bool covered = false;
    for (const Entry& e : Parse(m.text)) {
      if (e.addr <= 15 * kMiB && e.addr + e.size >= 16 * kMiB) {
        covered = e.type != E820_TYPE_RAM;
      }
    }
    EXPECT_TRUE(covered);
  }
}

// The kinds of map, as opposed to machine: long maps, adjacent usable
// entries, RAM above 4 GiB, and every type the planner must tell apart.
TEST(E820Corpus, CoversEveryRequiredKindOfMap) {
  size_t longest = 0;
  int with_adjacent_usable = 0;
  int with_ram_above_4g = 0;
  std::set<uint32_t> types;
  for (const E820Machine& m : E820Corpus()) {
    std::vector<Entry> entries = Parse(m.text);
    longest = std::max(longest, entries.size());
    bool adjacent = false;
    bool above = false;
    for (size_t i = 0; i < entries.size(); ++i) {
      types.insert(entries[i].type);
      above |= entries[i].type == E820_TYPE_RAM && entries[i].addr >= k4GiB;
      if (i > 0 && entries[i].type == E820_TYPE_RAM && entries[i - 1].type == E820_TYPE_RAM &&
          entries[i - 1].addr + entries[i - 1].size == entries[i].addr) {
        adjacent = true;
      }
    }
    with_adjacent_usable += adjacent;
    with_ram_above_4g += above;
  }
  EXPECT_GT(longest, 30u);
  EXPECT_GE(with_adjacent_usable, 2);
  EXPECT_GE(with_ram_above_4g, 10);
  for (uint32_t t : {E820_TYPE_RAM, E820_TYPE_RESERVED, E820_TYPE_ACPI, E820_TYPE_NVS,
                     E820_TYPE_UNUSABLE, E820_TYPE_PRAM}) {
    EXPECT_TRUE(types.contains(t)) << "type " << t;
  }
  // Types Linux has no name for, from firmware and loaders.
  for (uint32_t t : {9u, 16u, 20u}) EXPECT_TRUE(types.contains(t)) << "type " << t;
}

// --- the parser -------------------------------------------------------------

TEST(E820CorpusParser, OldFormEndIsExclusive) {
  // 0xf00000 - 0x100000 = 0xe00000: 14 MiB from 1 MiB up to the ISA hole.
  EXPECT_EQ(Parse(" BIOS-e820: 0000000000100000 - 0000000000f00000 (usable)"),
            (std::vector<Entry>{{kMiB, 0xe00000, E820_TYPE_RAM}}));
  // 0x100000000 - 0xffff0000 = 0x10000: the 64 KiB BIOS ROM under 4 GiB.
  EXPECT_EQ(Parse(" BIOS-e820: 00000000ffff0000 - 0000000100000000 (reserved)"),
            (std::vector<Entry>{{0xffff0000, 0x10000, E820_TYPE_RESERVED}}));
}

TEST(E820CorpusParser, BracketFormEndIsInclusive) {
  // 0xbfecffff + 1 - 0x100000 = 0xbfdd0000.
  EXPECT_EQ(Parse("[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x00000000bfecffff] usable"),
            (std::vector<Entry>{{kMiB, 0xbfdd0000, E820_TYPE_RAM}}));
  // One page: 0x6fffefff + 1 - 0x6fffe000 = 0x1000.
  EXPECT_EQ(Parse("BIOS-e820: [mem 0x000000006fffe000-0x000000006fffefff] usable"),
            (std::vector<Entry>{{0x6fffe000, 0x1000, E820_TYPE_RAM}}));
}

TEST(E820CorpusParser, BothFormsOfOneRangeAgree) {
  EXPECT_EQ(Parse(" BIOS-e820: 00000000000f0000 - 0000000000100000 (reserved)"),
            Parse("BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved"));
}

TEST(E820CorpusParser, ReadsEveryTypeWordLinuxPrints) {
  struct Case {
    std::string_view line;
    uint32_t type;
  };
  const Case cases[] = {
      {"BIOS-e820: [mem 0x0000000000001000-0x0000000000001fff] usable", E820_TYPE_RAM},
      {"BIOS-e820: [mem 0x0000000000001000-0x0000000000001fff] reserved", E820_TYPE_RESERVED},
      {"BIOS-e820: [mem 0x0000000000001000-0x0000000000001fff] ACPI data", E820_TYPE_ACPI},
      {"BIOS-e820: [mem 0x0000000000001000-0x0000000000001fff] ACPI NVS", E820_TYPE_NVS},
      {"BIOS-e820: [mem 0x0000000000001000-0x0000000000001fff] unusable", E820_TYPE_UNUSABLE},
      {"BIOS-e820: [mem 0x0000000000001000-0x0000000000001fff] persistent (type 7)",
       E820_TYPE_PMEM},
      {"user: [mem 0x0000000000001000-0x0000000000001fff] persistent (type 12)",
       E820_TYPE_PRAM},
      {"reserve setup_data: [mem 0x0000000000001000-0x0000000000001fff] soft reserved",
       E820_TYPE_SOFT_RESERVED},
      {"BIOS-e820: [mem 0x0000000000001000-0x0000000000001fff] type 20", 20},
      {"Xen: [mem 0x0000000000001000-0x0000000000001fff] type 4294967295", 0xffffffff},
      {" BIOS-e820: 0000000000001000 - 0000000000002000 (usable)", E820_TYPE_RAM},
      {" BIOS-e820: 0000000000001000 - 0000000000002000 (ACPI data)", E820_TYPE_ACPI},
      {" BIOS-e820: 0000000000001000 - 0000000000002000 (ACPI NVS)", E820_TYPE_NVS},
      {" BIOS-e820: 0000000000001000 - 0000000000002000 (unusable)", E820_TYPE_UNUSABLE},
      {" BIOS-e820: 0000000000001000 - 0000000000002000 type 9", 9},
      {"  BIOS-88: 0000000000001000 - 0000000000002000 (usable)", E820_TYPE_RAM},
      {" BIOS-e801: 0000000000001000 - 0000000000002000 (usable)", E820_TYPE_RAM},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    std::vector<Entry> entries = Parse(c.line);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0], (Entry{0x1000, 0x1000, c.type}));
  }
}

TEST(E820CorpusParser, SkipsPrefixesHeadersAndBlankLinesAndKeepsOrder) {
  // Out of address order on purpose: the parser keeps the lines' order.
  std::string_view text =
      "\n"
      "Feb 09 12:28:50 hpPav kernel: BIOS-provided physical RAM map:\n"
      "Feb 09 12:28:50 hpPav kernel: BIOS-e820: [mem 0x0000000000100000-0x0000000000100fff] "
      "usable\r\n"
      "   \n"
      "> > [  +0.000000] BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] reserved  \n"
      " 1840 17:54:41.413121  <6>[    0.000000] Xen: [mem 0x0000000000002000-0x0000000000002fff]"
      " ACPI NVS";
  EXPECT_EQ(Parse(text), (std::vector<Entry>{{0x100000, 0x1000, E820_TYPE_RAM},
                                             {0, 0x1000, E820_TYPE_RESERVED},
                                             {0x2000, 0x1000, E820_TYPE_NVS}}));
}

TEST(E820CorpusParser, RefusesWhatIsNotAMapLine) {
  const std::string_view bad[] = {
      // Not map lines at all, though they follow the map in a dmesg.
      "NX (Execute Disable) protection: active",
      "[    0.000000] e820: update [mem 0x00000000-0x00000fff] usable ==> reserved",
      "[    0.000000] DMI: Xen HVM domU, BIOS 4.2.amazon 08/24/2006",
      // A digit lost or added.
      "BIOS-e820: [mem 0x000000000009fc0-0x000000000009ffff] reserved",
      "BIOS-e820: [mem 0x000000000009fc00-0x00000000009ffff] reserved",
      " BIOS-e820: 000000000009fc00 - 000000000000a0000 (reserved)",
      // A letter that is not hex.
      "BIOS-e820: [mem 0x000000000009fc0g-0x000000000009ffff] reserved",
      // Types Linux never prints.
      "BIOS-e820: [mem 0x0000000000001000-0x0000000000001fff] Usable",
      "BIOS-e820: [mem 0x0000000000001000-0x0000000000001fff] ",
      "BIOS-e820: [mem 0x0000000000001000-0x0000000000001fff] type 4294967296",
      "BIOS-e820: [mem 0x0000000000001000-0x0000000000001fff] persistent (type 12",
      " BIOS-e820: 0000000000001000 - 0000000000002000 usable",
      " BIOS-e820: 0000000000001000 - 0000000000002000 (usable",
      // Ranges that end before they start, or hold nothing.
      "BIOS-e820: [mem 0x0000000000002000-0x0000000000001fff] usable",
      " BIOS-e820: 0000000000002000 - 0000000000002000 (usable)",
      " BIOS-e820: 0000000000002000 - 0000000000001000 (usable)",
      "BIOS-e820: [mem 0x0000000000000000-0xffffffffffffffff] reserved",
  };
  for (std::string_view line : bad) {
    SCOPED_TRACE(line);
    std::string error;
    EXPECT_FALSE(ParseDmesgE820(line, &error).has_value());
    EXPECT_TRUE(error.starts_with("line 1: ")) << error;
  }
  // One bad line spoils the whole text, and the error names it.
  std::string error;
  EXPECT_FALSE(ParseDmesgE820("BIOS-provided physical RAM map:\n"
                              "BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
                              "BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserve\n",
                              &error)
                   .has_value());
  EXPECT_TRUE(error.starts_with("line 3: unknown type")) << error;
}

}  // namespace
}  // namespace bzelf::testing
