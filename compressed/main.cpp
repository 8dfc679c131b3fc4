// The decompressor's C++ entry: check the image, plan memory, inflate the
// kernel to its physical address, hand off in the kernel's own mode.
#include "boot-params.h"
#include "console.h"
#include "cpu-check.h"
#include "cpuid.h"
#include "elf-load.h"
#include "elf.h"
#include "identity-map.h"
#include "kernel-move.h"
#include "kernel-place.h"
#include "kernel-staging.h"
#include "memory-plan.h"
#include "physical-memory.h"
#include "relocate.h"
#include "stage-move.h"
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
// Hidden: reached @GOTOFF, with nothing in a GOT to relocate.
extern "C" [[gnu::visibility("hidden")]] char startup_32[];
extern "C" [[gnu::visibility("hidden")]] char _stage_checked_end[];
// With copy_bytes != 0, first copies [copy_from, + copy_bytes) to
// copy_to, in long mode (copy_to may lie above 4 GiB).
extern "C" [[noreturn]] void HandOff64(uint32_t entry_low, uint32_t entry_high,
                                       uint32_t boot_params, uint32_t pml4, uint32_t copy_from,
                                       uint32_t copy_to_low, uint32_t copy_to_high,
                                       uint32_t copy_bytes);

namespace bzelf {
namespace {

uint64_t Phys(const void* p) { return reinterpret_cast<uintptr_t>(p); }

void UseBuiltinCmdline(boot_params* bp, uintptr_t base, const StageParams& params) {
  const uint64_t ptr = CmdlineAddress(*bp);
  // One above 4 GiB (startup_64 copies those below, but a loader's
  // pointer may still reach past 4 GiB) is out of reach: it counts as
  // given, the kernel reads it itself.
  bool loader_gave_one =
      ptr != 0 && (ptr >= k4GiB || *reinterpret_cast<const char*>(static_cast<uintptr_t>(ptr)) != 0);
  if (loader_gave_one || params.cmdline_size == 0) return;
  // The built-in command line stays in the image, which the kernel's
  // memory plan already avoids.
  bp->hdr.cmd_line_ptr = static_cast<uint32_t>(base + params.cmdline_offset);
  bp->ext_cmd_line_ptr = 0;
}

// What the planner keeps clear of: everything the loader handed over, and
// the stage.
Failure InitPlan(const boot_params* bp, uintptr_t base, const StageParams& params,
                 MemoryPlan& plan) {
  const StageExtent stage{base, params.file_size, params.arena_offset, params.arena_size};
  return ToFailure(plan.Init(*bp, Phys(bp), PhysicalMemory{}, stage));
}

// The command line the kernel will get: the loader's, else the built-in
// one (UseBuiltinCmdline); nullptr when neither (or one out of reach).
const char* EffectiveCmdline(const boot_params* bp, uintptr_t base, const StageParams& params) {
  const uint64_t ptr = CmdlineAddress(*bp);
  if (ptr >= k4GiB) return nullptr;
  const char* loader = reinterpret_cast<const char*>(static_cast<uintptr_t>(ptr));
  if (ptr != 0 && *loader != 0) return loader;
  if (params.cmdline_size == 0) return loader;
  return reinterpret_cast<const char*>(base + params.cmdline_offset);
}

// Where Linux's relocation table inflates: RAM clear of everything kept
// and of the kernel's memory, p_memsz included (the table follows the
// ELF's last byte in the payload, but must not land on the bss after the
// last segment's file bytes). Read once the kernel is in, then left.
Failure FindTableBuffer(const MemoryPlan& plan, const StageParams& params,
                        const StageSegment* segments, uint8_t** table) {
  *table = nullptr;
  if (params.reloc_source != static_cast<uint8_t>(RelocSource::kTable)) return {};
  Range kernel[kMaxSegments];
  for (unsigned i = 0; i < params.segment_count; ++i) {
    kernel[i] = {segments[i].paddr, segments[i].paddr + segments[i].memsz};
  }
  const uint64_t at = plan.FindFree(params.reloc_bytes, kPageSize, k1MiB, k4GiB, kernel,
                                    params.segment_count);
  if (at == 0) {
    return Fail("memory", Message() << "no room for the kernel's relocation table ("
                                    << Dec{params.reloc_bytes} << " bytes)");
  }
  *table = reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(at));
  return {};
}

// Kernels that live where the loader put us (most hobby kernels load at
// 1 MiB, exactly where QEMU and GRUB put part 5) need the stage out of the
// way first: copy it where the planner said and start over there, through
// the 32-bit entry, as if a loader had put it there. Only the stage moves
// (its code and the compressed payload); the kernel is still written once.
[[noreturn]] void MoveAndRestart(boot_params* bp, uintptr_t base, const StageParams& params,
                                 uintptr_t to) {
  bp = MoveStage(base, to, params, bp);
  const uintptr_t entry = reinterpret_cast<uintptr_t>(startup_32) - base + to;
  HandOff32(static_cast<uint32_t>(entry), static_cast<uint32_t>(Phys(bp)));
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
  if (Failure f = CheckParams(params)) Panic(f);
  // The real-mode setup checks the CPU too, but 32- and 64-bit loaders and
  // PVH never run it. Before anything is planned or written.
  const CpuFeatures cpu = ReadCpuFeatures(HardwareCpu{});
  if (Failure f = CheckCpu(cpu, params.kernel_class, params.isa_needed)) Panic(f);
  MemoryPlan plan;
  if (Failure f = InitPlan(bp, base, params, plan)) Panic(f);
  KernelMove move;
  KernelStaging staging;
  if (Failure f = ChooseKernelMove(bp, params, plan, EffectiveCmdline(bp, base, params), cpu,
                                &move, &staging)) {
    Panic(f);
  }
  // Where the stage writes and relocates the kernel: its place, or below
  // 4 GiB for one copied up at the hand-off.
  const KernelMove written = staging.Written(KaslrKernelFor(params), move);
  StageSegment segments[kMaxSegments];
  MovedSegments(params, written, segments);
  // Every kernel segment's destination checked, and whether the stage
  // moves out of the way (PlanKernel).
  KernelPlan kernel;
  if (Failure f = ToFailure(PlanKernel(plan, segments, params.segment_count, &kernel))) Panic(f);
  if (kernel.move_stage) MoveAndRestart(bp, base, params, static_cast<uintptr_t>(kernel.stage_to));
  // Here every kernel segment is known to be writable RAM clear of
  // everything kept, the stage included.
  uint8_t* table;
  if (Failure f = FindTableBuffer(plan, params, segments, &table)) Panic(f);
  UseBuiltinCmdline(bp, base, params);
  uint8_t* arena = reinterpret_cast<uint8_t*>(base + params.arena_offset);
  if (Failure f = LoadKernel(base, params, cpu, segments, arena + kArenaScratchOffset, table)) {
    Panic(f);
  }
  if (Failure f = ApplyRelocations(params, written, segments, table)) Panic(f);

  const uint64_t entry = params.entry + move.phys_move;
  uint32_t bp_addr = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(bp));
  if (params.kernel_class == elf::ELFCLASS32) {
    HandOff32(static_cast<uint32_t>(entry), bp_addr);
  }
  // The first 4 GiB, where everything else the stage accepts lies, and
  // the GiB a kernel copied above 4 GiB runs in (kArenaPageTablesSize).
  IdentityMap map(arena + kArenaPageTablesOffset, kArenaPageTablesSize / kPageSize);
  bool mapped = true;
  for (uint64_t gib = 0; gib < 4; ++gib) mapped = mapped && map.MapGiB(gib << 30);
  if (staging.copy) {
    const uint64_t last = staging.final_base + staging.size - 1;
    for (uint64_t at = staging.final_base >> 30; at <= last >> 30; ++at) {
      mapped = mapped && map.MapGiB(at << 30);
    }
  }
  if (!mapped) Panic("memory", "the identity map does not fit its pages");
  const uint32_t copy_bytes = staging.copy ? static_cast<uint32_t>(staging.size) : 0;
  HandOff64(static_cast<uint32_t>(entry), static_cast<uint32_t>(entry >> 32), bp_addr,
            static_cast<uint32_t>(map.Root()), static_cast<uint32_t>(staging.temp_base),
            static_cast<uint32_t>(staging.final_base),
            static_cast<uint32_t>(staging.final_base >> 32), copy_bytes);
}
