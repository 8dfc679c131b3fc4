// LZ4 (liblz4): the legacy format Linux's lz4 kernels come in (`lz4 -l`),
// and the frame format `lz4` writes by default.
#include <lz4.h>
#include <lz4frame.h>

#include <cstring>
#include <new>

#include "decoders.h"

namespace bzelf {
namespace {

// lz4's legacy format cuts its input into chunks of this size (lz4's
// LEGACY_BLOCKSIZE; Linux's LZ4_DEFAULT_UNCOMPRESSED_CHUNK_SIZE).
constexpr size_t kLz4LegacyChunk = size_t{8} << 20;
constexpr uint32_t kLz4LegacyMagic = 0x184C2102;

}  // namespace

// lz4's legacy format: the magic, then chunks, each a 4-byte little-endian
// length and an LZ4 block that inflates to kLz4LegacyChunk bytes (the last
// to fewer); another magic may start another file. It has no end mark:
// the input's end is the end.
void DecompressLz4Legacy(const uint8_t* data, size_t len, DecompressOutput& out,
                         const DecompressFailure& fail) {
  const size_t max_chunk = static_cast<size_t>(LZ4_compressBound(kLz4LegacyChunk));
  size_t at = 0;
  while (len - at >= 4) {
    uint32_t chunk;
    std::memcpy(&chunk, data + at, 4);
    at += 4;
    if (chunk == kLz4LegacyMagic) continue;
    if (chunk > max_chunk) {
      fail("corrupt (a chunk of " + std::to_string(chunk) + " bytes, more than " +
           std::to_string(max_chunk) + " can be)");
    }
    if (chunk > len - at) fail.Truncated();
    size_t room;
    uint8_t* dst = out.Room(room, kLz4LegacyChunk);
    int got = LZ4_decompress_safe(reinterpret_cast<const char*>(data + at),
                                  reinterpret_cast<char*>(dst), static_cast<int>(chunk),
                                  static_cast<int>(std::min(room, kLz4LegacyChunk)));
    if (got < 0 && room < kLz4LegacyChunk) out.TooLarge();  // it may not have fitted
    if (got < 0) fail("corrupt (an LZ4 block that does not decode)");
    out.Wrote(static_cast<size_t>(got));
    at += chunk;
  }
  if (at != len) fail.Trailing(len - at);
}

void DecompressLz4Frame(const uint8_t* data, size_t len, DecompressOutput& out,
                        const DecompressFailure& fail) {
  LZ4F_dctx* dctx = nullptr;
  if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) throw std::bad_alloc();
  struct End {
    LZ4F_dctx* d;
    ~End() { LZ4F_freeDecompressionContext(d); }
  } end{dctx};
  size_t at = 0;
  for (;;) {
    size_t room;
    uint8_t* dst = out.Room(room);
    size_t wrote = room, read = len - at;
    size_t rc = LZ4F_decompress(dctx, dst, &wrote, data + at, &read, nullptr);
    out.Wrote(wrote);
    at += read;
    if (LZ4F_isError(rc)) fail(std::string("corrupt (liblz4: ") + LZ4F_getErrorName(rc) + ")");
    if (at == len) {
      if (rc == 0) return;  // a frame ended with the input
      if (wrote < room) fail.Truncated();
    }
  }
}

}  // namespace bzelf
