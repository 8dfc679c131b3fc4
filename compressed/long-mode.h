// Page tables for the ELF64 hand-off.
#pragma once

#include <stdint.h>

namespace bzelf {

// Builds an identity map of the first 4 GiB with 2 MiB pages in `tables`
// (kArenaPageTablesSize bytes, 4 KiB aligned) and returns the PML4 address.
// Everything the stage accepts lies below 4 GiB: the kernel, boot_params,
// the command line and the initrd.
uint32_t BuildIdentityMap(uint8_t* tables);

}  // namespace bzelf
