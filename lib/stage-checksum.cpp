#include "stage-checksum.h"

#include "crc32.h"

namespace bzelf {

uint32_t StageChecksum(const uint8_t* part5, size_t params_offset, const StageParams& params) {
  const size_t field = params_offset + offsetof(StageParams, stage_crc);
  const uint8_t zero[4] = {};
  uint32_t crc = Crc32(0, part5, field);
  crc = Crc32(crc, zero, sizeof(zero));
  crc = Crc32(crc, part5 + field + 4, params.checked_size - field - 4);
  if (params.cmdline_size != 0) {
    crc = Crc32(crc, part5 + params.cmdline_offset, params.cmdline_size);
  }
  return crc;
}

}  // namespace bzelf
