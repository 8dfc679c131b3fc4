// The text of an error at boot: a bounded line buffer with the few formats
// a panic message needs, and the one line both stages print before they
// halt (STYLE.md, "Errors in tiers"). Built into the setup (-m16), the
// stage and the host's unit tests; no heap, no 64-bit division (so no
// libgcc in the 16- and 32-bit builds).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace bzelf {

struct Hex {
  uint64_t value;  // printed 0x-prefixed, lower case, no leading zeros
};
struct Dec {
  uint64_t value;
};

//   Message() << "segment " << Dec{i} << " at " << Hex{addr}
// Text beyond the capacity is dropped; the buffer always ends in a NUL.
class Message {
 public:
  // Characters, NUL not counted: over twice the longest detail the stages
  // write (about 130: a segment, two ranges and a name).
  static constexpr size_t kCapacity = 255;

  // The buffer is not zeroed as a whole: the NUL follows the text.
  Message() { buffer_[0] = '\0'; }

  Message& operator<<(const char* text);
  Message& operator<<(Hex hex);
  Message& operator<<(Dec dec);  // lib/message-dec.cpp

  const char* c_str() const { return buffer_; }
  size_t size() const { return length_; }

 private:
  char buffer_[kCapacity + 1];
  size_t length_ = 0;
};

// Writes "\r\nbzelf: <what>: <detail> -- System halted\r\n", the line
// each stage's Panic prints before it halts, to `put` a character at a
// time: no buffer, so no stack for one in the 16-bit setup, and a stage
// with two outputs may write it twice. CR LF, as a serial terminal and the
// BIOS teletype want them. A <what> or <detail> longer than
// Message::kCapacity characters is cut there, never the closing words.
void WritePanicLine(const char* what, const char* detail, void (*put)(char));

// The same line to any callable `put(char)`, for an output that needs
// state (the EFI stub's, which gathers a line for ConOut).
template <typename Put>
void WritePanicLineTo(const char* what, const char* detail, Put&& put) {
  auto write = [&](const char* text) {
    for (size_t n = 0; n < Message::kCapacity && text[n] != '\0'; ++n) put(text[n]);
  };
  write("\r\nbzelf: ");
  write(what);
  write(": ");
  write(detail);
  write(" -- System halted\r\n");
}

// Writes "bzelf note: <what>: <detail>\r\n" to `put`: what a stage did
// differently from what it was asked, and went on. Not "bzelf: ", which
// only a halt line starts with; cut as WritePanicLineTo cuts.
template <typename Put>
void WriteNoteLineTo(const char* what, const char* detail, Put&& put) {
  auto write = [&](const char* text) {
    for (size_t n = 0; n < Message::kCapacity && text[n] != '\0'; ++n) put(text[n]);
  };
  write("bzelf note: ");
  write(what);
  write(": ");
  write(detail);
  write("\r\n");
}

// An error on its way to a stage's halt line, "bzelf: <what>: <detail>
// -- System halted": what the stages' parts return and only their
// top-level mains print.
struct Failure {
  const char* what = nullptr;  // nullptr: no failure
  Message detail;

  explicit operator bool() const { return what != nullptr; }
};

inline Failure Fail(const char* what, const char* detail) {
  Failure f;
  f.what = what;
  f.detail << detail;
  return f;
}
inline Failure Fail(const char* what, const Message& detail) {
  return Fail(what, detail.c_str());
}

}  // namespace bzelf
