// Offsets into boot_params that entry64.S and entry32-high.S need, defined as absolute
// symbols from the C++ struct itself (the way Linux's asm-offsets turns
// C structs into assembler constants), so nothing is copied by hand.
#include <stddef.h>

#include "boot-params.h"

namespace bzelf::testkernel {
namespace {

using linuxboot::boot_params;

[[gnu::used]] void DefineBootParamsOffsets() {
  asm volatile(
      ".globl bp_size\n\t.set bp_size, %c0\n\t"
      ".globl bp_cmd_line_ptr\n\t.set bp_cmd_line_ptr, %c1\n\t"
      ".globl bp_ext_cmd_line_ptr\n\t.set bp_ext_cmd_line_ptr, %c2\n\t"
      ".globl bp_cmdline_size\n\t.set bp_cmdline_size, %c3\n\t"
      ".globl bp_scratch\n\t.set bp_scratch, %c4"
      :
      : "i"(sizeof(boot_params)),
        "i"(offsetof(boot_params, hdr.cmd_line_ptr)),
        "i"(offsetof(boot_params, ext_cmd_line_ptr)),
        "i"(offsetof(boot_params, hdr.cmdline_size)),
        "i"(offsetof(boot_params, scratch)));
}

}  // namespace
}  // namespace bzelf::testkernel
