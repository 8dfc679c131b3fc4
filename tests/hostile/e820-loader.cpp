// e820-loader.elf: a small loader for the SETUP_E820_EXT rows of
// tests/hostile/run.sh. QEMU -kernel loads it as a multiboot kernel with a
// bzelf image as its module; it does what a 32-bit boot-protocol loader
// does (GRUB's `linux`, kexec's bzImage: boot.rst, "32-bit Boot
// Protocol"): part 5 at 1 MiB, a zero page with the image's setup header,
// a command line, then startup_32 (code32_start) with esi = boot_params.
// The real-mode setup never runs, so the memory map is the one built here
// from QEMU's (the multiboot mmap), laid out as the command line says:
//
//   split     boot_params.e820_table full (128 entries, all below 1 MiB:
//             the low RAM cut into pieces), everything from 1 MiB up in a
//             SETUP_E820_EXT node, with 1-2 MiB cut into 4 KiB pieces so
//             that the node holds more entries than boot_params could.
//             The kernel is only RAM by the node: the stage must read it.
//   reserve   the whole map in e820_table, and a node with one reserved
//             entry over the first page of test32 (2 MiB): the stage must
//             refuse the kernel.
//   bad-len   as reserve, but the node's len is not a multiple of 20: the
//             stage must take its whole entries, as Linux does, and so
//             refuse the kernel.
//   over-node the whole map in e820_table, and a node (one harmless entry)
//             inside test32: the stage must keep setup_data clear and
//             refuse the kernel.
//   loop      the whole map in e820_table, and an empty node whose `next`
//             points back at itself: the stage must give up walking the
//             list and refuse to boot.
//
// Failures print "e820-loader: <what>" on COM1 and exit QEMU through
// isa-debug-exit with the test kernels' failure byte.
#include <stddef.h>
#include <stdint.h>

#include "../kernels/serial.h"
#include "../kernels/verdict.h"
#include "boot-params.h"
#include "port-io.h"

namespace {

using namespace bzelf::linuxboot;
using bzelf::Outb;

// Multiboot Specification 0.6.96, section 3.3.
constexpr uint32_t kMultibootBootMagic = 0x2BADB002;
constexpr uint32_t kInfoCmdline = 1 << 2;
constexpr uint32_t kInfoMods = 1 << 3;
constexpr uint32_t kInfoMmap = 1 << 6;

struct [[gnu::packed]] MultibootInfo {
  uint32_t flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
  uint32_t syms[4];
  uint32_t mmap_length, mmap_addr;
};
struct [[gnu::packed]] MultibootModule {
  uint32_t mod_start, mod_end, string, reserved;
};
struct [[gnu::packed]] MultibootMmapEntry {
  uint32_t size;  // of the rest of the entry
  uint64_t base_addr, length;
  uint32_t type;  // 1 = RAM, as E820's
};

// Where things go. Every address is RAM under QEMU -m 128, and none lies
// where the stage (1 MiB), test32 (2 MiB) or this loader (64 MiB) goes.
constexpr uint32_t kBootParams = 0x10000;
constexpr uint32_t kCmdline = 0x20000;
constexpr uint32_t kSetupData = 0x30000;
constexpr uint32_t kPart5 = 0x100000;
constexpr uint64_t kTest32 = 0x200000;  // tests/kernels/test32.ld.S
constexpr uint32_t kOverNode = kTest32 + 0x1000;
constexpr uint64_t kMiB = 0x100000;
constexpr uint32_t kMaxExtEntries = 512;

using bzelf::testkernel::kDebugExitFail;
using bzelf::testkernel::kDebugExitPort;

[[noreturn]] void Fail(const char* what) {
  bzelf::testkernel::Print("e820-loader: ");
  bzelf::testkernel::Print(what);
  bzelf::testkernel::Print("\n");
  Outb(kDebugExitFail, kDebugExitPort);
  for (;;) asm volatile("cli; hlt");
}

void Copy(void* to, const void* from, size_t n) {
  auto* d = static_cast<volatile uint8_t*>(to);
  const auto* s = static_cast<const volatile uint8_t*>(from);
  for (size_t i = 0; i < n; ++i) d[i] = s[i];
}

void Zero(void* to, size_t n) {
  auto* d = static_cast<volatile uint8_t*>(to);
  for (size_t i = 0; i < n; ++i) d[i] = 0;
}

bool Equal(const char* a, const char* b) {
  while (*a != 0 && *a == *b) ++a, ++b;
  return *a == *b;
}

template <typename T>
T* At(uint64_t address) {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(address));
}

enum class Mode { kSplit, kReserve, kBadLen, kOverNode, kLoop };

// The multiboot command line is this file's name, then the mode.
Mode ParseMode(const MultibootInfo& mbi) {
  if ((mbi.flags & kInfoCmdline) == 0) Fail("no command line");
  const char* p = At<const char>(mbi.cmdline);
  while (*p != 0 && *p != ' ') ++p;
  while (*p == ' ') ++p;
  if (Equal(p, "split")) return Mode::kSplit;
  if (Equal(p, "reserve")) return Mode::kReserve;
  if (Equal(p, "bad-len")) return Mode::kBadLen;
  if (Equal(p, "over-node")) return Mode::kOverNode;
  if (Equal(p, "loop")) return Mode::kLoop;
  Fail("unknown mode (split, reserve, bad-len, over-node, loop)");
}

// Appends to a table of `cap` entries, failing when it is full.
void Add(e820_entry* table, uint32_t& count, uint32_t cap, uint64_t addr, uint64_t size,
         uint32_t type) {
  if (count == cap) Fail("memory map table full");
  e820_entry e = {addr, size, type};
  Copy(&table[count++], &e, sizeof e);
}

// The E820 entries: into boot_params and the node's data (`ext`).
void BuildMaps(const MultibootInfo& mbi, Mode mode, boot_params& bp, e820_entry* ext,
               uint32_t& ext_count) {
  if ((mbi.flags & kInfoMmap) == 0) Fail("no memory map from the multiboot loader");
  auto entry = [&](uint32_t off) {
    MultibootMmapEntry m;
    Copy(&m, At<const void>(mbi.mmap_addr + off), sizeof m);
    return m;
  };
  auto next = [&](uint32_t off) { return off + entry(off).size + sizeof(uint32_t); };
  // Entries below 1 MiB: all but the low RAM stay whole.
  uint32_t low = 0;
  for (uint32_t off = 0; off < mbi.mmap_length; off = next(off)) {
    if (entry(off).base_addr + entry(off).length <= kMiB) ++low;
  }
  if (low == 0) Fail("no memory below 1 MiB");
  const uint32_t base_cap = E820_MAX_ENTRIES_ZEROPAGE;
  uint32_t base_count = 0;
  for (uint32_t off = 0; off < mbi.mmap_length; off = next(off)) {
    const MultibootMmapEntry m = entry(off);
    const uint64_t end = m.base_addr + m.length;
    if (mode != Mode::kSplit) {
      Add(bp.e820_table, base_count, base_cap, m.base_addr, m.length, m.type);
    } else if (end <= kMiB && m.type == E820_TYPE_RAM && m.base_addr == 0) {
      // Low RAM in 4 KiB pieces, as many as fill the table exactly.
      uint64_t pieces = base_cap - (low - 1);
      for (uint64_t at = 0; at < end; at += 0x1000, --pieces) {
        const uint64_t size = pieces > 1 ? 0x1000 : end - at;
        Add(bp.e820_table, base_count, base_cap, at, size, m.type);
        if (pieces == 1) break;
      }
    } else if (end <= kMiB) {
      Add(bp.e820_table, base_count, base_cap, m.base_addr, m.length, m.type);
    } else if (m.base_addr == kMiB && m.type == E820_TYPE_RAM && m.length > kMiB) {
      for (uint64_t at = kMiB; at < 2 * kMiB; at += 0x1000) {
        Add(ext, ext_count, kMaxExtEntries, at, 0x1000, E820_TYPE_RAM);
      }
      Add(ext, ext_count, kMaxExtEntries, 2 * kMiB, m.length - kMiB, E820_TYPE_RAM);
    } else {
      Add(ext, ext_count, kMaxExtEntries, m.base_addr, m.length, m.type);
    }
  }
  if (mode == Mode::kSplit && base_count != base_cap) {
    Fail("boot_params' E820 table is not full");
  }
  if (mode == Mode::kReserve || mode == Mode::kBadLen) {
    Add(ext, ext_count, kMaxExtEntries, kTest32, 0x1000, E820_TYPE_RESERVED);
  }
  if (mode == Mode::kOverNode) Add(ext, ext_count, kMaxExtEntries, 0, 0x1000, E820_TYPE_RAM);
  bp.e820_entries = static_cast<uint8_t>(base_count);
}

}  // namespace

extern "C" [[noreturn]] void EnterStartup32(uint32_t entry, uint32_t boot_params);

extern "C" [[noreturn]] void LoaderMain(uint32_t magic, const MultibootInfo* mbi) {
  bzelf::testkernel::SerialInit();
  if (magic != kMultibootBootMagic) Fail("not entered by a multiboot loader");
  const Mode mode = ParseMode(*mbi);
  if ((mbi->flags & kInfoMods) == 0 || mbi->mods_count < 1) {
    Fail("no module: give the bzelf image with -initrd");
  }
  const auto& module = *At<const MultibootModule>(mbi->mods_addr);
  const uint8_t* image = At<const uint8_t>(module.mod_start);
  const uint32_t image_size = module.mod_end - module.mod_start;

  // The setup header: boot.rst, "Loading the rest of the kernel".
  const auto& hdr = *reinterpret_cast<const setup_header*>(image + kSetupHeaderOffset);
  if (image_size < 0x1000 || hdr.header != kHeaderMagic) Fail("the module is not a bzImage");
  const uint32_t setup_sects = hdr.setup_sects != 0 ? hdr.setup_sects : 4;
  const uint32_t part5 = (setup_sects + 1) * 512;
  if (part5 >= image_size) Fail("the module is cut short");

  auto& bp = *At<boot_params>(kBootParams);
  Zero(&bp, sizeof bp);
  // The header as the image has it: from its start to the end of the jump's
  // target, 0x202 + the byte at 0x201.
  const uint32_t header_end = 0x202 + image[0x201];
  Copy(reinterpret_cast<uint8_t*>(&bp.hdr), image + kSetupHeaderOffset,
       header_end - kSetupHeaderOffset);
  bp.hdr.type_of_loader = 0xff;  // undefined loader (boot.rst)

  static const char kLine[] = "console=ttyS0 bzelf.loader=e820-loader";
  Copy(At<char>(kCmdline), kLine, sizeof kLine);
  bp.hdr.cmd_line_ptr = kCmdline;

  const uint32_t node_addr = mode == Mode::kOverNode ? kOverNode : kSetupData;
  auto& node = *At<setup_data>(node_addr);
  auto* ext = At<e820_entry>(node_addr + sizeof(setup_data));
  uint32_t ext_count = 0;
  BuildMaps(*mbi, mode, bp, ext, ext_count);
  node.next = mode == Mode::kLoop ? node_addr : 0;
  node.type = SETUP_E820_EXT;
  node.len = ext_count * sizeof(e820_entry) + (mode == Mode::kBadLen ? 3 : 0);
  bp.hdr.setup_data = node_addr;

  Copy(At<uint8_t>(kPart5), image + part5, image_size - part5);
  EnterStartup32(bp.hdr.code32_start, kBootParams);
}
