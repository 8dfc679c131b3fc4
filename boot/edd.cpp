// INT 13h extensions (EDD): sector reads by LBA, which is how the setup
// loads part 5 when a BIOS booted the image directly (disk.cpp). The boot
// sector has already checked that the extensions are there (AH=41h).
#include "bioscall.h"
#include "direct-boot.h"
#include "setup.h"

namespace bzelf::setup {
namespace {

// The packet of AH=42h, "extended read" (Phoenix "BIOS Enhanced Disk
// Drive Specification" 1.1; Ralf Brown's interrupt list, INT 13/AH=42h).
struct [[gnu::packed]] DiskAddressPacket {
  uint8_t size;      // of this packet: 0x10
  uint8_t reserved;  // 0
  uint16_t sectors;  // in: to read (EDD 1.1: at most 127); out: read
  uint16_t offset;   // the buffer, as segment:offset
  uint16_t segment;
  uint64_t lba;
};
static_assert(sizeof(DiskAddressPacket) == 16);

// A failed read is retried after a disk reset (AH=00h): the cure for a
// drive that was not ready yet, which BIOS documentation has asked for
// since the PC's floppy drives (a read may fail while the motor spins up).
constexpr int kTries = 3;

void ResetDisk(uint8_t drive) {
  biosregs regs;
  InitRegs(regs);
  regs.ah = 0x00;
  regs.dl = drive;
  intcall(0x13, &regs, nullptr);
}

}  // namespace

uint8_t EddRead(uint8_t drive, uint32_t lba, uint16_t sectors, uint16_t seg) {
  // In our segment (ds = ss), where ds:si can point at it.
  DiskAddressPacket packet;
  uint8_t status = 0;
  for (int i = 0; i < kTries; ++i) {
    // Filled in again for every try: the BIOS writes the count of sectors
    // it did read back into the packet.
    packet = {sizeof(packet), 0, sectors, 0, seg, lba};
    biosregs in, out;
    InitRegs(in);
    in.ah = 0x42;
    in.dl = drive;
    in.si = uint16_t(reinterpret_cast<uintptr_t>(&packet));
    intcall(0x13, &in, &out);
    if (!(out.eflags & kFlagCarry)) {
      return 0;
    }
    // CF set with AH = 0 is still a failure; report it as "unknown".
    status = out.ah != 0 ? out.ah : 0xff;
    ResetDisk(drive);
  }
  return status;
}

}  // namespace bzelf::setup
