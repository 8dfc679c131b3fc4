// The C++ side of both test kernels: entry32.S and entry64.S save the entry
// state, set up a stack (and, on 64-bit, the kernel's own mapping) and call
// KernelMain, which runs every check and leaves QEMU with the verdict.
#include "checks.h"
#include "entry-state.h"
#include "serial.h"

namespace bzelf::testkernel {
namespace {

#if defined(__x86_64__)
constexpr const char* kBanner =
    "ELF64 test kernel, entered through the 64-bit boot protocol";
#else
constexpr const char* kBanner =
    "ELF32 test kernel, entered through the 32-bit boot protocol";
#endif

}  // namespace
}  // namespace bzelf::testkernel

void KernelMain() {
  using namespace bzelf::testkernel;
  SerialInit();
  Print("\nbzelf-test: ");
  Print(kBanner);
  Print("\n");

  Verdict verdict;
  CheckEntryState(verdict);
  if (const boot_params* params = CheckBootParamsHeader(verdict)) {
    CheckCommandLine(verdict, *params);
    CheckInitrd(verdict, *params);
    CheckMemoryMap(verdict, *params);
  }
  CheckImage(verdict);
  CheckPlacement(verdict);
  verdict.Finish();
}
