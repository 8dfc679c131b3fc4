// Kernel address space layout randomization: where a kernel that can move
// goes, chosen at random the way Linux's own decompressor chooses it
// (arch/x86/boot/compressed/kaslr.c, Linux 6.1; the entropy from
// arch/x86/lib/kaslr.c), through the memory planner:
//
//  - physical: an aligned slot of usable RAM (MemoryPlan::ForEachFree:
//    RAM by the map, clear of the BIOS data area, boot_params, the command
//    line, the initrd, the EFI memory map, every setup_data node and the
//    stage with its arena) that also avoids the `memmap=` ranges and ends
//    at or below `mem=`, at or above min(link address, 512 MiB), below
//    4 GiB except for x86_64 Linux (the stage copies it up:
//    lib/kernel-staging.h); every slot equally likely. When an EFI loader left its memory map in
//    efi_info, the RAM is only that map's conventional memory (the EFI
//    rule, CountSlots); for x86_64 Linux, `hugepagesz=1G hugepages=N`
//    keeps N whole GiB out of the slots;
//  - virtual, for x86_64 Linux: an offset of the kernel's virtual
//    addresses, a multiple of the alignment, that keeps the image inside
//    the kernel's 1 GiB text mapping (KERNEL_IMAGE_SIZE);
//  - `nokaslr` keeps the kernel's own addresses; with no slot at all the
//    kernel keeps its link address, and a kernel whose link address is
//    not usable goes to the lowest slot instead of being refused.
//
// Errors are values; the stage's main prints them.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "boot-params.h"
#include "memory-plan.h"
#include "stage-params.h"

namespace bzelf {

// Linux's limits (arch/x86/include/asm/page_64_types.h and
// page_32_types.h, KERNEL_IMAGE_SIZE): x86_64 maps its image inside 1 GiB
// of virtual space from __START_KERNEL_map when KASLR is built in; i386
// keeps its image below 512 MiB physical.
inline constexpr uint64_t kLinuxKernelImageSize64 = 0x4000'0000;
inline constexpr uint64_t kLinuxKernelImageSize32 = 0x2000'0000;
// The end of x86_64 Linux's physical slots: its decompressor's mem_limit
// is MAXMEM on 64-bit (arch/x86/boot/compressed/kaslr.c), 2^46 with
// 4-level paging (MAX_PHYSMEM_BITS, arch/x86/include/asm/sparsemem.h).
inline constexpr uint64_t kLinuxMaxPhys64 = uint64_t{1} << 46;
// Linux's lowest randomized physical start is min(where it was loaded,
// 512 MiB) (choose_random_location).
inline constexpr uint64_t kKaslrFloorCap = 0x2000'0000;
// Linux takes at most this many `memmap=` ranges into account and turns
// physical randomization off when there are more (MAX_MEMMAP_REGIONS).
inline constexpr int kMaxMemmapRanges = 4;
// x86_64's large page size, PUD_SIZE: what `hugepagesz=1G` asks for.
inline constexpr uint64_t kGbPageSize = 0x4000'0000;
// Ranges a caller may add to what the planner keeps (ChooseKernelPlace's
// `avoid`); more are not taken.
inline constexpr int kMaxKaslrAvoid = 4;

// What the command line says about placement.
struct KaslrOptions {
  bool nokaslr = false;
  // mem=nn, or memmap=nn with no address: the end of usable memory.
  uint64_t mem_limit = ~uint64_t{0};
  // memmap=nn#ss, nn$ss, nn!ss: ranges to keep clear of.
  Range memmap[kMaxMemmapRanges] = {};
  int memmap_count = 0;
  bool memmap_too_many = false;
  // hugepagesz=1G then hugepages=N: 1 GiB pages Linux is to set aside at
  // boot, which want whole aligned GiB of RAM (x86_64 only).
  uint64_t gb_huge_pages = 0;
  // efi=nosoftreserve: EFI "specific purpose" memory counts as ordinary
  // (Linux's EFI stub reads it: efi_parse_options).
  bool efi_nosoftreserve = false;
  // bzelf.kaslr_seed=N: a fixed seed in place of the CPU's random numbers
  // and time stamp counter, so that a placement can be reproduced.
  bool has_seed = false;
  uint32_t seed = 0;
};

// Reads `cmdline` (`len` bytes at most, or up to a NUL) as Linux's
// decompressor does (handle_mem_options, cmdline_find_option_bool):
// whitespace-separated param[=value] words, a value may be in double
// quotes; mem=, memmap=, hugepagesz=, hugepages= and efi= are not looked
// for after a lone "--", nokaslr is a word anywhere. Linux counts
// hugepages= only after a hugepagesz= of 1 GiB (the last hugepagesz=
// before it wins; default_hugepagesz= does not count: parse_gb_huge_pages),
// and the last efi= says whether nosoftreserve is on.
KaslrOptions ParseKaslrOptions(const char* cmdline, uint32_t len);

// Linux's memparse: a number in C syntax (0x hex, 0 octal, decimal) with
// an optional K, M, G, T, P or E suffix (either case). `*end` gets the
// first character not used; `*end == text` when there was no number.
uint64_t MemParse(const char* text, const char** end);

// --- entropy ---------------------------------------------------------------

// The hash the random numbers start from (get_boot_seed): 32-bit words of
// the image's parameters, which differ between builds as Linux's build
// string does, then of boot_params, each rotated into the hash by 7 bits
// and XORed. Trailing bytes that make no whole word are not read.
uint32_t RotateXor(uint32_t hash, const void* data, size_t size);
uint32_t BootSeed(const void* build, size_t build_size, const linuxboot::boot_params& bp);

// Linux's 32-bit decompressor's mixing step: the 64-bit product with the
// constant, low half plus high half.
inline constexpr uint32_t kKaslrMixConstant32 = 0x3f39e593;
uint32_t KaslrMix(uint32_t value);

// One random number as Linux draws it (kaslr_get_random_long, 32-bit):
// the boot seed XOR RDRAND (when the CPU has it and it delivers), XOR the
// low half of RDTSC (when the CPU has it), or XOR the i8254's counter 0
// when neither gave anything; then KaslrMix. `Hw` provides
//   bool HasRdrand(); bool Rdrand(uint32_t* out); bool HasTsc();
//   uint32_t Rdtsc(); uint16_t I8254();
// (lib/entropy-x86.h for the stage; the tests' fakes.)
template <typename Hw>
uint32_t KaslrRandom(uint32_t boot_seed, Hw& hw) {
  uint32_t random = boot_seed;
  bool have_any = false;
  uint32_t raw;
  if (hw.HasRdrand() && hw.Rdrand(&raw)) {
    random ^= raw;
    have_any = true;
  }
  if (hw.HasTsc()) {
    random ^= hw.Rdtsc();
    have_any = true;
  }
  if (!have_any) random ^= hw.I8254();
  return KaslrMix(random);
}

// The hardware of a fixed seed (bzelf.kaslr_seed=): no RDRAND, and a time
// stamp counter that reads seed, seed + 1, ... so that two draws differ
// and every boot with the same seed and boot_params draws the same.
class SeededEntropy {
 public:
  explicit SeededEntropy(uint32_t seed) : next_(seed) {}
  bool HasRdrand() const { return false; }
  bool Rdrand(uint32_t*) const { return false; }
  bool HasTsc() const { return true; }
  uint32_t Rdtsc() { return next_++; }
  uint16_t I8254() const { return 0; }

 private:
  uint32_t next_;
};

// --- the choice --------------------------------------------------------------

// How a kernel's virtual addresses follow a move.
enum class KaslrVirtual : uint8_t {
  kFixed,     // they stay (a kernel that fixes itself up, without a table)
  kFollows,   // they move with the physical address (i386 Linux, PIE kernels)
  kWindow,    // they move on their own inside `virt_window` (x86_64 Linux)
};

// The kernel, as linked.
struct KaslrKernel {
  bool movable = false;     // false: it runs at its link address or not at all
  uint64_t link_base = 0;   // the lowest physical address of its segments
  uint64_t size = 0;        // from link_base to the end of its last segment (memsz)
  uint64_t align = 0;       // a power of two: kernel_alignment (CONFIG_PHYSICAL_ALIGN)
  // No byte at or above this: what the stage can write with paging off
  // (4 GiB), or for x86_64 Linux, which it copies up, Linux's own limit.
  uint64_t ceiling = k4GiB;
  // The lowest physical address it may run at: Linux never runs below
  // where it was linked (LOAD_PHYSICAL_ADDR: its own head moves it up);
  // below 1 MiB lie firmware and the loaders' data.
  uint64_t floor = k1MiB;
  KaslrVirtual virt = KaslrVirtual::kFixed;
  // kWindow: the size of the virtual window from the link address's
  // place in it (KERNEL_IMAGE_SIZE); the window starts at virtual offset
  // -link_base, as Linux's starts LOAD_PHYSICAL_ADDR below _text.
  uint64_t virt_window = 0;
};

// The kernel as KASLR sees it, from what `bzelf build` recorded in the
// stage's parameters: what the stage draws a place for, and what `bzelf
// info` shows. A placement fixed at build time (--load-address,
// --virtual-offset) makes it immovable.
KaslrKernel KaslrKernelFor(const StageParams& p);

// The lowest address a random physical slot may start at: min(link
// address, 512 MiB) as Linux's (choose_random_location), not below
// kernel.floor.
inline uint64_t KaslrFloor(const KaslrKernel& kernel) {
  const uint64_t floor = kernel.link_base < kKaslrFloorCap ? kernel.link_base : kKaslrFloorCap;
  return floor < kernel.floor ? kernel.floor : floor;
}

// Why the kernel goes where it goes.
enum class KaslrHow : uint8_t {
  kFixed,        // it cannot move: its link address
  kNokaslr,      // `nokaslr`: its link address
  kRandom,       // a random slot
  kNoSlot,       // no slot fits: its link address
  kMemmapLimit,  // more than kMaxMemmapRanges memmap= ranges: its link address
  kLowest,       // `nokaslr` or no random slot, and its link address is
                 // not usable: the lowest slot
};
const char* KaslrHowName(KaslrHow how);

struct KernelPlace {
  uint64_t phys_base = 0;    // where link_base's byte goes
  uint64_t virt_offset = 0;  // added to every link-time virtual address (mod 2^64)
  KaslrHow how = KaslrHow::kFixed;
  uint32_t phys_slots = 0;   // how many slots there were to choose from
  uint32_t virt_slots = 0;
  // Whether the kernel may randomize the rest of its layout itself
  // (setup_header.loadflags KASLR_FLAG): on unless `nokaslr` or fixed, as
  // Linux sets it even when no physical slot was found.
  bool kaslr_flag = false;
};

// The random source: a callable `uint32_t()` drawn once for the physical
// slot and once for the virtual one, in that order (as Linux draws), each
// only when there is something to choose from.
//
// The place: the kernel's own when it cannot move or `nokaslr` says so;
// else a random slot among all that fit (ForEachFree, the first
// kMaxKaslrAvoid of `avoid` and the memmap= ranges kept clear too, none
// ending above mem= or `ceiling`), from min(link address, 512 MiB) up as
// Linux's (choose_random_location) but not below `kernel.floor`; with
// none, the link address when Check() accepts it (the stage may move out
// of its way: PlanKernel decides that) and it touches no range to avoid,
// else the lowest slot at or above `kernel.floor`; with none at all the
// link address (kNoSlot), which PlanKernel then refuses. The one error:
// an alignment that is not a power of two.
template <typename Draw>
PlanError ChooseKernelPlace(const MemoryPlan& plan, const KaslrKernel& kernel,
                            const KaslrOptions& options, const Range* avoid, int avoid_count,
                            Draw draw, KernelPlace* out);

// The slots' arithmetic, apart so that the host tests reach it.
struct SlotSearch {
  uint64_t size;
  uint64_t align;
  uint64_t floor;
  uint64_t ceiling;
  const Range* avoid;
  int avoid_count;
  // Whole 1 GiB pages to leave out (KaslrOptions::gb_huge_pages).
  uint64_t gb_huge_pages = 0;
  // The EFI rule's SP part: skip EFI_MEMORY_SP descriptors.
  bool efi_skip_sp = true;
};
// The slots [floor, ceiling) has for the kernel (capped at 2^32 - 1; past
// that, slots above the cap are never chosen); with `pick` < the count, the
// address of slot number `pick`, counting in the order the ranges are
// walked, in *at.
//
// The RAM: with an EFI memory map in the plan (MemoryPlan::efi_map), as
// Linux's decompressor takes it (kaslr.c, process_efi_entries), each
// EfiConventionalMemory descriptor in the map's order, on its own, and
// only those with EFI_MEMORY_MORE_RELIABLE when any descriptor has that
// attribute (mirrored memory), and none with EFI_MEMORY_SP unless
// `!efi_skip_sp`: boot-services code and data, which E820 calls RAM, are
// never chosen, as some firmware still touches them until
// SetVirtualAddressMap. Each descriptor is cut to what ForEachFree
// finds free in it. Without an EFI map, the free ranges of the E820 map,
// lowest first.
//
// Then, while `gb_huge_pages` lasts, each free range gives up its whole
// aligned GiB, in walking order, and only what lies before and after
// them holds slots (process_gb_huge_pages).
uint32_t CountSlots(const MemoryPlan& plan, const SlotSearch& s, uint32_t pick = ~0u,
                    uint64_t* at = nullptr);
// Virtual offsets for kWindow: ALIGN(size) bytes at link_base + k * align
// within the window (find_random_virt_addr); 0 when none fits.
uint32_t VirtualSlots(const KaslrKernel& kernel);

template <typename Draw>
PlanError ChooseKernelPlace(const MemoryPlan& plan, const KaslrKernel& kernel,
                            const KaslrOptions& options, const Range* avoid, int avoid_count,
                            Draw draw, KernelPlace* out) {
  *out = {};
  out->phys_base = kernel.link_base;
  if (!kernel.movable) return {};
  if (kernel.align == 0 || (kernel.align & (kernel.align - 1)) != 0) {
    PlanError e;
    e.kind = PlanError::Kind::kBadAlignment;
    e.value = kernel.align;
    return e;
  }
  if (options.nokaslr) {
    out->how = KaslrHow::kNokaslr;
  } else {
    out->kaslr_flag = true;
    out->how = KaslrHow::kNoSlot;
  }
  // Everything to keep clear of: the caller's ranges and memmap='s.
  Range keep[kMaxMemmapRanges + kMaxKaslrAvoid];
  int keep_count = 0;
  for (int i = 0; i < avoid_count && i < kMaxKaslrAvoid; ++i) keep[keep_count++] = avoid[i];
  for (int i = 0; i < options.memmap_count; ++i) keep[keep_count++] = options.memmap[i];
  uint64_t ceiling = kernel.ceiling;
  if (options.mem_limit < ceiling) ceiling = options.mem_limit;
  SlotSearch search{kernel.size, kernel.align, KaslrFloor(kernel), ceiling, keep, keep_count};
  // 1 GiB pages are x86_64 Linux's (its handle_mem_options reads
  // hugepages= only there): the kernels whose virtual addresses move in a
  // window of their own.
  if (kernel.virt == KaslrVirtual::kWindow) search.gb_huge_pages = options.gb_huge_pages;
  search.efi_skip_sp = !options.efi_nosoftreserve;

  if (!options.nokaslr) {
    if (options.memmap_too_many) {
      out->how = KaslrHow::kMemmapLimit;
    } else {
      // Drawn only when there is something to choose from, as Linux
      // does (slots_fetch_random).
      out->phys_slots = CountSlots(plan, search);
      if (out->phys_slots != 0) {
        CountSlots(plan, search, draw() % out->phys_slots, &out->phys_base);
        out->how = KaslrHow::kRandom;
      }
    }
    if (kernel.virt == KaslrVirtual::kWindow) {
      out->virt_slots = VirtualSlots(kernel);
      if (out->virt_slots != 0) {
        out->virt_offset = uint64_t{draw() % out->virt_slots} * kernel.align;
      }
    }
  }
  if (out->how != KaslrHow::kRandom) {
    out->phys_base = kernel.link_base;
    const Range link{kernel.link_base, kernel.link_base + kernel.size};
    bool at_link = !plan.Check(link, "kernel", -1, /*stage_may_move=*/true);
    for (int i = 0; i < keep_count; ++i) at_link = at_link && !keep[i].Overlaps(link);
    // With no slot at all the kernel stays at its link address, where
    // PlanKernel refuses it segment by segment, as for a kernel that
    // cannot move.
    uint64_t lowest = 0;
    search.floor = kernel.floor;
    if (!at_link && CountSlots(plan, search, 0, &lowest) != 0) {
      out->phys_base = lowest;
      out->how = KaslrHow::kLowest;
    }
  }
  if (kernel.virt == KaslrVirtual::kFollows) out->virt_offset = out->phys_base - kernel.link_base;
  return {};
}

}  // namespace bzelf
