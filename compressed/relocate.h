// Applies the kernel's relocations where the stage put it: Linux's table
// (inflated into its own buffer) or a position-independent kernel's own
// R_*_RELATIVE entries, read where they lie in its memory.
#pragma once

#include <stdint.h>

#include "kernel-move.h"
#include "message.h"
#include "stage-params.h"

namespace bzelf {

// The relocation fields of the parameters, and whether `move` is one the
// kernel can make: checked before anything is written.
Failure CheckMove(const StageParams& params, const KernelMove& move);

// `segments` are the kernel's at their new place (MovedSegments), and
// `table` the inflated Linux table (nullptr for other sources).
Failure ApplyRelocations(const StageParams& params, const KernelMove& move,
                         const StageSegment* segments, const uint8_t* table);

}  // namespace bzelf
