// The decompressor's C++ entry: check the image, plan memory, inflate the
// kernel to its physical address, hand off in the kernel's own mode.
#include "boot-params.h"
#include "console.h"
#include "cpuid.h"
#include "elf-load.h"
#include "elf.h"
#include "long-mode.h"
#include "memory.h"
#include "stage-checksum.h"
#include "stage-params.h"

using bzelf::linuxboot::boot_params;

// Patched by `bzelf build`; the magic tells the tool where it is and the
// stage that the tool filled it in.
namespace {
constexpr bzelf::StageParams UnpatchedStageParams() {
  bzelf::StageParams p{};
  p.magic = bzelf::kStageParamsMagic;
  p.version = bzelf::kStageParamsVersion;
  return p;
}
}  // namespace
extern "C" {
constinit bzelf::StageParams bzelf_stage_params = UnpatchedStageParams();
}

extern "C" [[noreturn]] void HandOff32(uint32_t entry, uint32_t boot_params);
extern "C" char startup_32[];
extern "C" char _stage_checked_end[];
extern "C" [[noreturn]] void HandOff64(uint32_t entry_low, uint32_t entry_high,
                                       uint32_t boot_params, uint32_t pml4);

namespace bzelf {
namespace {

void UseBuiltinCmdline(boot_params* bp, uintptr_t base, const StageParams& params) {
  uint64_t ptr = bp->hdr.cmd_line_ptr | (static_cast<uint64_t>(bp->ext_cmd_line_ptr) << 32);
  // One above 4 GiB (startup_64 copies those below, but a loader's
  // pointer may still reach past 4 GiB) is out of reach: it counts as
  // given, the kernel reads it itself.
  bool loader_gave_one =
      ptr != 0 && (ptr >= 0x1'0000'0000ull ||
                   *reinterpret_cast<const char*>(static_cast<uintptr_t>(ptr)) != 0);
  if (loader_gave_one || params.cmdline_size == 0) return;
  // The built-in command line stays in the image, which the kernel's
  // memory plan already avoids.
  bp->hdr.cmd_line_ptr = static_cast<uint32_t>(base + params.cmdline_offset);
  bp->ext_cmd_line_ptr = 0;
}

// Kernels that live where the loader put us (most hobby kernels load at
// 1 MiB, exactly where QEMU and GRUB put part 5) need the stage out of the
// way first: copy part 5 somewhere free and start over there, through the
// 32-bit entry, as if a loader had put it there. Only the stage moves (its
// code and the compressed payload); the kernel is still written once.
void MoveOutOfTheWay(boot_params* bp, uintptr_t base, const StageParams& params,
                     const MemoryPlan& plan) {
  Range kernel[kMaxSegments];
  bool in_the_way = false;
  for (unsigned i = 0; i < params.segment_count && i < kMaxSegments; ++i) {
    const StageSegment& s = params.segments[i];
    // A kernel that cannot go where it wants is reported as such, not as
    // a stage with nowhere to go.
    plan.CheckWritable(s.paddr, s.paddr + s.memsz, "kernel segment", i,
                       /*stage_may_move=*/true);
    kernel[i] = {s.paddr, s.paddr + s.memsz, "kernel"};
    in_the_way = in_the_way || plan.Overlaps(kernel[i].start, kernel[i].end, kStageRangeName) ||
                 plan.Overlaps(kernel[i].start, kernel[i].end, kArenaRangeName);
  }
  if (!in_the_way) return;
  uint64_t size = uint64_t{params.arena_offset} + params.arena_size;
  uint64_t to = plan.FindFree(size, kernel, params.segment_count);
  if (to == 0) {
    Panic("memory", Message() << "the kernel overlaps the boot stage at " << Hex{base}
                              << " and there is no free RAM to move the stage to ("
                              << Dec{size} << " bytes)");
  }
  auto* dest = reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(to));
  __builtin_memcpy(dest, reinterpret_cast<const void*>(base), params.file_size);
  // A boot_params we built ourselves (PVH) or startup_64 copied from
  // above 4 GiB lives in the arena, and so may a command line startup_64
  // copied: take them along.
  auto bp_addr = reinterpret_cast<uintptr_t>(bp);
  if (bp_addr >= base + params.arena_offset && bp_addr < base + size) {
    auto* moved = reinterpret_cast<boot_params*>(bp_addr - base + to);
    __builtin_memcpy(moved, bp, sizeof(*bp));
    bp = moved;
  }
  uintptr_t cmdline = base + params.arena_offset + kArenaCmdlineOffset;
  if (bp->hdr.cmd_line_ptr == cmdline && bp->ext_cmd_line_ptr == 0) {
    uintptr_t moved = cmdline - base + static_cast<uintptr_t>(to);
    __builtin_memcpy(reinterpret_cast<void*>(moved), reinterpret_cast<const void*>(cmdline),
                     kArenaCmdlineSize);
    bp->hdr.cmd_line_ptr = static_cast<uint32_t>(moved);
  }
  uintptr_t entry = reinterpret_cast<uintptr_t>(startup_32) - base + static_cast<uintptr_t>(to);
  HandOff32(static_cast<uint32_t>(entry), static_cast<uint32_t>(reinterpret_cast<uintptr_t>(bp)));
}

// The real-mode setup checks this too, but 32- and 64-bit loaders never
// run it.
void CheckLongMode() {
  if (!HasLongMode()) {
    Panic("cpu", "this kernel needs a 64-bit (x86-64) CPU; long mode not found");
  }
}

}  // namespace
}  // namespace bzelf

// Called by head.S on a small stack of its own, before anything uses the
// parameters: returns only if the stage's code and parameters check out.
extern "C" void StageVerify(uintptr_t base) {
  using namespace bzelf;
  ConsoleInit(nullptr);
  const StageParams& params = bzelf_stage_params;
  if (params.magic != kStageParamsMagic || params.version != kStageParamsVersion) {
    Panic("image", "stage parameters missing: this image was not made by `bzelf build`");
  }
  // Everything below trusts the parameters and the code: check them first.
  auto* part5 = reinterpret_cast<const uint8_t*>(base);
  size_t params_offset = reinterpret_cast<uintptr_t>(&bzelf_stage_params) - base;
  size_t checked_end = reinterpret_cast<uintptr_t>(_stage_checked_end) - base;
  if (params.checked_size != checked_end || params.cmdline_offset > params.file_size ||
      params.cmdline_size > params.file_size - params.cmdline_offset) {
    Panic("image", "stage parameters are damaged");
  }
  uint32_t crc = StageChecksum(part5, params_offset, params);
  if (crc != params.stage_crc) {
    Panic("image", Message() << "boot stage checksum mismatch (" << Hex{crc} << ", expected "
                             << Hex{params.stage_crc} << "): the image is damaged");
  }
  if (params.kernel_class != elf::ELFCLASS32 && params.kernel_class != elf::ELFCLASS64) {
    Panic("image", Message() << "unknown kernel class " << Dec{params.kernel_class});
  }
}

extern "C" [[noreturn]] void StageMain(boot_params* bp, uintptr_t base) {
  using namespace bzelf;
  ConsoleInit(bp);
  const StageParams& params = bzelf_stage_params;

  {
    MemoryPlan before_move(bp, base, params);
    MoveOutOfTheWay(bp, base, params, before_move);
  }
  UseBuiltinCmdline(bp, base, params);
  MemoryPlan plan(bp, base, params);
  uint8_t* arena = reinterpret_cast<uint8_t*>(base + params.arena_offset);
  LoadKernel(base, params, plan, arena + kArenaScratchOffset);

  uint32_t bp_addr = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(bp));
  if (params.kernel_class == elf::ELFCLASS32) {
    HandOff32(static_cast<uint32_t>(params.entry), bp_addr);
  }
  CheckLongMode();
  uint32_t pml4 = BuildIdentityMap(arena + kArenaPageTablesOffset);
  HandOff64(static_cast<uint32_t>(params.entry), static_cast<uint32_t>(params.entry >> 32),
            bp_addr, pml4);
}
