#include "decompress.h"

#include <bzlib.h>
#include <lz4.h>
#include <lz4frame.h>
#include <lzma.h>
// zlib's z_stream then takes a const next_in.
#define ZLIB_CONST
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <new>

namespace bzelf {
namespace {

struct Magic {
  Compression method;
  uint8_t size;
  uint8_t bytes[6];
};

constexpr Magic kMagics[] = {
    // ID1 ID2, and CM 8 (deflate), the only method RFC 1952 defines.
    {Compression::kGzip, 3, {0x1f, 0x8b, 0x08}},
    // "BZh", then the block size '1'..'9'.
    {Compression::kBzip2, 3, {'B', 'Z', 'h'}},
    // The properties byte of lc=3 lp=0 pb=2 and the low byte of a
    // dictionary size of at least 64 KiB: what Linux checks, as the LZMA
    // "alone" header has no magic number of its own.
    {Compression::kLzma, 2, {0x5d, 0x00}},
    {Compression::kXz, 6, {0xfd, '7', 'z', 'X', 'Z', 0x00}},
    // lzop's magic is 9 bytes (lzop.cpp checks the rest).
    {Compression::kLzo, 4, {0x89, 'L', 'Z', 'O'}},
    // 0x184C2102 and 0x184D2204, little-endian.
    {Compression::kLz4, 4, {0x02, 0x21, 0x4c, 0x18}},
    {Compression::kLz4Frame, 4, {0x04, 0x22, 0x4d, 0x18}},
    // 0xFD2FB528, little-endian.
    {Compression::kZstd, 4, {0x28, 0xb5, 0x2f, 0xfd}},
};

// liblzma's and libzstd's limit on what one stream may ask for: Linux's xz
// kernels use a 32 MiB dictionary (scripts/xz_wrap.sh), `xz -9` 64 MiB.
constexpr uint64_t kLzmaMemoryLimit = uint64_t{256} << 20;

// lz4's legacy format cuts its input into chunks of this size (lz4's
// LEGACY_BLOCKSIZE; Linux's LZ4_DEFAULT_UNCOMPRESSED_CHUNK_SIZE).
constexpr size_t kLz4LegacyChunk = size_t{8} << 20;
constexpr uint32_t kLz4LegacyMagic = 0x184C2102;

class Failure {
 public:
  Failure(const std::string& name, Compression c) : name_(name), method_(c) {}
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
class Output {
 public:
  Output(const Failure& fail, size_t max) : fail_(fail), max_(max) {}

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
  const Failure& fail_;
  size_t max_;
  Bytes buf_;
  size_t used_ = 0;
  uint8_t spare_[64];
  bool in_spare_ = false;
};

bool StartsWith(const uint8_t* data, size_t len, Compression c) {
  return DetectCompression(data, len) == c;
}

void Gunzip(const uint8_t* data, size_t len, Output& out, const Failure& fail) {
  z_stream zs{};
  // 16 + 15: a gzip wrapper (RFC 1952) around a 32 KiB-window stream.
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) fail("zlib inflateInit2 failed");
  struct End {
    z_stream& zs;
    ~End() { inflateEnd(&zs); }
  } end{zs};
  zs.next_in = data;
  zs.avail_in = static_cast<uInt>(len);
  for (;;) {
    int rc = Z_OK;
    while (rc != Z_STREAM_END) {
      size_t room;
      zs.next_out = out.Room(room);
      zs.avail_out = static_cast<uInt>(std::min<size_t>(room, 1u << 30));
      uInt before = zs.avail_out;
      rc = inflate(&zs, Z_NO_FLUSH);
      out.Wrote(before - zs.avail_out);
      if (rc == Z_BUF_ERROR && zs.avail_in == 0) fail.Truncated();
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        fail(std::string("corrupt (zlib: ") + (zs.msg ? zs.msg : "error") + ")");
      }
    }
    // gzip -d takes members one after the other as one file (RFC 1952 2.2).
    size_t at = len - zs.avail_in;
    if (at == len) return;
    if (!StartsWith(data + at, len - at, Compression::kGzip)) fail.Trailing(len - at);
    inflateReset(&zs);
  }
}

void Bunzip2(const uint8_t* data, size_t len, Output& out, const Failure& fail) {
  size_t at = 0;
  // bzip2 -d, like gzip -d, takes streams one after the other.
  while (at < len) {
    if (!StartsWith(data + at, len - at, Compression::kBzip2)) fail.Trailing(len - at);
    bz_stream bs{};
    if (BZ2_bzDecompressInit(&bs, 0, 0) != BZ_OK) fail("BZ2_bzDecompressInit failed");
    struct End {
      bz_stream& bs;
      ~End() { BZ2_bzDecompressEnd(&bs); }
    } end{bs};
    bs.next_in = const_cast<char*>(reinterpret_cast<const char*>(data + at));
    bs.avail_in = static_cast<unsigned>(len - at);
    int rc = BZ_OK;
    while (rc != BZ_STREAM_END) {
      size_t room;
      bs.next_out = reinterpret_cast<char*>(out.Room(room));
      bs.avail_out = static_cast<unsigned>(std::min<size_t>(room, 1u << 30));
      unsigned before = bs.avail_out;
      rc = BZ2_bzDecompress(&bs);
      out.Wrote(before - bs.avail_out);
      if (rc == BZ_MEM_ERROR) throw std::bad_alloc();
      if (rc != BZ_OK && rc != BZ_STREAM_END) fail("corrupt");
      // Room left and no input: the stream wants more than there is.
      if (rc == BZ_OK && bs.avail_in == 0 && bs.avail_out != 0) fail.Truncated();
    }
    at = len - bs.avail_in;
  }
}

void Unxz(Compression c, const uint8_t* data, size_t len, Output& out, const Failure& fail) {
  lzma_stream s = LZMA_STREAM_INIT;
  // xz -d takes streams one after the other and the zero padding between
  // them (LZMA_CONCATENATED); an LZMA "alone" file is one stream.
  lzma_ret rc = c == Compression::kXz ? lzma_stream_decoder(&s, kLzmaMemoryLimit, LZMA_CONCATENATED)
                                      : lzma_alone_decoder(&s, kLzmaMemoryLimit);
  if (rc != LZMA_OK) fail("liblzma decoder set-up failed");
  struct End {
    lzma_stream& s;
    ~End() { lzma_end(&s); }
  } end{s};
  s.next_in = data;
  s.avail_in = len;
  while (rc != LZMA_STREAM_END) {
    size_t room;
    s.next_out = out.Room(room);
    s.avail_out = room;
    rc = lzma_code(&s, LZMA_FINISH);
    out.Wrote(room - s.avail_out);
    switch (rc) {
      case LZMA_OK:
      case LZMA_STREAM_END: break;
      case LZMA_BUF_ERROR: fail.Truncated();
      case LZMA_MEMLIMIT_ERROR:
        fail("needs more than " + std::to_string(kLzmaMemoryLimit >> 20) +
             " MiB of memory to decompress");
      case LZMA_MEM_ERROR: throw std::bad_alloc();
      case LZMA_OPTIONS_ERROR: fail("uses options liblzma does not support");
      default: fail("corrupt");
    }
  }
  if (s.avail_in != 0) fail.Trailing(s.avail_in);
}

void Unzstd(const uint8_t* data, size_t len, Output& out, const Failure& fail) {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (!dctx) throw std::bad_alloc();
  struct End {
    ZSTD_DCtx* d;
    ~End() { ZSTD_freeDCtx(d); }
  } end{dctx};
  // zstd -d takes frames one after the other; so does one context.
  ZSTD_inBuffer in{data, len, 0};
  for (;;) {
    size_t room;
    ZSTD_outBuffer o{out.Room(room), room, 0};
    size_t rc = ZSTD_decompressStream(dctx, &o, &in);
    out.Wrote(o.pos);
    if (ZSTD_isError(rc)) fail(std::string("corrupt (libzstd: ") + ZSTD_getErrorName(rc) + ")");
    if (in.pos == in.size) {
      if (rc == 0) return;                    // a frame ended with the input
      if (o.pos < o.size) fail.Truncated();   // room left, and it wants input
    }
  }
}

// lz4's legacy format: the magic, then chunks, each a 4-byte little-endian
// length and an LZ4 block that inflates to kLz4LegacyChunk bytes (the last
// to fewer); another magic may start another file. It has no end mark:
// the input's end is the end.
void Unlz4Legacy(const uint8_t* data, size_t len, Output& out, const Failure& fail) {
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

void Unlz4Frame(const uint8_t* data, size_t len, Output& out, const Failure& fail) {
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

}  // namespace

Compression DetectCompression(const uint8_t* data, size_t len) {
  for (const Magic& m : kMagics) {
    if (len >= m.size && std::memcmp(data, m.bytes, m.size) == 0) return m.method;
  }
  return Compression::kNone;
}

const char* CompressionName(Compression c) {
  switch (c) {
    case Compression::kNone: return "none";
    case Compression::kGzip: return "gzip";
    case Compression::kBzip2: return "bzip2";
    case Compression::kLzma: return "lzma";
    case Compression::kXz: return "xz";
    case Compression::kLzo: return "lzo";
    case Compression::kLz4: return "lz4";
    case Compression::kLz4Frame: return "lz4-frame";
    case Compression::kZstd: return "zstd";
  }
  return "unknown";
}

Bytes Decompress(Compression c, const uint8_t* data, size_t len, const std::string& name,
                 size_t max_bytes) {
  Failure fail(name, c);
  // Also keeps every length below the 32-bit counts of zlib and libbz2.
  if (len > max_bytes || len > kMaxDecompressedBytes) {
    fail(std::to_string(len) + " bytes of it: more than any kernel");
  }
  try {
    if (c == Compression::kLzo) return DecompressLzop(data, len, name, max_bytes);
    Output out(fail, max_bytes);
    switch (c) {
      case Compression::kGzip: Gunzip(data, len, out, fail); break;
      case Compression::kBzip2: Bunzip2(data, len, out, fail); break;
      case Compression::kLzma:
      case Compression::kXz: Unxz(c, data, len, out, fail); break;
      case Compression::kLz4: Unlz4Legacy(data, len, out, fail); break;
      case Compression::kLz4Frame: Unlz4Frame(data, len, out, fail); break;
      case Compression::kZstd: Unzstd(data, len, out, fail); break;
      default: fail("no decompressor");
    }
    return out.Take();
  } catch (const std::bad_alloc&) {
    fail("out of memory while decompressing");
  }
}

}  // namespace bzelf
