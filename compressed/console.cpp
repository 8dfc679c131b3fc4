#include "console.h"

#include "uart-8250.h"

namespace bzelf {
namespace {

// Colour text mode, 80x25, attribute 0x07 (light grey on black).
volatile uint16_t* const kVgaText = reinterpret_cast<uint16_t*>(0xb8000);
constexpr int kCols = 80, kRows = 25;

// Written at run time, so kept out of the checksummed part of the image.
[[gnu::section(".mutable")]] int row = 0;
[[gnu::section(".mutable")]] int col = 0;

void VgaScroll() {
  for (int i = 0; i < (kRows - 1) * kCols; ++i) kVgaText[i] = kVgaText[i + kCols];
  for (int i = 0; i < kCols; ++i) kVgaText[(kRows - 1) * kCols + i] = 0x0720;
  row = kRows - 1;
}

void VgaPut(char c) {
  if (c == '\r') {
    col = 0;
    return;
  }
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
  uart::Init();
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

void ConsoleNote(const char* what, const char* detail) {
  auto put = [](const char* text) {
    for (; *text != 0; ++text) {
      uart::Putc(*text);
      VgaPut(*text);
    }
  };
  put("bzelf note: ");
  put(what);
  put(": ");
  put(detail);
  put("\r\n");
}

[[noreturn]] void Panic(const char* what, const char* detail) {
  WritePanicLine(what, detail, [](char c) {
    uart::Putc(c);
    VgaPut(c);
  });
  for (;;) asm volatile("cli; hlt");
}

}  // namespace bzelf
