// The host tool end to end on synthetic kernels: placement rules, the
// payload's regions, image layout and fields, extract round trip.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "crc32.h"
#include "elf.h"
#include "gzip.h"
#include "image.h"
#include "inflate.h"
#include "stage-params.h"
#include "stage-symbols.h"
#include "test-elf.h"

namespace bzelf {
namespace {

using testing::MakeKernel;
using testing::TestSegment;

Bytes TwoSegmentKernel32() {
  return MakeKernel(elf::ELFCLASS32, 0x200000,
                    {{.vaddr = 0x200000, .paddr = 0x200000, .filesz = 0x3000, .memsz = 0x3000},
                     {.vaddr = 0x204000, .paddr = 0x204000, .filesz = 0x1800, .memsz = 0x9000,
                      .fill_seed = 2}});
}

Bytes HighHalfKernel64() {
  const uint64_t kBase = 0xffffffff80000000ull;
  return MakeKernel(elf::ELFCLASS64, 0x1000000,
                    {{.vaddr = kBase + 0x1000000, .paddr = 0x1000000, .filesz = 0x5000,
                      .memsz = 0x5000, .align = 0x200000},
                     {.vaddr = kBase + 0x1200000, .paddr = 0x1200000, .filesz = 0x2345,
                      .memsz = 0x100000, .align = 0x200000, .fill_seed = 5}},
                    /*trailing=*/4096);
}

TEST(Placement, PaddrIsPhysical) {
  Bytes k = HighHalfKernel64();
  KernelElf ke = ParseKernel(k, "k");
  Placement pl = ChoosePlacement(ke, std::nullopt, "k");
  EXPECT_EQ(pl.rule, PlacementRule::kPaddr);
  EXPECT_EQ(pl.entry_phys, 0x1000000u);
  EXPECT_EQ(ke.trailing, 4096u);
}

TEST(Placement, OldKernelWithVirtualPaddr) {
  Bytes k = MakeKernel(elf::ELFCLASS32, 0xC0100000,
                       {{.vaddr = 0xC0100000, .paddr = 0xC0100000, .filesz = 0x1000, .memsz = 0x2000}});
  Placement pl = ChoosePlacement(ParseKernel(k, "k"), std::nullopt, "k");
  EXPECT_EQ(pl.rule, PlacementRule::kVirtualBase);
  EXPECT_EQ(pl.offset, 0xC0000000u);
  EXPECT_EQ(pl.entry_phys, 0x100000u);
}

TEST(Placement, OverrideWins) {
  Bytes k = MakeKernel(elf::ELFCLASS32, 0xC0100000,
                       {{.vaddr = 0xC0100000, .paddr = 0xC0100000, .filesz = 0x1000, .memsz = 0x2000}});
  Placement pl = ChoosePlacement(ParseKernel(k, "k"), 0xBF000000ull, "k");
  EXPECT_EQ(pl.rule, PlacementRule::kOverride);
  EXPECT_EQ(pl.entry_phys, 0x1100000u);
}

TEST(Placement, EntryOutsideSegmentsIsRefused) {
  Bytes k = MakeKernel(elf::ELFCLASS32, 0x900000,
                       {{.vaddr = 0x200000, .paddr = 0x200000, .filesz = 0x1000, .memsz = 0x1000}});
  EXPECT_THROW(ChoosePlacement(ParseKernel(k, "k"), std::nullopt, "k"), ToolError);
}

// An ELF note (gABI "Note Section"): namesz, descsz, type, then the name
// and the value, each padded to 4 bytes.
Bytes Note(const char* name, uint32_t type, uint64_t value, uint32_t descsz) {
  uint32_t namesz = static_cast<uint32_t>(std::strlen(name) + 1);
  Bytes n(12 + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u), 0);
  Store(n, 0, namesz);
  Store(n, 4, descsz);
  Store(n, 8, type);
  std::memcpy(&n[12], name, namesz);
  std::memcpy(&n[12 + ((namesz + 3) & ~3u)], &value, descsz);
  return n;
}

Bytes XenNote(uint32_t type, uint64_t value, uint32_t descsz = 8) {
  return Note("Xen", type, value, descsz);
}

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes all;
  for (const Bytes& p : parts) all.insert(all.end(), p.begin(), p.end());
  return all;
}

TestSegment NoteSegment(Bytes notes) {
  uint64_t size = notes.size();
  return {.type = elf::PT_NOTE, .filesz = size, .memsz = size, .align = 4,
          .contents = std::move(notes)};
}

// Linked like Linux x86_64 (virtual __START_KERNEL_map + physical), with
// p_paddr = physical + an upper-half offset: the direct map of Linux
// 2.6.27-4.19 (PAGE_OFFSET 0xffff880000000000). e_entry is virtual.
constexpr uint64_t kKernelMap = 0xffffffff80000000ull;
constexpr uint64_t kDirectMap = 0xffff880000000000ull;

Bytes DirectMapKernel64(std::vector<TestSegment> extra = {}) {
  std::vector<TestSegment> segs = {
      {.vaddr = kKernelMap + 0x1800000, .paddr = kDirectMap + 0x1800000, .filesz = 0x3000,
       .memsz = 0x3000},
      {.vaddr = kKernelMap + 0x1804000, .paddr = kDirectMap + 0x1804000, .filesz = 0x1000,
       .memsz = 0x8000, .fill_seed = 3}};
  segs.insert(segs.end(), extra.begin(), extra.end());
  return MakeKernel(elf::ELFCLASS64, kKernelMap + 0x1800040, segs);
}

Placement Place(const Bytes& k, std::optional<uint64_t> offset = std::nullopt) {
  return ChoosePlacement(ParseKernel(k, "k"), offset, "k");
}

// The ToolError message ChoosePlacement refuses `k` with.
std::string Refusal(const Bytes& k) {
  try {
    Place(k);
  } catch (const ToolError& e) {
    return e.what();
  }
  return "(accepted)";
}

TEST(Placement, OldKernel64WithVirtualPaddr) {
  Bytes k = MakeKernel(elf::ELFCLASS64, kKernelMap + 0x1000000,
                       {{.vaddr = kKernelMap + 0x1000000, .paddr = kKernelMap + 0x1000000,
                         .filesz = 0x1000, .memsz = 0x1000}});
  Placement pl = Place(k);
  EXPECT_EQ(pl.rule, PlacementRule::kVirtualBase);
  EXPECT_EQ(pl.offset, kKernelMap);
  EXPECT_EQ(pl.entry_phys, 0x1000000u);
}

// Below 0xC0000000 an ELF32 p_paddr is taken as physical, however high.
TEST(Placement, Elf32BelowVirtualBaseIsPhysical) {
  Bytes k = MakeKernel(elf::ELFCLASS32, 0xBFF00000,
                       {{.vaddr = 0xBFF00000, .paddr = 0xBFF00000, .filesz = 0x1000, .memsz = 0x1000}});
  Placement pl = Place(k);
  EXPECT_EQ(pl.rule, PlacementRule::kPaddr);
  EXPECT_EQ(pl.entry_phys, 0xBFF00000u);
}

TEST(Placement, UpperHalfBelowKernelMapIsAmbiguous) {
  Bytes k = DirectMapKernel64();
  std::string why = Refusal(k);
  EXPECT_NE(why.find("cannot tell their physical base"), std::string::npos) << why;
  EXPECT_NE(why.find("--paddr-offset"), std::string::npos) << why;
  EXPECT_EQ(why.find('\n'), std::string::npos) << why;
  Placement pl = Place(k, kDirectMap);
  EXPECT_EQ(pl.rule, PlacementRule::kOverride);
  EXPECT_EQ(pl.entry_phys, 0x1800040u);
}

TEST(Placement, OverrideThatMissesTheFirst4GiBIsRefused) {
  EXPECT_THROW(Place(DirectMapKernel64(), kDirectMap - 0x100000000ull), ToolError);
  EXPECT_THROW(Place(DirectMapKernel64(), kDirectMap + 0x2000000), ToolError);
}

// The same kernel with Xen's notes: p_paddr - PADDR_OFFSET, whatever the
// heuristics would say; VIRT_BASE moves nothing physically.
TEST(Placement, XenPaddrOffsetIsSubtracted) {
  Bytes k = DirectMapKernel64({NoteSegment(Concat(
      {Note("GNU", elf::XEN_ELFNOTE_PADDR_OFFSET, 0x1234, 8),  // not Xen's: ignored
       XenNote(elf::XEN_ELFNOTE_VIRT_BASE, kKernelMap),
       XenNote(elf::XEN_ELFNOTE_PADDR_OFFSET, kDirectMap)}))});
  KernelElf ke = ParseKernel(k, "k");
  EXPECT_EQ(ke.xen.paddr_offset, kDirectMap);
  EXPECT_EQ(ke.xen.virt_base, kKernelMap);
  Placement pl = ChoosePlacement(ke, std::nullopt, "k");
  EXPECT_EQ(pl.rule, PlacementRule::kXenNotes);
  EXPECT_EQ(pl.offset, kDirectMap);
  EXPECT_EQ(pl.entry_phys, 0x1800040u);
  EXPECT_NE(pl.reason.find("XEN_ELFNOTE_PADDR_OFFSET"), std::string::npos) << pl.reason;
  // --paddr-offset still overrides the notes.
  EXPECT_EQ(Place(k, kDirectMap + 0x800000).entry_phys, 0x1000040u);
}

// Old Xen i386 kernels: p_paddr virtual, both notes __PAGE_OFFSET, 4 bytes.
TEST(Placement, XenNotesOfAnOldElf32Kernel) {
  Bytes k = MakeKernel(elf::ELFCLASS32, 0xC0200000,
                       {{.vaddr = 0xC0200000, .paddr = 0xC0200000, .filesz = 0x1000, .memsz = 0x1000},
                        NoteSegment(Concat({XenNote(elf::XEN_ELFNOTE_VIRT_BASE, 0xC0000000, 4),
                                            XenNote(elf::XEN_ELFNOTE_PADDR_OFFSET, 0xC0000000, 4)}))});
  Placement pl = Place(k);
  EXPECT_EQ(pl.rule, PlacementRule::kXenNotes);
  EXPECT_EQ(pl.entry_phys, 0x200000u);
}

// libelf's elf_note_numeric: 1, 2, 4 or 8 bytes; any other size reads 0.
TEST(Placement, XenNoteValueSizes) {
  auto offset_read = [](uint32_t descsz) {
    Bytes k = MakeKernel(elf::ELFCLASS32, 0x200000,
                         {{.vaddr = 0x200000, .paddr = 0x200000, .filesz = 0x1000, .memsz = 0x1000},
                          NoteSegment(Concat({XenNote(elf::XEN_ELFNOTE_VIRT_BASE, 0, 4),
                                              XenNote(elf::XEN_ELFNOTE_PADDR_OFFSET,
                                                      0x0807060504030201ull, descsz)}))});
    return ParseKernel(k, "k").xen.paddr_offset.value_or(~0ull);
  };
  EXPECT_EQ(offset_read(1), 0x01u);
  EXPECT_EQ(offset_read(2), 0x0201u);
  EXPECT_EQ(offset_read(4), 0x04030201u);
  EXPECT_EQ(offset_read(8), 0x0807060504030201ull);
  EXPECT_EQ(offset_read(3), 0u);
}

// With notes, PADDR_OFFSET defaults to 0 (libelf-dominfo.c; elfnote.h):
// p_paddr above 0xC0000000 is then physical, not an old kernel's virtual.
TEST(Placement, XenNotesWithoutPaddrOffsetMeanPhysical) {
  Bytes k = MakeKernel(elf::ELFCLASS32, 0xC0200000,
                       {{.vaddr = 0xC0200000, .paddr = 0xC0200000, .filesz = 0x1000, .memsz = 0x1000},
                        NoteSegment(XenNote(elf::XEN_ELFNOTE_VIRT_BASE, 0xC0000000, 4))});
  Placement pl = Place(k);
  EXPECT_EQ(pl.rule, PlacementRule::kXenNotes);
  EXPECT_EQ(pl.offset, 0u);
  EXPECT_EQ(pl.entry_phys, 0xC0200000u);
  EXPECT_NE(pl.reason.find("default 0"), std::string::npos) << pl.reason;
}

// Linux's vmlinux since PVH: PHYS32_ENTRY, and PADDR_OFFSET 0.
TEST(Placement, XenPvhKernelWithZeroPaddrOffset) {
  Bytes k = MakeKernel(elf::ELFCLASS64, 0x1000000,
                       {{.vaddr = kKernelMap + 0x1000000, .paddr = 0x1000000, .filesz = 0x1000,
                         .memsz = 0x1000},
                        NoteSegment(Concat({XenNote(elf::XEN_ELFNOTE_VIRT_BASE, kKernelMap),
                                            XenNote(elf::XEN_ELFNOTE_PADDR_OFFSET, 0),
                                            XenNote(elf::XEN_ELFNOTE_PHYS32_ENTRY, 0x1000100, 4)}))});
  Placement pl = Place(k);
  EXPECT_EQ(pl.rule, PlacementRule::kXenNotes);
  EXPECT_EQ(pl.offset, 0u);
  EXPECT_EQ(pl.entry_phys, 0x1000000u);
}

// Xen PV refuses PADDR_OFFSET without VIRT_BASE; Xen PVH ignores
// PADDR_OFFSET. Where the readings part, bzelf asks.
TEST(Placement, XenNotesThatXenReadsTwoWaysAreRefused) {
  Bytes no_virt_base = DirectMapKernel64(
      {NoteSegment(XenNote(elf::XEN_ELFNOTE_PADDR_OFFSET, kDirectMap))});
  std::string why = Refusal(no_virt_base);
  EXPECT_NE(why.find("without XEN_ELFNOTE_VIRT_BASE"), std::string::npos) << why;
  EXPECT_EQ(Place(no_virt_base, kDirectMap).rule, PlacementRule::kOverride);

  Bytes pv_and_pvh = DirectMapKernel64({NoteSegment(
      Concat({XenNote(elf::XEN_ELFNOTE_VIRT_BASE, kKernelMap),
              XenNote(elf::XEN_ELFNOTE_PADDR_OFFSET, kDirectMap),
              XenNote(elf::XEN_ELFNOTE_PHYS32_ENTRY, 0x1800000, 4)}))});
  why = Refusal(pv_and_pvh);
  EXPECT_NE(why.find("PVH"), std::string::npos) << why;
  EXPECT_EQ(Place(pv_and_pvh, kDirectMap).entry_phys, 0x1800040u);
}

// Notes in a PT_NOTE with p_offset 0 are skipped, as Xen's libelf does.
TEST(Placement, NoteSegmentAtOffsetZeroIsSkipped) {
  Bytes k = DirectMapKernel64({NoteSegment(Concat(
      {XenNote(elf::XEN_ELFNOTE_VIRT_BASE, kKernelMap), XenNote(elf::XEN_ELFNOTE_PADDR_OFFSET, kDirectMap)}))});
  KernelElf ke = ParseKernel(k, "k");
  EXPECT_EQ(ke.xen.paddr_offset, kDirectMap);
  // Re-point the PT_NOTE (the third program header) at offset 0.
  Bytes zeroed = k;
  Store(zeroed, sizeof(elf::Elf64_Ehdr) + 2 * sizeof(elf::Elf64_Phdr) +
                    offsetof(elf::Elf64_Phdr, p_offset), uint64_t{0});
  EXPECT_FALSE(ParseKernel(zeroed, "k").xen.paddr_offset.has_value());
}

TEST(ParseKernel, RejectsBadInput) {
  EXPECT_THROW(ParseKernel(Bytes{1, 2, 3}, "k"), ToolError);
  Bytes k = TwoSegmentKernel32();
  Bytes truncated(k.begin(), k.begin() + 40);
  EXPECT_THROW(ParseKernel(truncated, "k"), ToolError);
  Bytes overlap = MakeKernel(elf::ELFCLASS32, 0x200000,
                             {{.vaddr = 0x200000, .paddr = 0x200000, .filesz = 0x2000, .memsz = 0x2000},
                              {.vaddr = 0x201000, .paddr = 0x201000, .filesz = 0x10, .memsz = 0x10}});
  EXPECT_THROW(ParseKernel(overlap, "k"), ToolError);
  Bytes bad_sizes = MakeKernel(elf::ELFCLASS32, 0x200000,
                               {{.vaddr = 0x200000, .paddr = 0x200000, .filesz = 0x2000, .memsz = 0x1000}});
  EXPECT_THROW(ParseKernel(bad_sizes, "k"), ToolError);
}

// Inflates the payload region by region, as the stage does, and checks
// that each segment region holds exactly the segment's file bytes.
TEST(Payload, RegionsInflateToSegments) {
  Bytes k = HighHalfKernel64();
  KernelElf ke = ParseKernel(k, "k");
  Placement pl = ChoosePlacement(ke, std::nullopt, "k");
  Payload pay = BuildPayload(ke, k, pl, KernelRelocs{}, 9, "k");
  const StageParams& sp = pay.params;
  ASSERT_EQ(sp.segment_count, 2);
  ASSERT_GE(sp.region_count, 3);
  const uint8_t* deflate = pay.gzip.data() + pay.deflate_offset;
  for (unsigned i = 0; i < sp.region_count; ++i) {
    const StageRegion& r = sp.regions[i];
    bool last = i + 1 == sp.region_count;
    uint32_t end = last ? pay.deflate_length : sp.regions[i + 1].deflate_offset;
    Bytes out(r.out_length);
    InflateResult res = InflateRaw(deflate + r.deflate_offset, end - r.deflate_offset, out.data(),
                                   out.size(), last ? InflateEnd::kFinalBlock : InflateEnd::kEndOfInput);
    ASSERT_EQ(res.error, InflateError::kOk) << "region " << i;
    ASSERT_EQ(res.out_used, r.out_length);
    if (r.sink == static_cast<uint8_t>(RegionSink::kSegment)) {
      const KernelPhdr& p = ke.phdrs[r.segment];
      EXPECT_EQ(Bytes(k.begin() + p.offset, k.begin() + p.offset + p.filesz), out);
    } else {
      EXPECT_LE(r.out_length, kScratchSize);
    }
  }
  // The member as a whole is the rewritten ELF, with the same segments.
  KernelElf re = ParseKernel(pay.kernel_elf, "rewritten");
  ASSERT_EQ(re.phdrs.size(), ke.phdrs.size());
  for (size_t i = 0; i < re.phdrs.size(); ++i) {
    EXPECT_EQ(re.phdrs[i].vaddr, ke.phdrs[i].vaddr);
    EXPECT_EQ(re.phdrs[i].paddr, ke.phdrs[i].paddr);
    EXPECT_EQ(re.phdrs[i].filesz, ke.phdrs[i].filesz);
    EXPECT_EQ(re.phdrs[i].memsz, ke.phdrs[i].memsz);
    EXPECT_EQ(re.phdrs[i].offset % 0x1000, re.phdrs[i].vaddr % 0x1000);
  }
  EXPECT_EQ(re.entry, ke.entry);
  EXPECT_EQ(re.trailing, 0u);
}

// A PT_LOAD's trailing zero bytes leave the payload for its p_memsz tail,
// which the stage zeroes: the same bytes in memory, less to inflate and
// check. A segment of nothing but zeros keeps no file bytes at all.
TEST(Payload, TrailingZerosMoveToMemszTail) {
  Bytes data(0x3000, 0);
  std::fill(data.begin(), data.begin() + 0x1001, 0xab);
  Bytes k = MakeKernel(elf::ELFCLASS32, 0x200000,
                       {{.vaddr = 0x200000, .paddr = 0x200000, .filesz = 0x3000, .memsz = 0x4000,
                         .contents = data},
                        {.vaddr = 0x204000, .paddr = 0x204000, .filesz = 0x800, .memsz = 0x800,
                         .contents = Bytes(0x800, 0)},
                        {.vaddr = 0x205000, .paddr = 0x205000, .filesz = 0x100, .memsz = 0x100,
                         .fill_seed = 3}});
  KernelElf ke = ParseKernel(k, "k");
  Payload pay = BuildPayload(ke, k, ChoosePlacement(ke, std::nullopt, "k"), KernelRelocs{}, 9, "k");
  const StageParams& sp = pay.params;
  ASSERT_EQ(sp.segment_count, 3);
  EXPECT_EQ(sp.segments[0].filesz, 0x1001u);
  EXPECT_EQ(sp.segments[0].memsz, 0x4000u);
  EXPECT_EQ(sp.segments[1].filesz, 0u);
  EXPECT_EQ(sp.segments[1].memsz, 0x800u);
  EXPECT_EQ(sp.segments[2].filesz, 0x100u);
  KernelElf re = ParseKernel(pay.kernel_elf, "rewritten");
  ASSERT_EQ(re.phdrs.size(), 3u);
  const uint64_t want_filesz[3] = {0x1001, 0, 0x100};
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(re.phdrs[i].filesz, want_filesz[i]);
    EXPECT_EQ(re.phdrs[i].memsz, ke.phdrs[i].memsz);
    const KernelPhdr& p = ke.phdrs[i];
    EXPECT_TRUE(std::equal(pay.kernel_elf.begin() + re.phdrs[i].offset,
                           pay.kernel_elf.begin() + re.phdrs[i].offset + re.phdrs[i].filesz,
                           k.begin() + p.offset));
  }
  // The zeros are not in the ELF either: it ends with the last segment.
  EXPECT_EQ(pay.kernel_elf.size(), re.phdrs[2].offset + 0x100);
}

TEST(Image, LayoutAndHeaderFields) {
  Bytes k = TwoSegmentKernel32();
  BuiltImage img = BuildImage(k, "dir/test32.elf", {.cmdline = "console=ttyS0 quiet"});
  const Bytes& b = img.bytes;
  ImageView v = ParseImage(b, "img");
  EXPECT_EQ(v.hdr.boot_flag, 0xAA55);
  EXPECT_EQ(v.hdr.version, 0x020F);
  EXPECT_NE(v.hdr.setup_sects, 0);
  EXPECT_EQ(v.part5_offset, (v.hdr.setup_sects + 1u) * 512u);
  EXPECT_EQ(v.hdr.syssize, (v.part5_size + 15) / 16);
  EXPECT_EQ(v.part5_size % 16, 0u);
  EXPECT_EQ(v.crc_stored, v.crc_computed);
  EXPECT_NE(v.hdr.loadflags & linuxboot::LOADED_HIGH, 0);
  EXPECT_NE(v.hdr.xloadflags & linuxboot::XLF_KERNEL_64, 0);
  ASSERT_TRUE(v.params.has_value());
  EXPECT_EQ(v.hdr.init_size, v.params->arena_offset + kArenaSize);
  EXPECT_EQ(v.hdr.code32_start, kStageLinkAddress + symbols::kStartup32);
  EXPECT_EQ(v.kernel_version, "bzelf test32.elf");
  EXPECT_EQ(v.params->entry, 0x200000u);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(&b[v.part5_offset + v.params->cmdline_offset])),
            "console=ttyS0 quiet");
  // The payload is where the header says, a gzip member of the kernel ELF.
  GzipMember gz = ParseGzipMember(&b[v.part5_offset + v.hdr.payload_offset], v.hdr.payload_length);
  ASSERT_EQ(gz.error, GzipError::kOk);
  Bytes extracted = ExtractKernel(b, v, "img");
  EXPECT_EQ(extracted, img.payload.kernel_elf);
  EXPECT_EQ(gz.isize, extracted.size());
}

// The 64-bit EFI handover entry: XLF_EFI_HANDOVER_64, and part 5 + 0x200 +
// handover_offset (where systemd-stub and GRUB call it) is head.S's
// efi_handover_entry, whose first instruction realigns the stack:
// `and $~0xf, %rsp`, 48 83 e4 f0.
TEST(Image, EfiHandoverEntry) {
  BuiltImage img = BuildImage(TwoSegmentKernel32(), "k", {});
  ImageView v = ParseImage(img.bytes, "img");
  EXPECT_NE(v.hdr.xloadflags & linuxboot::XLF_EFI_HANDOVER_64, 0);
  EXPECT_EQ(v.hdr.xloadflags & linuxboot::XLF_EFI_HANDOVER_32, 0);
  EXPECT_EQ(0x200 + v.hdr.handover_offset, symbols::kEfiHandoverEntry);
  const size_t at = v.part5_offset + 0x200 + v.hdr.handover_offset;
  ASSERT_LT(at + 4, img.bytes.size());
  const Bytes expected = {0x48, 0x83, 0xe4, 0xf0};
  EXPECT_EQ(Bytes(img.bytes.begin() + at, img.bytes.begin() + at + 4), expected);
}

// The first bytes of part 5 are a valid ELF64 header and also 32-bit code
// that reaches startup_32 whether or not the opening `jg` is taken.
TEST(Image, StageHeaderDecodesToStartup32) {
  BuiltImage img = BuildImage(TwoSegmentKernel32(), "k", {});
  ImageView v = ParseImage(img.bytes, "img");
  std::string path = ::testing::TempDir() + "bzelf-part5-head.bin";
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(&img.bytes[v.part5_offset]), 0x200);
  }
  std::string cmd = "objdump -D -b binary -m i386 " + path + " > " + path + ".txt";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(path + ".txt");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // The instruction line of objdump's output at `addr`, blanks squeezed.
  auto line_at = [&](unsigned addr) {
    char key[16];
    std::snprintf(key, sizeof(key), "%x:", addr);
    size_t pos = 0;
    while (pos < text.size()) {
      size_t eol = text.find('\n', pos);
      if (eol == std::string::npos) eol = text.size();
      std::string line;
      for (size_t i = pos; i < eol; ++i) {
        char c = text[i] == '\t' ? ' ' : text[i];
        if (c != ' ' || (!line.empty() && line.back() != ' ')) line += c;
      }
      if (line.rfind(key, 0) == 0) return line;
      pos = eol + 1;
    }
    return std::string();
  };
  char target[16];
  std::snprintf(target, sizeof(target), "jmp 0x%x", symbols::kStartup32);
  EXPECT_NE(line_at(0x0).find("jg 0x47"), std::string::npos) << line_at(0x0);
  EXPECT_NE(line_at(0x4).find("add (%ecx),%al"), std::string::npos) << line_at(0x4);
  EXPECT_NE(line_at(0x6).find("add %edi,%edi"), std::string::npos) << line_at(0x6);
  EXPECT_NE(line_at(0x8).find("dec %esi"), std::string::npos) << line_at(0x8);
  EXPECT_NE(line_at(0x9).find(target), std::string::npos) << line_at(0x9);
  // The taken path: objdump decodes linearly, so disassemble from 0x47.
  cmd = "objdump -D -b binary -m i386 --start-address=0x47 --stop-address=0x49 " + path + " > " +
        path + ".txt";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in2(path + ".txt");
  text.assign((std::istreambuf_iterator<char>(in2)), std::istreambuf_iterator<char>());
  EXPECT_NE(line_at(0x47).find("jmp 0x9"), std::string::npos) << line_at(0x47);
}

// Part 5 cut out of the image is an ELF file that readelf reads without
// a complaint, with the PVH entry note QEMU and Xen look for.
TEST(Image, StageElfIsCleanForReadelf) {
  BuiltImage img = BuildImage(HighHalfKernel64(), "k", {.cmdline = "x"});
  ImageView v = ParseImage(img.bytes, "img");
  std::string path = ::testing::TempDir() + "bzelf-stage.elf";
  {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(&img.bytes[v.part5_offset]), v.part5_size);
  }
  std::string cmd = "readelf -a -W " + path + " > " + path + ".txt 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::ifstream in(path + ".txt");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.find("Warning"), std::string::npos) << text;
  EXPECT_EQ(text.find("Error"), std::string::npos) << text;
  EXPECT_NE(text.find("Class:                             ELF64"), std::string::npos);
  EXPECT_NE(text.find("Xen"), std::string::npos);
  EXPECT_NE(text.find("bzelf"), std::string::npos);
}

// The files in `dir`, by name, sorted.
std::vector<std::string> Listing(const std::filesystem::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.push_back(e.path().filename());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Contents(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// `bzelf build` of a kernel it refuses leaves no output and no temporary
// behind, and a file already at the output path as it was; the same path
// then takes a good kernel's image.
TEST(Image, BadKernelLeavesNoOutput) {
  std::string tmpl = ::testing::TempDir() + "bzelf-build-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::filesystem::path dir = tmpl;
  const std::filesystem::path bad = dir / "bad.elf", good = dir / "good.elf",
                              out = dir / "out.img";
  std::ofstream(bad, std::ios::binary).write(std::string(100, '\0').data(), 100);
  Bytes kernel = TwoSegmentKernel32();
  std::ofstream(good, std::ios::binary)
      .write(reinterpret_cast<const char*>(kernel.data()), kernel.size());

  EXPECT_THROW(BuildImageFile(bad, out, {}), ToolError);
  EXPECT_EQ(Listing(dir), (std::vector<std::string>{"bad.elf", "good.elf"}));

  std::ofstream(out) << "old contents";
  EXPECT_THROW(BuildImageFile(bad, out, {}), ToolError);
  EXPECT_EQ(Contents(out), "old contents");
  EXPECT_EQ(Listing(dir), (std::vector<std::string>{"bad.elf", "good.elf", "out.img"}));

  BuildImageFile(good, out, {});
  Bytes built(std::filesystem::file_size(out));
  std::ifstream(out, std::ios::binary).read(reinterpret_cast<char*>(built.data()), built.size());
  EXPECT_EQ(built, BuildImage(kernel, good, {}).bytes);
  EXPECT_EQ(Listing(dir), (std::vector<std::string>{"bad.elf", "good.elf", "out.img"}));
  std::filesystem::remove_all(dir);
}

Bytes FileBytes(const std::filesystem::path& file) {
  std::string s = Contents(file);
  return Bytes(s.begin(), s.end());
}

void WriteBytes(const std::filesystem::path& file, const Bytes& data) {
  std::ofstream(file, std::ios::binary)
      .write(reinterpret_cast<const char*>(data.data()), data.size());
}

// `bzelf extract` from a file into a file (ExtractKernelFile, which
// inflates straight into the output file's pages) gives the ELF that
// `bzelf build` wrapped, for a 32-bit and a 64-bit kernel; over an
// existing file it replaces it. An image whose payload fails its check
// leaves the output as it was and no temporary behind.
TEST(Image, ExtractFileIsTheWrappedElf) {
  std::string tmpl = ::testing::TempDir() + "bzelf-extract-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::filesystem::path dir = tmpl;
  const std::filesystem::path kernel = dir / "k.elf", image = dir / "k.img", out = dir / "out.elf";
  for (const Bytes& k : {TwoSegmentKernel32(), HighHalfKernel64()}) {
    WriteBytes(kernel, k);
    BuildImageFile(kernel, image, {});
    ExtractKernelFile(image, out);
    EXPECT_EQ(FileBytes(out), BuildImage(k, kernel, {}).payload.kernel_elf);
  }
  EXPECT_EQ(Listing(dir), (std::vector<std::string>{"k.elf", "k.img", "out.elf"}));

  // Damage the gzip trailer's CRC32, the first 4 of the payload's last 8
  // bytes (RFC 1952).
  Bytes img = FileBytes(image);
  ImageView v = ParseImage(img, "img");
  size_t crc_at = v.part5_offset + v.hdr.payload_offset + v.hdr.payload_length - 8;
  img[crc_at] ^= 1;
  WriteBytes(image, img);
  const Bytes before = FileBytes(out);
  try {
    ExtractKernelFile(image, out);
    ADD_FAILURE() << "a payload with a bad CRC32 was extracted";
  } catch (const ToolError& e) {
    EXPECT_EQ(e.file(), image.string());
    EXPECT_STREQ(e.what(), "payload: gzip CRC32 mismatch");
  }
  EXPECT_EQ(FileBytes(out), before);
  EXPECT_EQ(Listing(dir), (std::vector<std::string>{"k.elf", "k.img", "out.elf"}));
  std::filesystem::remove_all(dir);
}

// OutputFile both ways: mapped in place, and from memory (what a file
// system that cannot map or reserve gets); either way the file appears
// only at Commit(), and an uncommitted one leaves nothing behind. An
// InputFile reads back what was written.
TEST(Image, OutputFileInPlaceAndFromMemory) {
  std::string tmpl = ::testing::TempDir() + "bzelf-output-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  const std::filesystem::path dir = tmpl;
  const std::filesystem::path file = dir / "f";
  for (OutputWrite how : {OutputWrite::kInPlace, OutputWrite::kFromMemory}) {
    {
      OutputFile out(file, 10000, how);
      for (size_t i = 0; i < out.size(); ++i) out.data()[i] = static_cast<uint8_t>(i * 7);
      // One temporary file, f.XXXXXX, under a name of its own.
      const std::vector<std::string> listing = Listing(dir);
      ASSERT_EQ(listing.size(), 1u);
      EXPECT_EQ(listing[0].size(), 8u);
      EXPECT_EQ(listing[0].rfind("f.", 0), 0u);
      out.Commit();
    }
    EXPECT_EQ(Listing(dir), std::vector<std::string>{"f"});
    InputFile in(file);
    ASSERT_EQ(in.bytes().size(), 10000u);
    for (size_t i = 0; i < 10000; ++i) ASSERT_EQ(in.bytes()[i], static_cast<uint8_t>(i * 7)) << i;
    std::filesystem::remove(file);
    { OutputFile abandoned(file, 100, how); }
    EXPECT_TRUE(Listing(dir).empty());
  }
  // Empty files: nothing to map.
  { OutputFile empty(file, 0); empty.Commit(); }
  EXPECT_TRUE(InputFile(file).bytes().empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace bzelf
