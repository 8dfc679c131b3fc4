/*
 * Part 5 entry points. Part 5 is linked at 0 and runs wherever the loader
 * put it: every address is computed from where we find ourselves.
 *
 *   +0x000  ELF header, program headers, notes: written by `bzelf build`.
 *           The header bytes also decode as a jump to startup_32 (see
 *           tools/stage-elf.cpp), for loaders that enter at offset 0.
 *   +0x200  startup_64: 64-bit boot protocol entry (XLF_KERNEL_64).
 *           Long mode, identity map, rsi = boot_params.
 *   ...     startup_32: code32_start; 32-bit boot protocol entry.
 *           Flat 32-bit protected mode, paging off, esi = boot_params.
 */
#include "asm-offsets.h"

/* Offset of a .head.text label from the start of part 5. */
#define REL(sym) ((sym) - startup_64 + STAGE_HEAD_SIZE)

	.section .head.elf, "a"
	.globl _head
_head:
	.fill STAGE_HEAD_SIZE, 1, 0

	.section .head.text, "ax"
	.code64
	.globl startup_64
startup_64:
	/*
	 * We run the decompressor in 32-bit protected mode, so leave long
	 * mode: load our GDT, far-jump into its 32-bit code segment
	 * (compatibility mode), then turn paging off there. The loader's
	 * identity map keeps this code addressable throughout.
	 */
	cli
	cld
	leaq	gdt(%rip), %rax
	movq	%rax, gdt_desc+2(%rip)
	lgdt	gdt_desc(%rip)
	leaq	1f(%rip), %rax
	movl	%eax, farptr(%rip)
	movw	$BOOT_CS, farptr+4(%rip)
	/* m16:32 far pointer: the form both Intel and AMD accept. */
	ljmpl	*farptr(%rip)

	.code32
1:	movl	$BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%cr0, %eax
	andl	$~0x80000000, %eax	/* CR0.PG off: long mode goes inactive */
	movl	%eax, %cr0
	movl	$0xc0000080, %ecx	/* EFER */
	rdmsr
	andl	$~0x100, %eax		/* EFER.LME */
	wrmsr
	movl	%cr4, %eax
	andl	$~0x20, %eax		/* CR4.PAE */
	movl	%eax, %cr4
	jmp	startup_32

	.p2align 4
	.globl startup_32
startup_32:
	cli
	cld
	/*
	 * Find our own address. boot_params.scratch is four bytes that the
	 * boot protocol gives us for exactly this: a one-slot stack for the
	 * call below (Linux's decompressor does the same).
	 */
	leal	(BP_scratch + 4)(%esi), %esp
	call	1f
1:	popl	%ebx
	addl	$_GLOBAL_OFFSET_TABLE_ + (. - 1b), %ebx	/* ebx: GOT, for @GOTOFF */
	leal	_head@GOTOFF(%ebx), %ebp			/* ebp: start of part 5 */

	/* Our own GDT, with selectors the boot protocol names. */
	leal	REL(gdt)(%ebp), %eax
	movl	%eax, REL(gdt_desc)+2(%ebp)
	lgdt	REL(gdt_desc)(%ebp)
	leal	REL(2f)(%ebp), %eax
	movl	%eax, REL(farptr)(%ebp)
	movw	$BOOT_CS, REL(farptr)+4(%ebp)
	ljmpl	*REL(farptr)(%ebp)
2:	movl	$BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss

	/* The stack is the first part of the arena, past the end of part 5. */
	movl	bzelf_stage_params@GOTOFF + SP_arena_offset(%ebx), %esp
	addl	%ebp, %esp
	addl	$ARENA_STACK_SIZE, %esp
	pushl	%ebp
	pushl	%esi
	call	StageMain
3:	hlt
	jmp	3b

	/*
	 * PVH entry (XEN_ELFNOTE_PHYS32_ENTRY): flat 32-bit protected mode,
	 * paging off, ebx = struct hvm_start_info; no stack and no GDT we can
	 * rely on. The start_info's last word is reserved for us to clobber
	 * as a one-slot stack; StagePvhMain builds boot_params from it and
	 * goes on like the 32-bit entry.
	 */
	.p2align 4
	.globl startup_pvh
startup_pvh:
	cli
	cld
	leal	PVH_stack_slot_end(%ebx), %esp
	movl	%ebx, %esi
	call	1f
1:	popl	%ebx
	addl	$_GLOBAL_OFFSET_TABLE_ + (. - 1b), %ebx
	leal	_head@GOTOFF(%ebx), %ebp
	leal	REL(gdt)(%ebp), %eax
	movl	%eax, REL(gdt_desc)+2(%ebp)
	lgdt	REL(gdt_desc)(%ebp)
	leal	REL(2f)(%ebp), %eax
	movl	%eax, REL(farptr)(%ebp)
	movw	$BOOT_CS, REL(farptr)+4(%ebp)
	ljmpl	*REL(farptr)(%ebp)
2:	movl	$BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	movl	bzelf_stage_params@GOTOFF + SP_arena_offset(%ebx), %esp
	addl	%ebp, %esp
	addl	$ARENA_STACK_SIZE, %esp
	pushl	%ebp
	pushl	%esi
	call	StagePvhMain
	jmp	3b

	/* 0x10: flat 32-bit code (BOOT_CS); 0x18: flat data (BOOT_DS). */
	.p2align 3
gdt:
	.quad	0
	.quad	0
	.quad	0x00cf9a000000ffff
	.quad	0x00cf92000000ffff
gdt_end:
	.p2align 2
	.word	0
gdt_desc:
	.word	gdt_end - gdt - 1
	.quad	0
farptr:
	.long	0
	.word	0
