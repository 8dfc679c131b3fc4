// W^X for the EFI stub: what must be executable while the firmware's page
// tables are still live, and how it gets so.
//
// The image is NX_COMPAT (tools/pe-header.cpp): firmware may map its
// .text section read-only and executable, its .data section and every
// page the stub allocates non-executable. Under the firmware's tables
// the stage runs only startup_64's path (head.S, then startup_64's C++)
// up to where it turns paging off; everything after runs on its own page
// tables or with paging off. So: when part 5 runs in place, that code is
// the image's .text, which the firmware maps executable, and nothing is
// to be done. When the stub copied part 5 to pages of its own
// (efi-stub.cpp, PlaceStage), the copy must be made executable: through
// EFI_MEMORY_ATTRIBUTE_PROTOCOL (UEFI 2.10, 37.7), read-only first and
// then executable, as Linux's stub remaps its kernel (efi_remap_image;
// "x86/efi: Remap kernel text read-only before dropping NX attribute"),
// because firmware may refuse a page both writable and executable.
// Firmware without the protocol (Debian 12's OVMF) enforces no NX on
// EfiLoaderCode pages (edk2's PcdDxeNxMemoryProtectionPolicy leaves
// loader code out), which is what the copy is allocated as.
#pragma once

#include <stdint.h>

#include "efi.h"

namespace bzelf::efi {

inline constexpr EFI_GUID EFI_MEMORY_ATTRIBUTE_PROTOCOL_GUID = {
    0xf4560cf6, 0x40ec, 0x4b4a, {0xa1, 0x92, 0xbf, 0x1d, 0x57, 0xd0, 0xb1, 0x89}};

// Memory attributes (UEFI 2.10, 7.2, GetMemoryMap).
inline constexpr uint64_t EFI_MEMORY_RP = 0x2000;
inline constexpr uint64_t EFI_MEMORY_XP = 0x4000;
inline constexpr uint64_t EFI_MEMORY_RO = 0x20000;

struct EFI_MEMORY_ATTRIBUTE_PROTOCOL {
  EFI_STATUS(EFIAPI* GetMemoryAttributes)(EFI_MEMORY_ATTRIBUTE_PROTOCOL* This,
                                          EFI_PHYSICAL_ADDRESS BaseAddress, uint64_t Length,
                                          uint64_t* Attributes);
  EFI_STATUS(EFIAPI* SetMemoryAttributes)(EFI_MEMORY_ATTRIBUTE_PROTOCOL* This,
                                          EFI_PHYSICAL_ADDRESS BaseAddress, uint64_t Length,
                                          uint64_t Attributes);
  EFI_STATUS(EFIAPI* ClearMemoryAttributes)(EFI_MEMORY_ATTRIBUTE_PROTOCOL* This,
                                            EFI_PHYSICAL_ADDRESS BaseAddress, uint64_t Length,
                                            uint64_t Attributes);
};
static_assert(offsetof(EFI_MEMORY_ATTRIBUTE_PROTOCOL, SetMemoryAttributes) == 8);
static_assert(offsetof(EFI_MEMORY_ATTRIBUTE_PROTOCOL, ClearMemoryAttributes) == 16);
static_assert(sizeof(EFI_MEMORY_ATTRIBUTE_PROTOCOL) == 24);

}  // namespace bzelf::efi

namespace bzelf {

enum class StageExec {
  kInPlace,         // the image's .text: the firmware maps it executable
  kMakeExecutable,  // a copy: read-only, then executable, by the protocol
  kLoaderCode,      // a copy, no protocol: EfiLoaderCode pages as they are
};

struct StageExecPlan {
  StageExec how;
  // The pages to make read-only and executable (kMakeExecutable only).
  uint64_t start = 0;
  uint64_t size = 0;
};

// Part 5 runs at `run_at`, its `file_size` bytes in place in the loaded
// image when `in_place`, else copied there by the stub; `have_protocol`:
// whether the firmware has EFI_MEMORY_ATTRIBUTE_PROTOCOL.
StageExecPlan PlanStageExecution(bool in_place, uint64_t run_at, uint64_t file_size,
                                 bool have_protocol);

}  // namespace bzelf
