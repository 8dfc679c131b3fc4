// Port I/O and the last resort of every test kernel: halting.
#pragma once

#include <stdint.h>

namespace bzelf::testkernel {

inline void Outb(uint16_t port, uint8_t value) {
  asm volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

inline uint8_t Inb(uint16_t port) {
  uint8_t value;
  asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

[[noreturn]] inline void HaltForever() {
  for (;;) {
    asm volatile("cli; hlt");
  }
}

// Hides where a pointer came from, so that the compiler cannot fold a check
// of constant or zero-initialised memory into a compile-time answer: the
// test is what the machine holds at run time, not what the source says.
template <typename T>
T* Launder(T* pointer) {
  asm("" : "+r"(pointer));
  return pointer;
}

}  // namespace bzelf::testkernel
