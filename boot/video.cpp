// The text screen as the BIOS left it, into zero_page.screen_info (what
// Linux's vgacon starts from). No mode switching: vid_mode is "normal".
#include "bioscall.h"
#include "far-memory.h"
#include "setup.h"

namespace bzelf::setup {
namespace {

// BIOS data area (segment 0x40), maintained by EGA and later BIOSes.
constexpr uint16_t kBdaSegment = 0x40;
constexpr uint16_t kBdaRowsMinusOne = 0x84;
constexpr uint16_t kBdaCharHeight = 0x85;

// INT 10h AH=12h BL=10h (EGA information) leaves BL = 10h on a CGA or MDA,
// which do not know the call. AX=1A00h (display combination) returns
// AL = 1Ah on a VGA. vgacon reads the first from orig_video_ega_bx and the
// second from orig_video_isVGA (non-zero: VGA).
void ProbeAdapter(linuxboot::screen_info& si) {
  biosregs in, out;
  InitRegs(in);
  in.ah = 0x12;
  in.bl = 0x10;
  intcall(0x10, &in, &out);
  si.orig_video_ega_bx = out.bx;
  if (out.bl == 0x10) {
    // CGA or MDA: 25 rows, no BDA fields; the MDA (mode 7) has a 14-line
    // character cell, the CGA an 8-line one.
    si.orig_video_lines = 25;
    si.orig_video_points = si.orig_video_mode == 7 ? 14 : 8;
    return;
  }
  si.orig_video_lines =
      uint8_t(FarRead<uint8_t>(kBdaSegment, kBdaRowsMinusOne) + 1);
  si.orig_video_points = FarRead<uint16_t>(kBdaSegment, kBdaCharHeight);

  InitRegs(in);
  in.ax = 0x1a00;
  intcall(0x10, &in, &out);
  si.orig_video_isVGA = out.al == 0x1a ? 1 : 0;
}

}  // namespace

void QueryVideo() {
  auto& si = zero_page.screen_info;
  biosregs in, out;

  // AH=0Fh: AL = mode (bit 7: the "don't clear" flag of the last set),
  // AH = columns, BH = active page.
  InitRegs(in);
  in.ah = 0x0f;
  intcall(0x10, &in, &out);
  si.orig_video_mode = out.al & 0x7f;
  si.orig_video_cols = out.ah;
  si.orig_video_page = out.bh;

  ProbeAdapter(si);

  // AH=03h for that page: DH = row, DL = column.
  InitRegs(in);
  in.ah = 0x03;
  in.bh = si.orig_video_page;
  intcall(0x10, &in, &out);
  si.orig_x = out.dl;
  si.orig_y = out.dh;
}

}  // namespace bzelf::setup
