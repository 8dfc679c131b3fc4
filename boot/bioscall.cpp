// biosregs set-up for intcall (boot/bioscall.S).
#include "bioscall.h"

#include "far-memory.h"

namespace bzelf::setup {

void InitRegs(biosregs& regs) {
  __builtin_memset(&regs, 0, sizeof(regs));
  regs.ds = regs.es = regs.fs = regs.gs = Ds();
  regs.eflags = kFlagCarry;
}

}  // namespace bzelf::setup
