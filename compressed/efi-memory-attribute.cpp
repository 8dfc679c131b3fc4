// W^X: the copy of part 5 made executable where the firmware can say so
// (efi-boot.h, MakeStageExecutable; lib/efi-memory-attribute.h).
#include "efi-boot.h"
#include "efi-memory-attribute.h"

namespace bzelf {

using namespace efi;

Failure MakeStageExecutable(const EfiBoot& boot, const EfiConsole& console, bool in_place,
                            uint64_t run_at, uint64_t file_size) {
  EFI_MEMORY_ATTRIBUTE_PROTOCOL* memattr = nullptr;
  if (boot.bs->LocateProtocol(&EFI_MEMORY_ATTRIBUTE_PROTOCOL_GUID, nullptr,
                              reinterpret_cast<void**>(&memattr)) != EFI_SUCCESS) {
    memattr = nullptr;
  }
  const StageExecPlan plan = PlanStageExecution(in_place, run_at, file_size, memattr != nullptr);
  if (plan.how != StageExec::kMakeExecutable) return {};
  // Read-only first: firmware may refuse a page both writable and
  // executable. Going on when read-only is refused is safe: the spec lets
  // SetMemoryAttributes fail (UEFI 2.10, 37.7: EFI_UNSUPPORTED for an
  // attribute or range the firmware cannot map so, EFI_ACCESS_DENIED,
  // EFI_OUT_OF_RESOURCES), and the pages stay as they were, writable and
  // not executable. What the copy needs is only the XP clear below, and a
  // firmware that will not have pages writable and executable at once
  // refuses that, which stops the boot. Otherwise the copy runs without
  // W^X's protection, as on firmware without the protocol: worth saying.
  EFI_STATUS s = memattr->SetMemoryAttributes(memattr, plan.start, plan.size, EFI_MEMORY_RO);
  if (s != EFI_SUCCESS) {
    Message m;
    m << "SetMemoryAttributes(EFI_MEMORY_RO) on the boot stage's copy [" << Hex{plan.start}
      << ", " << Hex{plan.start + plan.size} << ") failed (EFI status " << Hex{s}
      << "): it stays writable";
    console.Note("memory", m);
  }
  s = memattr->ClearMemoryAttributes(memattr, plan.start, plan.size, EFI_MEMORY_XP);
  if (s != EFI_SUCCESS) {
    return EfiFail("memory", "making the boot stage's copy executable: ClearMemoryAttributes", s);
  }
  return {};
}

}  // namespace bzelf
