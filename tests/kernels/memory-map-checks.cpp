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

// The entries seen, base map and extensions, for KernelInRam. Loaders
// pass at most a few hundred; more are printed but not kept.
constexpr unsigned kMaxEntries = 512;
e820_entry seen[kMaxEntries];
unsigned seen_count = 0;

// Prints one entry and keeps it.
void TakeEntry(const char* prefix, const e820_entry& entry) {
  Print(prefix);
  PrintRange(entry.addr, entry.addr + entry.size);
  Print(" ");
  Print(E820TypeName(entry.type));
  Print("\n");
  if (seen_count < kMaxEntries) seen[seen_count++] = entry;
}

// Whether RAM entries cover [start, end) together -- firmware may split
// RAM into adjacent or overlapping entries -- and no entry of another
// type touches it, as Linux reads a map (arch/x86/kernel/e820.c lets the
// other types win over RAM).
bool CoveredByRam(uint64_t start, uint64_t end) {
  uint64_t covered = start;
  bool grew = true;
  while (covered < end && grew) {
    grew = false;
    for (unsigned i = 0; i < seen_count; ++i) {
      const e820_entry& e = seen[i];
      if (e.type == linuxboot::E820_TYPE_RAM && e.addr <= covered &&
          covered < e.addr + e.size) {
        covered = e.addr + e.size;
        grew = true;
      }
    }
  }
  if (covered < end) return false;
  for (unsigned i = 0; i < seen_count; ++i) {
    const e820_entry& e = seen[i];
    if (e.type != linuxboot::E820_TYPE_RAM && Overlaps(start, end, e.addr, e.addr + e.size)) {
      return false;
    }
  }
  return true;
}

// The entries of every SETUP_E820_EXT node (protocol 2.09 and later), as
// Linux reads them (arch/x86/kernel/e820.c): len / 20 entries. Nodes out of
// reach end the walk; a list longer than kMaxNodes is taken as a loop.
void TakeExtensions(const boot_params& params) {
  constexpr int kMaxNodes = 64;
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
        TakeEntry("bzelf-test: e820 ext: ", entry);
      }
    }
    node = sd.next;
  }
}

// The word on the command line that says the BIOS has no E820 (tests/int15
// boots on such a BIOS): an empty table is then what must arrive.
constexpr const char* kNoE820Word = "bzelf.test.no-e820";

// Without an E820 table, the map Linux makes from the older sizes
// (arch/x86/kernel/e820.c, e820__memory_setup_default): RAM from 0 to
// LOWMEMSIZE() (0x9f000) and from 1 MiB up for whichever of E801
// (alt_mem_k) and AH=88h (screen_info.ext_mem_k) says more.
void TakeLegacySizes(Verdict& verdict, const boot_params& params) {
  const uint32_t alt_k = params.alt_mem_k;
  const uint32_t ext_k = params.screen_info.ext_mem_k;
  const uint32_t above_1m_k = alt_k > ext_k ? alt_k : ext_k;
  verdict.Check(above_1m_k != 0, "E801 or AH=88h gave the memory above 1 MiB");
  TakeEntry("bzelf-test: e801/88h map: ", {0, 0x9f000, linuxboot::E820_TYPE_RAM});
  TakeEntry("bzelf-test: e801/88h map: ",
            {0x100000, uint64_t{above_1m_k} * 1024, linuxboot::E820_TYPE_RAM});
}

}  // namespace

void CheckMemoryMap(Verdict& verdict, const boot_params& params) {
  unsigned count = params.e820_entries;
  Print("bzelf-test: e820: ");
  PrintDec(count);
  Print(" entries\n");
  // Printed for every boot; the suite that hides E820 compares them with
  // what the machine's memory size makes them.
  Print("bzelf-test: e801: alt_mem_k=");
  PrintDec(params.alt_mem_k);
  Print("\nbzelf-test: 88h: ext_mem_k=");
  PrintDec(params.screen_info.ext_mem_k);
  Print("\n");
  const bool no_e820 = CommandLineHasWord(params, kNoE820Word);
  if (no_e820) {
    verdict.Check(count == 0, "E820 table is empty (the BIOS has none: bzelf.test.no-e820)");
  } else {
    verdict.Check(count > 0 && count <= linuxboot::E820_MAX_ENTRIES_ZEROPAGE,
                  "E820 table has entries (0 < e820_entries <= 128)");
  }
  if (count > linuxboot::E820_MAX_ENTRIES_ZEROPAGE) {
    count = linuxboot::E820_MAX_ENTRIES_ZEROPAGE;
  }

  uint64_t kernel_start = KernelPhysStart();
  uint64_t kernel_end = KernelPhysEnd();
  seen_count = 0;
  for (unsigned i = 0; i < count; ++i) {
    // boot_params is packed: copy the entry out rather than bind to it.
    e820_entry entry;
    __builtin_memcpy(&entry, &params.e820_table[i], sizeof entry);
    TakeEntry("bzelf-test: e820: ", entry);
  }
  if (no_e820 && count == 0) {
    TakeLegacySizes(verdict, params);
  }
  TakeExtensions(params);

  Print("bzelf-test: kernel (text to end of bss): ");
  PrintRange(kernel_start, kernel_end);
  Print("\n");
  verdict.Check(CoveredByRam(kernel_start, kernel_end),
                "E820 RAM covers the whole kernel, touching no other type");

  bool apart =
      !KernelOverlaps(entry_boot_params, sizeof(boot_params)) &&
      !KernelOverlaps(CommandLineAddress(params), CommandLineBytes(params)) &&
      !KernelOverlaps(InitrdAddress(params), InitrdSize(params));
  verdict.Check(apart,
                "boot_params, command line and initrd lie outside the kernel");
}

}  // namespace bzelf::testkernel
