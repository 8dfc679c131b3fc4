/*
 * The 32-bit test kernel: ELFCLASS32, ET_EXEC, linked and loaded at 2 MiB
 * (virtual = physical), entered at startup_32. test32-low.elf is the same
 * at 1 MiB, where QEMU -kernel puts the bzelf stage, which must then move
 * itself out of the way. Four PT_LOADs -- text, rodata, data, bss -- so the loader has
 * to place several segments and zero a p_memsz tail. KERNEL_DATA_GAP moves
 * .data and .bss that far up for the widely-spread layout.
 *
 * KERNEL_VIRT_BASE (place-old32.elf) links the kernel that far above its
 * physical address, with p_paddr = p_vaddr as old kernels had them (no
 * AT()): Linux i386's PAGE_OFFSET 0xC0000000 plus 2 MiB. Such a kernel is
 * still entered at its physical address with paging off: entry32-high.S
 * turns paging on before the C++ runs.
 */
#ifndef KERNEL_LOAD_ADDRESS
#define KERNEL_LOAD_ADDRESS 0x200000
#endif
#ifndef KERNEL_DATA_GAP
#define KERNEL_DATA_GAP 0
#endif
#ifndef KERNEL_VIRT_BASE
#define KERNEL_VIRT_BASE 0
#endif
/* Extra .bss bytes (tests/hostile: a kernel too big for small RAM). */
#ifndef KERNEL_BSS_EXTRA
#define KERNEL_BSS_EXTRA 0
#endif

OUTPUT_FORMAT("elf32-i386")
OUTPUT_ARCH(i386)
ENTRY(startup_32)

PHDRS {
  text PT_LOAD FLAGS(5);   /* R X */
  rodata PT_LOAD FLAGS(4); /* R */
  data PT_LOAD FLAGS(6);   /* R W */
  bss PT_LOAD FLAGS(6);    /* R W, no file bytes */
#ifdef KERNEL_ISA_NOTE
  isa PT_NOTE FLAGS(4);
#endif
}

SECTIONS {
  . = KERNEL_VIRT_BASE + KERNEL_LOAD_ADDRESS;
  __kernel_start = .;

  .text : {
    *(.text.entry)
    *(.text .text.*)
  } :text

  . = ALIGN(4096);
  .rodata : {
    *(.rodata .rodata.*)
  } :rodata
#ifdef KERNEL_ISA_NOTE
  /* The GNU property note `ld -z x86-64-...` writes (tests/cpu). */
  .note.gnu.property : {
    *(.note.gnu.property)
  } :rodata :isa
#endif

  . = ALIGN(4096) + KERNEL_DATA_GAP;
  .data : {
    *(.data .data.*)
  } :data

  . = ALIGN(4096);
  .bss : {
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
  .rel.dyn : { *(.rel.*) } :data
  .got : { *(.got .got.plt .igot.plt) } :data
  .plt : { *(.plt .iplt) } :text

  /* The object files' "no executable stack" markers: nothing to load. */
  /DISCARD/ : { *(.note.GNU-stack) }

  .comment 0 : { *(.comment) }

  __kernel_phys_start = ABSOLUTE(__kernel_start - KERNEL_VIRT_BASE);
  __kernel_phys_end = ABSOLUTE(__kernel_end - KERNEL_VIRT_BASE);
  phys_startup_32 = ABSOLUTE(startup_32 - KERNEL_VIRT_BASE);
  /* entry32-high.S: the identity map below this, the kernel above. */
  __kernel_virt_base = ABSOLUTE(KERNEL_VIRT_BASE);
}

ASSERT(SIZEOF(.init_array) == 0, "test32: global constructors: nothing would run them")
ASSERT(SIZEOF(.rel.dyn) == 0, "test32: dynamic relocations: nothing would apply them")
ASSERT(SIZEOF(.got) == 0 && SIZEOF(.plt) == 0, "test32: GOT or PLT entries: these kernels are linked where they run")
ASSERT(KERNEL_VIRT_BASE % 0x400000 == 0, "test32: KERNEL_VIRT_BASE must be 4 MiB aligned: entry32-high.S maps 4 MiB pages")
