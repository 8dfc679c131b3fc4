// The boot stage's DEFLATE decoder (inflate.h): the block loop with the
// stage's fast loop, DecodeFast(), once with plain word copies and once
// with SSE2 copies. Built only into the stage (and the -m32 bench and fuzz
// programs that test the stage's object); see inflate.cpp.

#include "inflate-block.h"
#include "inflate-fast.h"
#include "inflate.h"

namespace bzelf {

// Page-aligned, and kept well under a page (about 2 KiB; linker/stage.ld
// asserts that it fits one) by leaving the cold paths out of line: under
// QEMU's TCG a jump is chained straight to its target only within a guest
// page, and anything else goes through a lookup, which costs the fast loop
// a fifth of its time if it straddles a page boundary. (Loaders put the
// stage page-aligned: code32_start, or its PVH ELF's load address.) A
// section of its own, so that the alignment pads only before this
// function, not before the rest of the stage's code.
[[gnu::aligned(4096), gnu::section(".text.inflate")]] InflateResult InflateRaw(
    const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, InflateEnd end) {
  return Inflate<StageLayout, DecodeFast<false>>(in, in_len, out, out_cap, end);
}

// Placed like InflateRaw(), in a page of its own.
[[gnu::aligned(4096), gnu::section(".text.inflate.sse2")]] InflateResult InflateRawSse2(
    const uint8_t* in, size_t in_len, uint8_t* out, size_t out_cap, InflateEnd end) {
  return Inflate<StageLayout, DecodeFast<true>>(in, in_len, out, out_cap, end);
}

}  // namespace bzelf
