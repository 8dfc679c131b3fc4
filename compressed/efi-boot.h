// What the EFI stub's parts share while boot services run: the firmware's
// tables, the loaded image, and where the kernel's bytes will go, which
// everything the stub allocates must stay clear of.
#pragma once

#include "boot-params.h"
#include "efi-console.h"
#include "efi-memory-map.h"
#include "efi.h"
#include "memory-plan.h"
#include "message.h"
#include "stage-params.h"

namespace bzelf {

// Descriptors of slack in the memory-map buffer: the allocations and
// firmware events between sizing the map and the final GetMemoryMap split
// a few descriptors each (Linux's stub adds the same kind of slack,
// EFI_MMAP_NR_SLACK_SLOTS).
inline constexpr uint64_t kMapSlack = 32;

struct EfiBoot {
  efi::EFI_HANDLE image = nullptr;
  efi::EFI_SYSTEM_TABLE* st = nullptr;
  efi::EFI_BOOT_SERVICES* bs = nullptr;
  efi::EFI_LOADED_IMAGE_PROTOCOL* loaded_image = nullptr;
  // The kernel's physical ranges: written after ExitBootServices, so
  // nothing the stub keeps may lie there.
  Range kernel[kMaxSegments];
  int kernel_count = 0;

  // Pages of loader data for `size` bytes below `limit`, clear of the
  // kernel (FindEfiFree, then AllocatePages at that address); `what`
  // names them in the error.
  Failure Allocate(uint64_t size, uint64_t limit, const char* what, uint64_t* addr) const;

  // The current memory map in pool memory, which the caller frees
  // (FreePool) after use.
  Failure GetMap(void** buffer, uint64_t* size, uint64_t* descriptor_size) const;
};

// "<what>: EFI status 0x..." for a firmware call that failed.
Failure EfiFail(const char* what, const char* call, efi::EFI_STATUS status);

// The initrd (efi-initrd.cpp): LoadFile2 on the initrd media device path
// first, else every `initrd=` path of `cmdline` read from the volume the
// image came from, one after the other; none with `noinitrd`. Placed below
// `limit`. size 0: there is none; `source` says where it came from.
struct EfiInitrd {
  uint64_t addr = 0;
  uint64_t size = 0;
  const char* source = "none";
};
Failure LoadInitrd(const EfiBoot& boot, const char* cmdline, uint64_t limit, EfiInitrd* out);

// The EFI stub (efi-stub.cpp), from either entry: `loader` is null from
// the PE entry point, and the boot_params a loader filled from the EFI
// handover entry (efi-handover.cpp). Exits boot services and enters
// startup_64; halts on failure.
[[noreturn]] void EfiStub(efi::EFI_HANDLE image, efi::EFI_SYSTEM_TABLE* st, uint8_t* part5,
                          const StageParams* params, const linuxboot::boot_params* loader);

}  // namespace bzelf
