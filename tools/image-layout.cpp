#include "image-layout.h"

#include <cstddef>

#include "boot-params.h"
#include "gzip.h"
#include "stage-params.h"

namespace bzelf {
namespace {

using linuxboot::setup_header;

constexpr uint64_t kHdrFileOffset = offsetof(linuxboot::boot_params, hdr);

InfoNode Piece(uint64_t part5_offset, uint64_t offset, uint64_t bytes) {
  InfoNode n = InfoNode::Object();
  n.Add("offset", InfoNode::Hex(offset));
  n.Add("file_offset", InfoNode::Hex(part5_offset + offset));
  n.Add("bytes", InfoNode::Dec(bytes));
  return n;
}

InfoNode FileRange(uint64_t file_offset, uint64_t bytes) {
  InfoNode n = InfoNode::Object();
  n.Add("file_offset", InfoNode::Hex(file_offset));
  n.Add("bytes", InfoNode::Dec(bytes));
  return n;
}

// Every setup_header field, by its name in boot.rst.
InfoNode HeaderFields() {
  InfoNode f = InfoNode::Object();
#define HDR(field) \
  f.Add(#field, FileRange(kHdrFileOffset + offsetof(setup_header, field), sizeof(setup_header::field)));
  SETUP_HEADER_FIELDS(HDR)
#undef HDR
  return f;
}

InfoNode Point(uint64_t part5_offset, uint64_t offset) {
  InfoNode n = InfoNode::Object();
  n.Add("offset", InfoNode::Hex(offset));
  n.Add("file_offset", InfoNode::Hex(part5_offset + offset));
  return n;
}

// Every StageParams field but the two tables, at part 5 offsets (the block
// at `params`).
InfoNode ParamsFields(uint64_t part5, uint64_t params) {
  InfoNode f = InfoNode::Object();
#define PARAM(field) \
  f.Add(#field, Piece(part5, params + offsetof(StageParams, field), sizeof(StageParams::field)))
  PARAM(magic);
  PARAM(version);
  PARAM(file_size);
  PARAM(arena_offset);
  PARAM(arena_size);
  PARAM(payload_offset);
  PARAM(payload_length);
  PARAM(deflate_offset);
  PARAM(deflate_length);
  PARAM(kernel_class);
  PARAM(placement_rule);
  PARAM(segment_count);
  PARAM(region_count);
  PARAM(stage_crc);
  PARAM(checked_size);
  PARAM(cmdline_offset);
  PARAM(cmdline_size);
  PARAM(entry);
  PARAM(paddr_offset);
  PARAM(reloc_source);
  PARAM(reloc_format);
  PARAM(reloc_bytes);
  PARAM(reloc_addr);
  PARAM(kernel_map);
  PARAM(move_align);
  PARAM(load_address);
  PARAM(virt_offset);
  PARAM(isa_needed);
#undef PARAM
  return f;
}

// A table of StageParams (segments or regions): the whole of it, and the
// fields of the `count` entries in use (at most the table's capacity).
InfoNode Table(uint64_t part5, uint64_t table, uint64_t entry_bytes, uint64_t capacity,
               uint64_t count) {
  InfoNode t = Piece(part5, table, capacity * entry_bytes);
  t.Add("entry_bytes", InfoNode::Dec(entry_bytes));
  t.Add("capacity", InfoNode::Dec(capacity));
  t.Add("count", InfoNode::Dec(count));
  t.Add("entries", InfoNode::Array());
  return t;
}

// A table of `Entry` in the parameter block, and for each entry in use
// where its fields lie (`fields(node, entry_offset)` adds them).
template <typename Entry, typename Fields>
InfoNode Entries(uint64_t part5, uint64_t table, uint64_t capacity, uint64_t count,
                 Fields fields) {
  InfoNode t = Table(part5, table, sizeof(Entry), capacity, count);
  InfoNode& entries = t.Child("entries");
  for (uint64_t i = 0; i < count && i < capacity; ++i) {
    fields(entries.Append(InfoNode::Object()), table + i * sizeof(Entry));
  }
  return t;
}

#define FIELD(type, field) \
  e.Add(#field, Piece(part5, at + offsetof(type, field), sizeof(type::field)))

InfoNode Segments(uint64_t part5, uint64_t table, uint64_t count) {
  return Entries<StageSegment>(part5, table, kMaxSegments, count, [&](InfoNode& e, uint64_t at) {
    FIELD(StageSegment, paddr);
    FIELD(StageSegment, filesz);
    FIELD(StageSegment, memsz);
  });
}

InfoNode Regions(uint64_t part5, uint64_t table, uint64_t count) {
  return Entries<StageRegion>(part5, table, kMaxRegions, count, [&](InfoNode& e, uint64_t at) {
    FIELD(StageRegion, deflate_offset);
    FIELD(StageRegion, out_length);
    FIELD(StageRegion, sink);
    FIELD(StageRegion, segment);
  });
}

#undef FIELD

}  // namespace

InfoNode ImageLayout(const Bytes& img, const ImageView& v) {
  const uint64_t p5 = v.part5_offset;
  InfoNode l = InfoNode::Object();
  l.Add("file_bytes", InfoNode::Dec(img.size()));
  l.Add("setup_sects", InfoNode::Dec(v.setup_sects));
  InfoNode& hdr = l.Add("hdr", FileRange(kHdrFileOffset, sizeof(setup_header)));
  hdr.Add("fields", HeaderFields());
  l.Add("part5", FileRange(p5, v.part5_size));
  l.Add("image_crc", FileRange(p5 + v.part5_size - 4, 4));
  if (v.padding != 0) l.Add("padding", FileRange(p5 + v.part5_size, v.padding));
  if (v.certificate_table) {
    l.Add("certificate_table",
          FileRange(v.certificate_table->offset, v.certificate_table->bytes));
  }

  // The payload as the header frames it (boot.rst: payload_offset counts
  // from part 5), and its gzip pieces when it parses as a member.
  InfoNode& payload = l.Add("payload", Piece(p5, v.hdr.payload_offset, v.hdr.payload_length));
  const uint64_t payload_end = uint64_t{v.hdr.payload_offset} + v.hdr.payload_length;
  if (v.hdr.payload_length != 0 && payload_end <= v.part5_size) {
    GzipMember gz = ParseGzipMember(&img[p5 + v.hdr.payload_offset], v.hdr.payload_length);
    if (gz.error == GzipError::kOk) {
      payload.Add("deflate", Piece(p5, v.hdr.payload_offset + gz.deflate_offset, gz.deflate_length));
      // CRC32, then ISIZE (RFC 1952).
      payload.Add("gzip_crc32", Piece(p5, payload_end - 8, 4));
      payload.Add("gzip_isize", Piece(p5, payload_end - 4, 4));
    }
  }

  if (!v.stage_elf_ok) return l;
  InfoNode& stage = l.Child("stage");
  stage.Add("head", Piece(p5, 0, kStageHeadSize));
  // boot.rst: the 64-bit entry is 0x200 into the protected-mode code; no
  // 32-bit entry path runs it.
  stage.Add("startup_64", Point(p5, kStageHeadSize));
  // code32_start is startup_32 where the stage is linked (image.cpp).
  if (v.hdr.code32_start >= kStageLinkAddress) {
    stage.Add("startup_32", Point(p5, v.hdr.code32_start - kStageLinkAddress));
  }
  InfoNode& notes = stage.Add("notes", Piece(p5, kStageNotesOffset,
                                             kStageNotesEnd - kStageNotesOffset));
  notes.Add("pvh", Piece(p5, kPvhNoteOffset, kBzelfNoteOffset - kPvhNoteOffset));
  InfoNode& build = notes.Add("bzelf", Piece(p5, kBzelfNoteOffset, kStageNotesEnd - kBzelfNoteOffset));
  build.Add("desc", Piece(p5, kBzelfNoteDescOffset, sizeof(BzelfBuildNote)));
  if (!v.params) return l;

  const StageParams& sp = *v.params;
  const uint64_t po = v.params_offset;
  stage.Add("checked", Piece(p5, 0, sp.checked_size));
  stage.Add("stage_crc", Piece(p5, po + offsetof(StageParams, stage_crc), 4));
  InfoNode& params = l.Add("params", Piece(p5, po, sizeof(StageParams)));
  params.Add("fields", ParamsFields(p5, po));
  params.Add("segments", Segments(p5, po + offsetof(StageParams, segments), sp.segment_count));
  params.Add("regions", Regions(p5, po + offsetof(StageParams, regions), sp.region_count));
  if (sp.cmdline_size != 0) l.Add("cmdline", Piece(p5, sp.cmdline_offset, sp.cmdline_size));
  return l;
}

}  // namespace bzelf
