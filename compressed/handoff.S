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
 *                             uint32_t boot_params, uint32_t pml4)
 * Identity-mapped long mode (pml4 maps everything the kernel needs), a
 * GDT whose BOOT_CS is 64-bit code, rsi = boot_params: what Linux's
 * startup_64 (and the 64-bit boot protocol) expects.
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
	orl	$0x20, %eax		/* CR4.PAE */
	movl	%eax, %cr4
	movl	$0xc0000080, %ecx	/* EFER */
	rdmsr
	orl	$0x100, %eax		/* EFER.LME */
	wrmsr

	/* GDT and far pointer live in our own image; find them first. */
	call	1f
1:	popl	%ebx
	leal	(gdt64 - 1b)(%ebx), %eax
	movl	%eax, (gdt64_desc + 2 - 1b)(%ebx)
	lgdt	(gdt64_desc - 1b)(%ebx)
	leal	(2f - 1b)(%ebx), %eax
	movl	%eax, (farptr64 - 1b)(%ebx)
	movw	$BOOT_CS, (farptr64 + 4 - 1b)(%ebx)

	movl	%cr0, %eax
	orl	$0x80000001, %eax	/* CR0.PG | CR0.PE: long mode active */
	movl	%eax, %cr0
	ljmpl	*(farptr64 - 1b)(%ebx)

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
	xorl	%ebx, %ebx
	xorl	%ebp, %ebp
	jmp	*%rdi

	.p2align 3
gdt64:
	.quad	0
	.quad	0
	.quad	0x00af9a000000ffff	/* BOOT_CS: 64-bit code */
	.quad	0x00cf92000000ffff	/* BOOT_DS: flat data */
gdt64_end:
	.p2align 2
	.word	0
gdt64_desc:
	.word	gdt64_end - gdt64 - 1
	.long	0
farptr64:
	.long	0
	.word	0
