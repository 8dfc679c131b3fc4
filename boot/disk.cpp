// Part 5 from the boot disk, on the direct-boot path (DESIGN.md, "MBR
// (direct)"): a BIOS booted the image from a raw disk, and our boot sector
// (header.S) has loaded the boot sector and setup sectors, as a loader
// would. Part 5 follows them on the disk, syssize * 16 bytes from sector
// setup_sects + 1; it goes to 1 MiB, where every loader puts it (boot.rst;
// code32_start already points there).
//
// INT 13h can only read below 1 MiB, so each chunk is read into the bounce
// buffer (direct-boot.h) and copied up by the BIOS (block-move.cpp).
#include "bioscall.h"
#include "direct-boot.h"
#include "setup.h"

namespace bzelf::setup {
namespace {

constexpr uint32_t kSectorSize = 512;
// Sectors per read: 64 (32 KiB). Under the 127 that EDD 1.1 allows in one
// call, under the 64 KiB that one INT 15h AH=87h call moves, and, with
// the buffer 64 KiB-aligned, never across a 64 KiB physical boundary,
// which BIOSes that set up ISA DMA for a transfer refuse (INT 13h status
// 09h, "data boundary error", Ralf Brown's interrupt list).
constexpr uint16_t kChunkSectors = 64;
constexpr uint32_t kChunkBytes = kChunkSectors * kSectorSize;
static_assert(kChunkSectors <= 127 && kChunkBytes <= 0x10000);
constexpr uint32_t kBounceLinear = uint32_t(DIRECT_BOOT_BOUNCE_SEG) << 4;
constexpr uint32_t kOneMiB = 0x100000;

// "bzelf: disk: <text> 0x<number><text> 0x<number><text>": the details
// carry the sector and the BIOS status. One call with five arguments costs
// the 16-bit setup less code at each call site than a Message chain.
[[noreturn]] void DiskPanic(const char* a, uint32_t x, const char* b,
                            uint32_t y, const char* c) {
  Panic("disk", Message() << a << Hex{x} << b << Hex{y} << c);
}

// Whether [start, end) is RAM by the memory map that DetectMemory got:
// covered by E820 RAM ranges, which may be split at any point (a range
// that ends where the next begins, or overlaps it); with no E820 map, the
// larger of the E801 and AH=88h counts of KiB above 1 MiB.
bool IsRam(uint32_t start, uint32_t end) {
  if (zero_page.e820_entries == 0) {
    uint32_t above_1m_k = zero_page.alt_mem_k;
    if (zero_page.screen_info.ext_mem_k > above_1m_k) {
      above_1m_k = zero_page.screen_info.ext_mem_k;
    }
    return start >= kOneMiB && (end - kOneMiB + 1023) / 1024 <= above_1m_k;
  }
  // Walks up from start, range by range: at most one pass per entry.
  uint64_t covered = start;
  for (unsigned pass = 0; pass < zero_page.e820_entries; ++pass) {
    for (unsigned i = 0; i < zero_page.e820_entries; ++i) {
      const auto& e = zero_page.e820_table[i];
      if (e.type == linuxboot::E820_TYPE_RAM && e.addr <= covered &&
          e.addr + e.size > covered) {
        covered = e.addr + e.size;
      }
    }
    if (covered >= end) {
      return true;
    }
  }
  return false;
}

}  // namespace

void LoadFromDisk(uint8_t drive) {
  const auto& hdr = zero_page.hdr;
  // syssize counts 16-byte paragraphs; part 5 must end below 4 GiB.
  const uint32_t size = hdr.syssize * 16;
  const uint32_t load = kStageLinkAddress;
  if (hdr.syssize > (0xffffffffu - load) / 16 || !IsRam(load, load + size)) {
    DiskPanic("no RAM at ", load, " for the ", size, " bytes of part 5");
  }

  uint32_t lba = uint32_t(hdr.setup_sects) + 1;
  for (uint32_t done = 0; done < size;) {
    uint32_t bytes = size - done < kChunkBytes ? size - done : kChunkBytes;
    // A partial last sector is read whole; only `bytes` are copied up, so
    // whatever follows the image on the disk stays behind.
    const uint16_t sectors = uint16_t((bytes + kSectorSize - 1) / kSectorSize);
    uint8_t status = EddRead(drive, lba, sectors, DIRECT_BOOT_BOUNCE_SEG);
    if (status != 0) {
      DiskPanic("read error at sector ", lba, " (INT 13h status ", status, ")");
    }
    status = BlockMove(load + done, kBounceLinear, bytes);
    if (status != 0) {
      DiskPanic("copy to ", load + done, " failed (INT 15h AH=87h status ",
                status, ")");
    }
    done += bytes;
    lba += sectors;
  }
}

}  // namespace bzelf::setup
