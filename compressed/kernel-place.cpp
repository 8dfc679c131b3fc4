#include "kernel-place.h"

#include "console.h"
#include "entropy-x86.h"
#include "kaslr.h"

namespace bzelf {

Failure ChooseKernelMove(linuxboot::boot_params* bp, const StageParams& params,
                         const MemoryPlan& plan, const char* cmdline, const CpuFeatures& cpu,
                         KernelMove* move) {
  *move = FixedMove(params);
  const KaslrKernel kernel = KaslrKernelFor(params);
  if (!kernel.movable) return {};
  const KaslrOptions options = ParseKaslrOptions(cmdline, CmdlineLimit(*bp) + 1);
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

}  // namespace bzelf
