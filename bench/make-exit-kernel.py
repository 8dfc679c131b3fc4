#!/usr/bin/env python3
"""Writes a kernel that leaves QEMU at once, for timing the stage:
    make-exit-kernel.py OUT.elf [DATA]
    make-exit-kernel.py --linux VMLINUX OUT.elf
The first form writes an ELF64 kernel with one PT_LOAD at physical
0x1000000 (where Debian's kernel loads): a few bytes of code, then the
bytes of the file DATA if given. Booted through bzelf, the difference
between this kernel with DATA and without it is the stage inflating (and
checking) DATA.
The second copies Linux's vmlinux, relocation table after the ELF
included, with those bytes written over the first bytes of its entry
(startup_64): the stage treats it as the Linux kernel it is (it draws a
slot, moves it and applies the 222,990 relocations of Debian's 6.1 amd64
kernel, or with `nokaslr` none of that) and then jumps to the exit. The
difference between the two is what relocation and slot choice cost the
stage, with none of Linux's own work in it. It takes where the ELF ends,
its entry and where its relocations come from from `bzelf info --json`
(BZELF, else build/bin/bzelf), the entry's file offset from the program
headers, and refuses a vmlinux without its table appended, or whose
table relocates any of the bytes written over.
The code writes 0 to isa-debug-exit (port 0xf4), so QEMU exits with status
1, and halts if there is no such device. The same code runs in 32-bit and
64-bit mode.
"""
import json
import os
import struct
import subprocess
import sys

LOAD = 0x1000000
CODE = bytes([
    0xB0, 0x00,        # mov al, 0
    0xE6, 0xF4,        # out 0xf4, al   -> QEMU exits with status (0 << 1) | 1
    0xF4,              # hlt
    0xEB, 0xFD,        # jmp hlt
])
PAGE = 0x1000
PT_LOAD = 1


def exit_kernel(out, data):
    body = CODE.ljust(16, b'\xcc') + data
    ehdr = struct.pack(
        '<4sBBBBB7xHHIQQQIHHHHHH',
        b'\x7fELF', 2, 1, 1, 0, 0,   # ELFCLASS64, little-endian, version 1
        2, 62, 1,                    # ET_EXEC, EM_X86_64, EV_CURRENT
        LOAD, 64, 0,                 # entry, phoff, shoff
        0, 64, 56, 1, 64, 0, 0)      # flags, ehsize, phentsize, phnum, shentsize, shnum, shstrndx
    phdr = struct.pack(
        '<IIQQQQQQ',
        PT_LOAD, 5,                  # PF_R | PF_X
        PAGE, LOAD, LOAD,            # offset, vaddr, paddr
        len(body), len(body), PAGE)  # filesz, memsz, align
    with open(out, 'wb') as f:
        f.write((ehdr + phdr).ljust(PAGE, b'\0'))
        f.write(body)


def exit_linux(vmlinux, out):
    # Where the ELF ends and where the relocations come from, as the tool
    # reads them: the table must be the one appended after the ELF (from
    # `.rela` sections the tool makes its own, which this cannot check).
    tool = os.environ.get('BZELF', 'build/bin/bzelf')
    try:
        run = subprocess.run([tool, 'info', '--json', vmlinux], capture_output=True, text=True)
    except OSError as e:
        sys.exit(f'make-exit-kernel.py: cannot run {tool}: {e}')
    if run.returncode != 0:
        sys.exit(f'make-exit-kernel.py: bzelf info failed: {run.stderr.strip()}')
    info = json.loads(run.stdout).get('kernel')
    if info is None or 'entry_physical' not in info:
        sys.exit(f'make-exit-kernel.py: {vmlinux}: bzelf info reads no kernel ELF in it')
    relocs = info.get('relocations', {})
    if relocs.get('from') != 'appended' or not relocs.get('layout', '').startswith('x86_64'):
        sys.exit(f'make-exit-kernel.py: {vmlinux}: not an x86_64 Linux vmlinux with its '
                 f'relocation table appended (bzelf info: {relocs})')
    image = bytearray(open(vmlinux, 'rb').read())
    end = len(image) - info['trailing_bytes']
    # The tool's physical addresses are p_paddr less its paddr_offset.
    entry = info['entry_physical'] + info.get('paddr_offset', 0)
    phoff, = struct.unpack_from('<Q', image, 32)
    phentsize, phnum = struct.unpack_from('<HH', image, 54)
    place = None
    for i in range(phnum):
        kind, _, offset, vaddr, paddr, filesz = struct.unpack_from(
            '<IIQQQQ', image, phoff + i * phentsize)
        # Linux's e_entry is physical (phys_startup_64).
        if kind == PT_LOAD and paddr <= entry < paddr + filesz:
            place = (offset + entry - paddr, vaddr + entry - paddr)
    if place is None:
        sys.exit(f'make-exit-kernel.py: {vmlinux}: its entry 0x{entry:x} is in no PT_LOAD')
    offset, vaddr = place
    # Each word of the table is the low 32 bits of a virtual address the
    # stage rewrites, 8 bytes at most (arch/x86/tools/relocs.c); zero
    # words end the lists.
    low = vaddr & 0xffffffff
    words = struct.unpack_from(f'<{(len(image) - end) // 4}I', image, end)
    hit = [w for w in words if w and low - 8 < w < low + len(CODE)]
    if hit:
        sys.exit(f'make-exit-kernel.py: {vmlinux}: its table relocates 0x{hit[0]:x}, '
                 f'in the {len(CODE)} bytes at its entry')
    image[offset:offset + len(CODE)] = CODE
    with open(out, 'wb') as f:
        f.write(image)


def main():
    args = sys.argv[1:]
    if args[:1] == ['--linux'] and len(args) == 3:
        exit_linux(args[1], args[2])
    elif 1 <= len(args) <= 2 and not args[0].startswith('-'):
        exit_kernel(args[0], open(args[1], 'rb').read() if len(args) > 1 else b'')
    else:
        sys.exit('usage: make-exit-kernel.py OUT.elf [DATA]\n'
                 '       make-exit-kernel.py --linux VMLINUX OUT.elf')


if __name__ == '__main__':
    main()
