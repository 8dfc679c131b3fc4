// Console output: the BIOS teletype (INT 10h AH=0Eh) and COM1, an 8250
// UART programmed directly. Only the panic path prints.
#include "bioscall.h"
#include "port-io.h"
#include "setup.h"

namespace bzelf::setup {
namespace {

constexpr uint16_t kCom1 = 0x3f8;
// 8250 registers, offsets from the base port.
constexpr uint16_t kDivisorLow = 0;   // with LCR.DLAB set
constexpr uint16_t kDivisorHigh = 1;  // with LCR.DLAB set
constexpr uint16_t kTransmit = 0;
constexpr uint16_t kInterruptEnable = 1;
constexpr uint16_t kFifoControl = 2;
constexpr uint16_t kLineControl = 3;
constexpr uint16_t kModemControl = 4;
constexpr uint16_t kLineStatus = 5;
constexpr uint8_t kLcrDlab = 0x80;
constexpr uint8_t kLcr8N1 = 0x03;
constexpr uint8_t kLsrThre = 0x20;  // transmit holding register empty
// 115200 baud = the 1.8432 MHz clock / 16 / 1.
constexpr uint16_t kDivisor115200 = 1;
// A missing UART reads 0xFF (THRE set), so only a broken one needs this.
constexpr int kThreSpins = 100000;

bool serial_ready = false;

void SerialInit() {
  Outb(0, kCom1 + kInterruptEnable);  // polled, no interrupts
  Outb(kLcrDlab, kCom1 + kLineControl);
  Outb(kDivisor115200 & 0xff, kCom1 + kDivisorLow);
  Outb(kDivisor115200 >> 8, kCom1 + kDivisorHigh);
  Outb(kLcr8N1, kCom1 + kLineControl);
  Outb(0x07, kCom1 + kFifoControl);   // enable and clear the FIFOs
  Outb(0x03, kCom1 + kModemControl);  // DTR, RTS
  serial_ready = true;
}

void SerialPutc(char c) {
  for (int i = 0; i < kThreSpins; ++i) {
    if (Inb(kCom1 + kLineStatus) & kLsrThre) {
      break;
    }
  }
  Outb(uint8_t(c), kCom1 + kTransmit);
}

void BiosPutc(char c) {
  biosregs regs;
  InitRegs(regs);
  regs.ah = 0x0e;
  regs.al = uint8_t(c);
  regs.bx = 0x0007;  // page 0, light grey (used in graphics modes)
  intcall(0x10, &regs, nullptr);
}

}  // namespace

// The whole string to COM1 first, then to the screen: BIOSes that mirror
// the teletype to a serial console (SeaBIOS does under QEMU -nographic)
// would otherwise interleave the two copies character by character.
void Puts(const char* s) {
  if (!serial_ready) {
    SerialInit();
  }
  for (const char* p = s; *p != '\0'; ++p) {
    SerialPutc(*p);
  }
  for (const char* p = s; *p != '\0'; ++p) {
    BiosPutc(*p);
  }
}

}  // namespace bzelf::setup
