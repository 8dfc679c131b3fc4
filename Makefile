# bzelf: wrap any x86 ELF kernel in a Linux boot protocol image.
#
#   make          build build/bin/bzelf (host tool with both stages inside)
#   make run      boot the bundled sample kernel under QEMU
#   make check    every test: unit tests, then QEMU boots
#   make mutate   deliberate breakages that the tests must catch
#   make install  install the tool, its manual and its bash completion
#                 (DESTDIR, PREFIX or prefix, bindir, mandir ... as GNU's
#                 conventions name them); make uninstall removes them
#   make deb      a Debian package, in build/deb/
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
# every data access GOT-relative so that nothing needs relocating. Built
# for the i486 (no CMOV, no CPUID assumed: lib/cpu-check.h decides at run
# time what else to use) and tuned for the CPUs and emulators it mostly
# runs on. (An i686 build of the decoder does not pay for its bytes:
# bench/README.md.)
STAGE32_CXXFLAGS := $(STAGE_CXXFLAGS) -m32 -march=i486 -mtune=generic -fpie \
  -fvisibility=hidden -fno-zero-initialized-in-bss
# startup_64's C++: position-independent x86-64 code (RIP-relative), no red
# zone (an interrupt or exception would write below rsp). It runs once and
# only when a loader put part 5 high: built for size, and the link drops
# what it does not call.
STAGE64_CXXFLAGS := $(STAGE_CXXFLAGS) -m64 -march=x86-64 -Os -fpie -mno-red-zone \
  -fvisibility=hidden -fno-zero-initialized-in-bss -ffunction-sections -fdata-sections

HOST_CXXFLAGS := -std=c++20 -O2 -g -Wall -Wextra -Werror -Wno-missing-field-initializers \
  -Ilib -Itools -I$(B)/gen \
  -MMD -MP
HOST_LDLIBS := -lz -llzma -lbz2 -llz4 -llzo2 -lzstd
# The host tool also takes the user's (or dpkg-buildflags') CPPFLAGS,
# CXXFLAGS and LDFLAGS, after ours so that they win; never the stages,
# which must not get a hosted toolchain's hardening.
HOST_USER_CXXFLAGS = $(CPPFLAGS) $(CXXFLAGS)
# -m32 test and bench programs link Debian's i386 zlib run-time library by
# path (zlib1g:i386, tools/install-deps.sh); zlib.h does not depend on the
# architecture.
I386_LIBZ := /usr/lib/i386-linux-gnu/libz.so.1

# lib/ is built twice, into the stage and hosted; a file named *-stage.cpp
# only into the stage, one named *-host.cpp only hosted. lib/efi-*.cpp is
# x86-64 only (UEFI's pointers and calling convention): into startup_64's
# link unit, with the EFI stub, and hosted.
LIB_SRCS := $(wildcard lib/*.cpp)
EFI_LIB_SRCS := $(wildcard lib/efi-*.cpp)
# lib/chs.cpp is the setup's (disk reads by cylinder, head and sector) and
# the unit tests'; the stage reads no disk.
STAGE_LIB_SRCS := $(filter-out %-host.cpp lib/chs.cpp $(EFI_LIB_SRCS),$(LIB_SRCS))
HOST_LIB_SRCS := $(filter-out %-stage.cpp,$(LIB_SRCS))
SETUP_SRCS := $(wildcard boot/*.cpp) $(wildcard boot/*.S)
# The setup links only the lib/ sources it calls: the CPU rule, the
# cylinder/head/sector split of its disk reads, the planner's memory map
# (for the direct-boot loader's "is part 5's place RAM") and the message
# formatter. lib/message-dec.cpp, for one, stays out: the setup prints no
# decimal numbers.
SETUP_LIB_SRCS := lib/chs.cpp lib/cpu-check.cpp lib/e820-map.cpp lib/message.cpp
# startup_64's C++ is built for x86-64 on its own (below); the rest of
# compressed/ and lib/ make the 32-bit stage.
STAGE64_MAIN := compressed/startup-64.cpp
EFI_STUB_SRCS := $(wildcard compressed/efi-*.cpp)
STAGE_SRCS := $(filter-out $(STAGE64_MAIN) $(EFI_STUB_SRCS),$(wildcard compressed/*.cpp)) \
  $(wildcard compressed/*.S) $(STAGE_LIB_SRCS)
PLANNER_SRCS := lib/e820-map.cpp lib/identity-map.cpp lib/kaslr.cpp lib/memory-plan.cpp \
  lib/message.cpp lib/message-dec.cpp lib/placement.cpp lib/stage-move.cpp
# startup_64's C++ needs the planner, the console and the memory functions;
# the EFI stub (compressed/efi-*.cpp), which shares its link unit, the EFI
# part of lib/. Its toolchain must also target x86-64 (-m64, ld -m
# elf_x86_64), as Debian's native gcc and binutils do.
STAGE64_SRCS := $(STAGE64_MAIN) $(EFI_STUB_SRCS) compressed/console.cpp compressed/string.cpp \
  $(PLANNER_SRCS) $(EFI_LIB_SRCS)
TOOL_SRCS := $(filter-out tools/main.cpp tools/gen-%.cpp,$(wildcard tools/*.cpp))
UNIT_SRCS := $(wildcard tests/unit/*.cpp)

# The objects linker/setup.ld keeps in the first 4 KiB (the direct-boot
# loader of the rest of the setup) come first on the link line: of the
# copies of an inline function, ld keeps the first it reads.
SETUP_EARLY_SRCS := boot/header.S boot/bioscall.S boot/bioscall.cpp boot/int13.cpp \
  boot/setup-rest.cpp boot/panic.cpp boot/tty.cpp boot/string.cpp lib/chs.cpp lib/message.cpp
SETUP_OBJS := $(patsubst %,$(B)/setup/%.o,$(SETUP_EARLY_SRCS) \
  $(filter-out $(SETUP_EARLY_SRCS),$(SETUP_SRCS) $(SETUP_LIB_SRCS)))
STAGE_OBJS := $(patsubst %,$(B)/stage/%.o,$(STAGE_SRCS))
STAGE64_OBJS := $(patsubst %,$(B)/stage64/%.o,$(STAGE64_SRCS))
HOSTLIB_OBJS := $(patsubst %,$(B)/host/%.o,$(HOST_LIB_SRCS) $(TOOL_SRCS))
UNIT_OBJS := $(patsubst %,$(B)/host/%.o,$(UNIT_SRCS))

BZELF := $(B)/bin/bzelf

.PHONY: all deps run check mutate test-deps unit-tests qemu-tests linux-tests bench fuzz clean \
  install uninstall deb
all: $(BZELF)

# --- set-up: one script installs every Debian package we use ----------------
deps: $(B)/.deps-ok
$(B)/.deps-ok: tools/install-deps.sh
	@mkdir -p $(@D)
	./tools/install-deps.sh
	@touch $@

# --- generated headers -----------------------------------------------------
# The version, from the file VERSION alone (no git: a tarball or a Debian
# source package builds the same); debian/changelog must agree
# (tests/install).
VERSION := $(shell cat VERSION)
$(B)/gen/version.h: VERSION
	@mkdir -p $(@D)
	printf '#define BZELF_VERSION "%s"\n' '$(VERSION)' > $@.tmp && mv $@.tmp $@

# What host objects may include from $(B)/gen.
GEN_HEADERS := $(B)/gen/asm-offsets.h $(B)/gen/stage-symbols.h $(B)/gen/version.h

# Offsets of protocol structs and CPU constants for assembly, printed from
# the C++ definitions.
$(B)/gen/asm-offsets.h: tools/gen-asm-offsets.cpp lib/boot-params.h lib/stage-params.h lib/pe.h \
  lib/pvh.h lib/x86.h lib/segment-descriptor.h lib/uart-8250.h
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
	$(STAGE_CXX) $(STAGE32_CXXFLAGS) $(STAGE_OPT) -c -o $@ $<
# Planning runs once per boot: built for size. The decoder, the CRC and the
# copies stay at -O2.
STAGE_OPT := -O2
$(patsubst %,$(B)/stage/%.o,$(PLANNER_SRCS)): STAGE_OPT := -Os
$(B)/stage/%.S.o: %.S | $(B)/gen/asm-offsets.h
	@mkdir -p $(@D)
	$(STAGE_CXX) $(STAGE32_CXXFLAGS) -DSTAGE64_BIN='"$(B)/stage64.bin"' -c -o $@ $<
$(B)/stage/compressed/startup-64-blob.S.o: $(B)/stage64.bin $(B)/gen/stage64-symbols.h

# startup_64's C++: a 64-bit link unit of its own (linker/stage64.ld),
# flattened and included in part 5 by compressed/startup-64-blob.S.
$(B)/stage64/%.cpp.o: %.cpp | $(B)/gen/asm-offsets.h
	@mkdir -p $(@D)
	$(STAGE_CXX) $(STAGE64_CXXFLAGS) -c -o $@ $<
$(B)/stage64.elf: $(STAGE64_OBJS) linker/stage64.ld
	$(STAGE_LD) -m elf_x86_64 -nostdlib -pie --no-dynamic-linker -z noexecstack \
	  --no-warn-rwx-segments --gc-sections -T linker/stage64.ld -o $@ $(STAGE64_OBJS)
$(B)/stage64.bin: $(B)/stage64.elf
	$(STAGE_OBJCOPY) -O binary $< $@
# Where the 32-bit link finds the 64-bit unit's other entries, the EFI
# stub's EfiMain and EfiHandoverMain, inside the blob.
$(B)/gen/stage64-symbols.h: $(B)/stage64.elf
	@mkdir -p $(@D)
	printf '#define STAGE64_EFI_MAIN 0x%s\n#define STAGE64_EFI_HANDOVER_MAIN 0x%s\n' \
	  "$$($(STAGE_NM) $< | awk '$$3 == "EfiMain" { print $$1 }')" \
	  "$$($(STAGE_NM) $< | awk '$$3 == "EfiHandoverMain" { print $$1 }')" > $@.tmp
	test "$$(grep -c ' 0x[0-9a-f]' $@.tmp)" = 2 && mv $@.tmp $@
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
$(B)/host/%.cpp.o: %.cpp | $(GEN_HEADERS)
	@mkdir -p $(@D)
	$(CXX) $(HOST_CXXFLAGS) $(HOST_USER_CXXFLAGS) -c -o $@ $<
$(B)/host/blobs.o: tools/blobs.S $(B)/setup.bin $(B)/stage.bin
	@mkdir -p $(@D)
	$(CXX) -c -DSETUP_BIN='"$(B)/setup.bin"' -DSTAGE_BIN='"$(B)/stage.bin"' -o $@ $<
$(BZELF): $(B)/host/tools/main.cpp.o $(HOSTLIB_OBJS) $(B)/host/blobs.o
	@mkdir -p $(@D)
	$(CXX) $(LDFLAGS) -o $@ $^ $(HOST_LDLIBS)

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

# Deliberate breakages, one at a time in a scratch copy, each of which the
# tests must catch (tests/mutate/run.py). CI runs it after make check.
mutate: $(B)/.deps-ok
	$(MAKE) test-deps
	python3 tests/mutate/run.py

# Everything the tests run: the tool, the unit tests, the test kernels and
# what each suite's build.mk adds.
test-deps: $(BZELF) $(B)/bin/unit-tests $(TEST_KERNELS) $(TEST_DEPS)

# Builds first, then runs every suite and prints one total at the end.
check: $(B)/.deps-ok
	$(MAKE) test-deps
	./tests/check.sh

run: $(B)/.deps-ok $(BZELF) $(B)/kernels/sample64.elf
	$(BZELF) build $(B)/kernels/sample64.elf -o $(B)/sample.bzelf \
	  --cmdline "console=ttyS0 bzelf-sample"
	qemu-system-x86_64 -kernel $(B)/sample.bzelf -m 128 -nographic \
	  -no-reboot -device isa-debug-exit,iobase=0xf4,iosize=0x04; \
	  test $$? -eq $(TEST_KERNEL_PASS_STATUS)

# --- installing ----------------------------------------------------------------
# GNU's directory variables (GNU Coding Standards, "Variables for
# Installation Directories"); PREFIX as well as prefix, since many
# packaging tools pass the former. DESTDIR stages the whole tree
# elsewhere, as package builds do.
PREFIX ?= /usr/local
prefix ?= $(PREFIX)
exec_prefix ?= $(prefix)
bindir ?= $(exec_prefix)/bin
datarootdir ?= $(prefix)/share
datadir ?= $(datarootdir)
mandir ?= $(datarootdir)/man
man1dir ?= $(mandir)/man1
docdir ?= $(datarootdir)/doc/bzelf
# Where bash-completion looks for a command's completion when it is first
# completed (its README, "completionsdir").
bashcompdir ?= $(datadir)/bash-completion/completions
INSTALL ?= install
INSTALL_PROGRAM ?= $(INSTALL)
INSTALL_DATA ?= $(INSTALL) -m 644

# What make install puts where: the tool, its manual, its completion, and
# the kernel hook as an example, not enabled (README.md, "Wrapping every
# Debian kernel").
INSTALLED_FILES := $(bindir)/bzelf $(man1dir)/bzelf.1 $(bashcompdir)/bzelf \
  $(docdir)/examples/kernel-hooks/bzelf $(docdir)/examples/kernel-hooks/default-bzelf

install: all
	$(INSTALL) -d $(DESTDIR)$(bindir) $(DESTDIR)$(man1dir) $(DESTDIR)$(bashcompdir) \
	  $(DESTDIR)$(docdir)/examples/kernel-hooks
	$(INSTALL_PROGRAM) $(BZELF) $(DESTDIR)$(bindir)/bzelf
	$(INSTALL_DATA) man/bzelf.1 $(DESTDIR)$(man1dir)/bzelf.1
	$(INSTALL_DATA) completion/bzelf.bash $(DESTDIR)$(bashcompdir)/bzelf
	$(INSTALL) -m 755 contrib/kernel-hooks/bzelf $(DESTDIR)$(docdir)/examples/kernel-hooks/bzelf
	$(INSTALL_DATA) contrib/kernel-hooks/default-bzelf \
	  $(DESTDIR)$(docdir)/examples/kernel-hooks/default-bzelf

uninstall:
	rm -f $(addprefix $(DESTDIR),$(INSTALLED_FILES))
	rmdir $(DESTDIR)$(docdir)/examples/kernel-hooks $(DESTDIR)$(docdir)/examples \
	  $(DESTDIR)$(docdir) 2>/dev/null || :

# --- Debian package ------------------------------------------------------------
# dpkg-buildpackage in a copy of the tree under build/deb (it writes the
# package next to the tree it builds, and its clean step would empty this
# tree's build/): the .deb, .buildinfo and .changes end up in build/deb.
# The package build runs DEB_JOBS jobs of its own, not this make's.
DEB_DIR := $(B)/deb
DEB_JOBS ?= 2
deb: $(B)/.deps-ok
	rm -rf $(DEB_DIR)
	mkdir -p $(DEB_DIR)/bzelf-$(VERSION)
	tar -c --exclude=./$(B) --exclude=./.git . | tar -x -C $(DEB_DIR)/bzelf-$(VERSION)
	cd $(DEB_DIR)/bzelf-$(VERSION) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	  dpkg-buildpackage -b -us -uc -J$(DEB_JOBS)
	rm -rf $(DEB_DIR)/bzelf-$(VERSION)
	@ls $(DEB_DIR)/*.deb

clean:
	rm -rf $(B)

-include $(shell find $(B) -name '*.d' 2>/dev/null)
