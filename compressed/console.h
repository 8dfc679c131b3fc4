// Output for the decompressor: COM1 and the VGA text screen, used for the
// one-line error before we halt. Nothing is printed on success.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "boot-params.h"

namespace bzelf {

// Starts where the real-mode setup left the cursor, if it ran (bp may be
// null: then at the top of the screen).
void ConsoleInit(const linuxboot::boot_params* bp);
void ConsoleWrite(const char* text);

struct Hex {
  uint64_t value;  // printed 0x-prefixed
};
struct Dec {
  uint64_t value;
};

// A bounded line buffer with the few formats a panic message needs:
//   Message() << "segment " << Dec{i} << " at " << Hex{addr}
class Message {
 public:
  Message& operator<<(const char* text);
  Message& operator<<(Hex hex);
  Message& operator<<(Dec dec);
  const char* c_str() const { return buffer_; }

 private:
  void Put(char c);

  char buffer_[192] = {};
  size_t length_ = 0;
};

// Prints "bzelf: <what>: <detail> -- System halted" and halts forever.
[[noreturn]] void Panic(const char* what, const char* detail);
[[noreturn]] inline void Panic(const char* what, const Message& detail) {
  Panic(what, detail.c_str());
}

}  // namespace bzelf
