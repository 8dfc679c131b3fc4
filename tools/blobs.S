/* The two boot stages, built by this tree, carried inside the host tool. */
	.section .rodata
	.balign 16
	.globl bzelf_setup_bin, bzelf_setup_bin_end
bzelf_setup_bin:
	.incbin SETUP_BIN
bzelf_setup_bin_end:
	.balign 16
	.globl bzelf_stage_bin, bzelf_stage_bin_end
bzelf_stage_bin:
	.incbin STAGE_BIN
bzelf_stage_bin_end:
	.section .note.GNU-stack, "", @progbits
