#include "verdict.h"

#include "io.h"
#include "serial.h"

namespace bzelf::testkernel {

bool Verdict::Check(bool ok, const char* what) {
  Print("bzelf-test: check ");
  Print(what);
  Print(ok ? ": ok\n" : ": FAILED\n");
  if (!ok) {
    if (failures_ == 0) {
      first_failure_ = what;
    }
    ++failures_;
  }
  return ok;
}

void Verdict::Finish() const {
  if (failures_ == 0) {
    Print("bzelf-test: PASS\n");
    Outb(kDebugExitPort, kDebugExitPass);
  } else {
    Print("bzelf-test: FAIL ");
    Print(first_failure_);
    if (failures_ > 1) {
      Print(" (and ");
      PrintDec(failures_ - 1);
      Print(" more)");
    }
    Print("\n");
    Outb(kDebugExitPort, kDebugExitFail);
  }
  HaltForever();
}

}  // namespace bzelf::testkernel
