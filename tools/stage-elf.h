// The ELF header, program headers and notes at the start of part 5.
#pragma once

#include <cstdint>

#include "common.h"
#include "stage-params.h"

namespace bzelf {

struct StageLayout {
  uint32_t file_size;     // part 5 bytes
  uint32_t arena_offset;  // from part 5 start
  uint32_t arena_size;
  uint32_t startup_32;    // offset of the 32-bit entry
  uint32_t startup_pvh;   // offset of the PVH entry
  uint32_t params_offset;
};

// Writes the first kStageHeadSize bytes of part 5 (which must be zero).
// Besides being a valid ELF64 header, they decode as 32-bit code that
// reaches startup_32 from offset 0 whatever EFLAGS hold:
//   00: 7f 45         jg   0x47      (taken or not, depending on EFLAGS)
//   02: 4c            dec  esp       -- not taken: the ELF magic runs on
//   03: 46            inc  esi
//   04: 02 01         add  al,[ecx]  EI_CLASS 2, EI_DATA 1: a read only
//   06: 01 ff         add  edi,edi   EI_VERSION 1, EI_OSABI 0xff
//   08: 4e            dec  esi       EI_ABIVERSION: esi is boot_params again
//   09: e9 rel32      jmp  startup_32 (e_ident padding)
//   47: eb c0         jmp  0x09      -- taken: the top byte of phdr 0's
//                                    p_flags and the low byte of its
//                                    p_offset (kStageNotesOffset)
// esp is not used by startup_32 before it sets its own.
void WriteStageHead(Bytes& part5, const StageLayout& layout);

}  // namespace bzelf
