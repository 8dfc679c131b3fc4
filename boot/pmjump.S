/*
 * The switch to 32-bit protected mode and the jump to the next stage.
 *
 *   [[noreturn]] void ProtectedModeJump(uint32_t entry, uint32_t boot_params);
 *
 * Called from pm.cpp with the GDT (BOOT_CS, BOOT_DS, the TSS) and a null
 * IDT loaded and interrupts off. Leaves as the 32-bit boot protocol wants:
 * cs = BOOT_CS, ds = es = fs = gs = ss = BOOT_DS (flat), esi = boot_params,
 * ebx = ebp = edi = 0, paging off; esp keeps pointing at our stack, now as
 * a linear address.
 */
#include "asm-offsets.h"
#include "gdt.h"

	.code16
	.section .text.pmjump, "ax"
	.globl	ProtectedModeJump
	.type	ProtectedModeJump, @function
ProtectedModeJump:
	movl	4(%esp), %ecx		/* entry */
	movl	8(%esp), %esi		/* boot_params */
	xorl	%ebx, %ebx
	movw	%cs, %bx
	shll	$4, %ebx		/* ebx = linear base of our segment */

	/* Far pointer (32-bit offset, selector) to pm32 for the jump. The
	   segment bases stay as they were until each register is reloaded, so
	   ss still reaches it after CR0.PE is set. */
	leal	pm32(%ebx), %eax
	pushl	$BOOT_CS
	pushl	%eax

	movl	%cr0, %edx
	orb	$X86_CR0_PE, %dl
	movl	%edx, %cr0
	ljmpl	*(%esp)			/* the far jump that starts 32-bit code */

	.code32
pm32:
	movl	$BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	addl	%ebx, %esp		/* the stack as a linear address */

	movl	$SETUP_TSS_SELECTOR, %eax
	ltr	%ax

	xorl	%eax, %eax
	xorl	%ebx, %ebx
	xorl	%edx, %edx
	xorl	%ebp, %ebp
	xorl	%edi, %edi
	jmpl	*%ecx
	.size	ProtectedModeJump, . - ProtectedModeJump

	.section .note.GNU-stack, "", @progbits
