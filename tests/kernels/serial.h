// COM1, the 16550 UART at 0x3F8 that every PC and QEMU have: the test
// kernels' only output. 115200 baud 8N1, polled, interrupts off.
#pragma once

#include <stdint.h>

namespace bzelf::testkernel {

void SerialInit();

// Writes text as it is, except that '\n' goes out as "\r\n" so that the
// report reads well on a terminal too (the harness strips the '\r').
void Print(const char* text);
void PrintChar(char c);
// "0x" and at least min_digits lower-case hex digits.
void PrintHex(uint64_t value, int min_digits = 1);
void PrintDec(uint64_t value);

}  // namespace bzelf::testkernel
