// What `bzelf build` and `bzelf info` take as a kernel, told apart by the
// file's contents, never its name:
//   - a kernel ELF;
//   - a kernel ELF compressed by any method of tools/decompress.h
//     (vmlinux.xz, xen.gz, ...);
//   - a bzImage (Linux boot protocol 2.08 or later, which says where its
//     payload is): Linux's vmlinuz, whose payload is the vmlinux ELF and
//     Linux's relocation table after it, compressed by the method the
//     kernel was configured with; or a bzelf image, whose payload is the
//     kernel ELF as bzelf rewrote it.
// Anything else is refused with what its first bytes look like.
#pragma once

#include <cstdint>
#include <string>

#include "common.h"
#include "decompress.h"
#include "image.h"

namespace bzelf {

enum class InputFormat : uint8_t { kElf, kCompressedElf, kBzImage };

struct KernelInput {
  InputFormat format;
  // Of the ELF, or of the bzImage's payload.
  Compression compression = Compression::kNone;
  uint16_t protocol = 0;  // a bzImage's setup_header.version
  bool bzelf = false;     // a bzImage with bzelf's build note
  // The kernel ELF, with whatever came after its end (a Linux payload has
  // the relocation table there: KernelElf::trailing counts it).
  Bytes elf;
  // A bzImage's word on the steps its kernel moves in: a Linux bzImage's
  // kernel_alignment (CONFIG_PHYSICAL_ALIGN) when it is relocatable, a
  // bzelf image's move_align for Linux's table (what its maker found, so
  // that rewrapping it gives the same image); 0 for none.
  uint64_t kernel_alignment = 0;
  // What the kernel is called in the version string of an image made from
  // it (image.h): the input's name, without the suffix of its compression
  // (test.elf.gz: test.elf), or the name a bzelf image recorded, so that
  // rewrapping gives the image that wrapping the ELF itself does.
  std::string kernel_name;
};

// "Linux bzImage, protocol 2.15, xz payload", "gzip-compressed ELF", ...
std::string DescribeInput(const KernelInput& input);

// Tells what `file` (read from `path`) is and takes the kernel ELF out of
// it. Throws ToolError(path, ...) for anything that is no kernel, or whose
// compressed data is damaged; whether the ELF is a kernel bzelf can wrap is
// ParseKernel's to say.
KernelInput OpenKernelInput(Bytes file, const std::string& path);

// What a file that is none of the above starts with: "starts with 'PK\x03\x04'
// (a zip archive?)", or its first 8 bytes in hex.
std::string DescribeUnknown(const Bytes& file);

// For `bzelf info`: whether `file` is a bzImage (Linux boot protocol
// header), which info shows as an image rather than as a kernel.
bool IsBzImage(const Bytes& file);

// KernelInput::kernel_alignment of the bzImage `v`.
uint64_t InputKernelAlignment(const ImageView& v);

// The method that compressed a bzImage's payload, kNone if it is none of
// tools/decompress.h's (or the header does not frame a payload).
Compression PayloadCompression(const Bytes& image, const ImageView& view);

// The kernel ELF in a bzImage's payload: for a gzip payload, inflated by
// the decoder the stage runs (ExtractKernel); for the others, by their
// library, and checked against the uncompressed length Linux appends after
// the compressed data. Throws ToolError(name, "payload: ...").
Bytes BzImageKernel(const Bytes& image, const ImageView& view, const std::string& name);

}  // namespace bzelf
