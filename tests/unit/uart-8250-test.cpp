// The UART code of both stages against a stand-in for the ports: what Init
// writes where, and that Putc gives up on a transmitter that never empties.

#include "uart-8250.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <utility>
#include <vector>

namespace bzelf::uart {
namespace {

struct FakeIo {
  uint8_t line_status = 0;
  int reads = 0;
  std::vector<std::pair<uint16_t, uint8_t>> writes;  // port, value

  uint8_t In(uint16_t port) {
    EXPECT_EQ(port, kCom1 + 5);  // LSR is all that is read
    ++reads;
    return line_status;
  }
  void Out(uint8_t value, uint16_t port) { writes.emplace_back(port, value); }
};

TEST(Uart8250, InitProgramsCom1For115200Baud8N1) {
  FakeIo io;
  Init(io, kCom1);
  // PC16550D: LCR at +3 with DLAB (bit 7) opens the divisor latch at +0/+1;
  // 1.8432 MHz / (16 * 115200) = 1.
  const std::vector<std::pair<uint16_t, uint8_t>> expected = {
      {0x3f9, 0x00},  // IER: no interrupts
      {0x3fb, 0x80},  // LCR: DLAB
      {0x3f8, 0x01},  // DLL
      {0x3f9, 0x00},  // DLM
      {0x3fb, 0x03},  // LCR: 8N1, DLAB off
      {0x3fa, 0x07},  // FCR: FIFOs on and cleared
      {0x3fc, 0x03},  // MCR: DTR, RTS
  };
  EXPECT_EQ(io.writes, expected);
  EXPECT_EQ(io.reads, 0);
}

TEST(Uart8250, PutcSendsOnceTheTransmitterIsEmpty) {
  FakeIo io;
  io.line_status = 0x60;  // THRE and TEMT
  Putc(io, kCom1, 'x');
  EXPECT_EQ(io.reads, 1);
  ASSERT_EQ(io.writes.size(), 1u);
  EXPECT_EQ(io.writes[0], std::make_pair(uint16_t{0x3f8}, uint8_t{'x'}));
}

TEST(Uart8250, MissingUartCostsOneRead) {
  FakeIo io;
  io.line_status = 0xff;  // nothing decodes the port: the bus floats high
  Putc(io, kCom1, 'x');
  EXPECT_EQ(io.reads, 1);
  EXPECT_EQ(io.writes.size(), 1u);
}

TEST(Uart8250, StuckTransmitterDoesNotHang) {
  FakeIo io;
  io.line_status = 0x00;  // THRE never comes
  Putc(io, kCom1, 'x');
  EXPECT_EQ(io.reads, kThreSpins);
  EXPECT_EQ(io.writes.size(), 1u);  // sent anyway, then on to the screen
}

}  // namespace
}  // namespace bzelf::uart
