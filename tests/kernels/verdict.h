// How a test kernel reports: one line per check, one verdict line, and an
// exit code through QEMU's isa-debug-exit device.
//
//   bzelf-test: check <what>: ok
//   bzelf-test: check <what>: FAILED
//   bzelf-test: PASS                          (or)
//   bzelf-test: FAIL <first failed check> (and N more)
#pragma once

#include <stdint.h>

namespace bzelf::testkernel {

// isa-debug-exit (QEMU's -device isa-debug-exit,iobase=0xf4,iosize=0x04):
// a byte written to the port ends QEMU with status (byte << 1) | 1.
inline constexpr uint16_t kDebugExitPort = 0xf4;
inline constexpr uint8_t kDebugExitPass = 0x10;
inline constexpr uint8_t kDebugExitFail = 0x11;

// build.mk hands its TEST_KERNEL_PASS_STATUS in, so that the Makefile, the
// harness and the kernels cannot disagree on what a pass looks like.
static_assert(((kDebugExitPass << 1) | 1) == TEST_KERNEL_PASS_STATUS);
// tests/qemu/run.sh reads a fail as the pass status plus 2.
static_assert(kDebugExitFail == kDebugExitPass + 1);

class Verdict {
 public:
  // Prints the check's line; remembers the first failure. Returns ok.
  bool Check(bool ok, const char* what);

  // Prints the verdict line and leaves QEMU; halts if there is no
  // isa-debug-exit device.
  [[noreturn]] void Finish() const;

 private:
  const char* first_failure_ = nullptr;
  unsigned failures_ = 0;
};

}  // namespace bzelf::testkernel
