/*
 * Where place-old32.elf starts: an ELF32 kernel linked at KERNEL_VIRT_BASE
 * (Linux i386's PAGE_OFFSET, 0xC0000000) above its physical address, whose
 * p_paddr holds those same virtual addresses, as old kernels had them
 * (DESIGN.md, "What p_paddr means"). bzelf subtracts the base and enters
 * it through the 32-bit boot protocol at its physical address: protected
 * mode, paging off, CS = 0x10, DS = ES = SS = 0x18, esi = boot_params, no
 * stack (boot.rst, "32-bit Boot Protocol").
 *
 * So nothing here may use a linked address until paging is on. The code
 * finds out where it really runs (call/pop; the only stack there is yet is
 * boot_params.scratch, which boot.rst keeps for this, as Linux's
 * compressed/head_32.S uses it), saves the entry state through that, maps
 *   [0, KERNEL_VIRT_BASE)       -> itself (boot_params, the GDT, E820 RAM)
 *   [KERNEL_VIRT_BASE, 4 GiB)   -> where the kernel really is, from 0
 * with 4 MiB pages (CR4.PSE), turns paging on and jumps to its linked
 * addresses, as Linux i386's head_32.S does. The kernel mapping follows the
 * real load address, so a kernel put in the wrong place still runs and its
 * checks (placement-checks.cpp) say where it is; only a load address that
 * is not a whole number of 4 MiB pages off stops here, with a FAIL line.
 */
#define WORD_SIZE 4
#define CR0_PG 0x80000000
#define CR4_PSE 0x10
#define LARGE_PAGE_SIZE 0x400000 /* a page-directory entry with PS set */
#define PDE_FLAGS 0x83           /* present, writable, 4 MiB page */
#define DEBUG_EXIT_PORT 0xf4     /* verdict.h: kDebugExitPort */
#define DEBUG_EXIT_FAIL 0x11     /* verdict.h: kDebugExitFail */
#define COM1_DATA 0x3f8
#define COM1_LINE_STATUS 0x3fd
#define LINE_STATUS_TRANSMIT_EMPTY 0x20

	.section .text.entry, "ax"
	.code32
	.globl	startup_32
	.type	startup_32, @function
startup_32:
	/*
	 * boot_params.scratch is 4 bytes: one push at a time. EFLAGS first,
	 * before any arithmetic changes them; leal leaves them alone.
	 */
	leal	(bp_scratch + 4)(%esi), %esp
	pushfl
	popl	%edi
	call	1f
1:	popl	%ebp
	/* %ebp: run address - linked address; add it to reach a symbol. */
	subl	$1b, %ebp

	leal	boot_stack_top(%ebp), %esp
	movl	%edi, entry_flags(%ebp)
	movl	%esi, entry_boot_params(%ebp)
	movw	%cs, entry_cs(%ebp)
	movw	%ds, entry_ds(%ebp)
	movw	%es, entry_es(%ebp)
	movw	%ss, entry_ss(%ebp)
	movl	%cr0, %eax
	movl	%eax, entry_cr0(%ebp)
	movl	%cr3, %eax
	movl	%eax, entry_cr3(%ebp)
	movl	%cr4, %eax
	movl	%eax, entry_cr4(%ebp)
	sgdt	entry_gdtr(%ebp)
	leal	startup_32(%ebp), %eax
	movl	%eax, entry_run_address(%ebp)
	/* The C++ ABI, and rep stos below, want the direction flag clear. */
	cld

	/* Identity: one entry per 4 MiB below KERNEL_VIRT_BASE. */
	leal	page_directory(%ebp), %edi
	movl	$__kernel_virt_base, %ecx
	shrl	$22, %ecx
	movl	$PDE_FLAGS, %eax
2:	stosl
	addl	$LARGE_PAGE_SIZE, %eax
	decl	%ecx
	jnz	2b

	/*
	 * The kernel: the rest of the directory, KERNEL_VIRT_BASE + x to
	 * x + (run address - intended physical address).
	 */
	leal	startup_32(%ebp), %eax
	subl	$phys_startup_32, %eax
	testl	$(LARGE_PAGE_SIZE - 1), %eax
	jnz	misplaced
	orl	$PDE_FLAGS, %eax
	leal	page_directory_end(%ebp), %edx
3:	stosl
	addl	$LARGE_PAGE_SIZE, %eax
	cmpl	%edx, %edi
	jb	3b

	movl	%cr4, %eax
	orl	$CR4_PSE, %eax
	movl	%eax, %cr4
	leal	page_directory(%ebp), %eax
	movl	%eax, %cr3
	movl	%cr0, %eax
	orl	$CR0_PG, %eax
	movl	%eax, %cr0
	/* Still running at the physical address, which is identity-mapped. */
	movl	$startup_32_virtual, %eax
	jmp	*%eax

startup_32_virtual:
	movl	$boot_stack_top, %esp
	call	KernelMain
	/* KernelMain does not return; if it ever does, stop here. */
4:	cli
	hlt
	jmp	4b

/* A load address 4 MiB pages cannot map: say so on COM1 and fail. */
misplaced:
	leal	message_misplaced(%ebp), %esi
5:	movb	(%esi), %cl
	testb	%cl, %cl
	jz	7f
	/* Bounded wait for the transmitter, as in serial.cpp. */
	movl	$100000, %edi
	movw	$COM1_LINE_STATUS, %dx
6:	inb	%dx, %al
	testb	$LINE_STATUS_TRANSMIT_EMPTY, %al
	jnz	8f
	decl	%edi
	jnz	6b
8:	movw	$COM1_DATA, %dx
	movb	%cl, %al
	outb	%al, %dx
	incl	%esi
	jmp	5b
7:	movb	$DEBUG_EXIT_FAIL, %al
	outb	%al, $DEBUG_EXIT_PORT
	jmp	4b
	.size	startup_32, . - startup_32

	.section .rodata.entry, "a"
message_misplaced:
	.asciz	"\r\nbzelf-test: FAIL entered at an address that is not a multiple of 4 MiB away from the linked physical address\r\n"

	.section .bss.page_tables, "aw", @nobits
	.balign	4096
page_directory:
	.skip	4096
page_directory_end:

#include "entry-state.inc"
