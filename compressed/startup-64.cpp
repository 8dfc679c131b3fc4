// startup_64's first step, built for x86-64 (linker/stage64.ld): bring
// everything the 32-bit stage must reach below 4 GiB. A 64-bit loader
// (XLF_CAN_BE_LOADED_ABOVE_4G) may put part 5, boot_params and the command
// line anywhere in memory: kexec's bzImage64 loaders take the top of RAM.
// The stage runs in 32-bit mode with paging off, so, still in long mode:
//
//   - boot_params above 4 GiB (or whenever part 5 moves) is copied to the
//     arena's zero page, and a command line that reaches above 4 GiB to
//     the arena's command-line page (CopyHighCmdline); the initrd and
//     setup_data stay where they are (a 64-bit kernel reaches them
//     itself);
//   - part 5 and its arena, when they reach above 4 GiB, go where the
//     memory planner finds room below 4 GiB (StageHome: clear of the
//     kernel's segments and of everything the loader handed over), and the
//     copy is entered at its startup_64, which then finds everything below
//     4 GiB.
//
// The loader's identity map covers part 5 and init_size from it,
// boot_params and the command line, nothing else (boot.rst, "64-bit boot
// protocol"): the planner reads only those (RangeMemory), and the copy,
// like a halt's message, runs under page tables of our own. Nothing is
// written into part 5 itself: the 32-bit stage checks its checksum before
// it trusts it.
#include "boot-params.h"
#include "console.h"
#include "identity-map.h"
#include "memory-plan.h"
#include "stage-move.h"
#include "stage-params.h"
#include "x86.h"

namespace bzelf {
namespace {

using linuxboot::boot_params;

uint64_t Phys(const void* p) { return reinterpret_cast<uintptr_t>(p); }

uint64_t ReadCr4() {
  uint64_t cr4;
  asm volatile("mov %%cr4, %0" : "=r"(cr4));
  return cr4;
}

// Page tables of our own in the arena's scratch and page-table area,
// which nothing uses until the 32-bit stage runs: at most a root (and a
// PML4 under 5-level paging), two PDPTs and four PDs, for two ranges that
// may each straddle a gigabyte.
class OwnMap {
 public:
  explicit OwnMap(uint8_t* arena)
      : map_(arena + kArenaScratchOffset, kPages, (ReadCr4() & x86::kCr4La57) != 0) {}

  bool Map(uint64_t start, uint64_t end) {
    return map_.MapGiB(start) && map_.MapGiB(end - 1);
  }

  // Global pages the loader left in the TLB go with CR4.PGE first (Intel
  // SDM vol. 3A, "Invalidation of TLBs and Paging-Structure Caches").
  void Load() {
    asm volatile("mov %0, %%cr4" : : "r"(ReadCr4() & ~uint64_t{x86::kCr4Pge}) : "memory");
    asm volatile("mov %0, %%cr3" : : "r"(map_.Root()) : "memory");
  }

 private:
  static constexpr uint32_t kPages = (kArenaZeroPageOffset - kArenaScratchOffset) / kPageSize;
  static_assert(kPages >= 8, "two roots, two PDPTs and four PDs");
  IdentityMap map_;
};

// The loader's map need not cover the VGA text screen: the halt line is
// printed under our own map of the first gigabyte and the stage's.
[[noreturn]] void Halt(const boot_params* bp, uint8_t* arena, const StageExtent& stage,
                       const Failure& failure) {
  OwnMap map(arena);
  if (map.Map(0, 1) && map.Map(stage.base, stage.All().end) &&
      map.Map(Phys(bp), Phys(bp) + sizeof(*bp))) {
    map.Load();
  }
  ConsoleInit(bp);
  Panic(failure);
}

}  // namespace
}  // namespace bzelf

// What startup_64 enters next: part 5 at `part5` (itself, or the moved
// copy), with rsi = `bp`.
struct StageEntry {
  uint8_t* part5;
  bzelf::linuxboot::boot_params* bp;
};

// Called by startup_64 (compressed/head.S) on the arena's stack, under the
// loader's identity map. The blob's first byte (linker/stage64.ld).
extern "C" [[gnu::section(".text.entry")]] StageEntry Startup64Main(
    uint8_t* part5, bzelf::linuxboot::boot_params* bp, const bzelf::StageParams* params) {
  using namespace bzelf;
  const StageExtent stage{Phys(part5), params->file_size, params->arena_offset,
                          params->arena_size};
  uint8_t* arena = part5 + params->arena_offset;
  const bool move = stage.All().end > k4GiB;

  boot_params* use = bp;
  if (move || Phys(bp) + sizeof(*bp) > k4GiB) {
    use = reinterpret_cast<boot_params*>(arena + kArenaZeroPageOffset);
    __builtin_memcpy(use, bp, sizeof(*bp));
  }
  CopyHighCmdline(use, reinterpret_cast<char*>(arena + kArenaCmdlineOffset), kArenaCmdlineSize);
  if (!move) return {part5, use};

  RangeMemory memory;
  memory.Add(stage.base, stage.Size());
  memory.Add(Phys(bp), sizeof(*bp));
  if (const uint64_t cmdline = CmdlineAddress(*bp)) {
    memory.Add(cmdline, uint64_t{CmdlineLimit(*bp)} + 1);
  }
  MemoryPlan plan;
  if (PlanError e = plan.Init(*bp, Phys(bp), memory, stage)) {
    Halt(use, arena, stage, ToFailure(e));
  }
  const uint64_t to = StageHome(plan, params->segments, params->segment_count, stage.Size());
  if (to == 0) {
    PlanError e;
    e.kind = PlanError::Kind::kNoRoomBelow4G;
    e.value = stage.Size();
    Halt(use, arena, stage, ToFailure(e));
  }

  OwnMap map(arena);
  if (!map.Map(stage.base, stage.All().end) || !map.Map(to, to + stage.Size())) {
    Halt(use, arena, stage, Fail("memory", "no room for the page tables of the stage's move"));
  }
  map.Load();
  boot_params* moved = MoveStage(stage.base, to, *params, use);
  return {reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(to)), moved};
}
