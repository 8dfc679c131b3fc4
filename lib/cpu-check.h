// What the CPU has, and whether that is enough for this image and for the
// kernel in it: one rule for the real-mode setup, the 32-bit stage (for
// the loaders that never run the setup) and the unit tests, which feed it
// the EFLAGS and CPUID answers of CPUs they make up.
//
// The image runs on an i486 or later: the setup is i386 code (so that it
// can still say what is wrong on an i386), the stage i486 code, and what
// needs more (the SSE2 inflate, long mode) is chosen here, from CPUID, at
// run time. The kernel needs long mode when it is ELF64, and the x86 ISA
// level its GNU property note names (GNU_PROPERTY_X86_ISA_1_NEEDED), which
// `bzelf build` records in SetupParams and StageParams.
#pragma once

#include <stdint.h>

#include "message.h"
#include "x86.h"

namespace bzelf {

// CPUID bits (Intel SDM vol. 2A, CPUID, "Feature Information"; leaf 7
// "Structured Extended Feature Flags"; AMD APM vol. 3, leaf 8000_0001h).
namespace cpuid {
// Leaf 1, EDX.
inline constexpr uint32_t k1EdxFpu = 1u << 0;
inline constexpr uint32_t k1EdxCx8 = 1u << 8;
inline constexpr uint32_t k1EdxCmov = 1u << 15;
inline constexpr uint32_t k1EdxMmx = 1u << 23;
inline constexpr uint32_t k1EdxFxsr = 1u << 24;
inline constexpr uint32_t k1EdxSse = 1u << 25;
inline constexpr uint32_t k1EdxSse2 = 1u << 26;
// Leaf 0x80000001, EDX: long mode.
inline constexpr uint32_t kExt1EdxLm = 1u << 29;
}  // namespace cpuid

// The answers of one CPU, as ReadCpuFeatures() collects them. Words of
// leaves the CPU does not have are zero.
struct CpuFeatures {
  bool i486;   // EFLAGS.AC can be set: an i486 or later, not an i386
  bool cpuid;  // EFLAGS.ID can be flipped and CPUID has leaf 1
  uint32_t leaf1_ecx, leaf1_edx;
  uint32_t leaf7_ebx;  // leaf 7, subleaf 0
  uint32_t ext1_ecx, ext1_edx;

  bool LongMode() const { return (ext1_edx & cpuid::kExt1EdxLm) != 0; }
  // SSE2 as the stage uses it: with FXSR, without which CR4.OSFXSR, which
  // allows SSE instructions, cannot be set (SDM vol. 3A, "Control
  // Registers").
  bool Sse2() const {
    constexpr uint32_t kNeeded = cpuid::k1EdxFxsr | cpuid::k1EdxSse2;
    return (leaf1_edx & kNeeded) == kNeeded;
  }
};

// Reads a CPU through `cpu`: any type with `bool EflagsWritable(uint32_t
// mask)` and `CpuidResult Cpuid(uint32_t leaf, uint32_t subleaf)`
// (HardwareCpu in lib/cpuid.h, or a test's fake). The order is that of
// get_cpuflags() in Linux's arch/x86/boot/cpuflags.c: CPUID only where
// EFLAGS.ID can be flipped, leaf 1 only when leaf 0's maximum lies in
// [1, 0xffff], leaf 7 when that maximum reaches it, and 0x80000001 only
// when 0x80000000's maximum lies in [0x80000001, 0x8000ffff] (CPUs without
// extended leaves may return anything there). An i386 is not asked about
// EFLAGS.ID (no i386 has CPUID).
template <class Cpu>
CpuFeatures ReadCpuFeatures(const Cpu& cpu) {
  CpuFeatures f{};
  f.i486 = cpu.EflagsWritable(x86::kEflagsAc);
  if (!f.i486 || !cpu.EflagsWritable(x86::kEflagsId)) return f;
  const uint32_t max_leaf = cpu.Cpuid(0, 0).eax;
  if (max_leaf < 1 || max_leaf > 0xffff) return f;
  f.cpuid = true;
  const auto leaf1 = cpu.Cpuid(1, 0);
  f.leaf1_ecx = leaf1.ecx;
  f.leaf1_edx = leaf1.edx;
  if (max_leaf >= 7) f.leaf7_ebx = cpu.Cpuid(7, 0).ebx;
  const uint32_t max_ext = cpu.Cpuid(0x80000000u, 0).eax;
  if (max_ext >= 0x80000001u && max_ext <= 0x8000ffffu) {
    const auto ext1 = cpu.Cpuid(0x80000001u, 0);
    f.ext1_ecx = ext1.ecx;
    f.ext1_edx = ext1.edx;
  }
  return f;
}

// GNU_PROPERTY_X86_ISA_1_NEEDED's bits, the x86-64 psABI's ISA levels
// (glibc's and binutils' elf.h, 2.36 and later; `ld -z x86-64-v2`
// writes them, for ELF32 as well). A level includes the ones below it.
inline constexpr uint32_t kIsaBaseline = 1u << 0;
inline constexpr uint32_t kIsaV2 = 1u << 1;
inline constexpr uint32_t kIsaV3 = 1u << 2;
inline constexpr uint32_t kIsaV4 = 1u << 3;
inline constexpr uint32_t kIsaKnown = kIsaBaseline | kIsaV2 | kIsaV3 | kIsaV4;

// "x86-64-baseline" ... "x86-64-v4" for the highest level in `isa_needed`
// (binutils' names, as readelf prints them); "" for none.
const char* IsaLevelName(uint32_t isa_needed);

// Whether `cpu` runs the image and a kernel of `kernel_class`
// (elf::ELFCLASS32/64) that needs the ISA levels `isa_needed`: a Failure
// "cpu" with one line saying what is missing, or none. What the kernel
// needs is checked first: an ELF64 kernel on a CPU without long mode is
// told so whatever else is missing, as that is what its user must change.
Failure CheckCpu(const CpuFeatures& cpu, uint8_t kernel_class, uint32_t isa_needed);

// The stage's DEFLATE decoder for this CPU (compressed/elf-load.cpp).
enum class InflatePath : uint8_t {
  kI486,  // InflateRaw: the stage's own i486 build
  kSse2,  // InflateRawSse2: 16-byte SSE2 copies, built for the i686 (CMOV)
};
InflatePath ChooseInflatePath(const CpuFeatures& cpu);

}  // namespace bzelf
