// ELF structures and constants (System V gABI, and the Xen notes of
// xen/include/public/elfnote.h), written out so that freestanding code can
// use them without the C library's <elf.h>.
#pragma once

#include <stdint.h>

namespace bzelf::elf {

inline constexpr uint8_t kMagic[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr int EI_CLASS = 4;
inline constexpr int EI_DATA = 5;
inline constexpr int EI_VERSION = 6;
inline constexpr int EI_OSABI = 7;
inline constexpr int EI_ABIVERSION = 8;
inline constexpr int EI_NIDENT = 16;
inline constexpr uint8_t ELFCLASS32 = 1;
inline constexpr uint8_t ELFCLASS64 = 2;
inline constexpr uint8_t ELFDATA2LSB = 1;
inline constexpr uint8_t EV_CURRENT = 1;
inline constexpr uint8_t ELFOSABI_STANDALONE = 255;

inline constexpr uint16_t ET_EXEC = 2;
inline constexpr uint16_t ET_DYN = 3;
inline constexpr uint16_t EM_386 = 3;
inline constexpr uint16_t EM_X86_64 = 62;

inline constexpr uint32_t PT_NULL = 0;
inline constexpr uint32_t PT_LOAD = 1;
inline constexpr uint32_t PT_DYNAMIC = 2;
inline constexpr uint32_t PT_INTERP = 3;
inline constexpr uint32_t PT_NOTE = 4;
inline constexpr uint32_t PT_PHDR = 6;
inline constexpr uint32_t PT_TLS = 7;
inline constexpr uint32_t PT_GNU_STACK = 0x6474e551;
inline constexpr uint32_t PT_GNU_PROPERTY = 0x6474e553;

inline constexpr uint32_t PF_X = 1;
inline constexpr uint32_t PF_W = 2;
inline constexpr uint32_t PF_R = 4;

// Xen ELF notes (name "Xen"), xen/include/public/elfnote.h.
inline constexpr uint32_t XEN_ELFNOTE_VIRT_BASE = 3;
inline constexpr uint32_t XEN_ELFNOTE_PADDR_OFFSET = 4;
inline constexpr uint32_t XEN_ELFNOTE_PHYS32_ENTRY = 18;

// GNU program properties (name "GNU", n_type NT_GNU_PROPERTY_TYPE_0): an
// array of {pr_type, pr_datasz, data padded to 8 bytes in ELF64 and 4 in
// ELF32} (glibc's elf.h; the Linux Extensions to gABI, "Program
// Property"). GNU_PROPERTY_X86_ISA_1_NEEDED's 4 bytes are the x86 ISA
// levels the program needs (kIsa* in lib/cpu-check.h).
inline constexpr uint32_t NT_GNU_PROPERTY_TYPE_0 = 5;
inline constexpr uint32_t GNU_PROPERTY_X86_ISA_1_NEEDED = 0xc0008002;

struct Elf32_Ehdr {
  uint8_t e_ident[EI_NIDENT];
  uint16_t e_type;
  uint16_t e_machine;
  uint32_t e_version;
  uint32_t e_entry;
  uint32_t e_phoff;
  uint32_t e_shoff;
  uint32_t e_flags;
  uint16_t e_ehsize;
  uint16_t e_phentsize;
  uint16_t e_phnum;
  uint16_t e_shentsize;
  uint16_t e_shnum;
  uint16_t e_shstrndx;
};

struct Elf64_Ehdr {
  uint8_t e_ident[EI_NIDENT];
  uint16_t e_type;
  uint16_t e_machine;
  uint32_t e_version;
  uint64_t e_entry;
  uint64_t e_phoff;
  uint64_t e_shoff;
  uint32_t e_flags;
  uint16_t e_ehsize;
  uint16_t e_phentsize;
  uint16_t e_phnum;
  uint16_t e_shentsize;
  uint16_t e_shnum;
  uint16_t e_shstrndx;
};

struct Elf32_Phdr {
  uint32_t p_type;
  uint32_t p_offset;
  uint32_t p_vaddr;
  uint32_t p_paddr;
  uint32_t p_filesz;
  uint32_t p_memsz;
  uint32_t p_flags;
  uint32_t p_align;
};

struct Elf64_Phdr {
  uint32_t p_type;
  uint32_t p_flags;
  uint64_t p_offset;
  uint64_t p_vaddr;
  uint64_t p_paddr;
  uint64_t p_filesz;
  uint64_t p_memsz;
  uint64_t p_align;
};

// Section headers and symbols (gABI "Sections", "Symbol Table"): the
// host tool reads a kernel's relocation sections (tools/section-relocs.h).
inline constexpr uint32_t SHT_SYMTAB = 2;
inline constexpr uint32_t SHT_STRTAB = 3;
inline constexpr uint32_t SHT_RELA = 4;
inline constexpr uint32_t SHT_REL = 9;
inline constexpr uint32_t SHT_SYMTAB_SHNDX = 18;
inline constexpr uint64_t SHF_ALLOC = 2;
inline constexpr uint16_t SHN_UNDEF = 0;
inline constexpr uint16_t SHN_ABS = 0xfff1;
inline constexpr uint16_t SHN_COMMON = 0xfff2;
inline constexpr uint16_t SHN_XINDEX = 0xffff;

struct Elf32_Shdr {
  uint32_t sh_name;
  uint32_t sh_type;
  uint32_t sh_flags;
  uint32_t sh_addr;
  uint32_t sh_offset;
  uint32_t sh_size;
  uint32_t sh_link;
  uint32_t sh_info;
  uint32_t sh_addralign;
  uint32_t sh_entsize;
};

struct Elf64_Shdr {
  uint32_t sh_name;
  uint32_t sh_type;
  uint64_t sh_flags;
  uint64_t sh_addr;
  uint64_t sh_offset;
  uint64_t sh_size;
  uint32_t sh_link;
  uint32_t sh_info;
  uint64_t sh_addralign;
  uint64_t sh_entsize;
};

struct Elf32_Sym {
  uint32_t st_name;
  uint32_t st_value;
  uint32_t st_size;
  uint8_t st_info;
  uint8_t st_other;
  uint16_t st_shndx;
};

struct Elf64_Sym {
  uint32_t st_name;
  uint8_t st_info;
  uint8_t st_other;
  uint16_t st_shndx;
  uint64_t st_value;
  uint64_t st_size;
};

struct Elf_Nhdr {
  uint32_t n_namesz;
  uint32_t n_descsz;
  uint32_t n_type;
};

static_assert(sizeof(Elf32_Ehdr) == 52);
static_assert(sizeof(Elf64_Ehdr) == 64);
static_assert(sizeof(Elf32_Phdr) == 32);
static_assert(sizeof(Elf64_Phdr) == 56);
static_assert(sizeof(Elf_Nhdr) == 12);
static_assert(sizeof(Elf32_Shdr) == 40);
static_assert(sizeof(Elf64_Shdr) == 64);
static_assert(sizeof(Elf32_Sym) == 16);
static_assert(sizeof(Elf64_Sym) == 24);

}  // namespace bzelf::elf
