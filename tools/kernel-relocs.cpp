#include "kernel-relocs.h"

#include <algorithm>

#include "elf.h"
#include "section-relocs.h"

namespace bzelf {
namespace {

// What Linux asks of the physical address it runs at (Linux 6.1):
//  - required: a multiple of MIN_KERNEL_ALIGN (arch/x86/include/asm/
//    boot.h), which its decompressor checks ("Destination physical
//    address inappropriately aligned", compressed/misc.c) and its header
//    states as min_alignment: 2 MiB (PMD_SHIFT) on x86_64, where head64.c
//    maps the kernel with 2 MiB pages; on i386 one THREAD_SIZE (PAGE_SIZE
//    << THREAD_SIZE_ORDER, page_32_types.h), 8 KiB: the initial task's
//    stack is THREAD_SIZE-aligned (Debian 686 6.1: min_alignment 13);
//  - preferred: CONFIG_PHYSICAL_ALIGN, the header's kernel_alignment
//    (boot.rst: "the kernel alignment preferred for optimal
//    performance"). Linux's own decompressor only ever runs the kernel
//    there: compressed/head_32.S and head_64.S round the load address up
//    to it, and KASLR's slots are multiples of it (compressed/kaslr.c).
//    Debian 686 6.1: 16 MiB; Debian amd64 6.1: 2 MiB.
// LOAD_PHYSICAL_ADDR, the link address, is CONFIG_PHYSICAL_START rounded
// up to CONFIG_PHYSICAL_ALIGN (boot.h), so it is a multiple of both.
constexpr uint64_t kLinuxMinAlign64 = 0x200000;
constexpr uint64_t kLinuxMinAlign32 = 0x2000;
// For a vmlinux, whose CONFIG_PHYSICAL_ALIGN nothing in the file records:
// Kconfig's default (arch/x86/Kconfig, PHYSICAL_ALIGN), a multiple of
// either MIN_KERNEL_ALIGN.
constexpr uint64_t kLinuxDefaultAlign = 0x200000;
constexpr uint64_t kPage = 4096;

std::vector<StageSegment> PhysicalSegments(const KernelElf& k, const Placement& pl) {
  std::vector<StageSegment> segs;
  for (const KernelPhdr& p : k.phdrs) {
    if (p.type == elf::PT_LOAD && p.memsz != 0) segs.push_back({p.paddr - pl.offset, p.filesz, p.memsz});
  }
  return segs;
}

uint64_t MaxAlign(const KernelElf& k) {
  uint64_t a = kPage;
  for (const KernelPhdr& p : k.phdrs) {
    if (p.type == elf::PT_LOAD && p.align != 0 && (p.align & (p.align - 1)) == 0) {
      a = std::max(a, p.align);
    }
  }
  return a;
}

// The segment the kernel starts with (its lowest physical one: .text).
const KernelPhdr& LowestSegment(const KernelElf& k) {
  const KernelPhdr* low = nullptr;
  for (const KernelPhdr& p : k.phdrs) {
    if (p.type == elf::PT_LOAD && p.memsz != 0 && (!low || p.paddr < low->paddr)) low = &p;
  }
  return *low;
}

// Linux's kernel_map: link virtual minus physical address of that segment.
uint64_t LowestSegmentMap(const KernelElf& k, const Placement& pl) {
  const KernelPhdr& low = LowestSegment(k);
  return low.vaddr - (low.paddr - pl.offset);
}

// Its physical link address (Linux's LOAD_PHYSICAL_ADDR).
uint64_t LowestSegmentBase(const KernelElf& k, const Placement& pl) {
  return LowestSegment(k).paddr - pl.offset;
}

uint64_t LowestBit(uint64_t v) { return v & (~v + 1); }

// The step Linux `k` moves in, linked at `link`, with `header_alignment`
// the kernel_alignment of the bzImage it came from or --kernel-alignment
// (0: neither, a vmlinux). A
// multiple of MIN_KERNEL_ALIGN that divides the link address, so that
// every slot of lib/kaslr.h's grid (multiples of the step) is a move the
// kernel takes:
//  - from a bzImage: its kernel_alignment, where Linux's own decompressor
//    would run it;
//  - from a vmlinux: Kconfig's default 2 MiB, or less when the link
//    address is aligned to less (then CONFIG_PHYSICAL_ALIGN is no more
//    than that: LOAD_PHYSICAL_ADDR is a multiple of it). Finer than a
//    kernel_alignment set above the default (Debian 686's 16 MiB), which
//    boot.rst lets a loader do down to min_alignment, and which gives
//    KASLR more slots; a vmlinux built with such a setting gets Linux's
//    own steps from its bzImage, or from --kernel-alignment.
// Returns 0 and sets `why` when the kernel's addresses break the rule.
uint64_t LinuxMoveAlign(const KernelElf& k, uint64_t link, uint64_t header_alignment,
                        std::string& why) {
  const uint64_t min =
      k.elf_class == elf::ELFCLASS64 ? kLinuxMinAlign64 : kLinuxMinAlign32;
  uint64_t align = header_alignment;
  if (align == 0) align = std::min(kLinuxDefaultAlign, LowestBit(link));
  if (align < min || (align & (align - 1)) != 0 || link % align != 0) {
    why = "the link address " + HexString(link) + " and " +
          (header_alignment ? "the kernel alignment " + HexString(header_alignment)
                            : std::string("Linux's 2 MiB default alignment")) +
          " do not make a step of whole multiples of Linux's minimum alignment " +
          HexString(min) + " (MIN_KERNEL_ALIGN)";
    return 0;
  }
  return align;
}

// Checks `table` as Linux's table for `k`: its layout, and every word it
// names inside a segment. Returns an empty string when it is one, else why
// not.
std::string CheckTable(const KernelElf& k, const Placement& pl, const uint8_t* data,
                       uint64_t size, uint64_t header_alignment, KernelRelocs& r) {
  RelocTableParse p = ParseRelocTable(data, size, k.elf_class);
  if (p.error != RelocTableError::kOk) return RelocTableErrorString(p.error);
  r.kernel_map = LowestSegmentMap(k, pl);
  std::vector<StageSegment> segs = PhysicalSegments(k, pl);
  RelocFault f = WalkRelocTable(data, p.table, RelocMove{r.kernel_map, 0, 0}, segs.data(),
                                static_cast<unsigned>(segs.size()), [](RelocKind, uint64_t) {});
  if (f) {
    const char* list = f.kind == RelocKind::k64          ? "64-bit"
                       : f.kind == RelocKind::kInverse32 ? "inverse 32-bit"
                                                         : "32-bit";
    return std::string(list) + " entry " + std::to_string(f.index) + " names " +
           HexString(f.location) + " (physical), outside every segment";
  }
  std::string why;
  const uint64_t align = LinuxMoveAlign(k, LowestSegmentBase(k, pl), header_alignment, why);
  if (align == 0) return why;
  r.parsed = p.table;
  r.table.assign(data, data + size);
  r.source = RelocSource::kTable;
  r.move_align = std::max(align, MaxAlign(k));
  return {};
}

// File offset of `size` bytes at link virtual address `vaddr`, inside one
// PT_LOAD's file bytes.
std::optional<uint64_t> FileOffset(const KernelElf& k, uint64_t vaddr, uint64_t size) {
  for (const KernelPhdr& p : k.phdrs) {
    if (p.type == elf::PT_LOAD && vaddr >= p.vaddr && vaddr - p.vaddr <= p.filesz &&
        p.filesz - (vaddr - p.vaddr) >= size) {
      return p.offset + (vaddr - p.vaddr);
    }
  }
  return std::nullopt;
}

// A position-independent kernel's dynamic section, read as a dynamic
// loader would, and each of its relocations checked.
void FindDynamic(const KernelElf& k, const Bytes& file, const Placement& pl,
                 const KernelPhdr& dyn, const std::string& name, KernelRelocs& r) {
  const bool is64 = k.elf_class == elf::ELFCLASS64;
  const uint64_t entsize = is64 ? 16 : 8;
  uint64_t rela = 0, relasz = 0, relaent = 0, rel = 0, relsz = 0, relent = 0;
  uint64_t jmprel = 0, pltrelsz = 0, flags = 0;
  bool has_rela = false, has_rel = false;
  for (uint64_t at = dyn.offset; at + entsize <= dyn.offset + dyn.filesz; at += entsize) {
    uint64_t tag = is64 ? Load<uint64_t>(file, at) : Load<uint32_t>(file, at);
    uint64_t val = is64 ? Load<uint64_t>(file, at + 8) : Load<uint32_t>(file, at + 4);
    if (tag == DT_NULL) break;
    switch (tag) {
      case DT_NEEDED: throw ToolError(name, "the kernel needs a shared library (DT_NEEDED)");
      case DT_RELA: rela = val; has_rela = true; break;
      case DT_RELASZ: relasz = val; break;
      case DT_RELAENT: relaent = val; break;
      case DT_REL: rel = val; has_rel = true; break;
      case DT_RELSZ: relsz = val; break;
      case DT_RELENT: relent = val; break;
      case DT_JMPREL: jmprel = val; break;
      case DT_PLTRELSZ: pltrelsz = val; break;
      case DT_TEXTREL: r.textrel = true; break;
      case DT_FLAGS: flags = val; break;
      case DT_RELR:
      case DT_RELRSZ:
        throw ToolError(name, "packed relative relocations (DT_RELR) are not supported; "
                              "link without -z pack-relative-relocs");
    }
  }
  if (flags & DF_TEXTREL) r.textrel = true;
  if (pltrelsz != 0 || jmprel != 0) {
    throw ToolError(name, "the kernel has PLT relocations (DT_JMPREL): it calls through a "
                          "dynamic linker's PLT; link it with -z now and without shared libraries");
  }
  if (has_rela && has_rel) throw ToolError(name, "both DT_RELA and DT_REL: not supported");
  r.kernel_map = LowestSegmentMap(k, pl);
  for (const KernelPhdr& p : k.phdrs) {
    if (p.type == elf::PT_LOAD && p.memsz != 0 && p.vaddr - (p.paddr - pl.offset) != r.kernel_map) {
      throw ToolError(name, "PT_LOAD at p_vaddr " + HexString(p.vaddr) +
                                " is not the same distance from its physical address as the "
                                "others: a position-independent kernel moves as one piece");
    }
  }
  r.move_align = MaxAlign(k);
  if (!has_rela && !has_rel) {
    r.note = "PT_DYNAMIC without DT_RELA or DT_REL: no relocations";
    r.source = RelocSource::kDynamic;
    r.dyn_format = is64 ? DynRelFormat::kRela64 : DynRelFormat::kRel32;
    r.origin = "dynamic (none)";
    return;
  }
  r.dyn_format = has_rela ? (is64 ? DynRelFormat::kRela64 : DynRelFormat::kRela32)
                          : (is64 ? DynRelFormat::kRel64 : DynRelFormat::kRel32);
  uint64_t want = DynRelEntrySize(r.dyn_format);
  uint64_t given = has_rela ? relaent : relent;
  if (given != 0 && given != want) {
    throw ToolError(name, std::string(has_rela ? "DT_RELAENT " : "DT_RELENT ") +
                              std::to_string(given) + ", expected " + std::to_string(want));
  }
  r.dyn_size = has_rela ? relasz : relsz;
  uint64_t vaddr = has_rela ? rela : rel;
  if (r.dyn_size % want != 0) throw ToolError(name, "the relocation table's size is not whole entries");
  std::optional<uint64_t> off = FileOffset(k, vaddr, r.dyn_size);
  if (!off) {
    throw ToolError(name, "the relocation table at " + HexString(vaddr) +
                              " lies outside every PT_LOAD's file bytes");
  }
  r.dyn_addr = vaddr - r.kernel_map;
  std::vector<StageSegment> segs = PhysicalSegments(k, pl);
  const uint64_t width = is64 ? 8 : 4;
  for (uint64_t i = 0; i < r.dyn_size / want; ++i) {
    DynRel e = DecodeDynRel(&file[*off + i * want], r.dyn_format);
    if (IsNone(e.type)) continue;
    if (!IsRelative(e.type)) {
      throw ToolError(name, "dynamic relocation " + std::to_string(i) + " at " +
                                HexString(e.offset) + " is " + RelocTypeName(e.type, is64) +
                                "; only " + RelocTypeName(R_X86_64_RELATIVE, is64) +
                                " can be applied to a kernel");
    }
    if (!WordInSegments(e.offset - r.kernel_map, width, segs.data(),
                        static_cast<unsigned>(segs.size()))) {
      throw ToolError(name, "dynamic relocation " + std::to_string(i) + " at " +
                                HexString(e.offset) + " lies outside every PT_LOAD" +
                                (r.textrel ? " (DT_TEXTREL cannot be honoured there)" : ""));
    }
    ++r.dyn_count;
  }
  r.source = RelocSource::kDynamic;
  r.origin = has_rela ? "dynamic (DT_RELA)" : "dynamic (DT_REL)";
}

}  // namespace

const char* RelocSourceName(RelocSource source) {
  switch (source) {
    case RelocSource::kNone: return "none";
    case RelocSource::kTable: return "Linux table";
    case RelocSource::kDynamic: return "dynamic";
  }
  return "?";
}

KernelRelocs FindRelocs(const KernelElf& k, const Bytes& file, const Placement& pl,
                        const Bytes* relocs_file, const std::string& relocs_name,
                        const std::string& name, uint64_t header_alignment) {
  KernelRelocs r;
  const KernelPhdr* dyn = nullptr;
  for (const KernelPhdr& p : k.phdrs) {
    if (p.type == elf::PT_DYNAMIC) dyn = &p;
  }
  if (dyn != nullptr) {
    if (relocs_file) throw ToolError(name, "--relocs given for a kernel with its own (PT_DYNAMIC)");
    FindDynamic(k, file, pl, *dyn, name, r);
    return r;
  }
  if (relocs_file) {
    std::string why = CheckTable(k, pl, relocs_file->data(), relocs_file->size(), header_alignment, r);
    if (!why.empty()) throw ToolError(relocs_name, "not a relocation table for " + name + ": " + why);
    r.origin = "--relocs " + relocs_name;
    return r;
  }
  if (k.trailing != 0) {
    std::string why = CheckTable(k, pl, file.data() + k.elf_end, k.trailing, header_alignment, r);
    if (why.empty()) {
      r.origin = "appended";
      return r;
    }
    r = {};
    r.note = "the " + std::to_string(k.trailing) + " bytes after the ELF are no relocation table: " + why;
  }
  // Last, a kernel linked with --emit-relocs: the table Linux's build
  // would make from its relocation sections. Where Linux's build would
  // stop (a relocation its rules refuse), the kernel cannot move and runs
  // at its link address, as it did before anything read its sections:
  // such a kernel may be linked so for another reason. The note says why
  // (`bzelf build` prints it, `bzelf info` shows it). Sections that cannot
  // be read are a damaged ELF: an error.
  const auto cannot_move = [&r](const std::string& why) {
    const std::string note = "cannot move: " + why;
    r = KernelRelocs{.note = r.note.empty() ? note : note + "; " + r.note, .refused = why};
    return r;
  };
  SectionRelocs s;
  try {
    s = TableFromSections(file, k, name);
  } catch (const RelocRefused& e) {
    return cannot_move(e.what());
  }
  if (s.found) {
    const std::string why = CheckTable(k, pl, s.table.data(), s.table.size(), header_alignment, r);
    if (!why.empty()) {
      return cannot_move(std::string("the table made from its ") + s.kind + " sections: " + why);
    }
    r.origin = std::string("sections (") + s.kind + ")";
    const std::string seen = "made from " + std::to_string(s.read) + " relocations in " +
                             std::to_string(s.sections) + " " + s.kind + " sections";
    r.note = r.note.empty() ? seen : seen + "; " + r.note;
  }
  return r;
}

}  // namespace bzelf
