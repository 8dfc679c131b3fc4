#include "kernel-elf.h"

#include <algorithm>
#include <cstring>

#include "cpu-check.h"
#include "elf.h"

namespace bzelf {
namespace {

// Usual kernel virtual bases: Linux i386's PAGE_OFFSET, and x86_64's
// __START_KERNEL_map; an old kernel put these into p_paddr.
constexpr uint64_t kVirtBase32 = 0xC0000000ull;
constexpr uint64_t kVirtBase64 = 0xFFFFFFFF80000000ull;
constexpr uint64_t kUpperHalf64 = 0xFFFF800000000000ull;

template <typename Ehdr, typename Phdr>
void ParseHeaders(const Bytes& file, const std::string& name, KernelElf& k) {
  if (file.size() < sizeof(Ehdr)) throw ToolError(name, "truncated ELF header");
  auto eh = Load<Ehdr>(file, 0);
  k.type = eh.e_type;
  k.machine = eh.e_machine;
  k.flags = eh.e_flags;
  k.entry = eh.e_entry;
  k.ehsize = eh.e_ehsize;
  if (eh.e_phnum == 0) throw ToolError(name, "no program headers");
  if (eh.e_phentsize != sizeof(Phdr)) {
    throw ToolError(name, "unexpected program header size " + std::to_string(eh.e_phentsize));
  }
  uint64_t ph_end = uint64_t{eh.e_phoff} + uint64_t{eh.e_phnum} * sizeof(Phdr);
  if (eh.e_phoff > file.size() || ph_end > file.size()) {
    throw ToolError(name, "program headers lie outside the file");
  }
  k.elf_end = std::max<uint64_t>(sizeof(Ehdr), ph_end);
  if (eh.e_shoff != 0 && eh.e_shnum != 0) {
    uint64_t sh_end = uint64_t{eh.e_shoff} + uint64_t{eh.e_shnum} * eh.e_shentsize;
    if (sh_end <= file.size()) k.elf_end = std::max(k.elf_end, sh_end);
  }
  for (unsigned i = 0; i < eh.e_phnum; ++i) {
    auto ph = Load<Phdr>(file, eh.e_phoff + i * sizeof(Phdr));
    KernelPhdr p{ph.p_type, ph.p_flags, ph.p_offset, ph.p_vaddr, ph.p_paddr,
                 ph.p_filesz,  ph.p_memsz, ph.p_align};
    std::string where = "program header " + std::to_string(i);
    if (p.type != elf::PT_NULL && p.filesz != 0 &&
        (p.offset > file.size() || p.filesz > file.size() - p.offset)) {
      throw ToolError(name, where + ": contents lie outside the file");
    }
    if (p.type == elf::PT_LOAD && p.filesz > p.memsz) {
      throw ToolError(name, where + ": p_filesz " + HexString(p.filesz) + " > p_memsz " +
                                HexString(p.memsz));
    }
    if (p.type == elf::PT_LOAD && p.paddr + p.memsz < p.paddr) {
      throw ToolError(name, where + ": wraps around the address space");
    }
    // A position-independent kernel's PT_DYNAMIC is read for its
    // relocations (tools/kernel-relocs.h); nothing at boot runs a program
    // interpreter.
    if (p.type == elf::PT_INTERP) {
      throw ToolError(name, where + ": PT_INTERP: a kernel has no program interpreter");
    }
    if (p.filesz != 0) k.elf_end = std::max(k.elf_end, p.offset + p.filesz);
    k.phdrs.push_back(p);
  }
}

// A GNU property note's descriptor [at, at + size): the bits of every
// GNU_PROPERTY_X86_ISA_1_NEEDED in it. A property that runs past the
// descriptor ends the walk (the note is damaged; what came before counts).
uint32_t IsaNeeded(const Bytes& file, uint64_t at, uint64_t size, bool is64) {
  const uint64_t align = is64 ? 8 : 4;
  uint32_t needed = 0;
  uint64_t pos = 0;
  while (size - pos >= 8) {
    const uint32_t type = Load<uint32_t>(file, at + pos);
    const uint32_t datasz = Load<uint32_t>(file, at + pos + 4);
    const uint64_t data_at = pos + 8;
    if (datasz > size - data_at) break;
    if (type == elf::GNU_PROPERTY_X86_ISA_1_NEEDED && datasz == 4) {
      needed |= Load<uint32_t>(file, at + data_at);
    }
    pos = data_at + ((uint64_t{datasz} + align - 1) & ~(align - 1));
    if (pos > size) break;
  }
  return needed;
}

// Xen's notes as xen/common/libelf reads them: name "Xen" (namesz 4), in
// the PT_NOTE segments (libelf-dominfo.c elf_xen_parse skips a PT_NOTE whose
// p_offset is 0, "Some versions of binutils do not correctly set p_offset");
// a numeric value is 1, 2, 4 or 8 bytes and reads as 0 otherwise
// (libelf-tools.c elf_note_numeric). The last note of a type wins. Not
// read: the SHT_NOTE sections libelf falls back to when no PT_NOTE holds a
// Xen note, and the legacy __xen_guest string (whose ELF_PADDR_OFFSET
// defaults to VIRT_BASE: the old-kernel case below covers it).
// GNU property notes (the x86 ISA level the kernel needs) are read from
// the PT_NOTE and PT_GNU_PROPERTY segments, where `ld` puts them; one
// read twice adds the same bits.
void ParseNotes(const Bytes& file, KernelElf& k) {
  const bool is64 = k.elf_class == elf::ELFCLASS64;
  for (const KernelPhdr& p : k.phdrs) {
    // ParseHeaders checked that a PT_NOTE with contents lies in the file;
    // one without contents may have any offset: skip it before adding.
    const bool property = p.type == elf::PT_GNU_PROPERTY;
    if ((p.type != elf::PT_NOTE && !property) || p.filesz == 0) continue;
    if (p.offset == 0 && !property) continue;
    uint64_t pos = p.offset, end = p.offset + p.filesz;
    while (end - pos >= sizeof(elf::Elf_Nhdr)) {
      auto nh = Load<elf::Elf_Nhdr>(file, pos);
      uint64_t name_at = pos + sizeof(nh);
      uint64_t desc_at = name_at + ((uint64_t{nh.n_namesz} + 3) & ~3ull);
      uint64_t next = desc_at + ((uint64_t{nh.n_descsz} + 3) & ~3ull);
      if (next > end) break;
      bool xen = nh.n_namesz == 4 && std::memcmp(&file[name_at], "Xen", 4) == 0;
      bool gnu = nh.n_namesz == 4 && std::memcmp(&file[name_at], "GNU", 4) == 0;
      if (gnu && nh.n_type == elf::NT_GNU_PROPERTY_TYPE_0) {
        k.isa_needed |= IsaNeeded(file, desc_at, nh.n_descsz, is64);
      }
      if (xen && !property) {
        uint64_t value = 0;
        switch (nh.n_descsz) {
          case 1: value = Load<uint8_t>(file, desc_at); break;
          case 2: value = Load<uint16_t>(file, desc_at); break;
          case 4: value = Load<uint32_t>(file, desc_at); break;
          case 8: value = Load<uint64_t>(file, desc_at); break;
        }
        if (nh.n_type == elf::XEN_ELFNOTE_PADDR_OFFSET) k.xen.paddr_offset = value;
        if (nh.n_type == elf::XEN_ELFNOTE_VIRT_BASE) k.xen.virt_base = value;
        if (nh.n_type == elf::XEN_ELFNOTE_PHYS32_ENTRY) {
          k.xen.phys32_entry = static_cast<uint32_t>(value);
        }
      }
      pos = next;
    }
  }
}

// Xen's reading of its notes (xen/common/libelf/libelf-dominfo.c,
// elf_xen_addr_calc_check; xen/include/public/elfnote.h):
// - A PV guest's pseudo-physical address is p_paddr - PADDR_OFFSET, and its
//   virtual address that plus VIRT_BASE (virt_offset = virt_base -
//   elf_paddr_offset). VIRT_BASE therefore never moves a segment
//   physically; p_vaddr is not read at all.
// - PADDR_OFFSET defaults to 0 when the kernel has ELF notes (elfnote.h: "This
//   field defaults to 0 if not present"); only the legacy __xen_guest string
//   defaulted it to VIRT_BASE. So once Xen notes are present, the old-kernel
//   guess below does not apply: the notes have said how to read p_paddr.
// - PADDR_OFFSET without VIRT_BASE is refused for PV ("ERROR:
//   ELF_PADDR_OFFSET set, VIRT_BASE unset").
// - A PVH guest (hvm, found by PHYS32_ENTRY) gets PADDR_OFFSET and VIRT_BASE
//   forced to 0: it is loaded at p_paddr.
// Where these readings disagree -- a non-zero PADDR_OFFSET with PHYS32_ENTRY
// (PV and PVH load at different places) or without VIRT_BASE (PV refuses)
// -- the kernel is ambiguous and bzelf asks for --paddr-offset. The entry
// point is left to the generic rule at the end: Xen's own entry points
// (XEN_ELFNOTE_ENTRY, PHYS32_ENTRY) are for Xen's boot protocols, not this
// one.
std::optional<Placement> XenNotesPlacement(const KernelElf& k, const std::string& name) {
  const XenNotes& x = k.xen;
  if (!x.paddr_offset && !x.virt_base && !x.phys32_entry) return std::nullopt;
  uint64_t offset = x.paddr_offset.value_or(0);
  if (offset != 0 && !x.virt_base) {
    throw ToolError(name, "XEN_ELFNOTE_PADDR_OFFSET " + HexString(offset) +
                              " without XEN_ELFNOTE_VIRT_BASE, which Xen refuses; give --paddr-offset");
  }
  if (offset != 0 && x.phys32_entry) {
    throw ToolError(name, "XEN_ELFNOTE_PADDR_OFFSET " + HexString(offset) +
                              " with XEN_ELFNOTE_PHYS32_ENTRY: Xen loads PV at p_paddr - " +
                              HexString(offset) + " but PVH at p_paddr; give --paddr-offset");
  }
  std::string virt_base = x.virt_base ? ", XEN_ELFNOTE_VIRT_BASE " + HexString(*x.virt_base) : "";
  if (x.paddr_offset) {
    return Placement{PlacementRule::kXenNotes, offset,
                     "XEN_ELFNOTE_PADDR_OFFSET " + HexString(offset) + " is subtracted" + virt_base,
                     0};
  }
  return Placement{PlacementRule::kXenNotes, 0,
                   "Xen ELF notes without XEN_ELFNOTE_PADDR_OFFSET: Xen's default 0, p_paddr is "
                   "physical" + virt_base,
                   0};
}

std::string FindLinuxVersion(const Bytes& file) {
  static const char kBanner[] = "Linux version ";
  auto it = std::search(file.begin(), file.end(), kBanner, kBanner + sizeof(kBanner) - 1);
  if (it == file.end()) return {};
  auto start = it + (sizeof(kBanner) - 1);
  auto stop = start;
  while (stop != file.end() && stop - start < 64 && *stop > ' ' && *stop < 0x7f) ++stop;
  return std::string(start, stop);
}

}  // namespace

KernelElf ParseKernel(const Bytes& file, const std::string& name) {
  if (file.size() < elf::EI_NIDENT || std::memcmp(file.data(), elf::kMagic, 4) != 0) {
    throw ToolError(name, "not an ELF file");
  }
  KernelElf k{};
  k.elf_class = file[elf::EI_CLASS];
  if (file[elf::EI_DATA] != elf::ELFDATA2LSB) throw ToolError(name, "not a little-endian ELF");
  if (k.elf_class == elf::ELFCLASS32) {
    ParseHeaders<elf::Elf32_Ehdr, elf::Elf32_Phdr>(file, name, k);
    if (k.machine != elf::EM_386) {
      throw ToolError(name, "ELF32 kernel for machine " + std::to_string(k.machine) +
                                ", not i386 (EM_386)");
    }
  } else if (k.elf_class == elf::ELFCLASS64) {
    ParseHeaders<elf::Elf64_Ehdr, elf::Elf64_Phdr>(file, name, k);
    if (k.machine != elf::EM_X86_64) {
      throw ToolError(name, "ELF64 kernel for machine " + std::to_string(k.machine) +
                                ", not x86-64 (EM_X86_64)");
    }
  } else {
    throw ToolError(name, "unknown ELF class " + std::to_string(k.elf_class));
  }
  if (k.type != elf::ET_EXEC && k.type != elf::ET_DYN) {
    throw ToolError(name, "not an executable (e_type " + std::to_string(k.type) +
                              "); link the kernel as an executable or position-independent (-pie)");
  }

  std::vector<const KernelPhdr*> loads;
  for (const KernelPhdr& p : k.phdrs) {
    if (p.type == elf::PT_LOAD && p.memsz != 0) loads.push_back(&p);
  }
  if (loads.empty()) throw ToolError(name, "no PT_LOAD segment with contents");
  if (loads.size() > kMaxSegments) {
    throw ToolError(name, std::to_string(loads.size()) + " PT_LOAD segments; at most " +
                              std::to_string(kMaxSegments) + " are supported");
  }
  for (size_t i = 0; i < loads.size(); ++i) {
    for (size_t j = i + 1; j < loads.size(); ++j) {
      const KernelPhdr& a = *loads[i];
      const KernelPhdr& b = *loads[j];
      if (a.paddr < b.paddr + b.memsz && b.paddr < a.paddr + a.memsz) {
        throw ToolError(name, "PT_LOAD segments at " + HexString(a.paddr) + " and " +
                                  HexString(b.paddr) + " overlap in physical memory");
      }
    }
  }
  ParseNotes(file, k);
  if (k.isa_needed & ~kIsaKnown) {
    throw ToolError(name, "its GNU property note needs x86 ISA levels " +
                              HexString(k.isa_needed) +
                              ", bits that bzelf does not know and the boot stages cannot check");
  }
  k.trailing = file.size() > k.elf_end ? file.size() - k.elf_end : 0;
  k.linux_version = FindLinuxVersion(file);
  return k;
}

const char* PlacementRuleName(PlacementRule rule) {
  switch (rule) {
    case PlacementRule::kPaddr: return "paddr";
    case PlacementRule::kXenNotes: return "xen-paddr-offset";
    case PlacementRule::kVirtualBase: return "virtual-base";
    case PlacementRule::kOverride: return "override";
  }
  return "unknown";
}

Placement ChoosePlacement(const KernelElf& k, std::optional<uint64_t> override_offset,
                          const std::string& name) {
  Placement pl{PlacementRule::kPaddr, 0, "p_paddr is the physical address", 0};
  uint64_t min_paddr = UINT64_MAX;
  for (const KernelPhdr& p : k.phdrs) {
    if (p.type == elf::PT_LOAD && p.memsz != 0) min_paddr = std::min(min_paddr, p.paddr);
  }
  uint64_t base = k.elf_class == elf::ELFCLASS32 ? kVirtBase32 : kVirtBase64;
  if (override_offset) {
    pl = {PlacementRule::kOverride, *override_offset,
          "--paddr-offset " + HexString(*override_offset) + " given", 0};
  } else if (std::optional<Placement> xen = XenNotesPlacement(k, name)) {
    pl = *xen;
  } else if (min_paddr >= base) {
    pl = {PlacementRule::kVirtualBase, base,
          "every p_paddr is at or above the kernel virtual base " + HexString(base) +
              ": treated as virtual (old kernel), base subtracted", 0};
  } else if (k.elf_class == elf::ELFCLASS64 && min_paddr >= kUpperHalf64) {
    // Below __START_KERNEL_map but in the upper half: addresses in a direct
    // map, whose base has varied (Linux x86_64's PAGE_OFFSET has been
    // 0xffff810000000000, 0xffff880000000000 and 0xffff888000000000, and
    // differs again with 5-level paging), so the physical base is a guess.
    throw ToolError(name, "p_paddr values lie in the upper half (lowest " +
                              HexString(min_paddr) + ") but below " + HexString(base) +
                              ": cannot tell their physical base; give --paddr-offset");
  }
  // Physical addresses must come out below 4 GiB: the stage runs in 32-bit
  // mode and maps the first 4 GiB for the 64-bit hand-off.
  for (const KernelPhdr& p : k.phdrs) {
    if (p.type != elf::PT_LOAD || p.memsz == 0) continue;
    if (p.paddr < pl.offset || p.paddr - pl.offset + p.memsz > 0x1'0000'0000ull) {
      throw ToolError(name, "segment at p_paddr " + HexString(p.paddr) + " (" + pl.reason +
                                ") does not land in the first 4 GiB of physical memory");
    }
  }
  // e_entry is virtual by the gABI, but Linux's vmlinux and many hobby
  // kernels put the physical entry there: try the virtual view first.
  for (const KernelPhdr& p : k.phdrs) {
    if (p.type == elf::PT_LOAD && k.entry >= p.vaddr && k.entry - p.vaddr < p.memsz) {
      pl.entry_phys = k.entry - p.vaddr + p.paddr - pl.offset;
      return pl;
    }
  }
  for (const KernelPhdr& p : k.phdrs) {
    if (p.type == elf::PT_LOAD && k.entry >= p.paddr && k.entry - p.paddr < p.memsz) {
      pl.entry_phys = k.entry - pl.offset;
      return pl;
    }
  }
  throw ToolError(name, "entry point " + HexString(k.entry) + " lies outside every PT_LOAD segment");
}

}  // namespace bzelf
