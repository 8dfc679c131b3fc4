// KASLR's EFI rule and Linux's 1 GiB page rule (lib/kaslr.h, CountSlots)
// on the host: a machine as bzelf's EFI stub leaves it (the final EFI map
// in efi_info, the E820 table FillE820 made of it), fixed seeds, and a
// second computation of the slots straight from the descriptors.

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "efi-memory-map.h"
#include "kaslr.h"
#include "plan-fixtures.h"

namespace bzelf {
namespace {

using efi::EFI_MEMORY_DESCRIPTOR;
using linuxboot::boot_params;
using testing::DebianAmd64;
using testing::FakeMemory;
using testing::HexString;
using testing::kGiB;
using testing::kMiB;
using testing::ParseKaslr;

struct Descriptor {
  uint32_t type;
  uint64_t start;
  uint64_t end;
  uint64_t attribute = 0xf;  // UC | WC | WT | WB, as OVMF's RAM
};

// A 1 GiB q35 machine under OVMF after bzelf's EFI stub called
// ExitBootServices, in the shape Debian's OVMF gives it: boot-services
// code and data between the conventional ranges, the stub's loader data
// (boot_params, the command line, the final map, the stage) in a range
// of its own, runtime and ACPI memory at the top.
std::vector<Descriptor> OvmfLike() {
  return {
      {efi::EfiConventionalMemory, 0, 0x9f000},
      {efi::EfiConventionalMemory, 0x100000, 0x800000},
      {efi::EfiACPIMemoryNVS, 0x800000, 0x900000},
      {efi::EfiBootServicesData, 0x900000, 0x1500000},
      {efi::EfiConventionalMemory, 0x1500000, 0x10000000},
      {efi::EfiBootServicesCode, 0x10000000, 0x14000000},
      {efi::EfiLoaderData, 0x14000000, 0x16000000},
      {efi::EfiConventionalMemory, 0x16000000, 0x30000000},
      {efi::EfiBootServicesData, 0x30000000, 0x38000000},
      {efi::EfiConventionalMemory, 0x38000000, 0x3f000000},
      {efi::EfiRuntimeServicesData, 0x3f000000, 0x3f800000},
      {efi::EfiACPIReclaimMemory, 0x3f800000, 0x40000000},
  };
}

// The machine: boot_params, the command line and the map in the loader
// data, with OVMF's descriptor size (48), and the E820 table the stub
// builds from the map.
struct EfiMachine {
  static constexpr uint64_t kBootParams = 0x14000000;
  static constexpr uint64_t kCmdline = 0x14001000;
  static constexpr uint64_t kMap = 0x14002000;
  static constexpr uint64_t kDescriptorSize = 48;

  FakeMemory memory;
  boot_params* bp;
  StageExtent stage{0x14100000, 0x52ae0, 0x53000, kArenaSize};
  std::vector<Descriptor> descriptors;

  explicit EfiMachine(std::vector<Descriptor> map, const std::string& cmdline = "console=ttyS0")
      : descriptors(std::move(map)) {
    bp = testing::LoaderBootParams(memory, kBootParams, kCmdline, cmdline);
    const uint64_t bytes = descriptors.size() * kDescriptorSize;
    uint8_t* buffer = memory.Add(kMap, bytes);
    for (size_t i = 0; i < descriptors.size(); ++i) {
      EFI_MEMORY_DESCRIPTOR d{};
      d.Type = descriptors[i].type;
      d.PhysicalStart = descriptors[i].start;
      d.NumberOfPages = (descriptors[i].end - descriptors[i].start) / efi::EFI_PAGE_SIZE;
      d.Attribute = descriptors[i].attribute;
      std::memcpy(buffer + i * kDescriptorSize, &d, sizeof d);
    }
    const E820Fill fill = FillE820(EfiMemoryMap(buffer, bytes, kDescriptorSize), *bp, nullptr, 0);
    EXPECT_TRUE(fill.fits);
    linuxboot::efi_info info{};
    info.efi_loader_signature = linuxboot::EFI64_LOADER_SIGNATURE;
    info.efi_memdesc_size = kDescriptorSize;
    info.efi_memdesc_version = efi::EFI_MEMORY_DESCRIPTOR_VERSION;
    info.efi_memmap = static_cast<uint32_t>(kMap);
    info.efi_memmap_size = static_cast<uint32_t>(bytes);
    std::memcpy(bp->efi_info, &info, sizeof info);
  }

  PlanError Init(MemoryPlan& plan) const { return plan.Init(*bp, kBootParams, memory, stage); }
  // The same machine with efi_info saying nothing: the E820 rule alone.
  PlanError InitWithoutEfi(MemoryPlan& plan) {
    boot_params copy = *bp;
    std::memset(copy.efi_info, 0, sizeof copy.efi_info);
    return plan.Init(copy, kBootParams, memory, stage);
  }
};

// The slots by the rule written out once more: each descriptor that
// `takes`, cut to [floor, 4 GiB), aligned, in the map's order. (Nothing
// the planner keeps lies in conventional memory here.)
template <typename Takes>
std::vector<uint64_t> DescriptorSlots(const std::vector<Descriptor>& map, const KaslrKernel& k,
                                      Takes takes) {
  std::vector<uint64_t> slots;
  for (const Descriptor& d : map) {
    if (!takes(d)) continue;
    const uint64_t start = std::max(d.start, k.floor);
    const uint64_t end = std::min(d.end, k4GiB);
    for (uint64_t at = (start + k.align - 1) / k.align * k.align; at + k.size <= end;
         at += k.align) {
      slots.push_back(at);
    }
  }
  return slots;
}

bool Conventional(const Descriptor& d) { return d.type == efi::EfiConventionalMemory; }

// The descriptor of the map that holds [at, at + size) whole, or nullptr.
const Descriptor* Holding(const std::vector<Descriptor>& map, uint64_t at, uint64_t size) {
  for (const Descriptor& d : map) {
    if (d.start <= at && at + size <= d.end) return &d;
  }
  return nullptr;
}

bool TouchesBootServices(const std::vector<Descriptor>& map, uint64_t at, uint64_t size) {
  for (const Descriptor& d : map) {
    if ((d.type == efi::EfiBootServicesCode || d.type == efi::EfiBootServicesData) &&
        at < d.end && d.start < at + size) {
      return true;
    }
  }
  return false;
}

// A machine of plain RAM from `start` to 4 GiB: that one E820 entry in
// boot_params at 0x90000, and nothing else kept, so that the slots change
// only with what 1 GiB pages take.
struct PlainRamMachine {
  static constexpr uint64_t kBootParams = 0x90000;

  FakeMemory memory;
  boot_params* bp;

  explicit PlainRamMachine(uint64_t start) {
    bp = reinterpret_cast<boot_params*>(memory.Add(kBootParams, sizeof(boot_params)));
    bp->e820_table[0] = {start, k4GiB - start, linuxboot::E820_TYPE_RAM};
    bp->e820_entries = 1;
  }

  PlanError Init(MemoryPlan& plan) const {
    return plan.Init(*bp, kBootParams, memory, StageExtent{});
  }
};

// Where ChooseKernelPlace puts Debian's kernel with bzelf.kaslr_seed=seed
// (the stage's draw with a zero boot seed).
uint64_t PlaceWithSeed(const MemoryPlan& plan, const KaslrOptions& options, uint32_t seed,
                       KernelPlace* place) {
  SeededEntropy hw(seed);
  EXPECT_FALSE(ChooseKernelPlace(plan, DebianAmd64(), options, nullptr, 0,
                                 [&] { return KaslrRandom(0, hw); }, place));
  return place->phys_base;
}

// ---- the EFI rule ------------------------------------------------------------------

TEST(KaslrEfi, SlotsAreTheConventionalDescriptorsOnly) {
  EfiMachine m(OvmfLike());
  MemoryPlan plan;
  ASSERT_FALSE(m.Init(plan));
  ASSERT_EQ(plan.efi_map().Count(), m.descriptors.size());
  const KaslrKernel k = DebianAmd64();
  const auto slots = DescriptorSlots(m.descriptors, k, Conventional);
  SlotSearch search{k.size, k.align, k.floor, k4GiB, nullptr, 0};
  ASSERT_EQ(CountSlots(plan, search), slots.size());
  for (size_t i = 0; i < slots.size(); ++i) {
    uint64_t at = 0;
    CountSlots(plan, search, static_cast<uint32_t>(i), &at);
    ASSERT_EQ(at, slots[i]) << "slot " << i;
    const Descriptor* d = Holding(m.descriptors, at, k.size);
    ASSERT_NE(d, nullptr) << HexString(at);
    EXPECT_EQ(d->type, efi::EfiConventionalMemory) << HexString(at);
  }
}

// Fixed seeds: never a byte of boot-services memory with the EFI map;
// the same seeds over the E820 table alone (what the stage did before)
// do land there, so the check can see the difference.
TEST(KaslrEfi, FixedSeedsNeverChooseBootServicesMemory) {
  EfiMachine m(OvmfLike());
  MemoryPlan efi_plan, e820_plan;
  ASSERT_FALSE(m.Init(efi_plan));
  ASSERT_FALSE(m.InitWithoutEfi(e820_plan));
  ASSERT_EQ(e820_plan.efi_map().Count(), 0u);
  const uint64_t size = DebianAmd64().size;
  int e820_in_boot_services = 0;
  std::set<uint64_t> seen;
  for (uint32_t seed = 1; seed <= 64; ++seed) {
    KernelPlace place;
    const uint64_t at = PlaceWithSeed(efi_plan, KaslrOptions{}, seed, &place);
    EXPECT_EQ(place.how, KaslrHow::kRandom);
    EXPECT_FALSE(TouchesBootServices(m.descriptors, at, size)) << "seed " << seed;
    const Descriptor* d = Holding(m.descriptors, at, size);
    ASSERT_NE(d, nullptr) << "seed " << seed << " " << HexString(at);
    EXPECT_EQ(d->type, efi::EfiConventionalMemory);
    seen.insert(at);
    e820_in_boot_services += TouchesBootServices(m.descriptors,
                                                 PlaceWithSeed(e820_plan, KaslrOptions{}, seed,
                                                               &place),
                                                 size);
  }
  EXPECT_GE(seen.size(), 16u);
  EXPECT_GT(e820_in_boot_services, 0);
}

// Linux's mirror rule: once any descriptor is mirrored
// (EFI_MEMORY_MORE_RELIABLE), only mirrored conventional memory counts.
TEST(KaslrEfi, MirroredMemoryOnlyWhenThereIsAny) {
  auto map = OvmfLike();
  map[7].attribute |= efi::EFI_MEMORY_MORE_RELIABLE;  // 0x16000000-0x30000000
  // A mirrored descriptor of another type still turns the rule on.
  map[11].attribute |= efi::EFI_MEMORY_MORE_RELIABLE;
  EfiMachine m(map);
  MemoryPlan plan;
  ASSERT_FALSE(m.Init(plan));
  const KaslrKernel k = DebianAmd64();
  const auto slots = DescriptorSlots(m.descriptors, k, [](const Descriptor& d) {
    return Conventional(d) && (d.attribute & efi::EFI_MEMORY_MORE_RELIABLE) != 0;
  });
  SlotSearch search{k.size, k.align, k.floor, k4GiB, nullptr, 0};
  ASSERT_EQ(CountSlots(plan, search), slots.size());
  ASSERT_FALSE(slots.empty());
  for (uint32_t seed = 1; seed <= 32; ++seed) {
    KernelPlace place;
    const uint64_t at = PlaceWithSeed(plan, KaslrOptions{}, seed, &place);
    EXPECT_GE(at, 0x16000000u) << "seed " << seed;
    EXPECT_LE(at + k.size, 0x30000000u) << "seed " << seed;
  }
  // Only a mirrored descriptor of another type: no slot at all.
  auto only_other = OvmfLike();
  only_other[11].attribute |= efi::EFI_MEMORY_MORE_RELIABLE;
  EfiMachine n(only_other);
  MemoryPlan none;
  ASSERT_FALSE(n.Init(none));
  EXPECT_EQ(CountSlots(none, search), 0u);
}

// Specific-purpose memory (EFI_MEMORY_SP) is skipped unless
// efi=nosoftreserve.
TEST(KaslrEfi, SoftReservedMemoryUnlessNosoftreserve) {
  auto map = OvmfLike();
  map[7].attribute |= efi::EFI_MEMORY_SP;  // 0x16000000-0x30000000
  EfiMachine m(map);
  MemoryPlan plan;
  ASSERT_FALSE(m.Init(plan));
  const KaslrKernel k = DebianAmd64();
  const auto without_sp = DescriptorSlots(m.descriptors, k, [](const Descriptor& d) {
    return Conventional(d) && (d.attribute & efi::EFI_MEMORY_SP) == 0;
  });
  const auto all = DescriptorSlots(m.descriptors, k, Conventional);
  ASSERT_LT(without_sp.size(), all.size());
  KernelPlace place;
  for (uint32_t seed = 1; seed <= 32; ++seed) {
    const uint64_t at = PlaceWithSeed(plan, KaslrOptions{}, seed, &place);
    EXPECT_TRUE(at + k.size <= 0x16000000 || at >= 0x30000000) << HexString(at);
  }
  EXPECT_EQ(place.phys_slots, without_sp.size());
  PlaceWithSeed(plan, ParseKaslr("efi=debug,nosoftreserve"), 1, &place);
  EXPECT_EQ(place.phys_slots, all.size());
}

// A map the stage cannot read (here: not in the fake memory at all)
// leaves the E820 rule.
TEST(KaslrEfi, AnUnreadableMapFallsBackToE820) {
  EfiMachine m(OvmfLike());
  linuxboot::efi_info info;
  std::memcpy(&info, m.bp->efi_info, sizeof info);
  info.efi_memmap = 0x15000000;
  std::memcpy(m.bp->efi_info, &info, sizeof info);
  MemoryPlan plan, e820_plan;
  ASSERT_FALSE(m.Init(plan));
  ASSERT_FALSE(m.InitWithoutEfi(e820_plan));
  EXPECT_EQ(plan.efi_map().Count(), 0u);
  const KaslrKernel k = DebianAmd64();
  SlotSearch search{k.size, k.align, k.floor, k4GiB, nullptr, 0};
  // Still kept clear of (the map's range), so a few slots fewer than
  // without efi_info.
  EXPECT_GT(CountSlots(plan, search), DescriptorSlots(m.descriptors, k, Conventional).size());
  EXPECT_LE(CountSlots(plan, search), CountSlots(e820_plan, search));
}

// "EL32" counts as "EL64" does; any other signature is no map.
TEST(KaslrEfi, SignaturesLinuxAccepts) {
  for (const uint32_t signature : {linuxboot::EFI32_LOADER_SIGNATURE, 0x12345678u}) {
    EfiMachine m(OvmfLike());
    linuxboot::efi_info info;
    std::memcpy(&info, m.bp->efi_info, sizeof info);
    info.efi_loader_signature = signature;
    std::memcpy(m.bp->efi_info, &info, sizeof info);
    MemoryPlan plan;
    ASSERT_FALSE(m.Init(plan));
    EXPECT_EQ(plan.efi_map().Count(),
              signature == linuxboot::EFI32_LOADER_SIGNATURE ? m.descriptors.size() : 0u);
  }
}

// ---- 1 GiB pages -----------------------------------------------------------------

TEST(KaslrOptions, HugepagesCountOnlyAfterA1GiBPageSize) {
  EXPECT_EQ(ParseKaslr("hugepagesz=1G hugepages=2").gb_huge_pages, 2u);
  EXPECT_EQ(ParseKaslr("hugepagesz=1073741824 hugepages=0x3").gb_huge_pages, 3u);
  EXPECT_EQ(ParseKaslr("hugepages=2 hugepagesz=1G").gb_huge_pages, 0u);
  EXPECT_EQ(ParseKaslr("hugepagesz=2M hugepages=4").gb_huge_pages, 0u);
  EXPECT_EQ(ParseKaslr("hugepagesz=1G hugepagesz=2M hugepages=4").gb_huge_pages, 0u);
  EXPECT_EQ(ParseKaslr("hugepagesz=1G hugepages=4 hugepagesz=2M hugepages=8").gb_huge_pages, 4u);
  // default_hugepagesz= is not a hugepagesz= (parse_gb_huge_pages).
  EXPECT_EQ(ParseKaslr("default_hugepagesz=1G hugepages=2").gb_huge_pages, 0u);
  EXPECT_EQ(ParseKaslr("hugepagesz=1G -- hugepages=2").gb_huge_pages, 0u);
  EXPECT_EQ(ParseKaslr("mem=0 hugepagesz=1G hugepages=2").gb_huge_pages, 0u);
}

TEST(KaslrOptions, EfiNosoftreserveIsTheLastEfiWord) {
  EXPECT_TRUE(ParseKaslr("efi=nosoftreserve").efi_nosoftreserve);
  EXPECT_TRUE(ParseKaslr("efi=debug,nosoftreserve,novamap").efi_nosoftreserve);
  EXPECT_FALSE(ParseKaslr("efi=nosoftreserve efi=debug").efi_nosoftreserve);
  EXPECT_FALSE(ParseKaslr("efi=nosoftreserved").efi_nosoftreserve);
  EXPECT_FALSE(ParseKaslr("-- efi=nosoftreserve").efi_nosoftreserve);
  EXPECT_TRUE(ParseKaslr("mem=0 efi=nosoftreserve").efi_nosoftreserve);
}

// One RAM range from 16 MiB to 4 GiB: N GiB pages take [1 GiB, 1 + N
// GiB) out, the lowest whole GiB first, and slots stay before and after.
TEST(KaslrHugepages, WholeGiBLeaveTheSlotsLowestFirst) {
  PlainRamMachine m(0x1000000);
  MemoryPlan plan;
  ASSERT_FALSE(m.Init(plan));
  const KaslrKernel k = DebianAmd64();
  const auto count = [&](uint64_t start, uint64_t end) {
    return end - start < k.size ? 0 : (end - start - k.size) / k.align + 1;
  };
  for (uint64_t n = 0; n <= 4; ++n) {
    SlotSearch search{k.size, k.align, k.floor, k4GiB, nullptr, 0};
    search.gb_huge_pages = n;
    const uint64_t taken_end = std::min<uint64_t>(1 + n, 4) * kGiB;
    const uint64_t want = n == 0 ? count(k.floor, k4GiB)
                                 : count(k.floor, kGiB) + count(taken_end, k4GiB);
    const uint32_t slots = CountSlots(plan, search);
    ASSERT_EQ(slots, want) << n << " GiB pages";
    for (uint32_t i = 0; i < slots; ++i) {
      uint64_t at = 0;
      CountSlots(plan, search, i, &at);
      if (n != 0) {
        EXPECT_TRUE(at + k.size <= kGiB || at >= taken_end) << n << " " << HexString(at);
      }
    }
  }
}

// Through ChooseKernelPlace: x86_64 Linux leaves the pages out, a kernel
// whose virtual addresses follow its physical ones (i386 Linux, PIE
// kernels) does not, as Linux reads hugepages= on x86_64 only.
TEST(KaslrHugepages, OnlyForX8664Linux) {
  EfiMachine m(OvmfLike());
  MemoryPlan plan;
  ASSERT_FALSE(m.Init(plan));
  // The map's one whole GiB below 4 GiB ... is none: 1 GiB of RAM ends
  // at 1 GiB. A 4 GiB machine of plain RAM shows it instead.
  PlainRamMachine plain(0x100000);
  MemoryPlan big;
  ASSERT_FALSE(plain.Init(big));
  const KaslrOptions options = ParseKaslr("hugepagesz=1G hugepages=2");
  KaslrKernel x86_64 = DebianAmd64();
  KaslrKernel follows = x86_64;
  follows.virt = KaslrVirtual::kFollows;
  KernelPlace with, without, follows_place;
  auto draw = [] { return 0u; };
  ASSERT_FALSE(ChooseKernelPlace(big, x86_64, options, nullptr, 0, draw, &with));
  ASSERT_FALSE(ChooseKernelPlace(big, x86_64, KaslrOptions{}, nullptr, 0, draw, &without));
  ASSERT_FALSE(ChooseKernelPlace(big, follows, options, nullptr, 0, draw, &follows_place));
  // [1 GiB, 3 GiB) is out: the slots before it from 16 MiB, and after it.
  const auto count = [&](uint64_t start, uint64_t end) {
    return (end - start - x86_64.size) / x86_64.align + 1;
  };
  EXPECT_EQ(with.phys_slots, count(x86_64.floor, kGiB) + count(3 * kGiB, k4GiB));
  EXPECT_EQ(without.phys_slots, count(x86_64.floor, k4GiB));
  EXPECT_EQ(follows_place.phys_slots, without.phys_slots);
  // In the 1 GiB EFI machine no whole GiB is free: nothing changes.
  KernelPlace efi_with, efi_without;
  ASSERT_FALSE(ChooseKernelPlace(plan, x86_64, options, nullptr, 0, draw, &efi_with));
  ASSERT_FALSE(ChooseKernelPlace(plan, x86_64, KaslrOptions{}, nullptr, 0, draw, &efi_without));
  EXPECT_EQ(efi_with.phys_slots, efi_without.phys_slots);
}

}  // namespace
}  // namespace bzelf
