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
