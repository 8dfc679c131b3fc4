// gzip's CRC32 on the host (crc32.h): on a CPU with PCLMULQDQ, folding by
// carry-less multiplication, the method of Intel's white paper "Fast CRC
// Computation for Generic Polynomials Using PCLMULQDQ Instruction" (Gopal
// et al., 2009); elsewhere, and for short inputs, the tables of
// crc32.cpp. Built only hosted (Makefile: *-host.cpp): the stages keep to
// the general registers.
//
// The arithmetic. Started from 0, the register after the bytes M is
// M(x) * x^32 mod P, where the stream's first bit is M's highest-degree
// coefficient and each byte's least significant bit comes first. A
// 16-byte little-endian load thus holds 128 coefficients bit-reversed:
// bit i is the coefficient of x^(127 - i), and its low 64 bits (the
// first 8 bytes) are the high-degree half. Only the remainder mod P
// counts, so 128 bits X that stand D bits before a later 128-bit chunk Y
// may be replaced by anything of degree under 128 congruent to X * x^D,
// XORed into Y. With X = H * x^64 + L:
//   X * x^D = H * x^(D+64) + L * x^D
//           = H * (x^(D+32) mod P) * x^32 + L * (x^(D-32) mod P) * x^32  (mod P)
// PCLMULQDQ multiplies bit-reversed operands as they are: a 64-bit
// reversed H times a constant reversed over 33 bits gives the 96-bit
// reversal of their product, which read as a 128-bit reversed value is
// the product times x^32. Each term above is one such multiplication,
// with the constant x^(D+32) mod P or x^(D-32) mod P (degree under 32),
// reversed over 33 bits (FoldConstant()), and each product has degree
// under 127: it fits. Eight chunks are folded in parallel, 128 bytes a
// step (D = 1024), as the carry-less multiplier's latency is several
// cycles and it starts one a cycle; at the end the eight are folded into
// one (D = 128) and the rest of the whole chunks follow.
//
// The last step differs from the paper: the folded X stands for every
// byte so far (same remainder, same position), so the register is the
// one after X's own 16 bytes, started from 0, which the tables give for
// 16 bytes once a call, in place of the paper's Barrett reduction. The
// bytes after the last whole chunk go through the tables too.

#include "crc32.h"

namespace bzelf {
namespace {

// An SSE register as two 64-bit halves, [0] the low one; GCC's vector
// extension, so that XOR is `^` and no intrinsics header is needed.
typedef unsigned long long Xmm __attribute__((vector_size(16)));

// x^n mod P, with bit i the coefficient of x^i (not reflected).
constexpr uint32_t XPowModP(unsigned n) {
  uint32_t normal = 0;  // P without x^32, not reflected
  for (int i = 0; i < 32; ++i) normal |= ((kCrc32Polynomial >> i) & 1) << (31 - i);
  uint32_t r = 1;
  for (unsigned i = 0; i < n; ++i) r = (r << 1) ^ ((r >> 31) ? normal : 0);
  return r;
}

// x^n mod P bit-reversed over 33 bits, for PCLMULQDQ (above).
constexpr uint64_t FoldConstant(unsigned n) {
  const uint32_t v = XPowModP(n);
  uint64_t reversed = 0;
  for (int i = 0; i < 32; ++i) reversed |= uint64_t{(v >> i) & 1} << (32 - i);
  return reversed;
}

// FoldConstant() against the white paper's constants for gzip's CRC32,
// folding by four chunks (k1, k2) and by one (k3, k4), as its table lists
// them.
static_assert(FoldConstant(4 * 128 + 32) == 0x154442bd4 &&
              FoldConstant(4 * 128 - 32) == 0x1c6e41596);
static_assert(FoldConstant(128 + 32) == 0x1751997d0 && FoldConstant(128 - 32) == 0x0ccaa009e);

constexpr unsigned kLanes = 8;
constexpr size_t kChunk = 16;
constexpr size_t kStep = kLanes * kChunk;

// Folding starts from one chunk per lane; shorter inputs go through the
// tables.
constexpr size_t kMinFoldLength = kStep;

// X * x^D mod P's stand-in (above), with the constants for D in k: x^(D+32)
// in the low half, for H, and x^(D-32) in the high half, for L.
// PCLMULQDQ's immediate picks the halves: 0x00 low times low, 0x11 high
// times high.
[[gnu::target("pclmul"), gnu::always_inline]] inline Xmm Fold(Xmm x, Xmm k) {
  typedef long long Signed __attribute__((vector_size(16)));  // the builtin's type
  const Signed sx = reinterpret_cast<Signed>(x), sk = reinterpret_cast<Signed>(k);
  return reinterpret_cast<Xmm>(__builtin_ia32_pclmulqdq128(sx, sk, 0x00) ^
                               __builtin_ia32_pclmulqdq128(sx, sk, 0x11));
}

inline Xmm Load(const uint8_t* p) {
  Xmm v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}

// len >= kMinFoldLength. Out of line: the CPU check in Crc32Raw() keeps it
// from running where PCLMULQDQ is missing.
[[gnu::target("pclmul"), gnu::noinline]] uint32_t Crc32RawClmul(uint32_t reg, const uint8_t* data,
                                                               size_t len) {
  constexpr Xmm by_lanes = {FoldConstant(kStep * 8 + 32), FoldConstant(kStep * 8 - 32)};
  constexpr Xmm by_one = {FoldConstant(kChunk * 8 + 32), FoldConstant(kChunk * 8 - 32)};
  Xmm x[kLanes];
#pragma GCC unroll 8
  for (unsigned i = 0; i < kLanes; ++i) x[i] = Load(data + i * kChunk);
  // The register goes into the first 4 bytes, as in the tables' loop.
  x[0][0] ^= reg;
  data += kStep;
  len -= kStep;
  while (len >= kStep) {
#pragma GCC unroll 8
    for (unsigned i = 0; i < kLanes; ++i) {
      x[i] = Fold(x[i], by_lanes) ^ Load(data + i * kChunk);
    }
    data += kStep;
    len -= kStep;
  }
  Xmm acc = x[0];
#pragma GCC unroll 8
  for (unsigned i = 1; i < kLanes; ++i) acc = Fold(acc, by_one) ^ x[i];
  while (len >= kChunk) {
    acc = Fold(acc, by_one) ^ Load(data);
    data += kChunk;
    len -= kChunk;
  }
  uint8_t folded[kChunk];
  __builtin_memcpy(folded, &acc, sizeof folded);
  return Crc32RawTables(Crc32RawTables(0, folded, kChunk), data, len);
}

}  // namespace

uint32_t Crc32Raw(uint32_t reg, const uint8_t* data, size_t len) {
  if (len >= kMinFoldLength && __builtin_cpu_supports("pclmul")) {
    return Crc32RawClmul(reg, data, len);
  }
  return Crc32RawTables(reg, data, len);
}

}  // namespace bzelf
