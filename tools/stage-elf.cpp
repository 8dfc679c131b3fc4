#include "stage-elf.h"

#include <cstring>

#include "elf.h"
#include "stage-params.h"

namespace bzelf {
namespace {

void PutNote(Bytes& out, size_t& pos, const char* name, uint32_t type, const void* desc,
             uint32_t descsz) {
  uint32_t namesz = static_cast<uint32_t>(std::strlen(name) + 1);
  elf::Elf_Nhdr nh{namesz, descsz, type};
  Store(out, pos, nh);
  pos += sizeof(nh);
  std::memcpy(&out[pos], name, namesz);
  pos += (namesz + 3) & ~3u;
  std::memcpy(&out[pos], desc, descsz);
  pos += (descsz + 3) & ~3u;
}

}  // namespace

void WriteStageHead(Bytes& part5, const StageLayout& l) {
  using namespace elf;
  constexpr uint32_t kPhnum = 3;
  static_assert(sizeof(Elf64_Ehdr) + kPhnum * sizeof(Elf64_Phdr) <= kStageNotesOffset);
  static_assert(kStageNotesOffset % 0x100 == 0xc0, "the taken-jg path needs p_offset low byte c0");

  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, kMagic, 4);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_ident[EI_OSABI] = ELFOSABI_STANDALONE;
  eh.e_ident[EI_ABIVERSION] = 0x4e;
  eh.e_ident[9] = 0xe9;
  int32_t rel = static_cast<int32_t>(l.startup_32) - 14;
  std::memcpy(&eh.e_ident[10], &rel, 4);
  eh.e_type = ET_EXEC;
  eh.e_machine = EM_X86_64;
  eh.e_version = EV_CURRENT;
  // An ELF64 loader that jumps to e_entry in long mode finds startup_64.
  eh.e_entry = kStageLinkAddress + kStageHeadSize;
  eh.e_phoff = sizeof(Elf64_Ehdr);
  eh.e_ehsize = sizeof(Elf64_Ehdr);
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = kPhnum;
  Store(part5, 0, eh);

  // At the offsets lib/stage-params.h fixes, which readers rely on.
  size_t pos = kPvhNoteOffset;
  uint32_t pvh_entry = kStageLinkAddress + l.startup_pvh;
  static_assert(sizeof(pvh_entry) == kPvhNoteDescSize);
  PutNote(part5, pos, kPvhNoteName, XEN_ELFNOTE_PHYS32_ENTRY, &pvh_entry, sizeof(pvh_entry));
  if (pos != kBzelfNoteOffset) throw ToolError("(stage)", "the PVH note is not where readers expect");
  BzelfBuildNote build{l.params_offset, kStageParamsVersion};
  PutNote(part5, pos, kBzelfNoteName, kBzelfNoteBuild, &build, sizeof(build));
  if (pos != kStageNotesEnd) throw ToolError("(stage)", "the bzelf note is not where readers expect");

  Elf64_Phdr note{};
  note.p_type = PT_NOTE;
  // PF_R, plus 0xeb in the top byte: the jmp of the taken-jg path above.
  note.p_flags = PF_R | 0xeb000000u;
  note.p_offset = kStageNotesOffset;
  note.p_vaddr = note.p_paddr = kStageLinkAddress + kStageNotesOffset;
  note.p_filesz = note.p_memsz = kStageNotesEnd - kStageNotesOffset;
  note.p_align = 4;
  Store(part5, sizeof(Elf64_Ehdr), note);

  Elf64_Phdr image{};
  image.p_type = PT_LOAD;
  image.p_flags = PF_R | PF_W | PF_X;
  image.p_offset = 0;
  image.p_vaddr = image.p_paddr = kStageLinkAddress;
  image.p_filesz = image.p_memsz = l.file_size;
  image.p_align = 4096;
  Store(part5, sizeof(Elf64_Ehdr) + sizeof(Elf64_Phdr), image);

  Elf64_Phdr arena{};
  arena.p_type = PT_LOAD;
  arena.p_flags = PF_R | PF_W;
  arena.p_offset = l.arena_offset;
  arena.p_vaddr = arena.p_paddr = kStageLinkAddress + l.arena_offset;
  arena.p_filesz = 0;
  arena.p_memsz = l.arena_size;
  arena.p_align = 4096;
  Store(part5, sizeof(Elf64_Ehdr) + 2 * sizeof(Elf64_Phdr), arena);
}

}  // namespace bzelf
