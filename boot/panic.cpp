// The setup's one way to stop: a clear line on screen and COM1, then halt.
#include <stddef.h>

#include "setup.h"

namespace bzelf::setup {

namespace {

// One line, printed in one piece (see Puts); a detail too long for it is
// cut, never the closing words.
char line[200];
constexpr char kHalted[] = " -- System halted\r\n";

size_t Append(size_t at, const char* s, size_t limit = sizeof(line) - 1) {
  while (*s != '\0' && at < limit) {
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
  at = Append(at, detail, sizeof(line) - sizeof(kHalted));
  Append(at, kHalted);
  Puts(line);
  for (;;) {
    asm volatile("cli; hlt");
  }
}

}  // namespace bzelf::setup
