// What the EFI stub tells the kernel about UEFI Secure Boot:
// boot_params.secure_boot (0x1ec), as Linux's own stub sets it
// (drivers/firmware/efi/libstub/secureboot.c and x86-stub.c), so that a
// Linux kernel booted through a bzelf image under Secure Boot knows it,
// and locks itself down where it is configured to (Debian's kernels are:
// arch/x86/kernel/setup.c sets EFI_SECURE_BOOT for "enabled" only).
#pragma once

#include <stdint.h>

#include "efi.h"

namespace bzelf {

// The values of Linux's enum efi_secureboot_mode (include/linux/efi.h),
// which boot_params.secure_boot holds.
enum class SecureBootMode : uint8_t {
  kUnset = 0,     // nobody asked the firmware
  kUnknown = 1,   // the firmware would not say
  kDisabled = 2,
  kEnabled = 3,
};

// A one-byte UEFI variable as GetVariable returned it: `value` and
// `attributes` mean something only when `status` is EFI_SUCCESS.
struct EfiByteVariable {
  efi::EFI_STATUS status;
  uint8_t value;
  uint32_t attributes = 0;
};

// The mode from the SecureBoot and SetupMode variables (UEFI 2.10, 3.3
// and 32.3), decided as Linux decides it (efi_get_secureboot_mode): no
// SecureBoot variable is firmware without Secure Boot, disabled; any
// other failure to read it, unknown; SecureBoot 0, or SetupMode 1 (no
// platform key yet: the firmware enforces nothing), disabled; else
// enabled. A SetupMode that cannot be read counts as 0, as in Linux.
//
// Then shim's word (efi_get_secureboot, drivers/firmware/efi/libstub/
// secureboot.c): a user who turned shim's own checks off (`mokutil
// --disable-validation`) gets a kernel that does not lock itself down.
// shim says so in its volatile MokSBStateRT; Linux takes a 1 there as
// Secure Boot disabled, unless the variable is non-volatile, which shim
// never makes it and which could have been planted from a running system
// to switch lockdown off. Unreadable, it changes nothing.
SecureBootMode SecureBootModeFrom(EfiByteVariable secure_boot, EfiByteVariable setup_mode,
                                  EfiByteVariable mok_sb_state = {efi::EFI_NOT_FOUND, 0});

// Reads the variables (SecureBoot and SetupMode of EFI_GLOBAL_VARIABLE,
// MokSBStateRT of SHIM_LOCK_GUID when Secure Boot is on) through the
// firmware's runtime services, while boot services still run, and decides.
SecureBootMode ReadSecureBootMode(const efi::EFI_RUNTIME_SERVICES& rt);

// boot_params.secure_boot from `given`, what is there already, and the
// firmware: a value a loader put there stands (x86-stub.c asks the
// firmware only when it finds efi_secureboot_mode_unset); else the
// firmware's answer.
uint8_t SecureBootField(uint8_t given, const efi::EFI_RUNTIME_SERVICES& rt);

}  // namespace bzelf
