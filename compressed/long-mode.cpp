#include "long-mode.h"

#include "stage-params.h"
#include "x86.h"

namespace bzelf {
namespace {

using x86::kPteLargePage;
using x86::kPtePresent;
using x86::kPteWritable;
constexpr uint32_t kPageSize = 4096;
constexpr int kEntries = 512;

}  // namespace

uint32_t BuildIdentityMap(uint8_t* tables) {
  static_assert(kArenaPageTablesSize == 6 * kPageSize, "PML4 + PDPT + 4 PDs");
  __builtin_memset(tables, 0, kArenaPageTablesSize);
  auto* pml4 = reinterpret_cast<uint64_t*>(tables);
  auto* pdpt = reinterpret_cast<uint64_t*>(tables + kPageSize);
  uint32_t base = static_cast<uint32_t>(reinterpret_cast<uintptr_t>(tables));
  pml4[0] = (base + kPageSize) | kPtePresent | kPteWritable;
  for (int gib = 0; gib < 4; ++gib) {
    uint32_t pd_addr = base + (2 + gib) * kPageSize;
    pdpt[gib] = pd_addr | kPtePresent | kPteWritable;
    auto* pd = reinterpret_cast<uint64_t*>(tables + (2 + gib) * kPageSize);
    for (int i = 0; i < kEntries; ++i) {
      uint64_t phys = (static_cast<uint64_t>(gib) << 30) | (static_cast<uint64_t>(i) << 21);
      pd[i] = phys | kPtePresent | kPteWritable | kPteLargePage;
    }
  }
  return base;
}

}  // namespace bzelf
