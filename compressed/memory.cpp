#include "memory.h"

#include "console.h"

namespace bzelf {
namespace {

using linuxboot::boot_params;

constexpr uint64_t k4GiB = 0x1'0000'0000ull;
// The real-mode interrupt vector table and BIOS data area: firmware state
// a kernel may still want to read (Linux reads the EBDA pointer from it).
constexpr uint64_t kBiosDataEnd = 0x500;

// The stage runs with paging off: a physical address below 4 GiB is a
// pointer, and nothing above is within reach.
struct PhysicalMemory {
  const void* Map(uint64_t addr, uint64_t size) const {
    if (addr >= k4GiB || size > k4GiB - addr) return nullptr;
    return reinterpret_cast<const void*>(static_cast<uintptr_t>(addr));
  }
};

uint64_t CmdLineAddress(const boot_params* bp) {
  return bp->hdr.cmd_line_ptr | (static_cast<uint64_t>(bp->ext_cmd_line_ptr) << 32);
}

// Length of the command line with its NUL, bounded by cmdline_size (or the
// old protocols' limit before cmdline_size existed).
uint64_t CmdLineBytes(const boot_params* bp, uint64_t addr) {
  uint32_t limit = bp->hdr.version >= linuxboot::kProtocolCmdlineSize
                       ? bp->hdr.cmdline_size
                       : linuxboot::kOldCmdlineSize;
  if (addr >= k4GiB) return limit + 1;  // cannot read it; keep it all
  const char* p = reinterpret_cast<const char*>(static_cast<uintptr_t>(addr));
  uint32_t n = 0;
  while (n < limit && p[n] != 0) ++n;
  return n + 1;
}

}  // namespace

const char kStageRangeName[] = "the boot stage";
const char kArenaRangeName[] = "the boot stage's memory";

MemoryPlan::MemoryPlan(const boot_params* bp, uintptr_t stage_base,
                       const StageParams& params) {
  if (!map_.SetBase(*bp)) {
    Panic("memory", Message() << "boot_params has no usable memory map (e820_entries="
                              << Dec{bp->e820_entries} << ", no E801/88h sizes either)");
  }
  Reserve(0, kBiosDataEnd, "the BIOS data area");
  Reserve(reinterpret_cast<uintptr_t>(bp), sizeof(boot_params), "boot_params");
  stage_start_ = stage_base;
  stage_end_ = stage_base + uint64_t{params.arena_offset} + params.arena_size;
  Reserve(stage_base, params.file_size, kStageRangeName);
  Reserve(stage_base + params.arena_offset, params.arena_size, kArenaRangeName);
  if (uint64_t cmdline = CmdLineAddress(bp)) {
    Reserve(cmdline, CmdLineBytes(bp, cmdline), "the command line");
  }
  uint64_t initrd = bp->hdr.ramdisk_image | (static_cast<uint64_t>(bp->ext_ramdisk_image) << 32);
  uint64_t initrd_size = bp->hdr.ramdisk_size | (static_cast<uint64_t>(bp->ext_ramdisk_size) << 32);
  if (initrd_size != 0) Reserve(initrd, initrd_size, "the initrd");

  // setup_data is a linked list the loader built. Each node is reserved,
  // and a SETUP_E820_EXT node lends the memory map its entries (loaders put
  // entries beyond boot_params' 128 there). A node we cannot use for the
  // map (not in RAM, a length that is not whole entries) is ignored and
  // the base map used without it, rather than refusing to boot: Linux
  // ignores what it cannot use there too, and the base map alone is still
  // a correct map, if a shorter one.
  //
  // A 64-bit loader may put nodes above 4 GiB, where we can neither read
  // them nor write: the walk stops at the first one. A node that starts
  // below 4 GiB but whose header does not end there is kept clear up to
  // 4 GiB. Nothing else below 4 GiB is part of a node we cannot read, but
  // such a node may link back to one below 4 GiB, which then goes
  // unreserved. We accept that rather than leave 32-bit mode to follow the
  // list: loaders that put nodes high (kexec's bzImage64, Linux's
  // kexec_file_load) put the whole list there, next to boot_params.
  const SetupDataWalk walk = map_.AddExtensions(
      SetupDataHead(*bp), PhysicalMemory{}, [&](uint64_t node, const linuxboot::setup_data& sd) {
        Reserve(node, sizeof(sd) + sd.len, "setup_data");
      }).walk;
  if (walk.gave_up) {
    Panic("setup_data", Message() << "list node at " << Hex{walk.stopped_at}
                                  << ": the list does not end");
  }
  if (walk.stopped_at != 0 && walk.stopped_at < k4GiB) {
    Reserve(walk.stopped_at, k4GiB - walk.stopped_at, "setup_data");
  }
}

void MemoryPlan::Reserve(uint64_t start, uint64_t size, const char* name) {
  if (reserved_count_ == kMaxReserved) {
    Panic("memory", "too many reserved ranges");
  }
  reserved_[reserved_count_++] = Range{start, start + size, name};
}

bool MemoryPlan::Overlaps(uint64_t start, uint64_t end, const char* name) const {
  for (int i = 0; i < reserved_count_; ++i) {
    const Range& r = reserved_[i];
    if (r.name == name && r.start < end && start < r.end) return true;
  }
  return false;
}

bool MemoryPlan::IsFree(uint64_t start, uint64_t end, const Range* avoid,
                        int avoid_count) const {
  if (end > k4GiB) return false;
  for (int i = 0; i < reserved_count_; ++i) {
    if (reserved_[i].start < end && start < reserved_[i].end) return false;
  }
  for (int i = 0; i < avoid_count; ++i) {
    if (avoid[i].start < end && start < avoid[i].end) return false;
  }
  // Last: the map may hold over a thousand entries (SETUP_E820_EXT).
  return map_.IsRam(start, end);
}

uint64_t MemoryPlan::FindFree(uint64_t size, const Range* avoid, int avoid_count) const {
  constexpr uint64_t kPage = 4096, kLowest = 0x100000;
  auto page_up = [](uint64_t a) { return (a + kPage - 1) & ~(kPage - 1); };
  // A free block, if any, starts where RAM starts or where something in
  // the way ends; try those places, lowest first.
  uint64_t best = 0;
  auto consider = [&](uint64_t at) {
    at = page_up(at < kLowest ? kLowest : at);
    if ((best == 0 || at < best) && IsFree(at, at + size, avoid, avoid_count)) best = at;
  };
  map_.ForEach([&](const linuxboot::e820_entry& e) {
    if (e.type == linuxboot::E820_TYPE_RAM) consider(e.addr);
  });
  for (int i = 0; i < reserved_count_; ++i) consider(reserved_[i].end);
  for (int i = 0; i < avoid_count; ++i) consider(avoid[i].end);
  return best;
}

void MemoryPlan::CheckWritable(uint64_t start, uint64_t end, const char* what,
                               unsigned index, bool stage_may_move) const {
  if (end < start || end > k4GiB) {
    Panic("memory", Message() << what << " " << Dec{index} << " at " << Hex{start} << "-" << Hex{end} << " is not below 4 GiB");
  }
  if (!map_.IsRam(start, end)) {
    Panic("memory", Message() << what << " " << Dec{index} << " at " << Hex{start} << "-" << Hex{end} << " is not RAM in the E820 map");
  }
  for (int i = 0; i < reserved_count_; ++i) {
    const Range& r = reserved_[i];
    // What moves with the stage: itself, its arena, and what lives there
    // (the zero page it built for PVH, a command line startup_64 copied).
    if (stage_may_move && r.start >= stage_start_ && r.end <= stage_end_) continue;
    if (r.start < end && start < r.end) {
      Panic("memory", Message() << what << " " << Dec{index} << " at " << Hex{start} << "-" << Hex{end} << " overlaps " << r.name << " at " << Hex{r.start} << "-" << Hex{r.end});
    }
  }
}

}  // namespace bzelf
