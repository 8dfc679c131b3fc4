#include "stage-checksum.h"

namespace bzelf {

uint32_t CheckedBytesChecksum(const uint8_t* part5, uint32_t checked_size, uint32_t crc_field) {
  return StageChecksumUpdate<Crc32>(0, 0, part5, checked_size, crc_field);
}

uint32_t StageChecksum(const uint8_t* part5, size_t params_offset, const StageParams& params) {
  uint32_t crc = CheckedBytesChecksum(part5, params.checked_size,
                                      StageCrcField(static_cast<uint32_t>(params_offset)));
  if (params.cmdline_size != 0) {
    crc = Crc32(crc, part5 + params.cmdline_offset, params.cmdline_size);
  }
  return crc;
}

}  // namespace bzelf
