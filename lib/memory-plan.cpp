#include "memory-plan.h"

namespace bzelf {

using linuxboot::boot_params;

namespace {

// The real-mode interrupt vector table and BIOS data area: firmware state
// a kernel may still want to read (Linux reads the EBDA pointer from it).
constexpr uint64_t kBiosDataEnd = 0x500;

PlanError At(PlanError::Kind kind, Range range, const char* subject, int index) {
  PlanError e;
  e.kind = kind;
  e.range = range;
  e.subject = subject;
  e.index = index;
  return e;
}

}  // namespace

const char* KeptName(Kept kept) {
  // A switch, not a table of pointers: the stage is position-independent
  // and has nobody to relocate a table.
  switch (kept) {
    case Kept::kBiosData: return "the BIOS data area";
    case Kept::kBootParams: return "boot_params";
    case Kept::kCmdline: return "the command line";
    case Kept::kInitrd: return "the initrd";
    case Kept::kEfiMemmap: return "the EFI memory map";
    case Kept::kSetupData: return "setup_data";
    case Kept::kStage: return "the boot stage";
    case Kept::kStageArena: return "the boot stage's memory";
  }
  return "?";
}

const char* Area(const PlanError& error) {
  switch (error.kind) {
    case PlanError::Kind::kSetupDataLoop: return "setup_data";
    case PlanError::Kind::kBadSegment:
    case PlanError::Kind::kBadAlignment: return "kernel";
    default: return "memory";
  }
}

void Describe(const PlanError& e, Message& out) {
  using Kind = PlanError::Kind;
  auto subject = [&] {
    out << e.subject << " ";
    if (e.index >= 0) out << Dec{static_cast<uint64_t>(e.index)} << " ";
    out << "at " << Hex{e.range.start} << "-" << Hex{e.range.end};
  };
  switch (e.kind) {
    case Kind::kNone: out << "no error"; break;
    case Kind::kNoMemoryMap:
      out << "boot_params has no usable memory map (e820_entries=" << Dec{e.value}
          << ", no E801/88h sizes either)";
      break;
    case Kind::kSetupDataLoop:
      out << "list node at " << Hex{e.value} << ": the list does not end";
      break;
    case Kind::kTooManyKept: out << "too many reserved ranges"; break;
    case Kind::kBadSegment:
      out << "segment " << Dec{static_cast<uint64_t>(e.index)} << " has filesz > memsz";
      break;
    case Kind::kNotBelow4G: subject(); out << " is not below 4 GiB"; break;
    case Kind::kNotRam: subject(); out << " is not RAM in the E820 map"; break;
    case Kind::kOverlaps:
      subject();
      out << " overlaps " << KeptName(e.kept) << " at " << Hex{e.kept_range.start} << "-"
          << Hex{e.kept_range.end};
      break;
    case Kind::kNoRoomToMove:
      out << "the kernel overlaps the boot stage at " << Hex{e.range.start}
          << " and there is no free RAM to move the stage to (" << Dec{e.value} << " bytes)";
      break;
    case Kind::kNoRoomBelow4G: out << "no room below 4 GiB for the boot stage"; break;
    case Kind::kNotFree: subject(); out << " is not free RAM"; break;
    case Kind::kNoRoomToStage:
      out << "no room below 4 GiB to write the kernel (" << Dec{e.value}
          << " bytes) before it is copied to " << Hex{e.range.start} << "-" << Hex{e.range.end};
      break;
    case Kind::kBadAlignment:
      out << "alignment " << Hex{e.value} << " is not a power of two";
      break;
  }
}

Failure ToFailure(const PlanError& error) {
  Failure f;
  if (error) {
    f.what = Area(error);
    Describe(error, f.detail);
  }
  return f;
}

uint64_t CmdlineAddress(const boot_params& bp) {
  return bp.hdr.cmd_line_ptr | (uint64_t{bp.ext_cmd_line_ptr} << 32);
}

uint64_t InitrdAddress(const boot_params& bp) {
  return bp.hdr.ramdisk_image | (uint64_t{bp.ext_ramdisk_image} << 32);
}

uint64_t InitrdSize(const boot_params& bp) {
  return bp.hdr.ramdisk_size | (uint64_t{bp.ext_ramdisk_size} << 32);
}

uint32_t CmdlineLimit(const boot_params& bp) {
  return bp.hdr.version >= linuxboot::kProtocolCmdlineSize ? bp.hdr.cmdline_size
                                                          : linuxboot::kOldCmdlineSize;
}

bool EfiMemmapOf(const boot_params& bp, Range* at, uint32_t* descriptor_size) {
  linuxboot::efi_info efi;
  __builtin_memcpy(&efi, bp.efi_info, sizeof efi);
  if ((efi.efi_loader_signature != linuxboot::EFI64_LOADER_SIGNATURE &&
       efi.efi_loader_signature != linuxboot::EFI32_LOADER_SIGNATURE) ||
      efi.efi_memmap_size == 0) {
    return false;
  }
  const uint64_t start = efi.efi_memmap | (uint64_t{efi.efi_memmap_hi} << 32);
  // A map that wraps past 2^64 runs to its end.
  const uint64_t end = start + efi.efi_memmap_size;
  *at = {start, end < start ? ~uint64_t{0} : end};
  *descriptor_size = efi.efi_memdesc_size;
  return true;
}

bool MemoryPlan::Keep(uint64_t start, uint64_t size, Kept kept) {
  if (kept_count_ == kMaxKept) {
    overflow_ = true;
    return false;
  }
  // A range that wraps past 2^64 keeps everything from its start.
  const uint64_t end = start + size < start ? ~uint64_t{0} : start + size;
  kept_[kept_count_++] = {{start, end}, kept};
  return true;
}

PlanError MemoryPlan::InitFixed(const boot_params& bp, uint64_t bp_addr, uint64_t cmdline_bytes,
                                const StageExtent& stage) {
  kept_count_ = 0;
  efi_map_ = EfiMemoryMap();
  overflow_ = false;
  stage_ = stage;
  if (!map_.SetBase(bp)) {
    PlanError e;
    e.kind = PlanError::Kind::kNoMemoryMap;
    e.value = bp.e820_entries;
    return e;
  }
  Keep(0, kBiosDataEnd, Kept::kBiosData);
  Keep(bp_addr, sizeof(boot_params), Kept::kBootParams);
  if (stage.Size() != 0) {
    Keep(stage.base, stage.file_size, Kept::kStage);
    Keep(stage.base + stage.arena_offset, stage.arena_size, Kept::kStageArena);
  }
  if (cmdline_bytes != 0) Keep(CmdlineAddress(bp), cmdline_bytes, Kept::kCmdline);
  if (InitrdSize(bp) != 0) Keep(InitrdAddress(bp), InitrdSize(bp), Kept::kInitrd);
  // An EFI loader (our stub, GRUB's EFI linux, Linux's own stub under
  // kexec) leaves the final EFI memory map where efi_info says, in loader
  // data that E820 calls RAM; Linux reserves and reads it at boot
  // (arch/x86/platform/efi/efi.c, efi_memblock_x86_reserve_range).
  Range efi;
  uint32_t descriptor_size;
  if (EfiMemmapOf(bp, &efi, &descriptor_size)) {
    Keep(efi.start, efi.end - efi.start, Kept::kEfiMemmap);
  }
  return {};
}

bool MemoryPlan::MovesWithStage(const KeptRange& k) const {
  if (k.kept == Kept::kStage || k.kept == Kept::kStageArena) return true;
  if (stage_.Size() == 0 || (k.kept != Kept::kBootParams && k.kept != Kept::kCmdline)) {
    return false;
  }
  const uint64_t pages = stage_.Arena().start + kArenaZeroPageOffset;
  return pages <= k.range.start && k.range.end <= stage_.All().end;
}

PlanError MemoryPlan::CheckArena() const {
  if (stage_.Size() == 0) return {};
  const Range arena = stage_.Arena();
  const char* subject = KeptName(Kept::kStageArena);
  if (!map_.IsRam(arena.start, arena.end)) {
    return At(PlanError::Kind::kNotRam, arena, subject, -1);
  }
  for (int i = 0; i < kept_count_; ++i) {
    const KeptRange& k = kept_[i];
    if (!MovesWithStage(k) && k.range.Overlaps(arena)) {
      PlanError e = At(PlanError::Kind::kOverlaps, arena, subject, -1);
      e.kept = k.kept;
      e.kept_range = k.range;
      return e;
    }
  }
  return {};
}

PlanError MemoryPlan::Check(Range range, const char* subject, int index,
                            bool stage_may_move) const {
  if (range.end < range.start || range.end > k4GiB) {
    return At(PlanError::Kind::kNotBelow4G, range, subject, index);
  }
  if (range.start == range.end) return {};  // nothing is written
  if (!map_.IsRam(range.start, range.end)) {
    return At(PlanError::Kind::kNotRam, range, subject, index);
  }
  for (int i = 0; i < kept_count_; ++i) {
    const KeptRange& k = kept_[i];
    if (stage_may_move && MovesWithStage(k)) continue;
    if (k.range.Overlaps(range)) {
      PlanError e = At(PlanError::Kind::kOverlaps, range, subject, index);
      e.kept = k.kept;
      e.kept_range = k.range;
      return e;
    }
  }
  return {};
}

}  // namespace bzelf
