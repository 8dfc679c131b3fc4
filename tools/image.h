// Assembling a bzelf image, and reading one back.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "boot-params.h"
#include "common.h"
#include "kernel-elf.h"
#include "payload.h"
#include "pe-header.h"
#include "stage-params.h"

namespace bzelf {

struct BuildOptions {
  std::string cmdline;                   // built-in command line, may be empty
  std::optional<uint64_t> paddr_offset;  // --paddr-offset
  int level = 9;                         // zlib level
  bool floppy = false;                   // --floppy: pad to a floppy's size
  std::optional<Bytes> relocs;           // --relocs FILE's contents
  std::string relocs_name;               // and its name
  // A fixed placement (--load-address, --virtual-offset; lib/stage-params.h).
  std::optional<uint64_t> load_address;
  std::optional<uint64_t> virt_offset;
  // --kernel-alignment: the steps a Linux kernel moves in.
  std::optional<uint64_t> kernel_alignment_option;
  // Not an option: the alignment the bzImage the kernel came from asks
  // for (KernelInput::kernel_alignment; 0 for none).
  uint64_t kernel_alignment = 0;
};

// The floppy sizes --floppy pads to: 80 cylinders, 2 heads, 18 or 36
// sectors per track (the PC's 1.44 MB and 2.88 MB 3.5" formats).
inline constexpr size_t kFloppy144 = 80 * 2 * 18 * 512;
inline constexpr size_t kFloppy288 = 80 * 2 * 36 * 512;

struct BuiltImage {
  Bytes bytes;
  KernelElf kernel;
  Placement placement;
  KernelRelocs relocs;
  Payload payload;
};

// An image's version string (kernel_version, boot.rst) is this, then
// "Linux <version>" from the kernel's banner or else the kernel's name.
inline constexpr char kVersionPrefix[] = "bzelf ";

// `name` names the kernel file in errors and, unless `kernel_name` is
// given, the kernel in the image's version string (for a kernel without
// Linux's banner; tools/kernel-input.h says why the two can differ).
BuiltImage BuildImage(const Bytes& kernel_file, const std::string& name,
                      const BuildOptions& options, const std::string& kernel_name = {});

// `bzelf build`: reads the kernel at kernel_path, whatever form it comes
// in (tools/kernel-input.h), and writes its image to output_path. On any
// error it throws, and output_path is as it was: no file where there was
// none, an existing file untouched, no temporary left next to it
// (DESIGN.md, "Host tool": no partial output). Returns why the kernel's
// relocation sections leave it unable to move (KernelRelocs::refused),
// for the caller to say; empty when they do not.
std::string BuildImageFile(const std::string& kernel_path, const std::string& output_path,
                           const BuildOptions& options);

// A parsed image; every offset checked against the file size.
struct ImageView {
  linuxboot::setup_header hdr;
  unsigned setup_sects;    // as used: 0 means 4
  size_t part5_offset;     // (setup_sects + 1) * 512
  size_t part5_size;       // up to the CRC's end
  size_t padding;          // zero bytes after it (`bzelf build --floppy`)
  uint32_t crc_stored;     // part 5's last 4 bytes
  uint32_t crc_computed;   // ImageCrc32() over the rest (ImageCrc::kCompute)
  // The PE certificate table (the signatures sbsign appends after the
  // image), when the PE header has one; the image ends where it starts.
  std::optional<FileSpan> certificate_table;
  std::optional<StageParams> params;  // via the bzelf build note
  size_t params_offset;               // in part 5, when params is set
  std::string kernel_version;
  bool stage_elf_ok;
};

// The image CRC32 of img[0, end): Linux's tools/build.c CRC, with the PE
// header's fields that signing writes (SigningFields()) read as zeros,
// the value `bzelf build` leaves in them. So signing an image keeps its
// CRC right, as it keeps the Authenticode hash, which leaves out the
// same fields.
uint32_t ImageCrc32(std::span<const uint8_t> image, size_t end);

// Whether ParseImage() computes the image's CRC32, a pass over the whole
// file: `bzelf extract` needs only the payload, which has a CRC32 of its
// own, and skips it (crc_computed is then 0).
enum class ImageCrc : uint8_t { kCompute, kSkip };

ImageView ParseImage(std::span<const uint8_t> image, const std::string& name,
                     ImageCrc crc = ImageCrc::kCompute);

// Inflates the payload with our own decoder and checks gzip CRC32/ISIZE.
Bytes ExtractKernel(std::span<const uint8_t> image, const ImageView& view,
                    const std::string& name);

// `bzelf extract`: the same, from the image at image_path into a new file
// at output_path, inflated straight into the output file's pages
// (OutputFile). On any error it throws, and output_path is as it was.
void ExtractKernelFile(const std::string& image_path, const std::string& output_path);

}  // namespace bzelf
