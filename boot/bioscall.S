/*
 * intcall: the setup's one gateway to the BIOS (declared in bioscall.h).
 *
 *   void intcall(uint8_t int_no, const biosregs* in, biosregs* out);
 *
 * cdecl as GCC -m16 emits it: called with CALLL, arguments in 32-bit stack
 * slots, returns with RETL. Instead of patching the vector number into an
 * INT instruction (self-modifying code, which 386/486 prefetch queues need
 * a jump to notice), it does what INT does: push FLAGS, clear IF and call
 * the handler from the interrupt vector table at 0000:4*int_no. Handlers
 * that loaders and memory managers hook into the table (memdisk hooks INT
 * 15h E820, for one) are honoured the same way.
 */
#include "bioscall.h"

	.code16
	.section .text.intcall, "ax"
	.globl	intcall
	.type	intcall, @function
intcall:
	pushfl
	pushw	%fs
	pushw	%gs
	pushal
	/* Stack: pushal (32), gs, fs (2 + 2), eflags (4), return address (4),
	   then the arguments. */
	.set	ARGS, 32 + 2 + 2 + 4 + 4

	/* The handler's far pointer (offset, segment) from the vector table. */
	movzbw	ARGS(%esp), %bx
	shlw	$2, %bx
	xorw	%ax, %ax
	movw	%ax, %fs
	pushl	%fs:(%bx)

	/* Copy *in onto the stack and load every register from it. */
	movw	ARGS + 4 + 4(%esp), %si
	subw	$BIOSREGS_SIZE, %sp
	movw	%sp, %di
	movw	$BIOSREGS_SIZE / 4, %cx
	cld
	rep movsl
	popal
	popw	%gs
	popw	%fs
	popw	%es
	popw	%ds
	popfl

	/* The far pointer is on top of the stack again. */
	pushfw
	cli
	lcallw	*%ss:2(%esp)

	/* Some 16-bit BIOS code leaves garbage in the upper half of ESP; the
	   32-bit stack addressing below must not see it. */
	movzwl	%sp, %esp

	/* Save what the BIOS returned in biosregs order. */
	pushfl
	pushw	%ds
	pushw	%es
	pushw	%fs
	pushw	%gs
	pushal
	movw	%ss, %ax
	movw	%ax, %ds
	movw	%ax, %es
	cld
	movw	BIOSREGS_SIZE + 4 + ARGS + 8(%esp), %di
	testw	%di, %di
	jz	1f
	movw	%sp, %si
	movw	$BIOSREGS_SIZE / 4, %cx
	rep movsl
1:	addw	$BIOSREGS_SIZE + 4, %sp
	popal
	popw	%gs
	popw	%fs
	popfl
	retl
	.size	intcall, . - intcall

	.section .note.GNU-stack, "", @progbits
