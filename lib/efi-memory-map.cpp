#include "efi-memory-map.h"

namespace bzelf {

using linuxboot::e820_entry;

uint32_t E820TypeOfEfi(uint32_t efi_type) {
  switch (efi_type) {
    case efi::EfiLoaderCode:
    case efi::EfiLoaderData:
    case efi::EfiBootServicesCode:
    case efi::EfiBootServicesData:
    case efi::EfiConventionalMemory:
      return linuxboot::E820_TYPE_RAM;
    case efi::EfiACPIReclaimMemory: return linuxboot::E820_TYPE_ACPI;
    case efi::EfiACPIMemoryNVS: return linuxboot::E820_TYPE_NVS;
    case efi::EfiUnusableMemory: return linuxboot::E820_TYPE_UNUSABLE;
    case efi::EfiPersistentMemory: return linuxboot::E820_TYPE_PMEM;
    default: return linuxboot::E820_TYPE_RESERVED;
  }
}

E820Fill FillE820(const EfiMemoryMap& map, linuxboot::boot_params& bp, linuxboot::setup_data* ext,
                  uint32_t ext_capacity) {
  E820Fill fill;
  auto* ext_entries = ext ? reinterpret_cast<e820_entry*>(ext + 1) : nullptr;
  e820_entry* prev = nullptr;
  for (uint64_t i = 0; i < map.Count(); ++i) {
    const efi::EFI_MEMORY_DESCRIPTOR d = map.At(i);
    const uint32_t type = E820TypeOfEfi(d.Type);
    const Range r = DescriptorRange(d);
    if (prev != nullptr && prev->type == type && prev->addr + prev->size == r.start) {
      prev->size += r.end - r.start;
      continue;
    }
    e820_entry* e;
    if (fill.entries < linuxboot::E820_MAX_ENTRIES_ZEROPAGE) {
      e = &bp.e820_table[fill.entries++];
    } else if (ext_entries != nullptr && fill.ext_entries < ext_capacity) {
      e = &ext_entries[fill.ext_entries++];
    } else {
      fill.fits = false;
      break;
    }
    e->addr = r.start;
    e->size = r.end - r.start;
    e->type = type;
    prev = e;
  }
  bp.e820_entries = static_cast<uint8_t>(fill.entries);
  if (ext != nullptr) {
    ext->type = linuxboot::SETUP_E820_EXT;
    ext->len = fill.ext_entries * static_cast<uint32_t>(sizeof(e820_entry));
  }
  return fill;
}

namespace {

bool KernelMayUse(uint32_t efi_type) {
  switch (efi_type) {
    case efi::EfiLoaderCode:
    case efi::EfiLoaderData:
    case efi::EfiBootServicesCode:
    case efi::EfiBootServicesData:
    case efi::EfiConventionalMemory:
      return true;
    default:
      return false;
  }
}

const char* EfiTypeName(uint32_t type) {
  switch (type) {
    case efi::EfiReservedMemoryType: return "reserved";
    case efi::EfiRuntimeServicesCode: return "runtime services code";
    case efi::EfiRuntimeServicesData: return "runtime services data";
    case efi::EfiUnusableMemory: return "unusable";
    case efi::EfiACPIReclaimMemory: return "ACPI tables";
    case efi::EfiACPIMemoryNVS: return "ACPI NVS";
    case efi::EfiMemoryMappedIO: return "MMIO";
    case efi::EfiMemoryMappedIOPortSpace: return "MMIO port space";
    case efi::EfiPalCode: return "PAL code";
    case efi::EfiPersistentMemory: return "persistent";
    default: return "unknown-type";
  }
}

Failure RangeError(Range range, const char* subject, int index, Message& why) {
  Message m;
  m << subject;
  if (index >= 0) m << " " << Dec{static_cast<uint64_t>(index)};
  m << " [" << Hex{range.start} << ", " << Hex{range.end} << ") " << why.c_str();
  return Fail("memory", m);
}

}  // namespace

Failure CheckKernelRange(const EfiMemoryMap& map, Range range, const char* subject, int index) {
  // Walk the range from its start: each step finds the descriptor that
  // holds `at`, which must be usable, and moves past it. Descriptors may
  // come in any order.
  uint64_t at = range.start;
  while (at < range.end) {
    bool found = false;
    for (uint64_t i = 0; i < map.Count() && !found; ++i) {
      const efi::EFI_MEMORY_DESCRIPTOR d = map.At(i);
      const Range r = DescriptorRange(d);
      if (at < r.start || at >= r.end) continue;
      if (!KernelMayUse(d.Type)) {
        Message why;
        why << "lies in EFI " << EfiTypeName(d.Type) << " memory at [" << Hex{r.start} << ", "
            << Hex{r.end} << ")";
        return RangeError(range, subject, index, why);
      }
      at = r.end;
      found = true;
    }
    if (!found) {
      Message why;
      why << "reaches " << Hex{at} << ", which the EFI memory map does not describe";
      return RangeError(range, subject, index, why);
    }
  }
  return {};
}

uint64_t FindEfiFree(const EfiMemoryMap& map, uint64_t size, uint64_t limit, const Range* avoid,
                     int avoid_count) {
  constexpr uint64_t kPage = efi::EFI_PAGE_SIZE;
  size = (size + kPage - 1) & ~(kPage - 1);
  uint64_t best = 0;
  for (uint64_t i = 0; i < map.Count(); ++i) {
    const efi::EFI_MEMORY_DESCRIPTOR d = map.At(i);
    if (d.Type != efi::EfiConventionalMemory) continue;
    const Range r = DescriptorRange(d);
    const uint64_t low = r.start < k1MiB ? k1MiB : r.start;
    uint64_t top = r.end < limit ? r.end : limit;
    // Slide down below every avoided range the candidate touches; each
    // pass moves the top down, so this ends.
    while (top >= low + size && top - size > best) {
      const uint64_t a = (top - size) & ~(kPage - 1);
      if (a < low) break;
      const Range candidate{a, a + size};
      bool clear = true;
      for (int k = 0; k < avoid_count; ++k) {
        if (candidate.Overlaps(avoid[k])) {
          top = avoid[k].start;
          clear = false;
          break;
        }
      }
      if (clear) {
        best = a;
        break;
      }
    }
  }
  return best;
}

namespace {

// Position and width of the contiguous run of set bits in `mask`.
void MaskField(uint32_t mask, uint8_t* pos, uint8_t* size) {
  uint8_t p = 0;
  uint8_t n = 0;
  if (mask != 0) {
    while ((mask & 1) == 0) {
      mask >>= 1;
      ++p;
    }
    while ((mask & 1) != 0) {
      mask >>= 1;
      ++n;
    }
  }
  *pos = p;
  *size = n;
}

}  // namespace

bool ScreenInfoFromGop(const efi::EFI_GRAPHICS_OUTPUT_MODE_INFORMATION& info,
                       uint64_t frame_buffer_base, uint64_t frame_buffer_size,
                       linuxboot::screen_info& si) {
  uint8_t bits = 32;
  switch (info.PixelFormat) {
    case efi::PixelRedGreenBlueReserved8BitPerColor:
      si.red_size = si.green_size = si.blue_size = si.rsvd_size = 8;
      si.red_pos = 0, si.green_pos = 8, si.blue_pos = 16, si.rsvd_pos = 24;
      break;
    case efi::PixelBlueGreenRedReserved8BitPerColor:
      si.red_size = si.green_size = si.blue_size = si.rsvd_size = 8;
      si.red_pos = 16, si.green_pos = 8, si.blue_pos = 0, si.rsvd_pos = 24;
      break;
    case efi::PixelBitMask: {
      const efi::EFI_PIXEL_BITMASK& m = info.PixelInformation;
      MaskField(m.RedMask, &si.red_pos, &si.red_size);
      MaskField(m.GreenMask, &si.green_pos, &si.green_size);
      MaskField(m.BlueMask, &si.blue_pos, &si.blue_size);
      MaskField(m.ReservedMask, &si.rsvd_pos, &si.rsvd_size);
      // Bits per pixel: up to the highest bit any mask uses (gop.c).
      const uint32_t all = m.RedMask | m.GreenMask | m.BlueMask | m.ReservedMask;
      bits = 0;
      for (uint32_t v = all; v != 0; v >>= 1) ++bits;
      break;
    }
    default:
      return false;
  }
  si.orig_video_isVGA = linuxboot::VIDEO_TYPE_EFI;
  si.lfb_width = static_cast<uint16_t>(info.HorizontalResolution);
  si.lfb_height = static_cast<uint16_t>(info.VerticalResolution);
  si.lfb_depth = bits;
  si.lfb_linelength = static_cast<uint16_t>(info.PixelsPerScanLine * bits / 8);
  si.lfb_base = static_cast<uint32_t>(frame_buffer_base);
  si.ext_lfb_base = static_cast<uint32_t>(frame_buffer_base >> 32);
  si.capabilities = linuxboot::VIDEO_CAPABILITY_SKIP_QUIRKS;
  if (si.ext_lfb_base != 0) si.capabilities |= linuxboot::VIDEO_CAPABILITY_64BIT_BASE;
  si.lfb_size = static_cast<uint32_t>(frame_buffer_size);
  return true;
}

uint64_t FindRsdp(const efi::EFI_CONFIGURATION_TABLE* tables, uint64_t count) {
  uint64_t acpi1 = 0;
  for (uint64_t i = 0; i < count; ++i) {
    const uint64_t table = reinterpret_cast<uintptr_t>(tables[i].VendorTable);
    if (tables[i].VendorGuid == efi::EFI_ACPI_20_TABLE_GUID) return table;
    if (tables[i].VendorGuid == efi::ACPI_TABLE_GUID && acpi1 == 0) acpi1 = table;
  }
  return acpi1;
}

}  // namespace bzelf
