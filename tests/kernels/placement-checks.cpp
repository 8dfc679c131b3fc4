// Where the kernel really is: the entry code records the address it ran at
// (entry_run_address), which must be the physical address the link map
// intends for the entry point -- p_paddr as the kernel's author meant it,
// whatever bzelf had to make of the ELF's p_paddr (DESIGN.md, "What
// p_paddr means") -- and the kernel's data must be readable through those
// physical addresses, not only through the linked ones.
#include "checks.h"
#include "entry-state.h"
#include "serial.h"

extern "C" {
#if defined(__x86_64__)
extern char startup_64[];
#else
extern char startup_32[];
#endif
}

namespace bzelf::testkernel {
namespace {

#if defined(__x86_64__)
const char* const kEntry = startup_64;
#else
const char* const kEntry = startup_32;
#endif

}  // namespace

void CheckPlacement(Verdict& verdict) {
  uint64_t intended = KernelVirtToPhys(kEntry);
  Print("bzelf-test: placement: entered at ");
  PrintHex(entry_run_address);
  Print(", linked for physical ");
  PrintHex(intended);
  Print(" (virtual ");
  PrintHex(reinterpret_cast<uintptr_t>(kEntry));
  Print(")\n");
  verdict.Check(entry_run_address == intended,
                "entered at the physical address it was linked for");
  CheckImageAtPhysical(verdict);
}

}  // namespace bzelf::testkernel
