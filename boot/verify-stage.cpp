// The last look before the jump: is part 5 where code32_start points, and
// whole? The stage checks its own checksum too, but only once it runs;
// a damaged startup_32, a part 5 loaded from the wrong file offset (a
// damaged setup_sects), cut short or not loaded at all would never get
// that far, and the jump would run into whatever memory holds.
#include "direct-boot.h"
#include "far-memory.h"
#include "setup.h"
#include "stage-checksum.h"

namespace bzelf::setup {
namespace {

// Read through the BIOS block move a piece at a time; 2 KiB keeps the
// bss small and is even, as INT 15h AH=87h wants.
constexpr uint32_t kChunk = 2048;
alignas(4) uint8_t chunk[kChunk];

// CRC32 of part 5's checked bytes if it starts at `base`.
uint32_t StageCrc(uint32_t base) {
  const SetupParams& sp = bzelf_setup_params;
  uint32_t crc = 0;
  for (uint32_t off = 0; off < sp.checked_size; off += kChunk) {
    uint32_t n = sp.checked_size - off < kChunk ? sp.checked_size - off : kChunk;
    if (BlockMove(Linear(chunk), base + off, (n + 1) & ~1u) != 0) {
      Panic("setup", "cannot read the protected-mode part (INT 15h AH=87h failed)");
    }
    crc = StageChecksumUpdate<Crc32Bitwise>(crc, off, chunk, n, sp.crc_field_offset);
  }
  return crc;
}

}  // namespace

void VerifyStage(uint32_t code32_start) {
  const SetupParams& sp = bzelf_setup_params;
  // code32_start is startup_32 as built, or part 5's first byte when a
  // loader points it there (kexec's real-mode path does: the ELF header
  // is also a jump to startup_32).
  if (StageCrc(code32_start - sp.stage_entry_offset) != sp.part5_crc &&
      StageCrc(code32_start) != sp.part5_crc) {
    Panic("setup",
          "protected-mode part missing or damaged at code32_start (checksum mismatch)");
  }
}

}  // namespace bzelf::setup
