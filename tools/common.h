// Host tool plumbing: errors that name the file, whole-file reads, and
// output files that appear only when complete.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace bzelf {

using Bytes = std::vector<uint8_t>;

// Reported by main() as "bzelf: <file>: <problem>" with a non-zero exit.
class ToolError : public std::runtime_error {
 public:
  ToolError(std::string file, const std::string& problem)
      : std::runtime_error(problem), file_(std::move(file)) {}
  const std::string& file() const { return file_; }

 private:
  std::string file_;
};

Bytes ReadFile(const std::string& path);

// Writes `data` to a temporary file next to `path` and renames it into
// place, so that a failure never leaves a partial output behind.
void WriteFileAtomically(const std::string& path, const Bytes& data);

std::string HexString(uint64_t value);

template <typename T>
T Load(const Bytes& data, size_t offset) {
  T value;
  __builtin_memcpy(&value, data.data() + offset, sizeof(T));
  return value;
}

template <typename T>
void Store(Bytes& data, size_t offset, const T& value) {
  __builtin_memcpy(data.data() + offset, &value, sizeof(T));
}

}  // namespace bzelf
