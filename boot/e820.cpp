// Memory size from the BIOS, as the kernel expects it in the zero page:
// the INT 15h E820 map, and the two older counts it falls back to, E801
// (alt_mem_k) and AH=88h (screen_info.ext_mem_k). All three are asked;
// each one that answers fills its field.
#include "bioscall.h"
#include "e801.h"
#include "setup.h"

namespace bzelf::setup {
namespace {

constexpr uint32_t kSmap = 0x534d4150;  // "SMAP"

// One entry as INT 15h E820 returns it: the zero page's e820_entry plus the
// ACPI 3.0 extended attributes dword.
struct [[gnu::packed]] E820Buffer {
  linuxboot::e820_entry entry;
  uint32_t ext_attributes;
};
static_assert(sizeof(E820Buffer) == 24);

// The same buffer for every call: at least one BIOS treats the buffer as
// its own between calls and only rewrites the fields that change, so it
// must stay where it was and keep what the BIOS left there (Linux, memory.c
// notes this too). Zeroed once, before the first call (it is in the bss),
// and not between calls, which would break that BIOS: the only field a
// BIOS that writes 20-byte entries leaves stale is ext_attributes, which is
// ignored.
E820Buffer e820_buffer;

void DetectE820() {
  biosregs in, out;
  InitRegs(in);
  in.eax = 0xe820;
  in.edx = kSmap;
  in.ecx = sizeof(e820_buffer);  // ask for 24 bytes: ACPI 3 entries
  in.di = uint16_t(reinterpret_cast<uintptr_t>(&e820_buffer));
  in.ebx = 0;  // continuation value: 0 = first entry

  uint8_t count = 0;
  do {
    intcall(0x15, &in, &out);
    // CF set ends the list. BIOSes that end this way (instead of with
    // ebx = 0 on the last entry) do not always put SMAP in eax on that
    // failing call, so test CF first.
    if (out.eflags & kFlagCarry) {
      break;
    }
    // Some BIOSes stop returning SMAP in the middle of the list; what came
    // before may be partial or garbage, so drop the whole map and leave
    // memory to E801/88h (Linux, memory.c, does the same).
    if (out.eax != kSmap) {
      count = 0;
      break;
    }
    // The ACPI 3 extended attributes are ignored: BIOSes exist that clear
    // the "enabled" bit on every range, and the kernel does not use them.
    zero_page.e820_table[count++] = e820_buffer.entry;
    in.ebx = out.ebx;
  } while (in.ebx != 0 && count < linuxboot::E820_MAX_ENTRIES_ZEROPAGE);
  // A longer map is cut at 128 entries, which the zero page holds, as
  // Linux's own setup cuts it (arch/x86/boot/memory.c stops at
  // ARRAY_SIZE(boot_params.e820_table)). The rest could go into a
  // SETUP_E820_EXT node, which the stage reads; the setup does not build
  // one (boot/README.md says why).
  zero_page.e820_entries = count;
}

// E801: what the answer means, and which of its two register pairs counts,
// is lib/e801.h's rule; here only the call.
void DetectE801() {
  biosregs in, out;
  InitRegs(in);
  in.ax = 0xe801;
  intcall(0x15, &in, &out);
  if (out.eflags & kFlagCarry) {
    return;
  }
  uint32_t alt_mem_k;
  if (E801AltMemK({out.ax, out.bx, out.cx, out.dx}, &alt_mem_k)) {
    zero_page.alt_mem_k = alt_mem_k;
  }
}

// AH=88h: KiB above 1 MiB in AX, at most 64 MiB (and often 15 MiB).
void Detect88() {
  biosregs in, out;
  InitRegs(in);
  in.ah = 0x88;
  intcall(0x15, &in, &out);
  if (!(out.eflags & kFlagCarry)) {
    zero_page.screen_info.ext_mem_k = out.ax;
  }
}

}  // namespace

void DetectMemory() {
  DetectE820();
  DetectE801();
  Detect88();
}

}  // namespace bzelf::setup
