// A bounded line of text with the few formats a boot-time message needs,
// shared by the stages (their one-line halt messages) and the planner,
// whose errors the host tests read as text too:
//   Message() << "segment " << Dec{i} << " at " << Hex{addr}
// Text past the buffer is cut; nothing here allocates or divides 64-bit
// numbers (the 16- and 32-bit builds have no libgcc).
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

class Message {
 public:
  Message& operator<<(const char* text);
  Message& operator<<(Hex hex);
  Message& operator<<(Dec dec);
  const char* c_str() const { return buffer_; }
  size_t size() const { return length_; }

 private:
  void Put(char c);

  char buffer_[192] = {};
  size_t length_ = 0;
};

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
