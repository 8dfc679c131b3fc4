// Identity-mapped page tables for long mode, 2 MiB pages, built in a fixed
// pool of 4 KiB pages: the ELF64 hand-off maps the first 4 GiB, and
// startup_64 maps the gigabytes it copies the stage between when it moves
// it below 4 GiB. The tables' addresses are their pointers: the stage runs
// with paging off or under an identity map, and the host tests read the
// tables through the same pointers.
#pragma once

#include <stdint.h>

namespace bzelf {

class IdentityMap {
 public:
  // `pool` is page-aligned and holds `pages` pages; the first becomes the
  // root: the PML4, or with `five_levels` (CR4.LA57 on, which a loader in
  // long mode may leave so) a PML5 whose first entry leads to the PML4.
  IdentityMap(uint8_t* pool, uint32_t pages, bool five_levels = false);

  // Maps the 1 GiB that holds `addr` (below 2^48), writable, with 2 MiB
  // pages. False when the pool has no page left for it.
  [[nodiscard]] bool MapGiB(uint64_t addr);

  // For CR3.
  uint64_t Root() const { return reinterpret_cast<uintptr_t>(pool_); }

 private:
  uint64_t* NewTable();
  // The table an entry points to, making one when it is not present.
  uint64_t* Next(uint64_t* entry);

  uint8_t* pool_;
  uint32_t pages_;
  uint32_t used_ = 0;
  uint64_t* pml4_ = nullptr;
};

}  // namespace bzelf
