// memcpy and memset: with -ffreestanding GCC still emits calls to them for
// struct copies and large zero-fills, so the setup links its own.
#include <stddef.h>

extern "C" void* memcpy(void* dst, const void* src, size_t n) {
  void* d = dst;
  asm volatile("rep movsb"
               : "+D"(d), "+S"(src), "+c"(n)
               :
               : "memory");
  return dst;
}

extern "C" void* memset(void* dst, int c, size_t n) {
  void* d = dst;
  asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
  return dst;
}
