// The payload: a gzip member whose content is the kernel ELF, rewritten so
// that each PT_LOAD inflates straight to its physical address.
//
// The rewritten ELF has the same program headers (types, addresses, sizes,
// flags), entry and notes, but for the p_filesz of a PT_LOAD whose file
// image ends in zero bytes: those move into its p_memsz tail, so its bytes
// in memory are the same. Its file is laid out as
//   [ELF header, program headers, notes outside any PT_LOAD][padding]
//   [PT_LOAD 0 bytes][padding][PT_LOAD 1 bytes]...
// with each p_offset congruent to p_vaddr modulo min(p_align, 4 KiB), so
// padding is under a page, then Linux's relocation table when the kernel
// has one (as in Linux's own payload: the ELF, then the table). Section
// headers and other trailing data are dropped.
// The DEFLATE stream is cut with a zlib full flush at every boundary
// between headers/padding and segment bytes: each piece (a "region")
// inflates on its own, segments at their physical address, the relocation
// table to a buffer of its own (RegionSink::kRelocTable) and the rest to a
// small scratch buffer.
#pragma once

#include <cstdint>
#include <string>

#include "common.h"
#include "kernel-elf.h"
#include "kernel-relocs.h"
#include "stage-params.h"

namespace bzelf {

struct Payload {
  Bytes gzip;        // the whole member
  Bytes kernel_elf;  // what it inflates to
  uint32_t deflate_offset;
  uint32_t deflate_length;
  // Filled: kernel_class, placement_rule, segment_count, segments,
  // region_count, regions, entry, paddr_offset, and the relocation
  // fields but load_address and virt_offset.
  StageParams params;
};

Payload BuildPayload(const KernelElf& kernel, const Bytes& file, const Placement& placement,
                     const KernelRelocs& relocs, int level, const std::string& name);

}  // namespace bzelf
