// Output for the decompressor: COM1 and the VGA text screen, used for the
// one-line error before we halt. Nothing is printed on success.
#pragma once

#include <stdint.h>

#include "boot-params.h"
#include "message.h"

namespace bzelf {

// Starts where the real-mode setup left the cursor, if it ran (bp may be
// null: then at the top of the screen).
void ConsoleInit(const linuxboot::boot_params* bp);

// Prints "bzelf note: <what>: <detail>" on COM1 and the screen, and goes
// on: what the stage did differently from what was asked. Not "bzelf: ",
// which only a halt line starts with.
void ConsoleNote(const char* what, const char* detail);
inline void ConsoleNote(const char* what, const Message& detail) {
  ConsoleNote(what, detail.c_str());
}

// Prints "bzelf: <what>: <detail> -- System halted" (lib/message.h's
// WritePanicLine) on COM1 and the screen, and halts forever.
[[noreturn]] void Panic(const char* what, const char* detail);
[[noreturn]] inline void Panic(const char* what, const Message& detail) {
  Panic(what, detail.c_str());
}
[[noreturn]] inline void Panic(const Failure& failure) {
  Panic(failure.what, failure.detail);
}

}  // namespace bzelf
