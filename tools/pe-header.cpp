#include "pe-header.h"

#include <cstddef>
#include <cstring>

#include "common.h"

namespace bzelf {
namespace {

using namespace pe;

constexpr uint32_t kHeadersSize = kSectionAlignment;

IMAGE_SECTION_HEADER Section(const char* name, uint32_t start, uint32_t raw, uint32_t virt,
                             uint32_t flags) {
  IMAGE_SECTION_HEADER s{};
  std::strncpy(s.Name, name, sizeof(s.Name));
  s.VirtualSize = virt;
  s.VirtualAddress = start;
  s.SizeOfRawData = raw;
  s.PointerToRawData = start;
  s.Characteristics = flags;
  return s;
}

}  // namespace

PeHeader MakePeHeader(const PeLayout& l, const std::string& name) {
  const uint32_t text = l.part5_offset;
  const uint32_t data = l.part5_offset + l.data_offset;
  const uint32_t image_size =
      (l.part5_offset + l.memory_size + kSectionAlignment - 1) / kSectionAlignment *
      kSectionAlignment;
  if (text <= kHeadersSize || text % kSectionAlignment != 0 || l.data_offset == 0 ||
      data % kSectionAlignment != 0 || data >= l.file_size || l.file_size % kFileAlignment != 0 ||
      image_size < l.file_size || l.entry >= l.data_offset) {
    throw ToolError(name, "(internal) image layout unfit for the PE header");
  }
  PeHeader h{};
  h.Signature = IMAGE_NT_SIGNATURE;
  IMAGE_FILE_HEADER& f = h.FileHeader;
  f.Machine = IMAGE_FILE_MACHINE_AMD64;
  f.NumberOfSections = kSections;
  f.TimeDateStamp = l.stamp;
  f.SizeOfOptionalHeader = sizeof(IMAGE_OPTIONAL_HEADER64);
  f.Characteristics =
      IMAGE_FILE_EXECUTABLE_IMAGE | IMAGE_FILE_LINE_NUMS_STRIPPED | IMAGE_FILE_DEBUG_STRIPPED;

  IMAGE_OPTIONAL_HEADER64& o = h.OptionalHeader;
  o.Magic = IMAGE_NT_OPTIONAL_HDR64_MAGIC;
  o.SizeOfCode = data - text;
  o.SizeOfInitializedData = (text - kHeadersSize) + (image_size - data);
  o.AddressOfEntryPoint = l.entry != 0 ? text + l.entry : 0;
  o.BaseOfCode = text;
  // ImageBase 0 and no relocations, as Linux: the stub runs wherever the
  // firmware puts the image (part 5 is position-independent).
  o.SectionAlignment = kSectionAlignment;
  o.FileAlignment = kFileAlignment;
  // 1.0: the version Linux's stub gives itself for "loads its initrd
  // through LoadFile2 itself" (its LINUX_EFISTUB_MAJOR_VERSION), which
  // GRUB 2.12 and systemd's stub read to pass the initrd that way and to
  // start the image through the firmware rather than the legacy path.
  o.MajorImageVersion = 1;
  o.SizeOfImage = image_size;
  o.SizeOfHeaders = kHeadersSize;
  o.Subsystem = IMAGE_SUBSYSTEM_EFI_APPLICATION;
  // NX_COMPAT, and true: no section is both writable and executable, and
  // nothing writes to .text (startup_64's C++ has no data: the
  // console's cursor is the VGA's own, linker/stage64.ld asserts it).
  // Under the firmware's page tables the stage runs only startup_64's
  // path up to where it turns paging off; when the stub runs a copy of
  // part 5, it allocates it as loader code and makes it read-only and
  // executable through EFI_MEMORY_ATTRIBUTE_PROTOCOL where the firmware
  // has it (lib/efi-memory-attribute.h). The kernel it places runs on the
  // stage's own page tables, or with paging off.
  o.DllCharacteristics = IMAGE_DLLCHARACTERISTICS_NX_COMPAT;
  o.NumberOfRvaAndSizes = kDataDirectories;

  h.Sections[0] = Section(".setup", kHeadersSize, text - kHeadersSize, text - kHeadersSize,
                          IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ |
                              IMAGE_SCN_MEM_DISCARDABLE);
  h.Sections[1] = Section(".text", text, data - text, data - text,
                          IMAGE_SCN_CNT_CODE | IMAGE_SCN_MEM_READ | IMAGE_SCN_MEM_EXECUTE);
  h.Sections[2] = Section(".data", data, l.file_size - data, image_size - data,
                          IMAGE_SCN_CNT_INITIALIZED_DATA | IMAGE_SCN_MEM_READ |
                              IMAGE_SCN_MEM_WRITE);
  return h;
}

std::optional<PeView> ReadPeHeader(std::span<const uint8_t> img) {
  if (img.size() < 512 || Load<uint16_t>(img, 0) != IMAGE_DOS_SIGNATURE) return std::nullopt;
  uint32_t at = Load<uint32_t>(img, kDosLfanewOffset);
  if (at < 0x40 || at > img.size() || img.size() - at < sizeof(PeHeader)) return std::nullopt;
  PeView v{at, Load<PeHeader>(img, at)};
  if (v.header.Signature != IMAGE_NT_SIGNATURE) return std::nullopt;
  return v;
}

std::array<FileSpan, 2> SigningFields(const PeView& v) {
  constexpr uint32_t kOptional = offsetof(PeHeader, OptionalHeader);
  constexpr uint32_t kCheckSum = kOptional + offsetof(IMAGE_OPTIONAL_HEADER64, CheckSum);
  constexpr uint32_t kCertificateEntry =
      kOptional + offsetof(IMAGE_OPTIONAL_HEADER64, DataDirectory) +
      IMAGE_DIRECTORY_ENTRY_SECURITY * sizeof(IMAGE_DATA_DIRECTORY);
  return {FileSpan{v.offset + kCheckSum, sizeof(IMAGE_OPTIONAL_HEADER64::CheckSum)},
          FileSpan{v.offset + kCertificateEntry, sizeof(IMAGE_DATA_DIRECTORY)}};
}

std::optional<FileSpan> CertificateTable(const PeView& v) {
  const IMAGE_OPTIONAL_HEADER64& o = v.header.OptionalHeader;
  if (o.NumberOfRvaAndSizes <= IMAGE_DIRECTORY_ENTRY_SECURITY) return std::nullopt;
  const IMAGE_DATA_DIRECTORY& d = o.DataDirectory[IMAGE_DIRECTORY_ENTRY_SECURITY];
  if (d.Size == 0) return std::nullopt;
  return FileSpan{d.VirtualAddress, d.Size};
}

InfoNode PeInfo(const PeView& v) {
  const PeHeader& h = v.header;
  const IMAGE_OPTIONAL_HEADER64& o = h.OptionalHeader;
  InfoNode n = InfoNode::Object();
  n.Add("header_offset", InfoNode::Hex(v.offset));
  n.Add("Machine", InfoNode::Hex(h.FileHeader.Machine));
  n.Add("NumberOfSections", InfoNode::Dec(h.FileHeader.NumberOfSections));
  n.Add("Characteristics", InfoNode::Hex(h.FileHeader.Characteristics));
  n.Add("Magic", InfoNode::Hex(o.Magic));
  n.Add("AddressOfEntryPoint", InfoNode::Hex(o.AddressOfEntryPoint));
  n.Add("BaseOfCode", InfoNode::Hex(o.BaseOfCode));
  n.Add("ImageBase", InfoNode::Hex(o.ImageBase));
  n.Add("SectionAlignment", InfoNode::Hex(o.SectionAlignment));
  n.Add("FileAlignment", InfoNode::Hex(o.FileAlignment));
  n.Add("ImageVersion", InfoNode::Text(std::to_string(o.MajorImageVersion) + "." +
                                       std::to_string(o.MinorImageVersion)));
  n.Add("SizeOfImage", InfoNode::Hex(o.SizeOfImage));
  n.Add("SizeOfHeaders", InfoNode::Hex(o.SizeOfHeaders));
  n.Add("Subsystem", InfoNode::Dec(o.Subsystem));
  n.Add("DllCharacteristics", InfoNode::Hex(o.DllCharacteristics));
  n.Add("NumberOfRvaAndSizes", InfoNode::Dec(o.NumberOfRvaAndSizes));
  const IMAGE_DATA_DIRECTORY& cert = o.DataDirectory[IMAGE_DIRECTORY_ENTRY_SECURITY];
  n.Add("CertificateTable", InfoNode::Text(HexString(cert.VirtualAddress) + " + " +
                                           HexString(cert.Size)));
  InfoNode& sections = n.Add("sections", InfoNode::Array());
  for (unsigned i = 0; i < kSections && i < h.FileHeader.NumberOfSections; ++i) {
    const IMAGE_SECTION_HEADER& s = h.Sections[i];
    InfoNode& e = sections.Append(InfoNode::Object());
    e.Add("Name", InfoNode::Text(std::string(s.Name, strnlen(s.Name, sizeof(s.Name)))));
    e.Add("VirtualAddress", InfoNode::Hex(s.VirtualAddress));
    e.Add("VirtualSize", InfoNode::Hex(s.VirtualSize));
    e.Add("PointerToRawData", InfoNode::Hex(s.PointerToRawData));
    e.Add("SizeOfRawData", InfoNode::Hex(s.SizeOfRawData));
    e.Add("Characteristics", InfoNode::Hex(s.Characteristics));
  }
  return n;
}

}  // namespace bzelf
