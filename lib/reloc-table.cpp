#include "reloc-table.h"

#include "elf.h"

namespace bzelf {

const char* RelocLayoutName(RelocLayout layout) {
  switch (layout) {
    case RelocLayout::kNone: return "none";
    case RelocLayout::kX86_64Inverse: return "x86_64 (64-bit, inverse 32-bit, 32-bit)";
    case RelocLayout::kX86_64: return "x86_64 (64-bit, 32-bit)";
    case RelocLayout::kI386: return "i386 (32-bit)";
  }
  return "?";
}

const char* RelocTableErrorString(RelocTableError error) {
  switch (error) {
    case RelocTableError::kOk: return "no error";
    case RelocTableError::kNotWords: return "its size is not a multiple of 4 bytes";
    case RelocTableError::kNoLeadingZero: return "it does not start with a zero word";
    case RelocTableError::kListCount: return "it has more zero words than any layout";
    case RelocTableError::kWrongClass: return "its layout is for the other ELF class";
  }
  return "?";
}

RelocTableParse ParseRelocTable(const uint8_t* data, uint64_t size, uint8_t elf_class) {
  RelocTableParse out;
  if (size % 4 != 0 || size / 4 > UINT32_MAX) {
    out.error = RelocTableError::kNotWords;
    return out;
  }
  const uint32_t words = static_cast<uint32_t>(size / 4);
  auto word = [&](uint32_t i) {
    uint32_t w;
    __builtin_memcpy(&w, data + 4 * uint64_t{i}, 4);
    return w;
  };
  if (words == 0 || word(0) != 0) {
    out.error = RelocTableError::kNoLeadingZero;
    return out;
  }
  // Each zero word starts a list; the words up to the next one are its
  // entries.
  uint32_t starts[3] = {}, counts[3] = {};
  int lists = 0;
  for (uint32_t i = 0; i < words; ++i) {
    if (word(i) == 0) {
      if (lists == 3) {
        out.error = RelocTableError::kListCount;
        return out;
      }
      starts[lists++] = i + 1;
    } else {
      ++counts[lists - 1];
    }
  }
  RelocTable& t = out.table;
  const bool is64 = elf_class == elf::ELFCLASS64;
  if (lists == 1) {
    t.layout = RelocLayout::kI386;
    t.start32 = starts[0];
    t.count32 = counts[0];
  } else {
    t.layout = lists == 3 ? RelocLayout::kX86_64Inverse : RelocLayout::kX86_64;
    t.start64 = starts[0];
    t.count64 = counts[0];
    t.start_inverse = lists == 3 ? starts[1] : 0;
    t.count_inverse = lists == 3 ? counts[1] : 0;
    t.start32 = starts[lists - 1];
    t.count32 = counts[lists - 1];
  }
  if ((t.layout == RelocLayout::kI386) == is64) {
    out.error = RelocTableError::kWrongClass;
    out.table = {};
  }
  return out;
}

}  // namespace bzelf
