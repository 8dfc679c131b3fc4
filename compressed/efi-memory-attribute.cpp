// W^X: the copy of part 5 made executable where the firmware can say so
// (efi-boot.h, MakeStageExecutable; lib/efi-memory-attribute.h).
#include "efi-boot.h"
#include "efi-memory-attribute.h"

namespace bzelf {

using namespace efi;

Failure MakeStageExecutable(const EfiBoot& boot, bool in_place, uint64_t run_at,
                            uint64_t file_size) {
  EFI_MEMORY_ATTRIBUTE_PROTOCOL* memattr = nullptr;
  if (boot.bs->LocateProtocol(&EFI_MEMORY_ATTRIBUTE_PROTOCOL_GUID, nullptr,
                              reinterpret_cast<void**>(&memattr)) != EFI_SUCCESS) {
    memattr = nullptr;
  }
  const StageExecPlan plan = PlanStageExecution(in_place, run_at, file_size, memattr != nullptr);
  if (plan.how != StageExec::kMakeExecutable) return {};
  // Read-only first: firmware may refuse a page both writable and
  // executable. A firmware that refuses read-only may still grant
  // executable, which is all the copy needs.
  memattr->SetMemoryAttributes(memattr, plan.start, plan.size, EFI_MEMORY_RO);
  const EFI_STATUS s =
      memattr->ClearMemoryAttributes(memattr, plan.start, plan.size, EFI_MEMORY_XP);
  if (s != EFI_SUCCESS) {
    return EfiFail("memory", "making the boot stage's copy executable: ClearMemoryAttributes", s);
  }
  return {};
}

}  // namespace bzelf
