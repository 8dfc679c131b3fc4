/*
 * int15-hook-*.bin: a boot sector that takes some INT 15h services away
 * from the BIOS, then chain-loads the next disk, for the suites that boot
 * an image on a PC whose BIOS lacks them (tests/int15, tests/a20). Built
 * once per set of services hidden (build.mk), each a -D of its own:
 *   HIDE_E820   AX=E820h, the memory map (BIOSes before about 1996, and
 *               some later ones)
 *   HIDE_E801   AX=E801h, the memory size above 16 MiB (older still);
 *               AH=88h, which every AT BIOS has, stays
 *   HIDE_A20    AH=24h, the BIOS's A20 gate services (an ISA PC's BIOS
 *               has none: the keyboard controller gates A20 there)
 * A hidden service returns CF set and AH = 86h ("function not
 * supported"), as a BIOS without it does (Ralf Brown's interrupt list,
 * INT 15h); everything else goes to the BIOS's own handler.
 *
 * The handler must outlive this sector, which the next boot sector's
 * loads overwrite, and stay out of what the booted image uses: it moves
 * to the top of conventional memory, which it takes from the BIOS by
 * lowering the base memory size at 0040:0013 by 1 KiB, as resident boot
 * code does (memdisk, PXE stacks). Below the EBDA, at 0x9F800 on SeaBIOS:
 * also outside the 0 - 0x9F000 that Linux (and bzelf's planner) take for
 * RAM when there is no E820 map.
 *
 * Then it reads sector 0 of the next BIOS drive (the one it was booted
 * from plus one) to 0000:7C00 and enters it with that drive in dl, as an
 * MBR chain-loads a partition's boot sector, so that hooks and other
 * chain-loaders (tests/a20/a20-off-chainload.S) can be stacked, one disk
 * each, in front of the image.
 *
 * Its lines on COM1, each alone on a line:
 *   int15-hook: hidden: <services>
 *   int15-hook: E801h: <ax> <bx> <cx> <dx> | int15-hook: E801h: none
 *   int15-hook: 88h: <ax> <bx> <cx> <dx> | int15-hook: 88h: none
 *       what INT 15h now answers (through the hook: "none" for a hidden
 *       service), four hex digits a register, so that a suite can tell
 *       what the image's setup must have made of it on any BIOS
 *   int15-hook: read error -- System halted
 *   int15-hook: no boot sector -- System halted
 *
 * 16-bit code, linked at 0x0600 (tests/a20/a20-off-chainload.ld): it
 * first moves itself there from 0x7C00, where the sector it loads must go
 * (tests/a20/chainload.S).
 */
/* The BIOS data area's base memory size, in KiB. */
#define BDA_BASE_MEM_K 0x0413
#define INT15_VECTOR (0x15 * 4)

#include "chainload.S"

relocated:
	movb	%dl, boot_drive
	sti
	call	serial_init

	/* 1 KiB less conventional memory; its segment is the handler's. */
	decw	BDA_BASE_MEM_K
	movw	BDA_BASE_MEM_K, %ax
	movb	$6, %cl
	shlw	%cl, %ax		/* KiB -> paragraphs */
	movw	%ax, %es
	xorw	%di, %di
	movw	$hook_start, %si
	movw	$hook_end - hook_start, %cx
	rep movsb
	cli
	movl	INT15_VECTOR, %eax
	movl	%eax, %es:hook_old - hook_start
	movw	$0, INT15_VECTOR
	movw	%es, INT15_VECTOR + 2
	sti

	movw	$msg_hidden, %si
	call	puts
	movw	$msg_e801, %si
	call	puts
	movw	$0xe801, %ax
	call	size_query
	movw	$msg_88h, %si
	call	puts
	movb	$0x88, %ah
	call	size_query

	/* The next drive, with es (the handler's segment above) 0 again. */
	xorw	%ax, %ax
	movw	%ax, %es
	movb	boot_drive, %dl
	incb	%dl
	jmp	chainload_next

/*
 * The resident INT 15h handler, copied to hook_seg:0000; position
 * independent (it addresses its own data through cs and offsets from
 * hook_start).
 */
hook_start:
#ifdef HIDE_E820
	cmpw	$0xe820, %ax
	je	hook_unsupported
#endif
#ifdef HIDE_E801
	cmpw	$0xe801, %ax
	je	hook_unsupported
#endif
#ifdef HIDE_A20
	cmpb	$0x24, %ah
	je	hook_unsupported
#endif
	ljmpw	*%cs:(hook_old - hook_start)
hook_unsupported:
	/* CF set in the FLAGS that IRET restores: above bp, ip and cs. */
	pushw	%bp
	movw	%sp, %bp
	orb	$0x01, 6(%bp)
	popw	%bp
	movb	$0x86, %ah
	iret
hook_old:
	.word	0, 0
hook_end:

/* size_query: INT 15h with ax as given and bx = cx = dx = 0, then on
   COM1 " none" when CF came back set, else " AX BX CX DX" in hex, and
   the line's end. Clobbers every general register but bp and sp. */
size_query:
	xorw	%bx, %bx
	xorw	%cx, %cx
	xorw	%dx, %dx
	stc
	int	$0x15
	movw	$msg_none, %si
	jc	2f
	pushw	%dx
	pushw	%cx
	pushw	%bx
	pushw	%ax
	movw	$4, %di
1:	movb	$' ', %al
	call	putc
	popw	%ax
	call	puthex16
	decw	%di
	jnz	1b
	movw	$msg_crlf, %si
2:	jmp	puts

/* puthex16: ax as four lower-case hex digits on COM1. Clobbers ax, bx,
   cx, dx. */
puthex16:
	movw	%ax, %bx
	movw	$4, %cx
1:	rolw	$4, %bx
	movb	%bl, %al
	andb	$0x0f, %al
	addb	$'0', %al
	cmpb	$'9', %al
	jbe	2f
	addb	$'a' - '9' - 1, %al
2:	call	putc
	loop	1b
	ret

msg_hidden:
	.ascii	"int15-hook: hidden:"
#ifdef HIDE_E820
	.ascii	" E820h"
#endif
#ifdef HIDE_E801
	.ascii	" E801h"
#endif
#ifdef HIDE_A20
	.ascii	" AH=24h"
#endif
msg_crlf:		.asciz	"\r\n"
msg_e801:		.asciz	"int15-hook: E801h:"
msg_88h:		.asciz	"int15-hook: 88h:"
msg_none:		.asciz	" none\r\n"
msg_read_error:		.asciz	"int15-hook: read error -- System halted\r\n"
msg_no_signature:	.asciz	"int15-hook: no boot sector -- System halted\r\n"

boot_drive:	.byte	0
