// Inflates the kernel ELF from the payload: every PT_LOAD's bytes straight
// to its physical address, headers and padding to scratch; then zeroes
// each segment's memsz tail.
#pragma once

#include <stdint.h>

#include "cpu-check.h"
#include "message.h"
#include "stage-params.h"

namespace bzelf {

// The counts and the payload's place in the parameters, before anything
// else reads them.
Failure CheckParams(const StageParams& params);

// The kernel's bytes, to destinations the planner has checked
// (PlanKernel): `segments` (the parameters' segments, moved where the
// kernel runs), and Linux's relocation table to `table` (reloc_bytes;
// nullptr when the payload has none). Fails on any bad payload: gzip
// framing, DEFLATE stream, CRC32, ISIZE, the kernel's ELF header. `cpu`
// chooses the decoder.
Failure LoadKernel(uintptr_t stage_base, const StageParams& params, const CpuFeatures& cpu,
                   const StageSegment* segments, uint8_t* scratch, uint8_t* table);

}  // namespace bzelf
