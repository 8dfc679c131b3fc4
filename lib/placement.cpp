// Where things go: free room for N bytes, the kernel's segments checked
// and the stage's new place when they cover it. Apart from memory-plan.cpp
// so that the real-mode setup, which only checks a range, links none of
// it.
#include "memory-plan.h"

namespace bzelf {

bool MemoryPlan::IsClear(Range range, const Range* avoid, int avoid_count) const {
  for (int i = 0; i < kept_count_; ++i) {
    if (kept_[i].range.Overlaps(range)) return false;
  }
  for (int i = 0; i < avoid_count; ++i) {
    if (avoid[i].Overlaps(range)) return false;
  }
  // Last: the map may hold over a thousand entries (SETUP_E820_EXT).
  return map_.IsRam(range.start, range.end);
}

uint64_t MemoryPlan::FindFree(uint64_t size, uint64_t align, uint64_t floor, uint64_t ceiling,
                              const Range* avoid, int avoid_count) const {
  // A free block, if there is one, starts where RAM starts or where
  // something in the way ends (another type of entry, something kept,
  // something to avoid), or at the floor: try those places, each rounded
  // up, and keep the lowest that fits.
  uint64_t best = 0;
  auto consider = [&](uint64_t at) {
    if (at < floor) at = floor;
    if (at + (align - 1) < at) return;
    at = (at + align - 1) & ~(align - 1);
    if (size > ceiling || at > ceiling - size) return;
    if (best != 0 && at >= best) return;
    if (IsClear({at, at + size}, avoid, avoid_count)) best = at;
  };
  consider(floor);
  map_.ForEach([&](const linuxboot::e820_entry& e) {
    consider(e.type == linuxboot::E820_TYPE_RAM ? e.addr : e.addr + e.size);
  });
  for (int i = 0; i < kept_count_; ++i) consider(kept_[i].range.end);
  for (int i = 0; i < avoid_count; ++i) consider(avoid[i].end);
  return best;
}

uint64_t MemoryPlan::NextFreeStart(uint64_t from, uint64_t ceiling, const Range* avoid,
                                   int avoid_count) const {
  // A free range starts where RAM starts or where something in the way
  // ends (another type of entry, something kept, something to avoid), or
  // at `from` itself.
  uint64_t best = ceiling;
  auto consider = [&](uint64_t at) {
    if (at < from) at = from;
    if (at < best && IsClear({at, at + 1}, avoid, avoid_count)) best = at;
  };
  consider(from);
  map_.ForEach([&](const linuxboot::e820_entry& e) {
    consider(e.type == linuxboot::E820_TYPE_RAM ? e.addr : e.addr + e.size);
  });
  for (int i = 0; i < kept_count_; ++i) consider(kept_[i].range.end);
  for (int i = 0; i < avoid_count; ++i) consider(avoid[i].end);
  return best;
}

uint64_t MemoryPlan::FreeEnd(uint64_t start, uint64_t ceiling, const Range* avoid,
                             int avoid_count) const {
  // Between two of these boundaries nothing changes: whether a range is
  // free is decided at its first byte. Step from boundary to boundary
  // while the step is free.
  uint64_t end = start;
  while (end < ceiling) {
    uint64_t next = ceiling;
    auto boundary = [&](uint64_t at) {
      if (at > end && at < next) next = at;
    };
    map_.ForEach([&](const linuxboot::e820_entry& e) {
      boundary(e.type == linuxboot::E820_TYPE_RAM ? e.addr + e.size : e.addr);
    });
    for (int i = 0; i < kept_count_; ++i) boundary(kept_[i].range.start);
    for (int i = 0; i < avoid_count; ++i) boundary(avoid[i].start);
    if (!IsClear({end, next}, avoid, avoid_count)) break;
    end = next;
  }
  return end;
}

uint64_t StageHome(const MemoryPlan& plan, const StageSegment* segments, unsigned count,
                   uint64_t size) {
  Range kernel[kMaxSegments];
  if (count > kMaxSegments) count = kMaxSegments;
  for (unsigned i = 0; i < count; ++i) {
    kernel[i] = {segments[i].paddr, segments[i].paddr + segments[i].memsz};
  }
  // At or above 1 MiB: below it lie firmware, the real-mode setup and the
  // loaders' own data, none of which the map has to say is reserved.
  return plan.FindFree(size, kPageSize, k1MiB, k4GiB, kernel, static_cast<int>(count));
}

PlanError PlanKernel(const MemoryPlan& plan, const StageSegment* segments, unsigned count,
                     KernelPlan* out) {
  *out = {};
  bool in_the_way = false;
  for (unsigned i = 0; i < count; ++i) {
    const StageSegment& s = segments[i];
    const int index = static_cast<int>(i);
    if (s.filesz > s.memsz || s.paddr + s.memsz < s.paddr) {
      PlanError e;
      e.kind = PlanError::Kind::kBadSegment;
      e.index = index;
      return e;
    }
    const Range range{s.paddr, s.paddr + s.memsz};
    // A kernel that cannot go where it wants is reported as such, not as
    // a stage with nowhere to go.
    if (PlanError e = plan.Check(range, "kernel segment", index, /*stage_may_move=*/true)) {
      return e;
    }
    in_the_way = in_the_way || plan.TouchesStage(range);
  }
  if (!in_the_way) return {};
  const uint64_t size = plan.stage().Size();
  const uint64_t to = StageHome(plan, segments, count, size);
  if (to == 0) {
    PlanError e;
    e.kind = PlanError::Kind::kNoRoomToMove;
    e.range = plan.stage().All();
    e.value = size;
    return e;
  }
  out->move_stage = true;
  out->stage_to = to;
  return {};
}

}  // namespace bzelf
