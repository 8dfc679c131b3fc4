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
 * The "MBR (direct)" path of DESIGN.md: the image written raw to a disk or
 * a floppy (a USB stick, a hard disk, QEMU -drive format=raw) and booted by
 * the BIOS with no loader. The same 512 bytes are also the MS-DOS header of
 * the PE/COFF image that UEFI firmware starts (tools/pe-header.cpp writes
 * the PE header into the room kept for it below), so the code fits around
 * "MZ" at 0, the old command-line words at 0x20, e_lfanew at 0x3C and the
 * PE header.
 *
 * This sector only finds its drive and loads the first 4 KiB of the image
 * (itself and the first setup sectors) to DIRECT_BOOT_SETUP_SEG:0000, then
 * enters direct_boot_entry there; the setup loads the rest of itself and
 * part 5 (boot/setup-rest.cpp, boot/disk.cpp), with the full INT 13h logic: LBA or CHS, track
 * and 64 KiB limits, retries.
 *
 * 8086 instructions only (the assembler checks): on an older CPU this
 * code still has to reach the setup's CPU check, which says what is wrong.
 * Errors are one-character codes, listed in boot/README.md.
 */

	.arch	i8086
	.section .bstext, "ax"
	.globl	bootsect_start
bootsect_start:
	/*
	 * e_magic. As code, "MZ" is `dec %bp; pop %dx`: the BIOS's dl, the
	 * boot drive, is gone before our first instruction runs. So the
	 * drive is found again below, by content.
	 */
	.ascii	"MZ"
	/* The BIOS enters at 0000:7C00 or at 07C0:0000; with ds = 0 every
	   reference below adds 0x7C00 and works for both (jumps are
	   relative). */
	cli
	xorw	%ax, %ax
	movw	%ax, %ss
	movw	%ax, %ds
	movw	$0x7c00, %sp		/* below us: free at boot time */
	sti
	movw	$DIRECT_BOOT_SETUP_SEG, %ax
	movw	%ax, %es
	cld
	/*
	 * Which drive are we on? A real BIOS boots from floppy drive 0x00 or
	 * hard disk 0x80: BIOSes that let the user pick the boot disk renumber
	 * it to 0x80 (and USB sticks appear as 0x80, or as 0x00 when emulated
	 * as a floppy); only CD-ROMs get other numbers, and El Torito's
	 * emulation maps those to 0x00 or 0x80 too. dl being lost ("MZ"
	 * above), probe: hard disks 0x80-0x83 first (they answer at once; an
	 * empty floppy drive takes seconds to fail), then floppy drives 0x00
	 * and 0x01, and take the first whose sector 0 is byte for byte the
	 * sector the BIOS loaded at 0x7C00. Two images differ there even when
	 * only their kernels' command lines or payloads differ: `bzelf build`
	 * writes part 5's CRC32 into the PE header's TimeDateStamp
	 * (tools/pe-header.h). The same image on two disks makes either one
	 * as good.
	 *
	 * Each probe reads the first DIRECT_BOOT_FIRST_SECTORS sectors
	 * (direct-boot.h: cylinder 0, head 0, from sector 1) to
	 * DIRECT_BOOT_SETUP_SEG:0000, what the setup needs first. Track 0
	 * holds at least 8 sectors on every PC disk (8 to 36 per track on
	 * floppies, 17 or more on hard disks), so no geometry is needed.
	 * Three tries with a disk reset (AH=00h) between them: a floppy read
	 * fails while the motor spins up, and the PC's BIOS documentation
	 * asks for exactly this. A drive that cannot give us
	 * these sectors is not one we can boot from, so a read error only
	 * moves the probe on.
	 */
	movb	$0x80, %dl
bs_probe:
	movw	$3, %bp
	jmp	1f

	/* The old command-line protocol (boot.rst): loaders for protocol
	   2.01 and older store 0xA33F at 0x20 and the command line's offset
	   at 0x22. Our own bytes here stay zero so that the setup never takes
	   code for the magic. */
	.org	0x20
	.globl	cl_magic, cl_offset
cl_magic:	.word	0
cl_offset:	.word	0

1:	movw	$0x0200 | DIRECT_BOOT_FIRST_SECTORS, %ax	/* read */
	movw	$0x0001, %cx		/* cylinder 0, sector 1 */
	movb	$0, %dh			/* head 0 */
	xorw	%bx, %bx		/* es:bx = DIRECT_BOOT_SETUP_SEG:0000 */
	int	$0x13
	jnc	bs_compare
	xorb	%ah, %ah		/* reset */
	int	$0x13
	decw	%bp
	jnz	1b
	jmp	bs_next

	.org	0x3c
	/* e_lfanew: where the PE header starts. */
	.long	pe_header

bs_compare:
	movw	$0x7c00, %si		/* ds:si = the sector the BIOS loaded */
	xorw	%di, %di		/* es:di = the one just read */
	movw	$256, %cx
	repe cmpsw
	jne	bs_next
	/* Found: the drive is dl, its first 4 KiB are loaded. */
	ljmp	$DIRECT_BOOT_SETUP_SEG, $direct_boot_entry

bs_next:
	incw	%dx
	cmpb	$0x84, %dl
	jne	1f
	movb	$0, %dl
1:	cmpb	$2, %dl
	jne	bs_probe

/* No drive holds this boot sector (error S in boot/README.md): say so
   and stop. Each character to COM1 through the BIOS (INT 14h AH=01h) and
   to the screen (INT 10h AH=0Eh). There is no room here for the setup's
   way (early_puts: the UART programmed as lib/uart-8250.h sets it, then
   the screen in a second pass, which a BIOS mirroring its teletype to
   COM1 would otherwise interleave: SeaBIOS does under QEMU -nographic). */
	movw	$bs_msg + 0x7c00, %si
1:	lodsb
	testb	%al, %al
	jz	2f
	pushw	%si			/* some BIOSes clobber si and bp in INT 10h */
	pushw	%ax
	movb	$0x01, %ah
	xorw	%dx, %dx		/* COM1 */
	int	$0x14
	popw	%ax
	movb	$0x0e, %ah
	movw	$0x0007, %bx		/* page 0, light grey */
	int	$0x10
	popw	%si
	jmp	1b
	/* Interrupts stay on: Ctrl-Alt-Del works. */
2:	hlt
	jmp	2b

bs_msg:	.asciz	"\r\nbzelf: boot sector: disk error S -- System halted\r\n"

	/* The PE header (lib/pe.h's PeHeader), written by `bzelf build`;
	   linker/setup.ld checks that it ends before the setup header. The
	   PE specification wants it 8-byte aligned. */
	.balign	8
	.globl	pe_header
pe_header:
	.skip	PE_HEADER_SIZE
	.globl	pe_header_end
pe_header_end:
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
	 * want both bits. XLF_EFI_HANDOVER_64: the EFI handover entry at
	 * +0x200 + handover_offset (compressed/head.S, efi_handover_entry).
	 */
xloadflags:	.word	XLF_KERNEL_64 | XLF_CAN_BE_LOADED_ABOVE_4G | XLF_EFI_HANDOVER_64
cmdline_size:	.long	CMDLINE_SIZE	/* lib/boot-params.h kCmdlineSize */
hardware_subarch:	.long	0	/* default PC */
hardware_subarch_data:	.quad	0
payload_offset:	.long	0		/* tool */
payload_length:	.long	0		/* tool */
setup_data:	.quad	0
pref_address:	.quad	0x1000000	/* tool may patch */
init_size:	.long	0		/* tool */
handover_offset:	.long	0	/* tool: efi_handover_entry - startup_64 */
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
	/* Booted by our boot sector, which loaded only the first 4 KiB: the
	   rest of the setup comes from the disk now (boot/setup-rest.cpp, placed
	   in those 4 KiB by linker/setup.ld). */
	cmpb	$0, bootsect_loaded
	je	6f
	calll	LoadSetupRest
	/*
	 * The last word of the setup sectors is a signature (linker/setup.ld):
	 * without it the loader did not load them all (a damaged setup_sects,
	 * a short file) and the code we are about to call is not there.
	 */
6:	cmpl	$SETUP_SIGNATURE, setup_sig
	jne	setup_not_loaded
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

/*
 * early_puts: prints the NUL-terminated string at ds:si on COM1 and then on
 * the screen (INT 10h AH=0Eh teletype): in two passes, because BIOSes that
 * mirror the teletype to a serial console (SeaBIOS under QEMU -nographic)
 * would interleave the copies. 8086 instructions only: it reports a CPU
 * too old for the rest of the setup. Clobbers ax, bx, cx, dx, si.
 */
	.arch	i8086
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

/*
 * Entered by the boot sector (above) at DIRECT_BOOT_SETUP_SEG:this, with
 * dl = the drive it found and the image's first 4 KiB loaded: do what
 * a loader does (boot.rst, "Details of header fields"), then enter the
 * setup as a loader does. The image's own values stand for the rest:
 * cmd_line_ptr 0 (the stage then takes the built-in command line), no
 * initrd, code32_start where part 5 goes. Still 8086 code: the CPU check
 * comes at start_of_setup.
 */
	.globl	direct_boot_entry, start_of_setup, early_puts
direct_boot_entry:
	movw	%cs, %ax
	cli
	movw	%ax, %ds
	movw	%ax, %es
	movw	%ax, %ss
	movw	$DIRECT_BOOT_HEAP_END, %sp	/* a stack in the heap */
	movb	$DIRECT_BOOT_LOADER_ID, type_of_loader
	orb	$CAN_USE_HEAP, loadflags
	movw	$DIRECT_BOOT_HEAP_END, heap_end_ptr
	movb	%dl, bootsect_drive
	movb	$1, bootsect_loaded
	jmp	start_of_setup
	.arch	default

/* Next to the code that prints them: in the first 4 KiB, which every
   loader and our boot sector load first. */
old_cpu_msg:
	.asciz	"\r\nbzelf: cpu: this image needs an i386 or later -- System halted\r\n"
not_loaded_msg:
	.asciz	"\r\nbzelf: setup: not loaded whole (setup signature missing): damaged image or setup_sects -- System halted\r\n"

/* The bytes the boot sector loads, for linker/setup.ld's checks that
   what runs before the rest of the setup is loaded lies in them. */
	.globl	direct_boot_first_bytes
	.set	direct_boot_first_bytes, DIRECT_BOOT_FIRST_SECTORS * 512

	.section .data.bootsect, "aw"
/* Set by direct_boot_entry (see above); zero in the file, so zero
   whenever a loader loaded the image. */
	.globl	bootsect_loaded, bootsect_drive
	.type	bootsect_loaded, @object
	.type	bootsect_drive, @object
bootsect_loaded:	.byte	0	/* 1: our boot sector loaded the first 4 KiB */
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
