// The EFI stub's output before ExitBootServices: the firmware's ConOut
// (which OVMF and most firmware also mirror on the serial port) and COM1.
#pragma once

#include "efi.h"
#include "message.h"

namespace bzelf {

class EfiConsole {
 public:
  explicit EfiConsole(efi::EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL* con_out) : con_out_(con_out) {}

  // One line of ASCII on ConOut only: what the stub did (the one trace
  // that it ran, as Linux's stub prints "EFI stub: ..." lines).
  void Info(const char* text) const;

  // "bzelf note: <what>: <detail>" on ConOut (lib/message.h's
  // WriteNoteLineTo): what the stub did differently from what it was
  // asked, or could not do, and went on.
  void Note(const char* what, const char* detail) const;
  void Note(const char* what, const Message& detail) const { Note(what, detail.c_str()); }

  // "bzelf: <what>: <detail> -- System halted" on ConOut and COM1, then
  // halts: no way back to a firmware that has to boot something else is
  // better than a half-made boot_params.
  [[noreturn]] void Halt(const Failure& failure) const;
  [[noreturn]] void Halt(const char* what, const Message& detail) const {
    Halt(Fail(what, detail));
  }

 private:
  efi::EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL* con_out_;
};

}  // namespace bzelf
