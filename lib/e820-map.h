// The memory map a loader hands over, in pieces: boot_params.e820_table
// (or, without one, the E801/88h sizes), then the entries of every usable
// SETUP_E820_EXT setup_data node, which loaders use for entries beyond the
// 128 that fit in boot_params (kexec-tools, Linux's EFI stub; Linux merges
// them in arch/x86/kernel/e820.c, e820__memory_setup_extended). The pieces
// are read where the loader put them, never copied: the stage has no heap.
//
// Physical memory is read through a `Memory` parameter with one member,
//   const void* Map(uint64_t addr, uint64_t size) const;
// giving where [addr, addr + size) can be read, or nullptr when it cannot.
// The stage passes its 32-bit view of the first 4 GiB
// (compressed/physical-memory.h); host tests pass a buffer that stands in
// for physical memory.
#pragma once

#include <stdint.h>

#include "boot-params.h"

namespace bzelf {

// The head of the setup_data list; 0 when the protocol predates it.
inline uint64_t SetupDataHead(const linuxboot::boot_params& bp) {
  return bp.hdr.version >= linuxboot::kProtocolSetupData ? bp.hdr.setup_data : 0;
}

// A setup_data list longer than this is taken as a loop. Loaders chain a
// handful of nodes (an E820 extension, a DTB, EFI and RNG data).
constexpr int kMaxSetupDataNodes = 64;

// Where and why a walk of the setup_data list stopped.
struct SetupDataWalk {
  uint64_t stopped_at = 0;  // the node not walked, 0 when the list ended
  bool gave_up = false;     // true: after kMaxSetupDataNodes nodes (a loop);
                            // false: `memory` could not map that node's header
};

// Walks the setup_data list from `head` and calls
// f(uint64_t node, const linuxboot::setup_data& header) for every node, in
// list order. The walk stops at a node whose header `memory` cannot map
// (out of reach, and so is its `next`), and gives up at the node after
// kMaxSetupDataNodes walked ones.
template <typename Memory, typename F>
SetupDataWalk WalkSetupData(uint64_t head, const Memory& memory, F f) {
  uint64_t node = head;
  for (int walked = 0; node != 0; ++walked) {
    const void* header = memory.Map(node, sizeof(linuxboot::setup_data));
    if (header == nullptr) return {node, false};
    if (walked == kMaxSetupDataNodes) return {node, true};
    const linuxboot::setup_data sd =
        *static_cast<const linuxboot::setup_data*>(header);  // packed: copy
    f(node, sd);
    node = sd.next;
  }
  return {};
}

// What a walk of the setup_data list did with its SETUP_E820_EXT nodes.
struct E820ExtSummary {
  int nodes_used = 0;        // nodes whose entries were taken (all, or up
                             // to kMaxExtEntries)
  int nodes_ignored = 0;     // malformed, out of reach, or past kMaxExtNodes
  SetupDataWalk walk;        // where and why the walk stopped
};

// What AddExtension() did with a node.
enum class E820ExtUse : uint8_t { kOtherType, kUsed, kIgnored };

// The default per-node action of E820Map::AddExtensions(): none.
struct NoNodeAction {
  void operator()(uint64_t, const linuxboot::setup_data&) const {}
};

class E820Map {
 public:
  // Limits, and what happens past them. Linux's own table holds 128 +
  // 3 * MAX_NUMNODES entries (E820_MAX_ENTRIES,
  // arch/x86/include/asm/e820/types.h); loaders build one SETUP_E820_EXT
  // node.
  //  - kMaxExtNodes nodes are used; later nodes are ignored.
  //  - kMaxExtEntries entries are taken from all nodes together; the node
  //    that crosses the limit gives its first entries, later entries are
  //    ignored, as Linux ignores entries once its table is full
  //    (e820__range_add: "too many entries; ignoring"). Dropping RAM only
  //    makes less memory usable; a dropped reserved entry is a risk that
  //    Linux takes too, on maps far larger than any seen.
  //  - A list that goes on past kMaxSetupDataNodes nodes is taken as a
  //    loop and the walk stops there.
  static constexpr int kMaxExtNodes = 15;
  static constexpr uint32_t kMaxExtEntries = 1024;

  E820Map() = default;
  E820Map(const E820Map&) = delete;  // spans_ may point into fallback_
  E820Map& operator=(const E820Map&) = delete;

  // The base map: boot_params.e820_table, or, with no E820 entries, the
  // larger of what E801 (alt_mem_k) and INT 15h AH=88h (ext_mem_k) said
  // about memory above 1 MiB, plus the conventional memory below
  // 0x9f000, as Linux falls back. False when boot_params has neither (or
  // a count past 128).
  bool SetBase(const linuxboot::boot_params& bp);

  // Walks the setup_data list from `head` (WalkSetupData()), calls
  // each_node(uint64_t node, const linuxboot::setup_data& header) for every
  // node, and adds the entries of every SETUP_E820_EXT node that is well
  // formed: the whole node readable through `memory`, RAM in the base map,
  // at least one entry long. Its entries are len / 20, as Linux counts
  // them (arch/x86/kernel/e820.c, e820__memory_setup_extended), so that
  // the stage and the kernel read the same map from a len that is not
  // whole entries. A node that is not well formed is ignored and the map
  // goes on without it; the node itself stays reserved by the caller
  // (MemoryPlan reserves every node in `each_node`). The base map must be
  // set.
  template <typename Memory, typename F = NoNodeAction>
  E820ExtSummary AddExtensions(uint64_t head, const Memory& memory, F each_node = {});

  // True when [start, end) is covered by RAM entries and touches no entry
  // of another type (a reserved range inside RAM wins: firmware tables).
  // Entries may be unsorted, split and overlapping. With `base_only`, only
  // the base map counts.
  bool IsRam(uint64_t start, uint64_t end, bool base_only = false) const;

  // Calls f(const linuxboot::e820_entry&) for every entry, base map first.
  template <typename F>
  void ForEach(F f) const {
    ForEachIn(span_count_, f);
  }

  uint32_t ExtCount() const { return ext_entries_; }

 private:
  // AddExtensions() for one node, at `node` with the header `sd`.
  template <typename Memory>
  E820ExtUse AddExtension(uint64_t node, const linuxboot::setup_data& sd, const Memory& memory);

  // ForEach() over the first `spans` pieces (1: the base map only).
  template <typename F>
  void ForEachIn(int spans, F& f) const {
    for (int s = 0; s < spans; ++s) {
      for (uint32_t i = 0; i < spans_[s].count; ++i) {
        const linuxboot::e820_entry e = spans_[s].entries[i];  // packed: copy
        f(e);
      }
    }
  }

  struct Span {
    const linuxboot::e820_entry* entries;
    uint32_t count;
  };

  Span spans_[1 + kMaxExtNodes] = {};
  int span_count_ = 0;
  uint32_t ext_entries_ = 0;
  linuxboot::e820_entry fallback_[2] = {};
};

template <typename Memory>
E820ExtUse E820Map::AddExtension(uint64_t node, const linuxboot::setup_data& sd,
                                 const Memory& memory) {
  // 32-bit: a 64-bit division would need libgcc in the 32-bit stage.
  constexpr uint32_t kEntry = sizeof(linuxboot::e820_entry);
  if (sd.type != linuxboot::SETUP_E820_EXT) return E820ExtUse::kOtherType;
  const uint64_t end = node + sizeof(sd) + sd.len;
  const void* data = memory.Map(node + sizeof(sd), sd.len);
  if (sd.len < kEntry || span_count_ == 1 + kMaxExtNodes ||
      ext_entries_ == kMaxExtEntries || data == nullptr ||
      !IsRam(node, end, /*base_only=*/true)) {
    return E820ExtUse::kIgnored;
  }
  uint32_t count = static_cast<uint32_t>(sd.len / kEntry);
  if (count > kMaxExtEntries - ext_entries_) count = kMaxExtEntries - ext_entries_;
  spans_[span_count_++] = {static_cast<const linuxboot::e820_entry*>(data), count};
  ext_entries_ += count;
  return E820ExtUse::kUsed;
}

template <typename Memory, typename F>
E820ExtSummary E820Map::AddExtensions(uint64_t head, const Memory& memory, F each_node) {
  E820ExtSummary summary;
  summary.walk =
      WalkSetupData(head, memory, [&](uint64_t node, const linuxboot::setup_data& sd) {
        each_node(node, sd);
        switch (AddExtension(node, sd, memory)) {
          case E820ExtUse::kUsed: ++summary.nodes_used; break;
          case E820ExtUse::kIgnored: ++summary.nodes_ignored; break;
          case E820ExtUse::kOtherType: break;
        }
      });
  return summary;
}

}  // namespace bzelf
