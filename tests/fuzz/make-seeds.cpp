// Writes the generated seed corpus of the fuzz targets into DIR/<target>/:
//   inflate/  a control byte (inflate-fuzz.cpp) + zlib raw DEFLATE streams:
//             every block type, flushed regions, long and short matches,
//             and a hand-made stream of the longest distance codes
//   kernel/   small kernel ELFs: ELF32/ELF64, one or several segments,
//             bss tails, Xen notes, virtual p_paddr, trailing data
//   image/    images built from those kernels by BuildImage, and cut-down
//             copies (the stage code left out, 4 KiB) so that mutations land
//             on the fields the parsers read
// Usage: make-seeds DIR
#include <sys/stat.h>
#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "common.h"
#include "crc32.h"
#include "deflate-writer.h"
#include "elf.h"
#include "image.h"
#include "stage-params.h"
#include "test-elf.h"

namespace {

using namespace bzelf;
using testing::MakeKernel;
using testing::TestSegment;

std::string g_dir;

void Write(const std::string& target, const std::string& name, const Bytes& data) {
  mkdir((g_dir + "/" + target).c_str(), 0755);
  WriteFileAtomically(g_dir + "/" + target + "/" + name, data);
}

Bytes Text(size_t n, unsigned seed) {
  static const char* const kWords[] = {"kernel ", "boot ", "params ", "e820 ", "\n",
                                       "the ",    "ELF ",  "0x1000 ", "segment "};
  Bytes out;
  uint32_t x = seed * 2654435761u + 1;
  while (out.size() < n) {
    x = x * 1103515245u + 12345u;
    const char* w = kWords[(x >> 16) % 9];
    out.insert(out.end(), w, w + std::strlen(w));
  }
  out.resize(n);
  return out;
}

Bytes Noise(size_t n, unsigned seed) {
  Bytes out(n);
  uint32_t x = seed + 7;
  for (auto& b : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<uint8_t>(x);
  }
  return out;
}

// Raw DEFLATE; a full flush after every `flush_every` bytes if non-zero,
// and no final block when `finish` is false (a run of flushed regions).
Bytes Deflate(const Bytes& in, int level, int strategy, size_t flush_every = 0,
              bool finish = true) {
  z_stream z{};
  deflateInit2(&z, level, Z_DEFLATED, -15, 8, strategy);
  Bytes out(deflateBound(&z, in.size()) + 64 * (in.size() / (flush_every ? flush_every : 1) + 2));
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  size_t pos = 0;
  do {
    size_t n = flush_every ? std::min(flush_every, in.size() - pos) : in.size() - pos;
    z.next_in = const_cast<uint8_t*>(in.data() + pos);
    z.avail_in = static_cast<uInt>(n);
    pos += n;
    bool last = pos == in.size();
    deflate(&z, last && finish ? Z_FINISH : Z_FULL_FLUSH);
  } while (pos < in.size());
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

Bytes WithControl(uint8_t control, const Bytes& stream) {
  Bytes b{control};
  b.insert(b.end(), stream.begin(), stream.end());
  return b;
}

void InflateSeeds() {
  Bytes zeros(3000, 0);
  Bytes mixed = Text(2000, 1);
  Bytes noise = Noise(700, 3);
  mixed.insert(mixed.end(), noise.begin(), noise.end());
  mixed.insert(mixed.end(), zeros.begin(), zeros.end());
  // Control bytes: 0 = final block, exact buffer; 1 = run of flushed
  // blocks, exact buffer; 2 + (3 << 3) = three bytes too small; 6 = plenty.
  Write("inflate", "empty-final", WithControl(0, Deflate({}, 6, Z_DEFAULT_STRATEGY)));
  Write("inflate", "stored", WithControl(0, Deflate(noise, 0, Z_DEFAULT_STRATEGY)));
  Write("inflate", "fixed", WithControl(0, Deflate(Text(600, 2), 6, Z_FIXED)));
  Write("inflate", "dynamic", WithControl(0, Deflate(mixed, 9, Z_DEFAULT_STRATEGY)));
  Write("inflate", "rle", WithControl(4, Deflate(mixed, 6, Z_RLE)));
  Write("inflate", "huffman-only", WithControl(6, Deflate(Text(900, 4), 6, Z_HUFFMAN_ONLY)));
  Write("inflate", "too-small", WithControl(2 + (3 << 3), Deflate(mixed, 6, Z_DEFAULT_STRATEGY)));
  Write("inflate", "flushed-run", WithControl(1, Deflate(mixed, 6, Z_DEFAULT_STRATEGY, 1000, false)));
  Write("inflate", "flushed-final", WithControl(0, Deflate(mixed, 1, Z_DEFAULT_STRATEGY, 700)));
  Write("inflate", "zeros", WithControl(0, Deflate(Bytes(40000, 0), 9, Z_DEFAULT_STRATEGY)));
  const Bytes long_distance = deflate_writer::LongDistanceSample().stream;
  Write("inflate", "long-distance", WithControl(0, long_distance));
  Write("inflate", "long-distance-room", WithControl(6, long_distance));
}

Bytes XenNote(uint32_t type, uint64_t value) {
  Bytes n(12 + 4 + 8);
  uint32_t hdr[3] = {4, 8, type};
  std::memcpy(n.data(), hdr, 12);
  std::memcpy(n.data() + 12, "Xen", 4);
  std::memcpy(n.data() + 16, &value, 8);
  return n;
}

std::vector<Bytes> KernelSeeds() {
  const uint64_t kBase64 = 0xffffffff80000000ull;
  std::vector<Bytes> k;
  k.push_back(MakeKernel(elf::ELFCLASS32, 0x200000,
                         {{.vaddr = 0x200000, .paddr = 0x200000, .filesz = 0x300, .memsz = 0x300},
                          {.vaddr = 0x201400, .paddr = 0x201400, .filesz = 0x80, .memsz = 0x900,
                           .fill_seed = 2}}));
  k.push_back(MakeKernel(elf::ELFCLASS64, 0x1000000,
                         {{.vaddr = kBase64 + 0x1000000, .paddr = 0x1000000, .filesz = 0x400,
                           .memsz = 0x400, .align = 0x200000},
                          {.vaddr = kBase64 + 0x1200000, .paddr = 0x1200000, .filesz = 0x123,
                           .memsz = 0x10000, .align = 0x200000, .fill_seed = 5}},
                         /*trailing=*/64));
  // Old kernel: virtual p_paddr.
  k.push_back(MakeKernel(elf::ELFCLASS32, 0xC0100000,
                         {{.vaddr = 0xC0100000, .paddr = 0xC0100000, .filesz = 0x200,
                           .memsz = 0x1000}}));
  // Xen notes in a PT_NOTE outside every PT_LOAD, and a bss-only segment.
  Bytes notes = XenNote(elf::XEN_ELFNOTE_PADDR_OFFSET, 0x80000000);
  for (const Bytes& n : {XenNote(elf::XEN_ELFNOTE_VIRT_BASE, 0x80000000),
                         XenNote(elf::XEN_ELFNOTE_PHYS32_ENTRY, 0x100000)})
    notes.insert(notes.end(), n.begin(), n.end());
  k.push_back(MakeKernel(elf::ELFCLASS64, 0x80100000,
                         {{.vaddr = 0x80100000, .paddr = 0x80100000, .filesz = 0x180,
                           .memsz = 0x180, .align = 0x1000},
                          {.vaddr = 0x80200000, .paddr = 0x80200000, .filesz = 0, .memsz = 0x4000},
                          {.type = elf::PT_NOTE, .filesz = notes.size(), .memsz = 0, .align = 4,
                           .contents = notes}}));
  // The same with PADDR_OFFSET and VIRT_BASE only, as a PV kernel has them.
  Bytes pv = XenNote(elf::XEN_ELFNOTE_PADDR_OFFSET, 0x80000000);
  Bytes virt = XenNote(elf::XEN_ELFNOTE_VIRT_BASE, 0x80000000);
  pv.insert(pv.end(), virt.begin(), virt.end());
  k.push_back(MakeKernel(elf::ELFCLASS64, 0x80100000,
                         {{.vaddr = 0x80100000, .paddr = 0x80100000, .filesz = 0x180,
                           .memsz = 0x1000, .align = 0x1000},
                          {.type = elf::PT_NOTE, .filesz = pv.size(), .memsz = 0, .align = 4,
                           .contents = pv}}));
  return k;
}

// The image without the stage's code: boot sector and header in one setup
// sector, then part 5 as the stage head (ELF header, notes), StageParams
// right after it, the payload, the built-in command line, and the CRC.
Bytes MiniImage(const Bytes& full) {
  ImageView v = ParseImage(full, "seed");
  if (!v.params) return {};
  const StageParams& sp = *v.params;
  const size_t p5 = v.part5_offset;
  Bytes img(full.begin(), full.begin() + 1024);  // boot sector + 1 setup sector
  auto hdr = Load<linuxboot::setup_header>(img, linuxboot::kSetupHeaderOffset);
  hdr.setup_sects = 1;
  hdr.kernel_version = 0;
  Bytes part5(full.begin() + p5, full.begin() + p5 + kStageHeadSize);
  const uint32_t params_offset = kStageHeadSize;
  Store(part5, kBzelfNoteDescOffset + offsetof(BzelfBuildNote, params_offset), params_offset);
  StageParams nsp = sp;
  part5.resize(params_offset + sizeof(StageParams));
  part5.resize((part5.size() + 15) & ~size_t{15});
  nsp.payload_offset = static_cast<uint32_t>(part5.size());
  part5.insert(part5.end(), full.begin() + p5 + sp.payload_offset,
               full.begin() + p5 + sp.payload_offset + sp.payload_length);
  if (sp.cmdline_size) {
    nsp.cmdline_offset = static_cast<uint32_t>(part5.size());
    part5.insert(part5.end(), full.begin() + p5 + sp.cmdline_offset,
                 full.begin() + p5 + sp.cmdline_offset + sp.cmdline_size);
  }
  // At least 4 KiB in all: ParseImage's minimum.
  if (1024 + part5.size() + 4 < 0x1000) part5.resize(0x1000 - 1024 - 4, 0);
  nsp.file_size = static_cast<uint32_t>(part5.size() + 4);
  Store(part5, params_offset, nsp);
  hdr.payload_offset = nsp.payload_offset;
  hdr.syssize = static_cast<uint32_t>((part5.size() + 4 + 15) / 16);
  Store(img, linuxboot::kSetupHeaderOffset, hdr);
  img.insert(img.end(), part5.begin(), part5.end());
  uint32_t crc = Crc32Raw(0xffffffff, img.data(), img.size());
  for (int i = 0; i < 4; ++i) img.push_back(static_cast<uint8_t>(crc >> (8 * i)));
  return img;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make-seeds DIR\n");
    return 2;
  }
  g_dir = argv[1];
  mkdir(g_dir.c_str(), 0755);
  InflateSeeds();
  std::vector<Bytes> kernels = KernelSeeds();
  for (size_t i = 0; i < kernels.size(); ++i)
    Write("kernel", "kernel-" + std::to_string(i), kernels[i]);
  // An image of each kernel the tool accepts (the first with a built-in
  // command line); seeds the tool now refuses are only reported.
  int images = 0;
  for (size_t i = 0; i < kernels.size(); ++i) {
    try {
      BuildOptions opt;
      if (i == 0) opt.cmdline = "console=ttyS0";
      Bytes img = BuildImage(kernels[i], "seed", opt).bytes;
      Write("image", "image-" + std::to_string(i), img);
      Bytes mini = MiniImage(img);
      if (!mini.empty()) Write("image", "mini-" + std::to_string(i), mini);
      ++images;
    } catch (const ToolError& e) {
      std::fprintf(stderr, "make-seeds: kernel-%zu: %s\n", i, e.what());
    }
  }
  return images > 0 ? 0 : 1;
}
