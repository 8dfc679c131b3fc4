// Host tool plumbing: errors that name the file, whole-file reads, and
// output files that appear only when complete.
#pragma once

#include <cstdint>
#include <span>
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

// A whole input file's bytes, mapped read-only where the file can be
// mapped (a regular file), else read as ReadFile() reads it (a pipe, say;
// the same errors for what cannot be read). Mapped, its bytes are neither
// copied nor cleared first; a file shortened by someone else while it is
// mapped ends the process with SIGBUS, as any mapping's reader would.
class InputFile {
 public:
  explicit InputFile(const std::string& path);
  ~InputFile();
  InputFile(const InputFile&) = delete;
  InputFile& operator=(const InputFile&) = delete;

  std::span<const uint8_t> bytes() const { return {data_, size_}; }

 private:
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
  Bytes read_;  // when not mapped
};

// How OutputFile's bytes reach the file: kInPlace maps the file, so that
// the caller's writes go straight into its pages, with no buffer to clear
// and none to copy, unless its file system cannot reserve the space or map
// it; then, or with kFromMemory, they are written from memory at Commit().
// kFromCaller writes the caller's bytes, given to Commit(), and holds none.
enum class OutputWrite : uint8_t { kInPlace, kFromMemory, kFromCaller };

// An output file of a size known up front: the constructor makes a
// temporary file of `size` bytes next to `path` (a device, a pipe or
// standard output, "-", is written to directly), data() is where its
// bytes go, and Commit() syncs it and renames it into place. Until then a failure (or the destructor) removes the temporary
// file: no partial output. In place, the space is reserved (fallocate)
// before anything is written, so that a full disk is an error here and
// not a SIGBUS in the middle of writing.
class OutputFile {
 public:
  OutputFile(const std::string& path, size_t size, OutputWrite how = OutputWrite::kInPlace);
  ~OutputFile();
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  uint8_t* data() { return data_; }
  size_t size() const { return size_; }
  // With kFromCaller, `bytes` are the file's size() bytes.
  void Commit(const uint8_t* bytes = nullptr);

 private:
  void Open();
  bool MapInPlace();
  void Discard();

  std::string path_, tmp_;  // tmp_ empty: written as it is (see Open)
  int fd_ = -1;
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
  bool mapped_ = false;
};

std::string HexString(uint64_t value);

template <typename T>
T Load(std::span<const uint8_t> data, size_t offset) {
  T value;
  __builtin_memcpy(&value, data.data() + offset, sizeof(T));
  return value;
}

template <typename T>
void Store(Bytes& data, size_t offset, const T& value) {
  __builtin_memcpy(data.data() + offset, &value, sizeof(T));
}

}  // namespace bzelf
