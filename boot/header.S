/*
 * The first (setup_sects + 1) * 512 bytes of a bzelf image begin here:
 * the boot sector, the setup header at 0x1F1 (boot protocol 2.15, every
 * field; Linux: Documentation/arch/x86/boot.rst) and the entry code the
 * loader jumps to at 0x200. linker/setup.ld places and checks all of it.
 *
 * Linked at address 0: every label is an offset from the image's first
 * byte, which is also the offset in our segment once the entry code has
 * made cs = ds = es = ss.
 */
#include "asm-offsets.h"

/* Stops the assembly when a header field is not where lib/boot-params.h
   puts it. HDR_* (build/gen/asm-offsets.h) are offsets in boot_params,
   where the header sits at the same place as in the image. */
#define CHECK_AT(field) \
	.if (. - hdr) - (HDR_##field - HDR_setup_sects); \
	.error "setup_header field out of place (see lib/boot-params.h)"; \
	.endif

	.code16

/* ---- Boot sector: run only when a BIOS boots the image directly ------ */

	.section .bstext, "ax"
	.globl	bootsect_start
bootsect_start:
	/* The BIOS loads this sector at linear 0x7C00 and enters it as
	   0000:7C00 or as 07C0:0000, depending on the BIOS. Make it 07C0:xxxx
	   so that our link offsets address the sector. */
	ljmp	$0x07c0, $bootsect_main

	/* The old command-line protocol (boot.rst): loaders for protocol
	   2.01 and older store 0xA33F at 0x20 and the command line's offset
	   at 0x22. Our own bytes here stay zero so that the setup never takes
	   code for the magic. */
	.org	0x20
	.globl	cl_magic, cl_offset
cl_magic:	.word	0
cl_offset:	.word	0

bootsect_main:
	xorw	%ax, %ax
	movw	%ax, %ss
	movw	$0x7c00, %sp		/* below us: free at boot time */
	movw	%cs, %ax
	movw	%ax, %ds
	sti
	movw	$bootsect_msg, %si
	call	early_puts
1:	hlt				/* interrupts stay on: Ctrl-Alt-Del works */
	jmp	1b

/*
 * early_puts: prints the NUL-terminated string at ds:si on COM1 and then on
 * the screen (INT 10h AH=0Eh teletype): in two passes, because BIOSes that
 * mirror the teletype to a serial console (SeaBIOS under QEMU -nographic)
 * would interleave the copies. 8086 instructions only: it also reports a
 * CPU too old for the rest of the setup. Clobbers ax, bx, cx, dx, si.
 */
	.globl	early_puts
early_puts:
	pushw	%si
	/* COM1 (8250 at 0x3F8): 115200 baud (divisor 1), 8N1, polled. */
	movw	$0x3fb, %dx
	movb	$0x80, %al		/* LCR: divisor latch access */
	outb	%al, %dx
	movw	$0x3f8, %dx
	movb	$1, %al			/* divisor low byte */
	outb	%al, %dx
	incw	%dx
	decw	%ax			/* divisor high byte: 0 */
	outb	%al, %dx
	movw	$0x3fb, %dx
	movb	$0x03, %al		/* LCR: 8 data bits, no parity, 1 stop */
	outb	%al, %dx
1:	lodsb
	testb	%al, %al
	jz	3f
	movb	%al, %ah
	movw	$0x3fd, %dx		/* LSR: wait for THRE, bounded */
	xorw	%cx, %cx
2:	inb	%dx, %al
	testb	$0x20, %al
	loopz	2b
	movb	%ah, %al
	movw	$0x3f8, %dx
	outb	%al, %dx
	jmp	1b
3:	popw	%si
4:	lodsb
	testb	%al, %al
	jz	5f
	pushw	%si
	movb	$0x0e, %ah
	movw	$0x0007, %bx		/* page 0, light grey */
	int	$0x10			/* some BIOSes clobber si and bp here */
	popw	%si
	jmp	4b
5:	ret

bootsect_msg:
	.ascii	"\r\nbzelf: boot sector: start this image with a boot loader"
	.asciz	" (GRUB, syslinux, QEMU -kernel) -- System halted\r\n"

/* ---- Setup header: at 0x1F1, filled in by loaders --------------------- */

	.section .header, "ax"
	/* boot_params.sentinel (0x1EF, zero-page.rst): a loader that copies
	   this sector into a zero page without clearing it leaves 0xFF here,
	   which the protected-mode code can detect. */
	.globl	sentinel
sentinel:	.byte	0xff, 0xff

	.globl	hdr
hdr:
	CHECK_AT(setup_sects)
setup_sects:	.byte	setup_sects_default	/* tool: ceil(size/512) - 1 */
root_flags:	.word	1		/* ROOT_RDONLY, as Linux's own images */
	CHECK_AT(syssize)
syssize:	.long	0		/* tool: part 5 in 16-byte units */
ram_size:	.word	0		/* obsolete */
vid_mode:	.word	0xffff		/* "normal": keep the BIOS mode */
root_dev:	.word	0		/* none: the command line says root= */
	CHECK_AT(boot_flag)
	.globl	hdr_boot_flag
hdr_boot_flag:	.word	0xaa55

	/* 0x200: the loader's entry point, (seg + 0x20):0000. */
	CHECK_AT(jump)
	.globl	hdr_jump
hdr_jump:	.byte	0xeb, start_of_setup - 1f
1:
	CHECK_AT(header)
	.globl	hdr_header
hdr_header:	.ascii	"HdrS"
	CHECK_AT(version)
version:	.word	0x020f		/* boot protocol 2.15 */
realmode_swtch:	.long	0
start_sys_seg:	.word	0x1000		/* obsolete; the zImage value */
	CHECK_AT(kernel_version)
kernel_version:	.word	bzelf_kernel_version - 0x200
	CHECK_AT(type_of_loader)
type_of_loader:	.byte	0		/* the loader writes its id */
	CHECK_AT(loadflags)
loadflags:	.byte	LOADED_HIGH	/* loaders add CAN_USE_HEAP */
setup_move_size:	.word	0x8000	/* setup, bss and stack: see setup.ld */
	CHECK_AT(code32_start)
code32_start:	.long	0x100000	/* part 5's startup_32 (tool may patch) */
ramdisk_image:	.long	0
ramdisk_size:	.long	0
bootsect_kludge:	.long	0
	CHECK_AT(heap_end_ptr)
heap_end_ptr:	.word	0		/* the loader writes it */
ext_loader_ver:	.byte	0
ext_loader_type:	.byte	0
	CHECK_AT(cmd_line_ptr)
cmd_line_ptr:	.long	0
initrd_addr_max:	.long	0x7fffffff
kernel_alignment:	.long	0x200000	/* tool may patch */
relocatable_kernel:	.byte	1
min_alignment:	.byte	12		/* log2: 4 KiB; tool may patch */
xloadflags:	.word	1		/* XLF_KERNEL_64: the entry at +0x200 */
cmdline_size:	.long	0x7ff		/* Linux's COMMAND_LINE_SIZE - 1 */
hardware_subarch:	.long	0	/* default PC */
hardware_subarch_data:	.quad	0
payload_offset:	.long	0		/* tool */
payload_length:	.long	0		/* tool */
setup_data:	.quad	0
pref_address:	.quad	0x1000000	/* tool may patch */
init_size:	.long	0		/* tool */
handover_offset:	.long	0	/* no EFI handover */
	CHECK_AT(kernel_info_offset)
kernel_info_offset:	.long	0
	CHECK_AT(end)

/* ---- Entry from the loader -------------------------------------------- */

/*
 * Real mode, interrupts off, cs:ip = (seg + 0x20):0000 and ds = es = ss =
 * seg, where seg:0000 is the image's first byte (boot.rst, "Running the
 * kernel"); seg:0200 is the same place and some loaders may use it.
 */
start_of_setup:
	cli
	cld
	/* Find seg from where we run, whichever form cs:ip has: a near call
	   on the loader's stack (boot.rst has the loader set ss:sp) yields ip,
	   and ip - (link offset) = -16 * (cs - seg). */
	call	1f
1:	popw	%bx
	subw	$1b, %bx
	movb	$4, %cl
	sarw	%cl, %bx
	movw	%cs, %ax
	addw	%bx, %ax
	movw	%ax, %ds
	movw	%ax, %es
	pushw	%ax			/* far return to seg:2f: cs = seg */
	movw	$2f, %bx
	pushw	%bx
	lretw
2:
	/* The setup is i386 code. With 16-bit instructions only, tell an
	   older CPU what is wrong: the 8086 and 80186 keep FLAGS bits 12-15
	   set, the 80286 in real mode keeps them clear; from the i386 on,
	   IOPL and NT (bits 12-14) can be written (Intel's CPU identification
	   note, AP-485). */
	pushfw
	xorw	%ax, %ax
	pushw	%ax
	popfw
	pushfw
	popw	%ax
	andw	$0xf000, %ax
	cmpw	$0xf000, %ax
	je	too_old_cpu
	movw	$0x7000, %ax
	pushw	%ax
	popfw
	pushfw
	popw	%ax
	testw	$0x7000, %ax
	jz	too_old_cpu
	popfw
	movw	%ds, %ax

	/*
	 * Our stack. boot.rst gives the setup its image up to seg:8000 (bss
	 * and _stack_top included, see linker/setup.ld) and, when the loader
	 * sets CAN_USE_HEAP, the heap up to heap_end_ptr + 0x200; the
	 * loader's own example puts sp there. Use the higher of the two, but
	 * never past 0xFFF0: GCC's 32-bit stack addressing needs esp < 64 KiB
	 * (QEMU's heap_end_ptr + 0x200 is exactly 0x10000).
	 */
	movl	$_stack_top, %edx
	testb	$CAN_USE_HEAP, loadflags
	jz	3f
	movzwl	heap_end_ptr, %ecx
	addl	$0x200, %ecx
	cmpl	$0xfff0, %ecx
	jbe	4f
	movl	$0xfff0, %ecx
4:	cmpl	%edx, %ecx
	jbe	3f
	movl	%ecx, %edx
3:	andl	$~0xf, %edx
	movw	%ax, %ss		/* ax = seg; the next move is atomic with it */
	movl	%edx, %esp

	/* Zero the bss (the zero page lives there). */
	movw	$__bss_start, %di
	movw	$__bss_end, %cx
	subw	%di, %cx
	xorl	%eax, %eax
	rep stosb

	sti
	calll	SetupMain
5:	cli
	hlt
	jmp	5b

too_old_cpu:
	movw	$old_cpu_msg, %si
	call	early_puts
	jmp	5b

	.section .rodata.header, "a"
old_cpu_msg:
	.asciz	"\r\nbzelf: cpu: this image needs an i386 or later -- System halted\r\n"

/* Filled in by `bzelf build`: the version string loaders may show
   (setup_header.kernel_version points here, less 0x200). */
	.globl	bzelf_kernel_version
	.type	bzelf_kernel_version, @object
bzelf_kernel_version:
	.asciz	"bzelf"
	.skip	128 - (. - bzelf_kernel_version)
	.size	bzelf_kernel_version, 128

	.section .note.GNU-stack, "", @progbits
