// The kernels linked --emit-relocs (rela32.elf, rela64.elf): ordinary
// kernels, not position-independent, linked at a fixed place (rela32 at
// its physical address, rela64 in the top 2 GiB like Linux's vmlinux).
// Their absolute addresses (pointers in .data, immediates in the code)
// are right where they run only when bzelf has applied the table it made
// from their relocation sections: R_386_32 on ELF32; R_X86_64_64 and
// R_X86_64_32S on ELF64, by the virtual offset, as for Linux (the entry
// maps the virtual place onto the physical one itself). Each checks that
//   - every absolute address it holds is the address its code reaches
//     PC-relatively (right wherever it runs);
//   - all of it, bss included, lies inside one E820 RAM entry;
// prints where it runs, and ends QEMU with the verdict (verdict.h).
#include <stddef.h>
#include <stdint.h>

#include "boot-params.h"
#include "moved-kernel.h"
#include "serial.h"
#include "verdict.h"

extern "C" {
// The kernel's first and last byte + 1 (rela.ld.S).
extern char _text[], _end[];
// `physical`: where _text runs physically (rela-entry64.S), 0 for the
// ELF32 kernel, whose physical and virtual addresses are one.
[[noreturn]] void RelaMain(const bzelf::linuxboot::boot_params* bp, uintptr_t physical);
}

namespace bzelf::testkernel {
namespace {

using linuxboot::boot_params;

// Where `symbol` is, reached PC-relatively: right wherever the kernel
// runs, with or without relocations.
#ifdef __x86_64__
#define PC_RELATIVE(symbol)                                              \
  ({                                                                     \
    uintptr_t at_;                                                       \
    asm("leaq %c1(%%rip), %0" : "=r"(at_) : "i"(symbol));                \
    at_;                                                                 \
  })
#else
#define PC_RELATIVE(symbol)                                              \
  ({                                                                     \
    uintptr_t at_;                                                       \
    asm("call 1f\n1:\tpopl %0\n\taddl $%c1-1b, %0" : "=r"(at_) : "i"(symbol)); \
    at_;                                                                 \
  })
#endif

// An absolute address as an immediate in the code (R_X86_64_32S on
// ELF64, R_386_32 on ELF32): the instruction's bytes hold it.
#define IMMEDIATE(symbol)                                                \
  ({                                                                     \
    uintptr_t at_;                                                       \
    asm("mov $%c1, %0" : "=r"(at_) : "i"(symbol));                      \
    at_;                                                                 \
  })

// Loaded() as an address, to compare with PC_RELATIVE's.
template <typename T>
uintptr_t LoadedAddress(const T& slot) {
  return reinterpret_cast<uintptr_t>(Loaded(slot));
}

}  // namespace
}  // namespace bzelf::testkernel

extern "C" void RelaMain(const bzelf::linuxboot::boot_params* bp, uintptr_t physical) {
  using namespace bzelf::testkernel;
  SerialInit();
  const uintptr_t start = PC_RELATIVE(_text);
  const uintptr_t end = PC_RELATIVE(_end);
  if (physical == 0) physical = start;
  Print("bzelf-rela: running at ");
  PrintHex(start);
  Print(" (physical ");
  PrintHex(physical);
  Print("), linked at ");
  PrintHex(RELA_LINK_ADDRESS);
  Print(", ");
  PrintHex(end - start);
  Print(" bytes\n");
  Verdict v;
  v.Check(LoadedAddress(pointers.data) == PC_RELATIVE(&data_word), "pointer to .data relocated");
  v.Check(LoadedAddress(pointers.bss) == PC_RELATIVE(&bss_word), "pointer to .bss relocated");
  v.Check(LoadedAddress(pointers.rodata) == PC_RELATIVE(&kRodataText[0]), "pointer to .rodata relocated");
  v.Check(LoadedAddress(pointers.code) == PC_RELATIVE(&CodeMarker), "pointer to code relocated");
  v.Check(LoadedAddress(pointers.self) == PC_RELATIVE(&pointers), "pointer to itself relocated");
  v.Check(LoadedAddress(chain) == PC_RELATIVE(&pointers), "pointer in .rodata relocated");
  v.Check(IMMEDIATE(&data_word) == PC_RELATIVE(&data_word), "address of .data in code relocated");
  v.Check(IMMEDIATE(&CodeMarker) == PC_RELATIVE(&CodeMarker), "address of code in code relocated");
  v.Check(data_word == 0x5a5a && bss_word == 0, ".data and .bss contents");
  v.Check(InOneRamEntry(bp, physical, physical + (end - start)),
          "the whole kernel lies in one E820 RAM entry");
  v.Finish();
}
