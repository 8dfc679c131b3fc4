// tools/kernel-input.h: what `bzelf build` and `bzelf info` take as a
// kernel, by content: an ELF, a compressed ELF, a bzImage with a payload
// in each of Linux's methods, a bzelf image; and what they refuse.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "boot-params.h"
#include "compress-tool.h"
#include "crc32.h"
#include "elf.h"
#include "image.h"
#include "kernel-input.h"
#include "stage-params.h"
#include "test-elf.h"

namespace bzelf {
namespace {

using testing::CompressWith;
using testing::kCompressTools;
using testing::MakeKernel;

const BuildOptions kOptions = {.cmdline = "console=ttyS0 input"};

Bytes TestKernel() {
  return MakeKernel(elf::ELFCLASS32, 0x200000,
                    {{.vaddr = 0x200000, .paddr = 0x200000, .filesz = 0x5000, .memsz = 0x5000},
                     {.vaddr = 0x206000, .paddr = 0x206000, .filesz = 0x1200, .memsz = 0x4000,
                      .fill_seed = 3}});
}

// Stands in for Linux's relocation table after the vmlinux ELF.
Bytes WithRelocations(Bytes elf) {
  for (unsigned i = 0; i < 3000; ++i) elf.push_back(static_cast<uint8_t>(i * 7));
  return elf;
}

std::string Message(const Bytes& file, const std::string& name) {
  try {
    OpenKernelInput(file, name);
  } catch (const ToolError& e) {
    EXPECT_EQ(e.file(), name);
    return e.what();
  }
  return "(no error)";
}

// Linux's payload: `content` compressed, then for every method but gzip
// (whose ISIZE is already there) its length, little-endian
// (scripts/Makefile.lib, size_append).
Bytes LinuxPayload(const testing::CompressTool& tool, const Bytes& content) {
  Bytes p = CompressWith(tool.command, content);
  if (tool.method != Compression::kGzip) {
    for (int i = 0; i < 4; ++i) p.push_back(static_cast<uint8_t>(content.size() >> (8 * i)));
  }
  return p;
}

// The bzelf image `image` with `payload` in its payload's place, and the
// header fields and CRC that go with it, as Linux's tools/build.c writes
// them: a bzImage of the kind Linux's build makes, with bzelf's setup.
Bytes WithPayload(const Bytes& image, const Bytes& payload) {
  ImageView v = ParseImage(image, "image");
  Bytes out(image.begin(), image.begin() + v.part5_offset + v.hdr.payload_offset);
  out.insert(out.end(), payload.begin(), payload.end());
  size_t part5 = (out.size() - v.part5_offset + 4 + 15) / 16 * 16;
  out.resize(v.part5_offset + part5 - 4, 0);
  auto hdr = Load<linuxboot::setup_header>(out, linuxboot::kSetupHeaderOffset);
  hdr.payload_length = static_cast<uint32_t>(payload.size());
  hdr.syssize = static_cast<uint32_t>(part5 / 16);
  Store(out, linuxboot::kSetupHeaderOffset, hdr);
  uint32_t crc = Crc32Raw(0xffffffff, out.data(), out.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(crc >> (8 * i)));
  return out;
}

const std::map<Compression, std::string> kSuffix = {
    {Compression::kGzip, ".gz"}, {Compression::kBzip2, ".bz2"}, {Compression::kLzma, ".lzma"},
    {Compression::kXz, ".xz"},   {Compression::kLzo, ".lzo"},   {Compression::kLz4, ".lz4"},
    {Compression::kLz4Frame, ".lz4"}, {Compression::kZstd, ".zst"},
};

TEST(KernelInput, PlainElf) {
  Bytes k = TestKernel();
  KernelInput in = OpenKernelInput(k, "dir/k.elf");
  EXPECT_EQ(in.format, InputFormat::kElf);
  EXPECT_EQ(in.compression, Compression::kNone);
  EXPECT_EQ(in.elf, k);
  EXPECT_EQ(in.kernel_name, "dir/k.elf");
  EXPECT_EQ(DescribeInput(in), "ELF kernel");
}

// Whatever the file is called; the image names the kernel without the
// compression's suffix, so it is the image of the ELF itself.
TEST(KernelInput, CompressedElfByContentNotName) {
  Bytes k = WithRelocations(TestKernel());
  Bytes want = BuildImage(k, "dir/k.elf", kOptions).bytes;
  for (const auto& t : kCompressTools) {
    Bytes c = CompressWith(t.command, k);
    KernelInput in = OpenKernelInput(c, "dir/kernel");
    EXPECT_EQ(in.format, InputFormat::kCompressedElf) << t.command;
    EXPECT_EQ(in.compression, t.method) << t.command;
    EXPECT_EQ(in.elf, k) << t.command;
    EXPECT_EQ(in.kernel_name, "dir/kernel") << t.command;
    EXPECT_EQ(DescribeInput(in), std::string(CompressionName(t.method)) + "-compressed ELF kernel");
    // Another method's suffix stays.
    EXPECT_EQ(OpenKernelInput(c, "dir/k.elf.tar").kernel_name, "dir/k.elf.tar") << t.command;

    in = OpenKernelInput(c, "dir/k.elf" + kSuffix.at(t.method));
    EXPECT_EQ(in.kernel_name, "dir/k.elf") << t.command;
    BuiltImage built = BuildImage(in.elf, "dir/k.elf" + kSuffix.at(t.method), kOptions,
                                  in.kernel_name);
    EXPECT_EQ(built.bytes, want) << t.command;
    EXPECT_EQ(built.kernel.trailing, 3000u) << t.command;
  }
}

TEST(KernelInput, UnknownFormatsSayWhatTheyLookLike) {
  auto file = [](std::string head, size_t size = 0) {
    Bytes b(head.begin(), head.end());
    if (b.size() < size) b.resize(size, 0);
    return b;
  };
  EXPECT_EQ(Message(file("PK\x03\x04\x14\x00\x00\x00"), "x.bin"),
            "not a kernel: starts with 'PK\\x03\\x04' (a zip archive?)");
  EXPECT_EQ(Message(file(std::string("\x01\x02\xab\xcd\xef\x00\x10\x20\x30", 9)), "x.bin"),
            "not a kernel: starts with 01 02 ab cd ef 00 10 20");
  EXPECT_EQ(Message(file("abc"), "x.bin"), "not a kernel: starts with 61 62 63");
  EXPECT_EQ(Message({}, "x.bin"), "not a kernel: the file is empty");
  EXPECT_EQ(Message(file("!<arch>\ndebian-binary   1342177280  0     0     100644  4 "), "k.deb"),
            "not a kernel: starts with '!<arch>\\n' (a Debian package? Its kernel is "
            "/boot/vmlinuz-*)");
  EXPECT_EQ(Message(file("070701000000020000", 200), "initrd.img"),
            "not a kernel: starts with '070701' (a cpio archive, an initramfs?)");
  Bytes tar = file("vmlinux", 1024);
  std::memcpy(&tar[257], "ustar", 5);
  EXPECT_EQ(Message(tar, "k.tar"), "not a kernel: has 'ustar' at offset 257 (a tar archive?)");
  Bytes arm64 = file("", 0x40);
  std::memcpy(&arm64[0x38], "ARM\x64", 4);
  EXPECT_EQ(Message(arm64, "Image"),
            "not a kernel: has 'ARMd' at offset 56 (an arm64 Linux Image? bzelf wraps x86 "
            "kernels)");
  Bytes boot_sector = file("\xeb\x3c\x90", 512);
  boot_sector[510] = 0x55;
  boot_sector[511] = 0xaa;
  EXPECT_EQ(Message(boot_sector, "mbr.bin"),
            "not a kernel: has 'U\\xaa' at offset 510 (a boot sector with no Linux setup "
            "header (HdrS)?)");
  EXPECT_EQ(Message(CompressWith("gzip -c", file("hello\n")), "h.gz"),
            "not a kernel: its gzip data holds a file that starts with 68 65 6c 6c 6f 0a");
  Bytes damaged = CompressWith("xz -c", TestKernel());
  damaged.resize(damaged.size() - 10);
  EXPECT_EQ(Message(damaged, "k.xz"), "xz data: ends early (truncated?)");
}

// A bzImage as Linux's build makes one, in each of Linux's methods, gives
// the vmlinux (and the relocation table after it), and so the image that
// wrapping that vmlinux gives.
TEST(KernelInput, BzImageOfEachLinuxMethod) {
  Bytes k = TestKernel(), content = WithRelocations(k);
  Bytes image = BuildImage(k, "dir/test32.elf", kOptions).bytes;
  for (const auto& t : kCompressTools) {
    Bytes bz = WithPayload(image, LinuxPayload(t, content));
    KernelInput in = OpenKernelInput(bz, "vmlinuz");
    EXPECT_EQ(in.format, InputFormat::kBzImage) << t.command;
    EXPECT_EQ(in.compression, t.method) << t.command;
    EXPECT_EQ(in.protocol, linuxboot::kProtocolVersion);
    EXPECT_TRUE(in.bzelf);
    EXPECT_EQ(in.elf, content) << t.command;
    EXPECT_EQ(in.kernel_name, "test32.elf");
    EXPECT_EQ(DescribeInput(in),
              std::string("bzelf image, protocol 2.15, ") + CompressionName(t.method) + " payload");
    BuiltImage built = BuildImage(in.elf, "vmlinuz", kOptions, in.kernel_name);
    EXPECT_EQ(built.bytes, image) << t.command;
    EXPECT_EQ(built.kernel.trailing, 3000u);
  }
  // Without bzelf's build note, it is some other bzImage.
  Bytes bz = WithPayload(image, LinuxPayload(kCompressTools[3], content));
  bz[ParseImage(bz, "bz").part5_offset + kBzelfNoteOffset + sizeof(elf::Elf_Nhdr)] ^= 0xff;
  KernelInput in = OpenKernelInput(bz, "vmlinuz");
  EXPECT_FALSE(in.bzelf);
  EXPECT_EQ(DescribeInput(in), "Linux bzImage, protocol 2.15, xz payload");
  EXPECT_EQ(in.elf, content);
}

// The steps a Linux kernel moves in come with it from its bzImage: a
// Linux bzImage's kernel_alignment when relocatable_kernel says it may
// move, a bzelf image's move_align (so that rewrapping changes nothing).
TEST(KernelInput, BzImageGivesItsKernelAlignment) {
  // test32 with an i386 table of one entry after it, linked at 2 MiB.
  Bytes k = TestKernel();
  for (uint32_t w : {0u, 0x200010u}) {
    for (int i = 0; i < 4; ++i) k.push_back(static_cast<uint8_t>(w >> (8 * i)));
  }
  BuildOptions aligned = kOptions;
  aligned.kernel_alignment = 0x100000;
  Bytes image = BuildImage(k, "k.elf", aligned).bytes;
  ASSERT_EQ(ParseImage(image, "image").params->move_align, 0x100000u);
  KernelInput in = OpenKernelInput(image, "image");
  EXPECT_TRUE(in.bzelf);
  EXPECT_EQ(in.kernel_alignment, 0x100000u);
  BuildOptions again = kOptions;
  again.kernel_alignment = in.kernel_alignment;
  EXPECT_EQ(BuildImage(in.elf, "image", again, in.kernel_name).bytes, image);
  // Without the table bzelf recorded none.
  EXPECT_EQ(OpenKernelInput(BuildImage(TestKernel(), "k.elf", kOptions).bytes, "i").kernel_alignment,
            0u);

  // A Linux bzImage (no bzelf build note): its header's field.
  Bytes bz = WithPayload(image, LinuxPayload(kCompressTools[3], k));
  bz[ParseImage(bz, "bz").part5_offset + kBzelfNoteOffset + sizeof(elf::Elf_Nhdr)] ^= 0xff;
  auto hdr = Load<linuxboot::setup_header>(bz, linuxboot::kSetupHeaderOffset);
  hdr.kernel_alignment = 0x400000;
  hdr.relocatable_kernel = 1;
  Store(bz, linuxboot::kSetupHeaderOffset, hdr);
  in = OpenKernelInput(bz, "vmlinuz");
  EXPECT_FALSE(in.bzelf);
  EXPECT_EQ(in.kernel_alignment, 0x400000u);
  // Not relocatable: it says nothing about moving.
  hdr.relocatable_kernel = 0;
  Store(bz, linuxboot::kSetupHeaderOffset, hdr);
  EXPECT_EQ(OpenKernelInput(bz, "vmlinuz").kernel_alignment, 0u);
}

TEST(KernelInput, DamagedBzImagePayloadIsAnError) {
  Bytes k = TestKernel();
  Bytes image = BuildImage(k, "k.elf", kOptions).bytes;
  for (const auto& t : kCompressTools) {
    Bytes payload = LinuxPayload(t, k);
    // Compressed data cut short, the length still after it.
    Bytes cut(payload.begin(), payload.end() - 24);
    cut.insert(cut.end(), payload.end() - 4, payload.end());
    EXPECT_THROW(OpenKernelInput(WithPayload(image, cut), "bz"), ToolError) << t.command;
    // The length after the data (gzip's ISIZE) says otherwise.
    Bytes longer = payload;
    longer[longer.size() - 4] ^= 1;
    EXPECT_THROW(OpenKernelInput(WithPayload(image, longer), "bz"), ToolError) << t.command;
    // Something else than a kernel inside.
    Bytes text = LinuxPayload(t, Bytes(5000, 'x'));
    EXPECT_NE(Message(WithPayload(image, text), "bz").find("payload: no kernel ELF in its"),
              std::string::npos)
        << t.command;
  }
  // LZ4's legacy format has no end mark: cut at a chunk's end, only the
  // length after it shows.
  Bytes lz4 = {0x02, 0x21, 0x4c, 0x18};
  for (int i = 0; i < 4; ++i) lz4.push_back(static_cast<uint8_t>(k.size() >> (8 * i)));
  EXPECT_EQ(Message(WithPayload(image, lz4), "bz"),
            "payload: lz4 data comes to 0 bytes, but the length after it says " +
                std::to_string(k.size()));
  EXPECT_EQ(Message(WithPayload(image, Bytes(64, 0x5a)), "bz"),
            "payload: compressed by no method Linux offers: starts with 5a 5a 5a 5a 5a 5a 5a 5a");

  Bytes old = image;
  auto hdr = Load<linuxboot::setup_header>(old, linuxboot::kSetupHeaderOffset);
  hdr.version = 0x0207;
  Store(old, linuxboot::kSetupHeaderOffset, hdr);
  EXPECT_EQ(Message(old, "zImage"),
            "Linux boot protocol 2.7: only 2.08 and later say where the kernel is "
            "(payload_offset)");
  Bytes outside = image;
  hdr = Load<linuxboot::setup_header>(outside, linuxboot::kSetupHeaderOffset);
  hdr.payload_length = static_cast<uint32_t>(image.size());
  Store(outside, linuxboot::kSetupHeaderOffset, hdr);
  EXPECT_EQ(Message(outside, "bz"),
            "payload_offset/payload_length lie outside the protected-mode part");
}

// A bzelf image gives back its kernel: wrapped again with the same
// options, the same image; with others, the image those give.
TEST(KernelInput, BzelfImageRewraps) {
  Bytes k = TestKernel();
  Bytes image = BuildImage(k, "dir/test32.elf", kOptions).bytes;
  KernelInput in = OpenKernelInput(image, "test32.img");
  EXPECT_EQ(DescribeInput(in), "bzelf image, protocol 2.15, gzip payload");
  EXPECT_EQ(BuildImage(in.elf, "test32.img", kOptions, in.kernel_name).bytes, image);
  BuildOptions other = {.cmdline = "console=ttyS1 other", .level = 1};
  EXPECT_EQ(BuildImage(in.elf, "test32.img", other, in.kernel_name).bytes,
            BuildImage(k, "test32.elf", other).bytes);
}

TEST(KernelInput, BadCompressedInputLeavesNoOutput) {
  std::string tmpl = ::testing::TempDir() + "bzelf-input-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::filesystem::path dir = tmpl, bad = dir / "k.elf.zst", out = dir / "k.img";
  Bytes c = CompressWith("zstd -q -c", TestKernel());
  c.resize(c.size() / 2);
  std::ofstream(bad, std::ios::binary).write(reinterpret_cast<const char*>(c.data()), c.size());
  EXPECT_THROW(BuildImageFile(bad, out, kOptions), ToolError);
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir),
                          std::filesystem::directory_iterator()),
            1);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bzelf
