# The chain-loader of tests/a20/run.sh (a20-off-chainload.S), included by
# the top Makefile: one 512-byte boot sector that closes the A20 gate and
# boots the next disk. chainload.S: what it shares with tests/int15's.

A20_DIR := tests/a20
A20_OUT := $(B)/a20
A20_CHAINLOAD := $(A20_OUT)/a20-off-chainload.bin

$(A20_OUT)/a20-off-chainload.o: $(A20_DIR)/a20-off-chainload.S $(A20_DIR)/chainload.S
	@mkdir -p $(@D)
	$(STAGE_CXX) -m16 -c -o $@ $<
$(A20_OUT)/a20-off-chainload.elf: $(A20_DIR)/a20-off-chainload.ld $(A20_OUT)/a20-off-chainload.o
	$(STAGE_LD) -m elf_i386 -nostdlib -static --build-id=none -T $< \
	  -o $@ $(A20_OUT)/a20-off-chainload.o
$(A20_CHAINLOAD): $(A20_OUT)/a20-off-chainload.elf
	$(STAGE_OBJCOPY) -O binary $< $@

TEST_DEPS += $(A20_CHAINLOAD)
