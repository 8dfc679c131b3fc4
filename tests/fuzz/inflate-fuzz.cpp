// Fuzz target: InflateRaw (lib/inflate*) against zlib's inflate.
//
// Input: one control byte, then a raw DEFLATE stream. The control byte
// picks the end mode (bit 0: kEndOfInput instead of kFinalBlock) and how
// the output buffer is sized against zlib's output (bits 1-2, with bits
// 3-7 as a small delta), so that streams end right at, just before and
// well inside the buffer's end -- where the fast loop's margins matter.
//
// The output buffer ends right at a PROT_NONE page and starts right after
// another, so an overrun or underrun faults even in a build without
// AddressSanitizer.
//
// Verdicts must agree with zlib's:
//  - kFinalBlock: we succeed iff zlib reaches Z_STREAM_END, with the same
//    bytes and the same input consumed (zlib counts the final block's last
//    partial byte as used, as we do). When zlib's output does not fit the
//    buffer we must say kOutputOverflow after a matching prefix.
//  - kEndOfInput: we succeed iff zlib, stopping at every block boundary
//    (Z_BLOCK), takes all the input without error, never sees BFINAL, and
//    ends at a block boundary with no bits left over -- the byte-aligned
//    end of a full flush. Empty input is such a run (of no blocks).
// On an error we only require that what we wrote before it is what zlib
// wrote: the two decoders may notice different problems first only in the
// documented way (none so far).
//
// A 32-bit build (tests/fuzz/build.mk, replay-inflate-32) links the boot
// stage's own object instead, and checks both of its entries, InflateRaw
// and InflateRawSse2, against the same verdicts.
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "inflate.h"

namespace {

using bzelf::InflateEnd;
using bzelf::InflateError;
using bzelf::InflateErrorString;
using bzelf::InflateResult;

// zlib's output is cut here: fuzz inputs that expand beyond it only
// check the overflow path.
constexpr size_t kMaxOutput = 1 << 20;

using Decoder = InflateResult (*)(const uint8_t* in, size_t in_len, uint8_t* out,
                                  size_t out_cap, InflateEnd end);
struct NamedDecoder {
  const char* name;
  Decoder decode;
};
constexpr NamedDecoder kDecoders[] = {
    {"InflateRaw", bzelf::InflateRaw},
#if !defined(__x86_64__)
    {"InflateRawSse2", bzelf::InflateRawSse2},
#endif
};

[[noreturn]] void Fail(const char* decoder, const char* what, InflateError error) {
  std::fprintf(stderr, "inflate-fuzz: %s: %s (ours: %s)\n", decoder, what,
               InflateErrorString(error));
  std::abort();
}

struct ZlibVerdict {
  bool ok;            // Z_STREAM_END (kFinalBlock) / clean run (kEndOfInput)
  bool overflowed;    // output went past kMaxOutput
  size_t in_used;
  const uint8_t* out;
  size_t out_len;
};

ZlibVerdict RunZlib(const uint8_t* in, size_t len, InflateEnd end) {
  // Static: clearing a megabyte per input would dominate the run time.
  static uint8_t out[kMaxOutput + 1];
  ZlibVerdict v{false, false, 0, out, 0};
  z_stream z{};
  if (inflateInit2(&z, -15) != Z_OK) std::abort();
  z.next_in = const_cast<uint8_t*>(in);
  z.avail_in = static_cast<uInt>(len);
  z.next_out = out;
  z.avail_out = sizeof out;
  int ret = Z_OK;
  bool saw_final = false;
  if (end == InflateEnd::kFinalBlock) {
    ret = inflate(&z, Z_FINISH);
    v.ok = ret == Z_STREAM_END;
  } else {
    // One block per call; data_type tells the state at each stop.
    for (;;) {
      ret = inflate(&z, Z_BLOCK);
      if (z.data_type & 64) saw_final = true;
      if (ret != Z_OK || z.avail_in == 0 || z.avail_out == 0) break;
    }
    const bool at_boundary = (z.data_type & 128) && (z.data_type & 7) == 0;
    v.ok = (ret == Z_OK || ret == Z_BUF_ERROR) && z.avail_in == 0 && !saw_final &&
           (len == 0 || at_boundary);
  }
  v.overflowed = z.total_out > kMaxOutput;
  v.in_used = z.total_in;
  v.out_len = z.total_out;
  inflateEnd(&z);
  if (v.overflowed) v.ok = false;
  return v;
}

// `cap` bytes that end at a guard page and start after one.
class GuardedBuffer {
 public:
  explicit GuardedBuffer(size_t cap) {
    page_ = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    span_ = (cap + page_ - 1) / page_ * page_;
    size_t total = span_ + 2 * page_;
    void* p = mmap(nullptr, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) std::abort();
    base_ = static_cast<uint8_t*>(p);
    if (span_ && mprotect(base_ + page_, span_, PROT_READ | PROT_WRITE) != 0) std::abort();
    data_ = base_ + page_ + (span_ - cap);
  }
  ~GuardedBuffer() { munmap(base_, span_ + 2 * page_); }
  uint8_t* data() { return data_; }

 private:
  size_t page_, span_;
  uint8_t* base_;
  uint8_t* data_;
};

// One decoder against zlib's verdict `z`, into a buffer of `cap` bytes.
void Check(const NamedDecoder& d, const std::vector<uint8_t>& in, InflateEnd end,
           const ZlibVerdict& z, size_t cap) {
  GuardedBuffer buf(cap);
  const InflateResult r = d.decode(in.data(), in.size(), buf.data(), cap, end);

  if (r.out_used > cap) Fail(d.name, "out_used beyond the buffer", r.error);
  if (r.in_used > in.size()) Fail(d.name, "in_used beyond the input", r.error);
  // Whatever we wrote before stopping, zlib wrote too.
  const size_t zlen = z.out_len;
  if (r.out_used > zlen || std::memcmp(buf.data(), z.out, r.out_used) != 0)
    Fail(d.name, "output differs from zlib's", r.error);

  const bool fits = zlen <= cap && !z.overflowed;
  if (r.error == InflateError::kOk) {
    if (!z.ok) Fail(d.name, "we accept a stream zlib rejects", r.error);
    if (r.out_used != zlen) Fail(d.name, "output length differs from zlib's", r.error);
    if (end == InflateEnd::kFinalBlock && r.in_used != z.in_used)
      Fail(d.name, "input used differs from zlib's", r.error);
    if (end == InflateEnd::kEndOfInput && r.in_used != in.size())
      Fail(d.name, "kEndOfInput success without using all input", r.error);
  } else if (z.ok && fits) {
    Fail(d.name, "we reject a stream zlib accepts", r.error);
  } else if (r.error == InflateError::kOutputOverflow) {
    // Only when the output really does not fit: zlib got further.
    if (zlen <= cap) Fail(d.name, "overflow reported although zlib's output fits", r.error);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t control = data[0];
  // The stream in a buffer of its own exact size, so that AddressSanitizer
  // sees a read past its end.
  std::vector<uint8_t> in(data + 1, data + size);
  const InflateEnd end = (control & 1) ? InflateEnd::kEndOfInput : InflateEnd::kFinalBlock;
  const ZlibVerdict z = RunZlib(in.data(), in.size(), end);

  const size_t zlen = z.out_len;
  const size_t delta = control >> 3;
  size_t cap;
  switch ((control >> 1) & 3) {
    case 0: cap = zlen; break;                               // exact
    case 1: cap = zlen > delta ? zlen - delta : 0; break;    // too small
    case 2: cap = zlen + delta; break;                       // a little room
    default: cap = kMaxOutput; break;                        // plenty
  }
  if (cap > kMaxOutput) cap = kMaxOutput;

  for (const NamedDecoder& d : kDecoders) Check(d, in, end, z, cap);
  return 0;
}
