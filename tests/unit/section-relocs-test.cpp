// tools/section-relocs.h: Linux's relocation table made from a kernel's
// .rela (x86_64) or .rel (i386) sections, as Linux's
// arch/x86/tools/relocs.c makes it, over small ELF files with section
// headers, symbols and relocations written here; and where that source
// stands among the others (tools/kernel-relocs.h).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "elf.h"
#include "kernel-elf.h"
#include "kernel-relocs.h"
#include "section-relocs.h"
#include "test-elf.h"

namespace bzelf {
namespace {

using testing::MakeKernel;

constexpr uint64_t kText64 = 0xffffffff81000000ull;
constexpr uint64_t kPhys64 = 0x1000000;
constexpr uint64_t kText32 = 0x400000;
// Section indices of the files below.
constexpr uint16_t kTextSec = 1, kPerCpuSec = 2, kCommentSec = 3;
// Where the per-CPU section's bytes lie in the file (__per_cpu_load).
constexpr uint64_t kPerCpuLoad = 0x800;

// Relocation types (x86-64 and i386 psABIs).
constexpr uint32_t kR64 = 1, kPc32 = 2, kPlt32 = 4, kGotPcRel = 9, k32 = 10, k32S = 11,
                   kPc64 = 24;
constexpr uint32_t k386_32 = 1, k386Pc32 = 2, k386GotOff = 9;

struct Sym {
  std::string name;
  uint64_t value;
  uint16_t shndx;
};
struct Rel {
  uint64_t offset;
  uint32_t type;
  uint32_t sym;  // index into the symbols (1 = the first given)
};
struct RelSection {
  uint16_t target;  // kTextSec, kPerCpuSec or kCommentSec
  std::vector<Rel> rels;
};

template <typename T>
void Append(Bytes& f, const T& v) {
  const size_t n = f.size();
  f.resize(n + sizeof v);
  std::memcpy(&f[n], &v, sizeof v);
}

// A kernel of one 4 KiB PT_LOAD (text at kText64 / 16 MiB on ELF64, at
// kText32 on ELF32) with section headers: .text, .data..percpu (linked at
// 0, its bytes at text + kPerCpuLoad, as an SMP Linux kernel's), a
// .comment that is not SHF_ALLOC, .symtab with `syms` (and
// __per_cpu_load), and one relocation section of the class's type per
// entry of `rels`. `trailing` bytes follow the ELF (a table, say).
Bytes Kernel(uint8_t cls, const std::vector<Sym>& syms, const std::vector<RelSection>& rels,
             const Bytes& trailing = {}) {
  const bool is64 = cls == elf::ELFCLASS64;
  const uint64_t text = is64 ? kText64 : kText32;
  Bytes f = MakeKernel(cls, is64 ? kPhys64 : kText32,
                       {{.vaddr = text, .paddr = is64 ? kPhys64 : kText32, .filesz = 0x1000,
                         .memsz = 0x1000, .align = 0x200000}});
  // Names.
  std::string shstr(1, '\0'), str(1, '\0');
  auto name = [](std::string& table, const std::string& n) {
    const uint32_t at = static_cast<uint32_t>(table.size());
    table += n;
    table += '\0';
    return at;
  };
  const char* rel_prefix = is64 ? ".rela" : ".rel";
  const char* targets[] = {"", ".text", ".data..percpu", ".comment"};
  struct Sec {
    uint32_t name, type;
    uint64_t flags, addr, offset, size;
    uint32_t link, info;
    uint64_t entsize;
  };
  std::vector<Sec> secs(1, Sec{});
  secs.push_back({name(shstr, ".text"), 1, 6, text, 0x1000, 0x800, 0, 0, 0});
  secs.push_back({name(shstr, ".data..percpu"), 1, 3, 0, 0x1000 + kPerCpuLoad, 0x100, 0, 0, 0});
  secs.push_back({name(shstr, ".comment"), 1, 0, 0, 0x1000, 0x10, 0, 0, 0});
  // Symbols: null, the given ones, __per_cpu_load last.
  std::vector<Sym> all = syms;
  all.push_back({"__per_cpu_load", text + kPerCpuLoad, kPerCpuSec});
  const size_t symtab_at = f.size();
  if (is64) {
    Append(f, elf::Elf64_Sym{});
    for (const Sym& s : all) Append(f, elf::Elf64_Sym{name(str, s.name), 0, 0, s.shndx, s.value, 0});
  } else {
    Append(f, elf::Elf32_Sym{});
    for (const Sym& s : all) {
      Append(f, elf::Elf32_Sym{name(str, s.name), static_cast<uint32_t>(s.value), 0, 0, 0, s.shndx});
    }
  }
  const uint64_t symsize = f.size() - symtab_at;
  const uint32_t symtab = 4;
  secs.push_back({name(shstr, ".symtab"), elf::SHT_SYMTAB, 0, 0, symtab_at, symsize, 5, 1,
                  is64 ? 24u : 16u});
  // The relocation sections.
  std::vector<Sec> relsecs;
  for (const RelSection& rs : rels) {
    const size_t at = f.size();
    for (const Rel& r : rs.rels) {
      if (is64) {
        Append(f, r.offset);
        Append(f, (uint64_t{r.sym} << 32) | r.type);
        Append(f, int64_t{0});
      } else {
        Append(f, static_cast<uint32_t>(r.offset));
        Append(f, (r.sym << 8) | r.type);
      }
    }
    relsecs.push_back({0, is64 ? elf::SHT_RELA : elf::SHT_REL, 0x40, 0, at, f.size() - at, symtab,
                       rs.target, is64 ? 24u : 8u});
  }
  const size_t str_at = f.size();
  f.insert(f.end(), str.begin(), str.end());
  secs.push_back({name(shstr, ".strtab"), elf::SHT_STRTAB, 0, 0, str_at, str.size(), 0, 0, 0});
  for (size_t i = 0; i < rels.size(); ++i) {
    relsecs[i].name = name(shstr, std::string(rel_prefix) + targets[rels[i].target]);
    secs.push_back(relsecs[i]);
  }
  const uint32_t shstrndx = static_cast<uint32_t>(secs.size());
  secs.push_back({name(shstr, ".shstrtab"), elf::SHT_STRTAB, 0, 0, f.size(), 0, 0, 0, 0});
  f.insert(f.end(), shstr.begin(), shstr.end());
  secs.back().size = shstr.size();
  f.resize((f.size() + 7) & ~size_t{7});
  const size_t shoff = f.size();
  for (const Sec& s : secs) {
    if (is64) {
      Append(f, elf::Elf64_Shdr{s.name, s.type, s.flags, s.addr, s.offset, s.size, s.link, s.info,
                                8, s.entsize});
    } else {
      Append(f, elf::Elf32_Shdr{s.name, s.type, static_cast<uint32_t>(s.flags),
                                static_cast<uint32_t>(s.addr), static_cast<uint32_t>(s.offset),
                                static_cast<uint32_t>(s.size), s.link, s.info, 4,
                                static_cast<uint32_t>(s.entsize)});
    }
  }
  if (is64) {
    auto eh = Load<elf::Elf64_Ehdr>(f, 0);
    eh.e_shoff = shoff, eh.e_shentsize = sizeof(elf::Elf64_Shdr);
    eh.e_shnum = static_cast<uint16_t>(secs.size()), eh.e_shstrndx = static_cast<uint16_t>(shstrndx);
    Store(f, 0, eh);
  } else {
    auto eh = Load<elf::Elf32_Ehdr>(f, 0);
    eh.e_shoff = static_cast<uint32_t>(shoff), eh.e_shentsize = sizeof(elf::Elf32_Shdr);
    eh.e_shnum = static_cast<uint16_t>(secs.size()), eh.e_shstrndx = static_cast<uint16_t>(shstrndx);
    Store(f, 0, eh);
  }
  f.insert(f.end(), trailing.begin(), trailing.end());
  return f;
}

// Linux's table: a zero word before each list.
Bytes Table(const std::vector<std::vector<uint32_t>>& lists) {
  Bytes t;
  for (const auto& list : lists) {
    Append(t, uint32_t{0});
    for (uint32_t w : list) Append(t, w);
  }
  return t;
}

KernelRelocs Find(const Bytes& file, const Bytes* relocs = nullptr) {
  KernelElf k = ParseKernel(file, "k");
  Placement pl = ChoosePlacement(k, std::nullopt, "k");
  return FindRelocs(k, file, pl, relocs, "r", "k");
}

// What Linux's build refuses leaves the kernel where it was linked, with
// the reason in the note.
std::string Refusal(const Bytes& file) {
  const KernelRelocs r = Find(file);
  if (r.source != RelocSource::kNone) return "(it can move)";
  if (r.note != "cannot move: " + r.refused) return "(note '" + r.note + "' does not say why)";
  return r.note;
}

uint32_t Low(uint64_t v) { return static_cast<uint32_t>(v); }

// Symbols of the x86_64 kernel, numbered from 1.
const std::vector<Sym> kSyms64 = {
    {"text_sym", kText64 + 0x200, kTextSec},         // 1
    {"percpu_var", 0x40, kPerCpuSec},                // 2: an offset in the per-CPU area
    {"__init_begin", kText64 + 0x300, kPerCpuSec},   // 3: put there by GNU ld, not per-CPU
    {"init_per_cpu__gdt_page", kText64 + 0x310, kPerCpuSec},  // 4: gold's, the same
    {"weak_undefined", 0, elf::SHN_UNDEF},           // 5
    {"__crc_foo", 0x1234, elf::SHN_ABS},             // 6: S_ABS, never moves
    {"_end", kText64 + 0xff0, elf::SHN_ABS},         // 7: S_REL, moves
    {"my_absolute", 0x5678, elf::SHN_ABS},           // 8: on neither list
};

TEST(SectionRelocs, X86_64RulesMakeLinuxsTable) {
  const std::vector<RelSection> rels = {
      {kTextSec,
       {{kText64 + 0x100, kR64, 1},    // 64-bit list
        {kText64 + 0x20, k32S, 1},     // 32-bit list
        {kText64 + 0x10, k32, 1},      // 32-bit list, sorted before 0x20
        {kText64 + 0x30, kPc32, 1},    // PC-relative: nothing
        {kText64 + 0x40, kPlt32, 2},   // PC-relative to a per-CPU offset: inverse
        {kText64 + 0x44, kPc32, 2},    // the same
        {kText64 + 0x48, kR64, 2},     // absolute per-CPU offset: stays
        {kText64 + 0x50, kR64, 3},     // __init_begin: not per-CPU, moves
        {kText64 + 0x58, k32S, 4},     // init_per_cpu_*: not per-CPU, moves
        {kText64 + 0x60, kR64, 5},     // undefined: skipped
        {kText64 + 0x68, kR64, 6},     // __crc_*: absolute, never moves
        {kText64 + 0x70, kR64, 7},     // _end: absolute by the linker, moves
        {kText64 + 0x78, 0, 1},        // R_X86_64_NONE
        {kText64 + 0x80, kPc64, 1}}},  // PC64, not per-CPU: nothing
      // A relocation in the per-CPU section: its place is at
      // __per_cpu_load + the offset.
      {kPerCpuSec, {{0x8, kR64, 1}, {0xc, kPc32, 2}}},
      // Not SHF_ALLOC: never read, whatever it holds.
      {kCommentSec, {{0x4, kGotPcRel, 8}}},
  };
  KernelRelocs r = Find(Kernel(elf::ELFCLASS64, kSyms64, rels));
  EXPECT_EQ(r.source, RelocSource::kTable);
  EXPECT_EQ(r.origin, "sections (.rela)");
  EXPECT_EQ(r.parsed.layout, RelocLayout::kX86_64Inverse);
  const Bytes want = Table({{Low(kText64 + 0x50), Low(kText64 + 0x70), Low(kText64 + 0x100),
                             Low(kText64 + kPerCpuLoad + 0x8)},
                            {Low(kText64 + 0x40), Low(kText64 + 0x44),
                             Low(kText64 + kPerCpuLoad + 0xc)},
                            {Low(kText64 + 0x10), Low(kText64 + 0x20), Low(kText64 + 0x58)}});
  EXPECT_EQ(r.table, want);
  EXPECT_EQ(r.parsed.count64, 4u);
  EXPECT_EQ(r.parsed.count_inverse, 3u);
  EXPECT_EQ(r.parsed.count32, 3u);
  EXPECT_EQ(r.note, "made from 16 relocations in 2 .rela sections");
}

TEST(SectionRelocs, I386RulesMakeLinuxsTable) {
  const std::vector<Sym> syms = {{"text_sym", kText32 + 0x200, kTextSec},
                                 {"undefined", 0, elf::SHN_UNDEF},
                                 {"__crc_bar", 0x99, elf::SHN_ABS},
                                 {"jiffies", kText32 + 0x400, elf::SHN_ABS}};
  const std::vector<RelSection> rels = {
      {kTextSec,
       {{kText32 + 0x30, k386_32, 1},
        {kText32 + 0x10, k386_32, 1},
        {kText32 + 0x20, k386Pc32, 1},  // PC-relative: nothing
        {kText32 + 0x40, k386_32, 2},   // undefined: relocs.c keeps it on i386
        {kText32 + 0x50, k386_32, 3},   // __crc_*: never moves
        {kText32 + 0x60, k386_32, 4}}}, // jiffies: S_REL, moves
      {kCommentSec, {{0x4, k386GotOff, 1}}},
  };
  KernelRelocs r = Find(Kernel(elf::ELFCLASS32, syms, rels));
  EXPECT_EQ(r.source, RelocSource::kTable);
  EXPECT_EQ(r.origin, "sections (.rel)");
  EXPECT_EQ(r.parsed.layout, RelocLayout::kI386);
  EXPECT_EQ(r.table, Table({{kText32 + 0x10, kText32 + 0x30, kText32 + 0x40, kText32 + 0x60}}));
}

TEST(SectionRelocs, WhatLinuxRefusesLeavesTheKernelInPlaceNamed) {
  auto refusal64 = [](uint32_t type, uint32_t sym) {
    return Refusal(Kernel(elf::ELFCLASS64, kSyms64, {{kTextSec, {{kText64 + 0x8, type, sym}}}}));
  };
  std::string e = refusal64(kGotPcRel, 1);
  EXPECT_NE(e.find(".rela.text entry 0 (at 0xffffffff81000008, R_X86_64_GOTPCREL against "
                   "text_sym): a relocation type Linux's table cannot express"),
            std::string::npos)
      << e;
  e = refusal64(kR64, 8);
  EXPECT_NE(e.find("R_X86_64_64 against my_absolute): an absolute symbol (SHN_ABS)"),
            std::string::npos)
      << e;
  e = refusal64(kPc64, 2);
  EXPECT_NE(e.find("R_X86_64_PC64 against percpu_var): PC64 against a per-CPU symbol"),
            std::string::npos)
      << e;
  // A place that the table's sign-extended 32-bit words cannot name.
  e = Refusal(Kernel(elf::ELFCLASS64, kSyms64, {{kTextSec, {{0x100000000ull, kR64, 1}}}}));
  EXPECT_NE(e.find("does not fit the table's 32-bit words"), std::string::npos) << e;
  const std::vector<Sym> syms32 = {{"text_sym", kText32, kTextSec}, {"abs32", 5, elf::SHN_ABS}};
  e = Refusal(Kernel(elf::ELFCLASS32, syms32, {{kTextSec, {{kText32 + 4, k386GotOff, 1}}}}));
  EXPECT_NE(e.find("R_386_GOTOFF against text_sym): a relocation type"), std::string::npos) << e;
  e = Refusal(Kernel(elf::ELFCLASS32, syms32, {{kTextSec, {{kText32 + 4, k386_32, 2}}}}));
  EXPECT_NE(e.find("R_386_32 against abs32): an absolute symbol (SHN_ABS)"), std::string::npos) << e;
  // The table made must name words inside the kernel.
  e = Refusal(Kernel(elf::ELFCLASS64, kSyms64, {{kTextSec, {{kText64 + 0x2000, kR64, 1}}}}));
  EXPECT_NE(e.find("the table made from its .rela sections: 64-bit entry 0 names 0x1002000"),
            std::string::npos)
      << e;
}

// A section table that cannot be read is a damaged ELF, not a kernel that
// cannot move: an error naming the file.
TEST(SectionRelocs, ADamagedSectionTableIsAnError) {
  Bytes file = Kernel(elf::ELFCLASS64, kSyms64, {{kTextSec, {{kText64 + 0x100, kR64, 1}}}});
  const uint64_t past_end = file.size() + 0x1000;
  std::memcpy(&file[0x28], &past_end, sizeof past_end);  // e_shoff
  try {
    Find(file);
    ADD_FAILURE() << "no error";
  } catch (const RelocRefused& e) {
    ADD_FAILURE() << "taken for a refusal: " << e.what();
  } catch (const ToolError& e) {
    EXPECT_EQ(e.file(), "k");
    EXPECT_NE(std::string(e.what()).find("section headers lie outside the file"), std::string::npos)
        << e.what();
  }
}

TEST(SectionRelocs, AnAppendedTableOrRelocsFileComesFirst) {
  const std::vector<RelSection> rels = {{kTextSec, {{kText64 + 0x100, kR64, 1}}}};
  const Bytes other = Table({{Low(kText64 + 0x200)}, {}, {}});
  // Sections alone.
  EXPECT_EQ(Find(Kernel(elf::ELFCLASS64, kSyms64, rels)).table,
            Table({{Low(kText64 + 0x100)}, {}, {}}));
  // A table after the ELF: Linux's build made it; it is taken as it is.
  KernelRelocs r = Find(Kernel(elf::ELFCLASS64, kSyms64, rels, other));
  EXPECT_EQ(r.origin, "appended");
  EXPECT_EQ(r.table, other);
  // --relocs FILE: what the user says.
  r = Find(Kernel(elf::ELFCLASS64, kSyms64, rels), &other);
  EXPECT_EQ(r.origin, "--relocs r");
  EXPECT_EQ(r.table, other);
  // Trailing bytes that are no table: the sections, and a note says why.
  const Bytes junk = {1, 2, 3, 4};
  r = Find(Kernel(elf::ELFCLASS64, kSyms64, rels, junk));
  EXPECT_EQ(r.origin, "sections (.rela)");
  EXPECT_NE(r.note.find("the 4 bytes after the ELF are no relocation table"), std::string::npos)
      << r.note;
  // Relocation sections for non-SHF_ALLOC sections only: none to take.
  r = Find(Kernel(elf::ELFCLASS64, kSyms64, {{kCommentSec, {{0, kR64, 1}}}}));
  EXPECT_EQ(r.source, RelocSource::kNone);
}

TEST(SectionRelocs, TypeNamesAreThePsAbis) {
  EXPECT_EQ(RelocTypeName(24, true), "R_X86_64_PC64");
  EXPECT_EQ(RelocTypeName(11, true), "R_X86_64_32S");
  EXPECT_EQ(RelocTypeName(23, false), "R_386_PC8");
  EXPECT_EQ(RelocTypeName(200, true), "R_X86_64_type 200");
}

}  // namespace
}  // namespace bzelf
