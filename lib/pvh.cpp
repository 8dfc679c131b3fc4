#include "pvh.h"

namespace bzelf {

using linuxboot::boot_params;

void PvhHeader(const hvm_start_info& si, boot_params* bp) {
  bp->hdr.header = linuxboot::kHeaderMagic;
  bp->hdr.boot_flag = linuxboot::kBootFlag;
  bp->hdr.version = linuxboot::kProtocolVersion;
  // Loader type 0x9 is Xen (boot.rst's table); Linux's own PVH entry
  // reports the same.
  bp->hdr.type_of_loader = 0x90;
  bp->hdr.loadflags = linuxboot::LOADED_HIGH;
  bp->hdr.cmdline_size = linuxboot::kCmdlineSize;
  bp->hdr.cmd_line_ptr = static_cast<uint32_t>(si.cmdline_paddr);
  bp->acpi_rsdp_addr = si.rsdp_paddr;
}

void PvhReserveIsaHole(boot_params* bp) {
  constexpr uint64_t kIsaStart = 0xa0000, kIsaEnd = 0x100000;
  if (bp->e820_entries < linuxboot::E820_MAX_ENTRIES_ZEROPAGE) {
    bp->e820_table[bp->e820_entries++] = {kIsaStart, kIsaEnd - kIsaStart,
                                          linuxboot::E820_TYPE_RESERVED};
  }
}

}  // namespace bzelf
