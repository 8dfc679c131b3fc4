// Where the kernel runs: the placement `bzelf build` fixed, else for a
// kernel that can move the place KASLR draws (lib/kaslr.h), else its link
// address.
#pragma once

#include <stdint.h>

#include "boot-params.h"
#include "cpu-check.h"
#include "kernel-move.h"
#include "kernel-staging.h"
#include "memory-plan.h"
#include "message.h"
#include "stage-params.h"

namespace bzelf {

// `plan` is initialized (MemoryPlan::Init) and `cmdline` is the command
// line the kernel will get (the loader's or the built-in one). Sets
// KASLR_FLAG in `bp` when a Linux kernel is randomized, and says on the
// console when it cannot be (no slot fits, too many memmap= ranges) or
// goes elsewhere than asked (its link address is not usable). The move is
// checked (CheckMove), and `staging` says where the stage writes the
// kernel: in place, or below 4 GiB to be copied up (lib/kernel-staging.h).
Failure ChooseKernelMove(linuxboot::boot_params* bp, const StageParams& params,
                         const MemoryPlan& plan, const char* cmdline, const CpuFeatures& cpu,
                         KernelMove* move, KernelStaging* staging);

}  // namespace bzelf
