// CHS addressing for INT 13h AH=02h (lib/chs.h): geometry from AH=08h's
// registers, reads that end at a track's end and before a 64 KiB
// boundary, and the register encoding.
#include <gtest/gtest.h>

#include <functional>

#include "chs.h"

namespace bzelf::chs {
namespace {

// A 1.44 MB floppy: 80 cylinders, 2 heads, 18 sectors per track.
constexpr Geometry kFloppy144 = {80, 2, 18};

TEST(Chs, GeometryFromInt13Params) {
  // A 1.44 MB drive answers CH = 79, CL = 18, DH = 1.
  Geometry g = FromInt13Params(79, 18, 1);
  EXPECT_EQ(g.cylinders, 80);
  EXPECT_EQ(g.heads, 2);
  EXPECT_EQ(g.sectors, 18);
  // Cylinder bits 8-9 in CL bits 6-7: last cylinder 1023, 63 sectors,
  // 255 heads (the largest CHS disk).
  g = FromInt13Params(0xff, 0xc0 | 63, 254);
  EXPECT_EQ(g.cylinders, 1024);
  EXPECT_EQ(g.heads, 255);
  EXPECT_EQ(g.sectors, 63);
  // DH = 255: 256 heads.
  EXPECT_EQ(FromInt13Params(0, 1, 255).heads, 256);
}

// A drive whose disk has `media` sectors a track: sectors past it fail.
struct FakeFloppy {
  uint8_t media;
  int reads = 0;
  bool operator()(uint8_t sector) {
    ++reads;
    return sector <= media;
  }
};

TEST(Chs, MediaSectorsPerTrackFromTheDiskNotTheDrive) {
  // 1.44 MB in a 2.88 MB drive: AH=08h says 36, the disk has 18.
  FakeFloppy f144{18};
  EXPECT_EQ(MediaSectorsPerTrack(36, std::ref(f144)), 18);
  EXPECT_EQ(f144.reads, 2);
  // 2.88 MB in its own drive: the first probe reads.
  FakeFloppy f288{36};
  EXPECT_EQ(MediaSectorsPerTrack(36, std::ref(f288)), 36);
  EXPECT_EQ(f288.reads, 1);
  // 720 KB in a 1.44 MB drive: 36 is past the drive, never tried.
  FakeFloppy f720{9};
  EXPECT_EQ(MediaSectorsPerTrack(18, std::ref(f720)), 9);
  EXPECT_EQ(f720.reads, 3);
  // Nothing reads (no disk): the drive's count stays.
  FakeFloppy none{0};
  EXPECT_EQ(MediaSectorsPerTrack(18, std::ref(none)), 18);
}

TEST(Chs, ReadEndsAtTheTrackEnd) {
  Read r{};
  // LBA 0: C0 H0 S1, at most the whole track.
  ASSERT_EQ(PlanRead(kFloppy144, 0, 100, 0x20000, r), ReadError::kOk);
  EXPECT_EQ(r.cylinder, 0);
  EXPECT_EQ(r.head, 0);
  EXPECT_EQ(r.sector, 1);
  EXPECT_EQ(r.count, 18);
  // LBA 17 is the track's last sector: one sector.
  ASSERT_EQ(PlanRead(kFloppy144, 17, 100, 0x20000, r), ReadError::kOk);
  EXPECT_EQ(r.sector, 18);
  EXPECT_EQ(r.count, 1);
  // LBA 18: head 1 of cylinder 0.
  ASSERT_EQ(PlanRead(kFloppy144, 18, 100, 0x20000, r), ReadError::kOk);
  EXPECT_EQ(r.cylinder, 0);
  EXPECT_EQ(r.head, 1);
  EXPECT_EQ(r.sector, 1);
  // LBA 40: cylinder 1, head 0, sector 5; 14 left on the track.
  ASSERT_EQ(PlanRead(kFloppy144, 40, 100, 0x20000, r), ReadError::kOk);
  EXPECT_EQ(r.cylinder, 1);
  EXPECT_EQ(r.head, 0);
  EXPECT_EQ(r.sector, 5);
  EXPECT_EQ(r.count, 14);
  // Fewer wanted than the track holds.
  ASSERT_EQ(PlanRead(kFloppy144, 40, 3, 0x20000, r), ReadError::kOk);
  EXPECT_EQ(r.count, 3);
  // The last sector of the disk, and one past it.
  ASSERT_EQ(PlanRead(kFloppy144, 2879, 1, 0x20000, r), ReadError::kOk);
  EXPECT_EQ(r.cylinder, 79);
  EXPECT_EQ(r.head, 1);
  EXPECT_EQ(r.sector, 18);
  EXPECT_EQ(PlanRead(kFloppy144, 2880, 1, 0x20000, r), ReadError::kPastLastCylinder);
}

TEST(Chs, ReadEndsBeforeA64KiBBoundary) {
  Read r{};
  // 0x1F000: 4 KiB, 8 sectors, to the boundary at 0x20000.
  ASSERT_EQ(PlanRead(kFloppy144, 0, 18, 0x1f000, r), ReadError::kOk);
  EXPECT_EQ(r.count, 8);
  // One sector below it: one.
  ASSERT_EQ(PlanRead(kFloppy144, 0, 18, 0x1fe00, r), ReadError::kOk);
  EXPECT_EQ(r.count, 1);
  // Starting on the boundary: the whole track.
  ASSERT_EQ(PlanRead(kFloppy144, 0, 18, 0x20000, r), ReadError::kOk);
  EXPECT_EQ(r.count, 18);
  // Less than a sector below it: no read can be planned.
  EXPECT_EQ(PlanRead(kFloppy144, 0, 18, 0x1ff00, r), ReadError::kDmaBoundary);
  // The track end and the boundary: the nearer one wins.
  ASSERT_EQ(PlanRead(kFloppy144, 16, 18, 0x1f000, r), ReadError::kOk);
  EXPECT_EQ(r.count, 2);
}

TEST(Chs, SweepNeverCrossesATrackOrABoundary) {
  // A 2.88 MB floppy (36 sectors per track) read whole into a buffer that
  // starts off a 64 KiB boundary: every read stays in one track and one
  // 64 KiB block, and together they cover every sector once, in order.
  constexpr Geometry g = {80, 2, 36};
  uint32_t lba = 0, buffer = 0x13400;
  const uint32_t total = 80 * 2 * 36;
  while (lba < total) {
    Read r{};
    ASSERT_EQ(PlanRead(g, lba, total - lba, buffer, r), ReadError::kOk);
    ASSERT_GT(r.count, 0);
    EXPECT_EQ((r.cylinder * 2u + r.head) * 36u + r.sector - 1u, lba);
    EXPECT_LE(r.sector - 1u + r.count, 36u);
    EXPECT_EQ(buffer >> 16, (buffer + r.count * 512u - 1) >> 16);
    lba += r.count;
    buffer += r.count * 512u;
  }
  EXPECT_EQ(lba, total);
}

TEST(Chs, NoGeometryNoRead) {
  Read r{};
  EXPECT_EQ(PlanRead({80, 2, 0}, 0, 1, 0, r), ReadError::kNoGeometry);
  EXPECT_EQ(PlanRead({80, 0, 18}, 0, 1, 0, r), ReadError::kNoGeometry);
  EXPECT_EQ(PlanRead({0, 2, 18}, 0, 1, 0, r), ReadError::kNoGeometry);
}

TEST(Chs, Int13Cx) {
  // Cylinder 0x3ff, sector 63: CH = 0xff, CL = 0xc0 | 63.
  EXPECT_EQ(Int13Cx({0x3ff, 0, 63, 1}), 0xffff);
  EXPECT_EQ(Int13Cx({79, 1, 18, 1}), (79 << 8) | 18);
  EXPECT_EQ(Int13Cx({0x100, 0, 1, 1}), 0x0041);
}

}  // namespace
}  // namespace bzelf::chs
