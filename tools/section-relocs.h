// Linux's relocation table (lib/reloc-table.h) made from a kernel linked
// with `ld --emit-relocs`: a Linux build tree's vmlinux up to 6.3 (Linux
// links it so when it needs the table, CONFIG_X86_NEED_RELOCS:
// RANDOMIZE_BASE, or RELOCATABLE on i386; from 6.4 arch/x86/
// Makefile.postlink strips the sections again) keeps the linker's
// relocations in SHT_RELA (x86_64) or SHT_REL (i386) sections,
// from which Linux's build makes the table it appends to the bzImage's
// vmlinux (arch/x86/tools/relocs.c, `relocs vmlinux > vmlinux.relocs`).
// This reader follows that program's rules of Linux 6.1, so that the
// table is the one Linux's build would write, word for word:
//  - it reads the relocation sections of the kernel's class only (x86_64
//    SHT_RELA, i386 SHT_REL) whose target section (sh_info) is SHF_ALLOC;
//  - x86_64: relocations against undefined symbols are skipped;
//    R_X86_64_64 goes to the 64-bit list, R_X86_64_32 and _32S to the
//    32-bit one, R_X86_64_PC32 and _PLT32 only against a per-CPU symbol to
//    the inverse list; R_X86_64_PC64 against a per-CPU symbol is refused;
//    NONE and other PC-relative ones need nothing;
//  - per-CPU (x86_64 SMP kernels, whose .data..percpu is linked at 0): a
//    symbol of .data..percpu other than __init_begin, __per_cpu_load and
//    init_per_cpu_* is an offset into the per-CPU area and is not moved by
//    the absolute types; a relocation *in* .data..percpu has its place
//    shifted by __per_cpu_load, where the section's bytes lie;
//  - an absolute symbol (SHN_ABS) is refused by name unless Linux's audited
//    list (S_ABS) says it never moves, or its list of symbols that are
//    section-relative despite the linker (S_REL) says it moves;
//  - i386: R_386_32 goes to the 32-bit list; NONE, PC32, PC16, PC8 and
//    PLT32 need nothing (relocs.c does not skip undefined symbols there);
//  - any other type is refused by name, as is (x86_64) a place whose
//    address does not fit the table's sign-extended 32-bit words;
//  - each list is sorted (as unsigned 32-bit words); the table is 0,
//    64-bit..., 0, inverse..., 0, 32-bit... on x86_64 (relocs.c
//    emit_relocs up to Linux 6.14) and 0, 32-bit... on i386.
// Departures: relocs.c reads a relocation section's symbol and target
// section by index without checking them; this reader refuses what lies
// outside the file or the section table. relocs.c truncates an inverse
// entry whose place does not fit 32 bits; this reader refuses it.
#pragma once

#include <cstdint>
#include <string>

#include "common.h"
#include "kernel-elf.h"

namespace bzelf {

// A relocation Linux's relocs program refuses (named in what()): the
// kernel is well formed, but cannot move by Linux's rules.
class RelocRefused : public ToolError {
 public:
  using ToolError::ToolError;
};

struct SectionRelocs {
  // Whether the kernel has relocation sections of its class that apply to
  // an SHF_ALLOC section (then `table` is its table, perhaps empty lists).
  bool found = false;
  const char* kind = "";  // ".rela" (x86_64) or ".rel" (i386)
  uint32_t sections = 0;  // relocation sections read
  uint64_t read = 0;      // relocations read in them
  Bytes table;
};

// Reads `file`'s section headers (the ELF `k`). Throws RelocRefused naming
// `name` for a relocation Linux's relocs refuses, and ToolError for a
// section table that cannot be read (a damaged ELF).
SectionRelocs TableFromSections(const Bytes& file, const KernelElf& k, const std::string& name);

// The psABIs' name of relocation type `type` (x86-64 psABI "Relocation
// Types", the i386 psABI's table), or "R_X86_64_type N" for one it does
// not know.
std::string RelocTypeName(uint32_t type, bool is64);

}  // namespace bzelf
