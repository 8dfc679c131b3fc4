// The boot drive through INT 13h, on the direct-boot path: the rest of the
// setup and part 5 (disk.cpp). Hard disks and USB sticks are read by LBA
// (the EDD extensions); floppies, and hard disks whose BIOS predates the
// extensions, by cylinder, head and sector (lib/chs.h).
#include "bioscall.h"
#include "chs.h"
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
// since the PC's floppy drives (a read fails while the motor spins up).
constexpr int kTries = 3;

// EDD 1.1 reads at most 127 sectors per call.
constexpr uint32_t kMaxLbaSectors = 127;

struct BootDisk {
  uint8_t drive;
  bool lba;
  chs::Geometry geometry;
};
// In the bss: set by OpenBootDisk, which LoadSetupRest calls after
// header.S zeroed the bss and before anything else runs.
BootDisk disk;

void ResetDisk() {
  biosregs regs;
  InitRegs(regs);
  regs.ah = 0x00;
  regs.dl = disk.drive;
  intcall(0x13, &regs, nullptr);
}

// One read of at most 127 sectors, none across a track or a 64 KiB
// boundary (the caller's plan), with retries. Returns 0 or AH.
uint8_t ReadOnce(uint32_t lba, const chs::Read* c, uint16_t sectors, uint32_t buffer) {
  DiskAddressPacket packet;
  uint8_t status = 0;
  for (int i = 0; i < kTries; ++i) {
    biosregs in, out;
    InitRegs(in);
    in.dl = disk.drive;
    in.es = uint16_t(buffer >> 4);
    if (c == nullptr) {
      // Filled in again for every try: the BIOS writes the count of
      // sectors it did read back into the packet. In our segment (ds =
      // ss), where ds:si can point at it.
      packet = {sizeof(packet), 0, sectors, uint16_t(buffer & 0xf), uint16_t(buffer >> 4), lba};
      in.ah = 0x42;
      in.si = uint16_t(reinterpret_cast<uintptr_t>(&packet));
    } else {
      in.ah = 0x02;
      in.al = c->count;
      in.cx = chs::Int13Cx(*c);
      in.dh = c->head;
      in.bx = uint16_t(buffer & 0xf);
    }
    intcall(0x13, &in, &out);
    if (!(out.eflags & kFlagCarry)) {
      return 0;
    }
    // CF set with AH = 0 is still a failure; report it as "unknown".
    status = out.ah != 0 ? out.ah : 0xff;
    ResetDisk();
  }
  return status;
}

}  // namespace

uint8_t OpenBootDisk(uint8_t drive) {
  disk.drive = drive;
  // INT 13h AH=41h, BX=55AAh: are the extensions there (EDD 1.1; Ralf
  // Brown's interrupt list, INT 13/AH=41h)? Yes when CF is clear, BX =
  // AA55h and CX bit 0 ("fixed disk access subset": AH=42h-44h, 47h, 48h)
  // is set. A BIOS without them leaves CF set or BX unchanged; SeaBIOS
  // has none for floppy drives.
  biosregs in, out;
  InitRegs(in);
  in.ah = 0x41;
  in.bx = 0x55aa;
  in.dl = drive;
  intcall(0x13, &in, &out);
  if (!(out.eflags & kFlagCarry) && out.bx == 0xaa55 && (out.cx & 1)) {
    disk.lba = true;
    return 0;
  }
  // AH=08h, "get drive parameters": in every AT-class BIOS, for floppy
  // drives too (the XT's BIOS had it for hard disks only, and the setup
  // needs an i386 anyway). Some BIOSes change es:di for floppies (they
  // point it at the diskette parameter table): InitRegs' values go in,
  // and intcall keeps our own segment registers.
  InitRegs(in);
  in.ah = 0x08;
  in.dl = drive;
  intcall(0x13, &in, &out);
  if (out.eflags & kFlagCarry) {
    return out.ah != 0 ? out.ah : 0xff;
  }
  disk.geometry = chs::FromInt13Params(out.ch, out.cl, out.dh);
  if (drive < 0x80) {
    // A floppy: what the disk in the drive holds (lib/chs.h). The probe
    // reads into the bounce buffer, which nothing uses yet.
    disk.geometry.sectors = chs::MediaSectorsPerTrack(disk.geometry.sectors, [](uint8_t s) {
      const chs::Read last = {0, 0, s, 1};
      return ReadOnce(0, &last, 1, uint32_t{DIRECT_BOOT_BOUNCE_SEG} << 4) == 0;
    });
  }
  return 0;
}

uint16_t ReadSectors(uint32_t lba, uint32_t sectors, uint32_t buffer, uint32_t& failed_lba) {
  while (sectors != 0) {
    failed_lba = lba;
    chs::Read c;
    uint32_t n;
    if (disk.lba) {
      // Sector-aligned reads into a buffer that crosses no 64 KiB boundary
      // (the callers' buffers: direct-boot.h) need no further split;
      // EDD's limit is per call.
      n = sectors < kMaxLbaSectors ? sectors : kMaxLbaSectors;
    } else {
      if (chs::PlanRead(disk.geometry, lba, sectors, buffer, c) != chs::ReadError::kOk) {
        return kPastGeometry;
      }
      n = c.count;
    }
    uint8_t status = ReadOnce(lba, disk.lba ? nullptr : &c, uint16_t(n), buffer);
    if (status != 0) return status;
    lba += n;
    sectors -= n;
    buffer += n * 512;
  }
  return 0;
}

}  // namespace bzelf::setup
