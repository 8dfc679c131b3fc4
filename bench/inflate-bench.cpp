// Host DEFLATE throughput, side by side in one process:
//   inflate-bench FILE.gz [REPS [LABEL]]
// Takes a gzip file (for a bzelf image's payload, cut it out where
// `bzelf info --json` says: layout.payload), and inflates its
// raw DEFLATE data REPS times with each decoder, in turn (ours, zlib,
// libdeflate, ours, ...) so that machine noise falls on all of them alike. Every decoder reads the
// same input buffer and writes the same output buffer, whole-buffer, as the
// boot stage does. Then the gzip check of that output, its CRC32, REPS
// times with each implementation in turn. Prints min/median/max in MB/s
// (10^6 bytes of output per second) and the ratios of the medians. Exits
// non-zero only when a decoder fails or its output or a CRC32 does not
// match the gzip trailer.
//
// Our decoder comes in as the objects the Makefile builds: the host tool's
// (-m64) or the boot stage's own (-m32); see bench/build.mk.

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "crc32.h"
#include "gzip.h"
#include "inflate.h"

#if !defined(__x86_64__)
namespace bzelf {
// lib/inflate-stage.cpp's InflateRaw built with -march=i686 and renamed
// (bench/build.mk): what a CMOV build of the stage's decoder would give.
InflateResult InflateRawI686(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap,
                             InflateEnd end);
}  // namespace bzelf
#endif

namespace {

using Bytes = std::vector<uint8_t>;
// The CPU time of this thread: on a shared machine a pass that loses the
// CPU to another process is not charged for the time it waited, so the
// figures vary far less than wall-clock ones (the passes are single
// threaded, so CPU time is their whole cost).
double ThreadSeconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + ts.tv_nsec / 1e9;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "inflate-bench: %s\n", what.c_str());
  std::exit(1);
}

Bytes ReadGzip(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) Die(path + ": cannot open");
  Bytes data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (data.size() < 2 || data[0] != 0x1f || data[1] != 0x8b) Die(path + ": not a gzip file");
  return data;
}

struct Decoder {
  const char* name;
  // Inflates in[0, in_len) into out[0, out_cap); returns the output size,
  // or 0 on failure.
  size_t (*run)(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap);
  std::vector<double> seconds;
};

// Ours through one of its entries.
template <auto kEntry>
size_t RunOurs(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap) {
  bzelf::InflateResult r = kEntry(in, in_len, out, out_cap, bzelf::InflateEnd::kFinalBlock);
  return r.error == bzelf::InflateError::kOk ? r.out_used : 0;
}

// zlib's one-call use: raw DEFLATE (windowBits -15), the whole input and
// the whole output in one inflate(Z_FINISH).
size_t RunZlib(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap) {
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return 0;
  zs.next_in = const_cast<Bytef*>(in);
  zs.avail_in = static_cast<uInt>(in_len);
  zs.next_out = out;
  zs.avail_out = static_cast<uInt>(out_cap);
  int rc = inflate(&zs, Z_FINISH);
  size_t n = zs.total_out;
  inflateEnd(&zs);
  return rc == Z_STREAM_END ? n : 0;
}

libdeflate_decompressor* g_libdeflate;

size_t RunLibdeflate(const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap) {
  size_t n = 0;
  libdeflate_result rc = libdeflate_deflate_decompress(g_libdeflate, in, in_len, out, out_cap, &n);
  return rc == LIBDEFLATE_SUCCESS ? n : 0;
}

// A CRC32 implementation: zlib's crc32() convention.
struct Checksum {
  const char* name;
  uint32_t (*run)(const uint8_t* data, size_t len);
  std::vector<double> seconds;
};

// Ours: the host tool's Crc32 (folding with PCLMULQDQ where the CPU has
// it), or on -m32 the stage's tables, the only ones its object has.
uint32_t CrcOurs(const uint8_t* data, size_t len) {
#if defined(__x86_64__)
  return bzelf::Crc32(0, data, len);
#else
  return ~bzelf::Crc32RawTables(~0u, data, len);
#endif
}

uint32_t CrcZlib(const uint8_t* data, size_t len) {
  return static_cast<uint32_t>(crc32(0, data, static_cast<uInt>(len)));
}

uint32_t CrcLibdeflate(const uint8_t* data, size_t len) { return libdeflate_crc32(0, data, len); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// One table: a row per entry, `ours` of ours first and then zlib and
// libdeflate, then the ratios of each of ours to those two and, with more
// than one of ours, to the first (the stage's plain i486 build on -m32).
template <typename Entry>
void PrintTable(const char* bits, const char* what, std::vector<Entry>& entries, size_t ours,
                double mb) {
  std::printf("  %-9s %-14s %10s %10s %10s %12s\n", "build", what, "min MB/s", "median",
              "max MB/s", "median time");
  std::vector<double> median_mbs;
  for (Entry& e : entries) {
    double lo = *std::min_element(e.seconds.begin(), e.seconds.end());
    double hi = *std::max_element(e.seconds.begin(), e.seconds.end());
    double med = Median(e.seconds);
    median_mbs.push_back(mb / med);
    std::printf("  %-9s %-14s %10.1f %10.1f %10.1f %9.1f ms\n", bits, e.name, mb / hi, mb / med,
                mb / lo, med * 1e3);
  }
  const double zlib = median_mbs[ours], libdeflate = median_mbs[ours + 1];
  for (size_t i = 0; i < ours; ++i) {
    const char* name = entries[i].name;
    std::printf("  %-9s ratio %s/zlib (median MB/s) = %.2f, %s/libdeflate = %.2f", bits, name,
                median_mbs[i] / zlib, name, median_mbs[i] / libdeflate);
    if (i > 0) std::printf(", %s/%s = %.2f", name, entries[0].name, median_mbs[i] / median_mbs[0]);
    std::printf("\n");
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::fprintf(stderr, "usage: inflate-bench IMAGE|FILE.gz [REPS [LABEL]]\n");
    return 2;
  }
  int reps = argc >= 3 ? std::atoi(argv[2]) : 7;
  if (reps < 1) Die("REPS must be at least 1");

  Bytes gz = ReadGzip(argv[1]);
  bzelf::GzipMember m = bzelf::ParseGzipMember(gz.data(), gz.size());
  if (m.error != bzelf::GzipError::kOk) {
    Die(std::string(argv[1]) + ": gzip member: " + bzelf::GzipErrorString(m.error));
  }
  const uint8_t* in = gz.data() + m.deflate_offset;
  size_t in_len = m.deflate_length;
  size_t out_len = m.isize;
  // A little slack past ISIZE: decoders may not use it, and one that
  // writes too much is caught by the length check below.
  Bytes out(out_len + 4096);

  g_libdeflate = libdeflate_alloc_decompressor();
  if (!g_libdeflate) Die("libdeflate_alloc_decompressor failed");

  // Ours first: on -m64 the host tool's decoder; on -m32 the stage's
  // builds side by side: its i486 InflateRaw, the same source built for
  // the i686 (CMOV), which the stage does not carry (bench/build.mk), and
  // the InflateRawSse2 that the stage runs on a CPU with SSE2.
  std::vector<Decoder> decoders;
#if defined(__x86_64__)
  decoders.push_back({"ours", RunOurs<bzelf::InflateRaw>, {}});
#else
  decoders.push_back({"ours i486", RunOurs<bzelf::InflateRaw>, {}});
  decoders.push_back({"ours i686", RunOurs<bzelf::InflateRawI686>, {}});
  if (__builtin_cpu_supports("sse2")) {
    decoders.push_back({"ours sse2", RunOurs<bzelf::InflateRawSse2>, {}});
  }
#endif
  const size_t ours = decoders.size();
  decoders.push_back({"zlib", RunZlib, {}});
  decoders.push_back({"libdeflate", RunLibdeflate, {}});

  // One untimed pass each (page faults, caches), checked against the gzip
  // trailer; then the timed passes, round robin.
  for (Decoder& d : decoders) {
    std::fill(out.begin(), out.end(), 0);
    size_t n = d.run(in, in_len, out.data(), out.size());
    if (n != out_len) Die(std::string(d.name) + ": failed or wrong length");
    if (crc32(0, out.data(), static_cast<uInt>(out_len)) != m.crc32) {
      Die(std::string(d.name) + ": output does not match the gzip CRC32");
    }
  }
  for (int r = 0; r < reps; ++r) {
    for (Decoder& d : decoders) {
      double t0 = ThreadSeconds();
      size_t n = d.run(in, in_len, out.data(), out.size());
      double t1 = ThreadSeconds();
      if (n != out_len) Die(std::string(d.name) + ": failed on a timed pass");
      d.seconds.push_back(t1 - t0);
    }
  }
  libdeflate_free_decompressor(g_libdeflate);

  std::vector<Checksum> checksums = {
      {"ours", CrcOurs, {}},
      {"zlib", CrcZlib, {}},
      {"libdeflate", CrcLibdeflate, {}},
  };
  for (int r = 0; r < reps; ++r) {
    for (Checksum& c : checksums) {
      double t0 = ThreadSeconds();
      uint32_t crc = c.run(out.data(), out_len);
      double t1 = ThreadSeconds();
      if (crc != m.crc32) Die(std::string(c.name) + ": CRC32 does not match the gzip trailer");
      c.seconds.push_back(t1 - t0);
    }
  }

  // LABEL names the build in the table instead, as the bench does for a
  // run under an emulator.
  const char* bits = argc == 4 ? argv[3] : sizeof(void*) == 8 ? "-m64" : "-m32";
  double mb = out_len / 1e6;
  std::printf("  input: %zu bytes of DEFLATE -> %zu bytes (%.2f:1), %d timed passes each\n",
              in_len, out_len, static_cast<double>(out_len) / in_len, reps);
  PrintTable(bits, "decoder", decoders, ours, mb);
  PrintTable(bits, "crc32", checksums, 1, mb);
  return 0;
}
