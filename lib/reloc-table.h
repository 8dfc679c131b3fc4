// Linux's x86 relocation table ("vmlinux.relocs"), which Linux's build
// appends to the vmlinux inside every bzImage, and which a vmlinux taken
// out of a bzImage still carries after its last ELF byte.
//
// The facts, from Linux's arch/x86/tools/relocs.c (emit_relocs, which
// writes it) and arch/x86/boot/compressed/misc.c (handle_relocations,
// which reads it from its end):
// - Little-endian u32 words, each the low 32 bits of a link-time virtual
//   address of a word the kernel wants moved with it, in lists that each
//   start with a zero word:
//     x86_64 up to 6.14:  0, relocs64..., 0, inverse32..., 0, relocs32...
//     x86_64 from 6.15:   0, relocs64..., 0, relocs32...
//     i386:               0, relocs32...
//   No entry is zero (an address in the kernel's image is never 0 in its
//   low 32 bits), so the count of zero words tells the layouts apart.
// - On x86_64 an entry is sign-extended (the kernel is linked in the top
//   2 GiB, __START_KERNEL_map = 0xffffffff80000000); on i386 it is a
//   32-bit address above __PAGE_OFFSET (0xc0000000).
// - The word at link address V lies at physical V - __START_KERNEL_map -
//   LOAD_PHYSICAL_ADDR + <where _text was loaded>; a relocs64 word gets
//   delta added, a relocs32 word delta added (mod 2^32), an inverse32 word
//   delta subtracted (it holds a difference that shrinks as the kernel
//   moves up). delta is the virtual move on x86_64 (the physical move needs
//   none: head64.c fixes up its own page tables) and the physical move on
//   i386, whose virtual and physical addresses move together.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "stage-params.h"

namespace bzelf {

enum class RelocLayout : uint8_t {
  kNone = 0,
  kX86_64Inverse = 1,  // x86_64 up to Linux 6.14: three lists
  kX86_64 = 2,         // x86_64 from Linux 6.15: two lists
  kI386 = 3,           // one list
};

const char* RelocLayoutName(RelocLayout layout);

enum class RelocTableError : uint8_t {
  kOk = 0,
  kNotWords,       // the size is not a multiple of 4
  kNoLeadingZero,  // the first word (right after the ELF) is not 0
  kListCount,      // more zero words than any layout has
  kWrongClass,     // a layout for the other ELF class
};

const char* RelocTableErrorString(RelocTableError error);

// Where each list lies, in words from the table's start (after its zero
// word), and how long it is.
struct RelocTable {
  RelocLayout layout = RelocLayout::kNone;
  uint32_t start64 = 0, count64 = 0;
  uint32_t start_inverse = 0, count_inverse = 0;
  uint32_t start32 = 0, count32 = 0;

  uint32_t Count() const { return count64 + count_inverse + count32; }
};

struct RelocTableParse {
  RelocTableError error = RelocTableError::kOk;
  RelocTable table;
};

// Reads the table's layout from `size` bytes at `data` (any alignment),
// for a kernel of ELF class `elf_class` (elf::ELFCLASS32/64).
RelocTableParse ParseRelocTable(const uint8_t* data, uint64_t size, uint8_t elf_class);

// The bytes the table of `table` takes, its zero words included.
inline uint64_t RelocTableBytes(const RelocTable& t) {
  const uint32_t lists = t.layout == RelocLayout::kX86_64Inverse ? 3
                         : t.layout == RelocLayout::kX86_64      ? 2
                         : t.layout == RelocLayout::kI386        ? 1
                                                                 : 0;
  return 4 * (uint64_t{t.Count()} + lists);
}

// How the kernel moved, in the terms the table's words need.
struct RelocMove {
  // Link-time virtual minus link-time physical address of the words the
  // table names: Linux's __START_KERNEL_map (i386: __PAGE_OFFSET).
  uint64_t kernel_map = 0;
  // Where the kernel's bytes are now, minus where they were linked
  // (mod 2^64): what moves each entry's location.
  uint64_t phys_move = 0;
  // What each entry's word changes by (mod 2^64; mod 2^32 for 32-bit
  // words): the virtual move on x86_64, the physical move on i386.
  uint64_t delta = 0;
};

enum class RelocKind : uint8_t { k64, kInverse32, k32 };

// A relocation that cannot be applied: its list, its number in the list,
// and where it would have written.
struct RelocFault {
  bool failed = false;
  RelocKind kind = RelocKind::k64;
  uint32_t index = 0;
  uint64_t location = 0;

  explicit operator bool() const { return failed; }
};

// The link-time virtual address an entry names (sign-extended on x86_64).
inline uint64_t RelocEntryAddress(uint32_t entry, RelocLayout layout) {
  if (layout == RelocLayout::kI386) return entry;
  return static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(entry)));
}

// Whether the `width` bytes at physical `at` lie wholly inside `segment`
// (p_memsz long). No segment wraps past 2^64 (PlanKernel in
// lib/placement.cpp refuses one, and the tool a PT_LOAD that does), so an
// `at` below the segment's start gives a difference larger than any
// segment.
inline bool WordInSegment(uint64_t at, uint64_t width, const StageSegment& segment) {
  return segment.memsz >= width && at - segment.paddr <= segment.memsz - width;
}

// The first of `count` segments that holds the `width` bytes at physical
// `at` wholly, or `count` when none does.
inline unsigned FindSegment(uint64_t at, uint64_t width, const StageSegment* segments,
                            unsigned count) {
  unsigned s = 0;
  while (s < count && !WordInSegment(at, width, segments[s])) ++s;
  return s;
}

inline bool WordInSegments(uint64_t at, uint64_t width, const StageSegment* segments,
                           unsigned count) {
  return FindSegment(at, width, segments, count) != count;
}

// Calls `visit(kind, location)` for every entry, in table order, with the
// physical location of its word after `move`; returns the first entry whose
// word does not lie wholly inside one of `count` segments (physical
// addresses after the move, p_memsz long), without visiting it or any
// later entry. Linux's own check is coarser (between _text and
// __bss_start); this one also refuses words in the gaps between segments.
//
// Linux's build sorts each list (relocs.c sort_relocs), so an entry
// nearly always lies in the segment of the one before it: that segment's
// bounds are kept in the entries' own terms, and the segments are searched
// only when an entry lies outside them, about once per segment per list.
// Debian's 6.1 amd64 kernel has 222,990 entries (the DebianAmd64Kernel
// test of tests/unit/reloc-table-test.cpp).
template <typename Visit>
RelocFault WalkRelocTable(const uint8_t* data, const RelocTable& t, const RelocMove& move,
                          const StageSegment* segments, unsigned count, Visit visit) {
  // The segment last found, as the link-time address of its first byte
  // (`first`: an entry's word lies at paddr + (address - first)), and the
  // largest difference at which a word of the width it was found for
  // still fits. The lists go from wider words to narrower ones, so a
  // limit kept from an earlier list is never too large.
  uint64_t first = 0, limit = 0, paddr = 0;
  bool found = false;
  auto walk = [&](RelocKind kind, uint32_t start, uint32_t n, uint64_t width) -> RelocFault {
    for (uint32_t i = 0; i < n; ++i) {
      uint32_t entry;
      __builtin_memcpy(&entry, data + 4 * (uint64_t{start} + i), 4);
      const uint64_t address = RelocEntryAddress(entry, t.layout);
      if (!found || address - first > limit) {
        const uint64_t at = address - move.kernel_map + move.phys_move;
        const unsigned s = FindSegment(at, width, segments, count);
        if (s == count) return RelocFault{true, kind, i, at};
        paddr = segments[s].paddr;
        first = paddr - move.phys_move + move.kernel_map;
        limit = segments[s].memsz - width;
        found = true;
      }
      visit(kind, paddr + (address - first));
    }
    return {};
  };
  if (RelocFault f = walk(RelocKind::k64, t.start64, t.count64, 8)) return f;
  if (RelocFault f = walk(RelocKind::kInverse32, t.start_inverse, t.count_inverse, 4)) return f;
  return walk(RelocKind::k32, t.start32, t.count32, 4);
}

// Applies the table to the kernel's words, which `memory.Bytes(addr,
// size)` gives a pointer to (the stage: the physical address itself; the
// host's tests: a buffer), in one pass: a word outside the kernel stops it
// there, with the entries before it applied. The stage halts then (a
// table the tool checked at build time and the payload's CRC32 covers
// does not fail here), so a pass that checked the whole table first would
// buy nothing for the time it takes.
template <typename Memory>
RelocFault ApplyRelocTable(const uint8_t* data, const RelocTable& t, const RelocMove& move,
                           const StageSegment* segments, unsigned count, const Memory& memory) {
  return WalkRelocTable(data, t, move, segments, count, [&](RelocKind kind, uint64_t at) {
    if (kind == RelocKind::k64) {
      uint8_t* p = memory.Bytes(at, 8);
      uint64_t v;
      __builtin_memcpy(&v, p, 8);
      v += move.delta;
      __builtin_memcpy(p, &v, 8);
    } else {
      uint8_t* p = memory.Bytes(at, 4);
      uint32_t v;
      __builtin_memcpy(&v, p, 4);
      const uint32_t d = static_cast<uint32_t>(move.delta);
      v = kind == RelocKind::k32 ? v + d : v - d;
      __builtin_memcpy(p, &v, 4);
    }
  });
}

}  // namespace bzelf
