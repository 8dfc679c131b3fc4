#include "console.h"

#include "port-io.h"
#include "uart-8250.h"

namespace bzelf {
namespace {

// Colour text mode, 80x25, attribute 0x07 (light grey on black).
volatile uint16_t* const kVgaText = reinterpret_cast<uint16_t*>(0xb8000);
constexpr int kCols = 80, kRows = 25;

// The cursor is kept where the BIOS keeps it, in the CRT controller's
// Cursor Location registers (index 0x0E high, 0x0F low, through ports
// 0x3D4/0x3D5), not in a variable: startup_64's C++ is part of the PE
// header's .text section, which firmware may map read-only (W^X, the
// image is NX_COMPAT), so the console writes no memory of the image. With
// no VGA the registers read as 0xFF: a position past the screen, taken
// as the top left.
constexpr uint16_t kCrtcIndex = 0x3d4, kCrtcData = 0x3d5;
constexpr uint8_t kCursorHigh = 0x0e, kCursorLow = 0x0f;

int ReadCursor() {
  Outb(kCursorHigh, kCrtcIndex);
  const int high = Inb(kCrtcData);
  Outb(kCursorLow, kCrtcIndex);
  const int at = high << 8 | Inb(kCrtcData);
  return at < kRows * kCols ? at : 0;
}

void WriteCursor(int at) {
  Outb(kCursorHigh, kCrtcIndex);
  Outb(static_cast<uint8_t>(at >> 8), kCrtcData);
  Outb(kCursorLow, kCrtcIndex);
  Outb(static_cast<uint8_t>(at), kCrtcData);
}

void VgaScroll() {
  for (int i = 0; i < (kRows - 1) * kCols; ++i) kVgaText[i] = kVgaText[i + kCols];
  for (int i = 0; i < kCols; ++i) kVgaText[(kRows - 1) * kCols + i] = 0x0720;
}

void VgaPut(char c) {
  const int at = ReadCursor();
  int row = at / kCols, col = at % kCols;
  if (c == '\r') {
    col = 0;
  } else if (c == '\n') {
    col = 0;
    ++row;
  } else {
    kVgaText[row * kCols + col] = static_cast<uint16_t>(0x0700 | static_cast<uint8_t>(c));
    if (++col == kCols) {
      col = 0;
      ++row;
    }
  }
  if (row == kRows) {
    VgaScroll();
    row = kRows - 1;
  }
  WriteCursor(row * kCols + col);
}

}  // namespace

void ConsoleInit(const linuxboot::boot_params* bp) {
  uart::Init();
  if (bp == nullptr) return;
  const auto& si = bp->screen_info;
  // Only trust the cursor if the real-mode setup (or a loader) filled in an
  // 80x25 text mode; otherwise go on from where the hardware's is.
  if (si.orig_video_cols == kCols && si.orig_video_lines == kRows &&
      si.orig_y < kRows && si.orig_x < kCols) {
    WriteCursor(si.orig_y * kCols + si.orig_x);
  }
}

void ConsoleNote(const char* what, const char* detail) {
  WriteNoteLineTo(what, detail, [](char c) {
    uart::Putc(c);
    VgaPut(c);
  });
}

[[noreturn]] void Panic(const char* what, const char* detail) {
  WritePanicLine(what, detail, [](char c) {
    uart::Putc(c);
    VgaPut(c);
  });
  for (;;) asm volatile("cli; hlt");
}

}  // namespace bzelf
