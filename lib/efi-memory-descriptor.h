// The EFI memory map's descriptors (UEFI 2.10, 7.2 GetMemoryMap) and a
// view of a map as GetMemoryMap leaves it. Apart from efi.h because more
// than the EFI stub reads a map: the 32-bit stage chooses the kernel's
// random place from the one an EFI loader left in boot_params.efi_info
// (lib/kaslr.h), so this header holds no pointer-sized or ms_abi object
// and builds for i386 as well as for x86-64.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace bzelf::efi {

using EFI_PHYSICAL_ADDRESS = uint64_t;

// EFI_MEMORY_TYPE (spec 7.2, AllocatePages).
enum EFI_MEMORY_TYPE : uint32_t {
  EfiReservedMemoryType = 0,
  EfiLoaderCode = 1,
  EfiLoaderData = 2,
  EfiBootServicesCode = 3,
  EfiBootServicesData = 4,
  EfiRuntimeServicesCode = 5,
  EfiRuntimeServicesData = 6,
  EfiConventionalMemory = 7,
  EfiUnusableMemory = 8,
  EfiACPIReclaimMemory = 9,
  EfiACPIMemoryNVS = 10,
  EfiMemoryMappedIO = 11,
  EfiMemoryMappedIOPortSpace = 12,
  EfiPalCode = 13,
  EfiPersistentMemory = 14,
  EfiUnacceptedMemoryType = 15,
};

inline constexpr uint64_t EFI_PAGE_SIZE = 4096;

// Descriptor attributes (spec 7.2, GetMemoryMap): memory the firmware
// mirrors for reliability (address range mirroring), and "specific
// purpose" memory that the OS should leave to what it is meant for.
inline constexpr uint64_t EFI_MEMORY_MORE_RELIABLE = 0x10000;
inline constexpr uint64_t EFI_MEMORY_SP = 0x40000;

// What GetMemoryMap returns, DescriptorSize bytes apart: firmware may use
// a larger size than this struct (OVMF's is 48), so never index an array
// of them (spec 7.2, GetMemoryMap). alignas: i386 aligns a uint64_t
// member to 4 bytes only, the spec's layout has it at 8.
struct EFI_MEMORY_DESCRIPTOR {
  uint32_t Type;
  alignas(8) EFI_PHYSICAL_ADDRESS PhysicalStart;
  alignas(8) uint64_t VirtualStart;
  alignas(8) uint64_t NumberOfPages;
  alignas(8) uint64_t Attribute;
};
static_assert(sizeof(EFI_MEMORY_DESCRIPTOR) == 40);
static_assert(offsetof(EFI_MEMORY_DESCRIPTOR, PhysicalStart) == 8);
static_assert(offsetof(EFI_MEMORY_DESCRIPTOR, NumberOfPages) == 24);
static_assert(offsetof(EFI_MEMORY_DESCRIPTOR, Attribute) == 32);
inline constexpr uint32_t EFI_MEMORY_DESCRIPTOR_VERSION = 1;

}  // namespace bzelf::efi

namespace bzelf {

// GetMemoryMap's buffer: `size` bytes of descriptors `descriptor_size`
// apart (never sizeof(EFI_MEMORY_DESCRIPTOR): firmware may use more). An
// empty view (the default) has no descriptors.
class EfiMemoryMap {
 public:
  EfiMemoryMap() = default;
  EfiMemoryMap(const void* buffer, uint64_t size, uint64_t descriptor_size)
      : buffer_(static_cast<const uint8_t*>(buffer)), size_(size),
        descriptor_size_(descriptor_size) {}

  uint64_t Count() const {
    // A 32-bit division: the i386 stage has no 64-bit one (that is
    // libgcc's), and no map is 4 GiB long.
    if (descriptor_size_ < sizeof(efi::EFI_MEMORY_DESCRIPTOR) || descriptor_size_ > 0xffff'ffff) {
      return 0;
    }
    const uint32_t size = size_ > 0xffff'ffff ? 0xffff'ffff : static_cast<uint32_t>(size_);
    return size / static_cast<uint32_t>(descriptor_size_);
  }
  efi::EFI_MEMORY_DESCRIPTOR At(uint64_t i) const {
    efi::EFI_MEMORY_DESCRIPTOR d;
    __builtin_memcpy(&d, buffer_ + i * descriptor_size_, sizeof(d));
    return d;
  }

 private:
  const uint8_t* buffer_ = nullptr;
  uint64_t size_ = 0;
  uint64_t descriptor_size_ = 0;
};

}  // namespace bzelf
