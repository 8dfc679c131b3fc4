# The INT 15h hooks of tests/int15/run.sh and tests/a20/run.sh
# (int15-hook-chainload.S), included by the top Makefile: one 512-byte boot
# sector per set of hidden services, linked as tests/a20's chain-loader is.

INT15_DIR := tests/int15
INT15_OUT := $(B)/int15
# name: the -D flags that name the services it hides
INT15_HOOK_no-e820 := -DHIDE_E820
INT15_HOOK_no-e820-e801 := -DHIDE_E820 -DHIDE_E801
INT15_HOOK_no-a20-bios := -DHIDE_A20
INT15_HOOKS := no-e820 no-e820-e801 no-a20-bios

$(INT15_OUT)/int15-%.o: $(INT15_DIR)/int15-hook-chainload.S $(A20_DIR)/chainload.S \
    $(INT15_DIR)/build.mk
	@mkdir -p $(@D)
	$(STAGE_CXX) -m16 -I$(A20_DIR) $(INT15_HOOK_$*) -c -o $@ $<
$(INT15_OUT)/int15-%.elf: $(A20_DIR)/a20-off-chainload.ld $(INT15_OUT)/int15-%.o
	$(STAGE_LD) -m elf_i386 -nostdlib -static --build-id=none -T $< \
	  -o $@ $(INT15_OUT)/int15-$*.o
$(INT15_OUT)/int15-%.bin: $(INT15_OUT)/int15-%.elf
	$(STAGE_OBJCOPY) -O binary $< $@

TEST_DEPS += $(patsubst %,$(INT15_OUT)/int15-%.bin,$(INT15_HOOKS))
