// Cylinder/head/sector addressing for INT 13h AH=02h, the read every PC
// BIOS has: floppies, and hard disks whose BIOS lacks the LBA extensions.
// One rule for the setup's disk reads (boot/int13.cpp), tested on the host.
#pragma once

#include <stdint.h>

namespace bzelf::chs {

// A drive's geometry as INT 13h AH=08h reports it (Ralf Brown's interrupt
// list, INT 13/AH=08h): CH = the last cylinder's low 8 bits, CL bits 6-7
// its bits 8-9, CL bits 0-5 the last sector number (sectors count from 1,
// so it is the sectors per track), DH = the last head.
struct Geometry {
  uint16_t cylinders;  // 1..1024
  uint16_t heads;      // 1..256
  uint8_t sectors;     // per track, 1..63
};

Geometry FromInt13Params(uint8_t ch, uint8_t cl, uint8_t dh);

// One INT 13h AH=02h call.
struct Read {
  uint16_t cylinder;
  uint8_t head;
  uint8_t sector;  // from 1
  uint8_t count;
};

enum class ReadError : uint8_t {
  kOk,
  kNoGeometry,        // a geometry with no sectors or heads (AH=08h lied)
  kPastLastCylinder,  // the LBA is beyond what CHS can address on this drive
  kDmaBoundary,       // the buffer is not sector-aligned against 64 KiB
};

// The first read for `count` sectors from `lba` into the buffer at linear
// address `buffer`. It ends at the end of lba's track: BIOSes read within
// one track per call, and real floppy controllers cannot cross one. It
// ends before the next 64 KiB boundary after `buffer`: the PC's ISA DMA
// controller counts addresses in 16 bits, and BIOSes that set it up for a
// floppy transfer fail one that crosses it (INT 13h status 09h, "data
// boundary error", Ralf Brown's interrupt list). `count` must be non-zero.
ReadError PlanRead(const Geometry& g, uint32_t lba, uint32_t count, uint32_t buffer, Read& out);

// A floppy disk may hold fewer sectors a track than its drive's AH=08h
// answer says: AH=08h describes the drive (its CMOS type), not the disk in
// it, so a 1.44 MB disk in a 2.88 MB drive reads as 36 sectors a track
// where it has 18, and a read of sector 19 fails. The formats PC drives
// write have these counts; Linux's boot sector probed the same list
// (arch/i386/boot/bootsect.S, Linux 2.4: "disksizes: .byte 36, 18, 15, 9").
inline constexpr uint8_t kFloppySectorsPerTrack[] = {36, 18, 15, 9};

// The disk's sectors a track: the first count of kFloppySectorsPerTrack
// no larger than the drive's whose last sector of track 0 reads
// (`reads(sector)`, a one-sector read of cylinder 0, head 0), else the
// drive's (then the first read past the disk's track reports the error).
template <typename ReadsSector>
uint8_t MediaSectorsPerTrack(uint8_t drive_sectors, ReadsSector reads) {
  for (uint8_t s : kFloppySectorsPerTrack) {
    if (s <= drive_sectors && reads(s)) return s;
  }
  return drive_sectors;
}

// CX for INT 13h AH=02h: cylinder bits 0-7 in CH, bits 8-9 in CL bits 6-7,
// the sector in CL bits 0-5. (DH is the head, DL the drive, AL the count.)
inline uint16_t Int13Cx(const Read& r) {
  return uint16_t(((r.cylinder & 0xff) << 8) | ((r.cylinder >> 8 & 3) << 6) | (r.sector & 0x3f));
}

}  // namespace bzelf::chs
