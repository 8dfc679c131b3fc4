// The emulators' debug console: a byte written to port 0xE9 comes out on
// the host (Bochs's "port E9 hack"; QEMU's isa-debugcon, whose default
// port it is). The setup says there what only a test can want to know,
// such as which way the A20 gate opened (a20.cpp), and nothing on the
// screen or COM1, which belong to the kernel.
//
// Both answer a read of the port with 0xE9 (QEMU's "readback" default);
// on a PC a port with nothing behind it reads 0xFF. The setup writes
// only after reading 0xE9 there, so that a machine with some other device
// at 0xE9 never sees the bytes.
#include "port-io.h"
#include "setup.h"

namespace bzelf::setup {
namespace {

constexpr uint16_t kDebugConsolePort = 0xe9;

}  // namespace

void DebugConsolePrint(const char* text) {
  if (Inb(kDebugConsolePort) != kDebugConsolePort) {
    return;
  }
  while (*text != '\0') {
    Outb(uint8_t(*text++), kDebugConsolePort);
  }
}

}  // namespace bzelf::setup
