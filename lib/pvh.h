// The PVH boot ABI (Xen's xen/include/public/arch-x86/hvm/start_info.h):
// what a PVH loader (Xen, QEMU -kernel with an ELF, microVMs) hands the
// entry point named by XEN_ELFNOTE_PHYS32_ENTRY, in ebx.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace bzelf {

inline constexpr uint32_t XEN_HVM_START_MAGIC_VALUE = 0x336ec578;

struct hvm_start_info {
  uint32_t magic;
  uint32_t version;
  uint32_t flags;
  uint32_t nr_modules;
  uint64_t modlist_paddr;
  uint64_t cmdline_paddr;
  uint64_t rsdp_paddr;
  // Version 1 and later.
  uint64_t memmap_paddr;
  uint32_t memmap_entries;
  uint32_t reserved;
};

struct hvm_modlist_entry {
  uint64_t paddr;
  uint64_t size;
  uint64_t cmdline_paddr;
  uint64_t reserved;
};

struct hvm_memmap_table_entry {
  uint64_t addr;
  uint64_t size;
  uint32_t type;  // E820 types
  uint32_t reserved;
};

static_assert(sizeof(hvm_start_info) == 56);
static_assert(offsetof(hvm_start_info, memmap_paddr) == 40);
static_assert(sizeof(hvm_modlist_entry) == 32);
static_assert(sizeof(hvm_memmap_table_entry) == 24);

}  // namespace bzelf

// ---- The PVH entry's boot_params --------------------------------------

#include "boot-params.h"
#include "message.h"

namespace bzelf {

// boot_params for the rest of the stage and the kernel, from a PVH
// loader's start_info: the command line, the first module as the initrd
// (as Linux's PVH entry takes it), the RSDP, and the memory map, whose
// entries have E820's types. `memory` maps what can be read (see
// e820-map.h). Fails when there is no memory map (version 0 has none;
// Linux asks Xen by hypercall then, which the stage cannot) or when a
// table cannot be read.
template <typename Memory>
Failure PvhToBootParams(const hvm_start_info& si, const Memory& memory,
                        linuxboot::boot_params* bp);

// The part without tables to read: the header fields every PVH boot gets.
void PvhHeader(const hvm_start_info& si, linuxboot::boot_params* bp);

// Appends the legacy ISA hole [0xA0000, 0x100000) as reserved when the map
// has room, as Linux's PVH entry does (arch/x86/platform/pvh/enlighten.c,
// init_pvh_bootparams): PVH maps need not mention the VGA window and the
// BIOS area, which no kernel may load into.
void PvhReserveIsaHole(linuxboot::boot_params* bp);

template <typename Memory>
Failure PvhToBootParams(const hvm_start_info& si, const Memory& memory,
                        linuxboot::boot_params* bp) {
  __builtin_memset(bp, 0, sizeof(*bp));
  PvhHeader(si, bp);
  if (si.cmdline_paddr >> 32) return Fail("pvh", "command line above 4 GiB");
  if (si.nr_modules > 0) {
    const auto* mod = static_cast<const hvm_modlist_entry*>(
        memory.Map(si.modlist_paddr, sizeof(hvm_modlist_entry)));
    if (mod == nullptr) {
      return Fail("pvh", Message() << "module list at " << Hex{si.modlist_paddr}
                                   << " is out of reach");
    }
    bp->hdr.ramdisk_image = static_cast<uint32_t>(mod->paddr);
    bp->ext_ramdisk_image = static_cast<uint32_t>(mod->paddr >> 32);
    bp->hdr.ramdisk_size = static_cast<uint32_t>(mod->size);
    bp->ext_ramdisk_size = static_cast<uint32_t>(mod->size >> 32);
  }
  if (si.version < 1 || si.memmap_entries == 0) {
    return Fail("pvh", "hvm_start_info has no memory map (version 0)");
  }
  // At most what boot_params holds, as the real-mode setup keeps the
  // first 128 entries the BIOS returns.
  uint32_t n = si.memmap_entries;
  if (n > linuxboot::E820_MAX_ENTRIES_ZEROPAGE) n = linuxboot::E820_MAX_ENTRIES_ZEROPAGE;
  const auto* map = static_cast<const hvm_memmap_table_entry*>(
      memory.Map(si.memmap_paddr, uint64_t{n} * sizeof(hvm_memmap_table_entry)));
  if (map == nullptr) {
    return Fail("pvh", Message() << "memory map at " << Hex{si.memmap_paddr}
                                 << " is out of reach");
  }
  for (uint32_t i = 0; i < n; ++i) {
    bp->e820_table[i] = {map[i].addr, map[i].size, map[i].type};
  }
  bp->e820_entries = static_cast<uint8_t>(n);
  PvhReserveIsaHole(bp);
  return {};
}

}  // namespace bzelf
