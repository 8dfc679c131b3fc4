// Builds small kernel ELF files in memory for the host tool's tests.
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "common.h"
#include "elf.h"

namespace bzelf::testing {

struct TestSegment {
  uint32_t type = elf::PT_LOAD;
  uint64_t vaddr = 0;
  uint64_t paddr = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
  uint64_t align = 0x1000;
  uint8_t fill_seed = 1;  // contents: a pattern from this seed
  std::vector<uint8_t> contents;  // used instead of the pattern when set
};

// An ELF (class 32 or 64) with the given segments laid out one after the
// other at page-aligned offsets, plus `trailing` bytes after the end.
inline Bytes MakeKernel(uint8_t elf_class, uint64_t entry, const std::vector<TestSegment>& segs,
                        size_t trailing = 0) {
  bool is64 = elf_class == elf::ELFCLASS64;
  size_t ehsize = is64 ? sizeof(elf::Elf64_Ehdr) : sizeof(elf::Elf32_Ehdr);
  size_t phsize = is64 ? sizeof(elf::Elf64_Phdr) : sizeof(elf::Elf32_Phdr);
  std::vector<uint64_t> offsets;
  uint64_t off = 0x1000;
  for (const auto& s : segs) {
    uint64_t a = s.align ? s.align : 1;
    if (a > 0x1000) a = 0x1000;
    off += (s.vaddr - off) & (a - 1);
    offsets.push_back(off);
    off += s.filesz;
  }
  Bytes f(off + trailing, 0);
  for (size_t i = 0; i < segs.size(); ++i) {
    const auto& s = segs[i];
    for (uint64_t j = 0; j < s.filesz; ++j) {
      f[offsets[i] + j] = s.contents.empty() ? static_cast<uint8_t>((j * 131 + s.fill_seed * 7) ^ (j >> 9))
                                             : s.contents[j];
    }
  }
  for (size_t j = 0; j < trailing; ++j) f[off + j] = static_cast<uint8_t>(j);
  auto ident = [&](uint8_t* id) {
    std::memcpy(id, elf::kMagic, 4);
    id[elf::EI_CLASS] = elf_class;
    id[elf::EI_DATA] = elf::ELFDATA2LSB;
    id[elf::EI_VERSION] = elf::EV_CURRENT;
  };
  if (is64) {
    elf::Elf64_Ehdr eh{};
    ident(eh.e_ident);
    eh.e_type = elf::ET_EXEC;
    eh.e_machine = elf::EM_X86_64;
    eh.e_version = 1;
    eh.e_entry = entry;
    eh.e_phoff = ehsize;
    eh.e_ehsize = static_cast<uint16_t>(ehsize);
    eh.e_phentsize = static_cast<uint16_t>(phsize);
    eh.e_phnum = static_cast<uint16_t>(segs.size());
    Store(f, 0, eh);
    for (size_t i = 0; i < segs.size(); ++i) {
      const auto& s = segs[i];
      elf::Elf64_Phdr ph{s.type, elf::PF_R | elf::PF_W | elf::PF_X, offsets[i], s.vaddr,
                         s.paddr, s.filesz, s.memsz, s.align};
      Store(f, ehsize + i * phsize, ph);
    }
  } else {
    elf::Elf32_Ehdr eh{};
    ident(eh.e_ident);
    eh.e_type = elf::ET_EXEC;
    eh.e_machine = elf::EM_386;
    eh.e_version = 1;
    eh.e_entry = static_cast<uint32_t>(entry);
    eh.e_phoff = static_cast<uint32_t>(ehsize);
    eh.e_ehsize = static_cast<uint16_t>(ehsize);
    eh.e_phentsize = static_cast<uint16_t>(phsize);
    eh.e_phnum = static_cast<uint16_t>(segs.size());
    Store(f, 0, eh);
    for (size_t i = 0; i < segs.size(); ++i) {
      const auto& s = segs[i];
      elf::Elf32_Phdr ph{s.type,
                         static_cast<uint32_t>(offsets[i]),
                         static_cast<uint32_t>(s.vaddr),
                         static_cast<uint32_t>(s.paddr),
                         static_cast<uint32_t>(s.filesz),
                         static_cast<uint32_t>(s.memsz),
                         elf::PF_R | elf::PF_W | elf::PF_X,
                         static_cast<uint32_t>(s.align)};
      Store(f, ehsize + i * phsize, ph);
    }
  }
  return f;
}

}  // namespace bzelf::testing
