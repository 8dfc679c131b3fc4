// The descriptor encoder against values written out elsewhere: the GDT
// entries of Linux's arch/x86/boot/pm.c (GDT_ENTRY(flags, base, limit) in
// arch/x86/include/asm/segment.h) and the SDM's field layout.

#include "segment-descriptor.h"

#include <gtest/gtest.h>

namespace bzelf::x86 {
namespace {

TEST(SegmentDescriptor, FlatSegmentsOfTheBootProtocols) {
  // Linux's setup: GDT_ENTRY(0xc09b, 0, 0xfffff) for BOOT_CS and
  // GDT_ENTRY(0xc093, 0, 0xfffff) for BOOT_DS.
  EXPECT_EQ(kFlat32Code, 0x00cf9b000000ffffull);
  EXPECT_EQ(kFlatData, 0x00cf93000000ffffull);
  // 64-bit code: L set and D/B clear, as the SDM requires of it.
  EXPECT_EQ(kFlat64Code, 0x00af9b000000ffffull);
}

TEST(SegmentDescriptor, TssOfLinuxsSetup) {
  // pm.c's TSS: GDT_ENTRY(0x0089, 4096, 103), byte-granular.
  EXPECT_EQ(Descriptor(4096, 103, kTss32Available, 0), 0x0000890010000067ull);
}

TEST(SegmentDescriptor, EveryFieldInItsPlace) {
  // Distinct nibbles show where each field goes: limit 15:0 in bits 15:0,
  // base 23:0 in 39:16, access in 47:40, limit 19:16 in 51:48, flags in
  // 55:52, base 31:24 in 63:56.
  EXPECT_EQ(Descriptor(0x12345678, 0xabcde, 0x93, kFlagDefault32), 0x124a93345678bcdeull);
  // Bits beyond a field's width do not spill into the next one.
  EXPECT_EQ(Descriptor(0, 0xfff00000, 0, 0xf0), 0u);
}

}  // namespace
}  // namespace bzelf::x86
