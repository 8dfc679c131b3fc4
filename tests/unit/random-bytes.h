// Reproducible pseudo-random bytes for tests: the same `seed` gives the
// same bytes on every run and every host (a linear congruential generator,
// the constants of the C standard's example rand()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace bzelf::testing {

inline std::vector<uint8_t> Random(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  for (auto& b : v) {
    seed = seed * 1103515245u + 12345u;
    b = static_cast<uint8_t>(seed >> 23);
  }
  return v;
}

}  // namespace bzelf::testing
