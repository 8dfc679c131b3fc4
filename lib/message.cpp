#include "message.h"

namespace bzelf {

void Message::Put(char c) {
  if (length_ + 1 < sizeof(buffer_)) buffer_[length_++] = c;
  buffer_[length_] = 0;
}

Message& Message::operator<<(const char* text) {
  while (*text) Put(*text++);
  return *this;
}

Message& Message::operator<<(Hex hex) {
  uint64_t value = hex.value;
  Put('0');
  Put('x');
  int shift = 60;
  while (shift > 0 && ((value >> shift) & 0xf) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) Put("0123456789abcdef"[(value >> shift) & 0xf]);
  return *this;
}

Message& Message::operator<<(Dec dec) {
  uint64_t value = dec.value;
  char digits[21];
  int n = 0;
  do {
    // 64-bit division would pull in libgcc's __udivdi3; divide by 10 in
    // two 32-bit halves instead.
    uint32_t hi = static_cast<uint32_t>(value >> 32);
    uint32_t lo = static_cast<uint32_t>(value);
    uint32_t qhi = hi / 10, rhi = hi % 10;
    uint64_t rest = (static_cast<uint64_t>(rhi) << 32) | lo;
    // rest < 10 * 2^32: split again so each step is a 32-bit division.
    uint32_t mid = static_cast<uint32_t>(rest >> 16);
    uint32_t qmid = mid / 10, rmid = mid % 10;
    uint32_t low = (rmid << 16) | (lo & 0xffff);
    uint32_t qlow = low / 10;
    digits[n++] = static_cast<char>('0' + low % 10);
    value = (static_cast<uint64_t>(qhi) << 32) | (static_cast<uint64_t>(qmid) << 16) | qlow;
  } while (value != 0);
  while (n > 0) Put(digits[--n]);
  return *this;
}

}  // namespace bzelf
