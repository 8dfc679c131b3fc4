#include "info.h"

#include <cstdio>
#include <cstring>
#include <sstream>

#include "cpu-check.h"
#include "elf.h"
#include "image-layout.h"
#include "image.h"
#include "info-tree.h"
#include "kernel-elf.h"
#include "kernel-input.h"
#include "kaslr.h"
#include "kernel-relocs.h"
#include "pe-header.h"
#include "stage-checksum.h"

namespace bzelf {
namespace {

void Print(const InfoNode& info, bool json) {
  if (json) {
    info.PrintJson(stdout);
  } else {
    info.PrintText(stdout);
  }
}

void AddHeader(InfoNode& hdr, const linuxboot::setup_header& h) {
#define HDR(field) hdr.Add(#field, InfoNode::Hex(h.field));
  SETUP_HEADER_FIELDS(HDR)
#undef HDR
}

// xloadflags by their names in boot.rst, and where the 64-bit EFI
// handover entry is (part 5 + 0x200 + handover_offset) when the image
// says it has one.
void AddXloadflags(InfoNode& info, const linuxboot::setup_header& h) {
  static constexpr struct {
    uint16_t bit;
    const char* name;
  } kFlags[] = {
      {linuxboot::XLF_KERNEL_64, "XLF_KERNEL_64"},
      {linuxboot::XLF_CAN_BE_LOADED_ABOVE_4G, "XLF_CAN_BE_LOADED_ABOVE_4G"},
      {linuxboot::XLF_EFI_HANDOVER_32, "XLF_EFI_HANDOVER_32"},
      {linuxboot::XLF_EFI_HANDOVER_64, "XLF_EFI_HANDOVER_64"},
      {linuxboot::XLF_EFI_KEXEC, "XLF_EFI_KEXEC"},
  };
  std::string names;
  for (const auto& f : kFlags) {
    if (h.xloadflags & f.bit) names += (names.empty() ? "" : " ") + std::string(f.name);
  }
  info.Add("xloadflags", InfoNode::Text(names.empty() ? "none" : names));
  if (h.xloadflags & linuxboot::XLF_EFI_HANDOVER_64) {
    info.Add("efi_handover_64",
             InfoNode::Text("part 5 + " + HexString(0x200 + uint64_t{h.handover_offset}) +
                            " (0x200 + handover_offset " + HexString(h.handover_offset) + ")"));
  }
}

void AddRelocs(InfoNode& f, const KernelRelocs& r) {
  InfoNode& n = f.Child("relocations");
  n.Add("source", InfoNode::Text(RelocSourceName(r.source)));
  if (!r.origin.empty()) n.Add("from", InfoNode::Text(r.origin));
  n.Add("count", InfoNode::Dec(r.Count()));
  if (r.source == RelocSource::kTable) {
    n.Add("layout", InfoNode::Text(RelocLayoutName(r.parsed.layout)));
    n.Add("count64", InfoNode::Dec(r.parsed.count64));
    n.Add("count_inverse32", InfoNode::Dec(r.parsed.count_inverse));
    n.Add("count32", InfoNode::Dec(r.parsed.count32));
    n.Add("bytes", InfoNode::Dec(r.table.size()));
  }
  if (r.source == RelocSource::kDynamic) {
    n.Add("table", InfoNode::Hex(r.dyn_addr));
    n.Add("bytes", InfoNode::Dec(r.dyn_size));
    n.Add("textrel", InfoNode::Flag(r.textrel));
  }
  if (r.source != RelocSource::kNone) {
    n.Add("kernel_map", InfoNode::Hex(r.kernel_map));
    n.Add("move_align", InfoNode::Hex(r.move_align));
  }
  if (!r.note.empty()) n.Add("note", InfoNode::Text(r.note));
}

// The ranges the stage draws a place from (lib/kaslr.h), before the
// machine's memory map and the command line narrow them.
void AddKaslr(InfoNode& stage, const StageParams& sp) {
  InfoNode& n = stage.Child("kaslr");
  const KaslrKernel k = KaslrKernelFor(sp);
  n.Add("movable", InfoNode::Flag(k.movable));
  if (!k.movable) return;
  const uint64_t floor = KaslrFloor(k);
  n.Add("physical", InfoNode::Text(HexString(floor) + "-" + HexString(k.ceiling - 1) +
                                   ", slots of " + HexString(k.size) + " bytes every " +
                                   HexString(k.align)));
  switch (k.virt) {
    case KaslrVirtual::kFixed:
      n.Add("virtual", InfoNode::Text("as linked"));
      break;
    case KaslrVirtual::kFollows:
      n.Add("virtual", InfoNode::Text("follows the physical move"));
      break;
    case KaslrVirtual::kWindow: {
      const uint32_t slots = VirtualSlots(k);
      n.Add("virtual", InfoNode::Text("offsets 0-" +
                                      HexString(slots ? uint64_t{slots - 1} * k.align : 0) +
                                      " every " + HexString(k.align) + " (" +
                                      std::to_string(slots) + " slots)"));
      break;
    }
  }
}

void AddKernel(InfoNode& f, const KernelElf& k, const Placement& pl, const KernelRelocs& r) {
  f.Add("class", InfoNode::Text(k.elf_class == elf::ELFCLASS64 ? "ELF64" : "ELF32"));
  f.Add("machine", InfoNode::Text(k.machine == elf::EM_X86_64 ? "x86-64" : "i386"));
  f.Add("isa_needed", InfoNode::Text(k.isa_needed ? IsaLevelName(k.isa_needed) : "none"));
  f.Add("entry", InfoNode::Hex(k.entry));
  f.Add("entry_physical", InfoNode::Hex(pl.entry_phys));
  f.Add("placement_rule", InfoNode::Text(PlacementRuleName(pl.rule)));
  f.Add("placement_reason", InfoNode::Text(pl.reason));
  f.Add("paddr_offset", InfoNode::Hex(pl.offset));
  if (!k.linux_version.empty()) f.Add("linux_version", InfoNode::Text(k.linux_version));
  f.Add("trailing_bytes", InfoNode::Dec(k.trailing));
  InfoNode& loads = f.Add("load", InfoNode::Array());
  for (const KernelPhdr& p : k.phdrs) {
    if (p.type != elf::PT_LOAD) continue;
    std::ostringstream s;
    s << "vaddr " << HexString(p.vaddr) << " paddr " << HexString(p.paddr) << " physical "
      << HexString(p.paddr - pl.offset) << " filesz " << HexString(p.filesz) << " memsz "
      << HexString(p.memsz);
    loads.Append(InfoNode::Text(s.str()));
  }
  if (k.xen.phys32_entry) f.Add("xen_phys32_entry", InfoNode::Hex(*k.xen.phys32_entry));
  AddRelocs(f, r);
}

// What the input was (tools/kernel-input.h).
void AddInput(InfoNode& info, const KernelInput& in) {
  InfoNode& n = info.Child("input");
  n.Add("description", InfoNode::Text(DescribeInput(in)));
  const char* format = in.format == InputFormat::kBzImage ? "bzImage"
                       : in.format == InputFormat::kCompressedElf ? "compressed ELF"
                                                                  : "ELF";
  n.Add("format", InfoNode::Text(format));
  n.Add("compression", InfoNode::Text(CompressionName(in.compression)));
  if (in.format == InputFormat::kBzImage) {
    n.Add("protocol", InfoNode::Text(std::to_string(in.protocol >> 8) + "." +
                                     std::to_string(in.protocol & 0xff)));
    n.Add("bzelf", InfoNode::Flag(in.bzelf));
  }
}

// Whether the image is signed: its PE certificate table and the
// Authenticode signatures (PKCS#7 SignedData entries) in it. Whether they
// verify, and against what, is for sbverify and the firmware.
void AddSignature(InfoNode& info, const Bytes& img, const ImageView& v) {
  InfoNode& n = info.Child("signature");
  n.Add("present", InfoNode::Flag(v.certificate_table.has_value()));
  if (!v.certificate_table) return;
  const FileSpan& t = *v.certificate_table;
  n.Add("certificate_table",
        InfoNode::Text(HexString(t.offset) + " + " + HexString(t.bytes)));
  unsigned signatures = 0;
  bool framed = true;
  for (uint64_t at = t.offset; at < uint64_t{t.offset} + t.bytes;) {
    const uint64_t left = uint64_t{t.offset} + t.bytes - at;
    if (left < sizeof(pe::WIN_CERTIFICATE)) {
      framed = false;
      break;
    }
    auto c = Load<pe::WIN_CERTIFICATE>(img, at);
    if (c.dwLength < sizeof c || c.dwLength > left) {
      framed = false;
      break;
    }
    if (c.wRevision == pe::WIN_CERT_REVISION_2_0 &&
        c.wCertificateType == pe::WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
      ++signatures;
    }
    at += (uint64_t{c.dwLength} + 7) / 8 * 8;
  }
  n.Add("signatures", InfoNode::Dec(signatures));
  if (!framed) n.Add("framing", InfoNode::Text("BAD: an entry's dwLength runs past the table"));
}

int InfoKernel(const KernelInput& in, const std::string& path, bool json) {
  KernelElf k = ParseKernel(in.elf, path);
  Placement pl = ChoosePlacement(k, std::nullopt, path);
  KernelRelocs r = FindRelocs(k, in.elf, pl, nullptr, "", path, in.kernel_alignment);
  InfoNode info = InfoNode::Object();
  info.Add("file", InfoNode::Text(path));
  info.Add("kind", InfoNode::Text("kernel ELF"));
  AddInput(info, in);
  AddKernel(info.Child("kernel"), k, pl, r);
  Print(info, json);
  return 0;
}

int InfoImage(const Bytes& img, const std::string& path, bool json) {
  ImageView v = ParseImage(img, path);
  InfoNode info = InfoNode::Object();
  info.Add("file", InfoNode::Text(path));
  info.Add("kind", InfoNode::Text("bzImage (Linux boot protocol)"));
  KernelInput in{};
  in.format = InputFormat::kBzImage;
  in.compression = PayloadCompression(img, v);
  in.protocol = v.hdr.version;
  in.bzelf = v.params.has_value();
  AddInput(info, in);
  info.Add("kernel_version_string", InfoNode::Text(v.kernel_version));
  info.Add("protocol", InfoNode::Text(std::to_string(v.hdr.version >> 8) + "." +
                                      std::to_string(v.hdr.version & 0xff)));
  AddHeader(info.Child("hdr"), v.hdr);
  AddXloadflags(info, v.hdr);
  info.Child("setup").Add("bytes", InfoNode::Dec(v.part5_offset));
  if (auto pe = ReadPeHeader(img)) info.Add("pe", PeInfo(*pe));
  AddSignature(info, img, v);
  InfoNode& part5 = info.Child("part5");
  part5.Add("offset", InfoNode::Hex(v.part5_offset));
  part5.Add("bytes", InfoNode::Dec(v.part5_size));
  if (v.padding != 0) info.Add("padding_bytes", InfoNode::Dec(v.padding));
  part5.Add("elf", InfoNode::Text(v.stage_elf_ok ? "ELF64 stage header present" : "missing"));
  bool crc_ok = v.crc_stored == v.crc_computed;
  info.Add("image_crc32", InfoNode::Text(HexString(v.crc_stored) +
                                         (crc_ok ? " (ok)"
                                                 : " (BAD: computed " +
                                                       HexString(v.crc_computed) + ")")));
  // What is wrong, for the one line on stderr: the most specific problem.
  // Not the CRC of another tool's bzImage: no loader checks it, and
  // other signing tools (pesign) may write header fields that sbsign
  // does not, which ImageCrc32() would count.
  std::string problem = crc_ok || !v.params ? ""
                                            : "image CRC32 mismatch (stored " +
                                                  HexString(v.crc_stored) + ", computed " +
                                                  HexString(v.crc_computed) + ")";
  if (v.params) {
    const StageParams& sp = *v.params;
    InfoNode& stage = info.Child("stage");
    {
      bool ok = sp.checked_size <= v.part5_size && sp.cmdline_offset <= v.part5_size &&
                sp.cmdline_size <= v.part5_size - sp.cmdline_offset &&
                v.params_offset + sizeof(StageParams) <= sp.checked_size &&
                StageChecksum(&img[v.part5_offset], v.params_offset, sp) == sp.stage_crc;
      stage.Add("checksum", InfoNode::Text(HexString(sp.stage_crc) + (ok ? " (ok)" : " (BAD)")));
      if (!ok) problem = "stage checksum mismatch";
    }
    stage.Add("kernel_class",
              InfoNode::Text(sp.kernel_class == elf::ELFCLASS64 ? "ELF64" : "ELF32"));
    // The x86 ISA level the kernel's GNU property note asks for, which
    // the setup and the stage check (lib/cpu-check.h).
    stage.Add("isa_needed",
              InfoNode::Text(sp.isa_needed ? IsaLevelName(sp.isa_needed) : "none"));
    stage.Add("entry_physical", InfoNode::Hex(sp.entry));
    stage.Add("placement_rule", InfoNode::Text(PlacementRuleName(
                                    static_cast<PlacementRule>(sp.placement_rule))));
    stage.Add("paddr_offset", InfoNode::Hex(sp.paddr_offset));
    stage.Add("arena",
              InfoNode::Text(HexString(sp.arena_offset) + " + " + HexString(sp.arena_size)));
    bool cmdline_in_file = sp.cmdline_offset <= v.part5_size &&
                           sp.cmdline_size <= v.part5_size - sp.cmdline_offset;
    const char* cmdline = reinterpret_cast<const char*>(img.data() + v.part5_offset) +
                          (cmdline_in_file ? sp.cmdline_offset : 0);
    stage.Add("builtin_cmdline",
              InfoNode::Text(!cmdline_in_file
                                 ? "(BAD: outside the file)"
                                 : std::string(cmdline, strnlen(cmdline, sp.cmdline_size))));
    InfoNode& segments = stage.Add("segment", InfoNode::Array());
    for (unsigned i = 0; i < sp.segment_count && i < kMaxSegments; ++i) {
      const StageSegment& s = sp.segments[i];
      segments.Append(InfoNode::Text("physical " + HexString(s.paddr) + " filesz " +
                                     HexString(s.filesz) + " memsz " + HexString(s.memsz)));
    }
    stage.Add("regions", InfoNode::Dec(sp.region_count));
    stage.Add("reloc_source", InfoNode::Text(RelocSourceName(static_cast<RelocSource>(sp.reloc_source))));
    stage.Add("reloc_bytes", InfoNode::Dec(sp.reloc_bytes));
    stage.Add("move_align", InfoNode::Hex(sp.move_align));
    if (sp.load_address != 0) stage.Add("load_address", InfoNode::Hex(sp.load_address));
    if (sp.virt_offset != 0) stage.Add("virtual_offset", InfoNode::Hex(sp.virt_offset));
    AddKaslr(stage, sp);
  }
  InfoNode& payload = info.Child("payload");
  payload.Add("format", InfoNode::Text(CompressionName(in.compression)));
  // gzip's CRC32, checked by the stage's decoder; another method's own
  // checks and the length Linux appends (BzImageKernel).
  const char* check = in.compression == Compression::kGzip ? "crc32" : "check";
  try {
    Bytes kernel = BzImageKernel(img, v, path);
    payload.Add("uncompressed_bytes", InfoNode::Dec(kernel.size()));
    payload.Add(check, InfoNode::Text("ok"));
    KernelElf k = ParseKernel(kernel, path + " (payload)");
    Placement pl = ChoosePlacement(k, v.params && v.params->placement_rule ==
                                              static_cast<uint8_t>(PlacementRule::kOverride)
                                          ? std::optional<uint64_t>(uint64_t{v.params->paddr_offset})
                                          : std::nullopt,
                                   path);
    AddKernel(payload.Child("kernel"), k, pl,
              FindRelocs(k, kernel, pl, nullptr, "", path, InputKernelAlignment(v)));
  } catch (const ToolError& e) {
    payload.Add(check, InfoNode::Text(std::string("BAD: ") + e.what()));
    problem = (e.file() == path ? "" : "payload kernel: ") + std::string(e.what());
  }
  info.Add("layout", ImageLayout(img, v)).ScriptsOnly();
  Print(info, json);
  if (problem.empty()) return 0;
  std::fflush(stdout);
  std::fprintf(stderr, "bzelf: %s: %s\n", path.c_str(), problem.c_str());
  return 1;
}

}  // namespace

int RunInfo(const std::string& path, bool json) {
  Bytes file = ReadFile(path);
  bool elf = file.size() >= 4 && std::memcmp(file.data(), elf::kMagic, 4) == 0;
  if (!elf && IsBzImage(file)) return InfoImage(file, path, json);
  return InfoKernel(OpenKernelInput(std::move(file), path), path, json);
}

}  // namespace bzelf
