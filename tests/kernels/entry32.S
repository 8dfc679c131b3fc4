/*
 * Where the 32-bit test kernel starts (e_entry = startup_32).
 *
 * The 32-bit boot protocol (boot.rst, "32-bit Boot Protocol"): protected
 * mode, paging off, CS = __BOOT_CS (0x10) and DS = ES = SS = __BOOT_DS
 * (0x18), flat 4 GiB segments, interrupts off, esi = boot_params; no stack.
 *
 * Save that state before anything changes it, take our own stack and run
 * the checks in C++ (kernel-main.cpp). The kernel is linked where it runs
 * (test32.ld.S), so absolute addresses are fine here.
 */
#define WORD_SIZE 4

	.section .text.entry, "ax"
	.code32
	.globl	startup_32
	.type	startup_32, @function
startup_32:
	/* Loading %esp leaves EFLAGS alone, so pushfl sees the loader's. */
	movl	$boot_stack_top, %esp
	pushfl
	popl	entry_flags
	movl	%esi, entry_boot_params
	movw	%cs, entry_cs
	movw	%ds, entry_ds
	movw	%es, entry_es
	movw	%ss, entry_ss
	movl	%cr0, %eax
	movl	%eax, entry_cr0
	movl	%cr3, %eax
	movl	%eax, entry_cr3
	movl	%cr4, %eax
	movl	%eax, entry_cr4
	sgdt	entry_gdtr
	/* Where we really are: the return address of a call. */
	call	1f
1:	popl	%eax
	subl	$(1b - startup_32), %eax
	movl	%eax, entry_run_address
	/* The C++ ABI wants the direction flag clear. */
	cld
	call	KernelMain
	/* KernelMain does not return; if it ever does, stop here. */
1:	cli
	hlt
	jmp	1b
	.size	startup_32, . - startup_32

#include "entry-state.inc"
