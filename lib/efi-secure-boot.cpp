#include "efi-secure-boot.h"

namespace bzelf {

using namespace efi;

SecureBootMode SecureBootModeFrom(EfiByteVariable secure_boot, EfiByteVariable setup_mode,
                                  EfiByteVariable mok_sb_state) {
  if (secure_boot.status == EFI_NOT_FOUND) return SecureBootMode::kDisabled;
  if (secure_boot.status != EFI_SUCCESS) return SecureBootMode::kUnknown;
  const bool in_setup_mode = setup_mode.status == EFI_SUCCESS && setup_mode.value == 1;
  if (secure_boot.value == 0 || in_setup_mode) return SecureBootMode::kDisabled;
  if (mok_sb_state.status == EFI_SUCCESS && mok_sb_state.value == 1 &&
      !(mok_sb_state.attributes & EFI_VARIABLE_NON_VOLATILE)) {
    return SecureBootMode::kDisabled;
  }
  return SecureBootMode::kEnabled;
}

namespace {

// Both are one byte (spec 3.3: SecureBoot and SetupMode are UINT8); a
// larger one makes GetVariable fail with EFI_BUFFER_TOO_SMALL.
EfiByteVariable ReadByte(const EFI_RUNTIME_SERVICES& rt, const EFI_GUID& vendor,
                         const char16_t* name) {
  uint8_t value = 0;
  uint32_t attributes = 0;
  UINTN size = sizeof(value);
  const EFI_STATUS s =
      rt.GetVariable(reinterpret_cast<const CHAR16*>(name), &vendor, &attributes, &size, &value);
  return {s, value, attributes};
}

}  // namespace

SecureBootMode ReadSecureBootMode(const EFI_RUNTIME_SERVICES& rt) {
  const EfiByteVariable secure_boot = ReadByte(rt, EFI_GLOBAL_VARIABLE, u"SecureBoot");
  const EfiByteVariable setup_mode = ReadByte(rt, EFI_GLOBAL_VARIABLE, u"SetupMode");
  // shim's variable is read only when it could matter, as Linux does.
  const SecureBootMode mode = SecureBootModeFrom(secure_boot, setup_mode);
  if (mode != SecureBootMode::kEnabled) return mode;
  return SecureBootModeFrom(secure_boot, setup_mode, ReadByte(rt, SHIM_LOCK_GUID, u"MokSBStateRT"));
}

uint8_t SecureBootField(uint8_t given, const EFI_RUNTIME_SERVICES& rt) {
  if (given != static_cast<uint8_t>(SecureBootMode::kUnset)) return given;
  return static_cast<uint8_t>(ReadSecureBootMode(rt));
}

}  // namespace bzelf
