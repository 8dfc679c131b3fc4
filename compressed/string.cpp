// The four memory functions GCC may emit calls to even in freestanding
// code. String instructions: on current CPUs `rep movsb`/`rep stosb` are
// the fast way to copy and fill (ERMSB), and they are small.
#include <stddef.h>
#include <stdint.h>

extern "C" {

void* memcpy(void* dest, const void* src, size_t n) {
  void* d = dest;
  asm volatile("rep movsb" : "+D"(d), "+S"(src), "+c"(n) : : "memory");
  return dest;
}

void* memmove(void* dest, const void* src, size_t n) {
  if (reinterpret_cast<uintptr_t>(dest) - reinterpret_cast<uintptr_t>(src) >= n) {
    return memcpy(dest, src, n);  // no harmful overlap: forward copy
  }
  // Destination overlaps the source from above: copy backwards.
  void* d = static_cast<char*>(dest) + n - 1;
  const void* s = static_cast<const char*>(src) + n - 1;
  asm volatile("std; rep movsb; cld" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
  return dest;
}

void* memset(void* dest, int c, size_t n) {
  void* d = dest;
  asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
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
