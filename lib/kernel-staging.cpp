#include "kernel-staging.h"

namespace bzelf {

PlanError PlanKernelStaging(const MemoryPlan& plan, const KaslrKernel& kernel,
                            const KernelMove& move, const Range* avoid, int avoid_count,
                            KernelStaging* out) {
  *out = {};
  out->final_base = kernel.link_base + move.phys_move;
  out->temp_base = out->final_base;
  out->size = kernel.size;
  const Range final{out->final_base, out->final_base + kernel.size};
  if (final.end <= k4GiB || final.end < final.start || kernel.virt != KaslrVirtual::kWindow) {
    return {};
  }
  // The place is drawn from free slots (CountSlots); this check holds a
  // placement from elsewhere to the same rule. The planner's search
  // finds a free range at `final.start` exactly when all of it is free.
  if (plan.FindFree(kernel.size, 1, final.start, final.end, nullptr, 0) != final.start) {
    PlanError e;
    e.kind = PlanError::Kind::kNotFree;
    e.subject = "kernel";
    e.range = final;
    return e;
  }
  // The kernel never runs at the temporary place: from 1 MiB up, as the
  // stage's own (StageHome), aligned as the kernel so that the stage
  // writes and relocates it as at any place it could run at.
  const uint64_t align = kernel.align != 0 ? kernel.align : kPageSize;
  Range keep[1 + kMaxMemmapRanges] = {final};
  int keep_count = 1;
  for (int i = 0; i < avoid_count && i < kMaxMemmapRanges; ++i) keep[keep_count++] = avoid[i];
  const uint64_t temp = plan.FindFree(kernel.size, align, k1MiB, k4GiB, keep, keep_count);
  if (temp == 0) {
    PlanError e;
    e.kind = PlanError::Kind::kNoRoomToStage;
    e.range = final;
    e.value = kernel.size;
    return e;
  }
  out->copy = true;
  out->temp_base = temp;
  return {};
}

}  // namespace bzelf
