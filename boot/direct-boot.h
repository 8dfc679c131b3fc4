// Where the boot sector puts the setup when a BIOS boots the image
// directly (the "MBR (direct)" path of DESIGN.md), and the low memory the
// setup then uses to load part 5. Shared by header.S and the setup's
// disk loader (disk.cpp, edd.cpp, block-move.cpp).
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

// INT 13h AH=42h: reads `sectors` 512-byte sectors from `lba` on BIOS
// drive `drive` to seg:0000, with retries (edd.cpp). Returns 0, or the
// BIOS status (AH) of the last failed try.
uint8_t EddRead(uint8_t drive, uint32_t lba, uint16_t sectors, uint16_t seg);

// INT 15h AH=87h: copies `bytes` (even, at most 64 KiB) from linear `src`
// to linear `dst`, either of them above 1 MiB (block-move.cpp). Returns 0,
// or the BIOS status (AH).
uint8_t BlockMove(uint32_t dst, uint32_t src, uint32_t bytes);

}  // namespace bzelf::setup

#endif  // __ASSEMBLER__
