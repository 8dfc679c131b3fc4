// tools/kernel-relocs.h and lib/dynamic-relocs.h: where `bzelf build`
// finds a kernel's relocations, what it refuses, how the image carries
// Linux's table (and `bzelf extract` gives it back), and how a
// position-independent kernel's own entries are applied.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "dynamic-relocs.h"
#include "elf.h"
#include "image.h"
#include "kernel-elf.h"
#include "kernel-relocs.h"
#include "test-elf.h"

namespace bzelf {
namespace {

using testing::MakeKernel;
using testing::TestSegment;

constexpr uint64_t kText = 0xffffffff81000000ull;

void Put32(Bytes& b, uint32_t w) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<uint8_t>(w >> (8 * i)));
}
void Put64(Bytes& b, uint64_t w) {
  for (int i = 0; i < 8; ++i) b.push_back(static_cast<uint8_t>(w >> (8 * i)));
}

// A vmlinux-like ELF64: text at kText / 16 MiB, 64 KiB.
Bytes Vmlinux64(size_t trailing = 0) {
  return MakeKernel(elf::ELFCLASS64, 0x1000000,
                    {{.vaddr = kText, .paddr = 0x1000000, .filesz = 0x10000, .memsz = 0x18000,
                      .align = 0x200000}},
                    trailing);
}

Bytes Table64(std::vector<uint32_t> r64, std::vector<uint32_t> inv, std::vector<uint32_t> r32) {
  Bytes t;
  Put32(t, 0);
  for (uint32_t w : r64) Put32(t, w);
  Put32(t, 0);
  for (uint32_t w : inv) Put32(t, w);
  Put32(t, 0);
  for (uint32_t w : r32) Put32(t, w);
  return t;
}

KernelRelocs Find(const Bytes& file, const Bytes* relocs = nullptr, uint64_t header_alignment = 0) {
  KernelElf k = ParseKernel(file, "k");
  Placement pl = ChoosePlacement(k, std::nullopt, "k");
  return FindRelocs(k, file, pl, relocs, "r", "k", header_alignment);
}

std::string Refusal(const Bytes& file, const Bytes* relocs = nullptr) {
  try {
    Find(file, relocs);
  } catch (const ToolError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(KernelRelocs, FindsLinuxsTableAfterTheElf) {
  Bytes table = Table64({0x81000010, 0x81000018}, {0x81000100}, {0x81000200});
  Bytes file = Vmlinux64();
  file.insert(file.end(), table.begin(), table.end());
  KernelRelocs r = Find(file);
  EXPECT_EQ(r.source, RelocSource::kTable);
  EXPECT_EQ(r.origin, "appended");
  EXPECT_EQ(r.parsed.layout, RelocLayout::kX86_64Inverse);
  EXPECT_EQ(r.Count(), 4u);
  EXPECT_EQ(r.table, table);
  EXPECT_EQ(r.kernel_map, 0xffffffff80000000ull);
  EXPECT_EQ(r.move_align, 0x200000u);
}

// An i386 vmlinux-like ELF32 linked at `paddr` (virtual 0xc0000000 above),
// 64 KiB, with an i386 table (one entry) after it.
Bytes Vmlinux32(uint32_t paddr) {
  Bytes file = MakeKernel(elf::ELFCLASS32, paddr,
                          {{.vaddr = 0xc0000000 + paddr, .paddr = paddr, .filesz = 0x10000,
                            .memsz = 0x10000}});
  Put32(file, 0);
  Put32(file, 0xc0000010 + paddr);
  return file;
}

// The steps a Linux kernel moves in: its bzImage header's kernel_alignment
// when it came from one (Debian 686: 16 MiB); for a vmlinux, 2 MiB or the
// link address's own alignment when smaller; never less than Linux's
// MIN_KERNEL_ALIGN (8 KiB on i386, 2 MiB on x86_64).
TEST(KernelRelocs, LinuxMovesInTheStepsItsHeaderOrLinkAddressAllows) {
  EXPECT_EQ(Find(Vmlinux32(0x1000000)).move_align, 0x200000u);
  EXPECT_EQ(Find(Vmlinux32(0x1000000), nullptr, 0x1000000).move_align, 0x1000000u);
  EXPECT_EQ(Find(Vmlinux32(0x1000000), nullptr, 0x2000).move_align, 0x2000u);
  // Linked at 1 MiB: CONFIG_PHYSICAL_ALIGN is at most 1 MiB.
  EXPECT_EQ(Find(Vmlinux32(0x100000)).move_align, 0x100000u);
  EXPECT_EQ(Find(Vmlinux32(0x1002000)).move_align, 0x2000u);
  // A header alignment the link address is no multiple of, one below
  // MIN_KERNEL_ALIGN, one that is no power of two: the table is not used.
  for (uint64_t bad : {0x2000000ull, 0x1000ull, 0x300000ull}) {
    KernelRelocs r = Find(Vmlinux32(0x1000000), nullptr, bad);
    EXPECT_EQ(r.source, RelocSource::kNone) << bad;
    EXPECT_NE(r.note.find("the kernel alignment " + HexString(bad)), std::string::npos)
        << r.note;
  }
  // Linked off Linux's i386 minimum, or x86_64's.
  KernelRelocs r = Find(Vmlinux32(0x1001000));
  EXPECT_EQ(r.source, RelocSource::kNone);
  EXPECT_NE(r.note.find("the link address 0x1001000 and Linux's 2 MiB default alignment do not "
                        "make a step of whole multiples of Linux's minimum alignment 0x2000"),
            std::string::npos)
      << r.note;
  Bytes at1m = MakeKernel(elf::ELFCLASS64, 0x100000,
                          {{.vaddr = kText, .paddr = 0x100000, .filesz = 0x10000, .memsz = 0x10000}});
  Bytes table = Table64({0x81000010}, {}, {});
  EXPECT_NE(Refusal(at1m, &table).find("minimum alignment 0x200000"), std::string::npos);
  // --relocs with a bzImage's alignment.
  EXPECT_EQ(Find(Vmlinux64(), &table, 0x400000).move_align, 0x400000u);
}

// --kernel-alignment gives a vmlinux the steps its bzImage's header would
// (the image is then the image of that bzImage); a kernel that gets no
// Linux table with it is refused, not built unable to move.
TEST(KernelRelocs, KernelAlignmentOptionIsTheHeadersField) {
  BuildOptions opt;
  opt.kernel_alignment_option = 0x1000000;
  BuiltImage img = BuildImage(Vmlinux32(0x1000000), "k", opt);
  EXPECT_EQ(img.payload.params.move_align, 0x1000000u);
  BuildOptions header;
  header.kernel_alignment = 0x1000000;
  EXPECT_EQ(BuildImage(Vmlinux32(0x1000000), "k", header).bytes, img.bytes);
  // The option wins over what a bzImage said.
  opt.kernel_alignment = 0x200000;
  EXPECT_EQ(BuildImage(Vmlinux32(0x1000000), "k", opt).bytes, img.bytes);
  auto refusal = [&](const Bytes& kernel) -> std::string {
    try {
      BuildImage(kernel, "k", opt);
    } catch (const ToolError& e) {
      return e.what();
    }
    return "(no error)";
  };
  opt.kernel_alignment_option = 0x2000000;
  EXPECT_NE(refusal(Vmlinux32(0x1000000)).find("--kernel-alignment: the 8 bytes after the ELF are no "
                                               "relocation table: the link address 0x1000000 and "
                                               "the kernel alignment 0x2000000"),
            std::string::npos)
      << refusal(Vmlinux32(0x1000000));
  opt.kernel_alignment_option = 0x200000;
  EXPECT_EQ(refusal(Vmlinux64(0)), "--kernel-alignment: no Linux relocation table");
}

TEST(KernelRelocs, TrailingDataThatIsNoTableIsLeftAlone) {
  // MakeKernel's trailing bytes start 00 01 02 03: no leading zero word.
  KernelRelocs r = Find(Vmlinux64(64));
  EXPECT_EQ(r.source, RelocSource::kNone);
  EXPECT_NE(r.note.find("no relocation table: it does not start with a zero word"), std::string::npos)
      << r.note;
  // A table naming a word past the kernel's memory is none either.
  Bytes file = Vmlinux64();
  Bytes bad = Table64({0x81018000}, {}, {});
  file.insert(file.end(), bad.begin(), bad.end());
  r = Find(file);
  EXPECT_EQ(r.source, RelocSource::kNone);
  EXPECT_NE(r.note.find("64-bit entry 0 names 0x1018000"), std::string::npos) << r.note;
}

TEST(KernelRelocs, RelocsFileIsCheckedAndUsed) {
  Bytes table = Table64({0x81000010}, {}, {0x81000200});
  KernelRelocs r = Find(Vmlinux64(), &table);
  EXPECT_EQ(r.source, RelocSource::kTable);
  EXPECT_EQ(r.origin, "--relocs r");
  EXPECT_EQ(r.Count(), 2u);
  Bytes i386 = {0, 0, 0, 0, 0x10, 0, 0, 0xc1};
  EXPECT_NE(Refusal(Vmlinux64(), &i386).find("not a relocation table for k: its layout is for the other ELF class"),
            std::string::npos);
}

TEST(KernelRelocs, TheImageCarriesTheTableAndExtractGivesItBack) {
  Bytes table = Table64({0x81000010}, {0x81000100}, {0x81000200});
  Bytes file = Vmlinux64();
  file.insert(file.end(), table.begin(), table.end());
  BuiltImage img = BuildImage(file, "k", BuildOptions{});
  ASSERT_TRUE(img.payload.params.reloc_source == static_cast<uint8_t>(RelocSource::kTable));
  EXPECT_EQ(img.payload.params.reloc_bytes, table.size());
  const StageParams& sp = img.payload.params;
  EXPECT_EQ(sp.regions[sp.region_count - 1].sink, static_cast<uint8_t>(RegionSink::kRelocTable));
  Bytes out = ExtractKernel(img.bytes, ParseImage(img.bytes, "img"), "img");
  ASSERT_GE(out.size(), table.size());
  EXPECT_TRUE(std::equal(table.begin(), table.end(), out.end() - table.size()));
  EXPECT_EQ(BuildImage(out, "k", BuildOptions{}).bytes, img.bytes);
}

// A position-independent kernel linked at 0: one PT_LOAD holding a RELA
// (or REL) table at 0x100 and words at 0x200, and the PT_DYNAMIC.
struct Dyn {
  uint64_t tag, value;
};
Bytes Pie(uint8_t elf_class, const std::vector<DynRel>& rels, std::vector<Dyn> dynamic,
          bool rela = true, uint16_t type = elf::ET_DYN) {
  const bool is64 = elf_class == elf::ELFCLASS64;
  Bytes load(0x1000, 0);
  Bytes t;
  for (const DynRel& r : rels) {
    if (is64) {
      Put64(t, r.offset);
      Put64(t, r.type);
      if (rela) Put64(t, r.addend);
    } else {
      Put32(t, static_cast<uint32_t>(r.offset));
      Put32(t, r.type);
      if (rela) Put32(t, static_cast<uint32_t>(r.addend));
    }
  }
  std::copy(t.begin(), t.end(), load.begin() + 0x100);
  if (dynamic.empty()) {
    dynamic = {{rela ? DT_RELA : DT_REL, 0x100}, {rela ? DT_RELASZ : DT_RELSZ, t.size()}};
  }
  Bytes d;
  for (const Dyn& e : dynamic) {
    is64 ? Put64(d, e.tag) : Put32(d, static_cast<uint32_t>(e.tag));
    is64 ? Put64(d, e.value) : Put32(d, static_cast<uint32_t>(e.value));
  }
  is64 ? Put64(d, DT_NULL) : Put32(d, 0);
  is64 ? Put64(d, 0) : Put32(d, 0);
  Bytes f = MakeKernel(elf_class, 0x10,
                       {{.vaddr = 0, .paddr = 0, .filesz = 0x1000, .memsz = 0x2000, .contents = load},
                        {.type = elf::PT_DYNAMIC, .vaddr = 0x1800, .paddr = 0x1800,
                         .filesz = d.size(), .memsz = d.size(), .align = 8, .contents = d}});
  std::memcpy(&f[16], &type, 2);  // e_type
  return f;
}

TEST(KernelRelocs, PieKernelsRelativeEntriesAreAccepted) {
  KernelRelocs r = Find(Pie(elf::ELFCLASS64, {{0x200, R_X86_64_RELATIVE, true, 0x300},
                                              {0, R_X86_64_NONE, true, 0},
                                              {0x208, R_X86_64_RELATIVE, true, 0x10}},
                            {}));
  EXPECT_EQ(r.source, RelocSource::kDynamic);
  EXPECT_EQ(r.dyn_format, DynRelFormat::kRela64);
  EXPECT_EQ(r.Count(), 2u);
  EXPECT_EQ(r.dyn_addr, 0x100u);
  EXPECT_EQ(r.dyn_size, 72u);
  r = Find(Pie(elf::ELFCLASS32, {{0x200, R_386_RELATIVE, false, 0}}, {}, /*rela=*/false));
  EXPECT_EQ(r.source, RelocSource::kDynamic);
  EXPECT_EQ(r.dyn_format, DynRelFormat::kRel32);
  EXPECT_EQ(r.Count(), 1u);
  // A TEXTREL is honoured: the stage writes before any page protection.
  r = Find(Pie(elf::ELFCLASS64, {{0x200, R_X86_64_RELATIVE, true, 0}},
               {{DT_RELA, 0x100}, {DT_RELASZ, 24}, {DT_TEXTREL, 0}}));
  EXPECT_TRUE(r.textrel);
}

TEST(KernelRelocs, WhatCannotBeHonouredIsRefusedByName) {
  EXPECT_NE(Refusal(Pie(elf::ELFCLASS64, {{0x200, R_X86_64_RELATIVE, true, 0}, {0x208, 6, true, 0}}, {}))
                .find("dynamic relocation 1 at 0x208 is R_X86_64_GLOB_DAT; only R_X86_64_RELATIVE"),
            std::string::npos);
  EXPECT_NE(Refusal(Pie(elf::ELFCLASS32, {{0x200, 1, false, 0}}, {}, false))
                .find("is R_386_32; only R_386_RELATIVE"),
            std::string::npos);
  EXPECT_NE(Refusal(Pie(elf::ELFCLASS64, {{0x3000, R_X86_64_RELATIVE, true, 0}},
                        {{DT_RELA, 0x100}, {DT_RELASZ, 24}, {DT_TEXTREL, 0}}))
                .find("at 0x3000 lies outside every PT_LOAD (DT_TEXTREL cannot be honoured there)"),
            std::string::npos);
  EXPECT_NE(Refusal(Pie(elf::ELFCLASS64, {}, {{DT_NEEDED, 1}})).find("(DT_NEEDED)"), std::string::npos);
  EXPECT_NE(Refusal(Pie(elf::ELFCLASS64, {}, {{DT_RELR, 0x100}})).find("(DT_RELR)"), std::string::npos);
  EXPECT_NE(Refusal(Pie(elf::ELFCLASS64, {}, {{DT_JMPREL, 0x100}, {DT_PLTRELSZ, 24}}))
                .find("(DT_JMPREL)"),
            std::string::npos);
  EXPECT_NE(Refusal(Pie(elf::ELFCLASS64, {}, {{DT_RELA, 0xf00}, {DT_RELASZ, 0x1f8}}))
                .find("the relocation table at 0xf00 lies outside every PT_LOAD's file bytes"),
            std::string::npos);
  // PT_INTERP: a program interpreter, which nothing at boot runs.
  Bytes interp = MakeKernel(elf::ELFCLASS64, 0x200000,
                            {{.vaddr = 0x200000, .paddr = 0x200000, .filesz = 0x100, .memsz = 0x100},
                             {.type = elf::PT_INTERP, .vaddr = 0, .paddr = 0, .filesz = 8, .memsz = 8}});
  try {
    ParseKernel(interp, "k");
    ADD_FAILURE() << "PT_INTERP accepted";
  } catch (const ToolError& e) {
    EXPECT_NE(std::string(e.what()).find("PT_INTERP"), std::string::npos) << e.what();
  }
}

// Kernel memory at a physical address, for ApplyDynamicRelocs.
struct FakeMemory {
  uint64_t base;
  std::vector<uint8_t>* bytes;
  uint8_t* Bytes(uint64_t addr, uint64_t size) const {
    EXPECT_GE(addr, base);
    EXPECT_LE(addr - base + size, bytes->size());
    return bytes->data() + (addr - base);
  }
};

TEST(DynamicRelocs, RelativeEntriesBecomeWhereTheTargetIsNow) {
  // RELA64: the word becomes addend + delta, whatever it held.
  Bytes t;
  for (uint64_t w : {0x10ull, 8ull, 0x300ull, 0x18ull, 8ull, 0x40ull}) Put64(t, w);
  Bytes mem(0x1000, 0xee);
  constexpr uint64_t kAt = 0x2345000;
  StageSegment seg{kAt, 0x1000, 0x1000};
  RelocMove move{0, kAt, kAt};
  ASSERT_FALSE(ApplyDynamicRelocs(t.data(), t.size(), DynRelFormat::kRela64, move, &seg, 1,
                                  FakeMemory{kAt, &mem}));
  uint64_t v;
  std::memcpy(&v, &mem[0x10], 8);
  EXPECT_EQ(v, kAt + 0x300);
  std::memcpy(&v, &mem[0x18], 8);
  EXPECT_EQ(v, kAt + 0x40);
  // REL32: the addend is the word.
  Bytes r;
  for (uint32_t w : {0x20u, 8u}) Put32(r, w);
  uint32_t word = 0x123;
  std::memcpy(&mem[0x20], &word, 4);
  ASSERT_FALSE(ApplyDynamicRelocs(r.data(), r.size(), DynRelFormat::kRel32, move, &seg, 1,
                                  FakeMemory{kAt, &mem}));
  std::memcpy(&word, &mem[0x20], 4);
  EXPECT_EQ(word, 0x123u + kAt);
}

TEST(DynamicRelocs, AnEntryItCannotApplyStopsThePassThere) {
  constexpr uint64_t kAt = 0x2000000;
  StageSegment seg{kAt, 0x1000, 0x1000};
  RelocMove move{0, kAt, kAt};
  struct Case {
    const char* what;
    std::vector<uint64_t> words;
    uint32_t index;
  };
  // Each: a good entry (word 0x10 becomes kAt + 0x100), the bad one, and a
  // good one after it (word 0x20), which must stay as it was.
  const Case cases[] = {
      {"another type", {0x10, 8, 0x100, 0x18, 1, 0, 0x20, 8, 0x200}, 1},
      {"outside", {0x10, 8, 0x100, 0xffc, 8, 0, 0x20, 8, 0x200}, 1},
  };
  for (const Case& c : cases) {
    Bytes t;
    for (uint64_t w : c.words) Put64(t, w);
    Bytes mem(0x1000, 0);
    Bytes expected = mem;
    const uint64_t first = kAt + 0x100;
    std::memcpy(&expected[0x10], &first, 8);
    RelocFault f = ApplyDynamicRelocs(t.data(), t.size(), DynRelFormat::kRela64, move, &seg, 1,
                                      FakeMemory{kAt, &mem});
    EXPECT_TRUE(f) << c.what;
    EXPECT_EQ(f.index, c.index) << c.what;
    EXPECT_EQ(mem, expected) << c.what;
  }
}

}  // namespace
}  // namespace bzelf
