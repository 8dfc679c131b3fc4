// The magic numbers, and the methods whose libraries take a whole stream:
// gzip (zlib), bzip2 (libbz2), xz and LZMA (liblzma), zstd (libzstd). LZ4
// is in lz4.cpp, lzop's format in lzop.cpp.
#include "decompress.h"

#include <bzlib.h>
#include <lzma.h>
// zlib's z_stream then takes a const next_in.
#define ZLIB_CONST
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <new>

#include "decoders.h"

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

// liblzma's limit on the memory a stream may ask for: Linux's xz kernels
// use a 32 MiB dictionary (scripts/xz_wrap.sh), `xz -9` 64 MiB. (libzstd
// keeps its own default, windows up to 128 MiB, which `zstd -22 --ultra`
// stays within.)
constexpr uint64_t kLzmaMemoryLimit = uint64_t{256} << 20;

bool StartsWith(const uint8_t* data, size_t len, Compression c) {
  return DetectCompression(data, len) == c;
}

void Gunzip(const uint8_t* data, size_t len, DecompressOutput& out,
            const DecompressFailure& fail) {
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

void Bunzip2(const uint8_t* data, size_t len, DecompressOutput& out,
             const DecompressFailure& fail) {
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

void Unxz(Compression c, const uint8_t* data, size_t len, DecompressOutput& out,
          const DecompressFailure& fail) {
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

void Unzstd(const uint8_t* data, size_t len, DecompressOutput& out,
            const DecompressFailure& fail) {
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
  DecompressFailure fail(name, c);
  // Also keeps every length below the 32-bit counts of zlib and libbz2.
  if (len > kMaxDecompressedBytes) fail(std::to_string(len) + " bytes of it: more than any kernel");
  try {
    DecompressOutput out(fail, max_bytes);
    switch (c) {
      case Compression::kGzip: Gunzip(data, len, out, fail); break;
      case Compression::kBzip2: Bunzip2(data, len, out, fail); break;
      case Compression::kLzma:
      case Compression::kXz: Unxz(c, data, len, out, fail); break;
      case Compression::kLzo: DecompressLzop(data, len, out, fail); break;
      case Compression::kLz4: DecompressLz4Legacy(data, len, out, fail); break;
      case Compression::kLz4Frame: DecompressLz4Frame(data, len, out, fail); break;
      case Compression::kZstd: Unzstd(data, len, out, fail); break;
      default: fail("no decompressor");
    }
    return out.Take();
  } catch (const std::bad_alloc&) {
    fail("out of memory while decompressing");
  }
}

}  // namespace bzelf
