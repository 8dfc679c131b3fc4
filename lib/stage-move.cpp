#include "stage-move.h"

#include "memory-plan.h"

namespace bzelf {

linuxboot::boot_params* MoveStage(uintptr_t from, uintptr_t to, const StageParams& params,
                                  linuxboot::boot_params* bp) {
  __builtin_memcpy(reinterpret_cast<void*>(to), reinterpret_cast<const void*>(from),
                   params.file_size);
  const uintptr_t old_arena = from + params.arena_offset;
  const uintptr_t new_arena = to + params.arena_offset;
  static_assert(kArenaCmdlineOffset == kArenaZeroPageOffset + 4096 &&
                    kArenaSize == kArenaCmdlineOffset + kArenaCmdlineSize,
                "the zero page and the command-line page end the arena");
  __builtin_memcpy(reinterpret_cast<void*>(new_arena + kArenaZeroPageOffset),
                   reinterpret_cast<const void*>(old_arena + kArenaZeroPageOffset),
                   kArenaSize - kArenaZeroPageOffset);
  auto bp_addr = reinterpret_cast<uintptr_t>(bp);
  if (bp_addr >= old_arena && bp_addr < old_arena + params.arena_size) {
    bp = reinterpret_cast<linuxboot::boot_params*>(bp_addr - old_arena + new_arena);
  }
  const uint64_t old_cmdline = old_arena + kArenaCmdlineOffset;
  if (CmdlineAddress(*bp) == old_cmdline) {
    const uint64_t moved = new_arena + kArenaCmdlineOffset;
    bp->hdr.cmd_line_ptr = static_cast<uint32_t>(moved);
    bp->ext_cmd_line_ptr = static_cast<uint32_t>(moved >> 32);
  }
  return bp;
}

void CopyHighCmdline(linuxboot::boot_params* bp, char* page, uint32_t page_size) {
  const uint64_t addr = CmdlineAddress(*bp);
  uint64_t limit = CmdlineLimit(*bp);
  if (addr == 0 || addr + limit + 1 <= k4GiB) return;
  if (limit > page_size - 1) limit = page_size - 1;
  const auto* from = reinterpret_cast<const char*>(static_cast<uintptr_t>(addr));
  uint64_t n = 0;
  for (; n < limit && from[n] != 0; ++n) page[n] = from[n];
  page[n] = 0;
  const auto to = reinterpret_cast<uintptr_t>(page);
  bp->hdr.cmd_line_ptr = static_cast<uint32_t>(to);
  bp->ext_cmd_line_ptr = static_cast<uint32_t>(uint64_t{to} >> 32);
}

}  // namespace bzelf
