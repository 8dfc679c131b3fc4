// The setup's GDT selectors that the boot protocol does not fix (BOOT_CS
// and BOOT_DS come from lib/boot-params.h, or asm-offsets.h in assembly).
// Shared by pm.cpp, which builds the GDT, and pmjump.S, which loads TR.
#pragma once

// A 32-bit TSS: Intel VT-x refuses to enter a guest whose TR is null, so
// hypervisors that run the boot in a VT-x guest need a valid one.
#define SETUP_TSS_SELECTOR 0x20
