/*
 * The kernels linked --emit-relocs (rela-main.cpp): not position-
 * independent, linked at a fixed place, moved only by the table bzelf
 * makes from their .rela/.rel sections. RELA_ELF32: ELF32 at its
 * physical address RELA_PHYS (virtual = physical); otherwise ELF64 in the
 * top 2 GiB as Linux's vmlinux is, virtual __START_KERNEL_map + physical,
 * e_entry the physical address of startup_64 (as vmlinux's).
 * _text and _end are defined inside output sections: outside one, ld may
 * make them absolute (SHN_ABS), which Linux's rules refuse for any name
 * not on their lists.
 */
#ifdef RELA_ELF32
OUTPUT_FORMAT("elf32-i386")
ENTRY(startup_32)
#define VIRT_BASE 0
#else
OUTPUT_FORMAT("elf64-x86-64")
ENTRY(phys_startup_64)
#define VIRT_BASE 0xffffffff80000000
#endif

PHDRS {
  text PT_LOAD FLAGS(5);
  data PT_LOAD FLAGS(6);
}

SECTIONS {
  . = VIRT_BASE + RELA_PHYS;
  .text : AT(ADDR(.text) - VIRT_BASE) { _text = .; *(.text.entry) *(.text .text.*) } :text
  .rodata : AT(ADDR(.rodata) - VIRT_BASE) { *(.rodata .rodata.*) } :text
  . = ALIGN(4096);
  .data : AT(ADDR(.data) - VIRT_BASE) { *(.data .data.*) } :data
  .bss : AT(ADDR(.bss) - VIRT_BASE) { *(.bss .bss.* COMMON) . = ALIGN(16); _end = .; } :data
#ifndef RELA_ELF32
  phys_startup_64 = startup_64 - VIRT_BASE;
#endif
  /DISCARD/ : { *(.comment) *(.note.*) *(.eh_frame*) }
}
