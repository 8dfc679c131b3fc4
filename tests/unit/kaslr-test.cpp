// KASLR's choice (lib/kaslr.h) on the host: the command line's words,
// the entropy mixer's structure, slot choice over the corpus of real
// machines' maps with a fixed seed against a second computation (the
// Oracle's interval arithmetic), what every slot keeps clear of, and the
// fallbacks.

#include "kaslr.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "e820-corpus.h"
#include "plan-fixtures.h"

namespace bzelf {
namespace {

using linuxboot::boot_params;
using linuxboot::e820_entry;
using linuxboot::E820_TYPE_RAM;
using linuxboot::E820_TYPE_RESERVED;
using testing::DebianAmd64;
using testing::DebianAmd64Params;
using testing::FakeMemory;
using testing::HexString;
using testing::kGiB;
using testing::kMiB;
using testing::Oracle;
using testing::ParseKaslr;
using testing::RealMachine;

// ---- the command line ---------------------------------------------------------

TEST(KaslrOptions, MemParseTakesCBasesAndSuffixes) {
  const char* end;
  EXPECT_EQ(MemParse("512M", &end), 512 * kMiB);
  EXPECT_EQ(*end, '\0');
  EXPECT_EQ(MemParse("0x1000k", &end), 0x1000u * 1024);
  EXPECT_EQ(MemParse("2g", &end), 2 * kGiB);
  EXPECT_EQ(MemParse("1T", &end), uint64_t{1} << 40);
  EXPECT_EQ(MemParse("010", &end), 8u);  // octal, as simple_strtoull(.., 0)
  EXPECT_EQ(MemParse("4096$", &end), 4096u);
  EXPECT_EQ(*end, '$');
  const char* text = "exactmap";
  EXPECT_EQ(MemParse(text, &end), 0u);
  EXPECT_EQ(end, text);
  // "0x" with no hex digit after it is the number 0, then "x".
  EXPECT_EQ(MemParse("0xg", &end), 0u);
  EXPECT_EQ(*end, 'x');
}

TEST(KaslrOptions, NokaslrAnywhereAsAWholeWord) {
  EXPECT_FALSE(ParseKaslr("console=ttyS0 quiet").nokaslr);
  EXPECT_TRUE(ParseKaslr("console=ttyS0 nokaslr quiet").nokaslr);
  EXPECT_TRUE(ParseKaslr("nokaslr").nokaslr);
  EXPECT_TRUE(ParseKaslr("root=/dev/sda -- nokaslr").nokaslr);
  EXPECT_FALSE(ParseKaslr("nokaslrx").nokaslr);
  EXPECT_FALSE(ParseKaslr("xnokaslr").nokaslr);
  EXPECT_FALSE(ParseKaslr("nokaslr=1").nokaslr);
  EXPECT_FALSE(ParseKaslr("foo=\"a nokaslr b\"").nokaslr);
  // The length bounds the text even without a NUL.
  const char text[] = {'n', 'o', 'k', 'a', 's', 'l', 'r'};
  EXPECT_TRUE(ParseKaslrOptions(text, sizeof text).nokaslr);
  EXPECT_FALSE(ParseKaslrOptions(text, 6).nokaslr);
}

TEST(KaslrOptions, MemIsACeiling) {
  EXPECT_EQ(ParseKaslr("quiet").mem_limit, ~uint64_t{0});
  EXPECT_EQ(ParseKaslr("mem=512M").mem_limit, 512 * kMiB);
  EXPECT_EQ(ParseKaslr("mem=512M mem=1G").mem_limit, kGiB);  // the last wins
  EXPECT_EQ(ParseKaslr("mem=nopentium").mem_limit, ~uint64_t{0});
  // A mem= of 0 ends the reading of memory options, as in Linux.
  EXPECT_EQ(ParseKaslr("mem=0 mem=1G").mem_limit, ~uint64_t{0});
  // After "--" the words are init's.
  EXPECT_EQ(ParseKaslr("-- mem=1G").mem_limit, ~uint64_t{0});
  EXPECT_EQ(ParseKaslr("mem=\"256M\"").mem_limit, 256 * kMiB);
}

TEST(KaslrOptions, MemmapRangesLimitsAndWhatIsIgnored) {
  KaslrOptions o = ParseKaslr("memmap=64M$0x10000000,16K#0x2000000 memmap=1M!0x5000000");
  ASSERT_EQ(o.memmap_count, 3);
  EXPECT_EQ(o.memmap[0].start, 0x10000000u);
  EXPECT_EQ(o.memmap[0].end, 0x10000000u + 64 * kMiB);
  EXPECT_EQ(o.memmap[1].start, 0x2000000u);
  EXPECT_EQ(o.memmap[1].end, 0x2000000u + 16 * 1024);
  EXPECT_EQ(o.memmap[2].start, 0x5000000u);
  EXPECT_EQ(o.memmap[2].end, 0x5100000u);
  EXPECT_FALSE(o.memmap_too_many);
  // nn@ss is RAM; nn alone is a limit; exactmap stops the list.
  o = ParseKaslr("memmap=64M@0x10000000 memmap=768M memmap=exactmap,1M#0x3000000");
  EXPECT_EQ(o.memmap_count, 0);
  EXPECT_EQ(o.mem_limit, 768 * kMiB);
  // Four are taken; a fifth turns physical randomization off.
  o = ParseKaslr("memmap=1M$16M,1M$32M,1M$48M,1M$64M");
  EXPECT_EQ(o.memmap_count, 4);
  EXPECT_FALSE(o.memmap_too_many);
  o = ParseKaslr("memmap=1M$16M,1M$32M,1M$48M,1M$64M memmap=1M$80M");
  EXPECT_EQ(o.memmap_count, 4);
  EXPECT_TRUE(o.memmap_too_many);
}

TEST(KaslrOptions, FixedSeed) {
  EXPECT_FALSE(ParseKaslr("quiet").has_seed);
  KaslrOptions o = ParseKaslr("bzelf.kaslr_seed=0x1234 quiet");
  EXPECT_TRUE(o.has_seed);
  EXPECT_EQ(o.seed, 0x1234u);
  EXPECT_TRUE(ParseKaslr("-- bzelf.kaslr_seed=7").has_seed);
  EXPECT_FALSE(ParseKaslr("bzelf.kaslr_seed=x").has_seed);
}

// ---- entropy ---------------------------------------------------------------------

TEST(KaslrEntropy, RotateXorRotatesRightBySevenThenXors) {
  const uint32_t words[] = {0x80, 0x1};
  // hash 0 -> 0x80; then 0x80 rotated right by 7 is 1, XOR 1 is 0.
  EXPECT_EQ(RotateXor(0, words, 4), 0x80u);
  EXPECT_EQ(RotateXor(0, words, 8), 0u);
  // Rotation, not shift: bit 0 comes back at bit 25.
  EXPECT_EQ(RotateXor(1, words, 0), 1u);
  const uint32_t zero = 0;
  EXPECT_EQ(RotateXor(1, &zero, 4), 1u << 25);
  // A tail shorter than a word is not read.
  EXPECT_EQ(RotateXor(0, words, 7), 0x80u);
}

TEST(KaslrEntropy, BootSeedDependsOnTheBuildAndEveryWordOfBootParams) {
  static boot_params bp;
  std::memset(&bp, 0, sizeof bp);
  const char build[] = "bzelf image one";
  const uint32_t seed = BootSeed(build, sizeof build, bp);
  EXPECT_EQ(BootSeed(build, sizeof build, bp), seed);  // deterministic
  const char other[] = "bzelf image two";
  EXPECT_NE(BootSeed(other, sizeof other, bp), seed);
  for (size_t at : {size_t{0}, size_t{0x1f1}, sizeof(bp) - 4}) {
    boot_params changed = bp;
    reinterpret_cast<uint8_t*>(&changed)[at] ^= 1;
    EXPECT_NE(BootSeed(build, sizeof build, changed), seed) << at;
  }
}

TEST(KaslrEntropy, MixIsLowPlusHighOfTheProduct) {
  EXPECT_EQ(KaslrMix(0), 0u);
  EXPECT_EQ(KaslrMix(1), kKaslrMixConstant32);
  const uint64_t p = uint64_t{0xdeadbeef} * 0x3f39e593;
  EXPECT_EQ(KaslrMix(0xdeadbeef), static_cast<uint32_t>(p + (p >> 32)));
}

// Hardware that says what it has and counts what was read.
struct FakeHw {
  bool rdrand = false, rdrand_ok = true, tsc = false;
  uint32_t rdrand_value = 0, tsc_value = 0;
  uint16_t i8254_value = 0;
  int rdrand_reads = 0, tsc_reads = 0, i8254_reads = 0;
  bool HasRdrand() const { return rdrand; }
  bool Rdrand(uint32_t* out) {
    ++rdrand_reads;
    *out = rdrand_value;
    return rdrand_ok;
  }
  bool HasTsc() const { return tsc; }
  uint32_t Rdtsc() { return ++tsc_reads, tsc_value; }
  uint16_t I8254() { return ++i8254_reads, i8254_value; }
};

TEST(KaslrEntropy, SourcesAsLinuxMixesThem) {
  const uint32_t seed = 0x01020304;
  {  // RDRAND and TSC both
    FakeHw hw{.rdrand = true, .tsc = true, .rdrand_value = 0x11110000, .tsc_value = 0x2222};
    EXPECT_EQ(KaslrRandom(seed, hw), KaslrMix(seed ^ 0x11110000 ^ 0x2222));
    EXPECT_EQ(hw.i8254_reads, 0);
  }
  {  // RDRAND that fails, TSC
    FakeHw hw{.rdrand = true, .rdrand_ok = false, .tsc = true, .rdrand_value = 0x11110000,
              .tsc_value = 0x2222};
    EXPECT_EQ(KaslrRandom(seed, hw), KaslrMix(seed ^ 0x2222));
    EXPECT_EQ(hw.i8254_reads, 0);
  }
  {  // RDRAND that fails and no TSC: the i8254
    FakeHw hw{.rdrand = true, .rdrand_ok = false, .i8254_value = 0x3333};
    EXPECT_EQ(KaslrRandom(seed, hw), KaslrMix(seed ^ 0x3333));
    EXPECT_EQ(hw.i8254_reads, 1);
  }
  {  // RDRAND only
    FakeHw hw{.rdrand = true, .rdrand_value = 0x5555};
    EXPECT_EQ(KaslrRandom(seed, hw), KaslrMix(seed ^ 0x5555));
    EXPECT_EQ(hw.tsc_reads + hw.i8254_reads, 0);
  }
  {  // nothing at all but the timer
    FakeHw hw{.i8254_value = 0x7777};
    EXPECT_EQ(KaslrRandom(seed, hw), KaslrMix(seed ^ 0x7777));
    EXPECT_EQ(hw.rdrand_reads, 0);
  }
}

TEST(KaslrEntropy, SeededDrawsRepeatAndDiffer) {
  SeededEntropy a(42), b(42), c(43);
  const uint32_t a1 = KaslrRandom(7, a), a2 = KaslrRandom(7, a);
  EXPECT_EQ(KaslrRandom(7, b), a1);
  EXPECT_EQ(KaslrRandom(7, b), a2);
  EXPECT_NE(a1, a2);
  EXPECT_NE(KaslrRandom(7, c), a1);
}

// ---- slots -----------------------------------------------------------------------

// Every slot, lowest first, by the Oracle's interval arithmetic.
std::vector<uint64_t> OracleSlots(Oracle oracle, const std::vector<Range>& taken,
                                  const KaslrKernel& k, uint64_t floor, uint64_t ceiling) {
  for (const Range& r : taken) oracle.Remove(r.start, r.end);
  oracle.Remove(0, floor);
  oracle.Remove(ceiling, ~uint64_t{0});
  std::vector<Range> free = oracle.Free();
  std::sort(free.begin(), free.end(), [](Range a, Range b) { return a.start < b.start; });
  std::vector<uint64_t> slots;
  for (const Range& r : free) {
    for (uint64_t at = (r.start + k.align - 1) / k.align * k.align; at + k.size <= r.end;
         at += k.align) {
      slots.push_back(at);
    }
  }
  return slots;
}

std::vector<Range> KeptRanges(const RealMachine& m) {
  std::vector<Range> taken;
  for (const auto& [range, name] : m.Kept()) taken.push_back(range);
  return taken;
}

// Every machine of the corpus, Debian's kernel, a fixed seed: the slots
// are exactly the Oracle's, every draw lands on the Oracle's slot of that
// number, and what the draws give is spread over the machine.
TEST(KaslrCorpus, SlotsAreTheOraclesAndEveryDrawLandsOnOne) {
  int machines = 0, with_slots = 0;
  for (const testing::E820Machine& machine : testing::E820Corpus()) {
    const auto entries = testing::ParseDmesgE820(machine.text);
    ASSERT_TRUE(entries.has_value());
    if (entries->size() > linuxboot::E820_MAX_ENTRIES_ZEROPAGE) continue;
    ++machines;
    RealMachine m(*entries);
    MemoryPlan plan;
    ASSERT_FALSE(m.Init(plan)) << machine.name;
    const KaslrKernel k = DebianAmd64();
    const auto slots = OracleSlots(Oracle(*entries), KeptRanges(m), k, k.link_base, k4GiB);
    SlotSearch search{k.size, k.align, k.link_base, k4GiB, nullptr, 0};
    ASSERT_EQ(CountSlots(plan, search), slots.size()) << machine.name;
    for (size_t i = 0; i < slots.size(); ++i) {
      uint64_t at = 0;
      CountSlots(plan, search, static_cast<uint32_t>(i), &at);
      ASSERT_EQ(at, slots[i]) << machine.name << " slot " << i;
    }
    SeededEntropy hw(0x5eed);
    std::set<uint64_t> seen;
    for (int draw = 0; draw < 16; ++draw) {
      KernelPlace place;
      ASSERT_FALSE(ChooseKernelPlace(plan, k, KaslrOptions{}, nullptr, 0,
                                     [&] { return KaslrRandom(0, hw); }, &place));
      if (slots.empty()) {
        EXPECT_EQ(place.how, KaslrHow::kNoSlot) << machine.name;
        EXPECT_EQ(place.phys_base, k.link_base) << machine.name;
        continue;
      }
      EXPECT_EQ(place.how, KaslrHow::kRandom) << machine.name;
      EXPECT_EQ(place.phys_slots, slots.size());
      EXPECT_TRUE(std::binary_search(slots.begin(), slots.end(), place.phys_base))
          << machine.name << " " << HexString(place.phys_base);
      EXPECT_EQ(place.virt_slots, 476u);
      EXPECT_EQ(place.virt_offset % k.align, 0u);
      EXPECT_LE(k.link_base + place.virt_offset + k.size, kLinuxKernelImageSize64);
      EXPECT_TRUE(place.kaslr_flag);
      seen.insert(place.phys_base);
    }
    if (!slots.empty()) {
      ++with_slots;
      // 16 draws over a machine with many slots: not all the same.
      if (slots.size() >= 64) {
        EXPECT_GE(seen.size(), 8u) << machine.name;
      }
    }
  }
  EXPECT_GE(machines, 20);
  EXPECT_GE(with_slots, 15);
}

// With a ceiling past 4 GiB (a stage that could write there), machines
// with RAM above 4 GiB offer slots there, and a draw takes one.
TEST(KaslrCorpus, SlotsAboveFourGiBWhenTheCeilingAllows) {
  int machines = 0;
  for (const testing::E820Machine& machine : testing::E820Corpus()) {
    const auto entries = testing::ParseDmesgE820(machine.text);
    ASSERT_TRUE(entries.has_value());
    if (entries->size() > linuxboot::E820_MAX_ENTRIES_ZEROPAGE) continue;
    RealMachine m(*entries);
    MemoryPlan plan;
    ASSERT_FALSE(m.Init(plan));
    const KaslrKernel k = DebianAmd64(~uint64_t{0});
    const auto slots = OracleSlots(Oracle(*entries), KeptRanges(m), k, k.link_base, ~uint64_t{0});
    if (slots.empty() || slots.back() < k4GiB) continue;
    ++machines;
    SlotSearch search{k.size, k.align, k.link_base, ~uint64_t{0}, nullptr, 0};
    ASSERT_EQ(CountSlots(plan, search), slots.size()) << machine.name;
    // The last slot, drawn: above 4 GiB.
    KernelPlace place;
    const uint32_t last = static_cast<uint32_t>(slots.size() - 1);
    ASSERT_FALSE(ChooseKernelPlace(plan, k, KaslrOptions{}, nullptr, 0, [&] { return last; },
                                   &place));
    EXPECT_EQ(place.phys_base, slots.back()) << machine.name;
    EXPECT_GE(place.phys_base, k4GiB) << machine.name;
  }
  EXPECT_GE(machines, 8);
}

// A machine where everything to avoid lies where a kernel could go: every
// slot is clear of each, and without the memmap= range there are more.
TEST(KaslrAvoid, EverySlotKeepsClearOfWhatLinuxAvoids) {
  const std::vector<e820_entry> map = {
      {0, 0x9fc00, E820_TYPE_RAM},
      {0xf0000, 0x10000, E820_TYPE_RESERVED},
      {kMiB, 511 * kMiB, E820_TYPE_RAM},
      {512 * kMiB, kMiB, E820_TYPE_RESERVED},  // a hole in the middle
      {513 * kMiB, 511 * kMiB, E820_TYPE_RAM},
  };
  RealMachine m(map);
  // setup_data at 200 MiB.
  uint8_t* node = m.memory.Add(200 * kMiB, 64);
  linuxboot::setup_data sd{};
  sd.type = 0x7fff;
  sd.len = 48;
  std::memcpy(node, &sd, sizeof sd);
  m.bp->hdr.setup_data = 200 * kMiB;
  MemoryPlan plan;
  ASSERT_FALSE(m.Init(plan));
  KaslrKernel k = DebianAmd64();
  k.size = 20 * kMiB;
  const KaslrOptions o = ParseKaslr("memmap=8M$0x18000000 mem=900M");
  ASSERT_EQ(o.memmap_count, 1);
  std::vector<Range> avoided = KeptRanges(m);
  avoided.push_back({200 * kMiB, 200 * kMiB + 64});
  avoided.push_back(o.memmap[0]);
  avoided.push_back({512 * kMiB, 513 * kMiB});
  SlotSearch search{k.size, k.align, k.link_base, 900 * kMiB, o.memmap, 1};
  const uint32_t n = CountSlots(plan, search);
  ASSERT_GT(n, 100u);
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t at = 0;
    CountSlots(plan, search, i, &at);
    const Range slot{at, at + k.size};
    EXPECT_GE(at, k.link_base);
    EXPECT_LE(slot.end, 900 * kMiB) << HexString(at);
    for (const Range& r : avoided) {
      EXPECT_FALSE(slot.Overlaps(r)) << HexString(at);
    }
  }
  EXPECT_EQ(n, OracleSlots(Oracle(map), avoided, k, k.link_base, 900 * kMiB).size());
  SlotSearch without = search;
  without.avoid_count = 0;
  EXPECT_GT(CountSlots(plan, without), n);
  // ChooseKernelPlace reads mem= and memmap= from the options.
  KernelPlace place;
  for (uint32_t pick = 0; pick < 300; pick += 7) {
    ASSERT_FALSE(ChooseKernelPlace(plan, k, o, nullptr, 0, [&] { return pick; }, &place));
    EXPECT_EQ(place.phys_slots, n);
    uint64_t at = 0;
    CountSlots(plan, search, pick % n, &at);
    EXPECT_EQ(place.phys_base, at);
  }
}

// ---- the kernel's own addresses, and the fallbacks ----------------------------

TEST(KaslrFallback, NokaslrFixedNoSlotTooManyMemmapsAndAnUnusableLink) {
  RealMachine m({{0, 0x9fc00, E820_TYPE_RAM}, {kMiB, 255 * kMiB, E820_TYPE_RAM}});
  MemoryPlan plan;
  ASSERT_FALSE(m.Init(plan));
  int draws = 0;
  auto draw = [&] { return static_cast<uint32_t>(++draws * 12345); };
  KernelPlace place;

  // nokaslr: the kernel's own addresses, no draw, no KASLR_FLAG.
  KaslrKernel k = DebianAmd64();
  ASSERT_FALSE(ChooseKernelPlace(plan, k, ParseKaslr("nokaslr"), nullptr, 0, draw, &place));
  EXPECT_EQ(place.how, KaslrHow::kNokaslr);
  EXPECT_EQ(place.phys_base, 0x1000000u);
  EXPECT_EQ(place.virt_offset, 0u);
  EXPECT_FALSE(place.kaslr_flag);
  EXPECT_EQ(draws, 0);

  // A kernel that cannot move.
  KaslrKernel fixed = k;
  fixed.movable = false;
  ASSERT_FALSE(ChooseKernelPlace(plan, fixed, KaslrOptions{}, nullptr, 0, draw, &place));
  EXPECT_EQ(place.how, KaslrHow::kFixed);
  EXPECT_EQ(place.phys_base, 0x1000000u);
  EXPECT_FALSE(place.kaslr_flag);

  // Randomized: both addresses, two draws.
  ASSERT_FALSE(ChooseKernelPlace(plan, k, KaslrOptions{}, nullptr, 0, draw, &place));
  EXPECT_EQ(place.how, KaslrHow::kRandom);
  EXPECT_EQ(draws, 2);

  // Room for one slot: 235 MiB of kernel from 16 MiB up to the initrd
  // at 252 MiB.
  KaslrKernel big = k;
  big.size = 235 * kMiB;
  ASSERT_FALSE(ChooseKernelPlace(plan, big, KaslrOptions{}, nullptr, 0, draw, &place));
  EXPECT_EQ(place.how, KaslrHow::kRandom);
  EXPECT_EQ(place.phys_slots, 1u);
  // None, nor at its link address: it stays there for PlanKernel to
  // refuse.
  big.size = 250 * kMiB;
  ASSERT_FALSE(ChooseKernelPlace(plan, big, KaslrOptions{}, nullptr, 0, draw, &place));
  EXPECT_EQ(place.how, KaslrHow::kNoSlot);
  EXPECT_EQ(place.phys_base, 0x1000000u);
  const StageSegment segment{place.phys_base, big.size, big.size};
  KernelPlan kp;
  EXPECT_EQ(ToFailure(PlanKernel(plan, &segment, 1, &kp)).detail.c_str(),
            std::string("kernel segment 0 at 0x1000000-0x10a00000 is not RAM in the E820 map"));
  // mem= takes the slots away; the link address still fits.
  ASSERT_FALSE(ChooseKernelPlace(plan, k, ParseKaslr("mem=70M"), nullptr, 0, draw, &place));
  EXPECT_EQ(place.how, KaslrHow::kNoSlot);
  EXPECT_EQ(place.phys_base, 0x1000000u);
  EXPECT_TRUE(place.kaslr_flag);
  EXPECT_NE(place.virt_slots, 0u);

  // More than four memmap= ranges: the physical address stays, the
  // virtual one is still random.
  draws = 0;
  ASSERT_FALSE(ChooseKernelPlace(plan, k,
                                 ParseKaslr("memmap=1M$200M,1M$201M,1M$202M,1M$203M,1M$204M"),
                                 nullptr, 0, draw, &place));
  EXPECT_EQ(place.how, KaslrHow::kMemmapLimit);
  EXPECT_EQ(place.phys_base, 0x1000000u);
  EXPECT_EQ(draws, 1);
  EXPECT_EQ(place.virt_offset, uint64_t{12345 % 476} * 0x200000);

  // A relocatable kernel whose link address is taken (a memmap= range
  // over it, under nokaslr): the lowest slot instead of a refusal.
  ASSERT_FALSE(ChooseKernelPlace(plan, k, ParseKaslr("nokaslr memmap=1M$20M"), nullptr, 0, draw,
                                 &place));
  EXPECT_EQ(place.how, KaslrHow::kLowest);
  EXPECT_EQ(place.phys_base, 22 * kMiB);
  // ... and a PIE kernel linked where there is no RAM: the lowest slot
  // above the stage at 1 MiB, under nokaslr; a random one below its link
  // address without.
  KaslrKernel high = k;
  high.link_base = 300 * kMiB;
  high.floor = kMiB;
  high.virt = KaslrVirtual::kFollows;
  ASSERT_FALSE(ChooseKernelPlace(plan, high, ParseKaslr("nokaslr"), nullptr, 0, draw, &place));
  EXPECT_EQ(place.how, KaslrHow::kLowest);
  EXPECT_EQ(place.phys_base, 2 * kMiB);
  EXPECT_EQ(place.virt_offset, place.phys_base - high.link_base);
  ASSERT_FALSE(ChooseKernelPlace(plan, high, KaslrOptions{}, nullptr, 0, draw, &place));
  EXPECT_EQ(place.how, KaslrHow::kLowest);
}

TEST(KaslrFallback, AnAlignmentThatIsNotAPowerOfTwoIsAnError) {
  RealMachine m({{0, 0x9fc00, E820_TYPE_RAM}, {kMiB, 255 * kMiB, E820_TYPE_RAM}});
  MemoryPlan plan;
  ASSERT_FALSE(m.Init(plan));
  KaslrKernel k = DebianAmd64();
  k.align = 0x300000;
  KernelPlace place;
  const PlanError e =
      ChooseKernelPlace(plan, k, KaslrOptions{}, nullptr, 0, [] { return 0u; }, &place);
  const Failure f = ToFailure(e);
  ASSERT_TRUE(f);
  EXPECT_EQ(std::string(f.what) + ": " + f.detail.c_str(),
            "kernel: alignment 0x300000 is not a power of two");
}

TEST(KaslrVirtualSlots, LinuxCountsForDebianAmd64) {
  KaslrKernel k = DebianAmd64();
  // Our image is the kernel's span, 58 MiB: (1 GiB - 16 MiB - 58 MiB) /
  // 2 MiB + 1.
  EXPECT_EQ(VirtualSlots(k), 476u);
  // Linux's own decompressor counts its whole output, the vmlinux file
  // with its relocations (62.9 MiB, aligned up to 64): 473.
  k.size = 0x3e00000 + 891972;
  EXPECT_EQ(VirtualSlots(k), 473u);
  k.size = kLinuxKernelImageSize64;
  EXPECT_EQ(VirtualSlots(k), 0u);
}

TEST(KaslrFollows, I386LinuxMovesItsVirtualAddressesWithTheSlot) {
  RealMachine m({{0, 0x9fc00, E820_TYPE_RAM}, {kMiB, 127 * kMiB, E820_TYPE_RAM}});
  MemoryPlan plan;
  ASSERT_FALSE(m.Init(plan));
  // Debian's 686 kernel: 16 MiB aligned, 0x100c000 bytes from 16 MiB,
  // below 512 MiB.
  KaslrKernel k;
  k.movable = true;
  k.link_base = 0x1000000;
  k.size = 0x100c000;
  k.align = 0x1000000;
  k.ceiling = kLinuxKernelImageSize32;
  k.virt = KaslrVirtual::kFollows;
  std::set<uint64_t> seen;
  for (uint32_t pick = 0; pick < 16; ++pick) {
    KernelPlace place;
    ASSERT_FALSE(ChooseKernelPlace(plan, k, KaslrOptions{}, nullptr, 0, [&] { return pick; },
                                   &place));
    EXPECT_EQ(place.phys_base % k.align, 0u);
    EXPECT_EQ(place.virt_offset, place.phys_base - k.link_base);
    seen.insert(place.phys_base);
  }
  // 16, 32, ... 96 MiB; the initrd RealMachine puts at the top keeps
  // 112 MiB out.
  EXPECT_EQ(seen.size(), 6u);
}

// What the stage draws for, from the image's parameters.
TEST(KaslrKernelFor, WhatTheImageRecorded) {
  StageParams p = DebianAmd64Params();
  KaslrKernel k = KaslrKernelFor(p);
  EXPECT_TRUE(k.movable);
  EXPECT_EQ(k.link_base, 0x1000000u);
  EXPECT_EQ(k.size, 0x3a00000u);
  EXPECT_EQ(k.align, 0x200000u);
  EXPECT_EQ(k.floor, 0x1000000u);
  // Written below 4 GiB and copied up (lib/kernel-staging.h): Linux's
  // own limit.
  EXPECT_EQ(k.ceiling, kLinuxMaxPhys64);
  EXPECT_EQ(k.virt, KaslrVirtual::kWindow);
  // Linux's count for this image (find_random_virt_addr): 1 + (1 GiB -
  // 16 MiB - 0x3a00000) / 2 MiB.
  EXPECT_EQ(VirtualSlots(k), 476u);
  EXPECT_EQ(KaslrFloor(k), 0x1000000u);
  // The kernel the slot tests above draw for is this one.
  const KaslrKernel fixture = DebianAmd64(kLinuxMaxPhys64);
  EXPECT_EQ(k.link_base, fixture.link_base);
  EXPECT_EQ(k.size, fixture.size);
  EXPECT_EQ(k.align, fixture.align);
  EXPECT_EQ(k.floor, fixture.floor);
  EXPECT_EQ(k.virt_window, fixture.virt_window);
  // i386 Linux: below 512 MiB, virtual addresses follow.
  p.kernel_class = elf::ELFCLASS32;
  k = KaslrKernelFor(p);
  EXPECT_EQ(k.ceiling, kLinuxKernelImageSize32);
  EXPECT_EQ(k.virt, KaslrVirtual::kFollows);
  // A PIE kernel may go as low as 1 MiB; a random slot from min(link
  // address, 512 MiB).
  p.reloc_source = static_cast<uint8_t>(RelocSource::kDynamic);
  p.segments[0].paddr = 0x40000000;
  p.segment_count = 1;
  k = KaslrKernelFor(p);
  EXPECT_EQ(k.floor, kMiB);
  EXPECT_EQ(KaslrFloor(k), kKaslrFloorCap);
  // A place fixed at build time, or no relocations: it cannot move.
  p.load_address = 0x2000000;
  EXPECT_FALSE(KaslrKernelFor(p).movable);
  p.load_address = 0;
  p.reloc_source = static_cast<uint8_t>(RelocSource::kNone);
  EXPECT_FALSE(KaslrKernelFor(p).movable);
}

}  // namespace
}  // namespace bzelf
