// Console output for the panic path: COM1 (lib/uart-8250.h) and the BIOS
// teletype (INT 10h AH=0Eh).
#include "bioscall.h"
#include "setup.h"
#include "uart-8250.h"

namespace bzelf::setup {
namespace {

bool serial_ready = false;

}  // namespace

void SerialPutc(char c) {
  if (!serial_ready) {
    uart::Init();
    serial_ready = true;
  }
  uart::Putc(c);
}

void BiosPutc(char c) {
  biosregs regs;
  InitRegs(regs);
  regs.ah = 0x0e;
  regs.al = uint8_t(c);
  regs.bx = 0x0007;  // page 0, light grey (used in graphics modes)
  intcall(0x10, &regs, nullptr);
}

}  // namespace bzelf::setup
