// The real-mode setup's C++ entry: builds the zero page and runs each part
// in turn, in the order of Linux's arch/x86/boot/main.c. Quiet: it prints
// nothing unless it has to stop (Panic).
#include "elf.h"
#include "far-memory.h"
#include "setup.h"

// Patched by `bzelf build` at this symbol; the magic tells a wrong patch
// (or an image not made by the tool) from a real one. C linkage comes from
// its declaration in setup.h.
[[gnu::used]] constinit bzelf::SetupParams bzelf_setup_params = {
    .magic = bzelf::kSetupParamsMagic,
    .kernel_class = 0,
    .isa_needed = 0,
    .reserved = {},
    .stage_entry_offset = 0,
    .checked_size = 0,
    .crc_field_offset = 0,
    .part5_crc = 0,
};

namespace bzelf::setup {

// In the bss, which header.S zeroes before SetupMain runs.
alignas(16) linuxboot::boot_params zero_page;

namespace {

// boot.rst, "The old command-line protocol".
constexpr uint16_t kOldCmdlineMagic = 0xA33F;
// Where protocol 2.01 and older kernels ran their setup, and so where a
// command line outside the moved setup area stays (boot.rst).
constexpr uint32_t kOldSetupSegment = 0x9000;

}  // namespace

void CopyBootParams() {
  // The header as the loader left it: our defaults plus what it filled in.
  __builtin_memcpy(&zero_page.hdr, &hdr, sizeof(hdr));

  // A loader that predates protocol 2.02 gives the command line as an
  // offset at 0x22, with 0xA33F at 0x20. Old kernels moved setup_move_size
  // bytes of their setup to 0x9000:0000, so an offset inside that area
  // travelled with them; we do not move, so it is in our segment, and any
  // other offset is in segment 0x9000.
  if (zero_page.hdr.cmd_line_ptr == 0 && cl_magic == kOldCmdlineMagic) {
    const uint16_t offset = cl_offset;
    const uint32_t seg =
        offset < zero_page.hdr.setup_move_size ? Ds() : kOldSetupSegment;
    zero_page.hdr.cmd_line_ptr = (seg << 4) + offset;
  }
}

}  // namespace bzelf::setup

// Called by header.S on our own stack with the bss zeroed.
extern "C" [[noreturn]] void SetupMain() {
  using namespace bzelf::setup;
  if (bzelf_setup_params.magic != bzelf::kSetupParamsMagic) {
    Panic("setup", "image parameters missing; build the image with bzelf");
  }
  // Fields the boot protocol gives no loader to change (boot.rst marks
  // them "read"; loadflags is "modify", and kexec's real-mode path does
  // clear LOADED_HIGH): different from what we were built with, the image
  // is damaged. A part 5 loaded elsewhere because of damage is caught by
  // VerifyStage below.
  if (hdr.header != bzelf::linuxboot::kHeaderMagic) {
    Panic("setup", "setup header damaged (no HdrS)");
  }
  if (hdr.version != bzelf::linuxboot::kProtocolVersion) {
    Panic("setup", "setup header damaged (protocol version)");
  }
  if (hdr.cmdline_size != bzelf::linuxboot::kCmdlineSize) {
    Panic("setup", "setup header damaged (cmdline_size)");
  }
  CopyBootParams();
  CheckCpu(bzelf_setup_params.kernel_class, bzelf_setup_params.isa_needed);
  DetectMemory();
  // Booted from a disk by the BIOS: we are the loader, part 5 is still on
  // the disk. After DetectMemory, which tells where RAM is; before
  // EnableA20, because the copy to 1 MiB (INT 15h AH=87h) may leave the
  // A20 gate closed: the AT's BIOS closes it on the way out.
  if (bootsect_loaded) {
    LoadFromDisk();
  }
  // Before A20 goes on: the block moves that read part 5 may leave it off.
  VerifyStage(zero_page.hdr.code32_start);
  InitKeyboard();
  QueryVideo();
  EnableA20();
  GoProtectedMode();
}
