// The EFI memory map, for the EFI stub: its conversion into the E820
// table the boot protocol carries, the check that the kernel's physical
// ranges are memory the firmware gives up at ExitBootServices, and where
// the stub may put what it keeps across ExitBootServices.
#pragma once

#include <stdint.h>

#include "boot-params.h"
#include "efi.h"
#include "memory-plan.h"
#include "message.h"

namespace bzelf {

// The E820 type of an EFI memory type, as Linux's stub maps them
// (x86-stub.c, setup_e820): loader, boot-services and conventional memory
// are RAM once boot services exit; ACPI reclaim 3, ACPI NVS 4, unusable 5,
// persistent 7. Everything else is reserved, the types Linux skips
// included (a type this code does not know may be a firmware's own):
// a gap in the map would read as free to nobody, a reserved entry says so.
uint32_t E820TypeOfEfi(uint32_t efi_type);

// What FillE820 wrote.
struct E820Fill {
  uint32_t entries = 0;      // in boot_params.e820_table
  uint32_t ext_entries = 0;  // in the SETUP_E820_EXT node
  bool fits = true;          // false: the node's capacity was too small
};

// Writes the E820 map of `map` into bp.e820_table and bp.e820_entries,
// adjacent descriptors of one E820 type merged into one entry, in the
// map's order (as Linux's stub does). Entries past the 128 of boot_params
// go into `ext`, a SETUP_E820_EXT setup_data node with room for
// `ext_capacity` entries after its header (len = 20 * entries, next and
// linking are the caller's). With no room left: fits = false.
E820Fill FillE820(const EfiMemoryMap& map, linuxboot::boot_params& bp, linuxboot::setup_data* ext,
                  uint32_t ext_capacity);

// May the kernel's bytes go to `range` after ExitBootServices? Only if
// every page of it is described and is conventional, boot-services or
// loader memory: ACPI tables, NVS, runtime services, MMIO and reserved
// memory stay the firmware's (or the OS's) for good. The error names the
// first descriptor (or hole) that forbids it; `subject` and `index` name
// the range ("kernel segment", 0).
Failure CheckKernelRange(const EfiMemoryMap& map, Range range, const char* subject, int index);

// The highest page-aligned address a at or above 1 MiB with [a, a + size)
// inside one conventional-memory descriptor, a + size <= `limit`, and
// touching none of `avoid`; 0 when there is none. The stub then asks for
// exactly those pages (AllocatePages, AllocateAddress): the firmware's own
// AllocateMaxAddress cannot steer clear of the kernel's ranges. 1 MiB and
// up: Linux wants memory below 1 MiB for its real-mode trampoline.
uint64_t FindEfiFree(const EfiMemoryMap& map, uint64_t size, uint64_t limit, const Range* avoid,
                     int avoid_count);

// screen_info for a GOP mode with a linear frame buffer (Linux's stub:
// drivers/firmware/efi/libstub/gop.c); false for PixelBltOnly, which has
// no frame buffer to give the kernel.
bool ScreenInfoFromGop(const efi::EFI_GRAPHICS_OUTPUT_MODE_INFORMATION& info,
                       uint64_t frame_buffer_base, uint64_t frame_buffer_size,
                       linuxboot::screen_info& si);

// The ACPI RSDP from the configuration table: the ACPI 2.0 entry, else the
// 1.0 one (Linux: efi_get_rsdp_addr); 0 when neither is there.
uint64_t FindRsdp(const efi::EFI_CONFIGURATION_TABLE* tables, uint64_t count);

}  // namespace bzelf
