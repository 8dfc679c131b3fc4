/*
 * The position-independent test kernels (pie-main.cpp), linked -pie at
 * PIE_LINK_ADDRESS (p_paddr = p_vaddr): text and everything read-only,
 * the dynamic relocations included, in one PT_LOAD; data, the dynamic
 * section and bss in another. PIE_ELF32 selects the 32-bit entry.
 */
#ifdef PIE_ELF32
OUTPUT_FORMAT("elf32-i386")
ENTRY(startup_32)
#else
OUTPUT_FORMAT("elf64-x86-64")
ENTRY(startup_64)
#endif

PHDRS {
  text PT_LOAD FLAGS(5);
  data PT_LOAD FLAGS(6);
  dynamic PT_DYNAMIC FLAGS(6);
}

SECTIONS {
  . = PIE_LINK_ADDRESS;
  __pie_start = .;
  .text : { *(.text.entry) *(.text .text.*) } :text
  .rodata : { *(.rodata .rodata.*) } :text
  .rela.dyn : { *(.rela.*) } :text
  .rel.dyn : { *(.rel.*) } :text
  .dynsym : { *(.dynsym) } :text
  .dynstr : { *(.dynstr) } :text
  .hash : { *(.hash) } :text
  .gnu.hash : { *(.gnu.hash) } :text
  . = ALIGN(4096);
  .data.rel.ro : { *(.data.rel.ro .data.rel.ro.*) } :data
  .dynamic : { *(.dynamic) } :data :dynamic
  .got : { *(.got) *(.got.plt) } :data
  .data : { *(.data .data.*) } :data
  .bss : { *(.bss .bss.* COMMON) } :data
  __pie_end = .;
  /DISCARD/ : { *(.interp) *(.comment) *(.note.*) *(.eh_frame*) }
}
