// The one way the setup calls the BIOS: fill a biosregs, call intcall().
//
// The field order is the order in which intcall (boot/bioscall.S) pops the
// registers: POPAD's fixed order (edi, esi, ebp, esp, ebx, edx, ecx, eax),
// then gs, fs, es, ds and eflags. The asserts below pin it.
#pragma once

// The size of struct biosregs, for the assembly side.
#define BIOSREGS_SIZE 44

#ifndef __ASSEMBLER__

#include <stddef.h>
#include <stdint.h>

namespace bzelf::setup {

struct biosregs {
  union { uint32_t edi; uint16_t di; };
  union { uint32_t esi; uint16_t si; };
  union { uint32_t ebp; uint16_t bp; };
  uint32_t esp_ignored;  // POPAD skips it
  union { uint32_t ebx; uint16_t bx; struct { uint8_t bl, bh; }; };
  union { uint32_t edx; uint16_t dx; struct { uint8_t dl, dh; }; };
  union { uint32_t ecx; uint16_t cx; struct { uint8_t cl, ch; }; };
  union { uint32_t eax; uint16_t ax; struct { uint8_t al, ah; }; };
  uint16_t gs;
  uint16_t fs;
  uint16_t es;
  uint16_t ds;
  uint32_t eflags;
};

static_assert(sizeof(biosregs) == BIOSREGS_SIZE);
static_assert(BIOSREGS_SIZE % 4 == 0);  // intcall copies it in dwords
static_assert(offsetof(biosregs, edi) == 0);
static_assert(offsetof(biosregs, eax) == 28);
static_assert(offsetof(biosregs, gs) == 32);
static_assert(offsetof(biosregs, ds) == 38);
static_assert(offsetof(biosregs, eflags) == 40);

inline constexpr uint32_t kFlagCarry = 1u << 0;

// Zeroes every register and points ds, es, fs and gs at our segment. CF is
// set on entry, so that a BIOS without the function, whose handler just
// returns with the flags it was called with, reads as a failure.
void InitRegs(biosregs& regs);

}  // namespace bzelf::setup

// boot/bioscall.S: executes INT int_no with the registers of *in and stores
// the registers the BIOS returned in *out (if out is not null). Keeps our
// segment registers, stack and callee-saved registers.
extern "C" void intcall(uint8_t int_no, const bzelf::setup::biosregs* in,
                        bzelf::setup::biosregs* out);

#endif  // __ASSEMBLER__
