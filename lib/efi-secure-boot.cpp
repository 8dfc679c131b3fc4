#include "efi-secure-boot.h"

namespace bzelf {

using namespace efi;

SecureBootMode SecureBootModeFrom(EfiByteVariable secure_boot, EfiByteVariable setup_mode) {
  if (secure_boot.status == EFI_NOT_FOUND) return SecureBootMode::kDisabled;
  if (secure_boot.status != EFI_SUCCESS) return SecureBootMode::kUnknown;
  const bool in_setup_mode = setup_mode.status == EFI_SUCCESS && setup_mode.value == 1;
  if (secure_boot.value == 0 || in_setup_mode) return SecureBootMode::kDisabled;
  return SecureBootMode::kEnabled;
}

namespace {

// Both are one byte (spec 3.3: SecureBoot and SetupMode are UINT8); a
// larger one makes GetVariable fail with EFI_BUFFER_TOO_SMALL.
EfiByteVariable ReadByte(const EFI_RUNTIME_SERVICES& rt, const char16_t* name) {
  uint8_t value = 0;
  UINTN size = sizeof(value);
  const EFI_STATUS s = rt.GetVariable(reinterpret_cast<const CHAR16*>(name), &EFI_GLOBAL_VARIABLE,
                                      nullptr, &size, &value);
  return {s, value};
}

}  // namespace

SecureBootMode ReadSecureBootMode(const EFI_RUNTIME_SERVICES& rt) {
  return SecureBootModeFrom(ReadByte(rt, u"SecureBoot"), ReadByte(rt, u"SetupMode"));
}

uint8_t SecureBootField(uint8_t given, const EFI_RUNTIME_SERVICES& rt) {
  if (given != static_cast<uint8_t>(SecureBootMode::kUnset)) return given;
  return static_cast<uint8_t>(ReadSecureBootMode(rt));
}

}  // namespace bzelf
