#include "cpu-check.h"

#include "elf.h"

namespace bzelf {
namespace {

enum class CpuWord : uint8_t { kLeaf1Ecx, kLeaf1Edx, kLeaf7Ebx, kExt1Ecx, kExt1Edx };

uint32_t Word(const CpuFeatures& cpu, CpuWord word) {
  switch (word) {
    case CpuWord::kLeaf1Ecx: return cpu.leaf1_ecx;
    case CpuWord::kLeaf1Edx: return cpu.leaf1_edx;
    case CpuWord::kLeaf7Ebx: return cpu.leaf7_ebx;
    case CpuWord::kExt1Ecx: return cpu.ext1_ecx;
    case CpuWord::kExt1Edx: return cpu.ext1_edx;
  }
  return 0;
}

// What each ISA level adds, in the psABI's order (x86-64 psABI, "ISA
// levels"; glibc's elf.h lists the same), with each one's CPUID bit (SDM
// vol. 2A, CPUID; AMD APM vol. 3). Names inline, not pointers: the stage
// is position-independent and nobody relocates it. Not listed: the
// baseline's SYSCALL, which every CPU with long mode has (AMD64 and Intel
// 64 define SYSCALL/SYSRET in 64-bit mode) and which Intel CPUs report in
// CPUID only in 64-bit mode (SDM vol. 2A, CPUID leaf 80000001H), where
// neither the setup nor the stage runs this check: an ELF64 kernel gets
// it with its long-mode check, an ELF32 one cannot use it.
struct IsaFeature {
  uint8_t level;  // bit index in GNU_PROPERTY_X86_ISA_1_NEEDED
  CpuWord word;
  uint8_t bit;
  // Only for 64-bit code: CMPXCHG16B does not exist outside long mode,
  // and LAHF/SAHF are always there outside it. An ELF32 kernel cannot
  // need them.
  bool long_mode_only;
  char name[10];
};

constexpr IsaFeature kIsaFeatures[] = {
    {0, CpuWord::kLeaf1Edx, 15, false, "CMOV"},
    {0, CpuWord::kLeaf1Edx, 8, false, "CX8"},
    {0, CpuWord::kLeaf1Edx, 0, false, "FPU"},
    {0, CpuWord::kLeaf1Edx, 24, false, "FXSR"},
    {0, CpuWord::kLeaf1Edx, 23, false, "MMX"},
    {0, CpuWord::kLeaf1Edx, 25, false, "SSE"},
    {0, CpuWord::kLeaf1Edx, 26, false, "SSE2"},
    {1, CpuWord::kLeaf1Ecx, 13, true, "CX16"},
    {1, CpuWord::kExt1Ecx, 0, true, "LAHF-SAHF"},
    {1, CpuWord::kLeaf1Ecx, 23, false, "POPCNT"},
    {1, CpuWord::kLeaf1Ecx, 0, false, "SSE3"},
    {1, CpuWord::kLeaf1Ecx, 9, false, "SSSE3"},
    {1, CpuWord::kLeaf1Ecx, 19, false, "SSE4.1"},
    {1, CpuWord::kLeaf1Ecx, 20, false, "SSE4.2"},
    {2, CpuWord::kLeaf1Ecx, 28, false, "AVX"},
    {2, CpuWord::kLeaf7Ebx, 5, false, "AVX2"},
    {2, CpuWord::kLeaf7Ebx, 3, false, "BMI1"},
    {2, CpuWord::kLeaf7Ebx, 8, false, "BMI2"},
    {2, CpuWord::kLeaf1Ecx, 29, false, "F16C"},
    {2, CpuWord::kLeaf1Ecx, 12, false, "FMA"},
    {2, CpuWord::kExt1Ecx, 5, false, "LZCNT"},
    {2, CpuWord::kLeaf1Ecx, 22, false, "MOVBE"},
    {2, CpuWord::kLeaf1Ecx, 26, false, "XSAVE"},
    {3, CpuWord::kLeaf7Ebx, 16, false, "AVX512F"},
    {3, CpuWord::kLeaf7Ebx, 30, false, "AVX512BW"},
    {3, CpuWord::kLeaf7Ebx, 28, false, "AVX512CD"},
    {3, CpuWord::kLeaf7Ebx, 17, false, "AVX512DQ"},
    {3, CpuWord::kLeaf7Ebx, 31, false, "AVX512VL"},
};

// The highest level in `isa_needed`, as a bit index; -1 for none.
int HighestLevel(uint32_t isa_needed) {
  int level = -1;
  for (int i = 0; i < 4; ++i) {
    if (isa_needed & (1u << i)) level = i;
  }
  return level;
}

}  // namespace

const char* IsaLevelName(uint32_t isa_needed) {
  switch (HighestLevel(isa_needed)) {
    case 0: return "x86-64-baseline";
    case 1: return "x86-64-v2";
    case 2: return "x86-64-v3";
    case 3: return "x86-64-v4";
  }
  return "";
}

Failure CheckCpu(const CpuFeatures& cpu, uint8_t kernel_class, uint32_t isa_needed) {
  const bool elf64 = kernel_class == elf::ELFCLASS64;
  if (elf64 && !cpu.LongMode()) {
    return Fail("cpu", "this kernel needs a 64-bit (x86-64) CPU; long mode not found");
  }
  const int level = HighestLevel(isa_needed & kIsaKnown);
  if (level >= 0) {
    Message need;
    need << "this kernel needs an " << IsaLevelName(isa_needed) << " CPU (its x86 ISA needed note); ";
    if (!cpu.cpuid) return Fail("cpu", need << "this CPU has no CPUID");
    for (const IsaFeature& f : kIsaFeatures) {
      if (f.level > level || (f.long_mode_only && !elf64)) continue;
      if (!(Word(cpu, f.word) & (1u << f.bit))) return Fail("cpu", need << f.name << " not found");
    }
  }
  // The stage is i486 code; only an i386 lacks what it needs.
  if (!cpu.i486) return Fail("cpu", "this image needs an i486 or later CPU; this is an i386");
  return {};
}

InflatePath ChooseInflatePath(const CpuFeatures& cpu) {
  // InflateRawSse2 is i686 code: CMOV too, which every CPU with SSE2 has,
  // but an emulator can be told otherwise.
  const bool cmov = (cpu.leaf1_edx & cpuid::k1EdxCmov) != 0;
  return cpu.Sse2() && cmov ? InflatePath::kSse2 : InflatePath::kI486;
}

}  // namespace bzelf
