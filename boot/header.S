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
#include "direct-boot.h"

/* Stops the assembly when a header field is not where lib/boot-params.h
   puts it. HDR_* (build/gen/asm-offsets.h) are offsets in boot_params,
   where the header sits at the same place as in the image. */
#define CHECK_AT(field) \
	.if (. - hdr) - (HDR_##field - HDR_setup_sects); \
	.error "setup_header field out of place (see lib/boot-params.h)"; \
	.endif

	.code16

/* ---- Boot sector: run only when a BIOS boots the image directly ------ */

/*
 * The "MBR (direct)" path of DESIGN.md: the image written raw to a disk
 * (a USB stick, a hard disk, QEMU -drive format=raw) and booted by the BIOS
 * with no loader. The boot sector acts as the loader for the real-mode
 * part: it reads sector 0 and the setup_sects setup sectors after it to
 * DIRECT_BOOT_SETUP_SEG:0000 (where QEMU -kernel puts them too), fills in
 * the setup header fields boot.rst asks a loader to write, records the
 * BIOS drive for the setup, and enters the setup the way a loader does.
 * The setup sees bootsect_loaded and loads part 5 itself (boot/disk.cpp).
 *
 * 8086 instructions only (the assembler checks): on an older CPU this
 * code still has to reach the setup's CPU check, which says what is wrong.
 * Errors are one-character codes, listed in boot/README.md.
 */

	.arch	i8086
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
	cli
	xorw	%ax, %ax
	movw	%ax, %ss
	movw	$0x7c00, %sp		/* below us: free at boot time */
	sti
	movw	%cs, %ax
	movw	%ax, %ds
	cld
	/* The BIOS passes the boot drive in dl (0x80 for the first hard
	   disk or a USB stick booted as one). Keep it: INT 13h AH=41h
	   returns the extensions' version in dh, and not every BIOS keeps dl. */
	movb	%dl, bs_drive

	/* INT 13h AH=41h, BX=55AAh: are the extensions there (Phoenix "BIOS
	   Enhanced Disk Drive Specification" 1.1; Ralf Brown's interrupt
	   list, INT 13/AH=41h)? Yes when CF is clear, BX = AA55h and CX bit
	   0 ("fixed disk access subset": AH=42h-44h, 47h, 48h) is set. A BIOS
	   without them leaves CF set or BX unchanged. */
	movb	$0x41, %ah
	movw	$0x55aa, %bx
	int	$0x13
	movb	$'E', %al		/* MOV leaves the flags alone */
	jc	bs_error
	cmpw	$0xaa55, %bx
	jne	bs_error
	testb	$1, %cl
	jz	bs_error

	/* Sector 0 and the setup sectors, setup_sects + 1 <= 64 of them
	   (setup.ld), 32 KiB at most: one read, under the 127 sectors that
	   EDD 1.1 allows per call, into 0x10000-0x17FFF, which crosses no
	   64 KiB boundary. Sector 0 is read again so that the setup finds
	   the boot sector's words (cl_magic, the header's start) at seg:0,
	   as from any loader. Three tries with a disk reset (AH=00h) between
	   them: the classic cure for a drive that is not spun up yet. */
	movw	$3, %di
	/* The count again for every try: the BIOS writes the number of
	   sectors it did read back into the packet, and a retry with that
	   count would "succeed" with the rest of the setup missing. */
1:	movb	setup_sects, %al
	cbw
	incw	%ax
	movw	%ax, bs_dap_count
	movw	$bs_dap, %si
	movb	$0x42, %ah		/* extended read: ds:si = the packet */
	movb	bs_drive, %dl
	int	$0x13
	jnc	2f
	xorb	%ah, %ah		/* reset the disk system */
	movb	bs_drive, %dl
	int	$0x13
	decw	%di
	jnz	1b
	movb	$'R', %al
	jmp	bs_error

	/* The image's setup sectors, not some other sector 1: an image copied
	   into a partition instead of onto the whole disk is booted through
	   the disk's own MBR, and sector 1 of the disk is not ours. */
2:	movw	$DIRECT_BOOT_SETUP_SEG, %ax
	movw	%ax, %es
	movb	$'S', %al
	cmpw	$0x6448, %es:hdr_header		/* "Hd" */
	jne	bs_error
	cmpw	$0x5372, %es:hdr_header + 2	/* "rS" */
	jne	bs_error

	/* What a loader writes (boot.rst, "Details of header fields"). The
	   image's own values stand for the rest: cmd_line_ptr 0 (the stage
	   then takes the built-in command line), no initrd, code32_start
	   where part 5 goes. */
	movb	$DIRECT_BOOT_LOADER_ID, %es:type_of_loader
	orb	$CAN_USE_HEAP, %es:loadflags
	movw	$DIRECT_BOOT_HEAP_END, %es:heap_end_ptr
	movb	bs_drive, %dl
	movb	%dl, %es:bootsect_drive
	movb	$1, %es:bootsect_loaded

	/* Enter the setup as a loader does: ds = es = ss = seg, a stack in
	   the heap, cs:ip = (seg + 0x20):0000. */
	movw	%es, %ax
	cli
	movw	%ax, %ds
	movw	%ax, %ss
	movw	$DIRECT_BOOT_HEAP_END, %sp
	ljmp	$DIRECT_BOOT_SETUP_SEG + 0x20, $0

/* al = the error code (boot/README.md): print it and stop. */
bs_error:
	movb	%al, bs_code
	movw	$bs_msg, %si
	call	early_puts
	/* Interrupts stay on: Ctrl-Alt-Del works. */
3:	hlt
	jmp	3b

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
	/* COM1 as lib/uart-8250.h's Init sets it, register for register:
	   no interrupts, 115200 baud, 8N1, FIFOs on, DTR and RTS. */
	movw	$COM1 + UART_IER, %dx
	xorb	%al, %al
	outb	%al, %dx
	movw	$COM1 + UART_LCR, %dx
	movb	$UART_LCR_DLAB, %al
	outb	%al, %dx
	movw	$COM1 + UART_DLL, %dx
	movb	$UART_DIVISOR_115200 & 0xff, %al
	outb	%al, %dx
	movw	$COM1 + UART_DLM, %dx
	movb	$UART_DIVISOR_115200 >> 8, %al
	outb	%al, %dx
	movw	$COM1 + UART_LCR, %dx
	movb	$UART_LCR_8N1, %al
	outb	%al, %dx
	movw	$COM1 + UART_FCR, %dx
	movb	$UART_FCR_ENABLE_CLEAR, %al
	outb	%al, %dx
	movw	$COM1 + UART_MCR, %dx
	movb	$UART_MCR_DTR_RTS, %al
	outb	%al, %dx
1:	lodsb
	testb	%al, %al
	jz	3f
	movb	%al, %ah
	/* Wait for THRE, at most 65536 reads: all that cx counts (Putc's
	   kThreSpins needs 32 bits). */
	movw	$COM1 + UART_LSR, %dx
	xorw	%cx, %cx
2:	inb	%dx, %al
	testb	$UART_LSR_THRE, %al
	loopz	2b
	movb	%ah, %al
	movw	$COM1 + UART_THR, %dx
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

bs_msg:	.ascii	"\r\nbzelf: boot sector: disk error "
bs_code:	.ascii	"?"
	.asciz	" -- System halted\r\n"

/* The INT 13h AH=42h disk address packet (EDD 1.1): sector 0 onwards to
   DIRECT_BOOT_SETUP_SEG:0000. */
	.balign	4
bs_dap:		.byte	0x10, 0		/* packet size, reserved */
bs_dap_count:	.word	0		/* sectors */
		.word	0, DIRECT_BOOT_SETUP_SEG	/* buffer offset, segment */
		.quad	0		/* first sector (LBA) */
bs_drive:	.byte	0
	.arch	default

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
hdr_boot_flag:	.word	BOOT_FLAG

	/* 0x200: the loader's entry point, (seg + 0x20):0000. */
	CHECK_AT(jump)
	.globl	hdr_jump
hdr_jump:	.byte	0xeb, start_of_setup - 1f
1:
	CHECK_AT(header)
	.globl	hdr_header
hdr_header:	.ascii	"HdrS"
	CHECK_AT(version)
version:	.word	PROTOCOL_VERSION
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
	/*
	 * XLF_KERNEL_64: the entry at +0x200. XLF_CAN_BE_LOADED_ABOVE_4G:
	 * startup_64 moves part 5 (and boot_params, the command line) below
	 * 4 GiB itself (compressed/startup-64.cpp); kexec's bzImage64 loaders
	 * want both bits.
	 */
xloadflags:	.word	XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G
cmdline_size:	.long	CMDLINE_SIZE	/* lib/boot-params.h kCmdlineSize */
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
	.arch	i8086			/* until the CPU check has passed */
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
	.arch	default
	popfw

	/*
	 * The last word of the setup sectors is a signature (linker/setup.ld):
	 * without it the loader did not load them all (a damaged setup_sects,
	 * a short file) and the code we are about to call is not there.
	 */
	cmpl	$SETUP_SIGNATURE, setup_sig
	jne	setup_not_loaded
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

setup_not_loaded:
	movw	$not_loaded_msg, %si
	call	early_puts
	jmp	5b

/* Next to the code that prints them: in the first setup sector, which
   every loader loads. */
old_cpu_msg:
	.asciz	"\r\nbzelf: cpu: this image needs an i386 or later -- System halted\r\n"
not_loaded_msg:
	.asciz	"\r\nbzelf: setup: not loaded whole (setup signature missing): damaged image or setup_sects -- System halted\r\n"

	.section .data.bootsect, "aw"
/* Set by the boot sector in the copy it loaded (see above); zero in the
   file, so zero whenever a loader loaded the image. */
	.globl	bootsect_loaded, bootsect_drive
	.type	bootsect_loaded, @object
	.type	bootsect_drive, @object
bootsect_loaded:	.byte	0	/* 1: the boot sector loaded the setup */
bootsect_drive:		.byte	0	/* the BIOS drive it booted from */
	.size	bootsect_loaded, 1
	.size	bootsect_drive, 1

	.section .rodata.header, "a"

/* Filled in by `bzelf build`: the version string loaders may show
   (setup_header.kernel_version points here, less 0x200). */
	.globl	bzelf_kernel_version
	.type	bzelf_kernel_version, @object
bzelf_kernel_version:
	.asciz	"bzelf"
	.skip	128 - (. - bzelf_kernel_version)
	.size	bzelf_kernel_version, 128

	.section .note.GNU-stack, "", @progbits
