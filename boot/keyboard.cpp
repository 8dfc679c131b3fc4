// The keyboard, through INT 16h: the shift/lock state into kbd_status (the
// kernel's keyboard driver starts from it), and the fastest typematic rate.
#include "bioscall.h"
#include "setup.h"

namespace bzelf::setup {

void InitKeyboard() {
  biosregs in, out;

  InitRegs(in);
  in.ah = 0x02;  // AL = shift flags
  intcall(0x16, &in, &out);
  zero_page.kbd_status = out.al;

  // AX=0305h: BH = delay (0: 250 ms), BL = rate (0: 30 characters/s).
  InitRegs(in);
  in.ax = 0x0305;
  intcall(0x16, &in, nullptr);
}

}  // namespace bzelf::setup
