#pragma once

#include <string>

#include "common.h"

namespace bzelf {

// `bzelf info FILE [--json]`: an image's header fields, stage ELF, payload
// and CRC status; or, for an ELF file, the kernel and its placement rule.
int RunInfo(const std::string& path, bool json);

}  // namespace bzelf
