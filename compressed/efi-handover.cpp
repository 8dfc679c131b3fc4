// The EFI handover entry's C++ half (compressed/head.S,
// efi_handover_entry, at part 5 + 0x200 + handover_offset): a loader
// that has filled a boot_params itself calls it while boot services
// run, with the System V arguments image handle, system table and
// boot_params (Linux's head_64.S efi64_stub_entry and libstub/x86-stub.c
// efi_stub_entry are the same contract). systemd-stub 252 calls it for a
// UKI's .linux with MajorImageVersion 0, in place inside the UKI; Debian's
// GRUB for `linux` under EFI. The stub's path is the PE entry's, with the
// loader's boot_params instead of a fresh one.
#include "efi-boot.h"

// head.S adds part 5's address and its parameters as the fourth and fifth
// arguments. Never returns.
extern "C" [[gnu::section(".text.efi")]] void EfiHandoverMain(
    bzelf::efi::EFI_HANDLE image, bzelf::efi::EFI_SYSTEM_TABLE* st,
    const bzelf::linuxboot::boot_params* loader, uint8_t* part5,
    const bzelf::StageParams* params) {
  bzelf::EfiStub(image, st, part5, params, loader);
}
