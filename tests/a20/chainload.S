/*
 * What the chain-loaders in front of an image (a20-off-chainload.S,
 * tests/int15/int15-hook-chainload.S) share, included at the start of
 * their .text: the entry, which moves the sector from 0x7C00 to RELOCATED
 * (where both are linked, a20-off-chainload.ld) so that the next boot
 * sector can go to 0x7C00, and jumps to the includer's `relocated` with
 * dl as the BIOS gave it; COM1 output; the halt; and the chain-load of the
 * next drive, whose two halt lines, msg_read_error and msg_no_signature,
 * the includer defines.
 */
#define RELOCATED 0x0600
#define LOADED 0x7c00
#define COM1 0x3f8

	.code16
	.text
	.globl	chainload_start
chainload_start:
	cli
	xorw	%ax, %ax
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$LOADED, %sp		/* below us, and below what we load */
	cld
	movw	$LOADED, %si
	movw	$RELOCATED, %di
	movw	$256, %cx
	rep movsw
	ljmp	$0, $relocated

/* si = a line: print it and stop, interrupts on (Ctrl-Alt-Del works). */
halt:
	call	puts
1:	hlt
	jmp	1b

/* chainload_next: sector 0 of drive dl to 0000:LOADED (INT 13h AH=42h:
   ds:si = the disk address packet), entered with that drive in dl, as a
   disk's MBR chain-loads a partition's boot sector. Expects ds = 0. */
chainload_next:
	pushw	%dx
	movw	$dap, %si
	movb	$0x42, %ah
	int	$0x13
	movw	$msg_read_error, %si
	jc	halt
	movw	$msg_no_signature, %si
	cmpw	$0xaa55, LOADED + 510
	jne	halt
	popw	%dx
	ljmp	$0, $LOADED

/* COM1, an 8250: 115200 baud (divisor 1), 8N1, polled. */
serial_init:
	movw	$COM1 + 3, %dx
	movb	$0x80, %al		/* LCR: divisor latch */
	outb	%al, %dx
	movw	$COM1, %dx
	movb	$1, %al
	outb	%al, %dx
	incw	%dx
	xorb	%al, %al
	outb	%al, %dx		/* divisor high; with DLAB off, IER */
	movw	$COM1 + 3, %dx
	movb	$0x03, %al		/* LCR: 8N1 */
	outb	%al, %dx
	ret

/* puts: the NUL-terminated string at ds:si on COM1. Clobbers ax, dx, si. */
puts:
	lodsb
	testb	%al, %al
	jz	1f
	call	putc
	jmp	puts
1:	ret

/* putc: al on COM1, after waiting (bounded) for the transmitter. Clobbers
   dx; keeps ax, cx. */
putc:
	pushw	%cx
	pushw	%ax
	movw	$COM1 + 5, %dx		/* LSR: wait for THRE */
	xorw	%cx, %cx
1:	inb	%dx, %al
	testb	$0x20, %al
	loopz	1b
	popw	%ax
	movw	$COM1, %dx
	outb	%al, %dx
	popw	%cx
	ret

/* The disk address packet (EDD 1.1): one sector, LBA 0, to 0000:LOADED. */
	.balign	4
dap:	.byte	0x10, 0
	.word	1
	.word	LOADED, 0
	.quad	0

	.section .signature, "a"
	.globl	boot_signature
boot_signature:
	.word	0xaa55

	.text
