// COM1 output, polled (16550 register layout; Linux's
// arch/x86/boot/early_serial_console.c programs it the same way).
#include "serial.h"

#include "io.h"

namespace bzelf::testkernel {
namespace {

constexpr uint16_t kCom1 = 0x3f8;

// Register offsets from the base port.
constexpr uint16_t kTransmit = 0;
constexpr uint16_t kInterruptEnable = 1;
constexpr uint16_t kFifoControl = 2;
constexpr uint16_t kLineControl = 3;
constexpr uint16_t kModemControl = 4;
constexpr uint16_t kLineStatus = 5;
// With LineControl.DLAB set, offsets 0 and 1 are the baud divisor.
constexpr uint16_t kDivisorLow = 0;
constexpr uint16_t kDivisorHigh = 1;

constexpr uint8_t kLineControlDlab = 0x80;
constexpr uint8_t kLineControl8N1 = 0x03;
// Enable and clear both FIFOs.
constexpr uint8_t kFifoEnableClear = 0x07;
// DTR and RTS; OUT2 stays off so the UART cannot raise an interrupt.
constexpr uint8_t kModemDtrRts = 0x03;
constexpr uint8_t kLineStatusTransmitEmpty = 0x20;

// The UART divides its 1.8432 MHz clock by 16 and then by the divisor:
// 1843200 / 16 / 115200 = 1.
constexpr uint16_t kDivisor115200 = 1843200 / 16 / 115200;

// A transmit-empty wait that always ends: a machine without a UART must
// still reach the verdict and the isa-debug-exit port.
constexpr int kTransmitSpins = 100000;

void PutRaw(char c) {
  for (int i = 0; i < kTransmitSpins; ++i) {
    if (Inb(kCom1 + kLineStatus) & kLineStatusTransmitEmpty) {
      break;
    }
  }
  Outb(kCom1 + kTransmit, static_cast<uint8_t>(c));
}

}  // namespace

void SerialInit() {
  Outb(kCom1 + kInterruptEnable, 0);
  Outb(kCom1 + kLineControl, kLineControlDlab);
  Outb(kCom1 + kDivisorLow, kDivisor115200 & 0xff);
  Outb(kCom1 + kDivisorHigh, kDivisor115200 >> 8);
  Outb(kCom1 + kLineControl, kLineControl8N1);
  Outb(kCom1 + kFifoControl, kFifoEnableClear);
  Outb(kCom1 + kModemControl, kModemDtrRts);
}

void PrintChar(char c) {
  if (c == '\n') {
    PutRaw('\r');
  }
  PutRaw(c);
}

void Print(const char* text) {
  for (; *text != '\0'; ++text) {
    PrintChar(*text);
  }
}

void PrintHex(uint64_t value, int min_digits) {
  Print("0x");
  bool started = false;
  for (int digit = 15; digit >= 0; --digit) {
    unsigned nibble = (value >> (digit * 4)) & 0xf;
    if (nibble != 0 || digit < min_digits) {
      started = true;
    }
    if (started || digit == 0) {
      PrintChar("0123456789abcdef"[nibble]);
    }
  }
}

// By repeated subtraction of powers of ten: 32-bit code has no 64-bit
// division without libgcc, and these kernels link without it.
void PrintDec(uint64_t value) {
  constexpr int kDigits = 20;  // 2^64 - 1 has 20 decimal digits.
  constexpr auto kPowers = [] {
    struct {
      uint64_t at[kDigits];
    } powers{};
    uint64_t power = 1;
    for (int i = kDigits - 1; i >= 0; --i, power *= 10) {
      powers.at[i] = power;
    }
    return powers;
  }();
  bool started = false;
  for (int i = 0; i < kDigits; ++i) {
    char digit = '0';
    while (value >= kPowers.at[i]) {
      value -= kPowers.at[i];
      ++digit;
    }
    started = started || digit != '0' || i == kDigits - 1;
    if (started) {
      PrintChar(digit);
    }
  }
}

}  // namespace bzelf::testkernel
