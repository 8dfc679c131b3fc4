// Into 32-bit protected mode and on to code32_start, as the 32-bit boot
// protocol (boot.rst) wants the CPU: flat 4 GiB code at 0x10 and data at
// 0x18, paging off, interrupts off, esi = the zero page (linear address).
#include "bioscall.h"
#include "far-memory.h"
#include "gdt.h"
#include "port-io.h"
#include "segment-descriptor.h"
#include "setup.h"

// boot/pmjump.S.
extern "C" [[noreturn]] void ProtectedModeJump(uint32_t entry,
                                               uint32_t boot_params);

namespace bzelf::setup {
namespace {

// The flat descriptors' "accessed" bits are preset (segment-descriptor.h),
// so the CPU never writes them; LTR still marks the TSS busy here. The TSS
// entry's base is linear, known only at run time.
alignas(8) constinit uint64_t gdt[] = {  // 8: the SDM's advice for the GDT
    0,                 // 0x00: null
    0,                 // 0x08: unused
    x86::kFlat32Code,  // 0x10: BOOT_CS
    x86::kFlatData,    // 0x18: BOOT_DS
    0,  // 0x20: SETUP_TSS_SELECTOR, filled in by LoadGdt
};
static_assert(linuxboot::BOOT_CS == 0x10 && linuxboot::BOOT_DS == 0x18);
static_assert(SETUP_TSS_SELECTOR == 0x20 &&
              sizeof(gdt) == SETUP_TSS_SELECTOR + 8);

// Never used for a task switch: no ring changes and no I/O bitmap here,
// but TR must hold a valid TSS (gdt.h). 104 bytes is the minimum a 32-bit
// TSS may have (limit 103).
constexpr uint32_t kTss32Size = 104;
alignas(16) uint8_t tss[kTss32Size];

struct [[gnu::packed]] DescriptorTablePointer {
  uint16_t limit;
  uint32_t base;
};

// Interrupts are off until the kernel loads its own IDT; with a zero-limit
// IDT an NMI or exception shuts the CPU down instead of vectoring through
// the real-mode table as if it were an IDT.
void LoadNullIdt() {
  static constexpr DescriptorTablePointer kNullIdt = {0, 0};
  asm volatile("lidtl %0" : : "m"(kNullIdt));
}

void LoadGdt() {
  gdt[SETUP_TSS_SELECTOR / 8] =
      x86::Descriptor(Linear(tss), kTss32Size - 1, x86::kTss32Available, 0);
  const DescriptorTablePointer gdtr = {sizeof(gdt) - 1, Linear(gdt)};
  asm volatile("lgdtl %0" : : "m"(gdtr));
}

// Masks every IRQ at both 8259 PICs (OCW1): the kernel programs them
// itself; the master keeps IRQ2, the cascade from the slave. Also masks
// the NMI (bit 7 of the CMOS index port 0x70).
void MaskInterrupts() {
  Outb(0x80, 0x70);
  IoDelay();
  Outb(0xff, 0xa1);
  IoDelay();
  Outb(0xfb, 0x21);
  IoDelay();
}

}  // namespace

[[noreturn]] void GoProtectedMode() {
  asm volatile("cli");
  MaskInterrupts();
  LoadNullIdt();
  LoadGdt();
  ProtectedModeJump(zero_page.hdr.code32_start, Linear(&zero_page));
}

}  // namespace bzelf::setup
