// Where a kernel's relocations come from, checked at build time, the
// first of these that the kernel has:
//  1. a position-independent kernel's own R_*_RELATIVE entries
//     (lib/dynamic-relocs.h; --relocs is refused for one);
//  2. Linux's table (lib/reloc-table.h) in the file given with --relocs:
//     what the user says wins;
//  3. Linux's table after the ELF's last byte, as a vmlinux taken out of a
//     bzImage carries it: what Linux's own build made;
//  4. the table made from the kernel's .rela (x86_64) or .rel (i386)
//     sections, as Linux's build would make it (tools/section-relocs.h):
//     a vmlinux from a build tree, or any kernel linked --emit-relocs.
// A kernel with none of these cannot move, nor can one whose sections
// hold what Linux's rules refuse (the note says which).
#pragma once

#include <cstdint>
#include <string>

#include "common.h"
#include "dynamic-relocs.h"
#include "kernel-elf.h"
#include "reloc-table.h"
#include "stage-params.h"

namespace bzelf {

struct KernelRelocs {
  RelocSource source = RelocSource::kNone;
  std::string origin;      // "appended", "--relocs FILE", "sections (.rela)", "dynamic (DT_RELA)"
  std::string note;        // for `bzelf info`: why none, or what else it saw
  // Why relocation sections Linux's rules refuse leave it unable to move
  // (empty: they did not); `bzelf build` says it.
  std::string refused;
  // kTable: Linux's table, as the image carries it.
  Bytes table;
  RelocTable parsed;
  // kDynamic: the entries' table in the kernel's memory.
  DynRelFormat dyn_format = DynRelFormat::kNone;
  uint64_t dyn_addr = 0;   // link physical address
  uint64_t dyn_size = 0;
  uint32_t dyn_count = 0;  // R_*_RELATIVE entries
  bool textrel = false;
  // Link virtual minus link physical address of what they name.
  uint64_t kernel_map = 0;
  // A physical move must be a multiple of this.
  uint64_t move_align = 0;

  uint32_t Count() const { return source == RelocSource::kDynamic ? dyn_count : parsed.Count(); }
};

// `relocs_file` is --relocs FILE's contents (nullptr: none given) and
// `relocs_name` its name. `header_alignment`: for a kernel taken from a
// bzImage, the alignment its header asks for (KernelInput::
// kernel_alignment), or --kernel-alignment, which a Linux kernel then
// moves in steps of; 0 for neither (kernel-relocs.cpp, LinuxMoveAlign,
// says what then). Throws
// ToolError for what cannot be honoured: a dynamic relocation of another
// type (named), a table entry outside the kernel, a --relocs file that is
// no table.
KernelRelocs FindRelocs(const KernelElf& k, const Bytes& file, const Placement& pl,
                        const Bytes* relocs_file, const std::string& relocs_name,
                        const std::string& name, uint64_t header_alignment = 0);

const char* RelocSourceName(RelocSource source);

}  // namespace bzelf
