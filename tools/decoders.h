// What the decompressors of tools/decompress.cpp, lz4.cpp and lzop.cpp
// share: their errors, the output they grow, and each other.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "common.h"
#include "decompress.h"

namespace bzelf {

// Throws ToolError(name, "<method> data: <problem>").
class DecompressFailure {
 public:
  DecompressFailure(const std::string& name, Compression c) : name_(name), method_(c) {}
  [[noreturn]] void operator()(const std::string& problem) const {
    throw ToolError(name_, std::string(CompressionName(method_)) + " data: " + problem);
  }
  [[noreturn]] void Truncated() const { (*this)("ends early (truncated?)"); }
  [[noreturn]] void Trailing(size_t bytes) const {
    (*this)(std::to_string(bytes) + " bytes after its end that are not " +
            CompressionName(method_) + " data");
  }

 private:
  const std::string& name_;
  Compression method_;
};

// What a decoder writes: grown as it asks for room, up to max bytes. At
// the limit a decoder gets a spare buffer instead, in which it may find
// that it is done but must write nothing.
class DecompressOutput {
 public:
  DecompressOutput(const DecompressFailure& fail, size_t max) : fail_(fail), max_(max) {}

  // Free space at the end of the output, `want` bytes of it or as many as
  // the limit leaves.
  uint8_t* Room(size_t& size, size_t want = 1) {
    if (buf_.size() - used_ < want && buf_.size() < max_) {
      buf_.resize(std::min(std::max({kFirstSize, buf_.size() * 2, used_ + want}), max_));
    }
    in_spare_ = used_ == buf_.size();
    if (in_spare_) {
      size = sizeof(spare_);
      return spare_;
    }
    size = buf_.size() - used_;
    return buf_.data() + used_;
  }
  void Wrote(size_t n) {
    if (in_spare_ && n != 0) TooLarge();
    used_ += n;
  }
  [[noreturn]] void TooLarge() const {
    fail_("decompresses to more than " + std::to_string(max_) + " bytes");
  }
  Bytes Take() {
    buf_.resize(used_);
    return std::move(buf_);
  }

 private:
  static constexpr size_t kFirstSize = size_t{1} << 20;
  const DecompressFailure& fail_;
  size_t max_;
  Bytes buf_;
  size_t used_ = 0;
  uint8_t spare_[64];
  bool in_spare_ = false;
};

// Each decompresses all of data[0, len) into `out`, as Decompress says.
void DecompressLz4Legacy(const uint8_t* data, size_t len, DecompressOutput& out,
                         const DecompressFailure& fail);
void DecompressLz4Frame(const uint8_t* data, size_t len, DecompressOutput& out,
                        const DecompressFailure& fail);
void DecompressLzop(const uint8_t* data, size_t len, DecompressOutput& out,
                    const DecompressFailure& fail);

}  // namespace bzelf
