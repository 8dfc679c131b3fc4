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

void ConsoleWrite(const char* text) {
  for (; *text; ++text) {
    if (*text == '\n') uart::Putc('\r');
    uart::Putc(*text);
    VgaPut(*text);
  }
}

void Message::Put(char c) {
  if (length_ + 1 < sizeof(buffer_)) buffer_[length_++] = c;
  buffer_[length_] = 0;
}

Message& Message::operator<<(const char* text) {
  while (*text) Put(*text++);
  return *this;
}

Message& Message::operator<<(Hex hex) {
  uint64_t value = hex.value;
  Put('0');
  Put('x');
  int shift = 60;
  while (shift > 0 && ((value >> shift) & 0xf) == 0) shift -= 4;
  for (; shift >= 0; shift -= 4) Put("0123456789abcdef"[(value >> shift) & 0xf]);
  return *this;
}

Message& Message::operator<<(Dec dec) {
  uint64_t value = dec.value;
  char digits[21];
  int n = 0;
  do {
    // 64-bit division would pull in libgcc's __udivdi3; divide by 10 in
    // two 32-bit halves instead.
    uint32_t hi = static_cast<uint32_t>(value >> 32);
    uint32_t lo = static_cast<uint32_t>(value);
    uint32_t qhi = hi / 10, rhi = hi % 10;
    uint64_t rest = (static_cast<uint64_t>(rhi) << 32) | lo;
    // rest < 10 * 2^32: split again so each step is a 32-bit division.
    uint32_t mid = static_cast<uint32_t>(rest >> 16);
    uint32_t qmid = mid / 10, rmid = mid % 10;
    uint32_t low = (rmid << 16) | (lo & 0xffff);
    uint32_t qlow = low / 10;
    digits[n++] = static_cast<char>('0' + low % 10);
    value = (static_cast<uint64_t>(qhi) << 32) | (static_cast<uint64_t>(qmid) << 16) | qlow;
  } while (value != 0);
  while (n > 0) Put(digits[--n]);
  return *this;
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
