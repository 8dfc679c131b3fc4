#include "section-relocs.h"

#include <algorithm>
#include <cstring>
#include <string_view>
#include <vector>

#include "elf.h"

namespace bzelf {
namespace {

// Relocation types relocs.c handles (x86-64 psABI, i386 psABI).
constexpr uint32_t kX64None = 0, kX64_64 = 1, kX64Pc32 = 2, kX64Plt32 = 4, kX64_32 = 10,
                   kX64_32S = 11, kX64Pc64 = 24;
constexpr uint32_t k386None = 0, k386_32 = 1, k386Pc32 = 2, k386Plt32 = 4, k386Pc16 = 21,
                   k386Pc8 = 23;

// Linux 6.1's lists of absolute symbols (relocs.c, sym_regex_kernel). An
// entry ending in '*' is a prefix; the others are whole names.
// S_ABS: audited, their values do not change when the kernel moves.
constexpr std::string_view kAbsNeverMoves[] = {
    "xen_irq_disable_direct_reloc", "xen_save_fl_direct_reloc", "VDSO*", "__kcfi_typeid_*",
    "__crc_*"};
// S_REL: section-relative although the linker script makes them absolute.
constexpr std::string_view kAbsMoves[] = {
    "__init_begin", "__init_end", "__x86_cpu_dev_start", "__x86_cpu_dev_end",
    "__parainstructions", "__parainstructions_end", "__alt_instructions",
    "__alt_instructions_end", "__iommu_table", "__iommu_table_end", "__apicdrivers",
    "__apicdrivers_end", "__smp_locks", "__smp_locks_end", "__start_pci_*", "__end_pci_*",
    "__start_builtin_fw", "__end_builtin_fw", "__start___ksymtab", "__stop___ksymtab",
    "__start___ksymtab_gpl", "__stop___ksymtab_gpl", "__start___kcrctab", "__stop___kcrctab",
    "__start___kcrctab_gpl", "__stop___kcrctab_gpl", "__start___param", "__stop___param",
    "__start___modver", "__stop___modver", "__start___bug_table", "__stop___bug_table",
    "__tracedata_start", "__tracedata_end", "__start_notes", "__stop_notes", "__end_rodata",
    "__end_rodata_aligned", "__initramfs_start", "jiffies", "jiffies_64", "__vvar_page", "_end"};
// ... and on x86_64 only.
constexpr std::string_view kAbsMoves64[] = {"__per_cpu_load", "init_per_cpu__*",
                                            "__end_rodata_hpage_align"};

template <size_t N>
bool Listed(const std::string_view (&list)[N], std::string_view name) {
  for (std::string_view e : list) {
    if (e.ends_with('*') ? name.starts_with(e.substr(0, e.size() - 1)) : name == e) return true;
  }
  return false;
}

struct Section {
  uint32_t name, type;
  uint64_t flags, addr, offset, size;
  uint32_t link, info;
};

struct Symbol {
  std::string name;
  uint64_t value;
  uint32_t shndx;      // SHN_XINDEX resolved
  uint16_t raw_shndx;  // as in the entry (SHN_ABS, SHN_UNDEF ...)
};

class Reader {
 public:
  Reader(const Bytes& file, const KernelElf& k, const std::string& name)
      : file_(file), is64_(k.elf_class == elf::ELFCLASS64), name_(name) {}

  // The section headers; false when the file has none.
  bool ReadSections() {
    uint64_t shoff, shnum, shstrndx, shentsize;
    if (is64_) {
      auto eh = Load<elf::Elf64_Ehdr>(file_, 0);
      shoff = eh.e_shoff, shnum = eh.e_shnum, shstrndx = eh.e_shstrndx, shentsize = eh.e_shentsize;
    } else {
      auto eh = Load<elf::Elf32_Ehdr>(file_, 0);
      shoff = eh.e_shoff, shnum = eh.e_shnum, shstrndx = eh.e_shstrndx, shentsize = eh.e_shentsize;
    }
    if (shoff == 0) return false;
    const uint64_t want = is64_ ? sizeof(elf::Elf64_Shdr) : sizeof(elf::Elf32_Shdr);
    if (shentsize != want) Fail("section header size " + std::to_string(shentsize));
    if (shoff > file_.size() || file_.size() - shoff < want) Fail("section headers lie outside the file");
    // gABI "Extended Section Header Table Indexes": more than 0xff00
    // sections put the count and the string table's index in section 0.
    const Section zero = SectionAt(shoff);
    if (shnum == 0) shnum = zero.size;
    if (shstrndx == elf::SHN_XINDEX) shstrndx = zero.link;
    if (shnum > (file_.size() - shoff) / want) Fail("section headers lie outside the file");
    for (uint64_t i = 0; i < shnum; ++i) secs_.push_back(SectionAt(shoff + i * want));
    if (shstrndx >= shnum) Fail("section name table index " + std::to_string(shstrndx));
    shstrndx_ = static_cast<uint32_t>(shstrndx);
    return true;
  }

  SectionRelocs Table() {
    SectionRelocs out;
    out.kind = is64_ ? ".rela" : ".rel";
    const uint32_t rel_type = is64_ ? elf::SHT_RELA : elf::SHT_REL;
    if (is64_) FindPerCpu();
    for (const Section& s : secs_) {
      if (s.type != rel_type) continue;
      if (s.info >= secs_.size()) Fail(SectionName(s) + ": sh_info " + std::to_string(s.info));
      const Section& target = secs_[s.info];
      if (!(target.flags & elf::SHF_ALLOC)) continue;
      out.found = true;
      ++out.sections;
      const uint64_t entsize = is64_ ? 24 : 8;
      Contents(s, SectionName(s));
      for (uint64_t j = 0; j < s.size / entsize; ++j) {
        const uint64_t at = s.offset + j * entsize;
        const uint64_t offset = is64_ ? Load<uint64_t>(file_, at) : Load<uint32_t>(file_, at);
        const uint64_t info = is64_ ? Load<uint64_t>(file_, at + 8) : Load<uint32_t>(file_, at + 4);
        const uint32_t type = static_cast<uint32_t>(is64_ ? info & 0xffffffff : info & 0xff);
        const uint64_t sym = is64_ ? info >> 32 : info >> 8;
        const Symbol symbol = SymbolAt(s, sym);
        const Entry where{&s, j, offset, type, &symbol};
        if (is64_) {
          Reloc64(s, offset, type, symbol, where);
        } else {
          Reloc32(offset, type, symbol, where);
        }
        ++out.read;
      }
    }
    // Sorted, as relocs.c's sort_relocs does, for the decompressor's
    // sake (in order, its writes walk memory upwards).
    for (auto* list : {&relocs64_, &inverse_, &relocs32_}) std::sort(list->begin(), list->end());
    auto put = [&](uint32_t w) {
      const size_t n = out.table.size();
      out.table.resize(n + 4);
      std::memcpy(&out.table[n], &w, 4);
    };
    if (is64_) {
      put(0);
      for (uint32_t w : relocs64_) put(w);
      put(0);
      for (uint32_t w : inverse_) put(w);
    }
    put(0);
    for (uint32_t w : relocs32_) put(w);
    return out;
  }

 private:
  [[noreturn]] void Fail(const std::string& what) const { throw ToolError(name_, what); }

  // The relocation being read, named only when it is refused (a vmlinux
  // has more than a million).
  struct Entry {
    const Section* section;
    uint64_t index, offset;
    uint32_t type;
    const Symbol* symbol;
  };
  [[noreturn]] void Fail(const Entry& e, const std::string& what) const {
    throw RelocRefused(name_, SectionName(*e.section) + " entry " + std::to_string(e.index) +
                                  " (at " + HexString(e.offset) + ", " +
                                  RelocTypeName(e.type, is64_) + " against " + e.symbol->name +
                                  "): " + what);
  }

  Section SectionAt(uint64_t at) const {
    if (is64_) {
      auto h = Load<elf::Elf64_Shdr>(file_, at);
      return {h.sh_name, h.sh_type, h.sh_flags, h.sh_addr, h.sh_offset, h.sh_size, h.sh_link, h.sh_info};
    }
    auto h = Load<elf::Elf32_Shdr>(file_, at);
    return {h.sh_name, h.sh_type, h.sh_flags, h.sh_addr, h.sh_offset, h.sh_size, h.sh_link, h.sh_info};
  }

  // The bytes of `s` must lie in the file.
  void Contents(const Section& s, const std::string& what) const {
    if (s.offset > file_.size() || s.size > file_.size() - s.offset) {
      Fail(what + ": its contents lie outside the file");
    }
  }

  // A NUL-terminated string at `index` of string table section `table`.
  std::string String(uint32_t table, uint64_t index) const {
    if (table >= secs_.size()) Fail("string table index " + std::to_string(table));
    const Section& t = secs_[table];
    Contents(t, "string table " + std::to_string(table));
    if (index >= t.size) Fail("string " + std::to_string(index) + " lies outside its table");
    const char* p = reinterpret_cast<const char*>(&file_[t.offset + index]);
    return std::string(p, strnlen(p, t.size - index));
  }

  std::string SectionName(uint32_t index) const {
    if (index < secs_.size()) return String(shstrndx_, secs_[index].name);
    if (index == elf::SHN_ABS) return "ABSOLUTE";
    if (index == elf::SHN_COMMON) return "COMMON";
    return "<noname>";
  }
  std::string SectionName(const Section& s) const { return String(shstrndx_, s.name); }

  // Symbol `index` of the symbol table that relocation section `rel`
  // links to; a symbol without a name is named after its section, as
  // relocs.c's sym_name does (the names Linux's lists are matched with).
  Symbol SymbolAt(const Section& rel, uint64_t index) const {
    if (rel.link >= secs_.size() || secs_[rel.link].type != elf::SHT_SYMTAB) {
      Fail(SectionName(rel) + ": sh_link names no symbol table");
    }
    const uint32_t symtab = rel.link;
    const Section& t = secs_[symtab];
    const uint64_t entsize = is64_ ? sizeof(elf::Elf64_Sym) : sizeof(elf::Elf32_Sym);
    Contents(t, SectionName(t));
    if (index >= t.size / entsize) Fail(SectionName(rel) + ": symbol " + std::to_string(index) + " does not exist");
    Symbol s;
    uint32_t name;
    if (is64_) {
      auto e = Load<elf::Elf64_Sym>(file_, t.offset + index * entsize);
      name = e.st_name, s.value = e.st_value, s.raw_shndx = e.st_shndx;
    } else {
      auto e = Load<elf::Elf32_Sym>(file_, t.offset + index * entsize);
      name = e.st_name, s.value = e.st_value, s.raw_shndx = e.st_shndx;
    }
    s.shndx = s.raw_shndx;
    if (s.raw_shndx == elf::SHN_XINDEX) s.shndx = ExtendedIndex(symtab, index);
    s.name = name != 0 ? String(t.link, name) : SectionName(s.shndx);
    return s;
  }

  // The section index of symbol `index` of `symtab` from its
  // SHT_SYMTAB_SHNDX section.
  uint32_t ExtendedIndex(uint32_t symtab, uint64_t index) const {
    for (const Section& x : secs_) {
      if (x.type != elf::SHT_SYMTAB_SHNDX || x.link != symtab) continue;
      Contents(x, SectionName(x));
      if (index >= x.size / 4) break;
      return Load<uint32_t>(file_, x.offset + index * 4);
    }
    Fail("symbol " + std::to_string(index) + ": SHN_XINDEX without its SHT_SYMTAB_SHNDX entry");
  }

  // relocs.c's percpu_init: an SMP kernel links .data..percpu at 0.
  void FindPerCpu() {
    for (uint32_t i = 0; i < secs_.size(); ++i) {
      if (SectionName(i) != ".data..percpu") continue;
      if (secs_[i].addr != 0) return;
      for (const Section& t : secs_) {
        if (t.type != elf::SHT_SYMTAB) continue;
        Contents(t, SectionName(t));
        for (uint64_t at = t.offset; at + sizeof(elf::Elf64_Sym) <= t.offset + t.size;
             at += sizeof(elf::Elf64_Sym)) {
          auto e = Load<elf::Elf64_Sym>(file_, at);
          if (e.st_name != 0 && String(t.link, e.st_name) == "__per_cpu_load") {
            per_cpu_ = i;
            per_cpu_load_ = e.st_value;
            return;
          }
        }
      }
      throw RelocRefused(name_,
                         ".data..percpu is linked at 0 (an SMP kernel's per-CPU area), but no "
                         "symbol __per_cpu_load says where its bytes are");
    }
  }

  // relocs.c's is_percpu_sym: the GNU linker puts __init_begin and
  // __per_cpu_load in .data..percpu, gold the init_per_cpu_ symbols.
  bool PerCpu(const Symbol& s) const {
    return per_cpu_ >= 0 && s.shndx == static_cast<uint32_t>(per_cpu_) &&
           s.name != "__init_begin" && s.name != "__per_cpu_load" &&
           !s.name.starts_with("init_per_cpu_");
  }

  void Reloc64(const Section& rel, uint64_t offset, uint32_t type, const Symbol& s,
               const Entry& where) {
    if (s.raw_shndx == elf::SHN_UNDEF) return;
    const bool abs = s.raw_shndx == elf::SHN_ABS && !Listed(kAbsMoves, s.name) &&
                     !Listed(kAbsMoves64, s.name);
    // The per-CPU section's bytes lie at __per_cpu_load, not at 0.
    if (per_cpu_ >= 0 && rel.info == static_cast<uint32_t>(per_cpu_)) offset += per_cpu_load_;
    switch (type) {
      case kX64None: return;
      case kX64Pc32:
      case kX64Plt32:
        // A PC-relative reference to a per-CPU offset changes as the code
        // moves away from the (unmoving) offset: the inverse list.
        if (PerCpu(s)) Add(inverse_, offset, where);
        return;
      case kX64Pc64:
        if (PerCpu(s)) Fail(where, "PC64 against a per-CPU symbol, which Linux refuses");
        return;
      case kX64_64:
      case kX64_32:
      case kX64_32S:
        if (PerCpu(s)) return;
        if (abs) {
          if (Listed(kAbsNeverMoves, s.name)) return;
          Fail(where, "an absolute symbol (SHN_ABS) that Linux does not list as moving "
                      "with the kernel or as never moving; it would be wrong wherever the "
                      "kernel moves");
        }
        Add(type == kX64_64 ? relocs64_ : relocs32_, offset, where);
        return;
    }
    Fail(where, "a relocation type Linux's table cannot express");
  }

  void Reloc32(uint64_t offset, uint32_t type, const Symbol& s, const Entry& where) {
    const bool abs = s.raw_shndx == elf::SHN_ABS && !Listed(kAbsMoves, s.name);
    switch (type) {
      case k386None:
      case k386Pc32:
      case k386Pc16:
      case k386Pc8:
      case k386Plt32:
        return;
      case k386_32:
        if (abs) {
          if (Listed(kAbsNeverMoves, s.name)) return;
          Fail(where, "an absolute symbol (SHN_ABS) that Linux does not list as moving "
                      "with the kernel or as never moving; it would be wrong wherever the "
                      "kernel moves");
        }
        Add(relocs32_, offset, where);
        return;
    }
    Fail(where, "a relocation type Linux's table cannot express");
  }

  // The table's words are addresses sign-extended from 32 bits on
  // x86_64 (i386's places are 32-bit to begin with). relocs.c checks this
  // for the absolute types only and truncates an inverse entry; a
  // truncated word would name another place, so every list is checked.
  void Add(std::vector<uint32_t>& list, uint64_t offset, const Entry& where) {
    const bool fits =
        !is64_ || static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(offset))) == offset;
    if (!fits) Fail(where, "the place does not fit the table's 32-bit words");
    list.push_back(static_cast<uint32_t>(offset));
  }

  const Bytes& file_;
  const bool is64_;
  const std::string& name_;
  std::vector<Section> secs_;
  uint32_t shstrndx_ = 0;
  int64_t per_cpu_ = -1;
  uint64_t per_cpu_load_ = 0;
  std::vector<uint32_t> relocs64_, inverse_, relocs32_;
};

}  // namespace

std::string RelocTypeName(uint32_t type, bool is64) {
  static const char* const k64[] = {
      "R_X86_64_NONE",      "R_X86_64_64",       "R_X86_64_PC32",     "R_X86_64_GOT32",
      "R_X86_64_PLT32",     "R_X86_64_COPY",     "R_X86_64_GLOB_DAT", "R_X86_64_JUMP_SLOT",
      "R_X86_64_RELATIVE",  "R_X86_64_GOTPCREL", "R_X86_64_32",       "R_X86_64_32S",
      "R_X86_64_16",        "R_X86_64_PC16",     "R_X86_64_8",        "R_X86_64_PC8",
      "R_X86_64_DTPMOD64",  "R_X86_64_DTPOFF64", "R_X86_64_TPOFF64",  "R_X86_64_TLSGD",
      "R_X86_64_TLSLD",     "R_X86_64_DTPOFF32", "R_X86_64_GOTTPOFF", "R_X86_64_TPOFF32",
      "R_X86_64_PC64",      "R_X86_64_GOTOFF64", "R_X86_64_GOTPC32"};
  static const char* const k32[] = {
      "R_386_NONE",     "R_386_32",       "R_386_PC32",     "R_386_GOT32",   "R_386_PLT32",
      "R_386_COPY",     "R_386_GLOB_DAT", "R_386_JMP_SLOT", "R_386_RELATIVE", "R_386_GOTOFF",
      "R_386_GOTPC",    "R_386_32PLT",    "",               "",              "R_386_TLS_TPOFF",
      "",               "",               "",               "",              "",
      "R_386_16",       "R_386_PC16",     "R_386_8",        "R_386_PC8"};
  std::string n;
  if (is64 && type < std::size(k64)) n = k64[type];
  if (!is64 && type < std::size(k32)) n = k32[type];
  if (is64 && type == 37) n = "R_X86_64_IRELATIVE";
  if (is64 && type == 41) n = "R_X86_64_GOTPCRELX";
  if (is64 && type == 42) n = "R_X86_64_REX_GOTPCRELX";
  if (!is64 && type == 42) n = "R_386_IRELATIVE";
  if (!is64 && type == 43) n = "R_386_GOT32X";
  if (n.empty()) n = std::string(is64 ? "R_X86_64_" : "R_386_") + "type " + std::to_string(type);
  return n;
}

SectionRelocs TableFromSections(const Bytes& file, const KernelElf& k, const std::string& name) {
  Reader r(file, k, name);
  if (!r.ReadSections()) return {};
  return r.Table();
}

}  // namespace bzelf
