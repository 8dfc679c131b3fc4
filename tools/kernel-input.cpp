#include "kernel-input.h"

#include <cstdio>
#include <cstring>

#include "boot-params.h"
#include "elf.h"

namespace bzelf {
namespace {

// boot.rst: payload_offset and payload_length came with protocol 2.08
// (Linux 2.6.26).
constexpr uint16_t kProtocolPayload = 0x0208;

bool IsElf(const Bytes& f) {
  return f.size() >= 4 && std::memcmp(f.data(), elf::kMagic, 4) == 0;
}

// The suffix each method's tool gives its files, dropped from the name.
struct Suffix {
  Compression method;
  const char* suffix;
};
constexpr Suffix kSuffixes[] = {
    {Compression::kGzip, ".gz"},  {Compression::kBzip2, ".bz2"}, {Compression::kLzma, ".lzma"},
    {Compression::kXz, ".xz"},    {Compression::kLzo, ".lzo"},   {Compression::kLz4, ".lz4"},
    {Compression::kLz4Frame, ".lz4"}, {Compression::kZstd, ".zst"},
};

std::string WithoutSuffix(const std::string& path, Compression c) {
  for (const Suffix& s : kSuffixes) {
    size_t n = std::strlen(s.suffix);
    if (s.method == c && path.size() > n && path.compare(path.size() - n, n, s.suffix) == 0) {
      return path.substr(0, path.size() - n);
    }
  }
  return path;
}

// Files people may take for a kernel, by a magic number at an offset; for
// the message that refuses them.
struct Known {
  size_t offset;
  const char* magic;
  size_t size;
  const char* what;
};
constexpr Known kKnown[] = {
    {0, "!<arch>\ndebian-binary", 21, "a Debian package? Its kernel is /boot/vmlinuz-*"},
    {0, "!<arch>\n", 8, "an ar archive?"},
    {0, "PK\x03\x04", 4, "a zip archive?"},
    {0, "070701", 6, "a cpio archive, an initramfs?"},
    {0, "070702", 6, "a cpio archive, an initramfs?"},
    {257, "ustar", 5, "a tar archive?"},
    {0, "\xd0\x0d\xfe\xed", 4, "a device tree blob?"},
    {0, "\x27\x05\x19\x56", 4, "a U-Boot image?"},
    // Linux's arm64 and RISC-V Image headers (their booting.rst / boot.rst),
    // and the ARM zImage magic 0x016f2818.
    {0x38, "ARM\x64", 4, "an arm64 Linux Image? bzelf wraps x86 kernels"},
    {0x38, "RSC\x05", 4, "a RISC-V Linux Image? bzelf wraps x86 kernels"},
    {0x24, "\x18\x28\x6f\x01", 4, "an ARM zImage? bzelf wraps x86 kernels"},
    {0, "MZ", 2, "a PE executable, an EFI application? No Linux bzImage"},
    {0, "#!", 2, "a script?"},
    // Protocol 2.00 brought "HdrS": an older kernel, or any boot sector.
    {0x1fe, "\x55\xaa", 2, "a boot sector with no Linux setup header (HdrS)?"},
};

std::string Quoted(const uint8_t* p, size_t n) {
  std::string s = "'";
  for (size_t i = 0; i < n; ++i) {
    if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\'' && p[i] != '\\') {
      s += static_cast<char>(p[i]);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof(buf), p[i] == '\n' ? "\\n" : "\\x%02x", p[i]);
      s += buf;
    }
  }
  return s + "'";
}

std::string Protocol(uint16_t version) {
  return std::to_string(version >> 8) + "." + std::to_string(version & 0xff);
}

// The payload, as payload_offset and payload_length frame it, or nullptr.
const uint8_t* PayloadBytes(const Bytes& image, const ImageView& v) {
  uint64_t off = v.hdr.payload_offset, len = v.hdr.payload_length;
  if (v.hdr.version < kProtocolPayload || len < 4 || off + len > v.part5_size) return nullptr;
  return &image[v.part5_offset + off];
}

}  // namespace

std::string DescribeUnknown(const Bytes& file) {
  if (file.empty()) return "the file is empty";
  for (const Known& k : kKnown) {
    if (file.size() >= k.offset + k.size &&
        std::memcmp(&file[k.offset], k.magic, k.size) == 0) {
      const uint8_t* m = reinterpret_cast<const uint8_t*>(k.magic);
      size_t shown = std::min<size_t>(k.size, 8);
      return (k.offset == 0 ? "starts with " : "has ") + Quoted(m, shown) +
             (k.offset == 0 ? "" : " at offset " + std::to_string(k.offset)) + " (" + k.what +
             ")";
    }
  }
  std::string hex = "starts with";
  for (size_t i = 0; i < file.size() && i < 8; ++i) {
    char buf[4];
    std::snprintf(buf, sizeof(buf), " %02x", file[i]);
    hex += buf;
  }
  return hex;
}

bool IsBzImage(const Bytes& file) {
  return file.size() >= linuxboot::kSetupHeaderOffset + sizeof(linuxboot::setup_header) &&
         Load<uint16_t>(file, 0x1fe) == linuxboot::kBootFlag &&
         Load<uint32_t>(file, 0x202) == linuxboot::kHeaderMagic;
}

Compression PayloadCompression(const Bytes& image, const ImageView& v) {
  const uint8_t* p = PayloadBytes(image, v);
  return p ? DetectCompression(p, v.hdr.payload_length) : Compression::kNone;
}

Bytes BzImageKernel(const Bytes& image, const ImageView& v, const std::string& name) {
  if (v.hdr.version < kProtocolPayload) {
    throw ToolError(name, "Linux boot protocol " + Protocol(v.hdr.version) +
                              ": only 2.08 and later say where the kernel is (payload_offset)");
  }
  const uint8_t* p = PayloadBytes(image, v);
  if (!p) {
    throw ToolError(name, "payload_offset/payload_length lie outside the protected-mode part");
  }
  const size_t len = v.hdr.payload_length;
  Compression c = DetectCompression(p, len);
  if (c == Compression::kNone) {
    throw ToolError(name, "payload: compressed by no method Linux offers: " +
                              DescribeUnknown(Bytes(p, p + std::min<size_t>(len, 8))));
  }
  Bytes elf;
  if (c == Compression::kGzip) {
    elf = ExtractKernel(image, v, name);
  } else {
    // Linux appends the uncompressed length to every method but gzip,
    // whose ISIZE is already there (scripts/Makefile.lib, size_append;
    // arch/x86/boot/compressed/mkpiggy.c reads it as the output length).
    uint32_t length;
    std::memcpy(&length, p + len - 4, 4);
    try {
      // No more than that length, and a byte over to see it run past: a
      // payload that inflates without end stops there, not at the
      // general cap.
      elf = Decompress(c, p, len - 4, name,
                       std::min<size_t>(size_t{length} + 1, kMaxDecompressedBytes));
    } catch (const ToolError& e) {
      throw ToolError(name, std::string("payload: ") + e.what());
    }
    if (static_cast<uint32_t>(elf.size()) != length) {
      throw ToolError(name, "payload: " + std::string(CompressionName(c)) + " data comes to " +
                                std::to_string(elf.size()) +
                                " bytes, but the length after it says " + std::to_string(length));
    }
  }
  if (!IsElf(elf)) {
    throw ToolError(name, std::string("payload: no kernel ELF in its ") + CompressionName(c) +
                              " data, which " + DescribeUnknown(elf));
  }
  return elf;
}

uint64_t InputKernelAlignment(const ImageView& v) {
  if (v.params) {
    const bool table = v.params->reloc_source == static_cast<uint8_t>(RelocSource::kTable);
    return table ? v.params->move_align : 0;
  }
  // kernel_alignment and relocatable_kernel came with protocol 2.05.
  if (v.hdr.version < 0x0205 || v.hdr.relocatable_kernel == 0) return 0;
  return v.hdr.kernel_alignment;
}

std::string DescribeInput(const KernelInput& in) {
  switch (in.format) {
    case InputFormat::kElf: return "ELF kernel";
    case InputFormat::kCompressedElf:
      return std::string(CompressionName(in.compression)) + "-compressed ELF kernel";
    case InputFormat::kBzImage:
      return std::string(in.bzelf ? "bzelf image" : "Linux bzImage") + ", protocol " +
             Protocol(in.protocol) + ", " + CompressionName(in.compression) + " payload";
  }
  return "unknown";
}

KernelInput OpenKernelInput(Bytes file, const std::string& path) {
  KernelInput in{};
  in.kernel_name = path;
  if (IsElf(file)) {
    in.format = InputFormat::kElf;
    in.elf = std::move(file);
    return in;
  }
  if (IsBzImage(file)) {
    ImageView v = ParseImage(file, path);
    in.format = InputFormat::kBzImage;
    in.protocol = v.hdr.version;
    in.bzelf = v.params.has_value();
    in.compression = PayloadCompression(file, v);
    in.elf = BzImageKernel(file, v, path);
    in.kernel_alignment = InputKernelAlignment(v);
    // A bzelf image's version string names the kernel it was made from.
    if (v.kernel_version.rfind(kVersionPrefix, 0) == 0) {
      in.kernel_name = v.kernel_version.substr(sizeof(kVersionPrefix) - 1);
    }
    return in;
  }
  in.compression = DetectCompression(file.data(), file.size());
  if (in.compression == Compression::kNone) {
    throw ToolError(path, "not a kernel: " + DescribeUnknown(file));
  }
  in.format = InputFormat::kCompressedElf;
  in.elf = Decompress(in.compression, file.data(), file.size(), path);
  if (!IsElf(in.elf)) {
    std::string what = in.elf.empty() ? "is empty" : "holds a file that " + DescribeUnknown(in.elf);
    throw ToolError(path, std::string("not a kernel: its ") + CompressionName(in.compression) +
                              " data " + what);
  }
  in.kernel_name = WithoutSuffix(path, in.compression);
  return in;
}

}  // namespace bzelf
