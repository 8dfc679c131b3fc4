// lib/cpu-check.h: the CPU rule of the setup and the stage, fed the
// EFLAGS and CPUID answers of made-up CPUs (each modelled on a real one's
// documented feature bits); and the host tool's side: the kernel's GNU
// property note read, recorded in the image, and refused when it names
// levels the stages cannot check.
#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "common.h"
#include "cpu-check.h"
#include "cpuid.h"
#include "elf.h"
#include "image.h"
#include "kernel-elf.h"
#include "stage-params.h"
#include "stage-symbols.h"
#include "test-elf.h"

namespace bzelf {
namespace {

using testing::MakeKernel;
using testing::TestSegment;

// A CPU as the stages see it: which EFLAGS bits flip, and CPUID's answers
// by leaf. Leaves it does not list answer with what Intel CPUs return
// above their maximum: the highest basic leaf's data (here all zero but
// for a nonsense eax, which ReadCpuFeatures must not take as a maximum).
// Every CPUID is counted: a CPU without EFLAGS.ID must see none.
struct FakeCpu {
  bool ac = true;
  bool id = true;
  std::map<uint32_t, CpuidResult> leaves;
  mutable std::vector<uint32_t> asked;

  bool EflagsWritable(uint32_t mask) const {
    if (mask == x86::kEflagsAc) return ac;
    if (mask == x86::kEflagsId) return id;
    ADD_FAILURE() << "unexpected EFLAGS probe " << mask;
    return false;
  }
  CpuidResult Cpuid(uint32_t leaf, uint32_t subleaf) const {
    EXPECT_TRUE(id) << "CPUID on a CPU without it";
    EXPECT_EQ(subleaf, 0u);
    asked.push_back(leaf);
    auto it = leaves.find(leaf);
    return it != leaves.end() ? it->second : CpuidResult{0x12345678, 0, 0, 0};
  }
};

constexpr uint32_t kFpu = 1u << 0, kCx8 = 1u << 8, kCmov = 1u << 15, kMmx = 1u << 23,
                   kFxsr = 1u << 24, kSse = 1u << 25, kSse2 = 1u << 26;
constexpr uint32_t kSse3 = 1u << 0, kSsse3 = 1u << 9, kFma = 1u << 12, kCx16 = 1u << 13,
                   kSse41 = 1u << 19, kSse42 = 1u << 20, kMovbe = 1u << 22, kPopcnt = 1u << 23,
                   kXsave = 1u << 26, kAvx = 1u << 28, kF16c = 1u << 29;
constexpr uint32_t kBmi1 = 1u << 3, kAvx2 = 1u << 5, kBmi2 = 1u << 8, kAvx512f = 1u << 16,
                   kAvx512dq = 1u << 17, kAvx512cd = 1u << 28, kAvx512bw = 1u << 30,
                   kAvx512vl = 1u << 31;
constexpr uint32_t kLahf = 1u << 0, kLzcnt = 1u << 5;
constexpr uint32_t kSyscall = 1u << 11, kLm = 1u << 29;

FakeCpu I386() { return {.ac = false, .id = false}; }
FakeCpu I486NoCpuid() { return {.ac = true, .id = false}; }

// max_leaf, leaf 1 ecx/edx, leaf 7 ebx, max extended leaf (0: none),
// 0x80000001 ecx/edx.
FakeCpu WithCpuid(uint32_t max_leaf, uint32_t ecx1, uint32_t edx1, uint32_t ebx7,
                  uint32_t max_ext, uint32_t ecx_ext, uint32_t edx_ext) {
  FakeCpu c;
  c.leaves[0] = {max_leaf, 0x756e6547, 0x6c65746e, 0x49656e69};
  c.leaves[1] = {0x400, 0, ecx1, edx1};
  if (max_leaf >= 7) c.leaves[7] = {0, ebx7, 0, 0};
  // CPUs without extended leaves answer 0x80000000 with basic-leaf data.
  c.leaves[0x80000000u] = {max_ext ? max_ext : 0x00000400u, 0, 0, 0};
  if (max_ext) c.leaves[0x80000001u] = {0, 0, ecx_ext, edx_ext};
  return c;
}

// A late i486 with CPUID (QEMU's "486": FPU only).
FakeCpu I486Cpuid() { return WithCpuid(1, 0, kFpu, 0, 0, 0, 0); }
// Pentium (P5): FPU, CX8, no CMOV.
FakeCpu Pentium() { return WithCpuid(1, 0, kFpu | kCx8 | kMmx, 0, 0, 0, 0); }
// Pentium III: CMOV, FXSR, SSE, no SSE2.
FakeCpu Pentium3() { return WithCpuid(2, 0, kFpu | kCx8 | kCmov | kMmx | kFxsr | kSse, 0, 0, 0, 0); }
// A 32-bit CPU with SSE2 and SSE3 (Core Duo); Intel reports SYSCALL only in
// 64-bit mode, so a 32-bit CPUID on any Intel CPU looks like this too.
constexpr uint32_t kBaseEdx = kFpu | kCx8 | kCmov | kMmx | kFxsr | kSse | kSse2;
FakeCpu CoreDuo() { return WithCpuid(10, kSse3, kBaseEdx, 0, 0x80000008, 0, 0); }
// An x86-64 CPU with the baseline only (QEMU's qemu64, an early Opteron).
FakeCpu Opteron() { return WithCpuid(5, kSse3 | kCx16, kBaseEdx, 0, 0x80000008, kLahf, kSyscall | kLm); }
// x86-64-v2 but not v3 (Nehalem).
constexpr uint32_t kV2Ecx = kSse3 | kSsse3 | kCx16 | kSse41 | kSse42 | kPopcnt;
FakeCpu Nehalem() { return WithCpuid(11, kV2Ecx, kBaseEdx, 0, 0x80000008, kLahf, kSyscall | kLm); }
// x86-64-v3 (Haswell).
constexpr uint32_t kV3Ecx = kV2Ecx | kFma | kMovbe | kXsave | kAvx | kF16c;
constexpr uint32_t kV3Ebx7 = kBmi1 | kAvx2 | kBmi2;
FakeCpu Haswell() {
  return WithCpuid(13, kV3Ecx, kBaseEdx, kV3Ebx7, 0x80000008, kLahf | kLzcnt, kSyscall | kLm);
}
// x86-64-v4 (Skylake-SP).
FakeCpu SkylakeServer() {
  return WithCpuid(13, kV3Ecx, kBaseEdx,
                   kV3Ebx7 | kAvx512f | kAvx512dq | kAvx512cd | kAvx512bw | kAvx512vl,
                   0x80000008, kLahf | kLzcnt, kSyscall | kLm);
}

// The halt line's detail, or "" for no failure.
std::string Check(const FakeCpu& cpu, uint8_t kernel_class, uint32_t isa = 0) {
  Failure f = CheckCpu(ReadCpuFeatures(cpu), kernel_class, isa);
  if (!f) return "";
  EXPECT_STREQ(f.what, "cpu");
  return f.detail.c_str();
}

constexpr uint8_t k32 = elf::ELFCLASS32;
constexpr uint8_t k64 = elf::ELFCLASS64;
const std::string kNeeds64 = "this kernel needs a 64-bit (x86-64) CPU; long mode not found";
const std::string kNeeds486 = "this image needs an i486 or later CPU; this is an i386";

TEST(CpuFeatures, NoCpuidWithoutEflagsId) {
  FakeCpu i386 = I386();
  CpuFeatures f = ReadCpuFeatures(i386);
  EXPECT_FALSE(f.i486);
  EXPECT_FALSE(f.cpuid);
  FakeCpu i486 = I486NoCpuid();
  f = ReadCpuFeatures(i486);
  EXPECT_TRUE(f.i486);
  EXPECT_FALSE(f.cpuid);
  EXPECT_EQ(f.leaf1_edx, 0u);
  EXPECT_TRUE(i386.asked.empty());
  EXPECT_TRUE(i486.asked.empty());
}

TEST(CpuFeatures, LeavesOnlyWithinTheirMaximum) {
  // Leaf 7 beyond the maximum, and 0x80000000 answered with basic-leaf
  // data (0x400): neither leaf 7 nor 0x80000001 may be read.
  FakeCpu p3 = Pentium3();
  CpuFeatures f = ReadCpuFeatures(p3);
  EXPECT_TRUE(f.cpuid);
  EXPECT_EQ(f.leaf1_edx, kFpu | kCx8 | kCmov | kMmx | kFxsr | kSse);
  EXPECT_EQ(p3.asked, (std::vector<uint32_t>{0, 1, 0x80000000u}));
  EXPECT_FALSE(f.LongMode());
  // A maximum basic leaf of 0, or one beyond 0xffff (cpuflags.c's bound):
  // no usable CPUID.
  FakeCpu zero = WithCpuid(0, 0, kBaseEdx, 0, 0, 0, 0);
  EXPECT_FALSE(ReadCpuFeatures(zero).cpuid);
  FakeCpu nonsense = WithCpuid(0x10000, 0, kBaseEdx, 0, 0, 0, 0);
  EXPECT_FALSE(ReadCpuFeatures(nonsense).cpuid);
  // An extended maximum above 0x8000ffff is no maximum either.
  FakeCpu ext = WithCpuid(1, 0, kBaseEdx, 0, 0x80000008, 0, kLm);
  ext.leaves[0x80000000u].eax = 0x80010000u;
  EXPECT_FALSE(ReadCpuFeatures(ext).LongMode());
  // Within the bounds, every leaf is read.
  FakeCpu h = Haswell();
  f = ReadCpuFeatures(h);
  EXPECT_EQ(f.leaf7_ebx, kV3Ebx7);
  EXPECT_EQ(f.ext1_ecx, kLahf | kLzcnt);
  EXPECT_TRUE(f.LongMode());
}

TEST(CheckCpu, Elf32KernelRunsFromTheI486On) {
  EXPECT_EQ(Check(I386(), k32), kNeeds486);
  EXPECT_EQ(Check(I486NoCpuid(), k32), "");
  EXPECT_EQ(Check(I486Cpuid(), k32), "");
  EXPECT_EQ(Check(Pentium(), k32), "");
  EXPECT_EQ(Check(Pentium3(), k32), "");
  EXPECT_EQ(Check(Haswell(), k32), "");
}

// The kernel's need comes first: whatever else is missing, a 64-bit
// kernel on a 32-bit CPU is told that.
TEST(CheckCpu, Elf64KernelNeedsLongMode) {
  EXPECT_EQ(Check(I386(), k64), kNeeds64);
  EXPECT_EQ(Check(I486NoCpuid(), k64), kNeeds64);
  EXPECT_EQ(Check(I486Cpuid(), k64), kNeeds64);
  EXPECT_EQ(Check(Pentium(), k64), kNeeds64);
  EXPECT_EQ(Check(Pentium3(), k64), kNeeds64);
  EXPECT_EQ(Check(CoreDuo(), k64), kNeeds64);
  EXPECT_EQ(Check(Opteron(), k64), "");
  EXPECT_EQ(Check(SkylakeServer(), k64), "");
}

TEST(CheckCpu, IsaLevelsOfAnElf32Kernel) {
  const std::string base = "this kernel needs an x86-64-baseline CPU (its x86 ISA needed note); ";
  EXPECT_EQ(Check(I386(), k32, kIsaBaseline), base + "this CPU has no CPUID");
  EXPECT_EQ(Check(I486NoCpuid(), k32, kIsaBaseline), base + "this CPU has no CPUID");
  EXPECT_EQ(Check(I486Cpuid(), k32, kIsaBaseline), base + "CMOV not found");
  EXPECT_EQ(Check(Pentium(), k32, kIsaBaseline), base + "CMOV not found");
  EXPECT_EQ(Check(Pentium3(), k32, kIsaBaseline), base + "SSE2 not found");
  // No CX16 or LAHF-SAHF in 64-bit mode: an ELF32 kernel cannot use
  // them.
  EXPECT_EQ(Check(CoreDuo(), k32, kIsaBaseline), "");
  FakeCpu v2_without_64bit_parts = WithCpuid(11, kV2Ecx & ~kCx16, kBaseEdx, 0, 0, 0, 0);
  EXPECT_EQ(Check(v2_without_64bit_parts, k32, kIsaV2), "");
  EXPECT_EQ(Check(CoreDuo(), k32, kIsaV2),
            "this kernel needs an x86-64-v2 CPU (its x86 ISA needed note); POPCNT not found");
}

TEST(CheckCpu, IsaLevelsOfAnElf64Kernel) {
  const std::string v2 = "this kernel needs an x86-64-v2 CPU (its x86 ISA needed note); ";
  EXPECT_EQ(Check(Opteron(), k64, kIsaBaseline), "");
  EXPECT_EQ(Check(Opteron(), k64, kIsaBaseline | kIsaV2), v2 + "POPCNT not found");
  // Only the highest bit names the level; the lower ones are implied.
  EXPECT_EQ(Check(Opteron(), k64, kIsaV2), v2 + "POPCNT not found");
  FakeCpu no_cx16 = Nehalem();
  no_cx16.leaves[1].ecx &= ~kCx16;
  EXPECT_EQ(Check(no_cx16, k64, kIsaV2), v2 + "CX16 not found");
  // No SYSCALL bit: what Intel CPUs report outside 64-bit mode, where
  // the setup and the stage check. Long mode implies SYSCALL.
  FakeCpu no_syscall = Nehalem();
  no_syscall.leaves[0x80000001u].edx &= ~kSyscall;
  EXPECT_EQ(Check(no_syscall, k64, kIsaV2), "");
  EXPECT_EQ(Check(Nehalem(), k64, kIsaV2), "");
  EXPECT_EQ(Check(Nehalem(), k64, kIsaV3),
            "this kernel needs an x86-64-v3 CPU (its x86 ISA needed note); AVX not found");
  FakeCpu no_lzcnt = Haswell();
  no_lzcnt.leaves[0x80000001u].ecx &= ~kLzcnt;
  EXPECT_EQ(Check(no_lzcnt, k64, kIsaV3),
            "this kernel needs an x86-64-v3 CPU (its x86 ISA needed note); LZCNT not found");
  EXPECT_EQ(Check(Haswell(), k64, kIsaV3), "");
  EXPECT_EQ(Check(Haswell(), k64, kIsaV4),
            "this kernel needs an x86-64-v4 CPU (its x86 ISA needed note); AVX512F not found");
  FakeCpu no_vl = SkylakeServer();
  no_vl.leaves[7].ebx &= ~kAvx512vl;
  EXPECT_EQ(Check(no_vl, k64, kIsaV4),
            "this kernel needs an x86-64-v4 CPU (its x86 ISA needed note); AVX512VL not found");
  EXPECT_EQ(Check(SkylakeServer(), k64, kIsaV4), "");
  // Long mode is still the first word for a 32-bit CPU.
  EXPECT_EQ(Check(Pentium3(), k64, kIsaV4), kNeeds64);
}

// Every feature of a level, taken away alone, is named.
TEST(CheckCpu, EachFeatureOfTheLevelsIsChecked) {
  struct Bit {
    uint32_t CpuidResult::*word;
    uint32_t leaf, bit;
    const char* name;
  };
  const Bit bits[] = {
      {&CpuidResult::edx, 1, kCmov, "CMOV"},      {&CpuidResult::edx, 1, kCx8, "CX8"},
      {&CpuidResult::edx, 1, kFpu, "FPU"},        {&CpuidResult::edx, 1, kFxsr, "FXSR"},
      {&CpuidResult::edx, 1, kMmx, "MMX"},        {&CpuidResult::edx, 1, kSse, "SSE"},
      {&CpuidResult::edx, 1, kSse2, "SSE2"},
      {&CpuidResult::ecx, 1, kCx16, "CX16"},      {&CpuidResult::ecx, 0x80000001u, kLahf, "LAHF-SAHF"},
      {&CpuidResult::ecx, 1, kPopcnt, "POPCNT"},  {&CpuidResult::ecx, 1, kSse3, "SSE3"},
      {&CpuidResult::ecx, 1, kSsse3, "SSSE3"},    {&CpuidResult::ecx, 1, kSse41, "SSE4.1"},
      {&CpuidResult::ecx, 1, kSse42, "SSE4.2"},   {&CpuidResult::ecx, 1, kAvx, "AVX"},
      {&CpuidResult::ebx, 7, kAvx2, "AVX2"},      {&CpuidResult::ebx, 7, kBmi1, "BMI1"},
      {&CpuidResult::ebx, 7, kBmi2, "BMI2"},      {&CpuidResult::ecx, 1, kF16c, "F16C"},
      {&CpuidResult::ecx, 1, kFma, "FMA"},        {&CpuidResult::ecx, 0x80000001u, kLzcnt, "LZCNT"},
      {&CpuidResult::ecx, 1, kMovbe, "MOVBE"},    {&CpuidResult::ecx, 1, kXsave, "XSAVE"},
      {&CpuidResult::ebx, 7, kAvx512f, "AVX512F"}, {&CpuidResult::ebx, 7, kAvx512bw, "AVX512BW"},
      {&CpuidResult::ebx, 7, kAvx512cd, "AVX512CD"}, {&CpuidResult::ebx, 7, kAvx512dq, "AVX512DQ"},
      {&CpuidResult::ebx, 7, kAvx512vl, "AVX512VL"},
  };
  for (const Bit& b : bits) {
    FakeCpu cpu = SkylakeServer();
    cpu.leaves[b.leaf].*b.word &= ~b.bit;
    std::string detail = Check(cpu, k64, kIsaV4);
    EXPECT_NE(detail.find(std::string("; ") + b.name + " not found"), std::string::npos)
        << b.name << ": " << detail;
  }
}

TEST(CheckCpu, LevelNames) {
  EXPECT_STREQ(IsaLevelName(0), "");
  EXPECT_STREQ(IsaLevelName(kIsaBaseline), "x86-64-baseline");
  EXPECT_STREQ(IsaLevelName(kIsaBaseline | kIsaV2), "x86-64-v2");
  EXPECT_STREQ(IsaLevelName(kIsaV3), "x86-64-v3");
  EXPECT_STREQ(IsaLevelName(kIsaKnown), "x86-64-v4");
}

TEST(InflatePath, Sse2OnlyWithFxsrAndCmov) {
  EXPECT_EQ(ChooseInflatePath(ReadCpuFeatures(I486NoCpuid())), InflatePath::kI486);
  EXPECT_EQ(ChooseInflatePath(ReadCpuFeatures(Pentium())), InflatePath::kI486);
  EXPECT_EQ(ChooseInflatePath(ReadCpuFeatures(Pentium3())), InflatePath::kI486);
  EXPECT_EQ(ChooseInflatePath(ReadCpuFeatures(CoreDuo())), InflatePath::kSse2);
  EXPECT_EQ(ChooseInflatePath(ReadCpuFeatures(Opteron())), InflatePath::kSse2);
  for (uint32_t missing : {kFxsr, kCmov, kSse2}) {
    FakeCpu cpu = CoreDuo();
    cpu.leaves[1].edx &= ~missing;
    EXPECT_EQ(ChooseInflatePath(ReadCpuFeatures(cpu)), InflatePath::kI486) << missing;
  }
}

// --- the host tool: the note, read and recorded -----------------------------

// A GNU property note holding `props` ({pr_type, 4-byte value} each),
// padded as ELF64 (8) or ELF32 (4) pads them.
Bytes PropertyNote(bool is64, std::vector<std::pair<uint32_t, uint32_t>> props) {
  const size_t align = is64 ? 8 : 4;
  Bytes desc;
  for (auto [type, value] : props) {
    size_t at = desc.size();
    desc.resize(at + ((8 + 4 + align - 1) & ~(align - 1)), 0);
    Store(desc, at, type);
    Store(desc, at + 4, uint32_t{4});
    Store(desc, at + 8, value);
  }
  Bytes n(16 + desc.size(), 0);
  Store(n, 0, uint32_t{4});
  Store(n, 4, static_cast<uint32_t>(desc.size()));
  Store(n, 8, elf::NT_GNU_PROPERTY_TYPE_0);
  std::memcpy(&n[12], "GNU", 4);
  std::memcpy(&n[16], desc.data(), desc.size());
  return n;
}

constexpr uint32_t kIsaUsed = 0xc0010002;  // GNU_PROPERTY_X86_ISA_1_USED: not a need
constexpr uint32_t kFeature1And = 0xc0000002;

Bytes KernelWithNote(uint8_t elf_class, Bytes note, uint32_t segment_type = elf::PT_NOTE) {
  uint64_t size = note.size();
  return MakeKernel(elf_class, 0x200000,
                    {{.vaddr = 0x200000, .paddr = 0x200000, .filesz = 0x2000, .memsz = 0x3000},
                     {.type = segment_type, .filesz = size, .memsz = size,
                      .align = elf_class == elf::ELFCLASS64 ? 8u : 4u, .contents = note}});
}

TEST(KernelIsaNote, ReadFromPtNoteAndPtGnuProperty) {
  for (uint8_t cls : {k32, k64}) {
    const bool is64 = cls == k64;
    Bytes note = PropertyNote(is64, {{kFeature1And, 3},
                                     {kIsaUsed, kIsaV4},
                                     {elf::GNU_PROPERTY_X86_ISA_1_NEEDED, kIsaBaseline | kIsaV2}});
    EXPECT_EQ(ParseKernel(KernelWithNote(cls, note), "k").isa_needed, kIsaBaseline | kIsaV2);
    EXPECT_EQ(ParseKernel(KernelWithNote(cls, note, elf::PT_GNU_PROPERTY), "k").isa_needed,
              kIsaBaseline | kIsaV2);
    // ISA_1_USED alone asks nothing.
    Bytes used = PropertyNote(is64, {{kIsaUsed, kIsaV3}});
    EXPECT_EQ(ParseKernel(KernelWithNote(cls, used), "k").isa_needed, 0u);
  }
  // A kernel without notes needs nothing.
  Bytes plain = MakeKernel(k32, 0x200000,
                           {{.vaddr = 0x200000, .paddr = 0x200000, .filesz = 0x1000, .memsz = 0x1000}});
  EXPECT_EQ(ParseKernel(plain, "k").isa_needed, 0u);
}

TEST(KernelIsaNote, UnknownLevelsAreRefused) {
  Bytes note = PropertyNote(false, {{elf::GNU_PROPERTY_X86_ISA_1_NEEDED, kIsaV2 | 0x10}});
  try {
    ParseKernel(KernelWithNote(k32, note), "k.elf");
    ADD_FAILURE() << "no error";
  } catch (const ToolError& e) {
    EXPECT_NE(std::string(e.what()).find("0x12"), std::string::npos) << e.what();
  }
}

TEST(KernelIsaNote, RecordedForTheSetupAndTheStage) {
  Bytes note = PropertyNote(false, {{elf::GNU_PROPERTY_X86_ISA_1_NEEDED, kIsaBaseline}});
  BuiltImage img = BuildImage(KernelWithNote(k32, note), "k", {});
  ImageView v = ParseImage(img.bytes, "img");
  ASSERT_TRUE(v.params.has_value());
  EXPECT_EQ(v.params->isa_needed, kIsaBaseline);
  SetupParams sp = Load<SetupParams>(img.bytes, symbols::kSetupParams);
  EXPECT_EQ(sp.magic, kSetupParamsMagic);
  EXPECT_EQ(sp.isa_needed, kIsaBaseline);
  EXPECT_EQ(sp.kernel_class, k32);
}

}  // namespace
}  // namespace bzelf
