// The EFI stub's memory: the firmware's map, and pages clear of the
// kernel's ranges.
#include "efi-boot.h"

namespace bzelf {

using namespace efi;

Failure EfiFail(const char* what, const char* call, EFI_STATUS status) {
  Message m;
  m << call << " failed (EFI status " << Hex{status} << ")";
  return Fail(what, m);
}

Failure EfiBoot::GetMap(void** buffer, uint64_t* size, uint64_t* descriptor_size) const {
  UINTN map_size = 0, key, desc_size;
  uint32_t version;
  EFI_STATUS s = bs->GetMemoryMap(&map_size, nullptr, &key, &desc_size, &version);
  for (int tries = 0; s == EFI_BUFFER_TOO_SMALL && tries < 4; ++tries) {
    // The pool allocation may itself add descriptors.
    map_size += kMapSlack * desc_size;
    if ((s = bs->AllocatePool(EfiLoaderData, map_size, buffer)) != EFI_SUCCESS) break;
    s = bs->GetMemoryMap(&map_size, static_cast<EFI_MEMORY_DESCRIPTOR*>(*buffer), &key,
                         &desc_size, &version);
    if (s != EFI_SUCCESS) bs->FreePool(*buffer);
  }
  if (s != EFI_SUCCESS) return EfiFail("memory", "GetMemoryMap", s);
  *size = map_size;
  *descriptor_size = desc_size;
  return {};
}

Failure EfiBoot::Allocate(uint64_t size, uint64_t limit, const char* what, uint64_t* addr,
                          EFI_MEMORY_TYPE type) const {
  void* buffer;
  uint64_t map_size, desc_size;
  if (Failure f = GetMap(&buffer, &map_size, &desc_size)) return f;
  const uint64_t at = FindEfiFree(EfiMemoryMap(buffer, map_size, desc_size), size, limit, kernel,
                                  kernel_count);
  bs->FreePool(buffer);
  EFI_PHYSICAL_ADDRESS a = at;
  const UINTN pages = (size + EFI_PAGE_SIZE - 1) / EFI_PAGE_SIZE;
  EFI_STATUS s = at == 0 ? EFI_OUT_OF_RESOURCES
                         : bs->AllocatePages(AllocateAddress, type, pages, &a);
  if (s != EFI_SUCCESS) {
    Message m;
    m << "no room for " << what << " (" << Dec{size} << " bytes) below " << Hex{limit}
      << " clear of the kernel (EFI status " << Hex{s} << ")";
    return Fail("memory", m);
  }
  *addr = a;
  return {};
}

}  // namespace bzelf
