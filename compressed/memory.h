// What memory the decompressor may write: E820 RAM (boot_params.e820_table
// and every SETUP_E820_EXT node), minus everything the loader handed us
// (boot_params, command line, initrd, setup_data) and the stage itself.
#pragma once

#include <stdint.h>

#include "boot-params.h"
#include "e820-map.h"
#include "stage-params.h"

namespace bzelf {

// Names of the reserved ranges, compared by address.
extern const char kStageRangeName[];
extern const char kArenaRangeName[];

struct Range {
  uint64_t start;
  uint64_t end;  // exclusive
  const char* name;
};

class MemoryPlan {
 public:
  // Collects the reserved ranges; panics on a boot_params it cannot use
  // (no E820 map, a setup_data list that loops).
  MemoryPlan(const linuxboot::boot_params* bp, uintptr_t stage_base,
             const StageParams& params);

  // Panics, naming the conflict, unless [start, end) is E820 RAM below
  // 4 GiB and touches nothing reserved. `what` names the range. With
  // `stage_may_move`, the stage's own ranges do not count: it can move.
  void CheckWritable(uint64_t start, uint64_t end, const char* what, unsigned index,
                     bool stage_may_move = false) const;

  // True when [start, end) touches a reserved range whose name is `name`.
  bool Overlaps(uint64_t start, uint64_t end, const char* name) const;

  // The lowest page-aligned RAM address at or above 1 MiB where `size`
  // bytes touch neither a reserved range nor any of `avoid`; 0 if none.
  uint64_t FindFree(uint64_t size, const Range* avoid, int avoid_count) const;

 private:
  // The fixed ranges (at most 6), a whole setup_data list, and the part
  // below 4 GiB of a node whose header crosses it.
  static constexpr int kMaxReserved = 8 + kMaxSetupDataNodes;

  void Reserve(uint64_t start, uint64_t size, const char* name);
  bool IsFree(uint64_t start, uint64_t end, const Range* avoid, int avoid_count) const;

  E820Map map_;
  uint64_t stage_start_ = 0, stage_end_ = 0;  // part 5 and its arena
  Range reserved_[kMaxReserved];
  int reserved_count_ = 0;
};

}  // namespace bzelf
