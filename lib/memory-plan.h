// The memory planner: the one answer, for every entry path, to "is this
// range usable", "where can N bytes go" and "which kernel segments
// collide". The real-mode setup asks it where part 5 may be loaded from a
// disk, startup_64 where the stage goes below 4 GiB, the 32-bit stage
// whether the kernel fits and where the stage moves out of its way.
//
// Usable means: below 4 GiB (the stage writes with paging off), RAM by the
// memory map (E820Map: adjacent and overlapping RAM entries count as one
// range, any other type inside wins), and clear of everything the planner
// keeps: the BIOS data area, boot_params, the command line, the initrd,
// every setup_data node, and the stage with its arena.
//
// Planning never halts: every answer is a value, and a PlanError says what
// went wrong in terms a halt line can print (Describe). Only a stage's
// top-level main turns one into "bzelf: ... -- System halted". Memory is
// read through a `Memory` parameter (see e820-map.h), so that host tests
// run the same code over fake memory.
#pragma once

#include <stdint.h>

#include "boot-params.h"
#include "e820-map.h"
#include "efi-memory-descriptor.h"
#include "message.h"
#include "stage-params.h"

namespace bzelf {

inline constexpr uint64_t k4GiB = 0x1'0000'0000ull;
inline constexpr uint64_t k1MiB = 0x10'0000;
inline constexpr uint64_t kPageSize = 4096;

// [start, end), end exclusive.
struct Range {
  uint64_t start = 0;
  uint64_t end = 0;

  bool Overlaps(const Range& other) const { return start < other.end && other.start < end; }
};

inline Range DescriptorRange(const efi::EFI_MEMORY_DESCRIPTOR& d) {
  return {d.PhysicalStart, d.PhysicalStart + d.NumberOfPages * efi::EFI_PAGE_SIZE};
}

// Where the EFI memory map lies that an EFI loader left in
// boot_params.efi_info (signature "EL64" or "EL32", as Linux accepts
// them: arch/x86/boot/compressed/kaslr.c, process_efi_entries), and how
// far apart its descriptors are; false when efi_info carries none.
bool EfiMemmapOf(const linuxboot::boot_params& bp, Range* at, uint32_t* descriptor_size);

// What the planner keeps clear of, in the words the halt line uses.
enum class Kept : uint8_t {
  kBiosData,
  kBootParams,
  kCmdline,
  kInitrd,
  kEfiMemmap,   // the memory map efi_info points at (Linux reads it)
  kSetupData,
  kStage,       // part 5's file bytes
  kStageArena,  // its working memory
};
const char* KeptName(Kept kept);

// Where part 5 is and what it occupies; all zero when there is no stage
// yet (the real-mode setup before it loads part 5).
struct StageExtent {
  uint64_t base = 0;
  uint32_t file_size = 0;
  uint32_t arena_offset = 0;
  uint32_t arena_size = 0;

  uint64_t Size() const { return uint64_t{arena_offset} + arena_size; }
  Range All() const { return {base, base + Size()}; }
  Range Arena() const { return {base + arena_offset, base + Size()}; }
};

struct PlanError {
  enum class Kind : uint8_t {
    kNone,
    kNoMemoryMap,      // value: e820_entries
    kSetupDataLoop,    // value: the node the walk gave up at
    kTooManyKept,
    kBadSegment,       // index: filesz > memsz, or an end past 2^64
    kNotBelow4G,       // subject index at range
    kNotRam,           // subject index at range
    kOverlaps,         // subject index at range, and kept at kept_range
    kNoRoomToMove,     // range: the stage; value: the bytes it needs
    kNoRoomBelow4G,    // value: the bytes the stage needs
    kBadAlignment,     // value: a kernel's alignment, not a power of two
    kNotFree,          // subject at range: not RAM, or touching something kept
    kNoRoomToStage,    // range: a kernel's place above 4 GiB; value: its bytes
  };
  Kind kind = Kind::kNone;
  const char* subject = nullptr;  // "kernel segment", "part 5"
  int index = -1;            // the subject's number, -1 for none
  Range range;
  Kept kept = Kept::kBiosData;
  Range kept_range;
  uint64_t value = 0;

  explicit operator bool() const { return kind != Kind::kNone; }
};

// The halt line's <what> for an error ("memory", "setup_data", "kernel").
const char* Area(const PlanError& error);
// The halt line's <detail>.
void Describe(const PlanError& error, Message& out);
// Both, for a stage's main to print.
Failure ToFailure(const PlanError& error);

class MemoryPlan {
 public:
  // The fixed ranges (at most 7), a whole setup_data list with what each
  // node may point at (SETUP_INDIRECT), and the part below 4 GiB of a
  // node that cannot be read.
  static constexpr int kMaxKept = 8 + 2 * kMaxSetupDataNodes;

  MemoryPlan() = default;
  MemoryPlan(const MemoryPlan&) = delete;  // map_ may point into itself
  MemoryPlan& operator=(const MemoryPlan&) = delete;

  // Reads the memory map and what to keep clear of from `bp`, which lies
  // at physical `bp_addr`; `stage` is kept too. setup_data nodes that
  // `memory` cannot map end the walk: such a node starting below 4 GiB is
  // kept up to 4 GiB, since nothing says how long it is.
  template <typename Memory>
  PlanError Init(const linuxboot::boot_params& bp, uint64_t bp_addr, const Memory& memory,
                 const StageExtent& stage);

  // Whether `range` may be written: below 4 GiB, RAM, and touching
  // nothing kept. `subject` and `index` name it in the error. With
  // `stage_may_move`, what moves with the stage (MovesWithStage) does not
  // count: the stage can get out of the way.
  PlanError Check(Range range, const char* subject, int index,
                  bool stage_may_move = false) const;

  // True when `range` touches the stage or its arena.
  bool TouchesStage(Range range) const { return range.Overlaps(stage_.All()); }

  // The lowest address that is a multiple of `align` (a power of two), at
  // or above `floor`, where `size` bytes end at or below `ceiling`, are
  // RAM and touch nothing kept and none of `avoid`; 0 when there is none.
  uint64_t FindFree(uint64_t size, uint64_t align, uint64_t floor, uint64_t ceiling,
                    const Range* avoid, int avoid_count) const;

  // Calls f(Range) for every maximal range inside [floor, ceiling) that
  // is RAM and touches nothing kept and none of `avoid`, lowest first.
  template <typename F>
  void ForEachFree(uint64_t floor, uint64_t ceiling, const Range* avoid, int avoid_count,
                   F f) const {
    for (uint64_t from = floor;;) {
      const uint64_t start = NextFreeStart(from, ceiling, avoid, avoid_count);
      if (start >= ceiling) return;
      from = FreeEnd(start, ceiling, avoid, avoid_count);
      // A range that ends where it starts would be found again: the walk
      // must move on (it always does while the two helpers agree).
      if (from == start) return;
      f(Range{start, from});
    }
  }

  const E820Map& map() const { return map_; }
  // The EFI memory map of efi_info (EfiMemmapOf), when `memory` could
  // read it all; else an empty one.
  const EfiMemoryMap& efi_map() const { return efi_map_; }
  const StageExtent& stage() const { return stage_; }

 private:
  // The lowest address at or above `from` and below `ceiling` where a
  // free range starts; `ceiling` when there is none.
  uint64_t NextFreeStart(uint64_t from, uint64_t ceiling, const Range* avoid,
                         int avoid_count) const;
  // Where the free range from `start` ends (at most `ceiling`).
  uint64_t FreeEnd(uint64_t start, uint64_t ceiling, const Range* avoid, int avoid_count) const;
  struct KeptRange {
    Range range;
    Kept kept;
  };

  // Part 5, its arena, and boot_params or a command line in the arena's
  // two data pages (lib/stage-move.h carries those along); nothing else
  // the loader put inside the arena (an initrd, setup_data) does.
  bool MovesWithStage(const KeptRange& k) const;
  // The arena is written from the start, before any check could run: it
  // must be RAM and clear of what the loader handed over. boot.rst has
  // the loader leave init_size free from part 5 on; not all do (Limine
  // ignores init_size).
  PlanError CheckArena() const;
  PlanError InitFixed(const linuxboot::boot_params& bp, uint64_t bp_addr, uint64_t cmdline_bytes,
                      const StageExtent& stage);
  bool Keep(uint64_t start, uint64_t size, Kept kept);
  bool IsClear(Range range, const Range* avoid, int avoid_count) const;

  E820Map map_;
  EfiMemoryMap efi_map_;
  StageExtent stage_;
  KeptRange kept_[kMaxKept] = {};
  int kept_count_ = 0;
  bool overflow_ = false;
};

// Memory that can be read only in a few ranges: what a 64-bit loader's
// identity map is known to cover (boot.rst, "64-bit boot protocol": part
// 5 and init_size from it, boot_params, the command line).
class RangeMemory {
 public:
  void Add(uint64_t start, uint64_t size) {
    if (count_ == kMax) return;
    const uint64_t end = start + size < start ? ~uint64_t{0} : start + size;
    ranges_[count_++] = {start, end};
  }
  const void* Map(uint64_t addr, uint64_t size) const {
    for (int i = 0; i < count_; ++i) {
      const Range& r = ranges_[i];
      if (addr >= r.start && addr <= r.end && size <= r.end - addr) {
        return reinterpret_cast<const void*>(static_cast<uintptr_t>(addr));
      }
    }
    return nullptr;
  }

 private:
  static constexpr int kMax = 4;
  Range ranges_[kMax];
  int count_ = 0;
};

// The command line's address from boot_params (cmd_line_ptr and, for
// 64-bit loaders, ext_cmd_line_ptr); 0 when there is none.
uint64_t CmdlineAddress(const linuxboot::boot_params& bp);
// The initrd's address and size from boot_params: ramdisk_image and
// ramdisk_size, with ext_ramdisk_image and ext_ramdisk_size (0x0c0,
// 0x0c4) as their high 32 bits, which a 64-bit loader may set (boot.rst);
// size 0 when there is none.
uint64_t InitrdAddress(const linuxboot::boot_params& bp);
uint64_t InitrdSize(const linuxboot::boot_params& bp);
// The most bytes a command line may have without its NUL: cmdline_size, or
// 255 before protocol 2.06 added that field (boot.rst).
uint32_t CmdlineLimit(const linuxboot::boot_params& bp);

// The bytes of the command line at `addr`, its NUL included: up to the
// NUL or CmdlineLimit() bytes. One that `memory` cannot read all of
// counts as the longest it may be.
template <typename Memory>
uint64_t CmdlineBytes(const linuxboot::boot_params& bp, uint64_t addr, const Memory& memory) {
  const uint32_t limit = CmdlineLimit(bp);
  const auto* text = static_cast<const char*>(memory.Map(addr, uint64_t{limit} + 1));
  uint32_t n = 0;
  if (text == nullptr) return uint64_t{limit} + 1;
  while (n < limit && text[n] != 0) ++n;
  return n + 1;
}

template <typename Memory>
PlanError MemoryPlan::Init(const linuxboot::boot_params& bp, uint64_t bp_addr,
                           const Memory& memory, const StageExtent& stage) {
  const uint64_t cmdline = CmdlineAddress(bp);
  if (PlanError e = InitFixed(bp, bp_addr, cmdline ? CmdlineBytes(bp, cmdline, memory) : 0, stage)) {
    return e;
  }
  Range efi;
  uint32_t descriptor_size;
  if (EfiMemmapOf(bp, &efi, &descriptor_size)) {
    if (const void* map = memory.Map(efi.start, efi.end - efi.start)) {
      efi_map_ = EfiMemoryMap(map, efi.end - efi.start, descriptor_size);
    }
  }
  // Every node is kept, and what a SETUP_INDIRECT node points at, as
  // Linux keeps them (linuxboot::setup_indirect); a SETUP_E820_EXT node
  // lends the map its entries (E820Map::AddExtensions says which it takes).
  const SetupDataWalk walk = map_.AddExtensions(
      SetupDataHead(bp), memory, [&](uint64_t node, const linuxboot::setup_data& sd) {
        Keep(node, sizeof(sd) + uint64_t{sd.len}, Kept::kSetupData);
        if (sd.type != linuxboot::SETUP_INDIRECT || sd.len < sizeof(linuxboot::setup_indirect)) {
          return;
        }
        const void* data = memory.Map(node + sizeof(sd), sizeof(linuxboot::setup_indirect));
        if (data == nullptr) return;
        const linuxboot::setup_indirect si =
            *static_cast<const linuxboot::setup_indirect*>(data);  // packed: copy
        if (si.type != linuxboot::SETUP_INDIRECT) Keep(si.addr, si.len, Kept::kSetupData);
      }).walk;
  if (walk.gave_up) {
    PlanError e;
    e.kind = PlanError::Kind::kSetupDataLoop;
    e.value = walk.stopped_at;
    return e;
  }
  // A node out of reach: a 64-bit loader may put the list above 4 GiB,
  // where the 32-bit stage can neither read nor write, or outside what
  // its identity map covers. Kept up to 4 GiB when it starts below; a
  // node above may still link back below 4 GiB, a risk taken because the
  // loaders that put nodes high (kexec's bzImage64, kexec_file_load) put
  // the whole list there, next to boot_params.
  if (walk.stopped_at != 0 && walk.stopped_at < k4GiB) {
    Keep(walk.stopped_at, k4GiB - walk.stopped_at, Kept::kSetupData);
  }
  if (overflow_) {
    PlanError e;
    e.kind = PlanError::Kind::kTooManyKept;
    return e;
  }
  return CheckArena();
}

// What the stage does before it inflates the kernel (PlanKernel).
struct KernelPlan {
  bool move_stage = false;
  uint64_t stage_to = 0;  // where part 5 goes when it moves
};

// Checks every kernel segment's destination (Check, with the stage free to
// move) and, when a segment covers the stage or its arena, finds where the
// stage goes instead (StageHome). The kernel is never moved: its bytes are
// written once, at their physical address.
PlanError PlanKernel(const MemoryPlan& plan, const StageSegment* segments, unsigned count,
                     KernelPlan* out);

// Where the stage (part 5 and its arena, `size` bytes) can run: page
// aligned, at or above 1 MiB, below 4 GiB, clear of everything kept and of
// every kernel segment; 0 when there is no such place.
uint64_t StageHome(const MemoryPlan& plan, const StageSegment* segments, unsigned count,
                   uint64_t size);

}  // namespace bzelf
