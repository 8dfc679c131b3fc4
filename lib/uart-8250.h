// COM1, the 8250/16550 UART every PC and QEMU have, polled: the serial
// half of the setup's console (boot/tty.cpp) and the stage's
// (compressed/console.cpp). Register names as in National Semiconductor's
// PC16550D data sheet. The setup's early_puts (boot/header.S) is
// 8086 assembly and programs the same registers by the UART_* numbers
// that tools/gen-asm-offsets.cpp prints from here.
#pragma once

#include <stdint.h>

#include "port-io.h"

namespace bzelf::uart {

// COM1's I/O base on the PC/AT.
inline constexpr uint16_t kCom1 = 0x3f8;

// Registers, as offsets from the base port.
inline constexpr uint16_t kTransmit = 0;         // THR (write)
inline constexpr uint16_t kInterruptEnable = 1;  // IER
inline constexpr uint16_t kDivisorLow = 0;       // DLL, with LCR.DLAB set
inline constexpr uint16_t kDivisorHigh = 1;      // DLM, with LCR.DLAB set
inline constexpr uint16_t kFifoControl = 2;      // FCR (write)
inline constexpr uint16_t kLineControl = 3;      // LCR
inline constexpr uint16_t kModemControl = 4;     // MCR
inline constexpr uint16_t kLineStatus = 5;       // LSR

inline constexpr uint8_t kLcrDlab = 0x80;  // divisor latch access
inline constexpr uint8_t kLcr8N1 = 0x03;   // 8 data bits, no parity, 1 stop bit
inline constexpr uint8_t kFcrEnableAndClear = 0x07;  // FIFOs on, both emptied
inline constexpr uint8_t kMcrDtrRts = 0x03;
inline constexpr uint8_t kLsrThre = 0x20;  // transmit holding register empty

// 115200 baud: the 1.8432 MHz clock / 16 / 1.
inline constexpr uint16_t kDivisor115200 = 1;

// LSR reads before Putc sends regardless. A missing UART reads 0xFF (THRE
// set) and costs nothing; a broken one that never shows THRE must not
// hang the boot on its way to a panic line, which also goes to the screen.
inline constexpr int kThreSpins = 100000;

// The ports through lib/port-io.h; host tests pass a stand-in with the
// same two members.
struct PortIo {
  uint8_t In(uint16_t port) { return Inb(port); }
  void Out(uint8_t value, uint16_t port) { Outb(value, port); }
};

// 115200 baud, 8N1, FIFOs on, no interrupts (we poll), DTR and RTS up.
template <class Io>
void Init(Io& io, uint16_t base) {
  io.Out(0, base + kInterruptEnable);
  io.Out(kLcrDlab, base + kLineControl);
  io.Out(kDivisor115200 & 0xff, base + kDivisorLow);
  io.Out(kDivisor115200 >> 8, base + kDivisorHigh);
  io.Out(kLcr8N1, base + kLineControl);
  io.Out(kFcrEnableAndClear, base + kFifoControl);
  io.Out(kMcrDtrRts, base + kModemControl);
}

// One byte, once the transmitter has room (or kThreSpins reads later).
template <class Io>
void Putc(Io& io, uint16_t base, char c) {
  for (int i = 0; i < kThreSpins && (io.In(base + kLineStatus) & kLsrThre) == 0; ++i) {
  }
  io.Out(static_cast<uint8_t>(c), base + kTransmit);
}

inline void Init(uint16_t base = kCom1) {
  PortIo io;
  Init(io, base);
}

inline void Putc(char c, uint16_t base = kCom1) {
  PortIo io;
  Putc(io, base, c);
}

}  // namespace bzelf::uart
