// PVH entry: turn the loader's hvm_start_info into the boot_params that
// the rest of the stage and the kernel expect (lib/pvh.h), in the arena's
// zero page, and go on as the 32-bit entry does.
#include "boot-params.h"
#include "console.h"
#include "physical-memory.h"
#include "pvh.h"
#include "stage-params.h"

extern "C" bzelf::StageParams bzelf_stage_params;
extern "C" [[noreturn]] void StageMain(bzelf::linuxboot::boot_params* bp, uintptr_t base);

extern "C" [[noreturn]] void StagePvhMain(const bzelf::hvm_start_info* si, uintptr_t base) {
  using namespace bzelf;
  auto* bp = reinterpret_cast<linuxboot::boot_params*>(
      base + bzelf_stage_params.arena_offset + kArenaZeroPageOffset);
  if (si->magic != XEN_HVM_START_MAGIC_VALUE) {
    ConsoleInit(nullptr);
    Panic("pvh", Message() << "bad hvm_start_info magic " << Hex{si->magic});
  }
  if (Failure f = PvhToBootParams(*si, PhysicalMemory{}, bp)) {
    ConsoleInit(nullptr);
    Panic(f);
  }
  StageMain(bp, base);
}
