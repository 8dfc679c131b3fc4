#include "long-mode.h"

#include "stage-params.h"

namespace bzelf {
namespace {

constexpr uint64_t kPresent = 1 << 0;
constexpr uint64_t kWritable = 1 << 1;
constexpr uint64_t kLargePage = 1 << 7;  // PS in a PD entry: 2 MiB page
constexpr uint32_t kPageSize = 4096;
constexpr int kEntries = 512;

}  // namespace

uint32_t BuildIdentityMap(uint8_t* tables) {
  static_assert(kArenaPageTablesSize == 6 * kPageSize, "PML4 + PDPT + 4 PDs");
  __builtin_memset(tables, 0, kArenaPageTablesSize);
  auto* pml4 = reinterpret_cast<uint64_t*>(tables);
  auto* pdpt = reinterpret_cast<uint64_t*>(tables + kPageSize);
  uint32_t base = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(tables));
  pml4[0] = (base + kPageSize) | kPresent | kWritable;
  for (int gib = 0; gib < 4; ++gib) {
    uint32_t pd_addr = base + (2 + gib) * kPageSize;
    pdpt[gib] = pd_addr | kPresent | kWritable;
    auto* pd = reinterpret_cast<uint64_t*>(tables + (2 + gib) * kPageSize);
    for (int i = 0; i < kEntries; ++i) {
      uint64_t phys = (static_cast<uint64_t>(gib) << 30) | (static_cast<uint64_t>(i) << 21);
      pd[i] = phys | kPresent | kWritable | kLargePage;
    }
  }
  return base;
}

}  // namespace bzelf
