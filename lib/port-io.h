// x86 port I/O, one copy for the real-mode setup (built -m16) and the
// 32-bit stage (-m32). The argument order is Linux's (outb(value, port),
// arch/x86/include/asm/shared/io.h): the value first, then the port.
//
// "Nd" lets the compiler pick the port's form: an 8-bit immediate for
// ports below 0x100 (outb %al, $0x80), else %dx; "a" pins the value to
// %al. Under -m16 the assembler emits the same opcodes (EC, EE, E4, E6
// take no operand-size prefix), so the code is right for both stages.
#pragma once

#include <stdint.h>

namespace bzelf {

inline void Outb(uint8_t value, uint16_t port) {
  asm volatile("outb %0, %1" : : "a"(value), "Nd"(port));
}

inline uint8_t Inb(uint16_t port) {
  uint8_t value;
  asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
  return value;
}

// A write to the POST diagnostic port 0x80 takes about a microsecond on the
// ISA bus and has no other effect: the classic delay between accesses to
// slow legacy devices (PIC, 8042, CMOS).
inline void IoDelay() { Outb(0, 0x80); }

}  // namespace bzelf
