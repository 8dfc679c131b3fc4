// startup_64's first step, built for x86-64 (linker/stage64.ld): bring
// everything the 32-bit stage must reach below 4 GiB. A 64-bit loader
// (XLF_CAN_BE_LOADED_ABOVE_4G) may put part 5, boot_params and the command
// line anywhere in memory: kexec's bzImage64 loaders take the top of RAM.
// The stage runs in 32-bit mode with paging off, so, still in long mode:
//
//   - boot_params above 4 GiB (or whenever part 5 moves) is copied to the
//     arena's zero page, and a command line that reaches above 4 GiB to
//     the arena's command-line page; the initrd and setup_data stay where
//     they are (a 64-bit kernel reaches them itself);
//   - part 5 and its arena, when they reach above 4 GiB, go where the
//     memory planner finds room below 4 GiB (StageHome: clear of the
//     kernel's segments and of everything the loader handed over), and the
//     copy is entered at its startup_64, which then finds everything below
//     4 GiB.
//
// The loader's identity map covers part 5 and init_size from it,
// boot_params and the command line, nothing else (boot.rst, "64-bit boot
// protocol"): the planner reads only those (LoaderMemory), and the copy
// runs under page tables of our own that map the gigabytes of the source
// and the destination. Nothing is written into part 5 itself: the 32-bit
// stage checks its checksum before it trusts it.
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

// The ranges the loader's identity map covers.
class LoaderMemory {
 public:
  void Add(uint64_t start, uint64_t size) {
    if (count_ < kMax) ranges_[count_++] = {start, start + size};
  }
  const void* Map(uint64_t addr, uint64_t size) const {
    for (int i = 0; i < count_; ++i) {
      if (ranges_[i].start <= addr && size <= ranges_[i].end - addr) {
        return reinterpret_cast<const void*>(static_cast<uintptr_t>(addr));
      }
    }
    return nullptr;
  }

 private:
  static constexpr int kMax = 3;
  Range ranges_[kMax];
  int count_ = 0;
};

uint64_t Phys(const void* p) { return reinterpret_cast<uintptr_t>(p); }

// The console writes its cursor into the image, so it starts only on the
// way to the halt.
[[noreturn]] void Halt(const boot_params* bp, const Failure& failure) {
  ConsoleInit(bp);
  Panic(failure);
}

// A command line that reaches above 4 GiB goes to the arena's page, up to
// its NUL or CmdlineLimit() bytes, at most the page with its NUL.
void CopyHighCmdline(boot_params* bp, uint8_t* arena) {
  const uint64_t addr = CmdlineAddress(*bp);
  uint64_t limit = CmdlineLimit(*bp);
  if (addr == 0 || addr + limit + 1 <= k4GiB) return;
  if (limit > kArenaCmdlineSize - 1) limit = kArenaCmdlineSize - 1;
  const auto* from = reinterpret_cast<const char*>(static_cast<uintptr_t>(addr));
  char* to = reinterpret_cast<char*>(arena + kArenaCmdlineOffset);
  uint64_t n = 0;
  for (; n < limit && from[n] != 0; ++n) to[n] = from[n];
  to[n] = 0;
  bp->hdr.cmd_line_ptr = static_cast<uint32_t>(Phys(to));
  bp->ext_cmd_line_ptr = static_cast<uint32_t>(Phys(to) >> 32);
}

// Our page tables: global pages the loader left in the TLB go with
// CR4.PGE first (Intel SDM vol. 3A, "Invalidation of TLBs and
// Paging-Structure Caches").
void LoadPageTables(uint64_t root) {
  uint64_t cr4;
  asm volatile("mov %%cr4, %0" : "=r"(cr4));
  asm volatile("mov %0, %%cr4" : : "r"(cr4 & ~uint64_t{x86::kCr4Pge}) : "memory");
  asm volatile("mov %0, %%cr3" : : "r"(root) : "memory");
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
  CopyHighCmdline(use, arena);
  if (!move) return {part5, use};

  LoaderMemory memory;
  memory.Add(stage.base, stage.Size());
  memory.Add(Phys(bp), sizeof(*bp));
  if (const uint64_t cmdline = CmdlineAddress(*bp)) {
    memory.Add(cmdline, uint64_t{CmdlineLimit(*bp)} + 1);
  }
  MemoryPlan plan;
  if (PlanError e = plan.Init(*bp, Phys(bp), memory, stage)) Halt(use, ToFailure(e));
  const uint64_t to = StageHome(plan, params->segments, params->segment_count, stage.Size());
  if (to == 0) {
    PlanError e;
    e.kind = PlanError::Kind::kNoRoomBelow4G;
    e.value = stage.Size();
    Halt(use, ToFailure(e));
  }

  // The source and the destination may each straddle a gigabyte: at most
  // a PML4, two PDPTs and four PDs, in the arena's scratch and page-table
  // area, which nothing uses until the 32-bit stage runs.
  IdentityMap map(arena + kArenaScratchOffset,
                  (kArenaZeroPageOffset - kArenaScratchOffset) / kPageSize);
  static_assert(kArenaZeroPageOffset - kArenaScratchOffset >= 7 * kPageSize);
  map.MapGiB(stage.base);
  map.MapGiB(stage.All().end - 1);
  map.MapGiB(to);
  map.MapGiB(to + stage.Size() - 1);
  LoadPageTables(map.Root());
  boot_params* moved = MoveStage(stage.base, to, *params, use);
  return {reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(to)), moved};
}
