// INT 15h AX=E801h, the memory size a BIOS without E820 may still give:
// what the real-mode setup makes of its answer (boot/e820.cpp), one rule
// that the host tests reach.
#pragma once

#include <stdint.h>

namespace bzelf {

// The registers of an E801h call that returned with CF clear. Two pairs
// answer, each as a count of KiB between 1 MiB and 16 MiB (at most
// 15 MiB) and a count of 64 KiB blocks above 16 MiB: AX/BX and CX/DX
// (Ralf Brown's interrupt list, INT 15/AX=E801h, names them "extended"
// and "configured" memory).
struct E801Answer {
  uint16_t ax, bx, cx, dx;
};

// The answer as boot_params.alt_mem_k, the KiB of memory from 1 MiB up
// (zero-page.rst, which boot.rst points to for the zero page's fields,
// calls it the "alternative mem check"), by the rule of Linux's own setup
// (arch/x86/boot/memory.c, detect_memory_e801). False when the answer is
// nonsense, and the setup then leaves alt_mem_k as it was.
//  - BIOSes disagree on which pair they fill: some return zeros in AX/BX
//    and the sizes in CX/DX (the interrupt list says to use CX/DX then),
//    others fill only AX/BX. Linux takes CX/DX as soon as either of them
//    is non-zero, and AX/BX only when both are zero, so a BIOS that fills
//    both pairs is read from CX/DX, and one that fills only AX/BX still
//    gets its answer taken.
//  - A first count above 15 MiB cannot be (1 MiB to 16 MiB holds only
//    15): nonsense.
//  - The blocks above 16 MiB follow on only when the first count is the
//    whole 15 MiB. Less means a hole below 16 MiB, and alt_mem_k, one
//    contiguous size from 1 MiB, stops at it: the RAM above 16 MiB is
//    left out rather than counted across the hole (Linux's comment leaves
//    such a machine to an E820 map made up for it).
//  - All four zero is an answer: no memory above 1 MiB, alt_mem_k 0.
// The largest answer, 15 MiB and 0xffff blocks, is 4209600 KiB: past
// what 16 bits hold, so the sum is taken in 32.
inline bool E801AltMemK(const E801Answer& answer, uint32_t* alt_mem_k) {
  constexpr uint32_t k15MiBInK = 15 * 1024;
  uint32_t low_k = answer.ax;
  uint32_t high_blocks = answer.bx;
  if (answer.cx != 0 || answer.dx != 0) {
    low_k = answer.cx;
    high_blocks = answer.dx;
  }
  if (low_k > k15MiBInK) return false;
  *alt_mem_k = low_k == k15MiBInK ? low_k + (high_blocks << 6) : low_k;
  return true;
}

}  // namespace bzelf
