// Inflates the kernel ELF from the payload: every PT_LOAD's bytes straight
// to its physical address, headers and padding to scratch; then zeroes
// each segment's memsz tail.
#pragma once

#include <stdint.h>

#include "memory.h"
#include "stage-params.h"

namespace bzelf {

// Panics with the reason on any bad payload (gzip framing, DEFLATE stream,
// CRC32, ISIZE, kernel ELF header) or any segment it may not write.
void LoadKernel(uintptr_t stage_base, const StageParams& params,
                const MemoryPlan& plan, uint8_t* scratch);

}  // namespace bzelf
