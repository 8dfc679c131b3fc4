// The kernel's own bytes: a .data block and a .rodata block of compiler-
// generated pattern (data-pattern.h) must hash to what the compiler
// computed, and a large .bss must be all zero. Together they show that every
// PT_LOAD arrived whole at its address and that the p_memsz tail was zeroed.
#include "checks.h"
#include "data-pattern.h"
#include "entry-state.h"
#include "io.h"
#include "serial.h"

namespace bzelf::testkernel {
namespace {

// 256 KiB of .data: big enough that a dropped or misplaced page shows, and
// random enough not to compress away.
constexpr size_t kDataWords = 256 * 1024 / sizeof(uint32_t);
constexpr uint32_t kDataSeed = 0x627a'656c;  // "bzel"
// 16 KiB of .rodata, in its own PT_LOAD.
constexpr size_t kRodataWords = 16 * 1024 / sizeof(uint32_t);
constexpr uint32_t kRodataSeed = 0x7465'7374;  // "test"
// 1 MiB of .bss: the stage has to zero it (p_memsz beyond p_filesz).
constexpr size_t kBssBytes = 1024 * 1024;

constinit PatternBlock<kDataWords> g_data_pattern =
    MakePattern<kDataWords>(kDataSeed);
constexpr PatternBlock<kRodataWords> kRodataPattern =
    MakePattern<kRodataWords>(kRodataSeed);
alignas(4096) uint8_t g_bss_block[kBssBytes];

constexpr uint32_t kDataHash = PatternHash(kDataSeed, kDataWords);
constexpr uint32_t kRodataHash = PatternHash(kRodataSeed, kRodataWords);

// Hashes words[0, count) and compares with the compiler's hash; on a
// mismatch regenerates the pattern to say where it first differs.
void CheckPattern(Verdict& verdict, const char* section, const char* check,
                  const uint32_t* words, size_t count, uint32_t seed,
                  uint32_t expected_hash) {
  words = Launder(words);
  uint32_t hash = kFnvOffsetBasis;
  for (size_t i = 0; i < count; ++i) {
    hash = HashWord(hash, words[i]);
  }
  Print("bzelf-test: ");
  Print(section);
  Print(": ");
  PrintDec(count * sizeof(uint32_t));
  Print(" bytes at ");
  PrintHex(reinterpret_cast<uintptr_t>(words));
  Print(", FNV-1a ");
  PrintHex(hash, 8);
  Print(", compiled-in ");
  PrintHex(expected_hash, 8);
  Print("\n");
  if (hash != expected_hash) {
    uint32_t state = seed;
    for (size_t i = 0; i < count; ++i) {
      uint32_t want = NextPatternWord(state);
      if (words[i] != want) {
        Print("bzelf-test: ");
        Print(section);
        Print(": first difference at offset ");
        PrintHex(i * sizeof(uint32_t));
        Print(": got ");
        PrintHex(words[i], 8);
        Print(", want ");
        PrintHex(want, 8);
        Print("\n");
        break;
      }
    }
  }
  verdict.Check(hash == expected_hash, check);
}

void CheckBss(Verdict& verdict) {
  const uint8_t* bytes = Launder(&g_bss_block[0]);
  size_t nonzero = 0;
  size_t first = 0;
  for (size_t i = 0; i < kBssBytes; ++i) {
    if (bytes[i] != 0) {
      if (nonzero++ == 0) {
        first = i;
      }
    }
  }
  Print("bzelf-test: .bss: ");
  PrintDec(kBssBytes);
  Print(" bytes at ");
  PrintHex(reinterpret_cast<uintptr_t>(bytes));
  Print(", ");
  PrintDec(nonzero);
  Print(" non-zero");
  if (nonzero != 0) {
    Print(", the first at offset ");
    PrintHex(first);
  }
  Print("\n");
  verdict.Check(nonzero == 0, ".bss is all zero");
}

}  // namespace

void CheckImageAtPhysical(Verdict& verdict) {
  uint64_t data = KernelVirtToPhys(g_data_pattern.words);
  uint64_t rodata = KernelVirtToPhys(kRodataPattern.words);
  if (!verdict.Check(Reachable(data, sizeof g_data_pattern) &&
                         Reachable(rodata, sizeof kRodataPattern),
                     "the kernel's physical addresses are reachable")) {
    return;
  }
  CheckPattern(verdict, ".data at its physical address",
               ".data holds what was compiled in at its physical address",
               PhysToPointer<uint32_t>(data), kDataWords, kDataSeed, kDataHash);
  CheckPattern(verdict, ".rodata at its physical address",
               ".rodata holds what was compiled in at its physical address",
               PhysToPointer<uint32_t>(rodata), kRodataWords, kRodataSeed,
               kRodataHash);
}

void CheckImage(Verdict& verdict) {
  CheckPattern(verdict, ".data", ".data holds what was compiled in",
               g_data_pattern.words, kDataWords, kDataSeed, kDataHash);
  CheckPattern(verdict, ".rodata", ".rodata holds what was compiled in",
               kRodataPattern.words, kRodataWords, kRodataSeed, kRodataHash);
  CheckBss(verdict);
}

}  // namespace bzelf::testkernel
