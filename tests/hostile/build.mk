# The loader of the SETUP_E820_EXT rows of tests/hostile/run.sh
# (e820-loader.cpp), included by the top Makefile: a multiboot kernel for
# QEMU -kernel, built like the 32-bit test kernels but from its own files.

HOSTILE_DIR := tests/hostile
HOSTILE_OUT := $(B)/hostile
E820_LOADER := $(HOSTILE_OUT)/e820-loader.elf
# Its serial output is the test kernels' (tests/kernels/serial.cpp), built
# by tests/kernels/build.mk, whose TK_OUT may not be set yet here.
E820_LOADER_OBJS := $(HOSTILE_OUT)/e820-loader.cpp.o $(HOSTILE_OUT)/e820-loader-entry.S.o \
  $(B)/kernels/obj32/serial.cpp.o
# `=`, not `:=`: tests/kernels/build.mk, which sets TK32_CXXFLAGS, may be
# included after this file.
E820_LOADER_CXXFLAGS = $(TK32_CXXFLAGS) -fno-tree-loop-distribute-patterns

$(HOSTILE_OUT)/%.o: $(HOSTILE_DIR)/%
	@mkdir -p $(@D)
	$(STAGE_CXX) $(E820_LOADER_CXXFLAGS) -c -o $@ $<
$(E820_LOADER): $(HOSTILE_DIR)/e820-loader.ld $(E820_LOADER_OBJS)
	$(STAGE_LD) -m elf_i386 -nostdlib -static -z noexecstack -z max-page-size=0x1000 \
	  --build-id=none --no-warn-rwx-segments -T $< -o $@ $(E820_LOADER_OBJS)

TEST_DEPS += $(E820_LOADER)
