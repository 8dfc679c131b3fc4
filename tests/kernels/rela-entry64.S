/*
 * rela64.elf's entry: the 64-bit boot protocol (long mode, the low 4 GiB
 * identity-mapped, rsi = boot_params, no stack), at the physical address
 * of startup_64 wherever the kernel was put. As Linux's head_64.S, it
 * learns where it runs physically from %rip, and where it is to run
 * virtually from an absolute address (R_X86_64_64, which the table moves
 * by the virtual offset), maps the one onto the other with 2 MiB pages
 * (beside an identity map of the first 1 GiB, for boot_params and the
 * E820 map), and jumps there.
 */
#define PAGE_PRESENT_RW 0x3
#define PAGE_LARGE_RW 0x83	/* present, writable, 2 MiB */
#define LARGE 0x200000

	.section .text.entry, "ax"
	.code64
	.globl	startup_64
	.type	startup_64, @function
startup_64:
	leaq	_text(%rip), %rbp	/* where the kernel runs, physical */
	movabsq	$_text, %r12		/* where it runs, virtual */
	movq	%rsi, %r13

	leaq	pml4(%rip), %rdi
	leaq	pdpt_low(%rip), %rax
	orq	$PAGE_PRESENT_RW, %rax
	movq	%rax, (%rdi)
	leaq	pdpt_high(%rip), %rax
	orq	$PAGE_PRESENT_RW, %rax
	movq	%rax, 511*8(%rdi)
	leaq	pd_low(%rip), %rax
	orq	$PAGE_PRESENT_RW, %rax
	movq	%rax, pdpt_low(%rip)
	/* __START_KERNEL_map, 0xffffffff80000000: PDPT entry 510. */
	leaq	pd_high(%rip), %rax
	orq	$PAGE_PRESENT_RW, %rax
	movq	%rax, pdpt_high + 510*8(%rip)

	/* The first 1 GiB, identity. */
	leaq	pd_low(%rip), %rdi
	movl	$PAGE_LARGE_RW, %eax
	movl	$512, %ecx
1:	movq	%rax, (%rdi)
	addq	$LARGE, %rax
	addq	$8, %rdi
	loop	1b

	/* The kernel: (_end - _text) / 2 MiB + 1 pages from its virtual
	 * address's entry on; bzelf keeps the image inside this 1 GiB. */
	movq	%r12, %rax
	shrq	$21, %rax
	andl	$511, %eax
	leaq	pd_high(%rip), %rdi
	leaq	(%rdi,%rax,8), %rdi
	leaq	_end(%rip), %rcx
	subq	%rbp, %rcx
	shrq	$21, %rcx
	incq	%rcx
	movq	%rbp, %rax
	orq	$PAGE_LARGE_RW, %rax
2:	movq	%rax, (%rdi)
	addq	$LARGE, %rax
	addq	$8, %rdi
	loop	2b

	leaq	pml4(%rip), %rax
	movq	%rax, %cr3
	movabsq	$3f, %rax
	jmp	*%rax
3:	movabsq	$rela_stack_top, %rsp
	movq	%r13, %rdi
	movq	%rbp, %rsi
	call	RelaMain
4:	cli
	hlt
	jmp	4b

	.section .bss
	.balign	4096
pml4:	.skip	4096
pdpt_low:	.skip	4096
pdpt_high:	.skip	4096
pd_low:	.skip	4096
pd_high:	.skip	4096
rela_stack:
	.skip	16384
rela_stack_top:
	.section .note.GNU-stack, "", @progbits
