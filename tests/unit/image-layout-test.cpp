// `bzelf info --json`'s "layout", what scripts find an image's pieces by:
// every offset it gives must point at what it names.
#include "image-layout.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "elf.h"
#include "image.h"
#include "stage-checksum.h"
#include "stage-params.h"
#include "stage-symbols.h"
#include "test-elf.h"

namespace bzelf {
namespace {

BuiltImage TestImage() {
  Bytes k = testing::MakeKernel(
      elf::ELFCLASS64, 0x1000000,
      {{.vaddr = 0x1000000, .paddr = 0x1000000, .filesz = 0x5000, .memsz = 0x5000},
       {.vaddr = 0x1200000, .paddr = 0x1200000, .filesz = 0x2345, .memsz = 0x100000,
        .fill_seed = 5}});
  return BuildImage(k, "k", {.cmdline = "console=ttyS0 layout"});
}

uint64_t Number(const InfoNode& layout, const std::string& path) {
  const InfoNode* n = layout.Find(path);
  EXPECT_NE(n, nullptr) << path;
  if (!n) return ~uint64_t{0};
  EXPECT_EQ(n->kind(), InfoNode::Kind::kNumber) << path;
  return n->number();
}

// The little-endian value of the piece at `path` ({file_offset, bytes}).
uint64_t Read(const Bytes& img, const InfoNode& layout, const std::string& path) {
  uint64_t at = Number(layout, path + ".file_offset");
  uint64_t bytes = Number(layout, path + ".bytes");
  EXPECT_LE(bytes, 8u) << path;
  EXPECT_LE(at + bytes, img.size()) << path;
  uint64_t v = 0;
  if (bytes <= 8 && at + bytes <= img.size()) std::memcpy(&v, &img[at], bytes);
  return v;
}

TEST(ImageLayout, OffsetsPointAtWhatTheyName) {
  BuiltImage built = TestImage();
  const Bytes& img = built.bytes;
  ImageView v = ParseImage(img, "img");
  ASSERT_TRUE(v.params.has_value());
  const StageParams& sp = *v.params;
  InfoNode l = ImageLayout(img, v);

  EXPECT_EQ(Number(l, "file_bytes"), img.size());
  EXPECT_EQ(Number(l, "setup_sects"), v.hdr.setup_sects);
  EXPECT_EQ(Number(l, "part5.file_offset"), (v.hdr.setup_sects + 1u) * 512u);
  EXPECT_EQ(Number(l, "part5.bytes"), v.part5_size);
  EXPECT_EQ(Number(l, "hdr.file_offset"), 0x1f1u);  // boot.rst
  EXPECT_EQ(Read(img, l, "hdr.fields.setup_sects"), v.hdr.setup_sects);
  EXPECT_EQ(Number(l, "hdr.fields.payload_offset.file_offset"), 0x248u);
  EXPECT_EQ(Read(img, l, "hdr.fields.code32_start"), v.hdr.code32_start);
  EXPECT_EQ(Read(img, l, "hdr.fields.init_size"), v.hdr.init_size);
  EXPECT_EQ(Read(img, l, "image_crc"), v.crc_stored);
  EXPECT_EQ(Number(l, "image_crc.file_offset"), img.size() - 4);

  // The payload: gzip magic where it starts, its trailer at its end.
  const uint64_t payload = Number(l, "payload.file_offset");
  EXPECT_EQ(payload, v.part5_offset + v.hdr.payload_offset);
  EXPECT_EQ(Number(l, "payload.offset"), v.hdr.payload_offset);
  EXPECT_EQ(Number(l, "payload.bytes"), v.hdr.payload_length);
  EXPECT_EQ(img[payload], 0x1f);
  EXPECT_EQ(img[payload + 1], 0x8b);
  EXPECT_EQ(Number(l, "payload.deflate.offset"), v.hdr.payload_offset + sp.deflate_offset);
  EXPECT_EQ(Number(l, "payload.deflate.bytes"), sp.deflate_length);
  EXPECT_EQ(Read(img, l, "payload.gzip_isize"), ExtractKernel(img, v, "img").size());
  EXPECT_EQ(Number(l, "payload.gzip_crc32.file_offset") + 8, payload + v.hdr.payload_length);

  // The stage: its entries, its notes and its parameter block.
  EXPECT_EQ(Number(l, "stage.startup_32.offset"), symbols::kStartup32);
  EXPECT_EQ(Number(l, "stage.startup_64.offset"), symbols::kStartup64);
  EXPECT_EQ(Number(l, "stage.checked.bytes"), symbols::kStageCheckedEnd);
  EXPECT_EQ(Number(l, "stage.stage_crc.offset"), StageCrcField(symbols::kStageParams));
  EXPECT_EQ(Read(img, l, "stage.stage_crc"), sp.stage_crc);
  EXPECT_EQ(Number(l, "stage.notes.offset"), 0x1c0u);
  const uint64_t pvh = Number(l, "stage.notes.pvh.file_offset");
  EXPECT_EQ(std::memcmp(&img[pvh + sizeof(elf::Elf_Nhdr)], "Xen", 4), 0);
  const uint64_t note = Number(l, "stage.notes.bzelf.file_offset");
  EXPECT_EQ(std::memcmp(&img[note + sizeof(elf::Elf_Nhdr)], "bzelf", 6), 0);
  EXPECT_EQ(Read(img, l, "stage.notes.bzelf.desc") & 0xffffffff, symbols::kStageParams);

  EXPECT_EQ(Number(l, "params.offset"), symbols::kStageParams);
  EXPECT_EQ(Number(l, "params.bytes"), sizeof(StageParams));
  EXPECT_EQ(Read(img, l, "params.fields.magic"), kStageParamsMagic);
  EXPECT_EQ(Read(img, l, "params.fields.payload_offset"), sp.payload_offset);
  EXPECT_EQ(Read(img, l, "params.fields.segment_count"), sp.segment_count);
  EXPECT_EQ(Read(img, l, "params.fields.checked_size"), sp.checked_size);
  EXPECT_EQ(Read(img, l, "params.fields.cmdline_size"), sp.cmdline_size);
  EXPECT_EQ(Read(img, l, "params.fields.entry"), sp.entry);
  EXPECT_EQ(Read(img, l, "params.fields.paddr_offset"), sp.paddr_offset);
  EXPECT_EQ(Number(l, "params.segments.count"), sp.segment_count);
  EXPECT_EQ(Number(l, "params.segments.entry_bytes"), sizeof(StageSegment));
  for (unsigned i = 0; i < sp.segment_count; ++i) {
    const std::string e = "params.segments.entries." + std::to_string(i);
    EXPECT_EQ(Read(img, l, e + ".paddr"), sp.segments[i].paddr) << i;
    EXPECT_EQ(Read(img, l, e + ".filesz"), sp.segments[i].filesz) << i;
    EXPECT_EQ(Read(img, l, e + ".memsz"), sp.segments[i].memsz) << i;
  }
  EXPECT_EQ(l.Find("params.segments.entries." + std::to_string(sp.segment_count)), nullptr);
  EXPECT_EQ(Number(l, "params.regions.count"), sp.region_count);
  for (unsigned i = 0; i < sp.region_count; ++i) {
    const std::string e = "params.regions.entries." + std::to_string(i);
    EXPECT_EQ(Read(img, l, e + ".deflate_offset"), sp.regions[i].deflate_offset) << i;
    EXPECT_EQ(Read(img, l, e + ".out_length"), sp.regions[i].out_length) << i;
    EXPECT_EQ(Read(img, l, e + ".sink"), sp.regions[i].sink) << i;
    EXPECT_EQ(Read(img, l, e + ".segment"), sp.regions[i].segment) << i;
  }
  const uint64_t cmdline = Number(l, "cmdline.file_offset");
  EXPECT_EQ(Number(l, "cmdline.bytes"), sizeof("console=ttyS0 layout"));
  EXPECT_STREQ(reinterpret_cast<const char*>(&img[cmdline]), "console=ttyS0 layout");
}

// Without the stage's note (a bzImage made by something else) there is no
// stage or parameter block to point at, and no offsets are made up.
TEST(ImageLayout, ForeignImageHasNoStagePieces) {
  Bytes img = TestImage().bytes;
  ImageView good = ParseImage(img, "img");
  img[good.part5_offset] = 0;  // no ELF magic
  ImageView v = ParseImage(img, "img");
  InfoNode l = ImageLayout(img, v);
  EXPECT_EQ(Number(l, "part5.file_offset"), good.part5_offset);
  EXPECT_EQ(Number(l, "payload.file_offset"), good.part5_offset + good.hdr.payload_offset);
  EXPECT_EQ(l.Find("stage"), nullptr);
  EXPECT_EQ(l.Find("params"), nullptr);
}

}  // namespace
}  // namespace bzelf
