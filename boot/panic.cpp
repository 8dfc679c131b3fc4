// The setup's one way to stop: a clear line on COM1 and the screen, then
// halt.
#include "message.h"
#include "setup.h"

namespace bzelf::setup {

[[noreturn]] void Panic(const char* what, const char* detail) {
  // The whole line to COM1 first, then to the screen: BIOSes that mirror
  // the teletype to a serial console (SeaBIOS does under QEMU -nographic)
  // would otherwise interleave the two copies character by character.
  WritePanicLine(what, detail, SerialPutc);
  WritePanicLine(what, detail, BiosPutc);
  for (;;) {
    asm volatile("cli; hlt");
  }
}

}  // namespace bzelf::setup
