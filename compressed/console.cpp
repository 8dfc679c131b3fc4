#include "console.h"

#include "port-io.h"

namespace bzelf {
namespace {

// 8250/16550 UART at COM1's legacy address.
constexpr uint16_t kCom1 = 0x3f8;
constexpr uint16_t kUartData = 0, kUartIer = 1, kUartFcr = 2, kUartLcr = 3,
                   kUartMcr = 4, kUartLsr = 5;
constexpr uint8_t kLsrThrEmpty = 0x20;
// Transmitter polls before we give up on a missing UART: no serial port
// must not turn into a hang.
constexpr int kUartPolls = 100000;

// Colour text mode, 80x25, attribute 0x07 (light grey on black).
volatile uint16_t* const kVgaText = reinterpret_cast<uint16_t*>(0xb8000);
constexpr int kCols = 80, kRows = 25;

// Written at run time, so kept out of the checksummed part of the image.
[[gnu::section(".mutable")]] int row = 0;
[[gnu::section(".mutable")]] int col = 0;

void SerialInit() {
  Outb(0, kCom1 + kUartIer);     // no interrupts
  Outb(0x80, kCom1 + kUartLcr);  // DLAB to set the divisor
  Outb(1, kCom1 + kUartData);    // 115200 baud = 115200 / 1
  Outb(0, kCom1 + kUartIer);
  Outb(0x03, kCom1 + kUartLcr);  // 8N1
  Outb(0x07, kCom1 + kUartFcr);  // FIFOs on and cleared
  Outb(0x03, kCom1 + kUartMcr);  // DTR, RTS
}

void SerialPut(char c) {
  for (int i = 0; i < kUartPolls; ++i) {
    if (Inb(kCom1 + kUartLsr) & kLsrThrEmpty) break;
  }
  Outb(static_cast<uint8_t>(c), kCom1 + kUartData);
}

void VgaScroll() {
  for (int i = 0; i < (kRows - 1) * kCols; ++i) kVgaText[i] = kVgaText[i + kCols];
  for (int i = 0; i < kCols; ++i) kVgaText[(kRows - 1) * kCols + i] = 0x0720;
  row = kRows - 1;
}

void VgaPut(char c) {
  if (c == '\n') {
    col = 0;
    if (++row == kRows) VgaScroll();
    return;
  }
  kVgaText[row * kCols + col] = static_cast<uint16_t>(0x0700 | static_cast<uint8_t>(c));
  if (++col == kCols) {
    col = 0;
    if (++row == kRows) VgaScroll();
  }
}

}  // namespace

void ConsoleInit(const linuxboot::boot_params* bp) {
  SerialInit();
  if (bp == nullptr) return;
  const auto& si = bp->screen_info;
  // Only trust the cursor if the real-mode setup (or a loader) filled in an
  // 80x25 text mode; otherwise start at the top.
  if (si.orig_video_cols == kCols && si.orig_video_lines == kRows &&
      si.orig_y < kRows && si.orig_x < kCols) {
    row = si.orig_y;
    col = si.orig_x;
  }
}

void ConsoleWrite(const char* text) {
  for (; *text; ++text) {
    if (*text == '\n') SerialPut('\r');
    SerialPut(*text);
    VgaPut(*text);
  }
}

[[noreturn]] void Panic(const char* what, const char* detail) {
  ConsoleWrite("\nbzelf: ");
  ConsoleWrite(what);
  ConsoleWrite(": ");
  ConsoleWrite(detail);
  ConsoleWrite(" -- System halted\n");
  for (;;) asm volatile("cli; hlt");
}

}  // namespace bzelf
