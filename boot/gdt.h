// The setup's GDT selector that the boot protocol does not fix (BOOT_CS
// and BOOT_DS come from lib/boot-params.h, or asm-offsets.h in assembly).
// pm.cpp builds the GDT (with lib/segment-descriptor.h) and pmjump.S loads
// the TSS by this selector.
#pragma once

// A 32-bit TSS: Intel VT-x refuses to enter a guest whose TR is null, so
// hypervisors that run the boot in a VT-x guest need a valid one.
#define SETUP_TSS_SELECTOR 0x20
