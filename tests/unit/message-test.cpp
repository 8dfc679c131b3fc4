// The boot stages' message formatter and panic line (lib/message.h): the
// numbers as both stages print them, the capacity, and the line the QEMU
// suites look for.

#include "message.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace bzelf {
namespace {

std::string HexText(uint64_t value) { return (Message() << Hex{value}).c_str(); }
std::string DecText(uint64_t value) { return (Message() << Dec{value}).c_str(); }

TEST(Message, Hex) {
  EXPECT_EQ(HexText(0), "0x0");
  EXPECT_EQ(HexText(0xc), "0xc");
  EXPECT_EQ(HexText(0x100000), "0x100000");
  EXPECT_EQ(HexText(0xffffffffu), "0xffffffff");
  EXPECT_EQ(HexText(0x100000000ull), "0x100000000");
  EXPECT_EQ(HexText(0x1234abcd0000ef00ull), "0x1234abcd0000ef00");
  EXPECT_EQ(HexText(UINT64_MAX), "0xffffffffffffffff");
}

TEST(Message, Dec) {
  EXPECT_EQ(DecText(0), "0");
  EXPECT_EQ(DecText(9), "9");
  EXPECT_EQ(DecText(10), "10");
  EXPECT_EQ(DecText(65536), "65536");
  EXPECT_EQ(DecText(4294967295u), "4294967295");
  EXPECT_EQ(DecText(4294967296ull), "4294967296");
  EXPECT_EQ(DecText(10000000000000000000ull), "10000000000000000000");
  EXPECT_EQ(DecText(UINT64_MAX), "18446744073709551615");
}

TEST(Message, DecMatchesTheLibraryAcrossTheRange) {
  // Values around every power of ten and of two, where a carry between
  // the 16-bit pieces of the division would show.
  for (uint64_t base = 1; base != 0 && base < UINT64_MAX / 10; base *= 10) {
    for (uint64_t v : {base - 1, base, base + 1, base * 7 + 3}) {
      EXPECT_EQ(DecText(v), std::to_string(v));
    }
  }
  for (int bit = 0; bit < 64; ++bit) {
    const uint64_t v = uint64_t{1} << bit;
    EXPECT_EQ(DecText(v - 1), std::to_string(v - 1));
    EXPECT_EQ(DecText(v), std::to_string(v));
    EXPECT_EQ(DecText(v | 0x5555), std::to_string(v | 0x5555));
  }
}

TEST(Message, Chain) {
  Message m;
  EXPECT_STREQ(m.c_str(), "");
  m << "segment " << Dec{3} << " at " << Hex{0x1000000} << "-" << Hex{0x1200000};
  EXPECT_STREQ(m.c_str(), "segment 3 at 0x1000000-0x1200000");
  EXPECT_EQ(m.size(), 32u);
}

TEST(Message, TextBeyondTheCapacityIsDropped) {
  const std::string text(300, 'a');
  Message m;
  m << text.c_str();
  EXPECT_EQ(m.size(), Message::kCapacity);
  EXPECT_EQ(std::string(m.c_str()), text.substr(0, Message::kCapacity));
  m << "more" << Hex{0x1234} << Dec{99};
  EXPECT_EQ(m.size(), Message::kCapacity);
  EXPECT_EQ(std::string(m.c_str()), text.substr(0, Message::kCapacity));
  // A number at the edge is cut like text.
  Message edge;
  edge << std::string(Message::kCapacity - 3, 'b').c_str() << Hex{0xabcdef};
  EXPECT_EQ(std::string(edge.c_str()).substr(Message::kCapacity - 3), "0xa");
}

std::string written;
void Collect(char c) { written += c; }

std::string PanicLineText(const char* what, const char* detail) {
  written.clear();
  WritePanicLine(what, detail, Collect);
  return written;
}

TEST(PanicLine, TheLineTheSuitesLookFor) {
  EXPECT_EQ(PanicLineText("disk", "read error at sector 0x41 (INT 13h status 0xc)"),
            "\r\nbzelf: disk: read error at sector 0x41 (INT 13h status 0xc) -- System halted\r\n");
  EXPECT_EQ(PanicLineText("a20", ""), "\r\nbzelf: a20:  -- System halted\r\n");
}

TEST(PanicLine, TooLongADetailIsCutNotTheClosingWords) {
  const std::string detail(1000, 'x');
  const std::string line = PanicLineText("image", detail.c_str());
  EXPECT_EQ(line, "\r\nbzelf: image: " + std::string(Message::kCapacity, 'x') +
                      " -- System halted\r\n");
  // A full Message as the detail goes out whole.
  Message full;
  full << detail.c_str();
  EXPECT_EQ(PanicLineText("image", full.c_str()), line);
}

TEST(PanicLine, WhatIsBoundedToo) {
  const std::string what(400, 'w');
  EXPECT_EQ(PanicLineText(what.c_str(), "d"),
            "\r\nbzelf: " + std::string(Message::kCapacity, 'w') + ": d -- System halted\r\n");
}

// The note line (the stages' ConsoleNote, the EFI stub's Note): the
// suites match "bzelf note: <what>: " and must never see a halt line's
// "bzelf: " start in it.
TEST(NoteLine, TheLineTheSuitesLookFor) {
  std::string line;
  WriteNoteLineTo("command line", "cut", [&](char c) { line += c; });
  EXPECT_EQ(line, "bzelf note: command line: cut\r\n");
  line.clear();
  const std::string detail(400, 'x');
  WriteNoteLineTo("tpm", detail.c_str(), [&](char c) { line += c; });
  EXPECT_EQ(line, "bzelf note: tpm: " + std::string(Message::kCapacity, 'x') + "\r\n");
}

}  // namespace
}  // namespace bzelf
