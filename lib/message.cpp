#include "message.h"

namespace bzelf {

Message& Message::operator<<(const char* text) {
  while (*text != '\0' && length_ < kCapacity) buffer_[length_++] = *text++;
  buffer_[length_] = '\0';
  return *this;
}

Message& Message::operator<<(Hex hex) {
  uint64_t value = hex.value;
  char text[19];  // "0x", 16 digits, NUL
  char* p = text + sizeof(text) - 1;
  *p = '\0';
  do {
    *--p = "0123456789abcdef"[value & 0xf];
    value >>= 4;
  } while (value != 0);
  *--p = 'x';
  *--p = '0';
  return *this << p;
}

void WritePanicLine(const char* what, const char* detail, void (*put)(char)) {
  WritePanicLineTo(what, detail, put);
}

}  // namespace bzelf
