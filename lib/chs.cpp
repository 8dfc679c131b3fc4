#include "chs.h"

namespace bzelf::chs {

Geometry FromInt13Params(uint8_t ch, uint8_t cl, uint8_t dh) {
  return {uint16_t((ch | (cl & 0xc0) << 2) + 1), uint16_t(dh + 1), uint8_t(cl & 0x3f)};
}

ReadError PlanRead(const Geometry& g, uint32_t lba, uint32_t count, uint32_t buffer, Read& out) {
  if (g.sectors == 0 || g.heads == 0 || g.cylinders == 0) return ReadError::kNoGeometry;
  const uint32_t track = lba / g.sectors;
  const uint32_t index = lba % g.sectors;
  const uint32_t cylinder = track / g.heads;
  if (cylinder >= g.cylinders) return ReadError::kPastLastCylinder;
  // Sectors that fit before the next 64 KiB boundary.
  const uint32_t room = (0x10000 - (buffer & 0xffff)) / 512;
  if (room == 0) return ReadError::kDmaBoundary;
  uint32_t n = g.sectors - index;
  if (n > count) n = count;
  if (n > room) n = room;
  out = {uint16_t(cylinder), uint8_t(track % g.heads), uint8_t(index + 1), uint8_t(n)};
  return ReadError::kOk;
}

}  // namespace bzelf::chs
