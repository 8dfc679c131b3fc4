// The four memory functions GCC may emit calls to even in freestanding
// code. String instructions, which are small, four bytes a step and then
// the odd bytes: on real CPUs both forms run as fast strings (since the
// P6), and QEMU's TCG runs a `rep` instruction one element per step, so
// the 4-byte forms take a quarter of the steps of the byte forms.
#include <stddef.h>
#include <stdint.h>

extern "C" {

void* memcpy(void* dest, const void* src, size_t n) {
  void* d = dest;
  size_t words = n / 4;
  asm volatile("rep movsl" : "+D"(d), "+S"(src), "+c"(words) : : "memory");
  n %= 4;
  asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
  return dest;
}

void* memmove(void* dest, const void* src, size_t n) {
  if (reinterpret_cast<uintptr_t>(dest) - reinterpret_cast<uintptr_t>(src) >= n) {
    return memcpy(dest, src, n);  // no harmful overlap: forward copy
  }
  // Destination overlaps the source from above: copy backwards, a byte a
  // step.
  void* d = static_cast<char*>(dest) + n - 1;
  const void* s = static_cast<const char*>(src) + n - 1;
  asm volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
  return dest;
}

void* memset(void* dest, int c, size_t n) {
  void* d = dest;
  size_t words = n / 4;
  const uint32_t pattern = static_cast<uint8_t>(c) * 0x01010101u;
  asm volatile("rep stosl" : "+D"(d), "+c"(words) : "a"(pattern) : "memory");
  n %= 4;
  asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(pattern) : "memory");
  return dest;
}

int memcmp(const void* a, const void* b, size_t n) {
  const auto* x = static_cast<const unsigned char*>(a);
  const auto* y = static_cast<const unsigned char*>(b);
  for (size_t i = 0; i < n; ++i) {
    if (x[i] != y[i]) return x[i] < y[i] ? -1 : 1;
  }
  return 0;
}

}  // extern "C"
