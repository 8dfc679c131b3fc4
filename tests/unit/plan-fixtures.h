// What the host tests of the memory planner and of KASLR share: fake
// physical memory, a second computation of the usable set (Oracle), a
// real machine's map as a loader hands it over (RealMachine), and
// Debian's amd64 kernel.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "boot-params.h"
#include "kaslr.h"
#include "memory-plan.h"
#include "stage-params.h"

namespace bzelf::testing {

using linuxboot::boot_params;
using linuxboot::e820_entry;
using linuxboot::E820_TYPE_RAM;

inline constexpr uint64_t kMiB = 0x100000;
inline constexpr uint64_t kGiB = 1024 * kMiB;

// Physical memory as a few separate buffers at chosen addresses; reads
// anywhere else fail, as they do outside what the stage can reach.
class FakeMemory {
 public:
  uint8_t* Add(uint64_t addr, uint64_t size) {
    auto& bytes = regions_[addr];
    bytes.assign(size, 0);
    return bytes.data();
  }
  const void* Map(uint64_t addr, uint64_t size) const {
    for (const auto& [base, bytes] : regions_) {
      if (addr >= base && addr - base <= bytes.size() && size <= bytes.size() - (addr - base)) {
        return bytes.data() + (addr - base);
      }
    }
    return nullptr;
  }

 private:
  std::map<uint64_t, std::vector<uint8_t>> regions_;
};

// A second way to the same answers, by interval arithmetic instead of the
// planner's walk over candidate places: the usable set is the union of RAM
// entries minus every other entry, minus what is kept.
class Oracle {
 public:
  explicit Oracle(const std::vector<e820_entry>& map) {
    for (const e820_entry& e : map) {
      if (e.type == E820_TYPE_RAM) Add(e.addr, e.addr + e.size);
    }
    for (const e820_entry& e : map) {
      if (e.type != E820_TYPE_RAM) Remove(e.addr, e.addr + e.size);
    }
  }
  void Remove(uint64_t start, uint64_t end) {
    std::vector<Range> out;
    for (const Range& r : free_) {
      if (r.end <= start || end <= r.start) {
        out.push_back(r);
        continue;
      }
      if (r.start < start) out.push_back({r.start, start});
      if (end < r.end) out.push_back({end, r.end});
    }
    free_ = out;
  }
  // The usable set, as disjoint ranges in no particular order.
  const std::vector<Range>& Free() const { return free_; }
  bool Contains(uint64_t start, uint64_t end) const {
    for (const Range& r : free_) {
      if (r.start <= start && end <= r.end) return true;
    }
    return false;
  }
  // The lowest page-aligned start at or above `floor` for `size` bytes
  // ending at or below 4 GiB; 0 when there is none.
  uint64_t Lowest(uint64_t size, uint64_t floor) const {
    uint64_t best = 0;
    for (const Range& r : free_) {
      uint64_t at = std::max(r.start, floor);
      at = (at + kPageSize - 1) & ~(kPageSize - 1);
      if (at + size <= r.end && at + size <= k4GiB && (best == 0 || at < best)) best = at;
    }
    return best;
  }

 private:
  void Add(uint64_t start, uint64_t end) {
    // Merge with every range it touches.
    std::vector<Range> out;
    for (const Range& r : free_) {
      if (r.end < start || end < r.start) {
        out.push_back(r);
      } else {
        start = std::min(start, r.start);
        end = std::max(end, r.end);
      }
    }
    out.push_back({start, end});
    free_ = out;
  }
  std::vector<Range> free_;
};

// KASLR's options from a command line, NUL included in its length.
inline KaslrOptions ParseKaslr(const std::string& cmdline) {
  return ParseKaslrOptions(cmdline.c_str(), static_cast<uint32_t>(cmdline.size() + 1));
}

// boot_params at `at` as a loader fills in its part of the header
// (protocol version, command line size), with the command line `text`
// and its NUL at `cmdline`.
inline boot_params* LoaderBootParams(FakeMemory& memory, uint64_t at, uint64_t cmdline,
                                     const std::string& text) {
  auto* bp = reinterpret_cast<boot_params*>(memory.Add(at, sizeof(boot_params)));
  bp->hdr.version = linuxboot::kProtocolVersion;
  bp->hdr.cmdline_size = linuxboot::kCmdlineSize;
  std::memcpy(memory.Add(cmdline, text.size() + 1), text.c_str(), text.size() + 1);
  bp->hdr.cmd_line_ptr = static_cast<uint32_t>(cmdline);
  return bp;
}

inline std::string HexString(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

// A loader on a real machine, as GRUB's linux16 lays it out: boot_params
// at 0x90000 with the command line after it, part 5 at 1 MiB with its
// arena, and a 4 MiB initrd at the top of the highest RAM range that ends
// at or below 896 MiB (GRUB keeps initrds below the kernel's
// initrd_addr_max and its own limit).
struct RealMachine {
  static constexpr uint64_t kBootParams = 0x90000;
  static constexpr uint64_t kCmdline = 0x91000;
  static constexpr uint64_t kInitrdSize = 4 * kMiB;
  static constexpr char kCmdlineText[] = "BOOT_IMAGE=/vmlinuz root=/dev/sda1 ro quiet";

  FakeMemory memory;
  boot_params* bp;
  StageExtent stage{kMiB, 0x52ae0, 0x53000, kArenaSize};
  uint64_t initrd = 0;

  explicit RealMachine(const std::vector<e820_entry>& map) {
    bp = LoaderBootParams(memory, kBootParams, kCmdline, kCmdlineText);
    // The corpus holds no map longer than boot_params' table.
    EXPECT_LE(map.size(), linuxboot::E820_MAX_ENTRIES_ZEROPAGE);
    const size_t n = std::min<size_t>(map.size(), linuxboot::E820_MAX_ENTRIES_ZEROPAGE);
    std::copy(map.begin(), map.begin() + n, bp->e820_table);
    bp->e820_entries = static_cast<uint8_t>(n);
    uint64_t top = 0;
    for (const e820_entry& e : map) {
      const uint64_t end = e.addr + e.size;
      if (e.type == E820_TYPE_RAM && e.size >= 2 * kInitrdSize && end <= 896 * kMiB &&
          end > top) {
        top = end;
      }
    }
    if (top != 0) {
      initrd = (top - kInitrdSize) & ~(kPageSize - 1);
      bp->hdr.ramdisk_image = static_cast<uint32_t>(initrd);
      bp->hdr.ramdisk_size = kInitrdSize;
    }
  }

  PlanError Init(MemoryPlan& plan) const { return plan.Init(*bp, kBootParams, memory, stage); }

  // What the planner keeps, in the order it keeps them, with its words.
  std::vector<std::pair<Range, std::string>> Kept() const {
    std::vector<std::pair<Range, std::string>> k = {
        {{0, 0x500}, "the BIOS data area"},
        {{kBootParams, kBootParams + sizeof(boot_params)}, "boot_params"},
        {{stage.base, stage.base + stage.file_size}, "the boot stage"},
        {stage.Arena(), "the boot stage's memory"},
        {{kCmdline, kCmdline + sizeof kCmdlineText}, "the command line"}};
    if (initrd != 0) k.push_back({{initrd, initrd + kInitrdSize}, "the initrd"});
    return k;
  }
};

// Debian 12's amd64 kernel (6.1.0), the one tests/linux/fetch-kernel.sh
// extracts: its four PT_LOADs' physical addresses and sizes (readelf -l of
// its vmlinux: 0x1000000 to the end of the last at 0x4a00000), and its
// header's kernel_alignment.
inline constexpr uint64_t kDebianAmd64Align = 0x200000;
inline std::vector<StageSegment> DebianAmd64Segments() {
  return {{0x1000000, 0x18eacdc, 0x18eacdc},
          {0x2a00000, 0x644000, 0x644000},
          {0x3044000, 0x35000, 0x35000},
          {0x3079000, 0x1987000, 0x1987000}};
}

// That kernel as `bzelf build` records it: an ELF64 with Linux's
// relocation table, moved in steps of its alignment.
inline StageParams DebianAmd64Params() {
  const std::vector<StageSegment> segments = DebianAmd64Segments();
  StageParams p{};
  p.kernel_class = elf::ELFCLASS64;
  p.segment_count = static_cast<uint8_t>(segments.size());
  std::copy(segments.begin(), segments.end(), p.segments);
  p.move_align = kDebianAmd64Align;
  p.reloc_source = static_cast<uint8_t>(RelocSource::kTable);
  return p;
}

// That kernel as KASLR sees it, written out by hand rather than taken from
// KaslrKernelFor (which the tests check against it), with a ceiling of
// our choice.
inline KaslrKernel DebianAmd64(uint64_t ceiling = k4GiB) {
  const std::vector<StageSegment> segments = DebianAmd64Segments();
  KaslrKernel k;
  k.movable = true;
  k.link_base = segments.front().paddr;
  k.size = segments.back().paddr + segments.back().memsz - k.link_base;
  k.align = kDebianAmd64Align;
  k.ceiling = ceiling;
  k.virt = KaslrVirtual::kWindow;
  k.virt_window = kLinuxKernelImageSize64;
  k.floor = k.link_base;
  return k;
}

}  // namespace bzelf::testing
