# bzelf: wrap any x86 ELF kernel in a Linux boot protocol image.
#
#   make          build build/bin/bzelf (host tool with both stages inside)
#   make run      boot the bundled sample kernel under QEMU
#   make check    every test: unit tests, then QEMU boots
#
# CROSS_COMPILE selects the toolchain for the boot stages, as in Linux
# (e.g. CROSS_COMPILE=i686-linux-gnu-). The host tool uses $(CXX).

CROSS_COMPILE ?=
CXX ?= g++
B := build

STAGE_CXX := $(CROSS_COMPILE)g++
STAGE_LD := $(CROSS_COMPILE)ld
STAGE_OBJCOPY := $(CROSS_COMPILE)objcopy
STAGE_NM := $(CROSS_COMPILE)nm

# Debian's gcc turns on PIE, stack protector, CET and stack-clash probes by
# default; none of them work without a C library and an OS under us.
STAGE_CXXFLAGS := -std=gnu++20 -ffreestanding -fno-exceptions -fno-rtti \
  -fno-threadsafe-statics -nostdlib -fno-stack-protector \
  -fcf-protection=none -fno-stack-clash-protection -mgeneral-regs-only \
  -fno-asynchronous-unwind-tables -fno-unwind-tables -fno-common \
  -fno-strict-aliasing -Wall -Wextra -Werror -Ilib -I$(B)/gen -MMD -MP

# Real-mode setup: 16-bit code that GCC emits as 32-bit instructions with
# size prefixes; -march=i386 so that it can still report a too-old CPU.
SETUP_CXXFLAGS := $(STAGE_CXXFLAGS) -m16 -march=i386 -Os -fno-pie
# Decompressor: position-independent 32-bit code; hidden visibility keeps
# every data access GOT-relative so that nothing needs relocating.
STAGE32_CXXFLAGS := $(STAGE_CXXFLAGS) -m32 -march=i686 -O2 -fpie \
  -fvisibility=hidden -fno-zero-initialized-in-bss

HOST_CXXFLAGS := -std=c++20 -O2 -g -Wall -Wextra -Werror -Wno-missing-field-initializers \
  -Ilib -Itools -I$(B)/gen \
  -MMD -MP
HOST_LDLIBS := -lz
# -m32 test and bench programs link Debian's i386 zlib run-time library by
# path (zlib1g:i386, tools/install-deps.sh); zlib.h does not depend on the
# architecture.
I386_LIBZ := /usr/lib/i386-linux-gnu/libz.so.1

# lib/ is built twice, into the stage and hosted; a file named *-stage.cpp
# only into the stage, one named *-host.cpp only hosted.
LIB_SRCS := $(wildcard lib/*.cpp)
STAGE_LIB_SRCS := $(filter-out %-host.cpp,$(LIB_SRCS))
HOST_LIB_SRCS := $(filter-out %-stage.cpp,$(LIB_SRCS))
SETUP_SRCS := $(wildcard boot/*.cpp) $(wildcard boot/*.S)
STAGE_SRCS := $(wildcard compressed/*.cpp) $(wildcard compressed/*.S) \
  $(STAGE_LIB_SRCS)
TOOL_SRCS := $(filter-out tools/main.cpp tools/gen-%.cpp,$(wildcard tools/*.cpp))
UNIT_SRCS := $(wildcard tests/unit/*.cpp)

SETUP_OBJS := $(patsubst %,$(B)/setup/%.o,$(SETUP_SRCS))
STAGE_OBJS := $(patsubst %,$(B)/stage/%.o,$(STAGE_SRCS))
HOSTLIB_OBJS := $(patsubst %,$(B)/host/%.o,$(HOST_LIB_SRCS) $(TOOL_SRCS))
UNIT_OBJS := $(patsubst %,$(B)/host/%.o,$(UNIT_SRCS))

BZELF := $(B)/bin/bzelf

.PHONY: all deps run check unit-tests qemu-tests linux-tests bench fuzz clean
all: $(BZELF)

# --- set-up: one script installs every Debian package we use ----------------
deps: $(B)/.deps-ok
$(B)/.deps-ok: tools/install-deps.sh
	@mkdir -p $(@D)
	./tools/install-deps.sh
	@touch $@

# --- generated headers -----------------------------------------------------
# Offsets of protocol structs for assembly, printed from the C++ structs.
$(B)/gen/asm-offsets.h: tools/gen-asm-offsets.cpp lib/boot-params.h lib/stage-params.h
	@mkdir -p $(@D) $(B)/host
	$(CXX) -std=c++20 -Ilib -o $(B)/host/gen-asm-offsets $<
	$(B)/host/gen-asm-offsets > $@.tmp && mv $@.tmp $@

# --- real-mode setup (boot/) -----------------------------------------------
$(B)/setup/%.cpp.o: %.cpp | $(B)/gen/asm-offsets.h
	@mkdir -p $(@D)
	$(STAGE_CXX) $(SETUP_CXXFLAGS) -c -o $@ $<
$(B)/setup/%.S.o: %.S | $(B)/gen/asm-offsets.h
	@mkdir -p $(@D)
	$(STAGE_CXX) $(SETUP_CXXFLAGS) -c -o $@ $<
$(B)/setup.elf: $(SETUP_OBJS) linker/setup.ld
	$(STAGE_LD) -m elf_i386 -nostdlib -static -T linker/setup.ld -o $@ $(SETUP_OBJS)
$(B)/setup.bin: $(B)/setup.elf
	$(STAGE_OBJCOPY) -O binary $< $@

# --- decompressor (compressed/ plus lib/) ------------------------------------
$(B)/stage/%.cpp.o: %.cpp | $(B)/gen/asm-offsets.h
	@mkdir -p $(@D)
	$(STAGE_CXX) $(STAGE32_CXXFLAGS) -c -o $@ $<
$(B)/stage/%.S.o: %.S | $(B)/gen/asm-offsets.h
	@mkdir -p $(@D)
	$(STAGE_CXX) $(STAGE32_CXXFLAGS) -c -o $@ $<
$(B)/stage.elf: $(STAGE_OBJS) linker/stage.ld
	$(STAGE_LD) -m elf_i386 -nostdlib -pie --no-dynamic-linker -z noexecstack \
	  --no-warn-rwx-segments \
	  -T linker/stage.ld -o $@ $(STAGE_OBJS)
$(B)/stage.bin: $(B)/stage.elf
	$(STAGE_OBJCOPY) -O binary $< $@

# The host tool finds stage symbols through a generated header, as Linux's
# build finds the decompressor's through zoffset.h.
$(B)/gen/stage-symbols.h: $(B)/setup.elf $(B)/stage.elf tools/gen-symbols.sh
	@mkdir -p $(@D)
	NM=$(STAGE_NM) ./tools/gen-symbols.sh $(B)/setup.elf $(B)/stage.elf > $@.tmp
	mv $@.tmp $@

# --- host tool ---------------------------------------------------------------
$(B)/host/%.cpp.o: %.cpp | $(B)/gen/asm-offsets.h $(B)/gen/stage-symbols.h
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) -c -o $@ $<
$(B)/host/blobs.o: tools/blobs.S $(B)/setup.bin $(B)/stage.bin
	@mkdir -p $(@D)
	$(CXX) -c -DSETUP_BIN='"$(B)/setup.bin"' -DSTAGE_BIN='"$(B)/stage.bin"' -o $@ $<
$(BZELF): $(B)/host/tools/main.cpp.o $(HOSTLIB_OBJS) $(B)/host/blobs.o
	@mkdir -p $(@D)
	$(CXX) -o $@ $^ $(HOST_LDLIBS)

# --- tests -------------------------------------------------------------------
$(B)/bin/unit-tests: $(UNIT_OBJS) $(HOSTLIB_OBJS) $(B)/host/blobs.o
	@mkdir -p $(@D)
	$(CXX) -o $@ $^ -lgtest -lgtest_main -pthread $(HOST_LDLIBS)

# Each test suite may bring a build.mk that adds what it needs to
# TEST_DEPS; tests/check.sh then runs every tests/*/run.sh.
TEST_DEPS :=
-include $(wildcard tests/*/build.mk)

unit-tests: $(B)/.deps-ok $(B)/bin/unit-tests
	$(B)/bin/unit-tests

qemu-tests: $(B)/.deps-ok $(BZELF) $(TEST_KERNELS)
	BZELF=$(BZELF) KERNELS_DIR=$(B)/kernels ./tests/qemu/run.sh

linux-tests: $(B)/.deps-ok $(BZELF)
	BZELF=$(BZELF) WORK=$(B)/linux ./tests/linux/run.sh

# Benchmarks print figures; they never fail on time (bench/).
-include bench/build.mk
bench: $(B)/.deps-ok $(BZELF)
	$(MAKE) bench-run

# Fuzzing for a set time (tests/fuzz/); make check only replays the corpus.
fuzz: $(B)/.deps-ok
	$(MAKE) fuzz-run

# Builds first, then runs every suite and prints one total at the end.
check: $(B)/.deps-ok
	$(MAKE) $(BZELF) $(B)/bin/unit-tests $(TEST_KERNELS) $(TEST_DEPS)
	./tests/check.sh

run: $(B)/.deps-ok $(BZELF) $(B)/kernels/sample64.elf
	$(BZELF) build $(B)/kernels/sample64.elf -o $(B)/sample.bzelf \
	  --cmdline "console=ttyS0 bzelf-sample"
	qemu-system-x86_64 -kernel $(B)/sample.bzelf -m 128 -nographic \
	  -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04; \
	  test $$? -eq $(TEST_KERNEL_PASS_STATUS)

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
