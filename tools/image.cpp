#include "image.h"

#include <algorithm>
#include <cstring>

#include "crc32.h"
#include "elf.h"
#include "gzip.h"
#include "inflate.h"
#include "kernel-input.h"
#include "pe-header.h"
#include "stage-checksum.h"
#include "stage-elf.h"
#include "stage-symbols.h"

extern "C" const uint8_t bzelf_setup_bin[], bzelf_setup_bin_end[];
extern "C" const uint8_t bzelf_stage_bin[], bzelf_stage_bin_end[];

namespace bzelf {
namespace {

using linuxboot::setup_header;
constexpr size_t kHdrOffset = linuxboot::kSetupHeaderOffset;
constexpr size_t kVersionBufferSize = 128;

size_t AlignUp(size_t v, size_t a) { return (v + a - 1) / a * a; }

std::string VersionString(const KernelElf& k, const std::string& kernel_name) {
  std::string base = kernel_name.substr(kernel_name.find_last_of('/') + 1);
  std::string v = kVersionPrefix + (k.linux_version.empty() ? base : "Linux " + k.linux_version);
  if (v.size() >= kVersionBufferSize) v.resize(kVersionBufferSize - 1);
  return v;
}

// --floppy: zeros after the image (after its CRC, which stays where
// syssize puts the end of part 5), up to the smallest floppy that holds
// it, as `dd` onto a floppy leaves it. The setup reads only syssize * 16
// bytes of part 5, so the padding costs no boot time.
void PadToFloppy(Bytes& image, const std::string& name) {
  if (image.size() > kFloppy288) {
    throw ToolError(name, "--floppy: the image is " + std::to_string(image.size()) +
                              " bytes; a 2.88 MB floppy holds " + std::to_string(kFloppy288));
  }
  image.resize(image.size() <= kFloppy144 ? kFloppy144 : kFloppy288, 0);
}

// --load-address and --virtual-offset: what the kernel's relocations can
// honour.
void CheckFixedPlacement(const BuiltImage& b, const BuildOptions& opt, const std::string& name,
                         StageParams& sp) {
  const KernelRelocs& r = b.relocs;
  if (opt.load_address) {
    if (r.source == RelocSource::kNone) {
      throw ToolError(name, "--load-address: the kernel has no relocations, it cannot move");
    }
    uint64_t link = UINT64_MAX;
    for (unsigned i = 0; i < sp.segment_count; ++i) link = std::min(link, sp.segments[i].paddr);
    const uint64_t move = *opt.load_address - link;
    if (move % r.move_align != 0) {
      throw ToolError(name, "--load-address " + HexString(*opt.load_address) +
                                ": the kernel moves in steps of " + HexString(r.move_align) +
                                " from its link address " + HexString(link));
    }
    if (*opt.load_address == 0) throw ToolError(name, "--load-address 0 is not RAM a kernel can use");
    sp.load_address = *opt.load_address;
  }
  if (opt.virt_offset) {
    if (r.source != RelocSource::kTable || b.kernel.elf_class != elf::ELFCLASS64) {
      throw ToolError(name, "--virtual-offset: only an x86_64 Linux kernel with its relocation "
                            "table moves in virtual memory apart from physical");
    }
    // Linux's KERNEL_IMAGE_SIZE: the kernel's text mapping is 1 GiB
    // (arch/x86/include/asm/page_64_types.h, with KASLR).
    if (*opt.virt_offset % r.move_align != 0 || *opt.virt_offset >= 0x40000000) {
      throw ToolError(name, "--virtual-offset " + HexString(*opt.virt_offset) +
                                ": must be a multiple of " + HexString(r.move_align) +
                                " below 1 GiB");
    }
    sp.virt_offset = *opt.virt_offset;
  }
}

}  // namespace

BuiltImage BuildImage(const Bytes& kernel_file, const std::string& name,
                      const BuildOptions& opt, const std::string& kernel_name) {
  BuiltImage out{};
  out.kernel = ParseKernel(kernel_file, name);
  out.placement = ChoosePlacement(out.kernel, opt.paddr_offset, name);
  out.relocs = FindRelocs(out.kernel, kernel_file, out.placement,
                          opt.relocs ? &*opt.relocs : nullptr, opt.relocs_name, name,
                          opt.kernel_alignment_option.value_or(opt.kernel_alignment));
  if (opt.kernel_alignment_option && out.relocs.source != RelocSource::kTable) {
    throw ToolError(name, "--kernel-alignment: " +
                              (out.relocs.note.empty() ? std::string("no Linux relocation table")
                                                       : out.relocs.note));
  }
  out.payload = BuildPayload(out.kernel, kernel_file, out.placement, out.relocs, opt.level, name);

  // Part 5: the stage, the payload, the built-in command line, the CRC.
  Bytes part5(bzelf_stage_bin, bzelf_stage_bin_end);
  if (part5.size() < kStageHeadSize ||
      Load<uint32_t>(part5, symbols::kStageParams) != kStageParamsMagic) {
    throw ToolError("(stage)", "the built-in stage has no parameter block");
  }
  StageParams sp = out.payload.params;
  CheckFixedPlacement(out, opt, name, sp);
  sp.magic = kStageParamsMagic;
  sp.version = kStageParamsVersion;
  part5.resize(AlignUp(part5.size(), 16), 0);
  sp.payload_offset = static_cast<uint32_t>(part5.size());
  sp.payload_length = static_cast<uint32_t>(out.payload.gzip.size());
  sp.deflate_offset = out.payload.deflate_offset;
  sp.deflate_length = out.payload.deflate_length;
  part5.insert(part5.end(), out.payload.gzip.begin(), out.payload.gzip.end());
  if (!opt.cmdline.empty()) {
    if (opt.cmdline.size() > linuxboot::kCmdlineSize) {
      throw ToolError(name, "--cmdline longer than " + std::to_string(linuxboot::kCmdlineSize) +
                                " bytes");
    }
    sp.cmdline_offset = static_cast<uint32_t>(part5.size());
    sp.cmdline_size = static_cast<uint32_t>(opt.cmdline.size() + 1);
    part5.insert(part5.end(), opt.cmdline.begin(), opt.cmdline.end());
    part5.push_back(0);
  }
  // The CRC ends the file, as Linux's build.c writes it, and the file is
  // whole 512-byte sectors (the PE header's FileAlignment: its .data
  // section runs to the end), which syssize's 16-byte units count exactly.
  part5.resize(AlignUp(part5.size() + 4, pe::kFileAlignment) - 4, 0);
  size_t part5_size = part5.size() + 4;
  sp.file_size = static_cast<uint32_t>(part5_size);
  sp.arena_offset = static_cast<uint32_t>(AlignUp(part5_size, 4096));
  sp.arena_size = kArenaSize;
  sp.checked_size = symbols::kStageCheckedEnd;
  WriteStageHead(part5, {sp.file_size, sp.arena_offset, sp.arena_size, symbols::kStartup32,
                         symbols::kStartupPvh, symbols::kStageParams});
  sp.stage_crc = 0;
  Store(part5, symbols::kStageParams, sp);
  sp.stage_crc = StageChecksum(part5.data(), symbols::kStageParams, sp);
  Store(part5, symbols::kStageParams, sp);

  // Boot sector and setup, padded to whole 4 KiB pages: part 5 starts on
  // one, so that its PE sections' file offsets equal their RVAs
  // (tools/pe-header.h).
  Bytes image(bzelf_setup_bin, bzelf_setup_bin_end);
  image.resize(AlignUp(image.size(), pe::kSectionAlignment), 0);
  unsigned setup_sects = static_cast<unsigned>(image.size() / 512 - 1);
  if (Load<uint32_t>(image, symbols::kSetupParams) != kSetupParamsMagic) {
    throw ToolError("(stage)", "the built-in setup has no parameter block");
  }
  // The setup checks part 5 before it jumps: the stage's checked bytes
  // (lib/stage-checksum.h).
  uint32_t crc_field = StageCrcField(symbols::kStageParams);
  SetupParams setup_params{kSetupParamsMagic, out.kernel.elf_class,
                           static_cast<uint8_t>(out.kernel.isa_needed), {},
                           symbols::kStartup32, symbols::kStageCheckedEnd, crc_field,
                           CheckedBytesChecksum(part5.data(), sp.checked_size, crc_field)};
  Store(image, symbols::kSetupParams, setup_params);
  std::string version = VersionString(out.kernel, kernel_name.empty() ? name : kernel_name);
  std::memset(&image[symbols::kSetupKernelVersion], 0, kVersionBufferSize);
  std::memcpy(&image[symbols::kSetupKernelVersion], version.data(), version.size());

  auto hdr = Load<setup_header>(image, kHdrOffset);
  if (hdr.header != linuxboot::kHeaderMagic) throw ToolError("(stage)", "setup has no HdrS");
  hdr.setup_sects = static_cast<uint8_t>(setup_sects);
  hdr.syssize = static_cast<uint32_t>((part5_size + 15) / 16);
  hdr.payload_offset = sp.payload_offset;
  hdr.payload_length = sp.payload_length;
  hdr.pref_address = kStageLinkAddress;
  // The 32-bit entry, past the ELF headers (loaders that move part 5 keep
  // this offset from where they put it; entering at +0 works too).
  hdr.code32_start = kStageLinkAddress + symbols::kStartup32;
  // init_size (boot.rst): the linear memory from the load address that we
  // need before looking at the memory map = part 5 plus the arena.
  hdr.init_size = sp.arena_offset + sp.arena_size;
  hdr.kernel_version = static_cast<uint16_t>(symbols::kSetupKernelVersion - 0x200);
  // The 64-bit EFI handover entry is at part 5 + 0x200 + handover_offset
  // (Linux's tools/build.c takes 0x200 off its efi64 entry the same way).
  static_assert(symbols::kEfiHandoverEntry > symbols::kStartup64);
  hdr.handover_offset = symbols::kEfiHandoverEntry - symbols::kStartup64;
  Store(image, kHdrOffset, hdr);

  // The PE header, where e_lfanew points: header.S keeps the room.
  if (Load<uint32_t>(image, pe::kDosLfanewOffset) != symbols::kSetupPeHeader) {
    throw ToolError("(stage)", "e_lfanew does not point at the setup's PE header");
  }
  Store(image, symbols::kSetupPeHeader,
        MakePeHeader({static_cast<uint32_t>(image.size()), symbols::kStageData,
                      static_cast<uint32_t>(image.size() + part5_size), hdr.init_size,
                      symbols::kEfiPeEntry, Crc32Raw(0xffffffff, part5.data(), part5.size())},
                     name));

  image.insert(image.end(), part5.begin(), part5.end());
  uint32_t crc = ImageCrc32(image, image.size());
  for (int i = 0; i < 4; ++i) image.push_back(static_cast<uint8_t>(crc >> (8 * i)));
  if (opt.floppy) PadToFloppy(image, name);
  out.bytes = std::move(image);
  return out;
}

std::string BuildImageFile(const std::string& kernel_path, const std::string& output_path,
                           const BuildOptions& options) {
  KernelInput input = OpenKernelInput(ReadFile(kernel_path), kernel_path);
  BuildOptions opt = options;
  if (!opt.relocs_name.empty() && !opt.relocs) opt.relocs = ReadFile(opt.relocs_name);
  opt.kernel_alignment = input.kernel_alignment;
  BuiltImage image = BuildImage(input.elf, kernel_path, opt, input.kernel_name);
  WriteFileAtomically(output_path, image.bytes);
  return image.relocs.refused;
}

uint32_t ImageCrc32(std::span<const uint8_t> img, size_t end) {
  uint32_t reg = 0xffffffff;
  size_t at = 0;
  if (std::optional<PeView> pe = ReadPeHeader(img)) {
    // In file order, inside the PE header, which lies in the boot sector.
    static constexpr uint8_t kZeros[sizeof(pe::IMAGE_DATA_DIRECTORY)] = {};
    for (const FileSpan& f : SigningFields(*pe)) {
      if (f.offset + f.bytes > end) break;
      reg = Crc32Raw(reg, img.data() + at, f.offset - at);
      reg = Crc32Raw(reg, kZeros, f.bytes);
      at = f.offset + f.bytes;
    }
  }
  return Crc32Raw(reg, img.data() + at, end - at);
}

ImageView ParseImage(std::span<const uint8_t> img, const std::string& name, ImageCrc crc) {
  ImageView v{};
  if (img.size() < 0x1000 || Load<uint16_t>(img, 0x1fe) != linuxboot::kBootFlag ||
      Load<uint32_t>(img, 0x202) != linuxboot::kHeaderMagic) {
    throw ToolError(name, "not a Linux boot protocol image (no 0xAA55 and HdrS)");
  }
  v.hdr = Load<setup_header>(img, kHdrOffset);
  v.setup_sects = v.hdr.setup_sects ? v.hdr.setup_sects : 4;
  v.part5_offset = (v.setup_sects + 1) * 512;
  // A signed image goes on past the image: the certificate table, which
  // the PE header places (sbsign appends it, after zeros that align it to
  // 8 bytes).
  size_t image_end = img.size();
  if (std::optional<PeView> pe = ReadPeHeader(img)) {
    v.certificate_table = CertificateTable(*pe);
    if (const std::optional<FileSpan>& t = v.certificate_table) {
      if (t->offset > img.size() || t->bytes > img.size() - t->offset) {
        throw ToolError(name, "the PE certificate table (" + HexString(t->offset) + " + " +
                                  HexString(t->bytes) + ") runs past the file");
      }
      image_end = t->offset;
    }
  }
  if (v.part5_offset + 4 > image_end) throw ToolError(name, "setup_sects runs past the image");
  v.part5_size = image_end - v.part5_offset;
  // A disk image (`bzelf build --floppy`) has zeros after part 5, and a
  // signed one may have some before its certificate table; syssize says
  // where part 5, and its CRC, end.
  const size_t sys_bytes = size_t{v.hdr.syssize} * 16;
  if (sys_bytes >= 4 && sys_bytes < v.part5_size &&
      std::all_of(img.begin() + v.part5_offset + sys_bytes, img.begin() + image_end,
                  [](uint8_t b) { return b == 0; })) {
    v.padding = v.part5_size - sys_bytes;
    v.part5_size = sys_bytes;
  }
  const size_t end = v.part5_offset + v.part5_size;
  v.crc_stored = Load<uint32_t>(img, end - 4);
  if (crc == ImageCrc::kCompute) v.crc_computed = ImageCrc32(img, end - 4);
  // kernel_version counts from 0x200 (boot.rst); the string is at most a
  // few hundred bytes and must end inside the file.
  size_t version_at = size_t{v.hdr.kernel_version} + 0x200;
  if (v.hdr.kernel_version != 0 && version_at < img.size()) {
    const char* s = reinterpret_cast<const char*>(&img[version_at]);
    v.kernel_version.assign(s, strnlen(s, std::min<size_t>(256, img.size() - version_at)));
  }
  // The stage ELF and its bzelf note, which says where StageParams is.
  const uint8_t* p5 = &img[v.part5_offset];
  if (v.part5_size >= kStageHeadSize && std::memcmp(p5, elf::kMagic, 4) == 0 &&
      p5[elf::EI_CLASS] == elf::ELFCLASS64) {
    v.stage_elf_ok = true;
    // At its fixed offset, after the PVH note (lib/stage-params.h).
    size_t pos = v.part5_offset + kBzelfNoteOffset;
    auto nh = Load<elf::Elf_Nhdr>(img, pos);
    if (nh.n_namesz == sizeof(kBzelfNoteName) && nh.n_type == kBzelfNoteBuild &&
        nh.n_descsz == sizeof(BzelfBuildNote) &&
        std::memcmp(&img[pos + sizeof(nh)], kBzelfNoteName, sizeof(kBzelfNoteName)) == 0) {
      auto note = Load<BzelfBuildNote>(img, v.part5_offset + kBzelfNoteDescOffset);
      if (note.params_offset + sizeof(StageParams) <= v.part5_size) {
        auto sp = Load<StageParams>(img, v.part5_offset + note.params_offset);
        if (sp.magic == kStageParamsMagic && sp.version == kStageParamsVersion) {
          v.params = sp;
          v.params_offset = note.params_offset;
        }
      }
    }
  }
  return v;
}

namespace {

// The payload's gzip member, its framing checked.
struct PayloadMember {
  const uint8_t* deflate;
  size_t deflate_length;
  uint32_t crc32;
  uint32_t isize;
};

PayloadMember FindPayload(std::span<const uint8_t> img, const ImageView& v,
                          const std::string& name) {
  uint64_t off = v.hdr.payload_offset, len = v.hdr.payload_length;
  if (len == 0 || off + len > v.part5_size) {
    throw ToolError(name, "payload_offset/payload_length lie outside the protected-mode part");
  }
  const uint8_t* member = &img[v.part5_offset + off];
  GzipMember gz = ParseGzipMember(member, len);
  if (gz.error != GzipError::kOk) {
    throw ToolError(name, std::string("payload: ") + GzipErrorString(gz.error));
  }
  // DEFLATE expands at most 1032:1 (a 258-byte match per 2 bits): a larger
  // ISIZE is corrupt, and must not be allocated (up to 4 GiB) on its word.
  if (gz.isize > uint64_t{gz.deflate_length} * 1032) {
    throw ToolError(name, "payload: ISIZE " + std::to_string(gz.isize) + " is more than " +
                              std::to_string(gz.deflate_length) +
                              " bytes of DEFLATE data can hold");
  }
  return {member + gz.deflate_offset, gz.deflate_length, gz.crc32, gz.isize};
}

// Inflates the payload into out[0, isize) and checks it against ISIZE and
// the CRC32. Writes nothing outside those bytes (InflateRaw()).
void InflatePayload(const PayloadMember& m, uint8_t* out, const std::string& name) {
  InflateResult r = InflateRaw(m.deflate, m.deflate_length, out, m.isize, InflateEnd::kFinalBlock);
  if (r.error != InflateError::kOk) {
    throw ToolError(name, std::string("payload: ") + InflateErrorString(r.error));
  }
  if (r.out_used != m.isize) throw ToolError(name, "payload: ISIZE does not match the data");
  if (Crc32(0, out, m.isize) != m.crc32) {
    throw ToolError(name, "payload: gzip CRC32 mismatch");
  }
}

}  // namespace

Bytes ExtractKernel(std::span<const uint8_t> img, const ImageView& v, const std::string& name) {
  PayloadMember m = FindPayload(img, v, name);
  Bytes out(m.isize);
  InflatePayload(m, out.data(), name);
  return out;
}

void ExtractKernelFile(const std::string& image_path, const std::string& output_path) {
  InputFile image(image_path);
  ImageView v = ParseImage(image.bytes(), image_path, ImageCrc::kSkip);
  if (!v.params) {
    // Not bzelf's: a Linux bzImage (/boot/vmlinuz-*). Its vmlinux, with
    // Linux's relocation table after it, as Linux's extract-vmlinux gives
    // it, through the reader `bzelf build` uses.
    const Bytes file(image.bytes().begin(), image.bytes().end());
    WriteFileAtomically(output_path, BzImageKernel(file, v, image_path));
    return;
  }
  PayloadMember m = FindPayload(image.bytes(), v, image_path);
  OutputFile out(output_path, m.isize);
  InflatePayload(m, out.data(), image_path);
  out.Commit();
}

}  // namespace bzelf
