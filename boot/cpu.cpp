// CPU check: whether this CPU runs the stage and the kernel
// (lib/cpu-check.h has the rule, which the stage applies too, for loaders
// that skip the setup). header.S has already stopped anything older than
// an i386; this code is i386 code, so that it can tell an i386 what is
// missing.
#include "bioscall.h"
#include "cpu-check.h"
#include "cpuid.h"
#include "elf.h"
#include "setup.h"

namespace bzelf::setup {
namespace {

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

void CheckCpu(uint8_t kernel_class, uint32_t isa_needed) {
  const CpuFeatures cpu = ReadCpuFeatures(HardwareCpu{});
  if (Failure f = bzelf::CheckCpu(cpu, kernel_class, isa_needed)) Panic(f.what, f.detail);
  if (kernel_class == elf::ELFCLASS64) TellBiosLongMode();
}

}  // namespace bzelf::setup
