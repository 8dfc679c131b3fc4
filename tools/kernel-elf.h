// The input kernel: an ELF32 (EM_386) or ELF64 (EM_X86_64) executable,
// checked, and the rule that turns its p_paddr into physical addresses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common.h"
#include "stage-params.h"

namespace bzelf {

struct KernelPhdr {
  uint32_t type;
  uint32_t flags;
  uint64_t offset;
  uint64_t vaddr;
  uint64_t paddr;
  uint64_t filesz;
  uint64_t memsz;
  uint64_t align;
};

struct XenNotes {
  std::optional<uint64_t> paddr_offset;  // XEN_ELFNOTE_PADDR_OFFSET
  std::optional<uint64_t> virt_base;     // XEN_ELFNOTE_VIRT_BASE
  std::optional<uint32_t> phys32_entry;  // XEN_ELFNOTE_PHYS32_ENTRY
};

struct KernelElf {
  uint8_t elf_class;  // elf::ELFCLASS32 / ELFCLASS64
  uint16_t machine;
  uint16_t type;
  uint32_t flags;
  uint64_t entry;
  uint16_t ehsize;
  std::vector<KernelPhdr> phdrs;  // in file order
  XenNotes xen;
  // GNU_PROPERTY_X86_ISA_1_NEEDED from a GNU property note: the ISA
  // levels the kernel needs (kIsa* in lib/cpu-check.h), 0 for none.
  uint32_t isa_needed = 0;
  uint64_t elf_end;   // end of everything the ELF headers describe
  uint64_t trailing;  // bytes after elf_end (Linux appends its relocations)
  std::string linux_version;  // "6.1.0-..." when the banner is found
};

// Checks everything the image depends on; throws ToolError naming `name`.
KernelElf ParseKernel(const Bytes& file, const std::string& name);

struct Placement {
  PlacementRule rule;
  uint64_t offset;      // physical = p_paddr - offset
  std::string reason;   // one sentence for `bzelf info`
  uint64_t entry_phys;  // the entry point, physical
};

// DESIGN.md, "What p_paddr means". `override_offset` is --paddr-offset.
Placement ChoosePlacement(const KernelElf& kernel, std::optional<uint64_t> override_offset,
                          const std::string& name);

const char* PlacementRuleName(PlacementRule rule);

}  // namespace bzelf
