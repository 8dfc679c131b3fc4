/*
 * pie64.elf's entry: the 64-bit boot protocol (long mode, identity-mapped,
 * rsi = boot_params, no stack), anywhere. Everything is reached
 * RIP-relatively.
 */
	.section .text.entry, "ax"
	.code64
	.globl	startup_64
	.type	startup_64, @function
startup_64:
	leaq	pie_stack_top(%rip), %rsp
	movq	%rsi, %rdi
	call	PieMain
1:	cli
	hlt
	jmp	1b

	.section .bss
	.balign	16
pie_stack:
	.skip	16384
pie_stack_top:
	.section .note.GNU-stack, "", @progbits
