// The setup's one way to stop: a clear line on screen and COM1, then halt.
#include "setup.h"

namespace bzelf::setup {

[[noreturn]] void Panic(const char* what, const char* detail) {
  Puts("\r\nbzelf: ");
  Puts(what);
  Puts(": ");
  Puts(detail);
  Puts(" -- System halted\r\n");
  for (;;) {
    asm volatile("cli; hlt");
  }
}

}  // namespace bzelf::setup
