/*
 * startup_64's first step: bring everything the 32-bit stage must reach
 * below 4 GiB. A 64-bit loader (XLF_CAN_BE_LOADED_ABOVE_4G) may put part 5,
 * boot_params and the command line anywhere in memory: kexec's bzImage64
 * loaders take the top of RAM. The stage runs in 32-bit mode with paging
 * off, so, still in long mode:
 *
 *   - boot_params above 4 GiB (or whenever part 5 moves) is copied to the
 *     arena's zero page, and a command line above 4 GiB to the arena's
 *     command-line page (the pointer in boot_params follows it); the
 *     initrd and setup_data stay where they are (a 64-bit kernel reaches
 *     them itself);
 *   - part 5 above 4 GiB (or crossing it) is copied, with those two arena
 *     pages, to E820 RAM below 4 GiB, at or above 1 MiB, clear of every
 *     kernel segment and of what the loader handed us, and entered again
 *     at its startup_64 -- which then finds everything below 4 GiB.
 *
 * Boot protocol (boot.rst, 64-bit): the loader's identity map covers part 5
 * and init_size from it, boot_params and the command line, nothing else.
 * So all reading and planning happens under the loader's map; then our own
 * page tables (in the arena: scratch and page-table area, both unused
 * until the C++ runs) map the 1 GiB slots of the source and of the
 * destination, and the copy runs under them. Nothing is written into
 * part 5 itself: the C++ checks its checksum before it trusts it.
 */
#include "asm-offsets.h"

#define K4GIB		0x100000000
#define LOWEST		0x100000	/* the stage stays above 1 MiB */
#define PAGE		4096
#define PTE_PW		0x3		/* present, writable */
#define PDE_2M		0x83		/* present, writable, 2 MiB page */
#define PTE_ADDR	0x000ffffffffff000

/* Flags kept in %ebx below. */
#define F_BP_COPIED	1
#define F_CMD_COPIED	2

/* Obstacles for the destination: the stage, boot_params, command line,
 * initrd and the kernel's segments; 16 bytes each ([start, end)). */
#define MAX_OBSTACLES	(4 + MAX_SEGMENTS)

.if ARENA_ZERO_PAGE_OFFSET - ARENA_SCRATCH_OFFSET < 8 * PAGE
.error "startup_64's page tables need 8 arena pages"
.endif
.if ARENA_CMDLINE_OFFSET != ARENA_ZERO_PAGE_OFFSET + PAGE || ARENA_SIZE != ARENA_CMDLINE_OFFSET + ARENA_CMDLINE_SIZE
.error "the zero page and command-line page must end the arena"
.endif

	.text
	.code64

/*
 * Called by startup_64 with rbx = start of part 5, rsi = boot_params and
 * rsp in our arena. Returns with rsi = the boot_params to use when part 5
 * and its arena lie below 4 GiB; otherwise enters the moved copy's
 * startup_64 (or halts with a message when there is no room).
 */
	.globl Startup64BelowFourGiB
	.type Startup64BelowFourGiB, @function
Startup64BelowFourGiB:
	movq	%rbx, %r15				/* r15: part 5 */
	movl	bzelf_stage_params + SP_arena_offset(%rip), %eax
	leaq	(%r15,%rax), %r14			/* r14: our arena */
	movl	bzelf_stage_params + SP_arena_size(%rip), %r8d
	addq	%rax, %r8				/* r8: part 5 + arena bytes */
	movq	%rsi, %r13				/* r13: the loader's boot_params */
	movq	%rsi, %r12				/* r12: the one we use */
	xorl	%ebx, %ebx				/* ebx: F_* */
	movabsq	$K4GIB, %r10
	movq	%r15, %rbp				/* rbp: final part 5 */

	/*
	 * boot_params into the arena's zero page when it lies above 4 GiB,
	 * or when part 5 moves: the moved copy reads it under page tables
	 * that map only part 5 and its arena.
	 */
	leaq	(%r15,%r8), %rax
	cmpq	%r10, %rax
	ja	1f
	leaq	BP_size(%r13), %rax
	cmpq	%r10, %rax
	jbe	2f
1:	movq	%r13, %rsi
	leaq	ARENA_ZERO_PAGE_OFFSET(%r14), %rdi
	movl	$BP_size / 8, %ecx
	rep movsq
	leaq	ARENA_ZERO_PAGE_OFFSET(%r14), %r12
	orl	$F_BP_COPIED, %ebx
2:
	/*
	 * A command line that reaches above 4 GiB: into the arena's
	 * command-line page, up to its NUL or cmdline_size bytes (255 before
	 * protocol 2.06, boot.rst), at most a page with the NUL.
	 */
	call	cmdline_of				/* rax: address, rcx: limit */
	testq	%rax, %rax
	jz	4f
	leaq	1(%rax,%rcx), %rdx
	cmpq	%r10, %rdx
	jbe	4f
	cmpq	$ARENA_CMDLINE_SIZE - 1, %rcx
	jbe	3f
	movl	$ARENA_CMDLINE_SIZE - 1, %ecx
3:	leaq	ARENA_CMDLINE_OFFSET(%r14), %rdi
	jrcxz	32f
31:	movb	(%rax), %dl
	testb	%dl, %dl
	jz	32f
	movb	%dl, (%rdi)
	incq	%rax
	incq	%rdi
	decq	%rcx
	jnz	31b
32:	movb	$0, (%rdi)
	orl	$F_CMD_COPIED, %ebx
4:
	/* Where part 5 will run: here, or below 4 GiB. */
	leaq	(%r15,%r8), %rax
	cmpq	%r10, %rax
	jbe	5f
	call	find_destination
	testq	%rax, %rax
	jz	no_room
	movq	%rax, %rbp
5:
	/* The copied command line is where the final arena will be. */
	testl	$F_CMD_COPIED, %ebx
	jz	6f
	leaq	ARENA_CMDLINE_OFFSET(%rbp), %rax
	subq	%r15, %rax
	addq	%r14, %rax
	movl	%eax, HDR_cmd_line_ptr(%r12)
	movl	$0, BP_ext_cmd_line_ptr(%r12)
6:
	/* The boot_params to hand on, as the final copy will see it. */
	movq	%r12, %rsi
	testl	$F_BP_COPIED, %ebx
	jz	7f
	subq	%r15, %rsi
	addq	%rbp, %rsi
7:	cmpq	%r15, %rbp
	jne	move
	movq	%r15, %rbx
	ret

	/*
	 * Move: rbp = destination below 4 GiB, rsi = boot_params there (or
	 * the loader's below 4 GiB). Page tables from the arena's scratch on.
	 */
move:
	movq	%rsi, %rbx				/* rbx: boot_params to hand on */
	leaq	ARENA_SCRATCH_OFFSET + PAGE - 1(%r14), %r10
	andq	$-PAGE, %r10				/* r10: next free page */
	leaq	ARENA_ZERO_PAGE_OFFSET(%r14), %r9	/* r9: end of that area */
	call	alloc_page
	movq	%rcx, %r11				/* r11: PML4 */
	movq	%rbp, %rax
	call	map_slot
	leaq	-1(%rbp,%r8), %rax
	call	map_slot
	movq	%r15, %rax
	call	map_slot
	leaq	-1(%r15,%r8), %rax
	call	map_slot

	/* Global pages the loader left in the TLB go with CR4.PGE. */
	movq	%cr4, %rax
	andq	$~0x80, %rax
	movq	%rax, %cr4
	movq	%r11, %cr3

	movq	%r15, %rsi
	movq	%rbp, %rdi
	movl	bzelf_stage_params + SP_file_size(%rip), %ecx
	movl	%ecx, %edx
	shrl	$3, %ecx
	rep movsq
	movl	%edx, %ecx
	andl	$7, %ecx
	rep movsb
	/* The zero page and command-line page, at the end of the arena. */
	leaq	ARENA_ZERO_PAGE_OFFSET(%r14), %rsi
	leaq	ARENA_ZERO_PAGE_OFFSET(%rbp), %rdi
	subq	%r15, %rdi
	addq	%r14, %rdi
	movl	$(ARENA_SIZE - ARENA_ZERO_PAGE_OFFSET) / 8, %ecx
	rep movsq

	movq	%rbx, %rsi
	leaq	STAGE_HEAD_SIZE(%rbp), %rax
	jmp	*%rax

/*
 * cmdline_of: rax = the command line in boot_params r12 (0 if none),
 * rcx = its length limit (without the NUL).
 */
cmdline_of:
	movl	HDR_cmd_line_ptr(%r12), %eax
	movl	BP_ext_cmd_line_ptr(%r12), %ecx
	shlq	$32, %rcx
	orq	%rcx, %rax
	movl	$255, %ecx
	cmpw	$0x0206, HDR_version(%r12)
	jb	1f
	movl	HDR_cmdline_size(%r12), %ecx
1:	ret

/*
 * find_destination: rax = the lowest place below 4 GiB for r8 bytes (page
 * aligned, at or above 1 MiB, inside one E820 RAM entry, touching no other
 * E820 entry and no obstacle), or 0. Candidates: 1 MiB, the end of each
 * obstacle, the start of each RAM entry: a free block, if any, starts at
 * one of them.
 *
 * Not among the obstacles: setup_data, whose nodes we cannot read (the
 * loader maps boot_params and the command line, not the list). Loaders put
 * them next to boot_params (kexec) or below part 5; the 32-bit stage
 * reserves the nodes it can reach.
 */
find_destination:
	pushq	%rbx
	subq	$MAX_OBSTACLES * 16, %rsp
	movq	%rsp, %rdi
	/* part 5 and the arena, as they are now */
	movq	%r15, (%rdi)
	leaq	(%r15,%r8), %rax
	movq	%rax, 8(%rdi)
	addq	$16, %rdi
	/* the loader's boot_params */
	movq	%r13, (%rdi)
	leaq	BP_size(%r13), %rax
	movq	%rax, 8(%rdi)
	addq	$16, %rdi
	/* the command line, cmdline_size + 1 bytes */
	call	cmdline_of
	testq	%rax, %rax
	jz	1f
	movq	%rax, (%rdi)
	leaq	1(%rax,%rcx), %rax
	movq	%rax, 8(%rdi)
	addq	$16, %rdi
1:	/* the initrd */
	movl	HDR_ramdisk_size(%r12), %ecx
	movl	BP_ext_ramdisk_size(%r12), %eax
	shlq	$32, %rax
	orq	%rax, %rcx
	jz	2f
	movl	HDR_ramdisk_image(%r12), %edx
	movl	BP_ext_ramdisk_image(%r12), %eax
	shlq	$32, %rax
	orq	%rax, %rdx
	movq	%rdx, (%rdi)
	addq	%rcx, %rdx
	movq	%rdx, 8(%rdi)
	addq	$16, %rdi
2:	/* the kernel's segments */
	movzbl	bzelf_stage_params + SP_segment_count(%rip), %ecx
	cmpl	$MAX_SEGMENTS, %ecx
	jbe	3f
	movl	$MAX_SEGMENTS, %ecx
3:	leaq	bzelf_stage_params + SP_segments(%rip), %rsi
	jrcxz	5f
4:	movq	SEG_paddr(%rsi), %rax
	movq	%rax, (%rdi)
	addq	SEG_memsz(%rsi), %rax
	movq	%rax, 8(%rdi)
	addq	$16, %rdi
	addq	$SEG_size, %rsi
	decl	%ecx
	jnz	4b
5:	movq	%rdi, %r9				/* r9: end of the obstacles */

	xorl	%ebx, %ebx				/* rbx: best so far */
	movq	$LOWEST, %rax
	call	consider
	movq	%rsp, %rsi
6:	cmpq	%r9, %rsi
	jae	7f
	movq	8(%rsi), %rax
	call	consider
	addq	$16, %rsi
	jmp	6b
7:	call	e820_of					/* rsi: table, ecx: entries */
	jrcxz	9f
8:	cmpl	$E820_TYPE_RAM, E820_type(%rsi)
	jne	81f
	movq	E820_addr(%rsi), %rax
	call	consider
81:	addq	$E820_entry_size, %rsi
	decl	%ecx
	jnz	8b
9:	movq	%rbx, %rax
	addq	$MAX_OBSTACLES * 16, %rsp
	popq	%rbx
	ret

/* e820_of: rsi = boot_params r12's E820 table, ecx = its entries (0 if
 * the count is out of range). */
e820_of:
	leaq	BP_e820_table(%r12), %rsi
	movzbl	BP_e820_entries(%r12), %ecx
	cmpl	$E820_MAX_ENTRIES_ZEROPAGE, %ecx
	jbe	1f
	xorl	%ecx, %ecx
1:	ret

/*
 * consider: rax = a candidate; raised to 1 MiB and a page boundary, it
 * replaces rbx when it fits and is lower. Obstacles from rsp + 16 (the
 * caller's frame) to r9. Preserves rsi and rcx.
 */
consider:
	pushq	%rsi
	pushq	%rcx
	cmpq	$LOWEST, %rax
	jae	1f
	movq	$LOWEST, %rax
1:	addq	$PAGE - 1, %rax
	jc	no_fit
	andq	$-PAGE, %rax
	movabsq	$K4GIB, %rdi
	cmpq	%rdi, %rax
	jae	no_fit
	leaq	(%rax,%r8), %rdx			/* rdx: end of the candidate */
	cmpq	%rdi, %rdx
	ja	no_fit
	testq	%rbx, %rbx
	jz	2f
	cmpq	%rbx, %rax
	jae	no_fit
2:	/* Inside one RAM entry, touching no other kind of entry. */
	xorl	%edi, %edi				/* edi: found RAM */
	call	e820_of
	jrcxz	no_fit
3:	movq	E820_addr(%rsi), %r11
	cmpl	$E820_TYPE_RAM, E820_type(%rsi)
	jne	4f
	cmpq	%r11, %rax
	jb	5f
	addq	E820_size(%rsi), %r11
	cmpq	%r11, %rdx
	ja	5f
	movl	$1, %edi
	jmp	5f
4:	cmpq	%rdx, %r11				/* entry start < end? */
	jae	5f
	addq	E820_size(%rsi), %r11
	cmpq	%r11, %rax				/* start < entry end? */
	jb	no_fit
5:	addq	$E820_entry_size, %rsi
	decl	%ecx
	jnz	3b
	testl	%edi, %edi
	jz	no_fit
	/* No obstacle: the caller's array starts past our two pushes and
	 * our return address. */
	leaq	24(%rsp), %rsi
6:	cmpq	%r9, %rsi
	jae	fit
	cmpq	%rdx, (%rsi)				/* obstacle start < end? */
	jae	7f
	cmpq	8(%rsi), %rax				/* start < obstacle end? */
	jb	no_fit
7:	addq	$16, %rsi
	jmp	6b
fit:	movq	%rax, %rbx
no_fit:	popq	%rcx
	popq	%rsi
	ret

/*
 * map_slot: identity-maps the 1 GiB containing rax with 2 MiB pages in the
 * tables at r11, taking new tables from r10 (up to r9). Preserves rax.
 */
map_slot:
	pushq	%rax
	movq	%rax, %rdx
	shrq	$39, %rdx
	andl	$511, %edx
	movq	(%r11,%rdx,8), %rcx
	testb	$1, %cl
	jnz	1f
	call	alloc_page
	leaq	PTE_PW(%rcx), %rdi
	movq	%rdi, (%r11,%rdx,8)
	jmp	2f
1:	movabsq	$PTE_ADDR, %rdi
	andq	%rdi, %rcx
2:	movq	%rcx, %rdx				/* rdx: PDPT */
	movq	(%rsp), %rax
	shrq	$30, %rax
	andl	$511, %eax
	testb	$1, (%rdx,%rax,8)
	jnz	4f
	call	alloc_page				/* rcx: PD */
	leaq	PTE_PW(%rcx), %rdi
	movq	%rdi, (%rdx,%rax,8)
	movq	(%rsp), %rax
	shrq	$30, %rax
	shlq	$30, %rax
	orq	$PDE_2M, %rax
	movl	$512, %edx
3:	movq	%rax, (%rcx)
	addq	$8, %rcx
	addq	$0x200000, %rax
	decl	%edx
	jnz	3b
4:	popq	%rax
	ret

/* alloc_page: rcx = a zeroed page from r10; halts when r9 is reached. */
alloc_page:
	leaq	PAGE(%r10), %rcx
	cmpq	%r9, %rcx
	ja	no_room
	pushq	%rax
	pushq	%rdi
	movq	%r10, %rdi
	xorl	%eax, %eax
	movl	$PAGE / 8, %ecx
	rep stosq
	movq	%r10, %rcx
	addq	$PAGE, %r10
	popq	%rdi
	popq	%rax
	ret

/*
 * No place below 4 GiB: say so on COM1 (polled, as the stage's console
 * does; the UART set to 115200 8N1 first) and halt.
 */
no_room:
	leaq	no_room_message(%rip), %rsi
	movw	$0x3f9, %dx		/* IER: no interrupts */
	xorl	%eax, %eax
	outb	%al, %dx
	movw	$0x3fb, %dx		/* LCR: DLAB, to set the divisor */
	movb	$0x80, %al
	outb	%al, %dx
	movw	$0x3f8, %dx		/* divisor 1: 115200 baud */
	movb	$1, %al
	outb	%al, %dx
	movw	$0x3f9, %dx
	xorl	%eax, %eax
	outb	%al, %dx
	movw	$0x3fb, %dx		/* 8N1 */
	movb	$3, %al
	outb	%al, %dx
	movw	$0x3fa, %dx		/* FIFOs on and cleared */
	movb	$7, %al
	outb	%al, %dx
	movw	$0x3fc, %dx		/* DTR, RTS */
	movb	$3, %al
	outb	%al, %dx
1:	lodsb
	testb	%al, %al
	jz	3f
	movb	%al, %bl
	movl	$100000, %ecx		/* no UART must not mean a hang */
	movw	$0x3fd, %dx		/* LSR: transmitter empty? */
2:	inb	%dx, %al
	testb	$0x20, %al
	jnz	21f
	loop	2b
21:	movw	$0x3f8, %dx
	movb	%bl, %al
	outb	%al, %dx
	jmp	1b
3:	cli
	hlt
	jmp	3b

	.section .rodata
no_room_message:
	.asciz	"bzelf: memory: no room below 4 GiB for the boot stage -- System halted\r\n"
