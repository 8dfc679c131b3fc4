// The rest of the setup from the boot disk, on the direct-boot path: our
// boot sector (header.S) loaded the image's first 4 KiB, and header.S
// calls LoadSetupRest before anything else runs. This file and what it
// calls are kept in those 4 KiB (linker/setup.ld).
#include "direct-boot.h"
#include "setup.h"

extern "C" char _setup_end[];  // linker/setup.ld

namespace bzelf::setup {

// Here, in the first sectors, for LoadSetupRest; disk.cpp's calls reach it
// once the rest is loaded.
void DiskPanic(const char* a, uint32_t x, const char* b, uint32_t y, const char* c) {
  Panic("disk", Message() << a << Hex{x} << b << Hex{y} << c);
}

void ReadFromBootDisk(uint32_t lba, uint32_t sectors, uint32_t buffer) {
  uint32_t failed;
  const uint16_t status = ReadSectors(lba, sectors, buffer, failed);
  if (status == kPastGeometry) {
    Panic("disk", Message() << "sector " << Hex{failed} << " lies beyond the drive's CHS geometry");
  }
  if (status != 0) {
    DiskPanic("read error at sector ", failed, " (INT 13h status ", status, ")");
  }
}

}  // namespace bzelf::setup

extern "C" void LoadSetupRest() {
  using namespace bzelf::setup;
  const uint8_t status = OpenBootDisk(bootsect_drive);
  if (status != 0) {
    DiskPanic("drive ", bootsect_drive, ": no geometry (INT 13h AH=08h status ", status, ")");
  }
  // The sectors that hold the setup's file bytes, not the padding after
  // them up to part 5 (setup_sects counts it): that is where the bss is,
  // which header.S has zeroed and OpenBootDisk has written to.
  // linker/setup.ld starts the bss on a sector boundary for this.
  constexpr uint32_t kSectorSize = 512;
  const uint32_t sectors =
      (uint32_t(reinterpret_cast<uintptr_t>(_setup_end)) + kSectorSize - 1) / kSectorSize;
  if (sectors > DIRECT_BOOT_FIRST_SECTORS) {
    ReadFromBootDisk(DIRECT_BOOT_FIRST_SECTORS, sectors - DIRECT_BOOT_FIRST_SECTORS,
                     (uint32_t(DIRECT_BOOT_SETUP_SEG) << 4) +
                         DIRECT_BOOT_FIRST_SECTORS * kSectorSize);
  }
}
