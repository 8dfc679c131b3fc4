#include "kernel-place.h"

#include "console.h"
#include "entropy-x86.h"
#include "kaslr.h"

namespace bzelf {
namespace {

// The kernel as KASLR sees it, from what `bzelf build` recorded.
KaslrKernel KernelFor(const StageParams& p) {
  KaslrKernel k;
  const auto source = static_cast<RelocSource>(p.reloc_source);
  // A placement fixed at build time wins over a random one.
  k.movable = source != RelocSource::kNone && p.load_address == 0 && p.virt_offset == 0;
  k.link_base = KernelLinkBase(p);
  uint64_t end = k.link_base;
  for (unsigned i = 0; i < p.segment_count; ++i) {
    const uint64_t e = p.segments[i].paddr + p.segments[i].memsz;
    if (e > end) end = e;
  }
  k.size = end - k.link_base;
  k.align = p.move_align;
  // The stage writes the kernel with paging off: below 4 GiB.
  k.ceiling = k4GiB;
  if (source == RelocSource::kTable) {
    // Linux: never below its link address (LOAD_PHYSICAL_ADDR); x86_64
    // moves virtually on its own inside KERNEL_IMAGE_SIZE, i386's virtual
    // addresses follow the physical ones and its image stays below
    // KERNEL_IMAGE_SIZE.
    k.floor = k.link_base;
    if (p.kernel_class == elf::ELFCLASS64) {
      k.virt = KaslrVirtual::kWindow;
      k.virt_window = kLinuxKernelImageSize64;
    } else {
      k.virt = KaslrVirtual::kFollows;
      k.ceiling = kLinuxKernelImageSize32;
    }
  } else {
    k.virt = KaslrVirtual::kFollows;  // identity-mapped PIE kernels
  }
  return k;
}

}  // namespace

Failure ChooseKernelMove(linuxboot::boot_params* bp, const StageParams& params,
                         const MemoryPlan& plan, const char* cmdline, const CpuFeatures& cpu,
                         KernelMove* move) {
  *move = FixedMove(params);
  const KaslrKernel kernel = KernelFor(params);
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
