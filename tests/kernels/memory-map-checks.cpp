// The E820 memory map in boot_params (and in SETUP_E820_EXT setup_data
// nodes, where loaders put entries beyond the 128 that boot_params holds),
// and whether the kernel and what the loader handed over sit where they
// may.
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

// Prints one entry; true when it is RAM that holds the whole kernel.
bool TakeEntry(const char* prefix, const e820_entry& entry) {
  Print(prefix);
  PrintRange(entry.addr, entry.addr + entry.size);
  Print(" ");
  Print(E820TypeName(entry.type));
  Print("\n");
  return entry.type == linuxboot::E820_TYPE_RAM &&
         entry.addr <= KernelPhysStart() &&
         KernelPhysEnd() <= entry.addr + entry.size;
}

// The entries of every SETUP_E820_EXT node (protocol 2.09 and later), as
// Linux reads them (arch/x86/kernel/e820.c): len / 20 entries. Nodes out of
// reach end the walk; a list longer than kMaxNodes is taken as a loop.
bool ExtensionCoversKernel(const boot_params& params) {
  constexpr int kMaxNodes = 64;
  bool covered = false;
  uint64_t node = params.hdr.version >= linuxboot::kProtocolSetupData ? params.hdr.setup_data : 0;
  for (int n = 0; node != 0 && n < kMaxNodes; ++n) {
    if (!Reachable(node, sizeof(linuxboot::setup_data))) break;
    linuxboot::setup_data sd;
    __builtin_memcpy(&sd, PhysToPointer<linuxboot::setup_data>(node), sizeof sd);
    if (sd.type == linuxboot::SETUP_E820_EXT &&
        Reachable(node + sizeof sd, sd.len)) {
      uint32_t count = sd.len / sizeof(e820_entry);
      Print("bzelf-test: e820 ext: node at ");
      PrintHex(node);
      Print(", ");
      PrintDec(count);
      Print(" entries\n");
      for (uint32_t i = 0; i < count; ++i) {
        e820_entry entry;
        __builtin_memcpy(&entry,
                         PhysToPointer<uint8_t>(node + sizeof sd + i * sizeof entry),
                         sizeof entry);
        covered = TakeEntry("bzelf-test: e820 ext: ", entry) || covered;
      }
    }
    node = sd.next;
  }
  return covered;
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
    kernel_in_ram = TakeEntry("bzelf-test: e820: ", entry) || kernel_in_ram;
  }
  kernel_in_ram = ExtensionCoversKernel(params) || kernel_in_ram;

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
