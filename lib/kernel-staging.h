// Where the stage writes a kernel whose place reaches above 4 GiB. The
// 32-bit stage writes with paging off, below 4 GiB; an x86_64 Linux
// kernel (KaslrVirtual::kWindow) needs no relocation for its physical
// move (head64.c fixes its page tables up from where it runs, and kexec
// loads it above 4 GiB), so the stage inflates and relocates it at a
// temporary place below 4 GiB and the 64-bit hand-off copies the whole
// [link base, end) span, zeroed tails and all, to the final place under
// an identity map that covers it.
#pragma once

#include <stdint.h>

#include "kaslr.h"
#include "kernel-move.h"
#include "memory-plan.h"

namespace bzelf {

struct KernelStaging {
  bool copy = false;        // written at temp_base, copied to final_base at the hand-off
  uint64_t final_base = 0;  // where the kernel's link_base byte runs
  uint64_t temp_base = 0;   // where it is written (final_base when !copy)
  uint64_t size = 0;        // the span copied: kernel.size

  // The move the stage writes and relocates the kernel with.
  KernelMove Written(const KaslrKernel& kernel, const KernelMove& move) const {
    KernelMove m = move;
    m.phys_move = temp_base - kernel.link_base;
    return m;
  }
};

// For `kernel` moved by `move`: a place that ends at or below 4 GiB is
// written in place (no copy). One that reaches above, for a kernel that
// moves physically without relocations (kWindow), must be free RAM
// (RAM by the map, clear of everything kept; else kNotFree) and gets a
// temporary place below 4 GiB from the planner's search (FindFree),
// aligned as the kernel, at or above 1 MiB, clear of everything
// kept (the stage and its arena included), of the final place and of the
// first kMaxMemmapRanges of `avoid` (the memmap= ranges: memory the user
// says is not for the kernel, persistent memory among it) (else
// kNoRoomToStage). Any other kernel above 4 GiB is left as it is, for
// PlanKernel to refuse segment by segment.
PlanError PlanKernelStaging(const MemoryPlan& plan, const KaslrKernel& kernel,
                            const KernelMove& move, const Range* avoid, int avoid_count,
                            KernelStaging* out);

}  // namespace bzelf
