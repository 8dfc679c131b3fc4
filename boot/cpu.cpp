// CPU check: the protected-mode stage is i686 code (-march=i686, which
// lets GCC use CMOV), and an ELF64 kernel needs long mode. Say which one is
// missing instead of faulting later. header.S has already stopped anything
// older than an i386.
#include "bioscall.h"
#include "cpuid.h"
#include "elf.h"
#include "setup.h"
#include "x86.h"

namespace bzelf::setup {
namespace {

using x86::kEflagsAc;
using x86::kEflagsId;

// Whether the EFLAGS bits in mask can be flipped; EFLAGS is restored.
bool EflagsWritable(uint32_t mask) {
  uint32_t before, after;
  // Interrupts off across the test: a real-mode interrupt handler returns
  // with a 16-bit IRET, which drops EFLAGS.AC, so an interrupt between the
  // popfl and the pushfl would make a 486 look like a 386. The final popfl
  // restores IF.
  asm volatile(
      "pushfl\n\t"
      "cli\n\t"
      "pushfl\n\t"
      "popl %0\n\t"
      "movl %0, %1\n\t"
      "xorl %2, %1\n\t"
      "pushl %1\n\t"
      "popfl\n\t"
      "pushfl\n\t"
      "popl %1\n\t"
      "popfl"
      : "=&r"(before), "=&r"(after)
      : "ri"(mask));
  return ((before ^ after) & mask) == mask;
}

// AMD asks the OS to tell the BIOS which mode it will run in (INT 15h
// AX=EC00h, BL=2: long mode only) so that the BIOS can tune the CPU for it
// (AMD BKDGs; Linux's set_bios_mode). BIOSes without it just fail.
void TellBiosLongMode() {
  biosregs regs;
  InitRegs(regs);
  regs.ax = 0xec00;
  regs.bx = 2;
  intcall(0x15, &regs, nullptr);
}

}  // namespace

void CheckCpu(uint8_t kernel_class) {
  if (!EflagsWritable(kEflagsAc)) {
    Panic("cpu", "this image needs an i686-class CPU; this is an i386");
  }
  if (!EflagsWritable(kEflagsId) || Cpuid(0).eax < 1) {
    Panic("cpu", "this image needs an i686-class CPU; this one has no CPUID");
  }
  if (!(Cpuid(1).edx & kCpuid1EdxCmov)) {
    Panic("cpu", "this image needs an i686-class CPU; CMOV not found");
  }
  if (kernel_class == elf::ELFCLASS64) {
    if (!HasLongMode()) {
      Panic("cpu",
            "this kernel needs a 64-bit (x86-64) CPU; long mode not found");
    }
    TellBiosLongMode();
  }
}

}  // namespace bzelf::setup
