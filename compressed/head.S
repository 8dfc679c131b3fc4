/*
 * Part 5 entry points. Part 5 is linked at 0 and runs wherever the loader
 * put it: every address is computed from where we find ourselves, and
 * nothing here writes to the image (the stage checks its own checksum
 * before it trusts anything in it).
 *
 *   +0x000  ELF header, program headers, notes: written by `bzelf build`.
 *           The header bytes also decode as a jump to startup_32 (see
 *           tools/stage-elf.h), for loaders that enter at offset 0.
 *   +0x200  startup_64: 64-bit boot protocol entry (XLF_KERNEL_64).
 *           Long mode, identity map, rsi = boot_params.
 *   ...     efi_pe_entry, efi_handover_entry: the EFI stub's entries.
 *   ...     startup_32: code32_start; 32-bit boot protocol entry.
 *           Flat 32-bit protected mode, paging off, esi = boot_params.
 *   ...     startup_pvh: the PVH entry (XEN_ELFNOTE_PHYS32_ENTRY).
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
	 * mode: load our GDT, far-return into its 32-bit code segment
	 * (compatibility mode), then turn paging off there. The loader's
	 * identity map keeps this code addressable throughout. The stack is
	 * our arena's, past the end of part 5 (init_size covers it).
	 *
	 * A 64-bit loader may put us, boot_params and the command line above
	 * 4 GiB (XLF_CAN_BE_LOADED_ABOVE_4G), out of 32-bit reach: first
	 * Startup64Main (compressed/startup-64.cpp) brings them below,
	 * returning the part 5 to run and its boot_params; a part 5 that
	 * moved is entered here again, at its copy.
	 */
	cli
	cld
	leaq	startup_64 - STAGE_HEAD_SIZE(%rip), %rbx	/* start of part 5 */
	movl	bzelf_stage_params + SP_arena_offset(%rip), %eax
	leaq	ARENA_STACK_SIZE(%rbx,%rax), %rsp
	movq	%rbx, %rdi
	leaq	bzelf_stage_params(%rip), %rdx
	call	startup64_main		/* (part 5, boot_params, parameters) */
	movq	%rdx, %rsi		/* rax: part 5 to run, rdx: boot_params */
	cmpq	%rax, %rbx
	je	1f
	addq	$STAGE_HEAD_SIZE, %rax
	jmp	*%rax			/* the moved copy's startup_64 */
1:	leaq	gdt(%rip), %rax
	pushq	%rax
	pushw	$(gdt_end - gdt - 1)
	lgdt	(%rsp)
	addq	$10, %rsp
	pushq	$BOOT_CS
	leaq	2f(%rip), %rax
	pushq	%rax
	lretq

	/*
	 * The PE entry point (AddressOfEntryPoint): UEFI firmware calls it in
	 * long mode under its identity map, Microsoft x64 convention, rcx =
	 * image handle, rdx = system table. EfiMain (compressed/efi-stub.cpp,
	 * in the 64-bit blob) takes part 5's address and its parameters as
	 * its third and fourth arguments (r8, r9), and comes back to
	 * startup_64 after ExitBootServices, with rsi = boot_params.
	 */
	.globl	efi_pe_entry
efi_pe_entry:
	leaq	startup_64 - STAGE_HEAD_SIZE(%rip), %r8
	leaq	bzelf_stage_params(%rip), %r9
	jmp	efi_main

	/*
	 * The EFI handover entry (XLF_EFI_HANDOVER_64; setup_header's
	 * handover_offset counts from startup_64, as Linux's does): a loader
	 * that filled a boot_params calls it with boot services up, System V
	 * convention, rdi = image handle, rsi = system table, rdx =
	 * boot_params. The stack is realigned first, as Linux's
	 * efi64_stub_entry does: a loader's call may leave it anyhow.
	 * EfiHandoverMain (compressed/efi-handover.cpp) takes part 5's
	 * address and its parameters as its fourth and fifth arguments and
	 * comes back to startup_64 like EfiMain.
	 */
	.globl	efi_handover_entry
efi_handover_entry:
	andq	$~0xf, %rsp
	leaq	startup_64 - STAGE_HEAD_SIZE(%rip), %rcx
	leaq	bzelf_stage_params(%rip), %r8
	call	efi_handover_main

	.code32
2:	movl	$BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %ss
	movl	%cr0, %eax
	andl	$~X86_CR0_PG, %eax	/* paging off: long mode goes inactive */
	movl	%eax, %cr0
	movl	$MSR_EFER, %ecx
	rdmsr
	andl	$~EFER_LME, %eax
	wrmsr
	movl	%cr4, %eax
	andl	$~X86_CR4_PAE, %eax
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
	movl	$StageMain@GOTOFF, %edi
	jmp	common_32

	/*
	 * PVH entry: flat 32-bit protected mode, paging off, ebx = struct
	 * hvm_start_info; no stack and no GDT we can rely on. The start_info's
	 * last word is reserved: a one-slot stack for the call. StagePvhMain
	 * builds boot_params from it and goes on like the 32-bit entry.
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
	movl	$StagePvhMain@GOTOFF, %edi

	/*
	 * ebx = GOT, esi = the argument for the C++ entry, edi = its
	 * GOT-relative address. Stack in the arena, then our own GDT, with
	 * the selectors the boot protocol names.
	 */
common_32:
	leal	_head@GOTOFF(%ebx), %ebp			/* ebp: start of part 5 */
	/*
	 * Until StageVerify has checked the stage's checksum, nothing in the
	 * parameters is trusted, the arena's place included: run on a small
	 * stack of our own, outside the checksummed bytes.
	 */
	leal	early_stack_top@GOTOFF(%ebx), %esp
	leal	REL(gdt)(%ebp), %eax
	pushl	%eax
	pushw	$(gdt_end - gdt - 1)
	lgdt	(%esp)
	addl	$6, %esp
	pushl	$BOOT_CS
	leal	REL(2f)(%ebp), %eax
	pushl	%eax
	lretl
2:	movl	$BOOT_DS, %eax
	movl	%eax, %ds
	movl	%eax, %es
	movl	%eax, %fs
	movl	%eax, %gs
	movl	%eax, %ss
	pushl	%ebp
	call	StageVerify		/* returns only if the stage checks out */
	movl	bzelf_stage_params@GOTOFF + SP_arena_offset(%ebx), %esp
	addl	%ebp, %esp
	addl	$ARENA_STACK_SIZE, %esp
	pushl	%ebp
	pushl	%esi
	addl	%ebx, %edi
	call	*%edi
3:	hlt
	jmp	3b

	/*
	 * Flat 32-bit code at BOOT_CS and flat data at BOOT_DS, with the
	 * accessed bits preset (lib/segment-descriptor.h): the CPU never
	 * writes them into the checksummed image.
	 */
	.p2align 3
gdt:
	.quad	0
	.org	gdt + BOOT_CS
	.quad	GDT_FLAT32_CODE
	.org	gdt + BOOT_DS
	.quad	GDT_FLAT_DATA
gdt_end:

	/*
	 * The stack StageVerify runs on: the checksum, the console and a
	 * panic message need well under 1 KiB.
	 */
	.section .mutable, "aw"
	.balign	16
early_stack:
	.fill	1536, 1, 0
early_stack_top:
