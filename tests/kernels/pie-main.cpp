// The position-independent test kernels (pie32.elf, pie64.elf): linked
// -pie at PIE_LINK_ADDRESS, with absolute pointers in their data that only
// their R_*_RELATIVE relocations make right wherever they run. Entered
// through the boot protocol of their class (pie-entry32.S, pie-entry64.S)
// with paging off or identity-mapped, they check that
//   - every pointer they hold points where its target really is (the code
//     reaches the targets PC-relatively, which is right wherever it runs);
//   - all of them, bss included, lies inside one E820 RAM entry;
// print where they run, and end QEMU with the verdict (verdict.h).
#include <stddef.h>
#include <stdint.h>

#include "boot-params.h"
#include "moved-kernel.h"
#include "serial.h"
#include "verdict.h"

extern "C" {
// The kernel's first and last byte + 1 (pie.ld.S), reached PC-relatively.
extern char __pie_start[], __pie_end[];
[[noreturn]] void PieMain(const bzelf::linuxboot::boot_params* bp);
}

namespace bzelf::testkernel {
namespace {

// What the compiler computes PC-relatively, hidden from its constant
// folding.
template <typename T>
T Here(T p) {
  asm("" : "+r"(p));
  return p;
}

}  // namespace
}  // namespace bzelf::testkernel

extern "C" void PieMain(const bzelf::linuxboot::boot_params* bp) {
  using namespace bzelf::testkernel;
  SerialInit();
  const uintptr_t start = reinterpret_cast<uintptr_t>(Here(__pie_start));
  const uintptr_t end = reinterpret_cast<uintptr_t>(Here(__pie_end));
  Print("bzelf-pie: running at ");
  PrintHex(start);
  Print(", linked at ");
  PrintHex(PIE_LINK_ADDRESS);
  Print(", ");
  PrintHex(end - start);
  Print(" bytes\n");
  Verdict v;
  v.Check(Loaded(pointers.data) == Here(&data_word), "pointer to .data relocated");
  v.Check(Loaded(pointers.bss) == Here(&bss_word), "pointer to .bss relocated");
  v.Check(Loaded(pointers.rodata) == Here(&kRodataText[0]), "pointer to .rodata relocated");
  v.Check(Loaded(pointers.code) == Here(&CodeMarker), "pointer to code relocated");
  v.Check(Loaded(pointers.self) == Here(&pointers), "pointer to itself relocated");
  v.Check(Loaded(chain) == Here(&pointers), "pointer in .data.rel.ro relocated");
  v.Check(Loaded(chain)->data == Here(&data_word), "pointer through a pointer relocated");
  v.Check(Loaded(data_word) == 0x5a5a && Loaded(bss_word) == 0, ".data and .bss contents");
  v.Check(InOneRamEntry(bp, start, end), "the whole kernel lies in one E820 RAM entry");
  v.Finish();
}
