// The PE/COFF header of a built image (tools/pe-header.h): the rules of
// issue 15 checked on what `bzelf build` writes, and the layouts the
// header refuses.
#include <gtest/gtest.h>

#include <cstring>

#include "image.h"
#include "pe-header.h"
#include "test-elf.h"

namespace bzelf {
namespace {

using namespace pe;

BuiltImage Build() {
  Bytes k = testing::MakeKernel(elf::ELFCLASS64, 0x1000000,
                                {{.vaddr = 0x1000000, .paddr = 0x1000000, .filesz = 0x3000,
                                  .memsz = 0x8000}});
  return BuildImage(k, "k.elf", {.cmdline = "console=ttyS0"});
}

// The boot sector finds its drive by comparing sector 0 (boot/header.S):
// images that differ only in their built-in command line must differ
// there too, through the PE header's TimeDateStamp.
TEST(PeHeader, SectorZeroTellsImagesApart) {
  Bytes k = testing::MakeKernel(elf::ELFCLASS64, 0x1000000,
                                {{.vaddr = 0x1000000, .paddr = 0x1000000, .filesz = 0x3000,
                                  .memsz = 0x8000}});
  const Bytes a = BuildImage(k, "k.elf", {.cmdline = "root=/dev/sda1"}).bytes;
  const Bytes b = BuildImage(k, "k.elf", {.cmdline = "root=/dev/sdb1"}).bytes;
  const Bytes a2 = BuildImage(k, "k.elf", {.cmdline = "root=/dev/sda1"}).bytes;
  EXPECT_NE(std::memcmp(a.data(), b.data(), 512), 0);
  EXPECT_EQ(std::memcmp(a.data(), a2.data(), 512), 0);  // and stay reproducible
}

TEST(PeHeader, BuiltImageFollowsTheRules) {
  BuiltImage img = Build();
  const Bytes& b = img.bytes;
  ImageView v = ParseImage(b, "img");
  EXPECT_EQ(b[0], 'M');
  EXPECT_EQ(b[1], 'Z');
  // The old command-line words stay zero.
  EXPECT_EQ(Load<uint32_t>(b, 0x20), 0u);
  std::optional<PeView> pe = ReadPeHeader(b);
  ASSERT_TRUE(pe.has_value());
  EXPECT_EQ(pe->offset % 8, 0u);
  EXPECT_LE(pe->offset + sizeof(PeHeader), 0x1efu);
  const PeHeader& h = pe->header;
  const IMAGE_OPTIONAL_HEADER64& o = h.OptionalHeader;
  EXPECT_EQ(h.FileHeader.Machine, IMAGE_FILE_MACHINE_AMD64);
  EXPECT_EQ(o.Magic, IMAGE_NT_OPTIONAL_HDR64_MAGIC);
  EXPECT_EQ(o.Subsystem, IMAGE_SUBSYSTEM_EFI_APPLICATION);
  EXPECT_EQ(o.SectionAlignment, 0x1000u);
  EXPECT_EQ(o.FileAlignment, 0x200u);
  EXPECT_GE(o.MajorImageVersion, 1);
  EXPECT_EQ(o.SizeOfImage % 0x1000, 0u);
  // NX_COMPAT, and W^X: no section both writable and executable.
  EXPECT_EQ(o.DllCharacteristics & IMAGE_DLLCHARACTERISTICS_NX_COMPAT,
            IMAGE_DLLCHARACTERISTICS_NX_COMPAT);
  for (const IMAGE_SECTION_HEADER& s : h.Sections) {
    EXPECT_FALSE((s.Characteristics & IMAGE_SCN_MEM_WRITE) &&
                 (s.Characteristics & IMAGE_SCN_MEM_EXECUTE))
        << s.Name;
  }
  EXPECT_GT(o.NumberOfRvaAndSizes, IMAGE_DIRECTORY_ENTRY_SECURITY);
  // SizeOfImage covers the file and the stage's arena (init_size).
  EXPECT_GE(o.SizeOfImage, b.size());
  EXPECT_GE(o.SizeOfImage, v.part5_offset + v.hdr.init_size);
  EXPECT_EQ(b.size() % 0x200, 0u);
  EXPECT_EQ(v.part5_offset % 0x1000, 0u);
  // Sections: file offset == RVA, aligned, one after another from the end
  // of the headers to the end of the file; none writable and executable.
  ASSERT_EQ(h.FileHeader.NumberOfSections, kSections);
  uint32_t at = o.SizeOfHeaders;
  for (const IMAGE_SECTION_HEADER& s : h.Sections) {
    SCOPED_TRACE(std::string(s.Name, strnlen(s.Name, 8)));
    EXPECT_EQ(s.VirtualAddress, s.PointerToRawData);
    EXPECT_EQ(s.VirtualAddress % 0x1000, 0u);
    EXPECT_EQ(s.SizeOfRawData % 0x200, 0u);
    EXPECT_EQ(s.PointerToRawData, at);
    EXPECT_GE(s.VirtualSize, s.SizeOfRawData);
    EXPECT_FALSE((s.Characteristics & IMAGE_SCN_MEM_WRITE) &&
                 (s.Characteristics & IMAGE_SCN_MEM_EXECUTE));
    // No IMAGE_SCN_ALIGN_* bits: they mean something only in object files.
    EXPECT_EQ(s.Characteristics & 0x00f00000u, 0u);
    at = s.PointerToRawData + s.SizeOfRawData;
  }
  EXPECT_EQ(at, b.size());
  EXPECT_EQ(std::string(h.Sections[0].Name), ".setup");
  EXPECT_EQ(h.Sections[1].VirtualAddress, v.part5_offset);
  const IMAGE_SECTION_HEADER& data = h.Sections[2];
  EXPECT_EQ(data.VirtualAddress + data.VirtualSize, o.SizeOfImage);
  // The payload lies in a section (.data).
  EXPECT_GE(v.part5_offset + v.hdr.payload_offset, data.PointerToRawData);
  // The entry, when there is one, is code.
  if (o.AddressOfEntryPoint != 0) {
    EXPECT_GE(o.AddressOfEntryPoint, h.Sections[1].VirtualAddress);
    EXPECT_LT(o.AddressOfEntryPoint, data.VirtualAddress);
  }
}

TEST(PeHeader, RefusesLayoutsThatBreakTheRules) {
  const PeLayout good = {0x3000, 0xd000, 0x40000, 0x50000, 0};
  EXPECT_NO_THROW(MakePeHeader(good, "x"));
  PeLayout l = good;
  l.part5_offset = 0x3200;  // part 5 off a page
  EXPECT_THROW(MakePeHeader(l, "x"), ToolError);
  l = good;
  l.part5_offset = 0x1000;  // no room for .setup
  EXPECT_THROW(MakePeHeader(l, "x"), ToolError);
  l = good;
  l.data_offset = 0xd800;  // data off a page
  EXPECT_THROW(MakePeHeader(l, "x"), ToolError);
  l = good;
  l.file_size = 0x40004;  // not whole sectors
  EXPECT_THROW(MakePeHeader(l, "x"), ToolError);
  l = good;
  l.entry = 0xd000;  // the entry in writable data
  EXPECT_THROW(MakePeHeader(l, "x"), ToolError);
}

}  // namespace
}  // namespace bzelf
