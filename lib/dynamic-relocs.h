// A position-independent kernel's own relocations (ELF gABI "Relocation",
// the x86-64 and i386 psABIs): the R_X86_64_RELATIVE (ELF64) or
// R_386_RELATIVE (ELF32) entries of its DT_RELA or DT_REL table, which
// `bzelf build` checks are the only kind there is, and the stage applies
// where it put the kernel. They are read where they lie in the kernel's
// loaded memory, as a dynamic loader reads them: the image carries the
// kernel as it was given.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "reloc-table.h"
#include "stage-params.h"

namespace bzelf {

// Relocation types of the psABIs (x86-64 psABI, table "Relocation Types";
// the i386 psABI's).
inline constexpr uint32_t R_X86_64_NONE = 0;
inline constexpr uint32_t R_X86_64_RELATIVE = 8;
inline constexpr uint32_t R_386_NONE = 0;
inline constexpr uint32_t R_386_RELATIVE = 8;

// Dynamic section tags (gABI "Dynamic Section").
inline constexpr uint64_t DT_NULL = 0;
inline constexpr uint64_t DT_NEEDED = 1;
inline constexpr uint64_t DT_PLTRELSZ = 2;
inline constexpr uint64_t DT_RELA = 7;
inline constexpr uint64_t DT_RELASZ = 8;
inline constexpr uint64_t DT_RELAENT = 9;
inline constexpr uint64_t DT_REL = 17;
inline constexpr uint64_t DT_RELSZ = 18;
inline constexpr uint64_t DT_RELENT = 19;
inline constexpr uint64_t DT_PLTREL = 20;
inline constexpr uint64_t DT_TEXTREL = 22;
inline constexpr uint64_t DT_JMPREL = 23;
inline constexpr uint64_t DT_FLAGS = 30;
inline constexpr uint64_t DT_RELRSZ = 35;
inline constexpr uint64_t DT_RELR = 36;
inline constexpr uint64_t DF_TEXTREL = 0x4;

enum class DynRelFormat : uint8_t {
  kNone = 0,
  kRela64 = 1,  // Elf64_Rela: r_offset, r_info, r_addend (24 bytes)
  kRel32 = 2,   // Elf32_Rel: r_offset, r_info (8 bytes), addend in place
  kRela32 = 3,  // Elf32_Rela (12 bytes)
  kRel64 = 4,   // Elf64_Rel (16 bytes)
};

inline uint32_t DynRelEntrySize(DynRelFormat f) {
  switch (f) {
    case DynRelFormat::kRela64: return 24;
    case DynRelFormat::kRel32: return 8;
    case DynRelFormat::kRela32: return 12;
    case DynRelFormat::kRel64: return 16;
    case DynRelFormat::kNone: return 0;
  }
  return 0;
}

// One entry, decoded.
struct DynRel {
  uint64_t offset;
  uint32_t type;
  bool has_addend;
  uint64_t addend;
};

inline DynRel DecodeDynRel(const uint8_t* p, DynRelFormat f) {
  DynRel r{};
  if (f == DynRelFormat::kRela64 || f == DynRelFormat::kRel64) {
    uint64_t info;
    __builtin_memcpy(&r.offset, p, 8);
    __builtin_memcpy(&info, p + 8, 8);
    r.type = static_cast<uint32_t>(info);  // ELF64_R_TYPE
    r.has_addend = f == DynRelFormat::kRela64;
    if (r.has_addend) __builtin_memcpy(&r.addend, p + 16, 8);
  } else {
    uint32_t offset, info;
    __builtin_memcpy(&offset, p, 4);
    __builtin_memcpy(&info, p + 4, 4);
    r.offset = offset;
    r.type = info & 0xff;  // ELF32_R_TYPE
    r.has_addend = f == DynRelFormat::kRela32;
    if (r.has_addend) {
      uint32_t addend;
      __builtin_memcpy(&addend, p + 8, 4);
      r.addend = addend;
    }
  }
  return r;
}

inline bool Is64(DynRelFormat f) { return f == DynRelFormat::kRela64 || f == DynRelFormat::kRel64; }

// The one type each class may have (the psABIs' *_NONE entries are
// skipped, as a dynamic loader skips them).
inline bool IsRelative(uint32_t type) { return type == R_X86_64_RELATIVE; }
inline bool IsNone(uint32_t type) { return type == R_X86_64_NONE; }
static_assert(R_X86_64_RELATIVE == R_386_RELATIVE && R_X86_64_NONE == R_386_NONE);

// Applies the `size` bytes of entries at `table` to the kernel after
// `move`: a word at link address V lies at V - kernel_map + phys_move and
// becomes addend + delta (RELA) or its old value + delta (REL), 8 bytes
// wide for ELF64 and 4 for ELF32. Each entry is checked before it is
// applied (a RELATIVE or NONE type, its word inside one of `count`
// segments at their new place); the first that fails stops the pass, with
// the entries before it applied, as ApplyRelocTable does (reloc-table.h
// says why). RelocFault's kind is k64 or k32 by the word's width, index
// the entry's number.
template <typename Memory>
RelocFault ApplyDynamicRelocs(const uint8_t* table, uint64_t size, DynRelFormat format,
                              const RelocMove& move, const StageSegment* segments, unsigned count,
                              const Memory& memory) {
  const uint32_t ent = DynRelEntrySize(format);
  const uint64_t width = Is64(format) ? 8 : 4;
  const RelocKind kind = Is64(format) ? RelocKind::k64 : RelocKind::k32;
  // 32-bit arithmetic: the 32-bit stage has no 64-bit division.
  if (ent == 0 || size >= 0x1'0000'0000ull || static_cast<uint32_t>(size) % ent != 0) {
    return RelocFault{true, kind, 0, 0};
  }
  const uint32_t n = static_cast<uint32_t>(size) / ent;
  for (uint32_t i = 0; i < n; ++i) {
    const DynRel r = DecodeDynRel(table + uint64_t{i} * ent, format);
    if (IsNone(r.type)) continue;
    const uint64_t at = r.offset - move.kernel_map + move.phys_move;
    if (!IsRelative(r.type) || !WordInSegments(at, width, segments, count)) {
      return RelocFault{true, kind, i, at};
    }
    uint8_t* p = memory.Bytes(at, width);
    if (width == 8) {
      uint64_t v = r.addend;
      if (!r.has_addend) __builtin_memcpy(&v, p, 8);
      v += move.delta;
      __builtin_memcpy(p, &v, 8);
    } else {
      uint32_t v = static_cast<uint32_t>(r.addend);
      if (!r.has_addend) __builtin_memcpy(&v, p, 4);
      v += static_cast<uint32_t>(move.delta);
      __builtin_memcpy(p, &v, 4);
    }
  }
  return {};
}

}  // namespace bzelf
