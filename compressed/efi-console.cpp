#include "efi-console.h"

#include "uart-8250.h"

namespace bzelf {
namespace {

// Gathers ASCII into a UCS-2 line for OutputString: one firmware call per
// line, not per character.
class Line {
 public:
  // The panic line at its longest: two texts of Message::kCapacity and
  // the fixed words.
  static constexpr size_t kCapacity = 2 * Message::kCapacity + 64;

  void Put(char c) {
    if (length_ < kCapacity) text_[length_++] = static_cast<uint8_t>(c);
    text_[length_] = 0;
  }
  const efi::CHAR16* c_str() const { return text_; }

 private:
  efi::CHAR16 text_[kCapacity + 1] = {};
  size_t length_ = 0;
};

}  // namespace

void EfiConsole::Info(const char* text) const {
  Line line;
  for (const char* p = "bzelf: EFI stub: "; *p; ++p) line.Put(*p);
  for (; *text; ++text) line.Put(*text);
  line.Put('\r');
  line.Put('\n');
  if (con_out_ != nullptr) con_out_->OutputString(con_out_, line.c_str());
}

// Notes, like Info lines, go to ConOut alone: boot services still own the
// consoles, and the firmware copies ConOut to its serial console where it
// has one (OVMF does), so writing COM1 as well would print each line
// twice there. Only Halt, the last word, writes COM1 itself.
void EfiConsole::Note(const char* what, const char* detail) const {
  Line line;
  WriteNoteLineTo(what, detail, [&](char c) { line.Put(c); });
  if (con_out_ != nullptr) con_out_->OutputString(con_out_, line.c_str());
}

[[noreturn]] void EfiConsole::Halt(const Failure& failure) const {
  Line line;
  uart::Init();
  WritePanicLineTo(failure.what, failure.detail.c_str(), [&](char c) {
    line.Put(c);
    uart::Putc(c);
  });
  if (con_out_ != nullptr) con_out_->OutputString(con_out_, line.c_str());
  for (;;) asm volatile("cli; hlt");
}

}  // namespace bzelf
