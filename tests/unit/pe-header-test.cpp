// The PE/COFF header of a built image (tools/pe-header.h): the rules of
// issue 15 checked on what `bzelf build` writes, and the layouts the
// header refuses.
#include <gtest/gtest.h>

#include <array>
#include <cstring>
#include <string>

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

// What sbsign does to an image (sbsigntool's image.c): a CheckSum, the
// certificate table's directory entry, and the table itself appended,
// 8-byte aligned after the image. `pad` zeros before the table, `signatures`
// PKCS#7 SignedData entries of 1500 bytes in it.
Bytes SignLikeSbsign(Bytes b, uint32_t pad, unsigned signatures) {
  std::optional<PeView> pe = ReadPeHeader(b);
  b.resize(b.size() + pad, 0);
  const uint32_t table = static_cast<uint32_t>(b.size());
  for (unsigned i = 0; i < signatures; ++i) {
    WIN_CERTIFICATE c{1500 + sizeof(WIN_CERTIFICATE), WIN_CERT_REVISION_2_0,
                      WIN_CERT_TYPE_PKCS_SIGNED_DATA};
    Store(b, b.size(), c);
    b.resize(b.size() + sizeof(c) + 1500, 0x5a);
    b.resize((b.size() + 7) / 8 * 8, 0);
  }
  const std::array<FileSpan, 2> fields = SigningFields(*pe);
  Store<uint32_t>(b, fields[0].offset, 0x12345);
  Store(b, fields[1].offset, IMAGE_DATA_DIRECTORY{table, static_cast<uint32_t>(b.size()) - table});
  return b;
}

TEST(PeHeader, SignedImageReadsAsTheImage) {
  BuiltImage img = Build();
  const ImageView unsigned_view = ParseImage(img.bytes, "img");
  EXPECT_FALSE(unsigned_view.certificate_table.has_value());
  for (uint32_t pad : {0u, 8u}) {
    SCOPED_TRACE("pad " + std::to_string(pad));
    const Bytes b = SignLikeSbsign(img.bytes, pad, 2);
    ImageView v = ParseImage(b, "img");
    ASSERT_TRUE(v.certificate_table.has_value());
    EXPECT_EQ(v.certificate_table->offset, img.bytes.size() + pad);
    EXPECT_EQ(v.certificate_table->offset + v.certificate_table->bytes, b.size());
    // Part 5 and its CRC where they were, and the CRC still right: it
    // reads the fields signing writes as zeros.
    EXPECT_EQ(v.part5_size, unsigned_view.part5_size);
    EXPECT_EQ(v.padding, pad);
    EXPECT_EQ(v.crc_stored, unsigned_view.crc_stored);
    EXPECT_EQ(v.crc_computed, v.crc_stored);
    EXPECT_EQ(ExtractKernel(b, v, "img"), img.payload.kernel_elf);
  }
}

TEST(PeHeader, ImageCrcCountsEverythingButTheSigningFields) {
  BuiltImage img = Build();
  Bytes b = SignLikeSbsign(img.bytes, 0, 1);
  const uint32_t crc = ParseImage(b, "img").crc_computed;
  // A byte next to each signing field is counted.
  for (const FileSpan& f : SigningFields(*ReadPeHeader(b))) {
    for (uint32_t at : {f.offset - 1, f.offset + f.bytes}) {
      Bytes d = b;
      d[at] ^= 1;
      EXPECT_NE(ImageCrc32(d, img.bytes.size() - 4), crc) << "byte " << at;
    }
  }
}

TEST(PeHeader, CertificateTablePastTheFileIsRefused) {
  Bytes b = SignLikeSbsign(Build().bytes, 0, 1);
  b.resize(b.size() - 1);
  EXPECT_THROW(ParseImage(b, "img"), ToolError);
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
