#!/usr/bin/env python3
"""Writes an ELF64 kernel that leaves QEMU at once, for timing the stage:
    make-exit-kernel.py OUT.elf [DATA]
One PT_LOAD at physical 0x1000000 (where Debian's kernel loads): a few
bytes of code, then the bytes of the file DATA if given. The code writes 0
to isa-debug-exit (port 0xf4), so QEMU exits with status 1, and halts if
there is no such device. The same code runs in 32-bit and 64-bit mode.
Booted through bzelf, the difference between this kernel with DATA and
without it is the stage inflating (and checking) DATA.
"""
import struct
import sys

LOAD = 0x1000000
CODE = bytes([
    0xB0, 0x00,        # mov al, 0
    0xE6, 0xF4,        # out 0xf4, al   -> QEMU exits with status (0 << 1) | 1
    0xF4,              # hlt
    0xEB, 0xFD,        # jmp hlt
])
PAGE = 0x1000


def main():
    out = sys.argv[1]
    data = open(sys.argv[2], 'rb').read() if len(sys.argv) > 2 else b''
    body = CODE.ljust(16, b'\xcc') + data
    ehdr = struct.pack(
        '<4sBBBBB7xHHIQQQIHHHHHH',
        b'\x7fELF', 2, 1, 1, 0, 0,   # ELFCLASS64, little-endian, version 1
        2, 62, 1,                    # ET_EXEC, EM_X86_64, EV_CURRENT
        LOAD, 64, 0,                 # entry, phoff, shoff
        0, 64, 56, 1, 64, 0, 0)      # flags, ehsize, phentsize, phnum, shentsize, shnum, shstrndx
    phdr = struct.pack(
        '<IIQQQQQQ',
        1, 5,                        # PT_LOAD, PF_R | PF_X
        PAGE, LOAD, LOAD,            # offset, vaddr, paddr
        len(body), len(body), PAGE)  # filesz, memsz, align
    with open(out, 'wb') as f:
        f.write((ehdr + phdr).ljust(PAGE, b'\0'))
        f.write(body)


if __name__ == '__main__':
    main()
