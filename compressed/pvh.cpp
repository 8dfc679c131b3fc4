// PVH entry: turn the loader's hvm_start_info into the boot_params that
// the rest of the stage and the kernel expect.
#include "boot-params.h"
#include "console.h"
#include "pvh.h"
#include "stage-params.h"

extern "C" bzelf::StageParams bzelf_stage_params;
extern "C" [[noreturn]] void StageMain(bzelf::linuxboot::boot_params* bp, uintptr_t base);

namespace bzelf {
namespace {

using linuxboot::boot_params;

template <typename T>
const T* Phys(uint64_t paddr) {
  return reinterpret_cast<const T*>(static_cast<uintptr_t>(paddr));
}

void Convert(const hvm_start_info& si, boot_params* bp) {
  __builtin_memset(bp, 0, sizeof(*bp));
  bp->hdr.header = linuxboot::kHeaderMagic;
  bp->hdr.boot_flag = linuxboot::kBootFlag;
  bp->hdr.version = linuxboot::kProtocolVersion;
  // Loader type 0x9 is Xen (boot.rst's table); Linux's own PVH entry
  // reports the same.
  bp->hdr.type_of_loader = 0x90;
  bp->hdr.loadflags = linuxboot::LOADED_HIGH;
  bp->hdr.cmdline_size = linuxboot::kCmdlineSize;
  if (si.cmdline_paddr >> 32) Panic("pvh", "command line above 4 GiB");
  bp->hdr.cmd_line_ptr = static_cast<uint32_t>(si.cmdline_paddr);
  if (si.nr_modules > 0) {
    // The first module is the initrd, as Linux's PVH entry takes it.
    const auto* mod = Phys<hvm_modlist_entry>(si.modlist_paddr);
    bp->hdr.ramdisk_image = static_cast<uint32_t>(mod->paddr);
    bp->ext_ramdisk_image = static_cast<uint32_t>(mod->paddr >> 32);
    bp->hdr.ramdisk_size = static_cast<uint32_t>(mod->size);
    bp->ext_ramdisk_size = static_cast<uint32_t>(mod->size >> 32);
  }
  bp->acpi_rsdp_addr = si.rsdp_paddr;
  if (si.version < 1 || si.memmap_entries == 0) {
    Panic("pvh", "hvm_start_info has no memory map (version 0)");
  }
  uint32_t n = si.memmap_entries;
  if (n > linuxboot::E820_MAX_ENTRIES_ZEROPAGE) n = linuxboot::E820_MAX_ENTRIES_ZEROPAGE;
  const auto* map = Phys<hvm_memmap_table_entry>(si.memmap_paddr);
  for (uint32_t i = 0; i < n; ++i) {
    bp->e820_table[i] = {map[i].addr, map[i].size, map[i].type};
  }
  bp->e820_entries = static_cast<uint8_t>(n);
}

}  // namespace
}  // namespace bzelf

extern "C" [[noreturn]] void StagePvhMain(const bzelf::hvm_start_info* si, uintptr_t base) {
  using namespace bzelf;
  auto* bp = reinterpret_cast<boot_params*>(base + bzelf_stage_params.arena_offset +
                                            kArenaZeroPageOffset);
  if (si->magic != XEN_HVM_START_MAGIC_VALUE) {
    ConsoleInit(bp);  // bp is not filled in yet; the console starts at the top
    Panic("pvh", Message() << "bad hvm_start_info magic " << Hex{si->magic});
  }
  Convert(*si, bp);
  StageMain(bp, base);
}
