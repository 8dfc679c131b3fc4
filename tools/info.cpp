#include "info.h"

#include <cstdio>
#include <cstring>
#include <sstream>
#include <utility>
#include <vector>

#include "elf.h"
#include "gzip.h"
#include "image.h"
#include "kernel-elf.h"
#include "stage-checksum.h"

namespace bzelf {
namespace {

using Fields = std::vector<std::pair<std::string, std::string>>;

std::string JsonEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", c);
      out += buf;
      continue;
    }
    out += c;
  }
  return out;
}

void Print(const Fields& fields, bool json) {
  if (json) {
    std::printf("{\n");
    for (size_t i = 0; i < fields.size(); ++i) {
      std::printf("  \"%s\": \"%s\"%s\n", fields[i].first.c_str(),
                  JsonEscape(fields[i].second).c_str(), i + 1 < fields.size() ? "," : "");
    }
    std::printf("}\n");
    return;
  }
  for (const auto& [k, v] : fields) std::printf("%-34s %s\n", k.c_str(), v.c_str());
}

std::string Dec(uint64_t v) { return std::to_string(v); }

void AddHeader(Fields& f, const linuxboot::setup_header& h) {
#define HDR(field) f.emplace_back("hdr." #field, HexString(h.field))
  HDR(setup_sects);
  HDR(root_flags);
  HDR(syssize);
  HDR(ram_size);
  HDR(vid_mode);
  HDR(root_dev);
  HDR(boot_flag);
  HDR(jump);
  HDR(header);
  HDR(version);
  HDR(realmode_swtch);
  HDR(start_sys_seg);
  HDR(kernel_version);
  HDR(type_of_loader);
  HDR(loadflags);
  HDR(setup_move_size);
  HDR(code32_start);
  HDR(ramdisk_image);
  HDR(ramdisk_size);
  HDR(bootsect_kludge);
  HDR(heap_end_ptr);
  HDR(ext_loader_ver);
  HDR(ext_loader_type);
  HDR(cmd_line_ptr);
  HDR(initrd_addr_max);
  HDR(kernel_alignment);
  HDR(relocatable_kernel);
  HDR(min_alignment);
  HDR(xloadflags);
  HDR(cmdline_size);
  HDR(hardware_subarch);
  HDR(hardware_subarch_data);
  HDR(payload_offset);
  HDR(payload_length);
  HDR(setup_data);
  HDR(pref_address);
  HDR(init_size);
  HDR(handover_offset);
  HDR(kernel_info_offset);
#undef HDR
}

void AddKernel(Fields& f, const std::string& prefix, const KernelElf& k, const Placement& pl) {
  f.emplace_back(prefix + "class", k.elf_class == elf::ELFCLASS64 ? "ELF64" : "ELF32");
  f.emplace_back(prefix + "machine", k.machine == elf::EM_X86_64 ? "x86-64" : "i386");
  f.emplace_back(prefix + "entry", HexString(k.entry));
  f.emplace_back(prefix + "entry_physical", HexString(pl.entry_phys));
  f.emplace_back(prefix + "placement_rule", PlacementRuleName(pl.rule));
  f.emplace_back(prefix + "placement_reason", pl.reason);
  f.emplace_back(prefix + "paddr_offset", HexString(pl.offset));
  if (!k.linux_version.empty()) f.emplace_back(prefix + "linux_version", k.linux_version);
  f.emplace_back(prefix + "trailing_bytes", Dec(k.trailing));
  int n = 0;
  for (const KernelPhdr& p : k.phdrs) {
    if (p.type != elf::PT_LOAD) continue;
    std::ostringstream s;
    s << "vaddr " << HexString(p.vaddr) << " paddr " << HexString(p.paddr) << " physical "
      << HexString(p.paddr - pl.offset) << " filesz " << HexString(p.filesz) << " memsz "
      << HexString(p.memsz);
    f.emplace_back(prefix + "load[" + std::to_string(n++) + "]", s.str());
  }
  if (k.xen.phys32_entry) f.emplace_back(prefix + "xen_phys32_entry", HexString(*k.xen.phys32_entry));
}

int InfoKernel(const Bytes& file, const std::string& path, bool json) {
  KernelElf k = ParseKernel(file, path);
  Placement pl = ChoosePlacement(k, std::nullopt, path);
  Fields f;
  f.emplace_back("file", path);
  f.emplace_back("kind", "kernel ELF");
  AddKernel(f, "kernel.", k, pl);
  Print(f, json);
  return 0;
}

int InfoImage(const Bytes& img, const std::string& path, bool json) {
  ImageView v = ParseImage(img, path);
  Fields f;
  f.emplace_back("file", path);
  f.emplace_back("kind", "bzImage (Linux boot protocol)");
  f.emplace_back("kernel_version_string", v.kernel_version);
  f.emplace_back("protocol", std::to_string(v.hdr.version >> 8) + "." +
                                 std::to_string(v.hdr.version & 0xff));
  AddHeader(f, v.hdr);
  f.emplace_back("setup.bytes", Dec(v.part5_offset));
  f.emplace_back("part5.offset", HexString(v.part5_offset));
  f.emplace_back("part5.bytes", Dec(v.part5_size));
  f.emplace_back("part5.elf", v.stage_elf_ok ? "ELF64 stage header present" : "missing");
  bool crc_ok = v.crc_stored == v.crc_computed;
  f.emplace_back("image_crc32", HexString(v.crc_stored) + (crc_ok ? " (ok)" : " (BAD: computed " + HexString(v.crc_computed) + ")"));
  // What is wrong, for the one line on stderr: the most specific problem.
  std::string problem = crc_ok ? "" : "image CRC32 mismatch (stored " + HexString(v.crc_stored) +
                                          ", computed " + HexString(v.crc_computed) + ")";
  if (v.params) {
    const StageParams& sp = *v.params;
    {
      bool ok = sp.checked_size <= v.part5_size && sp.cmdline_offset <= v.part5_size &&
                sp.cmdline_size <= v.part5_size - sp.cmdline_offset &&
                v.params_offset + sizeof(StageParams) <= sp.checked_size &&
                StageChecksum(&img[v.part5_offset], v.params_offset, sp) == sp.stage_crc;
      f.emplace_back("stage.checksum", HexString(sp.stage_crc) + (ok ? " (ok)" : " (BAD)"));
      if (!ok) problem = "stage checksum mismatch";
    }
    f.emplace_back("stage.kernel_class", sp.kernel_class == elf::ELFCLASS64 ? "ELF64" : "ELF32");
    f.emplace_back("stage.entry_physical", HexString(sp.entry));
    f.emplace_back("stage.placement_rule", PlacementRuleName(static_cast<PlacementRule>(sp.placement_rule)));
    f.emplace_back("stage.paddr_offset", HexString(sp.paddr_offset));
    f.emplace_back("stage.arena", HexString(sp.arena_offset) + " + " + HexString(sp.arena_size));
    bool cmdline_in_file = sp.cmdline_offset <= v.part5_size &&
                           sp.cmdline_size <= v.part5_size - sp.cmdline_offset;
    const char* cmdline = reinterpret_cast<const char*>(img.data() + v.part5_offset) +
                          (cmdline_in_file ? sp.cmdline_offset : 0);
    f.emplace_back("stage.builtin_cmdline",
                   !cmdline_in_file ? "(BAD: outside the file)"
                                    : std::string(cmdline, strnlen(cmdline, sp.cmdline_size)));
    for (unsigned i = 0; i < sp.segment_count && i < kMaxSegments; ++i) {
      const StageSegment& s = sp.segments[i];
      f.emplace_back("stage.segment[" + std::to_string(i) + "]",
                     "physical " + HexString(s.paddr) + " filesz " + HexString(s.filesz) +
                         " memsz " + HexString(s.memsz));
    }
    f.emplace_back("stage.regions", Dec(sp.region_count));
  }
  std::string payload_status;
  try {
    Bytes kernel = ExtractKernel(img, v, path);
    f.emplace_back("payload.format", "gzip");
    f.emplace_back("payload.uncompressed_bytes", Dec(kernel.size()));
    f.emplace_back("payload.crc32", "ok");
    KernelElf k = ParseKernel(kernel, path + " (payload)");
    Placement pl = ChoosePlacement(k, v.params && v.params->placement_rule ==
                                              static_cast<uint8_t>(PlacementRule::kOverride)
                                          ? std::optional<uint64_t>(uint64_t{v.params->paddr_offset})
                                          : std::nullopt,
                                   path);
    AddKernel(f, "payload.kernel.", k, pl);
  } catch (const ToolError& e) {
    f.emplace_back("payload.crc32", std::string("BAD: ") + e.what());
    problem = (e.file() == path ? "" : "payload kernel: ") + std::string(e.what());
  }
  Print(f, json);
  if (problem.empty()) return 0;
  std::fflush(stdout);
  std::fprintf(stderr, "bzelf: %s: %s\n", path.c_str(), problem.c_str());
  return 1;
}

}  // namespace

int RunInfo(const std::string& path, bool json) {
  Bytes file = ReadFile(path);
  if (file.size() >= 4 && std::memcmp(file.data(), elf::kMagic, 4) == 0) {
    return InfoKernel(file, path, json);
  }
  return InfoImage(file, path, json);
}

}  // namespace bzelf
