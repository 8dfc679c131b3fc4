// Moving the running stage: part 5 and the data its arena holds go to a
// new place, and the copy is then entered as if a loader had put it there.
// Used by the 32-bit stage to get out of the kernel's way and by
// startup_64 to get below 4 GiB; the planner chose the place.
#pragma once

#include <stdint.h>

#include "boot-params.h"
#include "stage-params.h"

namespace bzelf {

// Copies part 5's file bytes from `from` to `to` (which must not overlap),
// and the arena's zero page and command-line page: the two arena pages
// that may hold data, boot_params the stage built (PVH) or copied
// (startup_64), and a command line startup_64 copied. Returns the
// boot_params the copy must use: `bp` itself, or its copy when it lived in
// the old arena; a cmd_line_ptr into the old arena's page is pointed at
// the new one.
linuxboot::boot_params* MoveStage(uintptr_t from, uintptr_t to, const StageParams& params,
                                  linuxboot::boot_params* bp);

// startup_64's first step for a command line that reaches above 4 GiB,
// out of the 32-bit stage's reach: copies it to `page` (`page_size` bytes,
// below 4 GiB), up to its NUL or CmdlineLimit() bytes, at most what fits
// with the NUL, and points `bp` at the copy. Any other command line is
// left where it is.
void CopyHighCmdline(linuxboot::boot_params* bp, char* page, uint32_t page_size);

}  // namespace bzelf
