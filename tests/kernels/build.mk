# Test kernels (tests/kernels/README.md), included by the top Makefile: it
# supplies B and the STAGE_* toolchain and flags.
#
#   test32.elf          ELF32 at 2 MiB, entered through the 32-bit protocol
#   test64.elf          ELF64 like vmlinux (high virtual, p_paddr 16 MiB)
#   test32-spread.elf   as test32/test64, with .data and .bss 32 MiB above
#   test64-spread.elf   .rodata: the image must not grow by the gap
#   test32-low.elf      test32 at 1 MiB, over the stage: the stage moves
#   sample64.elf        test64 under the name `make run` boots
#   place-*.elf         the placement kernels of tests/placement (below)
#   rela32.elf, rela64.elf  kernels linked --emit-relocs (below)

TK_DIR := tests/kernels
TK_OUT := $(B)/kernels

# QEMU's exit status when a kernel passes: isa-debug-exit turns the byte
# kDebugExitPass (0x10, verdict.h) into (0x10 << 1) | 1. verdict.h
# static_asserts the two agree; exported for tests/qemu/run.sh.
TEST_KERNEL_PASS_STATUS := 33
export TEST_KERNEL_PASS_STATUS

TEST_KERNELS := $(TK_OUT)/test32.elf $(TK_OUT)/test64.elf \
  $(TK_OUT)/test32-spread.elf $(TK_OUT)/test64-spread.elf \
  $(TK_OUT)/test32-low.elf

# The spread layouts' gap between .rodata and .data: far more than the
# kernels' size, well inside QEMU's -m 128 with room left for the initrd.
TK_SPREAD_GAP := 0x2000000

# The 64-bit kernel needs a compiler and linker that do x86-64; with a
# 32-bit-only CROSS_COMPILE toolchain, point these at another one.
TK64_CXX ?= $(STAGE_CXX)
TK64_LD ?= $(STAGE_LD)

TK_COMMON_FLAGS := -O2 -fno-pie -DTEST_KERNEL_PASS_STATUS=$(TEST_KERNEL_PASS_STATUS)
# The 32-bit kernel runs where it is linked, paging off, on every CPU the
# image runs on: from the i486 on (tests/cpu).
TK32_CXXFLAGS := $(STAGE_CXXFLAGS) $(TK_COMMON_FLAGS) -m32 -march=i486
# The 64-bit kernel's C++ runs at its linked (virtual) addresses in the top
# 2 GiB once entry64.S has mapped them, as Linux's does: -mcmodel=kernel.
# No red zone: nothing here may assume the stack below %rsp is its own.
TK64_CXXFLAGS := $(STAGE_CXXFLAGS) $(TK_COMMON_FLAGS) -m64 -mno-red-zone \
  -mcmodel=kernel
TK_LDFLAGS := -nostdlib -static -z noexecstack -z max-page-size=0x1000 \
  --build-id=none --orphan-handling=error
# Linker scripts go through the C preprocessor (as Linux's vmlinux.lds.S);
# -undef so that a predefined "i386" cannot rewrite OUTPUT_ARCH(i386).
TK_CPP := $(STAGE_CXX) -E -P -undef -x c -I$(TK_DIR)

# pie-*: the position-independent kernels' own (below).
TK_SRCS := $(filter-out $(TK_DIR)/pie-% $(TK_DIR)/rela-%,$(wildcard $(TK_DIR)/*.cpp))
TK_OBJS32 := $(patsubst $(TK_DIR)/%,$(TK_OUT)/obj32/%.o,$(TK_SRCS) $(TK_DIR)/entry32.S)
TK_OBJS64 := $(patsubst $(TK_DIR)/%,$(TK_OUT)/obj64/%.o,$(TK_SRCS) $(TK_DIR)/entry64.S)

$(TK_OUT)/obj32/%.o: $(TK_DIR)/%
	@mkdir -p $(@D)
	$(STAGE_CXX) $(TK32_CXXFLAGS) -c -o $@ $<
$(TK_OUT)/obj64/%.o: $(TK_DIR)/%
	@mkdir -p $(@D)
	$(TK64_CXX) $(TK64_CXXFLAGS) -c -o $@ $<

$(TK_OUT)/test32.ld $(TK_OUT)/test64.ld: $(TK_OUT)/%.ld: $(TK_DIR)/%.ld.S $(TK_DIR)/layout64.h
	@mkdir -p $(@D)
	$(TK_CPP) -o $@ $<
$(TK_OUT)/test32-spread.ld $(TK_OUT)/test64-spread.ld: $(TK_OUT)/%-spread.ld: $(TK_DIR)/%.ld.S $(TK_DIR)/layout64.h
	@mkdir -p $(@D)
	$(TK_CPP) -DKERNEL_DATA_GAP=$(TK_SPREAD_GAP) -o $@ $<

# A kernel at 1 MiB, over the stage that QEMU -kernel puts there.
$(TK_OUT)/test32-low.ld: $(TK_DIR)/test32.ld.S
	@mkdir -p $(@D)
	$(TK_CPP) -DKERNEL_LOAD_ADDRESS=0x100000 -o $@ $<

$(TK_OUT)/test32.elf $(TK_OUT)/test32-spread.elf $(TK_OUT)/test32-low.elf: $(TK_OUT)/%.elf: $(TK_OUT)/%.ld $(TK_OBJS32)
	$(STAGE_LD) -m elf_i386 $(TK_LDFLAGS) -T $< -o $@ $(TK_OBJS32)
$(TK_OUT)/test64.elf $(TK_OUT)/test64-spread.elf: $(TK_OUT)/%.elf: $(TK_OUT)/%.ld $(TK_OBJS64)
	$(TK64_LD) -m elf_x86_64 $(TK_LDFLAGS) -T $< -o $@ $(TK_OBJS64)

$(TK_OUT)/sample64.elf: $(TK_OUT)/test64.elf
	cp $< $@

# --- placement kernels: one per rule of DESIGN.md "What p_paddr means" ---
# tests/placement/run.sh boots them; named place-* because tests/qemu/run.sh
# boots every test*.elf and the refused one cannot be built without an option.
#   place-old32.elf     ELF32 linked at 0xC0200000 with p_paddr = p_vaddr, as
#                       old kernels had it: bzelf subtracts 0xC0000000, so it
#                       lands at 2 MiB; entry32-high.S turns paging on
#   place-xen64.elf     ELF64 linked like vmlinux, p_paddr = physical +
#                       PLACE_DIRECT_MAP, and Xen notes saying so (VIRT_BASE,
#                       PADDR_OFFSET): lands at 24 MiB
#   place-direct64.elf  the same without notes: ambiguous, refused unless
#                       --paddr-offset $(PLACE_DIRECT_MAP); then 40 MiB
PLACEMENT_KERNELS := $(TK_OUT)/place-old32.elf $(TK_OUT)/place-xen64.elf \
  $(TK_OUT)/place-direct64.elf
TEST_DEPS += $(PLACEMENT_KERNELS)

# Linux x86_64's direct-map base (PAGE_OFFSET) until 4.20 moved it to
# 0xffff888000000000 (commit d52888aa2753): upper half, below
# __START_KERNEL_map, so a p_paddr there does not say which base it holds.
PLACE_DIRECT_MAP := 0xffff880000000000
PLACE_OLD32_LAYOUT := -DKERNEL_VIRT_BASE=0xC0000000
PLACE_XEN64_LAYOUT := -DKERNEL_PHYS_START=0x1800000 \
  -DKERNEL_PADDR_OFFSET=$(PLACE_DIRECT_MAP) -DKERNEL_ENTRY_VIRTUAL \
  -DKERNEL_XEN_NOTES
PLACE_DIRECT64_LAYOUT := -DKERNEL_PHYS_START=0x2800000 \
  -DKERNEL_PADDR_OFFSET=$(PLACE_DIRECT_MAP) -DKERNEL_ENTRY_VIRTUAL
# Exported for tests/placement/run.sh (the --paddr-offset it passes).
export PLACE_DIRECT_MAP

TK_OBJS32_HIGH := $(filter-out %/entry32.S.o,$(TK_OBJS32)) \
  $(TK_OUT)/obj32/entry32-high.S.o
TK_XEN_NOTES64 := $(TK_OUT)/obj64/place-xen64-notes.o

$(TK_OUT)/place-old32.ld: $(TK_DIR)/test32.ld.S
	@mkdir -p $(@D)
	$(TK_CPP) $(PLACE_OLD32_LAYOUT) -o $@ $<
$(TK_OUT)/place-xen64.ld: $(TK_DIR)/test64.ld.S $(TK_DIR)/layout64.h
	@mkdir -p $(@D)
	$(TK_CPP) $(PLACE_XEN64_LAYOUT) -o $@ $<
$(TK_OUT)/place-direct64.ld: $(TK_DIR)/test64.ld.S $(TK_DIR)/layout64.h
	@mkdir -p $(@D)
	$(TK_CPP) $(PLACE_DIRECT64_LAYOUT) -o $@ $<
$(TK_XEN_NOTES64): $(TK_DIR)/xen-notes.S
	@mkdir -p $(@D)
	$(TK64_CXX) $(TK64_CXXFLAGS) $(PLACE_XEN64_LAYOUT) -c -o $@ $<

$(TK_OUT)/place-old32.elf: $(TK_OUT)/place-old32.ld $(TK_OBJS32_HIGH)
	$(STAGE_LD) -m elf_i386 $(TK_LDFLAGS) -T $< -o $@ $(TK_OBJS32_HIGH)
$(TK_OUT)/place-xen64.elf: $(TK_OUT)/place-xen64.ld $(TK_OBJS64) $(TK_XEN_NOTES64)
	$(TK64_LD) -m elf_x86_64 $(TK_LDFLAGS) -T $< -o $@ $(TK_OBJS64) $(TK_XEN_NOTES64)
$(TK_OUT)/place-direct64.elf: $(TK_OUT)/place-direct64.ld $(TK_OBJS64)
	$(TK64_LD) -m elf_x86_64 $(TK_LDFLAGS) -T $< -o $@ $(TK_OBJS64)

# --- kernels that need an x86 ISA level: tests/cpu/run.sh -------------------
# test32 and test64 linked with `ld -z x86-64-v2`, which writes a GNU
# property note (GNU_PROPERTY_X86_ISA_1_NEEDED) into a PT_NOTE of its own:
# the setup and the stage must refuse them, with one line naming what is
# missing, on a CPU below that level. (Debian's ld 2.40 aborts with an
# internal error on `-m elf_i386 -z x86-64-baseline`; v2 includes the
# baseline, so the ELF32 kernel checks both levels' features.)
#   isa-v2-32.elf   ELF32, x86-64-v2: baseline (CMOV ... SSE2), POPCNT, SSE3 ...
#   isa-v2-64.elf   ELF64, the same, with the 64-bit-only CX16 and LAHF-SAHF
ISA_KERNELS := $(TK_OUT)/isa-v2-32.elf $(TK_OUT)/isa-v2-64.elf
TEST_DEPS += $(ISA_KERNELS)

$(TK_OUT)/isa-v2-32.ld: $(TK_DIR)/test32.ld.S
	@mkdir -p $(@D)
	$(TK_CPP) -DKERNEL_ISA_NOTE -o $@ $<
$(TK_OUT)/isa-v2-64.ld: $(TK_DIR)/test64.ld.S $(TK_DIR)/layout64.h
	@mkdir -p $(@D)
	$(TK_CPP) -DKERNEL_ISA_NOTE -o $@ $<
$(TK_OUT)/isa-v2-32.elf: $(TK_OUT)/isa-v2-32.ld $(TK_OBJS32)
	$(STAGE_LD) -m elf_i386 $(TK_LDFLAGS) -z x86-64-v2 -T $< -o $@ $(TK_OBJS32)
$(TK_OUT)/isa-v2-64.elf: $(TK_OUT)/isa-v2-64.ld $(TK_OBJS64)
	$(TK64_LD) -m elf_x86_64 $(TK_LDFLAGS) -z x86-64-v2 -T $< -o $@ $(TK_OBJS64)

.PHONY: test-kernels print-test-kernel-var
test-kernels: $(TEST_KERNELS) $(TK_OUT)/sample64.elf $(PLACEMENT_KERNELS) $(ISA_KERNELS)
# For scripts run outside make: `make print-test-kernel-var VAR=NAME`.
print-test-kernel-var:
	@echo $($(VAR))

# --- hostile layouts: tests/hostile/run.sh -----------------------------------
# test32/test64 linked where a loader's data, a memory hole or the end of
# RAM is (QEMU -kernel, -m 128 unless tests/hostile/run.sh says otherwise):
# the stage must refuse them with one clear line, or move itself out of the
# way and boot them. Named hostile-* so that tests/qemu/run.sh, which boots
# every test*.elf, leaves them alone.
#   hostile-zeropage32  at 64 KiB: .text over the setup's zero page
#                       (boot_params, 0x11650 with QEMU's setup at 0x10000)
#   hostile-cmdline32   at 128 KiB: .text over QEMU's command line (0x20000)
#   hostile-ebda32      at 384 KiB: .data runs into the EBDA (0x9FC00) and
#                       the legacy VGA/ROM hole
#   hostile-vga32       at 640 KiB (0xA0000): in the hole, no RAM at all
#   hostile-arena32     at 0x150000: over the end of part 5 and the stage's
#                       arena, not its start: the stage moves, then boots it
#   hostile-initrd32    at 126 MiB: .bss over where QEMU puts a 1 MiB initrd
#                       with -m 128 (0x7EE0000); boots without the initrd
#   hostile-edge32      at 127 MiB: .bss runs past the end of RAM (-m 128)
#   hostile-high32      at 200 MiB: past the end of RAM with -m 128
#   hostile-lowbig32    at 1 MiB, .bss up to 0x1FA0000: fits -m 32 only
#                       without the stage, which has nowhere to move to
#   hostile-big64       test64 (16 MiB) with 16 MiB more .bss: needs more
#                       than -m 32
#   hostile-low64       test64 at 1 MiB, over the stage: the stage moves,
#                       then hands off in long mode from where it moved to
HOSTILE_LAYOUT_zeropage32 := -DKERNEL_LOAD_ADDRESS=0x10000
HOSTILE_LAYOUT_cmdline32 := -DKERNEL_LOAD_ADDRESS=0x20000
HOSTILE_LAYOUT_ebda32 := -DKERNEL_LOAD_ADDRESS=0x60000
HOSTILE_LAYOUT_vga32 := -DKERNEL_LOAD_ADDRESS=0xA0000
HOSTILE_LAYOUT_arena32 := -DKERNEL_LOAD_ADDRESS=0x150000
HOSTILE_LAYOUT_initrd32 := -DKERNEL_LOAD_ADDRESS=0x7E00000
HOSTILE_LAYOUT_edge32 := -DKERNEL_LOAD_ADDRESS=0x7F00000
HOSTILE_LAYOUT_high32 := -DKERNEL_LOAD_ADDRESS=0xC800000
# test32 at 1 MiB ends its own .bss at 0x24C000: 0x1D54000 more ends the
# kernel at 0x1FA0000, 256 KiB below the end of -m 32's RAM (0x1FE0000),
# less than part 5 and its arena need.
HOSTILE_LAYOUT_lowbig32 := -DKERNEL_LOAD_ADDRESS=0x100000 -DKERNEL_BSS_EXTRA=0x1D54000
HOSTILE_LAYOUT_big64 := -DKERNEL_BSS_EXTRA=0x1000000
HOSTILE_LAYOUT_low64 := -DKERNEL_PHYS_START=0x100000
HOSTILE_KERNELS32 := $(patsubst %,$(TK_OUT)/hostile-%32.elf,zeropage cmdline \
  ebda vga arena initrd edge high lowbig)
HOSTILE_KERNELS64 := $(TK_OUT)/hostile-big64.elf $(TK_OUT)/hostile-low64.elf
HOSTILE_KERNELS := $(HOSTILE_KERNELS32) $(HOSTILE_KERNELS64)
TEST_DEPS += $(HOSTILE_KERNELS)
test-kernels: $(HOSTILE_KERNELS)

$(HOSTILE_KERNELS32:.elf=.ld): $(TK_OUT)/hostile-%.ld: $(TK_DIR)/test32.ld.S $(TK_DIR)/build.mk
	@mkdir -p $(@D)
	$(TK_CPP) $(HOSTILE_LAYOUT_$*) -o $@ $<
$(HOSTILE_KERNELS64:.elf=.ld): $(TK_OUT)/hostile-%.ld: $(TK_DIR)/test64.ld.S $(TK_DIR)/layout64.h $(TK_DIR)/build.mk
	@mkdir -p $(@D)
	$(TK_CPP) $(HOSTILE_LAYOUT_$*) -o $@ $<
$(HOSTILE_KERNELS32): $(TK_OUT)/%.elf: $(TK_OUT)/%.ld $(TK_OBJS32)
	$(STAGE_LD) -m elf_i386 $(TK_LDFLAGS) -T $< -o $@ $(TK_OBJS32)
$(HOSTILE_KERNELS64): $(TK_OUT)/%.elf: $(TK_OUT)/%.ld $(TK_OBJS64)
	$(TK64_LD) -m elf_x86_64 $(TK_LDFLAGS) -T $< -o $@ $(TK_OBJS64)

# --- position-independent kernels: tests/relocs/run.sh ----------------------
#   pie64.elf   ELF64 ET_DYN, linked -pie at 0, R_X86_64_RELATIVE
#   pie32.elf   ELF32 ET_DYN, the same with R_386_RELATIVE
# pie-main.cpp and the kernels' serial and verdict code, built -fpie with
# hidden visibility (no GOT entries, no PLT); boot-params-offsets.cpp gives
# pie-entry32.S boot_params.scratch.
PIE_KERNELS := $(TK_OUT)/pie64.elf $(TK_OUT)/pie32.elf
TEST_DEPS += $(PIE_KERNELS)
# At 0, as a linker puts a PIE by default (GNU ld marks a PIE with another
# base ET_EXEC): never where it runs, so every boot moves it.
PIE_LINK_ADDRESS := 0
export PIE_LINK_ADDRESS
PIE_SRCS := pie-main.cpp serial.cpp verdict.cpp boot-params-offsets.cpp
PIE_FLAGS := $(filter-out -fno-pie,$(TK_COMMON_FLAGS)) -fpie -fvisibility=hidden \
  -DPIE_LINK_ADDRESS=$(PIE_LINK_ADDRESS)
PIE_OBJS64 := $(patsubst %,$(TK_OUT)/pie64/%.o,$(PIE_SRCS) pie-entry64.S)
PIE_OBJS32 := $(patsubst %,$(TK_OUT)/pie32/%.o,$(PIE_SRCS) pie-entry32.S)
# The dynamic section must be whole relocations bzelf can apply: -z text
# refuses relocations in read-only code, -z norelro keeps to the script's
# program headers.
PIE_LDFLAGS := -nostdlib -pie --no-dynamic-linker -z text -z norelro -z noexecstack \
  -z max-page-size=0x1000 --build-id=none --hash-style=sysv

$(TK_OUT)/pie64/%.o: $(TK_DIR)/%
	@mkdir -p $(@D)
	$(TK64_CXX) $(STAGE_CXXFLAGS) $(PIE_FLAGS) -m64 -mno-red-zone -c -o $@ $<
$(TK_OUT)/pie32/%.o: $(TK_DIR)/%
	@mkdir -p $(@D)
	$(STAGE_CXX) $(STAGE_CXXFLAGS) $(PIE_FLAGS) -m32 -march=i686 -c -o $@ $<
$(TK_OUT)/pie64.ld: $(TK_DIR)/pie.ld.S
	@mkdir -p $(@D)
	$(TK_CPP) -DPIE_LINK_ADDRESS=$(PIE_LINK_ADDRESS) -o $@ $<
$(TK_OUT)/pie32.ld: $(TK_DIR)/pie.ld.S
	@mkdir -p $(@D)
	$(TK_CPP) -DPIE_LINK_ADDRESS=$(PIE_LINK_ADDRESS) -DPIE_ELF32 -o $@ $<
$(TK_OUT)/pie64.elf: $(TK_OUT)/pie64.ld $(PIE_OBJS64)
	$(TK64_LD) -m elf_x86_64 $(PIE_LDFLAGS) -T $< -o $@ $(PIE_OBJS64)
$(TK_OUT)/pie32.elf: $(TK_OUT)/pie32.ld $(PIE_OBJS32)
	$(STAGE_LD) -m elf_i386 $(PIE_LDFLAGS) -T $< -o $@ $(PIE_OBJS32)

# --- kernels linked --emit-relocs: tests/relocs/run.sh, tests/kaslr --------
#   rela32.elf  ELF32 ET_EXEC at RELA32_PHYS (virtual = physical), keeping
#               its R_386_32 ... relocations in .rel sections
#   rela64.elf  ELF64 ET_EXEC like vmlinux: virtual 0xffffffff80000000 +
#               RELA64_PHYS, p_paddr RELA64_PHYS, .rela sections
# rela-main.cpp with the kernels' serial and verdict code, built as the
# other test kernels are (-fno-pie; -mcmodel=kernel for ELF64): bzelf makes
# Linux's table from the relocation sections (tools/section-relocs.h).
RELA_KERNELS := $(TK_OUT)/rela32.elf $(TK_OUT)/rela64.elf
TEST_DEPS += $(RELA_KERNELS)
test-kernels: $(RELA_KERNELS)
RELA32_PHYS := 0x400000
RELA64_PHYS := 0x1000000
RELA_SRCS := rela-main.cpp serial.cpp verdict.cpp
RELA_OBJS32 := $(patsubst %,$(TK_OUT)/rela32/%.o,$(RELA_SRCS) rela-entry32.S)
RELA_OBJS64 := $(patsubst %,$(TK_OUT)/rela64/%.o,$(RELA_SRCS) rela-entry64.S)
# ld counts the relocation sections --emit-relocs writes (.rela.text ...),
# and its own empty .got and .iplt, as orphans: none is part of a segment.
RELA_LDFLAGS := $(filter-out --orphan-handling=error,$(TK_LDFLAGS)) --emit-relocs

$(TK_OUT)/rela32/%.o: $(TK_DIR)/%
	@mkdir -p $(@D)
	$(STAGE_CXX) $(TK32_CXXFLAGS) -DRELA_LINK_ADDRESS=$(RELA32_PHYS) -c -o $@ $<
$(TK_OUT)/rela64/%.o: $(TK_DIR)/%
	@mkdir -p $(@D)
	$(TK64_CXX) $(TK64_CXXFLAGS) -DRELA_LINK_ADDRESS=0xffffffff80000000+$(RELA64_PHYS) -c -o $@ $<
$(TK_OUT)/rela32.ld: $(TK_DIR)/rela.ld.S
	@mkdir -p $(@D)
	$(TK_CPP) -DRELA_PHYS=$(RELA32_PHYS) -DRELA_ELF32 -o $@ $<
$(TK_OUT)/rela64.ld: $(TK_DIR)/rela.ld.S
	@mkdir -p $(@D)
	$(TK_CPP) -DRELA_PHYS=$(RELA64_PHYS) -o $@ $<
$(TK_OUT)/rela32.elf: $(TK_OUT)/rela32.ld $(RELA_OBJS32)
	$(STAGE_LD) -m elf_i386 $(RELA_LDFLAGS) -T $< -o $@ $(RELA_OBJS32)
$(TK_OUT)/rela64.elf: $(TK_OUT)/rela64.ld $(RELA_OBJS64)
	$(TK64_LD) -m elf_x86_64 $(RELA_LDFLAGS) -T $< -o $@ $(RELA_OBJS64)
