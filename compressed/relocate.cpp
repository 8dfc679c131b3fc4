#include "relocate.h"

#include "dynamic-relocs.h"
#include "reloc-table.h"

namespace bzelf {
namespace {

// Paging is off: a physical address below 4 GiB is a pointer (the
// planner has checked every segment lies there).
struct KernelBytes {
  uint8_t* Bytes(uint64_t addr, uint64_t) const {
    return reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(addr));
  }
};

const char* ListName(RelocKind kind) {
  switch (kind) {
    case RelocKind::k64: return "64-bit";
    case RelocKind::kInverse32: return "inverse 32-bit";
    case RelocKind::k32: return "32-bit";
  }
  return "?";
}

Failure FaultFailure(const RelocFault& f) {
  return Fail("relocation", Message() << ListName(f.kind) << " entry " << Dec{f.index}
                                      << " would write at " << Hex{f.location}
                                      << ", outside the kernel");
}

}  // namespace

Failure CheckMove(const StageParams& params, const KernelMove& move) {
  const auto source = static_cast<RelocSource>(params.reloc_source);
  if (source != RelocSource::kNone && source != RelocSource::kTable &&
      source != RelocSource::kDynamic) {
    return Fail("image", Message() << "unknown relocation source " << Dec{params.reloc_source});
  }
  if (!move.Moves()) return {};
  if (source == RelocSource::kNone) {
    return Fail("relocation", "the kernel has no relocations: it cannot move");
  }
  // move_align is a power of two (the tool writes p_align or 2 MiB).
  const uint64_t align = params.move_align;
  if (align == 0 || (align & (align - 1)) != 0 || (move.phys_move & (align - 1)) != 0 ||
      (move.virt_offset & (align - 1)) != 0) {
    return Fail("relocation", Message() << "move by " << Hex{move.phys_move} << " (virtual "
                                        << Hex{move.virt_offset} << ") is not a multiple of "
                                        << Hex{align});
  }
  if (move.virt_offset != 0 &&
      (source != RelocSource::kTable || params.kernel_class != elf::ELFCLASS64)) {
    return Fail("relocation", "only an x86_64 Linux kernel moves virtually apart from physically");
  }
  return {};
}

Failure ApplyRelocations(const StageParams& params, const KernelMove& move,
                         const StageSegment* segments, const uint8_t* table) {
  const auto source = static_cast<RelocSource>(params.reloc_source);
  const RelocMove rm = RelocMoveFor(params, move);
  if (source == RelocSource::kNone) return {};
  if (source == RelocSource::kTable) {
    if (rm.delta == 0) return {};
    RelocTableParse p = ParseRelocTable(table, params.reloc_bytes, params.kernel_class);
    if (p.error != RelocTableError::kOk ||
        static_cast<uint8_t>(p.table.layout) != params.reloc_format) {
      return Fail("relocation", Message() << "the relocation table is damaged: "
                                          << RelocTableErrorString(p.error));
    }
    if (RelocFault f = ApplyRelocTable(table, p.table, rm, segments, params.segment_count,
                                       KernelBytes{})) {
      return FaultFailure(f);
    }
    return {};
  }
  // kDynamic: the entries lie in the kernel's memory, moved with it. They
  // are applied even where the kernel was linked: a linker need not have
  // written a RELA entry's value into its word (lld leaves it zero unless
  // --apply-dynamic-relocs).
  const uint64_t at = params.reloc_addr + move.phys_move;
  if (params.reloc_bytes != 0 &&
      !WordInSegments(at, params.reloc_bytes, segments, params.segment_count)) {
    return Fail("relocation", Message() << "the dynamic relocations at " << Hex{at}
                                        << " lie outside the kernel");
  }
  const auto format = static_cast<DynRelFormat>(params.reloc_format);
  if (RelocFault f = ApplyDynamicRelocs(KernelBytes{}.Bytes(at, params.reloc_bytes),
                                        params.reloc_bytes, format, rm, segments,
                                        params.segment_count, KernelBytes{})) {
    return FaultFailure(f);
  }
  return {};
}

}  // namespace bzelf
