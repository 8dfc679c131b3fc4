// W^X for the EFI stub (lib/efi-memory-attribute.h).
#include "efi-memory-attribute.h"

namespace bzelf {

StageExecPlan PlanStageExecution(bool in_place, uint64_t run_at, uint64_t file_size,
                                 bool have_protocol) {
  if (in_place) return {StageExec::kInPlace};
  if (!have_protocol) return {StageExec::kLoaderCode};
  // Whole pages: the protocol takes page-aligned ranges; the copy starts
  // on a page (AllocatePages). The payload comes along: the stage only
  // reads it, and the pages past part 5 (the arena) stay writable.
  const uint64_t size = (file_size + efi::EFI_PAGE_SIZE - 1) & ~(efi::EFI_PAGE_SIZE - 1);
  return {StageExec::kMakeExecutable, run_at & ~(efi::EFI_PAGE_SIZE - 1), size};
}

}  // namespace bzelf
