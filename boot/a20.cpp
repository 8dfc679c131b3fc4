// The A20 gate: with it off, address bit 20 is forced to zero and memory
// above 1 MiB aliases the first megabyte; the protected-mode stage lives at
// 1 MiB. Tried in order of safety, each verified by the wrap-around test:
// already on, the BIOS (INT 15h AX=2401h), the keyboard controller, then
// the "fast A20" bit of system control port 0x92. The way that worked is
// said on the emulators' debug console (debugcon.cpp).
#include "bioscall.h"
#include "far-memory.h"
#include "port-io.h"
#include "setup.h"

namespace bzelf::setup {
namespace {

// Enough to see the gate settle after a method: the 8042 path can take a
// while on real hardware; each loop costs at least one I/O delay.
constexpr int kTestLoopsShort = 32;
constexpr int kTestLoopsLong = 1 << 16;

// Writes to 0000:0200 (interrupt vector 0x80, unused by the BIOS and put
// back afterwards) and reads FFFF:0210, which is the same byte when A20 is
// off (0x100200 wraps to 0x200) and one megabyte higher when it is on.
// Changing the value each round rules out a coincidence at 0x100200.
bool A20IsOn(int loops) {
  constexpr uint16_t kLowSeg = 0x0000, kLowOff = 0x0200;
  constexpr uint16_t kHighSeg = 0xffff, kHighOff = 0x0210;
  const uint32_t saved = FarRead<uint32_t>(kLowSeg, kLowOff);
  uint32_t probe = saved;
  bool on = false;
  while (loops-- > 0) {
    FarWrite<uint32_t>(kLowSeg, kLowOff, ++probe);
    IoDelay();
    if (FarRead<uint32_t>(kHighSeg, kHighOff) != probe) {
      on = true;
      break;
    }
  }
  FarWrite<uint32_t>(kLowSeg, kLowOff, saved);
  return on;
}

void A20ByBios() {
  biosregs regs;
  InitRegs(regs);
  regs.ax = 0x2401;
  intcall(0x15, &regs, nullptr);
}

// The 8042 keyboard controller: status port 0x64 (bit 0 = output buffer
// full, bit 1 = input buffer full), data port 0x60.
constexpr uint16_t kKbcData = 0x60;
constexpr uint16_t kKbcStatus = 0x64;
constexpr uint8_t kKbcOutputFull = 1 << 0;
constexpr uint8_t kKbcInputFull = 1 << 1;
constexpr int kKbcSpins = 100000;  // about 0.1 s of I/O delays

// Waits until the controller can take a byte, draining any byte it has for
// us. False after the timeout: no controller (a missing one reads 0xFF,
// "input full" for ever) or a stuck one.
bool KbcWaitReady() {
  for (int i = 0; i < kKbcSpins; ++i) {
    IoDelay();
    const uint8_t status = Inb(kKbcStatus);
    if (status == 0xff) {
      continue;
    }
    if (status & kKbcOutputFull) {
      IoDelay();
      Inb(kKbcData);
    } else if (!(status & kKbcInputFull)) {
      return true;
    }
  }
  return false;
}

void A20ByKbc() {
  if (!KbcWaitReady()) {
    return;
  }
  Outb(0xd1, kKbcStatus);  // next data byte goes to the output port
  if (!KbcWaitReady()) {
    return;
  }
  Outb(0xdf, kKbcData);  // output port: A20 on, CPU reset line inactive
  KbcWaitReady();
  // A null command: USB keyboard controller emulation (UHCI legacy
  // support) is known to need one before it acts on the output port
  // write (Linux, a20.c).
  Outb(0xff, kKbcStatus);
  KbcWaitReady();
}

void A20ByPort92() {
  constexpr uint16_t kSystemControlA = 0x92;
  constexpr uint8_t kFastA20 = 1 << 1;
  constexpr uint8_t kFastReset = 1 << 0;  // writing 1 resets the CPU
  uint8_t value = Inb(kSystemControlA);
  value |= kFastA20;
  value &= uint8_t(~kFastReset);
  Outb(value, kSystemControlA);
}

// Opens the gate, the safest way first; says how, or nullptr when no way
// worked.
const char* OpenA20() {
  if (A20IsOn(kTestLoopsShort)) {
    return "already on";
  }
  A20ByBios();
  if (A20IsOn(kTestLoopsShort)) {
    return "on by INT 15h AX=2401h";
  }
  // An ISA PC's BIOS has no AH=24h services, and the 8042 is its only gate.
  A20ByKbc();
  if (A20IsOn(kTestLoopsLong)) {
    return "on by the keyboard controller";
  }
  // Tried last: on a machine without the port its bit may be something
  // else, and a PC whose 8042 gates A20 never gets here.
  A20ByPort92();
  if (A20IsOn(kTestLoopsShort)) {
    return "on by port 0x92";
  }
  return nullptr;
}

}  // namespace

void EnableA20() {
  const char* how = OpenA20();
  if (how == nullptr) {
    Panic("a20", "unable to enable the A20 gate");
  }
  // Which way worked on this machine, for tests/a20 and tests/bochs.
  DebugConsolePrint("bzelf-setup: a20: ");
  DebugConsolePrint(how);
  DebugConsolePrint("\n");
}

}  // namespace bzelf::setup
