// The checksums that guard part 5's stage code and parameters, one rule
// for everyone who computes them: `bzelf build` writes them, the real-mode
// setup checks SetupParams::part5_crc before it jumps into part 5, and the
// stage checks StageParams::stage_crc before it trusts anything in part 5.
//
// Both start with the CRC32 (gzip's) of part 5's bytes [0, checked_size)
// with the 4 bytes of StageParams::stage_crc read as zero: the checksum
// cannot cover itself, and the setup's copy of it is written after the
// field is filled in. The stage's then goes on over the built-in command
// line, which lies after the payload.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "crc32.h"
#include "stage-params.h"

namespace bzelf {

// The CRC implementation to use: Crc32 (tables; the stage and the host)
// or Crc32Bitwise (the real-mode setup, where code size counts).
using Crc32Function = uint32_t (*)(uint32_t crc, const uint8_t* data, size_t len);

// Continues `crc` over part 5's bytes [at, at + len), which `data` holds,
// reading the 4 bytes at part 5 offset crc_field as zero wherever the
// piece covers them. Feeding part 5 in pieces, in order, gives the same
// value as feeding it whole: the setup reads part 5 a chunk at a time.
template <Crc32Function Crc>
inline uint32_t StageChecksumUpdate(uint32_t crc, uint32_t at, const uint8_t* data, uint32_t len,
                                    uint32_t crc_field) {
  static constexpr uint8_t kZero[4] = {};
  // At most three runs: before the field, (part of) the field, after it.
  // One call site keeps the setup's bit-at-a-time CRC inlined once.
  const uint32_t field_end = crc_field + 4;
  while (len != 0) {
    uint32_t n = len;
    const uint8_t* run = data;
    if (at < field_end) {
      uint32_t stop = crc_field;
      if (at >= crc_field) {
        stop = field_end;
        run = kZero;
      }
      if (n > stop - at) n = stop - at;
    }
    crc = Crc(crc, run, n);
    at += n;
    data += n;
    len -= n;
  }
  return crc;
}

// Part 5's offset of StageParams::stage_crc when StageParams is at
// params_offset.
inline uint32_t StageCrcField(uint32_t params_offset) {
  return params_offset + static_cast<uint32_t>(offsetof(StageParams, stage_crc));
}

// SetupParams::part5_crc: [0, checked_size) of the part 5 at `part5`.
uint32_t CheckedBytesChecksum(const uint8_t* part5, uint32_t checked_size, uint32_t crc_field);

// StageParams::stage_crc: part5 is the start of part 5, params its
// StageParams (inside part 5, at params_offset); the CRC of the checked
// bytes as above, then of the built-in command line.
uint32_t StageChecksum(const uint8_t* part5, size_t params_offset, const StageParams& params);

}  // namespace bzelf
