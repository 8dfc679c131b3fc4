/*
 * pie32.elf's entry: the 32-bit boot protocol (paging off, esi =
 * boot_params, no stack), anywhere. The only stack to learn where it runs
 * with is boot_params.scratch (boot.rst keeps it for this; Linux's
 * compressed/head_32.S uses it so): one call/pop gives the GOT's address,
 * through which everything else is reached (@GOTOFF).
 */
	.section .text.entry, "ax"
	.code32
	.globl	startup_32
	.type	startup_32, @function
startup_32:
	leal	(bp_scratch + 4)(%esi), %esp
	call	1f
1:	popl	%ebx
	addl	$_GLOBAL_OFFSET_TABLE_ + (. - 1b), %ebx
	leal	pie_stack_top@GOTOFF(%ebx), %esp
	pushl	%esi
	call	PieMain
2:	cli
	hlt
	jmp	2b

	.section .bss
	.balign	16
pie_stack:
	.skip	16384
pie_stack_top:
	.section .note.GNU-stack, "", @progbits
