// Fuzz target: the kernel side of `bzelf build` -- ParseKernel,
// ChoosePlacement and BuildPayload (tools/kernel-elf.cpp, tools/payload.cpp).
//
// Input: a kernel ELF file. Bytes 9-15 of e_ident (EI_PAD, which the parser
// ignores) give --paddr-offset when they are not all zero, so the fuzzer
// can reach the override rule without a second input.
//
// Each step must either throw ToolError or succeed; anything else (a crash,
// a sanitizer report, another exception) is a finding. On success the
// payload is checked the way the stage and `bzelf extract` use it: the
// gzip member inflates (with our decoder) to the rewritten ELF, each region
// inflates on its own to its recorded length, and the rewritten ELF parses
// to the same program headers and entry, with every PT_LOAD's bytes in
// memory the input's (its p_filesz may be shorter by trailing zeros).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "common.h"
#include "crc32.h"
#include "elf.h"
#include "gzip.h"
#include "inflate.h"
#include "kernel-elf.h"
#include "payload.h"

namespace {

using namespace bzelf;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "kernel-fuzz: %s\n", what);
  std::abort();
}

void CheckPayload(const KernelElf& k, const Bytes& file, const Payload& pay) {
  GzipMember gz = ParseGzipMember(pay.gzip.data(), pay.gzip.size());
  if (gz.error != GzipError::kOk) Fail("payload is not a gzip member");
  if (gz.deflate_offset != pay.deflate_offset || gz.deflate_length != pay.deflate_length)
    Fail("deflate offset/length disagree with the member");
  if (gz.isize != pay.kernel_elf.size()) Fail("ISIZE is not the rewritten ELF's size");
  const uint8_t* deflate = pay.gzip.data() + gz.deflate_offset;
  Bytes out(pay.kernel_elf.size());
  InflateResult r =
      InflateRaw(deflate, gz.deflate_length, out.data(), out.size(), InflateEnd::kFinalBlock);
  if (r.error != InflateError::kOk || r.out_used != out.size() || out != pay.kernel_elf)
    Fail("payload does not inflate to the rewritten ELF");
  if (Crc32(0, out.data(), out.size()) != gz.crc32) Fail("gzip CRC32 mismatch");

  // Regions, as the stage inflates them: each on its own, in order.
  const StageParams& sp = pay.params;
  if (sp.region_count == 0 || sp.region_count > kMaxRegions) Fail("region count");
  size_t out_pos = 0;
  for (unsigned i = 0; i < sp.region_count; ++i) {
    const StageRegion& reg = sp.regions[i];
    uint32_t stop = i + 1 < sp.region_count ? sp.regions[i + 1].deflate_offset
                                            : pay.deflate_length;
    if (reg.deflate_offset > stop || stop > pay.deflate_length) Fail("region offsets");
    if (out_pos + reg.out_length > out.size()) Fail("regions exceed the ELF");
    Bytes piece(reg.out_length);
    InflateResult rr = InflateRaw(deflate + reg.deflate_offset, stop - reg.deflate_offset,
                                  piece.data(), piece.size(),
                                  i + 1 < sp.region_count ? InflateEnd::kEndOfInput
                                                          : InflateEnd::kFinalBlock);
    if (rr.error != InflateError::kOk || rr.out_used != piece.size() ||
        std::memcmp(piece.data(), out.data() + out_pos, piece.size()) != 0)
      Fail("a region does not inflate on its own");
    if (reg.sink == static_cast<uint8_t>(RegionSink::kScratch) && reg.out_length > kScratchSize)
      Fail("scratch region too large");
    if (reg.sink == static_cast<uint8_t>(RegionSink::kSegment) &&
        (reg.segment >= sp.segment_count || sp.segments[reg.segment].filesz != reg.out_length))
      Fail("segment region does not match its segment");
    if (reg.sink == static_cast<uint8_t>(RegionSink::kRelocTable) &&
        (reg.out_length != sp.reloc_bytes || i + 1 != sp.region_count))
      Fail("relocation table region is not the table, last");
    out_pos += reg.out_length;
  }
  if (out_pos != out.size()) Fail("regions do not cover the ELF");

  // The rewritten ELF: same headers and entry, segment bytes unchanged in
  // memory. A PT_LOAD's p_filesz may be shorter, by zero bytes that its
  // p_memsz tail then holds.
  KernelElf k2;
  try {
    k2 = ParseKernel(pay.kernel_elf, "rewritten");
  } catch (const ToolError&) {
    Fail("rewritten ELF does not parse");
  }
  if (k2.phdrs.size() != k.phdrs.size() || k2.entry != k.entry || k2.elf_class != k.elf_class)
    Fail("rewritten ELF differs");
  for (size_t i = 0; i < k.phdrs.size(); ++i) {
    const KernelPhdr& a = k.phdrs[i];
    const KernelPhdr& b = k2.phdrs[i];
    const bool load = a.type == elf::PT_LOAD;
    if (a.type != b.type || a.vaddr != b.vaddr || a.paddr != b.paddr || a.memsz != b.memsz ||
        (load ? b.filesz > a.filesz : b.filesz != a.filesz))
      Fail("rewritten program header differs");
    if (load && b.filesz != 0 &&
        std::memcmp(file.data() + a.offset, pay.kernel_elf.data() + b.offset, b.filesz) != 0)
      Fail("segment bytes differ");
    if (load && std::any_of(file.begin() + a.offset + b.filesz,
                            file.begin() + a.offset + a.filesz, [](uint8_t c) { return c != 0; }))
      Fail("segment bytes dropped from p_filesz are not zero");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Bytes file(data, data + size);
  std::optional<uint64_t> override_offset;
  if (size >= 16) {
    uint64_t v = 0;
    for (int i = 15; i >= 9; --i) v = v << 8 | data[i];
    if (v != 0) override_offset = v;
  }
  try {
    KernelElf k = ParseKernel(file, "kernel");
    Placement pl = ChoosePlacement(k, override_offset, "kernel");
    // Level 1: the fastest; the level does not change what is checked.
    KernelRelocs relocs = FindRelocs(k, file, pl, nullptr, "", "kernel");
    Payload pay = BuildPayload(k, file, pl, relocs, 1, "kernel");
    CheckPayload(k, file, pay);
  } catch (const ToolError&) {
  }
  return 0;
}
