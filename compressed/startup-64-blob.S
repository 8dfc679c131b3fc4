/*
 * startup_64's C++, built as its own x86-64 link unit (linker/stage64.ld)
 * and included here as bytes: Startup64Main is its first byte, the EFI
 * stub's EfiMain at STAGE64_EFI_MAIN and EfiHandoverMain at
 * STAGE64_EFI_HANDOVER_MAIN (build/gen/stage64-symbols.h, from the linked
 * unit).
 */
#include "stage64-symbols.h"
	.text
	.p2align 4
	.globl	startup64_main
	.hidden	startup64_main
	.type	startup64_main, @function
startup64_main:
	.incbin	STAGE64_BIN
	.size	startup64_main, . - startup64_main

	.globl	efi_main
	.hidden	efi_main
	.type	efi_main, @function
	.set	efi_main, startup64_main + STAGE64_EFI_MAIN

	.globl	efi_handover_main
	.hidden	efi_handover_main
	.type	efi_handover_main, @function
	.set	efi_handover_main, startup64_main + STAGE64_EFI_HANDOVER_MAIN
