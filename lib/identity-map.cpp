#include "identity-map.h"

#include "x86.h"

namespace bzelf {
namespace {

using x86::kPteLargePage;
using x86::kPtePresent;
using x86::kPteWritable;
// The physical address in an entry (Intel SDM vol. 3A, "4-Level Paging").
constexpr uint64_t kAddressMask = 0x000f'ffff'ffff'f000ull;
constexpr uint32_t kTableBytes = 4096;
constexpr int kEntries = 512;

}  // namespace

IdentityMap::IdentityMap(uint8_t* pool, uint32_t pages, bool five_levels)
    : pool_(pool), pages_(pages) {
  // The root; a pool with room for it is the caller's part.
  pml4_ = NewTable();
  // Under 5-level paging the PML4 for the low 256 TiB hangs off the PML5's
  // first entry (Intel SDM vol. 3A, "5-Level Paging").
  if (five_levels && pml4_ != nullptr) pml4_ = Next(&pml4_[0]);
}

uint64_t* IdentityMap::NewTable() {
  if (used_ == pages_) return nullptr;
  auto* table = reinterpret_cast<uint64_t*>(pool_ + used_++ * kTableBytes);
  __builtin_memset(table, 0, kTableBytes);
  return table;
}

uint64_t* IdentityMap::Next(uint64_t* entry) {
  if (*entry & kPtePresent) {
    return reinterpret_cast<uint64_t*>(static_cast<uintptr_t>(*entry & kAddressMask));
  }
  uint64_t* table = NewTable();
  if (table != nullptr) *entry = reinterpret_cast<uintptr_t>(table) | kPtePresent | kPteWritable;
  return table;
}

bool IdentityMap::MapGiB(uint64_t addr) {
  if (pml4_ == nullptr) return false;
  uint64_t* pdpt = Next(&pml4_[(addr >> 39) & (kEntries - 1)]);
  if (pdpt == nullptr) return false;
  uint64_t* pd_entry = &pdpt[(addr >> 30) & (kEntries - 1)];
  if (*pd_entry & kPtePresent) return true;
  uint64_t* pd = Next(pd_entry);
  if (pd == nullptr) return false;
  const uint64_t gib = addr & ~((uint64_t{1} << 30) - 1);
  for (int i = 0; i < kEntries; ++i) {
    pd[i] = (gib + (uint64_t(i) << 21)) | kPtePresent | kPteWritable | kPteLargePage;
  }
  return true;
}

}  // namespace bzelf
