// Part 5 from the boot disk, on the direct-boot path (DESIGN.md, "MBR
// (direct)"): a BIOS booted the image from a raw disk or floppy, our boot
// sector (header.S) and LoadSetupRest (setup-rest.cpp) have loaded the
// setup, as a loader would. Part 5 follows the setup on the disk, syssize
// * 16 bytes from sector setup_sects + 1; it goes to 1 MiB, where every
// loader puts it (boot.rst; code32_start already points there).
//
// INT 13h can only read below 1 MiB, so each chunk of part 5 is read into
// the bounce buffer (direct-boot.h) and copied up by the BIOS
// (block-move.cpp).
#include "bioscall.h"
#include "direct-boot.h"
#include "e820-map.h"
#include "memory-plan.h"
#include "setup.h"

namespace bzelf::setup {
namespace {

constexpr uint32_t kSectorSize = 512;
// Sectors per chunk of part 5: 64 (32 KiB), under the 64 KiB that one
// INT 15h AH=87h call moves; ReadSectors splits it further where a track
// or EDD's per-call limit asks for it.
constexpr uint16_t kChunkSectors = 64;
constexpr uint32_t kChunkBytes = kChunkSectors * kSectorSize;
static_assert(kChunkBytes <= 0x10000);
constexpr uint32_t kBounceLinear = uint32_t(DIRECT_BOOT_BOUNCE_SEG) << 4;

}  // namespace

void LoadFromDisk() {
  const auto& hdr = zero_page.hdr;
  const uint32_t load = kStageLinkAddress;
  // syssize counts 16-byte paragraphs. Where every loader puts part 5
  // must be RAM below 4 GiB by the memory map DetectMemory got (or its
  // E801/88h sizes), by the planner's rule (lib/e820-map.h). Nothing else
  // above 1 MiB is there to keep clear of: the boot sector left no command
  // line, initrd or setup_data, and the setup lives below 1 MiB.
  const uint64_t end = load + uint64_t{hdr.syssize} * 16;
  E820Map map;
  if (end > k4GiB || !map.SetBase(zero_page) || !map.IsRam(load, end)) {
    DiskPanic("no RAM at ", load, " for the ", uint32_t(end - load), " bytes of part 5");
  }
  const uint32_t size = uint32_t(end - load);

  uint32_t lba = uint32_t(hdr.setup_sects) + 1;
  for (uint32_t done = 0; done < size;) {
    uint32_t bytes = size - done < kChunkBytes ? size - done : kChunkBytes;
    // A partial last sector is read whole; only `bytes` are copied up, so
    // whatever follows the image on the disk stays behind.
    const uint16_t sectors = uint16_t((bytes + kSectorSize - 1) / kSectorSize);
    ReadFromBootDisk(lba, sectors, kBounceLinear);
    const uint8_t status = BlockMove(load + done, kBounceLinear, bytes);
    if (status != 0) {
      DiskPanic("copy to ", load + done, " failed (INT 15h AH=87h status ",
                status, ")");
    }
    done += bytes;
    lba += sectors;
  }
}

}  // namespace bzelf::setup
