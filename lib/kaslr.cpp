#include "kaslr.h"

#include "kernel-move.h"

namespace bzelf {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// One param[=value] word of the command line: [param, param_end) and,
// when there is a '=', [value, value_end) with one pair of surrounding
// double quotes taken off (Linux's next_arg).
struct Word {
  const char* param;
  const char* param_end;
  const char* value;  // nullptr: no '='
  const char* value_end;

  bool Is(const char* name) const {
    const char* p = param;
    for (; *name != 0; ++name, ++p) {
      if (p == param_end || *p != *name) return false;
    }
    return p == param_end;
  }
};

// The word at `*at` (spaces skipped first); false at the end.
bool NextWord(const char** at, const char* end, Word* w) {
  const char* p = *at;
  while (p < end && IsSpace(*p)) ++p;
  if (p == end) return false;
  bool quoted = false;
  w->param = p;
  w->param_end = nullptr;
  w->value = nullptr;
  for (; p < end && (quoted || !IsSpace(*p)); ++p) {
    if (*p == '"') quoted = !quoted;
    if (*p == '=' && w->value == nullptr) {
      w->param_end = p;
      w->value = p + 1;
    }
  }
  if (w->value == nullptr) {
    w->param_end = p;
  } else {
    w->value_end = p;
    if (w->value < w->value_end && *w->value == '"') {
      ++w->value;
      if (w->value < w->value_end && w->value_end[-1] == '"') --w->value_end;
    }
  }
  *at = p;
  return true;
}

// Digits in `base`, up to `end`.
uint64_t ParseDigits(const char* text, const char* end, unsigned base, const char** stop) {
  uint64_t value = 0;
  const char* p = text;
  for (; p < end; ++p) {
    unsigned digit;
    if (*p >= '0' && *p <= '9') {
      digit = static_cast<unsigned>(*p - '0');
    } else if (*p >= 'a' && *p <= 'f') {
      digit = static_cast<unsigned>(*p - 'a' + 10);
    } else if (*p >= 'A' && *p <= 'F') {
      digit = static_cast<unsigned>(*p - 'A' + 10);
    } else {
      break;
    }
    if (digit >= base) break;
    value = value * base + digit;
  }
  *stop = p;
  return value;
}

// A number in C syntax, as simple_strtoull(..., 0) reads it: "0x" before
// a hex digit is hex, another leading 0 octal, else decimal. *stop ==
// text when there is no number.
uint64_t StrToUll(const char* text, const char* end, const char** stop) {
  unsigned base = 10;
  const char* p = text;
  if (p < end && *p == '0') {
    base = 8;
    const char* hex;
    if (end - p >= 3 && (p[1] == 'x' || p[1] == 'X') &&
        (ParseDigits(p + 2, p + 3, 16, &hex), hex == p + 3)) {
      base = 16;
      p += 2;
    }
  }
  const char* digits_end;
  const uint64_t value = ParseDigits(p, end, base, &digits_end);
  *stop = digits_end == p ? text : digits_end;
  return digits_end == p ? 0 : value;
}

// StrToUll with Linux's memparse suffixes.
uint64_t MemParseIn(const char* text, const char* end, const char** stop) {
  const char* p;
  const uint64_t value = StrToUll(text, end, &p);
  if (p == text) {
    *stop = text;
    return 0;
  }
  int shift = 0;
  if (p < end) {
    switch (*p) {
      case 'E': case 'e': shift = 60; break;
      case 'P': case 'p': shift = 50; break;
      case 'T': case 't': shift = 40; break;
      case 'G': case 'g': shift = 30; break;
      case 'M': case 'm': shift = 20; break;
      case 'K': case 'k': shift = 10; break;
      default: break;
    }
    if (shift != 0) ++p;
  }
  *stop = p;
  return value << shift;
}

// One memmap= value, a comma-separated list (mem_avoid_memmap,
// parse_memmap): nn#ss, nn$ss, nn!ss reserve [ss, ss + nn); nn@ss is RAM
// and ignored; nn alone is a limit like mem=. The list stops at what does
// not parse, "exactmap" included.
void Memmap(const char* p, const char* end, KaslrOptions* o) {
  while (p < end) {
    if (o->memmap_count == kMaxMemmapRanges) {
      o->memmap_too_many = true;
      return;
    }
    const char* item_end = p;
    while (item_end < end && *item_end != ',') ++item_end;
    const char* q;
    const uint64_t size = MemParseIn(p, item_end, &q);
    if (q == p) return;  // "exactmap", or no number
    if (q < item_end && (*q == '#' || *q == '$' || *q == '!')) {
      const char* r;
      const uint64_t start = MemParseIn(q + 1, item_end, &r);
      // memparse of nothing gives 0: Linux then takes it as a limit.
      if (start == 0) {
        if (size != 0) o->mem_limit = size;
      } else {
        const uint64_t stop = start + size < start ? ~uint64_t{0} : start + size;
        o->memmap[o->memmap_count++] = {start, stop};
      }
    } else if (q < item_end && *q == '@') {
      // Usable RAM: nothing to avoid.
    } else if (size != 0) {
      o->mem_limit = size;
    }
    p = item_end < end ? item_end + 1 : end;
  }
}

// Whether the comma-separated list [p, end) holds `option` as one of its
// items (Linux's parse_option_str).
bool ListHas(const char* p, const char* end, const char* option) {
  while (p < end) {
    const char* o = option;
    while (p < end && *o != 0 && *p == *o) ++p, ++o;
    if (*o == 0 && (p == end || *p == ',')) return true;
    while (p < end && *p != ',') ++p;
    if (p < end) ++p;
  }
  return false;
}

// The exponent of a power of two, by 32-bit halves: __builtin_ctzll
// would call libgcc in the 32-bit stage.
int Log2(uint64_t power) {
  const uint32_t low = static_cast<uint32_t>(power);
  return low != 0 ? __builtin_ctz(low) : 32 + __builtin_ctz(static_cast<uint32_t>(power >> 32));
}

}  // namespace

uint64_t MemParse(const char* text, const char** end) {
  const char* stop = text;
  while (*stop != 0) ++stop;
  return MemParseIn(text, stop, end);
}

KaslrOptions ParseKaslrOptions(const char* cmdline, uint32_t len) {
  KaslrOptions o;
  if (cmdline == nullptr) return o;
  uint32_t n = 0;
  while (n < len && cmdline[n] != 0) ++n;
  const char* end = cmdline + n;
  bool mem_options = true;
  bool after_dashes = false;
  bool gb_page_size = false;  // the last hugepagesz= said 1 GiB
  Word w;
  for (const char* at = cmdline; NextWord(&at, end, &w);) {
    if (w.value == nullptr) {
      if (w.Is("nokaslr")) o.nokaslr = true;
      // What follows a lone "--" is init's, not the kernel's.
      if (w.Is("--")) mem_options = false, after_dashes = true;
      continue;
    }
    // Linux's EFI stub reads efi= up to a "--" (efi_parse_options), not
    // stopped by mem=0 as the memory options are.
    if (w.Is("efi") && !after_dashes) {
      o.efi_nosoftreserve = ListHas(w.value, w.value_end, "nosoftreserve");
      continue;
    }
    if (w.Is("bzelf.kaslr_seed")) {
      const char* stop;
      const uint64_t seed = MemParseIn(w.value, w.value_end, &stop);
      if (stop != w.value) {
        o.has_seed = true;
        o.seed = static_cast<uint32_t>(seed);
      }
      continue;
    }
    if (!mem_options) continue;
    if (w.Is("memmap")) {
      Memmap(w.value, w.value_end, &o);
    } else if (w.Is("hugepagesz")) {
      const char* stop;
      gb_page_size = MemParseIn(w.value, w.value_end, &stop) == kGbPageSize;
    } else if (w.Is("hugepages")) {
      const char* stop;
      if (gb_page_size) o.gb_huge_pages = StrToUll(w.value, w.value_end, &stop);
    } else if (w.Is("mem")) {
      const char* stop;
      const uint64_t limit = MemParseIn(w.value, w.value_end, &stop);
      // mem=nopentium is about page sizes; Linux stops reading memory
      // options at a mem= of 0 (or of no number).
      const char* nopentium = "nopentium";
      const char* v = w.value;
      while (v < w.value_end && *nopentium != 0 && *v == *nopentium) ++v, ++nopentium;
      if (*nopentium == 0 && v == w.value_end) continue;
      if (limit == 0) {
        mem_options = false;
        continue;
      }
      o.mem_limit = limit;
    }
  }
  return o;
}

uint32_t RotateXor(uint32_t hash, const void* data, size_t size) {
  const auto* bytes = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i + 4 <= size; i += 4) {
    uint32_t word;
    __builtin_memcpy(&word, bytes + i, 4);
    hash = (hash >> 7) | (hash << 25);
    hash ^= word;
  }
  return hash;
}

uint32_t BootSeed(const void* build, size_t build_size, const linuxboot::boot_params& bp) {
  return RotateXor(RotateXor(0, build, build_size), &bp, sizeof(bp));
}

uint32_t KaslrMix(uint32_t value) {
  const uint64_t product = uint64_t{value} * kKaslrMixConstant32;
  return static_cast<uint32_t>(product) + static_cast<uint32_t>(product >> 32);
}

const char* KaslrHowName(KaslrHow how) {
  switch (how) {
    case KaslrHow::kFixed: return "the kernel cannot move";
    case KaslrHow::kNokaslr: return "nokaslr";
    case KaslrHow::kRandom: return "random";
    case KaslrHow::kNoSlot: return "no slot fits: the link address";
    case KaslrHow::kMemmapLimit: return "more than 4 memmap= ranges: the link address";
    case KaslrHow::kLowest: return "the link address is not usable: the lowest slot";
  }
  return "?";
}

uint32_t CountSlots(const MemoryPlan& plan, const SlotSearch& s, uint32_t pick, uint64_t* at) {
  // Powers of two only: slots are counted by shifts (no 64-bit division
  // in the 32-bit stage).
  if (s.align == 0 || (s.align & (s.align - 1)) != 0 || s.size == 0) return 0;
  const int shift = Log2(s.align);
  constexpr uint64_t kCap = 0xffff'ffff;
  uint64_t total = 0;
  auto slots = [&](Range r) {
    if (total == kCap || r.start + (s.align - 1) < r.start) return;
    const uint64_t first = (r.start + s.align - 1) & ~(s.align - 1);
    if (first > r.end || r.end - first < s.size) return;
    uint64_t n = ((r.end - first - s.size) >> shift) + 1;
    if (n > kCap - total) n = kCap - total;
    if (at != nullptr && pick >= total && pick - total < n) *at = first + ((pick - total) << shift);
    total += n;
  };
  uint64_t gb_left = s.gb_huge_pages;
  auto free_range = [&](Range r) {
    constexpr uint64_t kMask = kGbPageSize - 1;
    const uint64_t gb_start = r.start > ~kMask ? r.end : (r.start + kMask) & ~kMask;
    uint64_t gb_end = r.end & ~kMask;
    if (gb_left == 0 || gb_start >= gb_end) {
      slots(r);
      return;
    }
    slots({r.start, gb_start});
    const uint64_t whole = (gb_end - gb_start) >> 30;
    if (whole > gb_left) {
      gb_end = gb_start + (gb_left << 30);
      gb_left = 0;
    } else {
      gb_left -= whole;
    }
    slots({gb_end, r.end});
  };
  // With no EFI map, one pass over all of [floor, ceiling).
  const EfiMemoryMap& efi = plan.efi_map();
  const uint64_t count = efi.Count();
  bool mirror = false;
  for (uint64_t i = 0; i < count; ++i) {
    mirror = mirror || (efi.At(i).Attribute & efi::EFI_MEMORY_MORE_RELIABLE) != 0;
  }
  for (uint64_t i = 0; i < (count == 0 ? 1 : count); ++i) {
    Range r{0, ~uint64_t{0}};
    if (count != 0) {
      const efi::EFI_MEMORY_DESCRIPTOR d = efi.At(i);
      if (d.Type != efi::EfiConventionalMemory) continue;
      if (s.efi_skip_sp && (d.Attribute & efi::EFI_MEMORY_SP) != 0) continue;
      if (mirror && (d.Attribute & efi::EFI_MEMORY_MORE_RELIABLE) == 0) continue;
      r = DescriptorRange(d);
    }
    const uint64_t floor = r.start > s.floor ? r.start : s.floor;
    const uint64_t ceiling = r.end < s.ceiling ? r.end : s.ceiling;
    if (floor < ceiling) plan.ForEachFree(floor, ceiling, s.avoid, s.avoid_count, free_range);
  }
  return static_cast<uint32_t>(total);
}

uint32_t VirtualSlots(const KaslrKernel& k) {
  if (k.align == 0 || (k.align & (k.align - 1)) != 0) return 0;
  const uint64_t size = (k.size + k.align - 1) & ~(k.align - 1);
  const uint64_t start = (k.link_base + k.align - 1) & ~(k.align - 1);
  if (start > k.virt_window || k.virt_window - start < size) return 0;
  const uint64_t n = ((k.virt_window - start - size) >> Log2(k.align)) + 1;
  return n > 0xffff'ffff ? 0xffff'ffff : static_cast<uint32_t>(n);
}

KaslrKernel KaslrKernelFor(const StageParams& p) {
  KaslrKernel k;
  const auto source = static_cast<RelocSource>(p.reloc_source);
  k.movable = source != RelocSource::kNone && p.load_address == 0 && p.virt_offset == 0;
  k.link_base = KernelLinkBase(p);
  uint64_t end = k.link_base;
  for (unsigned i = 0; i < p.segment_count && i < kMaxSegments; ++i) {
    const uint64_t e = p.segments[i].paddr + p.segments[i].memsz;
    if (e > end) end = e;
  }
  k.size = end - k.link_base;
  k.align = p.move_align;
  // The stage writes the kernel with paging off: below 4 GiB, except
  // x86_64 Linux (below), which it writes there and copies higher.
  k.ceiling = k4GiB;
  if (source == RelocSource::kTable) {
    // Linux: never below its link address (LOAD_PHYSICAL_ADDR); x86_64
    // moves virtually on its own inside KERNEL_IMAGE_SIZE, i386's virtual
    // addresses follow the physical ones and its image stays below
    // KERNEL_IMAGE_SIZE.
    k.floor = k.link_base;
    if (p.kernel_class == elf::ELFCLASS64) {
      k.virt = KaslrVirtual::kWindow;
      k.virt_window = kLinuxKernelImageSize64;
      // Its physical move needs no relocation: placed above 4 GiB, it is
      // written below and copied up by the 64-bit hand-off
      // (lib/kernel-staging.h).
      k.ceiling = kLinuxMaxPhys64;
    } else {
      k.virt = KaslrVirtual::kFollows;
      k.ceiling = kLinuxKernelImageSize32;
    }
  } else {
    k.virt = KaslrVirtual::kFollows;  // identity-mapped PIE kernels
  }
  return k;
}

}  // namespace bzelf
