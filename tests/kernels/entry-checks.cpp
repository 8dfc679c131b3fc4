// The state the loader entered the kernel in (boot.rst, "32-bit Boot
// Protocol" and "64-bit Boot Protocol"): mode, paging, interrupts, the
// __BOOT_CS/__BOOT_DS selectors and what they describe, and the register
// that points at boot_params.
#include "checks.h"
#include "entry-state.h"
#include "serial.h"

namespace bzelf::testkernel {
namespace {

using linuxboot::BOOT_CS;
using linuxboot::BOOT_DS;

constexpr uintptr_t kCr0ProtectionEnable = 1u << 0;
constexpr uintptr_t kCr0Paging = 1u << 31;
constexpr uintptr_t kFlagsInterruptEnable = 1u << 9;
constexpr uint64_t kEferLongModeActive = 1u << 10;

// A GDT entry (Intel SDM vol. 3, 3.4.5 "Segment Descriptors").
struct SegmentDescriptor {
  uint64_t raw = 0;

  bool Bit(int n) const { return (raw >> n) & 1; }
  bool Present() const { return Bit(47); }
  bool CodeOrData() const { return Bit(44); }  // S: not a system segment
  bool Code() const { return Bit(43); }
  bool ReadableOrWritable() const { return Bit(41); }
  bool LongMode() const { return Bit(53); }
  bool Default32() const { return Bit(54); }
  bool PageGranular() const { return Bit(55); }
  uint32_t Base() const {
    return static_cast<uint32_t>(((raw >> 16) & 0xffffff) |
                                 ((raw >> 56) & 0xff) << 24);
  }
  uint32_t Limit() const {
    uint32_t limit = static_cast<uint32_t>((raw & 0xffff) |
                                           ((raw >> 48) & 0xf) << 16);
    return PageGranular() ? (limit << 12) | 0xfff : limit;
  }
  bool Flat() const { return Base() == 0 && Limit() == 0xffffffff; }
};

// The descriptor a selector names in the loader's GDT; all zero (not
// present) when the selector is outside the table or in the LDT.
SegmentDescriptor ReadDescriptor(uint16_t selector) {
  SegmentDescriptor descriptor;
  constexpr uint16_t kTableIndicatorLdt = 1 << 2;
  uint32_t offset = selector & ~7u;
  if ((selector & kTableIndicatorLdt) != 0 ||
      offset + sizeof descriptor.raw > entry_gdtr.limit + 1u ||
      !Reachable(entry_gdtr.base + offset, sizeof descriptor.raw)) {
    return descriptor;
  }
  __builtin_memcpy(&descriptor.raw,
                   PhysToPointer<uint8_t>(entry_gdtr.base + offset),
                   sizeof descriptor.raw);
  return descriptor;
}

void PrintEntryState() {
  Print("bzelf-test: entry: CR0=");
  PrintHex(entry_cr0);
#if defined(__x86_64__)
  Print(" CR3=");
  PrintHex(entry_cr3);
#endif
  Print(" CR4=");
  PrintHex(entry_cr4);
#if defined(__x86_64__)
  Print(" EFER=");
  PrintHex(entry_efer);
  Print(" RFLAGS=");
#else
  Print(" EFLAGS=");
#endif
  PrintHex(entry_flags);
  Print("\nbzelf-test: entry: CS=");
  PrintHex(entry_cs, 2);
  Print(" DS=");
  PrintHex(entry_ds, 2);
  Print(" ES=");
  PrintHex(entry_es, 2);
  Print(" SS=");
  PrintHex(entry_ss, 2);
#if defined(__x86_64__)
  Print(" rsi=");
#else
  Print(" esi=");
#endif
  PrintHex(entry_boot_params);
  Print("\nbzelf-test: entry: GDT at ");
  PrintHex(entry_gdtr.base);
  Print(" limit ");
  PrintHex(entry_gdtr.limit);
  Print(": [CS]=");
  PrintHex(ReadDescriptor(entry_cs).raw, 16);
  Print(" [DS]=");
  PrintHex(ReadDescriptor(entry_ds).raw, 16);
  Print("\n");
}

}  // namespace

void CheckEntryState(Verdict& verdict) {
  PrintEntryState();
  SegmentDescriptor code = ReadDescriptor(entry_cs);
  SegmentDescriptor data = ReadDescriptor(entry_ds);
  bool code_usable = code.Present() && code.CodeOrData() && code.Code() &&
                     code.ReadableOrWritable();
  bool data_usable = data.Present() && data.CodeOrData() && !data.Code() &&
                     data.ReadableOrWritable();

#if defined(__x86_64__)
  verdict.Check((entry_efer & kEferLongModeActive) != 0,
                "long mode active (EFER.LMA=1)");
  verdict.Check((entry_cr0 & kCr0Paging) != 0, "paging on (CR0.PG=1)");
  verdict.Check(entry_identity_map_touched != 0,
                "identity map covers the kernel, boot_params and the "
                "command line");
#else
  verdict.Check((entry_cr0 & kCr0ProtectionEnable) != 0,
                "protected mode (CR0.PE=1)");
  verdict.Check((entry_cr0 & kCr0Paging) == 0, "paging off (CR0.PG=0)");
#endif
  verdict.Check((entry_flags & kFlagsInterruptEnable) == 0,
                "interrupts off (EFLAGS.IF=0)");
  verdict.Check(entry_cs == BOOT_CS, "CS is __BOOT_CS (0x10)");
  verdict.Check(entry_ds == BOOT_DS && entry_es == BOOT_DS &&
                    entry_ss == BOOT_DS,
                "DS, ES and SS are __BOOT_DS (0x18)");
#if defined(__x86_64__)
  verdict.Check(code_usable && code.LongMode() && !code.Default32(),
                "CS descriptor is 64-bit code");
  verdict.Check(data_usable, "DS descriptor is writable data");
#else
  verdict.Check(code_usable && code.Default32() && code.Flat(),
                "CS descriptor is flat 32-bit code (base 0, limit 4 GiB)");
  verdict.Check(data_usable && data.Default32() && data.Flat(),
                "DS descriptor is flat writable data (base 0, limit 4 GiB)");
#endif
  verdict.Check(entry_boot_params != 0 &&
                    Reachable(entry_boot_params, sizeof(boot_params)),
#if defined(__x86_64__)
                "rsi points at boot_params below 4 GiB"
#else
                "esi points at boot_params"
#endif
  );
}

}  // namespace bzelf::testkernel
