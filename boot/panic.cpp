// The setup's one way to stop: a clear line on screen and COM1, then halt.
#include <stddef.h>

#include "setup.h"

namespace bzelf::setup {

namespace {

// One line, printed in one piece (see Puts); longer text is cut.
char line[160];

size_t Append(size_t at, const char* s) {
  while (*s != '\0' && at < sizeof(line) - 1) {
    line[at++] = *s++;
  }
  line[at] = '\0';
  return at;
}

}  // namespace

[[noreturn]] void Panic(const char* what, const char* detail) {
  size_t at = Append(0, "\r\nbzelf: ");
  at = Append(at, what);
  at = Append(at, ": ");
  at = Append(at, detail);
  Append(at, " -- System halted\r\n");
  Puts(line);
  for (;;) {
    asm volatile("cli; hlt");
  }
}

}  // namespace bzelf::setup
