// The EFI stub's memory-map rules (lib/efi-memory-map.h): EFI types into
// E820 types, merging, the SETUP_E820_EXT overflow, the kernel-range check,
// where the stub's own allocations go; and the GOP and RSDP readers.

#include "efi-memory-map.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace bzelf {
namespace {

using efi::EFI_MEMORY_DESCRIPTOR;
using linuxboot::boot_params;
using linuxboot::e820_entry;

constexpr uint64_t kMiB = 0x100000;

// A GetMemoryMap buffer with OVMF's descriptor size (48): the readers must
// step by the firmware's size, not sizeof(EFI_MEMORY_DESCRIPTOR).
class FakeMap {
 public:
  static constexpr uint64_t kDescriptorSize = 48;

  FakeMap& Add(uint32_t type, uint64_t start, uint64_t bytes) {
    EFI_MEMORY_DESCRIPTOR d{};
    d.Type = type;
    d.PhysicalStart = start;
    d.NumberOfPages = bytes / 4096;
    d.Attribute = 0xf;
    const size_t at = bytes_.size();
    bytes_.resize(at + kDescriptorSize, 0xa5);  // padding that must not be read
    std::memcpy(bytes_.data() + at, &d, sizeof d);
    return *this;
  }
  EfiMemoryMap View() const { return {bytes_.data(), bytes_.size(), kDescriptorSize}; }

 private:
  std::vector<uint8_t> bytes_;
};

std::vector<e820_entry> Table(const boot_params& bp) {
  return {bp.e820_table, bp.e820_table + bp.e820_entries};
}

void ExpectEntry(const e820_entry& e, uint64_t addr, uint64_t size, uint32_t type) {
  const e820_entry copy = e;  // packed
  EXPECT_EQ(copy.addr, addr);
  EXPECT_EQ(copy.size, size);
  EXPECT_EQ(copy.type, type);
}

TEST(EfiMemoryMap, TypesAsTheIssueAndLinuxMapThem) {
  using namespace linuxboot;
  EXPECT_EQ(E820TypeOfEfi(efi::EfiConventionalMemory), E820_TYPE_RAM);
  EXPECT_EQ(E820TypeOfEfi(efi::EfiLoaderCode), E820_TYPE_RAM);
  EXPECT_EQ(E820TypeOfEfi(efi::EfiLoaderData), E820_TYPE_RAM);
  EXPECT_EQ(E820TypeOfEfi(efi::EfiBootServicesCode), E820_TYPE_RAM);
  EXPECT_EQ(E820TypeOfEfi(efi::EfiBootServicesData), E820_TYPE_RAM);
  EXPECT_EQ(E820TypeOfEfi(efi::EfiACPIReclaimMemory), E820_TYPE_ACPI);
  EXPECT_EQ(E820TypeOfEfi(efi::EfiACPIMemoryNVS), E820_TYPE_NVS);
  EXPECT_EQ(E820TypeOfEfi(efi::EfiUnusableMemory), E820_TYPE_UNUSABLE);
  EXPECT_EQ(E820TypeOfEfi(efi::EfiPersistentMemory), E820_TYPE_PMEM);
  for (uint32_t t : {0u, 5u, 6u, 11u, 12u, 13u, 15u, 0x70000000u, 0x80000001u}) {
    EXPECT_EQ(E820TypeOfEfi(t), E820_TYPE_RESERVED) << "EFI type " << t;
  }
}

TEST(EfiMemoryMap, AdjacentOfOneTypeMergeOthersDoNot) {
  FakeMap m;
  m.Add(efi::EfiConventionalMemory, 0, 0xa0000)
      .Add(efi::EfiReservedMemoryType, 0xa0000, 0x60000)
      .Add(efi::EfiConventionalMemory, kMiB, 7 * kMiB)
      .Add(efi::EfiACPIMemoryNVS, 8 * kMiB, 0x8000)           // NVS between RAM
      .Add(efi::EfiBootServicesData, 8 * kMiB + 0x8000, 0x8000)
      .Add(efi::EfiLoaderCode, 8 * kMiB + 0x10000, 0x10000)   // merges
      .Add(efi::EfiConventionalMemory, 8 * kMiB + 0x20000, kMiB)  // merges
      .Add(efi::EfiConventionalMemory, 16 * kMiB, kMiB)       // a gap: new entry
      .Add(efi::EfiRuntimeServicesData, 17 * kMiB, 0x1000)
      .Add(efi::EfiMemoryMappedIO, 17 * kMiB + 0x1000, 0x1000);  // merges (reserved)
  boot_params bp{};
  const E820Fill fill = FillE820(m.View(), bp, nullptr, 0);
  EXPECT_TRUE(fill.fits);
  ASSERT_EQ(fill.entries, 7u);
  const auto t = Table(bp);
  ExpectEntry(t[0], 0, 0xa0000, 1);
  ExpectEntry(t[1], 0xa0000, 0x60000, 2);
  ExpectEntry(t[2], kMiB, 7 * kMiB, 1);
  ExpectEntry(t[3], 8 * kMiB, 0x8000, 4);
  ExpectEntry(t[4], 8 * kMiB + 0x8000, 0x18000 + kMiB, 1);
  ExpectEntry(t[5], 16 * kMiB, kMiB, 1);
  ExpectEntry(t[6], 17 * kMiB, 0x2000, 2);
}

TEST(EfiMemoryMap, PastTheZeroPageIntoSetupE820Ext) {
  // 200 entries that cannot merge: RAM and reserved pages alternating.
  FakeMap m;
  for (int i = 0; i < 200; ++i) {
    m.Add(i % 2 ? efi::EfiReservedMemoryType : efi::EfiConventionalMemory, kMiB + i * 0x1000,
          0x1000);
  }
  std::vector<uint8_t> node(sizeof(linuxboot::setup_data) + 100 * sizeof(e820_entry));
  auto* sd = reinterpret_cast<linuxboot::setup_data*>(node.data());
  boot_params bp{};
  E820Fill fill = FillE820(m.View(), bp, sd, 100);
  EXPECT_TRUE(fill.fits);
  EXPECT_EQ(bp.e820_entries, 128);
  EXPECT_EQ(fill.ext_entries, 72u);
  EXPECT_EQ(sd->type, linuxboot::SETUP_E820_EXT);
  EXPECT_EQ(sd->len, 72u * 20);
  const auto* ext = reinterpret_cast<const e820_entry*>(sd + 1);
  ExpectEntry(bp.e820_table[127], kMiB + 127 * 0x1000, 0x1000, 2);
  ExpectEntry(ext[0], kMiB + 128 * 0x1000, 0x1000, 1);
  ExpectEntry(ext[71], kMiB + 199 * 0x1000, 0x1000, 2);

  // Too small a node: said, not overrun.
  boot_params bp2{};
  fill = FillE820(m.View(), bp2, sd, 10);
  EXPECT_FALSE(fill.fits);
  EXPECT_EQ(fill.ext_entries, 10u);
  EXPECT_EQ(sd->len, 10u * 20);
}

TEST(EfiMemoryMap, MergingReachesAcrossIntoTheExtension) {
  // Entry 129 merges into entry 128, the extension's first.
  FakeMap m;
  for (int i = 0; i < 129; ++i) {
    m.Add(i % 2 ? efi::EfiReservedMemoryType : efi::EfiConventionalMemory, kMiB + i * 0x1000,
          0x1000);
  }
  m.Add(efi::EfiBootServicesCode, kMiB + 129 * 0x1000, 0x1000);
  std::vector<uint8_t> node(sizeof(linuxboot::setup_data) + 4 * sizeof(e820_entry));
  auto* sd = reinterpret_cast<linuxboot::setup_data*>(node.data());
  boot_params bp{};
  const E820Fill fill = FillE820(m.View(), bp, sd, 4);
  EXPECT_EQ(fill.ext_entries, 1u);
  ExpectEntry(reinterpret_cast<const e820_entry*>(sd + 1)[0], kMiB + 128 * 0x1000, 0x2000, 1);
}

// Debian's OVMF, q35, 256 MiB, as the issue describes it: boot-services data
// at 0x900000-0x14fffff, ACPI NVS at 0x806000-0x807fff and 0x810000-0x8fffff.
FakeMap OvmfLike() {
  FakeMap m;
  m.Add(efi::EfiConventionalMemory, 0, 0x9f000)
      .Add(efi::EfiConventionalMemory, kMiB, 0x706000)
      .Add(efi::EfiACPIMemoryNVS, 0x806000, 0x2000)
      .Add(efi::EfiConventionalMemory, 0x808000, 0x8000)
      .Add(efi::EfiACPIMemoryNVS, 0x810000, 0xf0000)
      .Add(efi::EfiBootServicesData, 0x900000, 0xc00000)
      .Add(efi::EfiConventionalMemory, 0x1500000, 0xa000000)
      .Add(efi::EfiLoaderCode, 0xb500000, 0x1000000)
      .Add(efi::EfiRuntimeServicesData, 0xc500000, 0x100000)
      .Add(efi::EfiConventionalMemory, 0xc600000, 0x3a00000);
  return m;
}

TEST(EfiMemoryMap, KernelRangesInBootServicesAndLoaderMemoryPass) {
  const FakeMap m = OvmfLike();
  EXPECT_FALSE(CheckKernelRange(m.View(), {0x1000000, 0x3000000}, "kernel segment", 0));
  EXPECT_FALSE(CheckKernelRange(m.View(), {0x900000, 0x1500001}, "kernel segment", 0));
  EXPECT_FALSE(CheckKernelRange(m.View(), {0xb400000, 0xb600000}, "kernel segment", 0));
  EXPECT_FALSE(CheckKernelRange(m.View(), {kMiB, kMiB + 1}, "kernel segment", 0));
}

TEST(EfiMemoryMap, KernelRangesInNvsRuntimeOrHolesFailWithTheReason) {
  const FakeMap m = OvmfLike();
  Failure f = CheckKernelRange(m.View(), {kMiB, 0x900000}, "kernel segment", 1);
  ASSERT_TRUE(f);
  EXPECT_STREQ(f.what, "memory");
  EXPECT_EQ(std::string(f.detail.c_str()),
            "kernel segment 1 [0x100000, 0x900000) lies in EFI ACPI NVS memory at "
            "[0x806000, 0x808000)");
  f = CheckKernelRange(m.View(), {0xc400000, 0xc500001}, "kernel segment", 0);
  ASSERT_TRUE(f);
  EXPECT_NE(std::string(f.detail.c_str()).find("runtime services data"), std::string::npos);
  // The hole between 0x9f000 and 1 MiB.
  f = CheckKernelRange(m.View(), {0x90000, 0x110000}, "kernel segment", 2);
  ASSERT_TRUE(f);
  EXPECT_EQ(std::string(f.detail.c_str()),
            "kernel segment 2 [0x90000, 0x110000) reaches 0x9f000, which the EFI memory map "
            "does not describe");
  // Past the top of memory.
  EXPECT_TRUE(CheckKernelRange(m.View(), {0xff00000, 0x10000001}, "kernel segment", 0));
}

TEST(EfiMemoryMap, FreeRoomIsHighConventionalAndClearOfTheKernel) {
  const FakeMap m = OvmfLike();
  // The top of the highest conventional block.
  EXPECT_EQ(FindEfiFree(m.View(), 0x3000, ~0ull, nullptr, 0), 0x10000000u - 0x3000);
  // Below a limit: the top of the block under it.
  EXPECT_EQ(FindEfiFree(m.View(), 0x1000, 0xc000000, nullptr, 0), 0xb500000u - 0x1000);
  // Clear of a kernel that takes the top of that block.
  const Range kernel[] = {{0xa000000, 0xb500000}};
  EXPECT_EQ(FindEfiFree(m.View(), 0x1800, 0xc000000, kernel, 1), 0xa000000u - 0x2000);
  // Clear of a kernel that takes all of it: the next block down.
  const Range big[] = {{0x1500000, 0xb500000}};
  EXPECT_EQ(FindEfiFree(m.View(), 0x1000, 0xc000000, big, 1), 0x810000u - 0x1000);
  // Never below 1 MiB, and 0 when nothing fits.
  const Range all[] = {{0x101000, 0xc000000}};
  EXPECT_EQ(FindEfiFree(m.View(), 0x1000, 0xc000000, all, 1), kMiB);
  EXPECT_EQ(FindEfiFree(m.View(), 0x2000, 0xc000000, all, 1), 0u);
  EXPECT_EQ(FindEfiFree(m.View(), 0x10000000, ~0ull, nullptr, 0), 0u);
}

TEST(EfiGop, ScreenInfoForEachPixelFormat) {
  efi::EFI_GRAPHICS_OUTPUT_MODE_INFORMATION info{};
  info.HorizontalResolution = 1280;
  info.VerticalResolution = 800;
  info.PixelsPerScanLine = 1280;
  info.PixelFormat = efi::PixelBlueGreenRedReserved8BitPerColor;
  linuxboot::screen_info si{};
  ASSERT_TRUE(ScreenInfoFromGop(info, 0x80000000, 0x3e8000, si));
  EXPECT_EQ(si.orig_video_isVGA, linuxboot::VIDEO_TYPE_EFI);
  EXPECT_EQ(si.lfb_width, 1280);
  EXPECT_EQ(si.lfb_height, 800);
  EXPECT_EQ(si.lfb_depth, 32);
  EXPECT_EQ(si.lfb_linelength, 5120);
  EXPECT_EQ(si.lfb_base, 0x80000000u);
  EXPECT_EQ(si.ext_lfb_base, 0u);
  EXPECT_EQ(si.lfb_size, 0x3e8000u);
  EXPECT_EQ(si.capabilities, linuxboot::VIDEO_CAPABILITY_SKIP_QUIRKS);
  EXPECT_EQ(si.red_pos, 16);
  EXPECT_EQ(si.green_pos, 8);
  EXPECT_EQ(si.blue_pos, 0);
  EXPECT_EQ(si.rsvd_pos, 24);

  info.PixelFormat = efi::PixelRedGreenBlueReserved8BitPerColor;
  ASSERT_TRUE(ScreenInfoFromGop(info, 0x8'0000'0000ull, 0x3e8000, si));
  EXPECT_EQ(si.red_pos, 0);
  EXPECT_EQ(si.blue_pos, 16);
  EXPECT_EQ(si.lfb_base, 0u);
  EXPECT_EQ(si.ext_lfb_base, 8u);
  EXPECT_EQ(si.capabilities, linuxboot::VIDEO_CAPABILITY_SKIP_QUIRKS |
                                 linuxboot::VIDEO_CAPABILITY_64BIT_BASE);

  // 16-bit 5:6:5.
  info.PixelFormat = efi::PixelBitMask;
  info.PixelInformation = {0xf800, 0x07e0, 0x001f, 0};
  ASSERT_TRUE(ScreenInfoFromGop(info, 0x80000000, 0x1f4000, si));
  EXPECT_EQ(si.lfb_depth, 16);
  EXPECT_EQ(si.lfb_linelength, 2560);
  EXPECT_EQ(si.red_pos, 11);
  EXPECT_EQ(si.red_size, 5);
  EXPECT_EQ(si.green_pos, 5);
  EXPECT_EQ(si.green_size, 6);
  EXPECT_EQ(si.blue_pos, 0);
  EXPECT_EQ(si.blue_size, 5);
  EXPECT_EQ(si.rsvd_size, 0);

  info.PixelFormat = efi::PixelBltOnly;
  EXPECT_FALSE(ScreenInfoFromGop(info, 0, 0, si));
}

TEST(EfiConfigurationTable, RsdpPrefersAcpi20) {
  int a, b, c;
  efi::EFI_CONFIGURATION_TABLE t[3] = {
      {efi::EFI_LOADED_IMAGE_PROTOCOL_GUID, &a},
      {efi::ACPI_TABLE_GUID, &b},
      {efi::EFI_ACPI_20_TABLE_GUID, &c},
  };
  EXPECT_EQ(FindRsdp(t, 3), reinterpret_cast<uintptr_t>(&c));
  EXPECT_EQ(FindRsdp(t, 2), reinterpret_cast<uintptr_t>(&b));
  EXPECT_EQ(FindRsdp(t, 1), 0u);
}

TEST(EfiGuids, SpelledAsTheirTextForms) {
  // The byte order of a GUID in memory: Data1-3 little-endian, Data4 as is;
  // compared with the GUIDs' registry forms (UEFI spec appendix A).
  auto text = [](const efi::EFI_GUID& g) {
    char s[40];
    snprintf(s, sizeof s, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x", g.Data1, g.Data2,
             g.Data3, g.Data4[0], g.Data4[1], g.Data4[2], g.Data4[3], g.Data4[4], g.Data4[5],
             g.Data4[6], g.Data4[7]);
    return std::string(s);
  };
  EXPECT_EQ(text(efi::LINUX_EFI_INITRD_MEDIA_GUID), "5568e427-68fc-4f3d-ac74-ca555231cc68");
  EXPECT_EQ(text(efi::EFI_LOAD_FILE2_PROTOCOL_GUID), "4006c0c1-fcb3-403e-996d-4a6c8724e06d");
  EXPECT_EQ(text(efi::EFI_LOADED_IMAGE_PROTOCOL_GUID), "5b1b31a1-9562-11d2-8e3f-00a0c969723b");
  EXPECT_EQ(text(efi::EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID),
            "964e5b22-6459-11d2-8e39-00a0c969723b");
  EXPECT_EQ(text(efi::EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID), "9042a9de-23dc-4a38-96fb-7aded080516a");
  EXPECT_EQ(text(efi::EFI_ACPI_20_TABLE_GUID), "8868e871-e4f1-11d3-bc22-0080c73c8881");
  // The initrd device path: a 20-byte vendor media node, then the end node.
  const auto* p = reinterpret_cast<const uint8_t*>(&efi::kInitrdMediaDevicePath);
  EXPECT_EQ(p[0], 4);
  EXPECT_EQ(p[1], 3);
  EXPECT_EQ(p[2], 20);
  EXPECT_EQ(p[20], 0x7f);
  EXPECT_EQ(p[21], 0xff);
  EXPECT_EQ(p[22], 4);
}

}  // namespace
}  // namespace bzelf
