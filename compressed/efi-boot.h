// What the EFI stub's parts share while boot services run: the firmware's
// tables, the loaded image, and where the kernel's bytes will go, which
// everything the stub allocates must stay clear of.
#pragma once

#include "boot-params.h"
#include "efi-console.h"
#include "efi-memory-map.h"
#include "efi-tcg2.h"
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

  // Pages of `type` (loader data unless said) for `size` bytes below
  // `limit`, clear of the kernel (FindEfiFree, then AllocatePages at that
  // address); `what` names them in the error.
  Failure Allocate(uint64_t size, uint64_t limit, const char* what, uint64_t* addr,
                   efi::EFI_MEMORY_TYPE type = efi::EfiLoaderData) const;

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

// Measured boot (efi-tpm.cpp), through EFI_TCG2_PROTOCOL where the
// firmware has it (else nothing, and no error): EfiMeasure extends PCR 9
// with the `size` bytes at `addr` as Linux's stub does for `event`;
// EfiKeepEventLog then hands the firmware's event log to Linux in the
// LINUX_EFI_TPM_EVENT_LOG_GUID configuration table (Linux's stub:
// libstub/tpm.c, efi_retrieve_tpm2_eventlog), without which Linux has no
// log to show for a kernel it did not start itself. A firmware call that
// fails is reported on ConOut and the boot goes on, as in Linux.
void EfiMeasure(const EfiBoot& boot, const EfiConsole& console, uint64_t addr, uint64_t size,
                StubEvent event);
void EfiKeepEventLog(const EfiBoot& boot, const EfiConsole& console);

// W^X (efi-memory-attribute.cpp): part 5, `file_size` bytes at `run_at`
// (in the loaded image when `in_place`, else a copy in EfiLoaderCode
// pages), made executable under the firmware's page tables where it is
// not already (lib/efi-memory-attribute.h, PlanStageExecution). A copy
// the firmware will not make read-only is noted on `console`.
Failure MakeStageExecutable(const EfiBoot& boot, const EfiConsole& console, bool in_place,
                            uint64_t run_at, uint64_t file_size);

}  // namespace bzelf
