/*
 * The last step: jump into the kernel the way its boot protocol wants.
 * Both run with interrupts off and never return.
 */
#include "asm-offsets.h"

	.text
	.code32

/*
 * [[noreturn]] void HandOff32(uint32_t entry, uint32_t boot_params)
 * 32-bit boot protocol: flat BOOT_CS/BOOT_DS (our GDT is loaded and has
 * them), paging off, esi = boot_params, ebx = ebp = edi = 0.
 */
	.globl HandOff32
	.type HandOff32, @function
HandOff32:
	cli
	movl	4(%esp), %eax
	movl	8(%esp), %esi
	xorl	%ebx, %ebx
	xorl	%ebp, %ebp
	xorl	%edi, %edi
	jmp	*%eax

/*
 * [[noreturn]] void HandOff64(uint32_t entry_low, uint32_t entry_high,
 *                             uint32_t boot_params, uint32_t pml4,
 *                             uint32_t copy_from, uint32_t copy_to_low,
 *                             uint32_t copy_to_high, uint32_t copy_bytes)
 * Identity-mapped long mode (pml4 maps everything the kernel needs), a
 * GDT whose BOOT_CS is 64-bit code, rsi = boot_params: what Linux's
 * startup_64 (and the 64-bit boot protocol) expects. With copy_bytes
 * non-zero, the kernel written below 4 GiB is first copied to its place
 * above (lib/kernel-staging.h decides; the two do not overlap), which
 * only long mode reaches.
 */
	.globl HandOff64
	.type HandOff64, @function
HandOff64:
	cli
	movl	4(%esp), %edi		/* entry, low half */
	movl	8(%esp), %ebp		/* entry, high half */
	movl	12(%esp), %esi
	movl	16(%esp), %eax
	movl	%eax, %cr3

	movl	%cr4, %eax
	orl	$X86_CR4_PAE, %eax
	movl	%eax, %cr4
	movl	$MSR_EFER, %ecx
	rdmsr
	orl	$EFER_LME, %eax
	wrmsr

	/*
	 * A GDT whose BOOT_CS is 64-bit code. The descriptor goes on the
	 * stack; the image itself stays as it was built.
	 */
	call	1f
1:	popl	%ebx
	leal	(gdt64 - 1b)(%ebx), %eax
	pushl	%eax
	pushw	$(gdt64_end - gdt64 - 1)
	lgdt	(%esp)
	addl	$6, %esp

	movl	%cr0, %eax
	orl	$(X86_CR0_PG | X86_CR0_PE), %eax	/* long mode active */
	movl	%eax, %cr0
	/* Still 32-bit code until CS is reloaded from the new GDT. */
	pushl	$BOOT_CS
	leal	(2f - 1b)(%ebx), %eax
	pushl	%eax
	lretl

	.code64
2:	movl	$BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%eax, %fs
	movl	%eax, %gs
	shlq	$32, %rbp
	movl	%edi, %edi
	orq	%rbp, %rdi		/* rdi: 64-bit entry */
	movl	%esi, %esi		/* rsi: boot_params, zero-extended */

	/* The arguments are still on the stack, esp as at the call. */
	movl	%esp, %esp
	movl	32(%rsp), %ecx		/* copy_bytes */
	testl	%ecx, %ecx
	jz	3f
	movq	%rdi, %r8
	movq	%rsi, %r9
	movl	20(%rsp), %esi		/* from */
	movl	28(%rsp), %edi
	shlq	$32, %rdi
	movl	24(%rsp), %eax
	orq	%rax, %rdi		/* to */
	cld
	movl	%ecx, %edx
	shrl	$3, %ecx
	rep movsq
	movl	%edx, %ecx
	andl	$7, %ecx
	rep movsb
	movq	%r8, %rdi
	movq	%r9, %rsi
	xorl	%r8d, %r8d
	xorl	%r9d, %r9d
3:
	xorl	%ebx, %ebx
	xorl	%ebp, %ebp
	jmp	*%rdi

	.p2align 3
gdt64:
	.quad	0
	/* Accessed bits preset, as in head.S: the image stays unwritten. */
	.org	gdt64 + BOOT_CS
	.quad	GDT_FLAT64_CODE
	.org	gdt64 + BOOT_DS
	.quad	GDT_FLAT_DATA
gdt64_end:
