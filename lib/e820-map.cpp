#include "e820-map.h"

namespace bzelf {

using linuxboot::boot_params;
using linuxboot::e820_entry;
using linuxboot::E820_TYPE_RAM;

bool E820Map::SetBase(const boot_params& bp) {
  span_count_ = 0;
  ext_entries_ = 0;
  if (bp.e820_entries > 0 && bp.e820_entries <= linuxboot::E820_MAX_ENTRIES_ZEROPAGE) {
    spans_[span_count_++] = {bp.e820_table, bp.e820_entries};
    return true;
  }
  // Without an E820 map, what E801 (alt_mem_k) or AH=88h (ext_mem_k)
  // said about the memory above 1 MiB, whichever says more, and the
  // conventional memory below the EBDA: Linux's own fallback
  // (arch/x86/kernel/e820.c, e820__memory_setup_default: "take the one
  // that gives more RAM", 0 to LOWMEMSIZE() = 0x9f000, and from 1 MiB).
  // E801 already counts only up to a hole below 16 MiB (lib/e801.h);
  // AH=88h stops at 64 MiB.
  const uint32_t ext_k = bp.alt_mem_k > bp.screen_info.ext_mem_k ? bp.alt_mem_k
                                                                 : bp.screen_info.ext_mem_k;
  if (bp.e820_entries == 0 && ext_k != 0) {
    fallback_[0] = {0, 0x9f000, E820_TYPE_RAM};
    fallback_[1] = {0x100000, uint64_t{ext_k} * 1024, E820_TYPE_RAM};
    spans_[span_count_++] = {fallback_, 2};
    return true;
  }
  return false;
}

namespace {

// An entry's end; one that would wrap past 2^64 reaches to the top.
uint64_t End(const e820_entry& e) {
  return e.addr + e.size < e.addr ? ~uint64_t{0} : e.addr + e.size;
}

}  // namespace

bool E820Map::IsRam(uint64_t start, uint64_t end, bool base_only) const {
  const int spans = base_only && span_count_ > 1 ? 1 : span_count_;
  // Walk forward from `start`, each step jumping to the end of a RAM entry
  // that contains the position.
  uint64_t pos = start;
  while (pos < end) {
    uint64_t next = pos;
    auto extend = [&](const e820_entry& e) {
      if (e.type == E820_TYPE_RAM && e.addr <= pos && pos < End(e) && End(e) > next) {
        next = End(e);
      }
    };
    ForEachIn(spans, extend);
    if (next == pos) return false;
    pos = next;
  }
  bool other = false;
  auto overlaps_other = [&](const e820_entry& e) {
    if (e.type != E820_TYPE_RAM && e.addr < end && start < End(e)) other = true;
  };
  ForEachIn(spans, overlaps_other);
  return !other;
}

}  // namespace bzelf
