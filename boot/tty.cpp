// Console output: the BIOS teletype (INT 10h AH=0Eh) and COM1
// (lib/uart-8250.h). Only the panic path prints.
#include "bioscall.h"
#include "setup.h"
#include "uart-8250.h"

namespace bzelf::setup {
namespace {

bool serial_ready = false;

void BiosPutc(char c) {
  biosregs regs;
  InitRegs(regs);
  regs.ah = 0x0e;
  regs.al = uint8_t(c);
  regs.bx = 0x0007;  // page 0, light grey (used in graphics modes)
  intcall(0x10, &regs, nullptr);
}

}  // namespace

// The whole string to COM1 first, then to the screen: BIOSes that mirror
// the teletype to a serial console (SeaBIOS does under QEMU -nographic)
// would otherwise interleave the two copies character by character.
void Puts(const char* s) {
  if (!serial_ready) {
    uart::Init();
    serial_ready = true;
  }
  for (const char* p = s; *p != '\0'; ++p) {
    uart::Putc(*p);
  }
  for (const char* p = s; *p != '\0'; ++p) {
    BiosPutc(*p);
  }
}

}  // namespace bzelf::setup
