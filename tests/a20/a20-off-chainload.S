/*
 * a20-off-chainload.bin: a boot sector for a disk in front of the image
 * in tests/a20/run.sh. It closes the A20 gate, proves with the
 * wrap-around test that it is closed, says so on COM1, then chain-loads
 * sector 0 of the next BIOS drive (the one it was booted from plus one: a
 * bzelf image, or one more chain-loader such as tests/int15's) to
 * 0000:7C00 and enters it with that drive in dl, as a disk's MBR
 * chain-loads a partition's boot sector. The bzelf boot sector then runs with the gate closed, as on a PC
 * whose BIOS leaves it closed, which SeaBIOS does not (run.sh says why
 * that matters).
 *
 * Its lines on COM1, each alone on a line:
 *   a20-off: A20 open at hand-over | a20-off: A20 closed at hand-over
 *       what the wrap-around test saw before we touched the gate
 *   a20-off: A20 closed (wrap-around)
 *       the gate is closed now; the chain-load follows
 *   a20-off: A20 still open -- System halted
 *   a20-off: read error on the next drive -- System halted
 *   a20-off: no boot sector -- System halted
 * The halt lines end as the project's own do, so that a suite's default
 * STOP_RE stops QEMU at them.
 *
 * 16-bit code, linked at 0x0600 (a20-off-chainload.ld): it first moves
 * itself there from 0x7C00, where the sector it loads must go
 * (chainload.S).
 */

/* The wrap-around test's two addresses: 0000:0500 (free conventional
   memory, just above the BIOS data area) and FFFF:0510, linear 0x100500,
   which is 0x500 again when address bit 20 is forced to zero. */
#define PROBE_LOW 0x0500
#define PROBE_HIGH_SEG 0xffff
#define PROBE_HIGH_OFF 0x0510
/* Rounds of the test, each with a new value at PROBE_LOW: "closed" only
   when every one of them shows up at PROBE_HIGH, so that a value that
   happens to sit at 0x100500 proves nothing. */
#define PROBE_ROUNDS 64

/* The 8042 keyboard controller (its output port bit 1 drives A20 on an
   AT) and System Control Port A ("fast A20", bit 1; bit 0 resets the
   CPU when written 1 after 0). */
#define KBC_DATA 0x60
#define KBC_STATUS 0x64
#define KBC_INPUT_FULL 0x02
#define KBC_OUTPUT_FULL 0x01
#define KBC_WRITE_OUTPUT 0xd1
/* The output port with A20 (bit 1) clear and the CPU reset line (bit 0,
   active low) inactive; 0xDF is the usual "A20 on" value. */
#define KBC_OUTPUT_A20_OFF 0xdd
#define PORT_A 0x92
#define PORT_A_A20 0x02
#define PORT_A_RESET 0x01

#include "chainload.S"

relocated:
	incb	%dl
	pushw	%dx			/* the next drive, for the chain-load */
	sti
	call	serial_init

	call	a20_closed
	movw	$msg_open_at_start, %si
	jnz	1f
	movw	$msg_closed_at_start, %si
1:	call	puts

	/* Every way a PC has, each on its own enough on some machine. The
	   BIOS first (INT 15h AX=2400h, "disable A20 gate"; a BIOS without it
	   returns CF set, and nothing is lost). SeaBIOS does it through port
	   0x92 (src/system.c, handle_152400). */
	movw	$0x2400, %ax
	int	$0x15

	/* The keyboard controller: command 0xD1, then the output port. */
	call	kbc_wait
	movb	$KBC_WRITE_OUTPUT, %al
	outb	%al, $KBC_STATUS
	call	kbc_wait
	movb	$KBC_OUTPUT_A20_OFF, %al
	outb	%al, $KBC_DATA
	call	kbc_wait

	/* Port 0x92 last, and whatever the other two did: SeaBIOS takes this
	   bit, not the gate, for the gate's state when it opens the gate for
	   its own calls and puts it back afterwards (INT 15h AH=87h:
	   src/system.c, handle_1587; its trips to 32-bit mode: src/stacks.c,
	   call32). With the bit still set it would open nothing, and its
	   copies above 1 MiB would land in the first megabyte. */
	inb	$PORT_A, %al
	andb	$~(PORT_A_A20 | PORT_A_RESET), %al
	outb	%al, $PORT_A

	call	a20_closed
	movw	$msg_still_open, %si
	jnz	halt
	movw	$msg_closed, %si
	call	puts

	popw	%dx
	jmp	chainload_next

/*
 * a20_closed: ZF set when the gate is closed (every round's value at
 * PROBE_LOW is read back at PROBE_HIGH), clear when it is open. Puts
 * PROBE_LOW back. Clobbers ax, bx, cx, fs.
 */
a20_closed:
	movw	$PROBE_HIGH_SEG, %ax
	movw	%ax, %fs
	movw	PROBE_LOW, %bx		/* saved */
	movw	%bx, %ax
	movw	$PROBE_ROUNDS, %cx
1:	incw	%ax
	movw	%ax, PROBE_LOW
	outb	%al, $0x80		/* an I/O delay */
	cmpw	%fs:PROBE_HIGH_OFF, %ax
	jne	2f			/* open: ZF clear */
	loop	1b			/* closed: ZF set by the cmpw */
2:	movw	%bx, PROBE_LOW		/* MOV leaves the flags alone */
	ret

/* kbc_wait: until the controller can take a byte, reading away any byte
   it has for us; gives up after 64 Ki rounds (no controller). Clobbers
   ax, cx. */
kbc_wait:
	xorw	%cx, %cx
1:	outb	%al, $0x80
	inb	$KBC_STATUS, %al
	testb	$KBC_OUTPUT_FULL, %al
	jz	2f
	inb	$KBC_DATA, %al
	jmp	3f
2:	testb	$KBC_INPUT_FULL, %al
	jz	4f
3:	loop	1b
4:	ret

msg_open_at_start:	.asciz	"a20-off: A20 open at hand-over\r\n"
msg_closed_at_start:	.asciz	"a20-off: A20 closed at hand-over\r\n"
msg_closed:		.asciz	"a20-off: A20 closed (wrap-around)\r\n"
msg_still_open:		.asciz	"a20-off: A20 still open -- System halted\r\n"
msg_read_error:		.asciz	"a20-off: read error on the next drive -- System halted\r\n"
msg_no_signature:	.asciz	"a20-off: no boot sector -- System halted\r\n"
