/*
 * Xen's ELF notes for place-xen64.elf (xen/include/public/elfnote.h): name
 * "Xen", numeric values 8 bytes wide, in a PT_NOTE (test64.ld.S,
 * KERNEL_XEN_NOTES), the way Linux's arch/x86/xen/xen-head.S writes them.
 *
 *   XEN_ELFNOTE_VIRT_BASE     KERNEL_VIRT_BASE: where Xen would map the
 *                             kernel (virtual = pseudo-physical + this)
 *   XEN_ELFNOTE_PADDR_OFFSET  KERNEL_PADDR_OFFSET: p_paddr - physical
 *   XEN_ELFNOTE_GUEST_OS      a string note, which a loader must step over
 *
 * The values come from layout64.h and build.mk, as the linker script's do.
 */
#include "layout64.h"

#define XEN_ELFNOTE_VIRT_BASE 3
#define XEN_ELFNOTE_PADDR_OFFSET 4
#define XEN_ELFNOTE_GUEST_OS 6

/* One note (gABI "Note Section"): namesz, descsz, type, name, desc. */
.macro XEN_NOTE_BEGIN type
	.balign	4
	.long	2f - 1f
	.long	4f - 3f
	.long	\type
1:	.asciz	"Xen"
2:	.balign	4
3:
.endm
.macro XEN_NOTE_END
4:	.balign	4
.endm

	.section .note.Xen, "a", @note
	XEN_NOTE_BEGIN XEN_ELFNOTE_GUEST_OS
	.asciz	"bzelf-test"
	XEN_NOTE_END
	XEN_NOTE_BEGIN XEN_ELFNOTE_VIRT_BASE
	.quad	KERNEL_VIRT_BASE
	XEN_NOTE_END
	XEN_NOTE_BEGIN XEN_ELFNOTE_PADDR_OFFSET
	.quad	KERNEL_PADDR_OFFSET
	XEN_NOTE_END

	.section .note.GNU-stack, "", @progbits
