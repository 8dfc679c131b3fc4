// INT 15h AH=87h, "copy extended memory": the BIOS switches to protected
// mode, copies, and comes back (IBM PC AT Technical Reference, BIOS
// listing; Ralf Brown's interrupt list, INT 15/AH=87h). The setup uses it
// to move part 5 from the low bounce buffer to 1 MiB on the direct-boot
// path (disk.cpp).
//
// Why the BIOS call and not "unreal mode" (our own trip to protected mode
// to load 4 GiB segment limits, then real-mode moves through them): the
// call is the documented interface and works under a V86 monitor, and it
// needs no assumption about segment limits surviving the BIOS: a BIOS
// that switches modes itself (SeaBIOS runs its disk drivers in 32-bit
// mode) comes back with 64 KiB limits, so unreal mode would have to be
// set up again after every INT 13h call. It needs no A20 from us either:
// the BIOS opens the gate for the move (and may close it again, see
// main.cpp). It is slower (a mode switch per call), which does not matter
// next to the disk.
#include "bioscall.h"
#include "direct-boot.h"
#include "segment-descriptor.h"
#include "setup.h"

namespace bzelf::setup {
namespace {

// A byte-granular 16-bit data segment of 64 KiB (limit 0xFFFF, access
// byte 0x93), as the AT's BIOS listing describes the source and
// destination, field by field: the 64-bit encoding costs more code in
// 16-bit mode. The 80286 had 24 address bits; base bits 24-31 go in the
// last byte, which the 80286 BIOS ignored and 386-class BIOSes use
// (SeaBIOS does), so part 5 may reach past 16 MiB.
struct [[gnu::packed]] MoveSegment {
  uint16_t limit = 0xffff;
  uint16_t base_low = 0;
  uint8_t base_mid = 0;
  uint8_t access = x86::kDataReadWrite;
  uint8_t flags_limit_high = 0;
  uint8_t base_high = 0;

  constexpr explicit MoveSegment(uint32_t base)
      : base_low(uint16_t(base)),
        base_mid(uint8_t(base >> 16)),
        base_high(uint8_t(base >> 24)) {}
};
static_assert(__builtin_bit_cast(uint64_t, MoveSegment(0x12345678)) ==
              x86::Descriptor(0x12345678, 0xffff, x86::kDataReadWrite, 0));

// The table es:si points at: six descriptors, of which the caller fills in
// the source and destination; the BIOS uses the others for itself.
struct [[gnu::packed]] BlockMoveTable {
  uint64_t null = 0;
  uint64_t table = 0;   // the BIOS: this table as a data segment
  MoveSegment source;
  MoveSegment destination;
  uint64_t bios_code = 0;   // the BIOS: its code segment
  uint64_t bios_stack = 0;  // the BIOS: its stack segment
};
static_assert(sizeof(BlockMoveTable) == 48);

}  // namespace

uint8_t BlockMove(uint32_t dst, uint32_t src, uint32_t bytes) {
  BlockMoveTable table = {.source = MoveSegment(src),
                          .destination = MoveSegment(dst)};
  biosregs in, out;
  InitRegs(in);  // es = our segment
  in.ah = 0x87;
  in.cx = uint16_t(bytes / 2);  // words; at most 0x8000
  in.si = uint16_t(reinterpret_cast<uintptr_t>(&table));
  intcall(0x15, &in, &out);
  if (out.eflags & kFlagCarry) {
    // AH: 1 = parity error, 2 = exception, 3 = A20 gating failed.
    return out.ah != 0 ? out.ah : 0xff;
  }
  return 0;
}

}  // namespace bzelf::setup
