// The setup's GDT selectors that the boot protocol does not fix (BOOT_CS
// and BOOT_DS come from lib/boot-params.h, or asm-offsets.h in assembly),
// and the descriptor encoding shared by pm.cpp, which builds the GDT, and
// block-move.cpp, which hands the BIOS source and destination descriptors.
// pmjump.S includes it for the TSS selector.
#pragma once

// A 32-bit TSS: Intel VT-x refuses to enter a guest whose TR is null, so
// hypervisors that run the boot in a VT-x guest need a valid one.
#define SETUP_TSS_SELECTOR 0x20

#ifndef __ASSEMBLER__

#include <stdint.h>

namespace bzelf::setup {

// A segment descriptor (Intel SDM vol. 3, "Segment Descriptors").
constexpr uint64_t Descriptor(uint32_t base, uint32_t limit, uint8_t access,
                              uint8_t flags) {
  return (uint64_t(limit & 0xffff)) | (uint64_t(base & 0xffffff) << 16) |
         (uint64_t(access) << 40) | (uint64_t((limit >> 16) & 0xf) << 48) |
         (uint64_t(flags & 0xf) << 52) | (uint64_t(base >> 24) << 56);
}

// Access bytes: present, DPL 0, and the type.
inline constexpr uint8_t kCodeExecRead = 0x9b;   // code, execute/read, accessed
inline constexpr uint8_t kDataReadWrite = 0x93;  // data, read/write, accessed
inline constexpr uint8_t kTss32Available = 0x89;

}  // namespace bzelf::setup

#endif  // __ASSEMBLER__
