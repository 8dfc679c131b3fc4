// W^X for the EFI stub (lib/efi-memory-attribute.h): which pages the stub
// makes executable, and how, with and without the firmware's
// EFI_MEMORY_ATTRIBUTE_PROTOCOL.

#include "efi-memory-attribute.h"

#include <gtest/gtest.h>

namespace bzelf {
namespace {

TEST(StageExecution, InPlaceNeedsNothing) {
  for (bool protocol : {false, true}) {
    const StageExecPlan p = PlanStageExecution(true, 0x7e8b000, 0xa00000, protocol);
    EXPECT_EQ(p.how, StageExec::kInPlace);
    EXPECT_EQ(p.size, 0u);
  }
}

TEST(StageExecution, CopyWithTheProtocolIsMadeExecutableInWholePages) {
  const StageExecPlan p = PlanStageExecution(false, 0x3c000000, 0xad1234, true);
  EXPECT_EQ(p.how, StageExec::kMakeExecutable);
  EXPECT_EQ(p.start, 0x3c000000u);
  EXPECT_EQ(p.size, 0xad2000u);
  const StageExecPlan exact = PlanStageExecution(false, 0x3c000000, 0x5000, true);
  EXPECT_EQ(exact.size, 0x5000u);
}

// Debian 12's OVMF (edk2 2022.11) has no EFI_MEMORY_ATTRIBUTE_PROTOCOL.
TEST(StageExecution, CopyWithoutTheProtocolRunsFromLoaderCode) {
  const StageExecPlan p = PlanStageExecution(false, 0x3c000000, 0xad1234, false);
  EXPECT_EQ(p.how, StageExec::kLoaderCode);
  EXPECT_EQ(p.size, 0u);
}

}  // namespace
}  // namespace bzelf
