/*
 * Where the 64-bit test kernel starts: e_entry, a physical address, as in
 * Linux's vmlinux (phys_startup_64).
 *
 * The 64-bit boot protocol (boot.rst, "64-bit Boot Protocol"): long mode,
 * paging on with an identity map covering at least the kernel, boot_params
 * and the command line; CS = __BOOT_CS (0x10), DS = ES = SS = __BOOT_DS
 * (0x18); interrupts off; rsi = boot_params. Nothing else need be mapped,
 * the kernel's own virtual addresses least of all.
 *
 * So, as Linux's head_64.S does: save the entry state, then prove the
 * identity map by reading every page it must cover (a fault here is a
 * triple fault, so the message below is the last line of a failed run),
 * build our own page tables -- the low 4 GiB identity-mapped, and the
 * kernel mapping of layout64.h -- and jump to the virtual addresses the C++
 * code is linked at (-mcmodel=kernel). Until the jump only RIP-relative
 * addressing is used: it yields physical addresses while we run there.
 */
#include "layout64.h"

#define WORD_SIZE 8
#define MSR_EFER 0xc0000080
#define PAGE_SIZE 4096
#define LARGE_PAGE_SIZE 0x200000
#define ENTRIES_PER_TABLE 512
#define PTE_PRESENT 0x1
#define PTE_WRITE 0x2
#define PTE_LARGE 0x80 /* in a page directory: a 2 MiB page */
#define COM1_DATA 0x3f8
#define COM1_LINE_STATUS 0x3fd
#define LINE_STATUS_TRANSMIT_EMPTY 0x20
#define DEBUG_EXIT_PORT 0xf4 /* verdict.h: kDebugExitPort */
#define DEBUG_EXIT_FAIL 0x11 /* verdict.h: kDebugExitFail */

/* The kernel mapping is one page directory: 1 GiB from KERNEL_VIRT_BASE. */
#if (KERNEL_VIRT_BASE & 0x3fffffff) != 0
#error "KERNEL_VIRT_BASE must be 1 GiB aligned"
#endif
#define KERNEL_PML4_INDEX ((KERNEL_VIRT_BASE >> 39) & 511)
#define KERNEL_PDPT_INDEX ((KERNEL_VIRT_BASE >> 30) & 511)

	.section .text.entry, "ax"
	.code64
	.globl	startup_64
	.type	startup_64, @function
startup_64:
	/* Loading %rsp leaves RFLAGS alone, so pushfq sees the loader's. */
	leaq	boot_stack_top(%rip), %rsp
	pushfq
	popq	entry_flags(%rip)
	movq	%rsi, entry_boot_params(%rip)
	movw	%cs, entry_cs(%rip)
	movw	%ds, entry_ds(%rip)
	movw	%es, entry_es(%rip)
	movw	%ss, entry_ss(%rip)
	movq	%cr0, %rax
	movq	%rax, entry_cr0(%rip)
	movq	%cr3, %rax
	movq	%rax, entry_cr3(%rip)
	movq	%cr4, %rax
	movq	%rax, entry_cr4(%rip)
	movl	$MSR_EFER, %ecx
	rdmsr
	movl	%eax, entry_efer(%rip)
	movl	%edx, entry_efer+4(%rip)
	sgdt	entry_gdtr(%rip)
	/* Where we really are: RIP-relative addresses are the physical ones. */
	leaq	startup_64(%rip), %rax
	movq	%rax, entry_run_address(%rip)
	/* The C++ ABI wants the direction flag clear. */
	cld

	leaq	message_entered(%rip), %rdi
	call	early_puts

	/*
	 * The kernel mapping below assumes the loader put us at the physical
	 * address we are linked for: if not, say so and fail rather than jump
	 * into whatever lies there (placement-checks.cpp reports the rest).
	 */
	movq	entry_run_address(%rip), %rax
	cmpq	$phys_startup_64, %rax
	jne	misplaced

	/* One byte of every page of the kernel, text to the end of bss. */
	leaq	__kernel_start(%rip), %rax
	leaq	__kernel_end(%rip), %rdx
1:	movb	(%rax), %cl
	addq	$PAGE_SIZE, %rax
	cmpq	%rdx, %rax
	jb	1b
	movb	-1(%rdx), %cl

	/* boot_params: its first and last byte. */
	movq	entry_boot_params(%rip), %rsi
	movb	(%rsi), %cl
	movb	bp_size-1(%rsi), %cl

	/* The command line, up to its NUL (at most cmdline_size + 1 bytes). */
	movl	bp_cmd_line_ptr(%rsi), %eax
	movl	bp_ext_cmd_line_ptr(%rsi), %edx
	shlq	$32, %rdx
	orq	%rdx, %rax
	jz	3f
	movl	bp_cmdline_size(%rsi), %ecx
	incq	%rcx
2:	cmpb	$0, (%rax)
	je	3f
	incq	%rax
	decq	%rcx
	jnz	2b
3:	movl	$1, entry_identity_map_touched(%rip)

	/*
	 * Our page tables live in .bss, which is one of the things we check
	 * rather than trust: clear them first.
	 */
	leaq	page_tables(%rip), %rdi
	movl	$(page_tables_end - page_tables) / 8, %ecx
	xorl	%eax, %eax
	rep stosq

	/* PML4: entry 0 -> the identity PDPT, KERNEL_PML4_INDEX -> kernel's. */
	leaq	pml4(%rip), %rdi
	leaq	pdpt_identity(%rip), %rax
	orq	$(PTE_PRESENT | PTE_WRITE), %rax
	movq	%rax, (%rdi)
	leaq	pdpt_kernel(%rip), %rax
	orq	$(PTE_PRESENT | PTE_WRITE), %rax
	movq	%rax, KERNEL_PML4_INDEX * 8(%rdi)

	/* Identity PDPT: four page directories, 4 GiB in 2 MiB pages. */
	leaq	pdpt_identity(%rip), %rdi
	leaq	pd_identity(%rip), %rax
	orq	$(PTE_PRESENT | PTE_WRITE), %rax
	movl	$4, %ecx
1:	movq	%rax, (%rdi)
	addq	$PAGE_SIZE, %rax
	addq	$8, %rdi
	decl	%ecx
	jnz	1b
	leaq	pd_identity(%rip), %rdi
	movl	$4 * ENTRIES_PER_TABLE, %ecx
	call	fill_large_pages

	/* Kernel PDPT: one page directory, KERNEL_VIRT_BASE + x -> x. */
	leaq	pdpt_kernel(%rip), %rdi
	leaq	pd_kernel(%rip), %rax
	orq	$(PTE_PRESENT | PTE_WRITE), %rax
	movq	%rax, KERNEL_PDPT_INDEX * 8(%rdi)
	leaq	pd_kernel(%rip), %rdi
	movl	$ENTRIES_PER_TABLE, %ecx
	call	fill_large_pages

	leaq	pml4(%rip), %rax
	movq	%rax, %cr3
	movabsq	$startup_64_virtual, %rax
	jmp	*%rax

startup_64_virtual:
	movq	$boot_stack_top, %rsp
	call	KernelMain
	/* KernelMain does not return; if it ever does, stop here. */
1:	cli
	hlt
	jmp	1b
	.size	startup_64, . - startup_64

misplaced:
	leaq	message_misplaced(%rip), %rdi
	call	early_puts
	movb	$DEBUG_EXIT_FAIL, %al
	outb	%al, $DEBUG_EXIT_PORT
1:	cli
	hlt
	jmp	1b

/*
 * fill_large_pages: %ecx page-directory entries at %rdi, mapping 2 MiB
 * pages from physical 0 up. Clobbers rax, rcx, rdi.
 */
fill_large_pages:
	movl	$(PTE_PRESENT | PTE_WRITE | PTE_LARGE), %eax
1:	movq	%rax, (%rdi)
	addq	$LARGE_PAGE_SIZE, %rax
	addq	$8, %rdi
	decl	%ecx
	jnz	1b
	ret

/*
 * early_puts: writes the NUL-terminated string at %rdi to COM1, before
 * SerialInit has programmed the UART (QEMU's takes bytes as it is, and a
 * firmware-programmed one runs at its own settings). The wait for the
 * transmitter is bounded, as in serial.cpp. Clobbers rax, rcx, rdx, rdi, r8.
 */
early_puts:
	movb	(%rdi), %cl
	testb	%cl, %cl
	jz	3f
	movl	$100000, %r8d
	movw	$COM1_LINE_STATUS, %dx
1:	inb	%dx, %al
	testb	$LINE_STATUS_TRANSMIT_EMPTY, %al
	jnz	2f
	decl	%r8d
	jnz	1b
2:	movw	$COM1_DATA, %dx
	movb	%cl, %al
	outb	%al, %dx
	incq	%rdi
	jmp	early_puts
3:	ret

	.section .rodata.entry, "a"
message_entered:
	.asciz	"\r\nbzelf-test: entered at the 64-bit entry; touching the identity map\r\n"
message_misplaced:
	.asciz	"bzelf-test: FAIL entered at a physical address other than phys_startup_64\r\n"

	.section .bss.page_tables, "aw", @nobits
	.balign	PAGE_SIZE
page_tables:
pml4:
	.skip	PAGE_SIZE
pdpt_identity:
	.skip	PAGE_SIZE
pdpt_kernel:
	.skip	PAGE_SIZE
pd_kernel:
	.skip	PAGE_SIZE
pd_identity:
	.skip	4 * PAGE_SIZE
page_tables_end:

#include "entry-state.inc"
