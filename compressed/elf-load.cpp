#include "elf-load.h"

#include "console.h"
#include "crc32.h"
#include "elf.h"
#include "gzip.h"
#include "inflate.h"
#include "sse2.h"

namespace bzelf {
namespace {

uint8_t* PhysToPtr(uint64_t paddr) {
  return reinterpret_cast<uint8_t*>(static_cast<uintptr_t>(paddr));
}

}  // namespace

Failure CheckParams(const StageParams& params) {
  if (params.segment_count == 0 || params.segment_count > kMaxSegments ||
      params.region_count == 0 || params.region_count > kMaxRegions) {
    return Fail("image", Message() << "bad segment or region count ("
                                   << Dec{params.segment_count} << ", "
                                   << Dec{params.region_count} << ")");
  }
  if (params.reloc_source == static_cast<uint8_t>(RelocSource::kTable) &&
      (params.reloc_bytes == 0 || params.reloc_bytes % 4 != 0)) {
    return Fail("image", Message() << "bad relocation table size " << Dec{params.reloc_bytes});
  }
  if (params.payload_offset > params.file_size ||
      params.payload_length > params.file_size - params.payload_offset) {
    return Fail("image", "payload lies outside the image");
  }
  return {};
}

namespace {

// Inflates every region of the DEFLATE stream to its sink and checks the
// gzip trailer's CRC32 and ISIZE against what came out.
Failure InflateRegions(const uint8_t* deflate, const GzipMember& gz, const StageParams& params,
                       const StageSegment* segments, uint8_t* scratch, uint8_t* table,
                       bool sse2) {
  const auto inflate = sse2 ? InflateRawSse2 : InflateRaw;
  uint32_t crc = 0;
  uint64_t total = 0;
  for (unsigned i = 0; i < params.region_count; ++i) {
    const StageRegion& r = params.regions[i];
    bool last = i + 1 == params.region_count;
    uint32_t in_end = last ? params.deflate_length : params.regions[i + 1].deflate_offset;
    if (r.deflate_offset > in_end || in_end > params.deflate_length) {
      return Fail("payload", Message() << "region " << Dec{i} << " lies outside the DEFLATE data");
    }
    uint8_t* out;
    if (r.sink == static_cast<uint8_t>(RegionSink::kScratch)) {
      if (r.out_length > kScratchSize) {
        return Fail("payload", Message() << "region " << Dec{i} << " is larger than the scratch area");
      }
      out = scratch;
    } else if (r.sink == static_cast<uint8_t>(RegionSink::kSegment) &&
               r.segment < params.segment_count &&
               r.out_length == params.segments[r.segment].filesz) {
      out = PhysToPtr(segments[r.segment].paddr);
    } else if (r.sink == static_cast<uint8_t>(RegionSink::kRelocTable) && table != nullptr &&
               r.out_length == params.reloc_bytes) {
      out = table;
    } else {
      return Fail("payload", Message() << "region " << Dec{i} << " has no valid destination");
    }
    const InflateEnd end = last ? InflateEnd::kFinalBlock : InflateEnd::kEndOfInput;
    const InflateResult res =
        inflate(deflate + r.deflate_offset, in_end - r.deflate_offset, out, r.out_length, end);
    if (res.error != InflateError::kOk) {
      return Fail("payload", Message() << "invalid DEFLATE data in region " << Dec{i} << ": "
                                 << InflateErrorString(res.error));
    }
    if (res.out_used != r.out_length || res.in_used != in_end - r.deflate_offset) {
      return Fail("payload", Message() << "region " << Dec{i} << " inflated to " << Dec{res.out_used}
                                 << " bytes, expected " << Dec{r.out_length});
    }
    if (i == 0) {
      // The first region starts with the kernel's own ELF header.
      if (r.out_length < sizeof(elf::Elf32_Ehdr) || out[0] != 0x7f || out[1] != 'E' ||
          out[2] != 'L' || out[3] != 'F' || out[elf::EI_CLASS] != params.kernel_class) {
        return Fail("payload", "the inflated data does not start with the kernel's ELF header");
      }
    }
    crc = Crc32(crc, out, r.out_length);
    total += r.out_length;
  }
  if (crc != gz.crc32) {
    return Fail("payload", Message() << "gzip CRC32 mismatch: data " << Hex{crc} << ", trailer "
                               << Hex{gz.crc32});
  }
  if (static_cast<uint32_t>(total) != gz.isize) {
    return Fail("payload", Message() << "gzip ISIZE mismatch: data " << Dec{total} << ", trailer "
                               << Dec{gz.isize});
  }

  return {};
}

// Zeroes each segment's p_memsz tail.
void ZeroTails(const StageParams& params, const StageSegment* segments, bool sse2) {
  for (unsigned i = 0; i < params.segment_count; ++i) {
    const StageSegment& s = segments[i];
    uint8_t* tail = PhysToPtr(s.paddr + s.filesz);
    const size_t n = static_cast<size_t>(s.memsz - s.filesz);
    if (sse2) {
      ZeroSse2(tail, n);
    } else {
      __builtin_memset(tail, 0, n);
    }
  }
}

}  // namespace

Failure LoadKernel(uintptr_t stage_base, const StageParams& params, const CpuFeatures& cpu,
                   const StageSegment* segments, uint8_t* scratch, uint8_t* table) {
  const uint8_t* member = reinterpret_cast<const uint8_t*>(stage_base + params.payload_offset);
  GzipMember gz = ParseGzipMember(member, params.payload_length);
  if (gz.error != GzipError::kOk) {
    return Fail("payload", GzipErrorString(gz.error));
  }
  if (gz.deflate_offset != params.deflate_offset || gz.deflate_length != params.deflate_length) {
    return Fail("payload", "gzip member does not match the image's record of it");
  }

  // With SSE2, matches are copied in half the memory accesses, which is
  // what an emulator charges for (see CopyMatchFast in lib/inflate-copy.h).
  // The p_memsz tails are zeroed with SSE2 stores too (ZeroSse2()).
  // CR0 and CR4 go back as they were before, once the kernel is in (as
  // the loader set them, but for what the 64-bit entry cleared on its way
  // to 32-bit mode and the hand-off sets again).
  // Without SSE2 the stage's own i486 build decodes (ChooseInflatePath).
  const bool use_sse2 = ChooseInflatePath(cpu) == InflatePath::kSse2;
  const Sse2State sse2 = use_sse2 ? EnableSse2() : Sse2State{};
  Failure failure = InflateRegions(member + gz.deflate_offset, gz, params, segments, scratch,
                                   table, sse2.enabled);
  if (!failure) ZeroTails(params, segments, sse2.enabled);
  RestoreSse2(sse2);
  return failure;
}

}  // namespace bzelf
