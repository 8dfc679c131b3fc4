// Compressed kernels: every method Linux offers for its bzImage payload
// (CONFIG_KERNEL_GZIP ... CONFIG_KERNEL_ZSTD), told apart by their magic
// numbers and decompressed through the Debian library made for each. Host
// tool only: the boot stages inflate gzip alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "common.h"

namespace bzelf {

enum class Compression : uint8_t {
  kNone,
  kGzip,      // RFC 1952 (zlib)
  kBzip2,     // (libbz2)
  kLzma,      // LZMA "alone", as `lzma` writes it (liblzma)
  kXz,        // (liblzma)
  kLzo,       // lzop's file format around LZO1X blocks (liblzo2)
  kLz4,       // LZ4's legacy format, as `lz4 -l` writes it (liblz4)
  kLz4Frame,  // LZ4's frame format, `lz4` without -l (liblz4)
  kZstd,      // (libzstd)
};

// The method whose magic number `data` starts with; kNone if none. The
// magics are those of Linux's lib/decompress.c (compressed_formats), with
// more of each format's signature than its first two bytes where the
// format has one.
Compression DetectCompression(const uint8_t* data, size_t len);

// "gzip", "xz", ...: the names Linux's Kconfig and lib/decompress.c use.
const char* CompressionName(Compression c);

// No kernel ELF comes near this; input that decompresses to more is
// refused rather than allowed to take the machine's memory.
inline constexpr size_t kMaxDecompressedBytes = size_t{1} << 30;

// Decompresses all of data[0, len): one stream, or several one after the
// other where the format's own tool takes that (gzip members, xz streams
// and stream padding, bzip2 streams, zstd and LZ4 frames, the chunks of
// LZ4's legacy format). Throws ToolError(name, "<method> data: ...") for
// data that is corrupt, ends early, has bytes after its end, or comes to
// more than max_bytes.
Bytes Decompress(Compression c, const uint8_t* data, size_t len, const std::string& name,
                 size_t max_bytes = kMaxDecompressedBytes);

}  // namespace bzelf
