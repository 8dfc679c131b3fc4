/*
 * The 64-bit test kernel, laid out like Linux's vmlinux (layout64.h):
 * ELFCLASS64, ET_EXEC, virtual addresses in the top 2 GiB, p_paddr the
 * physical load address (AT()), e_entry the physical entry point.
 * Four PT_LOADs -- text, rodata, data, bss -- so the loader has to place
 * several segments and zero a p_memsz tail.
 */
#include "layout64.h"
/* Extra .bss bytes (tests/hostile: a kernel too big for small RAM). */
#ifndef KERNEL_BSS_EXTRA
#define KERNEL_BSS_EXTRA 0
#endif

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
#ifdef KERNEL_ENTRY_VIRTUAL
ENTRY(startup_64)
#else
ENTRY(phys_startup_64)
#endif

PHDRS {
  text PT_LOAD FLAGS(5);   /* R X */
  rodata PT_LOAD FLAGS(4); /* R */
  data PT_LOAD FLAGS(6);   /* R W */
  bss PT_LOAD FLAGS(6);    /* R W, no file bytes */
#ifdef KERNEL_XEN_NOTES
  note PT_NOTE FLAGS(4);
#endif
#ifdef KERNEL_ISA_NOTE
  isa PT_NOTE FLAGS(4);
#endif
}

SECTIONS {
  . = KERNEL_VIRT_BASE + KERNEL_PHYS_START;
  __kernel_start = .;

  .text : AT(ADDR(.text) - KERNEL_VIRT_BASE + KERNEL_PADDR_OFFSET) {
    *(.text.entry)
    *(.text .text.*)
  } :text

  . = ALIGN(4096);
  .rodata : AT(ADDR(.rodata) - KERNEL_VIRT_BASE + KERNEL_PADDR_OFFSET) {
    *(.rodata .rodata.*)
  } :rodata
#ifdef KERNEL_ISA_NOTE
  /* The GNU property note `ld -z x86-64-...` writes (tests/cpu). */
  .note.gnu.property : AT(ADDR(.note.gnu.property) - KERNEL_VIRT_BASE + KERNEL_PADDR_OFFSET) {
    *(.note.gnu.property)
  } :rodata :isa
#endif

#ifdef KERNEL_XEN_NOTES
  /* In the rodata PT_LOAD and in a PT_NOTE of its own, as Linux's .notes. */
  .note.Xen : AT(ADDR(.note.Xen) - KERNEL_VIRT_BASE + KERNEL_PADDR_OFFSET) {
    *(.note.Xen)
  } :rodata :note
#endif

  . = ALIGN(4096) + KERNEL_DATA_GAP;
  .data : AT(ADDR(.data) - KERNEL_VIRT_BASE + KERNEL_PADDR_OFFSET) {
    *(.data .data.*)
  } :data

  . = ALIGN(4096);
  .bss : AT(ADDR(.bss) - KERNEL_VIRT_BASE + KERNEL_PADDR_OFFSET) {
    *(.bss .bss.*)
    *(COMMON)
#if KERNEL_BSS_EXTRA
    . += KERNEL_BSS_EXTRA;
#endif
  } :bss
  . = ALIGN(4096);
  __kernel_end = .;

  /* Must stay empty: nothing runs constructors, and nothing relocates. */
  .init_array : { *(.init_array .init_array.* .ctors .ctors.*) } :data
  .rela.dyn : { *(.rela.*) } :data
  .got : { *(.got .got.plt .igot.plt) } :data
  .plt : { *(.plt .iplt) } :text

  /* The object files' "no executable stack" markers: nothing to load. */
  /DISCARD/ : { *(.note.GNU-stack) }

  .comment 0 : { *(.comment) }

  /* As Linux's vmlinux.lds.S: phys_startup_64 is e_entry. */
  phys_startup_64 = ABSOLUTE(startup_64 - KERNEL_VIRT_BASE);
  __kernel_phys_start = ABSOLUTE(__kernel_start - KERNEL_VIRT_BASE);
  __kernel_phys_end = ABSOLUTE(__kernel_end - KERNEL_VIRT_BASE);
}

ASSERT(SIZEOF(.init_array) == 0, "test64: global constructors: nothing would run them")
ASSERT(SIZEOF(.rela.dyn) == 0, "test64: dynamic relocations: nothing would apply them")
ASSERT(SIZEOF(.got) == 0 && SIZEOF(.plt) == 0, "test64: GOT or PLT entries: these kernels are linked where they run")
ASSERT(__kernel_end - KERNEL_VIRT_BASE <= 0x40000000, "test64: entry64.S maps only the first 1 GiB at KERNEL_VIRT_BASE")
