// What the kernels that bzelf moves (pie-main.cpp, rela-main.cpp) hold and
// check: absolute pointers to each kind of place, which only relocation
// makes right once the kernel runs elsewhere than where it was linked, and
// whether the whole kernel lies in one E820 RAM entry. Included by one
// translation unit of each kernel: the objects are its own.
#pragma once

#include <stdint.h>

#include "boot-params.h"

namespace bzelf::testkernel {
namespace {

int data_word = 0x5a5a;
int bss_word;
const char kRodataText[] = "rodata";
void CodeMarker() { asm volatile(""); }

// Absolute pointers to .data, .bss, .rodata, code and the table itself,
// and (`chain`) a pointer to a pointer in read-only data.
struct Pointers {
  int* data;
  int* bss;
  const char* rodata;
  void (*code)();
  const Pointers* self;
};
Pointers pointers = {&data_word, &bss_word, kRodataText, &CodeMarker, &pointers};
const Pointers* const chain = &pointers;

// What memory holds, read after a barrier, so that the load happens
// rather than the compiler's idea of it.
template <typename T>
T Loaded(const T& slot) {
  asm volatile("" ::: "memory");
  return *static_cast<const volatile T*>(&slot);
}

bool InOneRamEntry(const linuxboot::boot_params* bp, uint64_t start, uint64_t end) {
  for (unsigned i = 0; i < bp->e820_entries && i < linuxboot::E820_MAX_ENTRIES_ZEROPAGE; ++i) {
    const linuxboot::e820_entry& e = bp->e820_table[i];
    if (e.type == linuxboot::E820_TYPE_RAM && start >= e.addr && end <= e.addr + e.size) return true;
  }
  return false;
}

}  // namespace
}  // namespace bzelf::testkernel
