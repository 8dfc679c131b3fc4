// GDT entries (Intel SDM vol. 3A, "Segment Descriptors"): one constexpr
// encoder for every descriptor the stages use. The setup's pm.cpp builds
// its GDT from it and block-move.cpp checks the BIOS move descriptors
// against it; the stage's head.S and handoff.S take the flat descriptors
// below as GDT_* from build/gen/asm-offsets.h.
#pragma once

#include <stdint.h>

namespace bzelf::x86 {

constexpr uint64_t Descriptor(uint32_t base, uint32_t limit, uint8_t access,
                              uint8_t flags) {
  return (uint64_t(limit & 0xffff)) | (uint64_t(base & 0xffffff) << 16) |
         (uint64_t(access) << 40) | (uint64_t((limit >> 16) & 0xf) << 48) |
         (uint64_t(flags & 0xf) << 52) | (uint64_t(base >> 24) << 56);
}

// Access bytes: present, DPL 0, and the type. The "accessed" bit is preset
// in the code and data types: otherwise the CPU sets it in the GDT when it
// first loads a selector, a write into the stage's checksummed image.
inline constexpr uint8_t kCodeExecRead = 0x9b;   // code, execute/read, accessed
inline constexpr uint8_t kDataReadWrite = 0x93;  // data, read/write, accessed
inline constexpr uint8_t kTss32Available = 0x89;

// The flags nibble (descriptor bits 52-55).
inline constexpr uint8_t kFlagLong = 1 << 1;        // L: 64-bit code
inline constexpr uint8_t kFlagDefault32 = 1 << 2;   // D/B: 32-bit operands and stack
inline constexpr uint8_t kFlagPageGranular = 1 << 3;  // G: limit counts 4 KiB pages

// The whole 4 GiB, in 4 KiB pages.
inline constexpr uint32_t kLimit4GiB = 0xfffff;

// The flat segments of the 32- and 64-bit boot protocols (BOOT_CS, BOOT_DS).
inline constexpr uint64_t kFlat32Code =
    Descriptor(0, kLimit4GiB, kCodeExecRead, kFlagPageGranular | kFlagDefault32);
inline constexpr uint64_t kFlat64Code =
    Descriptor(0, kLimit4GiB, kCodeExecRead, kFlagPageGranular | kFlagLong);
inline constexpr uint64_t kFlatData =
    Descriptor(0, kLimit4GiB, kDataReadWrite, kFlagPageGranular | kFlagDefault32);

}  // namespace bzelf::x86
