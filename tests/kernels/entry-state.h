// The machine state the loader handed over, saved by entry32.S/entry64.S
// before anything changed it, and what the linker scripts say about where
// the kernel is.
#pragma once

#include <stdint.h>

// sgdt's operand: a 16-bit limit and a base as wide as the mode's registers.
struct [[gnu::packed]] DescriptorTableRegister {
  uint16_t limit;
  uintptr_t base;
};

// Defined in entry32.S / entry64.S, written once at entry.
extern "C" {
extern uintptr_t entry_flags;        // EFLAGS/RFLAGS
extern uintptr_t entry_cr0;
extern uintptr_t entry_cr3;
extern uintptr_t entry_cr4;
extern uint64_t entry_efer;          // 64-bit entry only (0 on 32-bit)
extern uint16_t entry_cs;
extern uint16_t entry_ds;
extern uint16_t entry_es;
extern uint16_t entry_ss;
extern uintptr_t entry_boot_params;  // esi/rsi
extern DescriptorTableRegister entry_gdtr;
// 64-bit entry only: set once the entry code has read every page of the
// kernel, boot_params and every byte of the command line through the
// loader's page tables (a fault there never comes back to set it).
extern uint32_t entry_identity_map_touched;
// Where the entry point really was at entry (the loader's physical
// address), found by the entry code itself: `call`/`pop` on 32-bit,
// RIP-relative on 64-bit.
extern uintptr_t entry_run_address;

// The kernel's physical extent, text to the end of bss, and where that
// starts in the linked (virtual) addresses the C++ runs at (linker scripts).
extern char __kernel_phys_start[];
extern char __kernel_phys_end[];
extern char __kernel_start[];

[[noreturn]] void KernelMain();
}

namespace bzelf::testkernel {

inline uint64_t KernelPhysStart() {
  return reinterpret_cast<uintptr_t>(__kernel_phys_start);
}
inline uint64_t KernelPhysEnd() {
  return reinterpret_cast<uintptr_t>(__kernel_phys_end);
}

// The physical address the link map intends for a byte of the kernel:
// virtual minus (virtual start - physical start), 0 for test32.
inline uint64_t KernelVirtToPhys(const void* linked) {
  uintptr_t offset = reinterpret_cast<uintptr_t>(__kernel_start) -
                     reinterpret_cast<uintptr_t>(__kernel_phys_start);
  return reinterpret_cast<uintptr_t>(linked) - offset;
}

// Physical memory below 4 GiB is reachable from C++ in both kernels: the
// 32-bit one runs with paging off, the 64-bit one identity-maps the low
// 4 GiB in its own page tables (entry64.S). Exception: place-old32
// (entry32-high.S) identity-maps only the low 3 GiB; its boot runs in
// -m 128, where nothing lies above.
inline constexpr uint64_t kReachableLimit = 1ull << 32;

inline bool Reachable(uint64_t address, uint64_t size) {
  return address < kReachableLimit && size <= kReachableLimit - address;
}

template <typename T>
const T* PhysToPointer(uint64_t address) {
  return reinterpret_cast<const T*>(static_cast<uintptr_t>(address));
}

}  // namespace bzelf::testkernel
