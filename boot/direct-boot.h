// Where the boot sector puts the setup when a BIOS boots the image
// directly (the "MBR (direct)" path of DESIGN.md), and the low memory the
// setup then uses to load part 5. Shared by header.S and the setup's
// disk loaders (setup-rest.cpp, disk.cpp, int13.cpp, block-move.cpp).
#pragma once

// The setup's segment: linear 0x10000, where QEMU -kernel puts it too.
// The setup owns the whole 64 KiB segment: code, bss and stack below 0x8000
// (linker/setup.ld), the boot protocol's heap above it up to
// DIRECT_BOOT_HEAP_END, and header.S's stack just under 0x10000.
#define DIRECT_BOOT_SETUP_SEG 0x1000
// heap_end_ptr as the boot sector sets it (boot.rst: "the offset of the
// end of the setup stack/heap, minus 0x0200"): the heap ends at
// 0xFE00 + 0x200 = 0x10000, the end of the segment, as QEMU sets it.
#define DIRECT_BOOT_HEAP_END 0xfe00

// type_of_loader (boot.rst, "Assigned boot loader ids"): 0x20 is
// "bootsect-loader", the id of a boot sector that loads the rest of its
// own image, which is what ours does on this path.
#define DIRECT_BOOT_LOADER_ID 0x20

// What the boot sector loads: the image's first 4 KiB, sectors 0-7, all
// on the first track of every PC disk. linker/setup.ld keeps in them the
// code that loads the rest (direct_boot_entry, LoadSetupRest and what
// they call); the image has at least these 8 sectors before part 5, which
// starts on a 4 KiB boundary for the PE header's sake.
#define DIRECT_BOOT_FIRST_SECTORS 8

// The bounce buffer for part 5: disk reads land here, below 1 MiB where
// INT 13h can reach, and INT 15h AH=87h copies them above 1 MiB. Linear
// 0x20000, the 64 KiB block right after the setup's segment: free
// conventional memory (the BIOS keeps 0x0-0x4FF, the boot sector sits at
// 0x7C00, the EBDA just below 640 KiB), and 64 KiB-aligned, so a read of
// at most 64 KiB into it never crosses a 64 KiB physical boundary.
#define DIRECT_BOOT_BOUNCE_SEG 0x2000

#ifndef __ASSEMBLER__

#include <stdint.h>

static_assert(DIRECT_BOOT_BOUNCE_SEG >= DIRECT_BOOT_SETUP_SEG + 0x1000,
              "the bounce buffer overlaps the setup's segment");
static_assert(DIRECT_BOOT_BOUNCE_SEG % 0x1000 == 0,
              "the bounce buffer must start on a 64 KiB boundary");

namespace bzelf::setup {

// The BIOS disk services for the boot drive (int13.cpp).
//
// OpenBootDisk: how to read `drive`: by LBA (INT 13h AH=42h) when the BIOS
// has the extensions for it (AH=41h), else by cylinder, head and sector
// (AH=02h) with the geometry of AH=08h. Returns 0, or the status of the
// failed AH=08h.
uint8_t OpenBootDisk(uint8_t drive);

// Reads `sectors` 512-byte sectors from `lba` of the opened drive to
// linear `buffer` (below 1 MiB), in reads that cross no track and no 64
// KiB boundary, each retried after a disk reset. Returns 0, or the BIOS
// status (AH) of the read that failed three times, or kPastGeometry when
// a sector lies beyond what CHS reaches on the drive; `failed_lba` is
// then the first sector of that read.
inline constexpr uint16_t kPastGeometry = 0x100;
uint16_t ReadSectors(uint32_t lba, uint32_t sectors, uint32_t buffer, uint32_t& failed_lba);

// ReadSectors, or a panic that names the failed sector and the BIOS
// status (setup-rest.cpp).
void ReadFromBootDisk(uint32_t lba, uint32_t sectors, uint32_t buffer);

// "bzelf: disk: <a> 0x<x><b> 0x<y><c> -- System halted": the details carry
// a sector or an address and the BIOS status. One call with five arguments
// costs the 16-bit setup less code at each call site than a Message chain
// (setup-rest.cpp).
[[noreturn]] void DiskPanic(const char* a, uint32_t x, const char* b, uint32_t y,
                            const char* c);

// INT 15h AH=87h: copies `bytes` (even, at most 64 KiB) from linear `src`
// to linear `dst`, either of them above 1 MiB (block-move.cpp). Returns 0,
// or the BIOS status (AH).
uint8_t BlockMove(uint32_t dst, uint32_t src, uint32_t bytes);

}  // namespace bzelf::setup

#endif  // __ASSEMBLER__
