// Message's decimal numbers, in a file of their own: the setup, which
// prints none, links lib/message.cpp without them.
#include "message.h"

namespace bzelf {

Message& Message::operator<<(Dec dec) {
  uint64_t value = dec.value;
  char text[21];  // 2^64 - 1 has 20 digits; the NUL
  char* p = text + sizeof(text) - 1;
  *p = '\0';
  do {
    // Long division by 10 over the value's four 16-bit pieces, from the
    // top (x86 is little-endian): every step divides (remainder << 16 |
    // piece) < 10 << 16, a 32-bit division, where a 64-bit one would call
    // libgcc's __udivdi3 in the 16- and 32-bit builds.
    uint16_t pieces[4];
    __builtin_memcpy(pieces, &value, sizeof(pieces));
    uint32_t remainder = 0;
    for (int i = 3; i >= 0; --i) {
      const uint32_t dividend = (remainder << 16) | pieces[i];
      pieces[i] = static_cast<uint16_t>(dividend / 10);
      remainder = dividend % 10;
    }
    __builtin_memcpy(&value, pieces, sizeof(pieces));
    *--p = static_cast<char>('0' + remainder);
  } while (value != 0);
  return *this << p;
}

}  // namespace bzelf
