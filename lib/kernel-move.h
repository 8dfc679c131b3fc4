// Where the kernel runs when it does not run at its link address: the
// move a placement makes (chosen at boot, or fixed by `bzelf build`), the
// kernel's segments after it, and what its relocations change by. Shared
// by the stage, which applies the move, and the host's tests.
#pragma once

#include <stdint.h>

#include "reloc-table.h"
#include "stage-params.h"

namespace bzelf {

struct KernelMove {
  uint64_t phys_move = 0;    // new minus link physical address (mod 2^64)
  uint64_t virt_offset = 0;  // x86_64 Linux: the virtual move (its KASLR offset)

  bool Moves() const { return phys_move != 0 || virt_offset != 0; }
};

// The lowest physical address of the kernel's segments at its link place.
inline uint64_t KernelLinkBase(const StageParams& p) {
  uint64_t low = ~uint64_t{0};
  for (unsigned i = 0; i < p.segment_count && i < kMaxSegments; ++i) {
    if (p.segments[i].paddr < low) low = p.segments[i].paddr;
  }
  return low;
}

// The placement `bzelf build` fixed (--load-address, --virtual-offset), or
// none.
inline KernelMove FixedMove(const StageParams& p) {
  KernelMove m;
  if (p.load_address != 0) m.phys_move = p.load_address - KernelLinkBase(p);
  m.virt_offset = p.virt_offset;
  return m;
}

// The kernel's segments after `move`, into out[0, segment_count).
inline void MovedSegments(const StageParams& p, const KernelMove& move, StageSegment* out) {
  for (unsigned i = 0; i < p.segment_count && i < kMaxSegments; ++i) {
    out[i] = p.segments[i];
    out[i].paddr += move.phys_move;
  }
}

// What each relocated word changes by. x86_64 Linux: the virtual move
// (its physical move needs none: head64.c fixes its page tables up from
// where it runs); i386 Linux: the physical move, which its virtual
// addresses follow (arch/x86/boot/compressed/misc.c, handle_relocations);
// a position-independent kernel runs identity-mapped: each pointer becomes
// the physical address its target now has.
inline RelocMove RelocMoveFor(const StageParams& p, const KernelMove& move) {
  RelocMove r{p.kernel_map, move.phys_move, 0};
  const auto source = static_cast<RelocSource>(p.reloc_source);
  if (source == RelocSource::kDynamic) {
    r.delta = move.phys_move - p.kernel_map;
  } else if (p.kernel_class == elf::ELFCLASS64) {
    r.delta = move.virt_offset;
  } else {
    r.delta = move.phys_move;
  }
  return r;
}

}  // namespace bzelf
