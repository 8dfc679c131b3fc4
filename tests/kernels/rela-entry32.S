/*
 * rela32.elf's entry: the 32-bit boot protocol (paging off, esi =
 * boot_params, no stack). Not position-independent: the stack's address
 * below is an R_386_32 relocation, right only once bzelf has applied the
 * table made from the kernel's .rel sections.
 */
	.section .text.entry, "ax"
	.code32
	.globl	startup_32
	.type	startup_32, @function
startup_32:
	movl	$rela_stack_top, %esp
	pushl	$0		/* physical = virtual: RelaMain learns it itself */
	pushl	%esi
	call	RelaMain
1:	cli
	hlt
	jmp	1b

	.section .bss
	.balign	16
rela_stack:
	.skip	16384
rela_stack_top:
	.section .note.GNU-stack, "", @progbits
