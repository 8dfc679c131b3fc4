#include "kernel-place.h"

#include "console.h"
#include "entropy-x86.h"
#include "kaslr.h"
#include "relocate.h"

namespace bzelf {

namespace {

// The place KASLR draws for a kernel that can move.
Failure ChooseRandomMove(linuxboot::boot_params* bp, const StageParams& params,
                         const MemoryPlan& plan, const KaslrKernel& kernel,
                         const KaslrOptions& options, const CpuFeatures& cpu, KernelMove* move) {
  // Linux hashes its build string and boot_params; the image's parameters
  // (its CRC32 and the kernel's segments among them) stand for the build.
  const uint32_t seed = BootSeed(&params, sizeof params, *bp);
  X86Entropy hw(cpu);
  SeededEntropy fixed(options.seed);
  auto draw = [&]() -> uint32_t {
    return options.has_seed ? KaslrRandom(seed, fixed) : KaslrRandom(seed, hw);
  };
  KernelPlace place;
  if (PlanError e = ChooseKernelPlace(plan, kernel, options, nullptr, 0, draw, &place)) {
    return ToFailure(e);
  }
  move->phys_move = place.phys_base - kernel.link_base;
  move->virt_offset = kernel.virt == KaslrVirtual::kWindow ? place.virt_offset : 0;
  if (place.kaslr_flag && static_cast<RelocSource>(params.reloc_source) == RelocSource::kTable) {
    bp->hdr.loadflags |= linuxboot::KASLR_FLAG;
  }
  if (place.how == KaslrHow::kNoSlot || place.how == KaslrHow::kMemmapLimit ||
      place.how == KaslrHow::kLowest) {
    ConsoleNote("kaslr", Message() << KaslrHowName(place.how) << " " << Hex{place.phys_base}
                                   << " for the kernel (" << Hex{kernel.size} << " bytes)");
  }
  return {};
}

}  // namespace

Failure ChooseKernelMove(linuxboot::boot_params* bp, const StageParams& params,
                         const MemoryPlan& plan, const char* cmdline, const CpuFeatures& cpu,
                         KernelMove* move, KernelStaging* staging) {
  *move = FixedMove(params);
  const KaslrKernel kernel = KaslrKernelFor(params);
  const KaslrOptions options = ParseKaslrOptions(cmdline, CmdlineLimit(*bp) + 1);
  if (kernel.movable) {
    if (Failure f = ChooseRandomMove(bp, params, plan, kernel, options, cpu, move)) return f;
  }
  if (Failure f = CheckMove(params, *move)) return f;
  // A place above 4 GiB: written and relocated below, clear of the
  // memmap= ranges too, and copied up at the hand-off.
  return ToFailure(
      PlanKernelStaging(plan, kernel, *move, options.memmap, options.memmap_count, staging));
}

}  // namespace bzelf
