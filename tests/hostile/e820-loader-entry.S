/*
 * Entry of e820-loader.elf (e820-loader.cpp): a multiboot (version 1)
 * kernel, so that QEMU -kernel loads it with the bzelf image as a module
 * (-initrd) and enters it in 32-bit protected mode, paging off, with
 * eax = 0x2BADB002 and ebx = the multiboot information (Multiboot
 * Specification 0.6.96, sections 3.1 and 3.2).
 */
#define MULTIBOOT_MAGIC 0x1BADB002
#define MULTIBOOT_MEMORY_INFO (1 << 1) /* ask for mem_* and the mmap */
#define BOOT_CS 0x10                   /* boot.rst, "32-bit Boot Protocol" */
#define BOOT_DS 0x18

	.section .multiboot, "a"
	.balign	4
	.long	MULTIBOOT_MAGIC
	.long	MULTIBOOT_MEMORY_INFO
	.long	-(MULTIBOOT_MAGIC + MULTIBOOT_MEMORY_INFO)

	.text
	.code32
	.globl	loader_start
loader_start:
	movl	$stack_top, %esp
	cld
	pushl	%ebx
	pushl	%eax
	call	LoaderMain
1:	cli
	hlt
	jmp	1b

/*
 * EnterStartup32(entry, boot_params): the state of the 32-bit boot
 * protocol -- a GDT with flat 4 GiB code at 0x10 and data at 0x18, those
 * loaded, interrupts off, esi = boot_params -- then a jump to entry.
 */
	.globl	EnterStartup32
EnterStartup32:
	cli
	movl	4(%esp), %eax
	movl	8(%esp), %esi
	lgdt	gdt_pointer
	ljmp	$BOOT_CS, $1f
1:	movl	$BOOT_DS, %ecx
	movl	%ecx, %ds
	movl	%ecx, %es
	movl	%ecx, %ss
	movl	%ecx, %fs
	movl	%ecx, %gs
	xorl	%ebx, %ebx
	xorl	%ebp, %ebp
	xorl	%edi, %edi
	jmp	*%eax

	.section .rodata
	.balign	8
gdt:
	.quad	0
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x10: code, base 0, 4 GiB, 32-bit */
	.quad	0x00cf92000000ffff	/* 0x18: data, base 0, 4 GiB */
gdt_end:
gdt_pointer:
	.word	gdt_end - gdt - 1
	.long	gdt

	.bss
	.balign	16
	.space	8192
stack_top:

	.section .note.GNU-stack, "", @progbits
