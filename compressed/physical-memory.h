// The 32-bit stage's view of memory for the planner and the PVH entry
// (the `Memory` parameter of lib/e820-map.h): paging is off, so a physical
// address below 4 GiB is a pointer, and nothing above is within reach.
#pragma once

#include <stdint.h>

#include "memory-plan.h"

namespace bzelf {

struct PhysicalMemory {
  const void* Map(uint64_t addr, uint64_t size) const {
    if (addr >= k4GiB || size > k4GiB - addr) return nullptr;
    return reinterpret_cast<const void*>(static_cast<uintptr_t>(addr));
  }
};

}  // namespace bzelf
