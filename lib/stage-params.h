// What `bzelf build` records in the image for the stages that run at boot.
// The host tool decides everything once (placement rule, physical
// addresses, how the payload splits into regions); the stages read these
// blocks and validate every address before they write to it.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "elf.h"

namespace bzelf {

// Part 5 (the stage ELF) layout: the ELF header, program headers and notes
// fill the first kHeadSize bytes; the 64-bit entry follows at kHeadSize, as
// boot.rst puts it at offset 0x200 of the protected-mode code.
inline constexpr uint32_t kStageHeadSize = 0x200;
inline constexpr uint32_t kStageLinkAddress = 0x100000;

// Part 5's notes, one PT_NOTE in the head at fixed offsets: Xen's PVH entry
// note (XEN_ELFNOTE_PHYS32_ENTRY, a 4-byte address), which QEMU and Xen
// look for, then bzelf's build note, which says where StageParams is.
// 0x1c0: after the ELF header and three program headers, and with 0xc0 as
// its low byte, which the head's taken-jg path runs as an instruction
// (tools/stage-elf.h).
inline constexpr uint32_t kStageNotesOffset = 0x1c0;
inline constexpr char kPvhNoteName[] = "Xen";
inline constexpr uint32_t kPvhNoteDescSize = 4;
inline constexpr char kBzelfNoteName[] = "bzelf";
inline constexpr uint32_t kBzelfNoteBuild = 1;  // n_type of the build note

struct [[gnu::packed]] BzelfBuildNote {
  uint32_t params_offset;  // part 5 offset of StageParams
  uint32_t params_version;
};
static_assert(sizeof(BzelfBuildNote) == 8);
static_assert(offsetof(BzelfBuildNote, params_offset) == 0);
static_assert(offsetof(BzelfBuildNote, params_version) == 4);

// Bytes of a note (gABI "Note Section"): header, name and descriptor,
// each padded to 4 bytes.
constexpr uint32_t NoteSize(uint32_t namesz, uint32_t descsz) {
  return sizeof(elf::Elf_Nhdr) + ((namesz + 3) & ~3u) + ((descsz + 3) & ~3u);
}
inline constexpr uint32_t kPvhNoteOffset = kStageNotesOffset;
inline constexpr uint32_t kBzelfNoteOffset =
    kPvhNoteOffset + NoteSize(sizeof(kPvhNoteName), kPvhNoteDescSize);
// The build note's descriptor, a BzelfBuildNote.
inline constexpr uint32_t kBzelfNoteDescOffset =
    kBzelfNoteOffset + NoteSize(sizeof(kBzelfNoteName), 0);
inline constexpr uint32_t kStageNotesEnd =
    kBzelfNoteOffset + NoteSize(sizeof(kBzelfNoteName), sizeof(BzelfBuildNote));
static_assert(kStageNotesEnd <= kStageHeadSize, "part 5's notes overflow its head");

// Where the kernel ELF's bytes go when inflated.
enum class RegionSink : uint8_t {
  kScratch = 0,  // ELF headers and file padding: inflated into stage scratch.
  kSegment = 1,  // A PT_LOAD's file bytes: inflated at its physical address.
  // Linux's relocation table after the ELF: inflated to a buffer the
  // planner finds clear of the kernel's memory (p_memsz, at its place)
  // and of everything kept, read, and left behind.
  kRelocTable = 2,
};

// What moves the kernel's absolute pointers when it does not run at its
// link address.
enum class RelocSource : uint8_t {
  kNone = 0,     // the kernel cannot move
  kTable = 1,    // Linux's table (lib/reloc-table.h), carried as a region
  kDynamic = 2,  // R_*_RELATIVE entries in the kernel's memory (lib/dynamic-relocs.h)
};

// One stretch of the DEFLATE stream. The host tool ends every region with
// a zlib full flush, so no match reaches back across a region boundary and
// each region inflates on its own.
struct [[gnu::packed]] StageRegion {
  uint32_t deflate_offset;  // start in the raw DEFLATE data
  uint32_t out_length;      // bytes it inflates to
  uint8_t sink;             // RegionSink
  uint8_t segment;          // index into StageParams::segments for kSegment
  uint16_t reserved;
};
static_assert(sizeof(StageRegion) == 12);
static_assert(offsetof(StageRegion, deflate_offset) == 0x0);
static_assert(offsetof(StageRegion, out_length) == 0x4);
static_assert(offsetof(StageRegion, sink) == 0x8);
static_assert(offsetof(StageRegion, segment) == 0x9);
static_assert(offsetof(StageRegion, reserved) == 0xa);

struct [[gnu::packed]] StageSegment {
  uint64_t paddr;   // physical load address, after the placement rule
  uint64_t filesz;  // bytes that come from the payload
  uint64_t memsz;   // filesz plus the zeroed tail
};
static_assert(sizeof(StageSegment) == 24);
static_assert(offsetof(StageSegment, paddr) == 0x0);
static_assert(offsetof(StageSegment, filesz) == 0x8);
static_assert(offsetof(StageSegment, memsz) == 0x10);

// Placement rules (DESIGN.md, "What p_paddr means").
enum class PlacementRule : uint8_t {
  kPaddr = 0,        // p_paddr is physical
  kXenNotes = 1,     // p_paddr - XEN_ELFNOTE_PADDR_OFFSET
  kVirtualBase = 2,  // old kernel: p_paddr holds virtual addresses
  kOverride = 3,     // --paddr-offset
};

inline constexpr uint32_t kStageParamsMagic = 0x5045'5a42;  // "BZEP"
inline constexpr uint32_t kStageParamsVersion = 2;
inline constexpr size_t kMaxSegments = 16;
inline constexpr size_t kMaxRegions = 2 * kMaxSegments + 1;
// Scratch for regions of kind kScratch: the kernel's ELF header, program
// headers and notes (the tool keeps them under 4 KiB) and at most one page
// of alignment padding.
inline constexpr uint32_t kScratchSize = 8192;

// The stage's working memory ("arena"), page-aligned right after the last
// byte of part 5, and what it holds, in this order. The stage has no .bss:
// its link-time addresses would fall inside the payload.
inline constexpr uint32_t kArenaStackSize = 16384;  // grows down from here
inline constexpr uint32_t kArenaScratchOffset = kArenaStackSize;
inline constexpr uint32_t kArenaPageTablesOffset =
    kArenaScratchOffset + kScratchSize;
// The ELF64 hand-off's identity map, 2 MiB pages: one PML4, one PDPT and
// four PDs for the first 4 GiB; for a kernel copied above 4 GiB
// (lib/kernel-staging.h), which spans less than its 1 GiB virtual window
// and so touches at most two GiB, two PDs and, past 512 GiB, two PDPTs.
inline constexpr uint32_t kArenaPageTablesSize = 10 * 4096;
// boot_params we keep ourselves: built from PVH's start_info, or the
// loader's, copied here by startup_64 when it lies above 4 GiB or the
// stage moves below 4 GiB.
inline constexpr uint32_t kArenaZeroPageOffset =
    kArenaPageTablesOffset + kArenaPageTablesSize;
// A command line startup_64 copied from above 4 GiB: room for Linux's
// COMMAND_LINE_SIZE (2048, the header's cmdline_size + 1), in a page.
inline constexpr uint32_t kArenaCmdlineOffset = kArenaZeroPageOffset + 4096;
inline constexpr uint32_t kArenaCmdlineSize = 4096;
inline constexpr uint32_t kArenaSize = kArenaCmdlineOffset + kArenaCmdlineSize;
static_assert(kArenaPageTablesOffset % 4096 == 0);
// When startup_64 moves the stage below 4 GiB, its page tables take
// scratch and the page-table area, [kArenaScratchOffset,
// kArenaZeroPageOffset) (compressed/startup-64.cpp asserts the room).

// Filled in by `bzelf build` at the stage symbol bzelf_stage_params.
struct [[gnu::packed]] StageParams {
  uint32_t magic;
  uint32_t version;
  uint32_t file_size;       // part 5 bytes, payload and image CRC included
  uint32_t arena_offset;    // part 5 offset of the stage's bss arena
  uint32_t arena_size;
  uint32_t payload_offset;  // part 5 offset of the gzip member
  uint32_t payload_length;  // gzip member bytes, trailer included
  uint32_t deflate_offset;  // offset of the raw DEFLATE data in the member
  uint32_t deflate_length;  // raw DEFLATE bytes (trailer excluded)
  uint8_t kernel_class;     // elf::ELFCLASS32 or elf::ELFCLASS64
  uint8_t placement_rule;   // PlacementRule
  uint8_t segment_count;
  uint8_t region_count;
  // CRC32 (gzip's) of part 5's bytes [0, symbol _stage_checked_end) with
  // this field taken as zero, then of the built-in command line: the
  // stage's code and these parameters, checked before they are trusted.
  // The payload has its own gzip CRC32.
  uint32_t stage_crc;
  uint32_t checked_size;    // _stage_checked_end
  uint32_t cmdline_offset;  // part 5 offset of the built-in command line
  uint32_t cmdline_size;    // its bytes, NUL included; 0 when there is none
  uint64_t entry;           // physical entry point
  uint64_t paddr_offset;    // what the rule subtracted from p_paddr
  StageSegment segments[kMaxSegments];
  StageRegion regions[kMaxRegions];
  // Relocation (version 2).
  uint8_t reloc_source;   // RelocSource
  uint8_t reloc_format;   // RelocLayout for kTable, DynRelFormat for kDynamic
  uint16_t reserved;
  uint32_t reloc_bytes;   // the table's bytes
  uint64_t reloc_addr;    // kDynamic: the table's link physical address
  uint64_t kernel_map;    // link virtual - link physical of what they name
  uint64_t move_align;    // a physical move is a multiple of this
  // A placement `bzelf build` fixed (--load-address, --virtual-offset):
  // the physical address of the lowest segment (0: the link address) and
  // the virtual offset of an x86_64 Linux kernel.
  uint64_t load_address;
  uint64_t virt_offset;
  // As SetupParams::isa_needed, for the stage's own check (loaders that
  // skip the setup). Version 2.
  uint32_t isa_needed;
};
// Images already built, `bzelf info --json` (what scripts read) and the
// assembly's offsets (build/gen/asm-offsets.h) all follow this layout: the
// asserts make a change to it a deliberate one.
static_assert(offsetof(StageParams, magic) == 0x00);
static_assert(offsetof(StageParams, version) == 0x04);
static_assert(offsetof(StageParams, file_size) == 0x08);
static_assert(offsetof(StageParams, arena_offset) == 0x0c);
static_assert(offsetof(StageParams, arena_size) == 0x10);
static_assert(offsetof(StageParams, payload_offset) == 0x14);
static_assert(offsetof(StageParams, payload_length) == 0x18);
static_assert(offsetof(StageParams, deflate_offset) == 0x1c);
static_assert(offsetof(StageParams, deflate_length) == 0x20);
static_assert(offsetof(StageParams, kernel_class) == 0x24);
static_assert(offsetof(StageParams, placement_rule) == 0x25);
static_assert(offsetof(StageParams, segment_count) == 0x26);
static_assert(offsetof(StageParams, region_count) == 0x27);
static_assert(offsetof(StageParams, stage_crc) == 0x28);
static_assert(offsetof(StageParams, checked_size) == 0x2c);
static_assert(offsetof(StageParams, cmdline_offset) == 0x30);
static_assert(offsetof(StageParams, cmdline_size) == 0x34);
static_assert(offsetof(StageParams, entry) == 0x38);
static_assert(offsetof(StageParams, paddr_offset) == 0x40);
static_assert(offsetof(StageParams, segments) == 0x48);
static_assert(offsetof(StageParams, regions) == 0x48 + kMaxSegments * 24);
inline constexpr size_t kStageParamsRelocs = 0x48 + kMaxSegments * 24 + kMaxRegions * 12;
static_assert(offsetof(StageParams, reloc_source) == kStageParamsRelocs);
static_assert(offsetof(StageParams, reloc_format) == kStageParamsRelocs + 0x1);
static_assert(offsetof(StageParams, reloc_bytes) == kStageParamsRelocs + 0x4);
static_assert(offsetof(StageParams, reloc_addr) == kStageParamsRelocs + 0x8);
static_assert(offsetof(StageParams, kernel_map) == kStageParamsRelocs + 0x10);
static_assert(offsetof(StageParams, move_align) == kStageParamsRelocs + 0x18);
static_assert(offsetof(StageParams, load_address) == kStageParamsRelocs + 0x20);
static_assert(offsetof(StageParams, virt_offset) == kStageParamsRelocs + 0x28);
static_assert(offsetof(StageParams, isa_needed) == kStageParamsRelocs + 0x30);
static_assert(sizeof(StageParams) == kStageParamsRelocs + 0x34);

// Filled in by `bzelf build` at the setup symbol bzelf_setup_params.
inline constexpr uint32_t kSetupParamsMagic = 0x5053'5a42;  // "BZSP"
struct [[gnu::packed]] SetupParams {
  uint32_t magic;
  uint8_t kernel_class;  // the setup checks for long mode when ELFCLASS64
  // The kernel's GNU_PROPERTY_X86_ISA_1_NEEDED bits (kIsa* in
  // lib/cpu-check.h; 0 when it names none), which the setup checks.
  uint8_t isa_needed;
  uint8_t reserved[2];
  // So that the setup can check part 5 before it jumps there: where
  // code32_start points inside it, and the CRC32 (gzip's) of its first
  // checked_size bytes with the 4 at crc_field_offset (the stage's own
  // StageParams::stage_crc) taken as zero.
  uint32_t stage_entry_offset;
  uint32_t checked_size;
  uint32_t crc_field_offset;
  uint32_t part5_crc;
};
static_assert(sizeof(SetupParams) == 24);
static_assert(offsetof(SetupParams, magic) == 0x00);
static_assert(offsetof(SetupParams, kernel_class) == 0x04);
static_assert(offsetof(SetupParams, isa_needed) == 0x05);
static_assert(offsetof(SetupParams, reserved) == 0x06);
static_assert(offsetof(SetupParams, stage_entry_offset) == 0x08);
static_assert(offsetof(SetupParams, checked_size) == 0x0c);
static_assert(offsetof(SetupParams, crc_field_offset) == 0x10);
static_assert(offsetof(SetupParams, part5_crc) == 0x14);

}  // namespace bzelf
