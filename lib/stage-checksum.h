// The checksum that guards the boot stage's own code and parameters
// (StageParams::stage_crc), computed the same way by `bzelf build` and by
// the stage before it trusts anything in part 5.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "stage-params.h"

namespace bzelf {

// part5 is the start of part 5, params its StageParams (inside part 5, at
// params_offset). The CRC runs over [0, checked_size) with
// params.stage_crc read as zero, then over the built-in command line.
uint32_t StageChecksum(const uint8_t* part5, size_t params_offset, const StageParams& params);

}  // namespace bzelf
