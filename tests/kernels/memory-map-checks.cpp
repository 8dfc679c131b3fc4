// The E820 memory map in boot_params, and whether the kernel and what the
// loader handed over sit where they may.
#include "checks.h"
#include "entry-state.h"
#include "serial.h"

namespace bzelf::testkernel {
namespace {

using linuxboot::e820_entry;

const char* E820TypeName(uint32_t type) {
  switch (type) {
    case linuxboot::E820_TYPE_RAM:
      return "RAM";
    case linuxboot::E820_TYPE_RESERVED:
      return "reserved";
    case linuxboot::E820_TYPE_ACPI:
      return "ACPI data";
    case linuxboot::E820_TYPE_NVS:
      return "ACPI NVS";
    case linuxboot::E820_TYPE_UNUSABLE:
      return "unusable";
    default:
      return "other";
  }
}

// [start, end) ranges; an empty range overlaps nothing.
bool Overlaps(uint64_t start, uint64_t end, uint64_t other_start,
              uint64_t other_end) {
  return start < end && other_start < other_end && start < other_end &&
         other_start < end;
}

bool KernelOverlaps(uint64_t start, uint64_t size) {
  return Overlaps(KernelPhysStart(), KernelPhysEnd(), start, start + size);
}

void PrintRange(uint64_t start, uint64_t end) {
  PrintHex(start, 9);
  Print("-");
  PrintHex(end, 9);
}

}  // namespace

void CheckMemoryMap(Verdict& verdict, const boot_params& params) {
  unsigned count = params.e820_entries;
  Print("bzelf-test: e820: ");
  PrintDec(count);
  Print(" entries\n");
  verdict.Check(count > 0 && count <= linuxboot::E820_MAX_ENTRIES_ZEROPAGE,
                "E820 table has entries (0 < e820_entries <= 128)");
  if (count > linuxboot::E820_MAX_ENTRIES_ZEROPAGE) {
    count = linuxboot::E820_MAX_ENTRIES_ZEROPAGE;
  }

  uint64_t kernel_start = KernelPhysStart();
  uint64_t kernel_end = KernelPhysEnd();
  bool kernel_in_ram = false;
  for (unsigned i = 0; i < count; ++i) {
    // boot_params is packed: copy the entry out rather than bind to it.
    e820_entry entry;
    __builtin_memcpy(&entry, &params.e820_table[i], sizeof entry);
    Print("bzelf-test: e820: ");
    PrintRange(entry.addr, entry.addr + entry.size);
    Print(" ");
    Print(E820TypeName(entry.type));
    Print("\n");
    if (entry.type == linuxboot::E820_TYPE_RAM && entry.addr <= kernel_start &&
        kernel_end <= entry.addr + entry.size) {
      kernel_in_ram = true;
    }
  }

  Print("bzelf-test: kernel (text to end of bss): ");
  PrintRange(kernel_start, kernel_end);
  Print("\n");
  verdict.Check(kernel_in_ram, "one E820 RAM entry covers the whole kernel");

  bool apart =
      !KernelOverlaps(entry_boot_params, sizeof(boot_params)) &&
      !KernelOverlaps(CommandLineAddress(params), CommandLineBytes(params)) &&
      !KernelOverlaps(InitrdAddress(params), InitrdSize(params));
  verdict.Check(apart,
                "boot_params, command line and initrd lie outside the kernel");
}

}  // namespace bzelf::testkernel
