// boot_params.secure_boot from the firmware's variables
// (lib/efi-secure-boot.h): the decision as Linux's stub makes it, and the
// reads through a runtime services table whose GetVariable answers from
// a small variable store.
#include "efi-secure-boot.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

namespace bzelf {
namespace {

using namespace efi;

constexpr EfiByteVariable kMissing{EFI_NOT_FOUND, 0};
EfiByteVariable Byte(uint8_t v) { return {EFI_SUCCESS, v}; }

TEST(SecureBoot, ModeFromTheVariables) {
  // Firmware without Secure Boot has no SecureBoot variable.
  EXPECT_EQ(SecureBootModeFrom(kMissing, kMissing), SecureBootMode::kDisabled);
  EXPECT_EQ(SecureBootModeFrom(Byte(0), Byte(0)), SecureBootMode::kDisabled);
  EXPECT_EQ(SecureBootModeFrom(Byte(1), Byte(0)), SecureBootMode::kEnabled);
  // Setup Mode: no platform key, nothing enforced.
  EXPECT_EQ(SecureBootModeFrom(Byte(1), Byte(1)), SecureBootMode::kDisabled);
  EXPECT_EQ(SecureBootModeFrom(Byte(0), Byte(1)), SecureBootMode::kDisabled);
  // SetupMode unreadable counts as 0; its value then means nothing.
  EXPECT_EQ(SecureBootModeFrom(Byte(1), kMissing), SecureBootMode::kEnabled);
  EXPECT_EQ(SecureBootModeFrom(Byte(1), {EFI_BUFFER_TOO_SMALL, 1}), SecureBootMode::kEnabled);
  // SecureBoot unreadable for another reason: unknown, whatever else.
  EXPECT_EQ(SecureBootModeFrom({EFI_BUFFER_TOO_SMALL, 1}, Byte(0)), SecureBootMode::kUnknown);
  EXPECT_EQ(SecureBootModeFrom({EFI_UNSUPPORTED, 0}, Byte(1)), SecureBootMode::kUnknown);
}

TEST(SecureBoot, ShimsValidationOffTurnsItOff) {
  // shim's MokSBStateRT 1, volatile as shim makes it: disabled.
  EXPECT_EQ(SecureBootModeFrom(Byte(1), Byte(0), {EFI_SUCCESS, 1, 0x6}), SecureBootMode::kDisabled);
  // Non-volatile: not shim's; ignored.
  EXPECT_EQ(SecureBootModeFrom(Byte(1), Byte(0), {EFI_SUCCESS, 1, 0x7}), SecureBootMode::kEnabled);
  // 0, or unreadable: Secure Boot stays on.
  EXPECT_EQ(SecureBootModeFrom(Byte(1), Byte(0), {EFI_SUCCESS, 0, 0x6}), SecureBootMode::kEnabled);
  EXPECT_EQ(SecureBootModeFrom(Byte(1), Byte(0), {EFI_BUFFER_TOO_SMALL, 1, 0x6}),
            SecureBootMode::kEnabled);
}

TEST(SecureBoot, ValuesAreLinuxs) {
  // include/linux/efi.h, enum efi_secureboot_mode, in order.
  EXPECT_EQ(static_cast<int>(SecureBootMode::kUnset), 0);
  EXPECT_EQ(static_cast<int>(SecureBootMode::kUnknown), 1);
  EXPECT_EQ(static_cast<int>(SecureBootMode::kDisabled), 2);
  EXPECT_EQ(static_cast<int>(SecureBootMode::kEnabled), 3);
}

// The variable store the fake GetVariable reads: (vendor GUID, name) to
// bytes, with GetVariable's size rules (spec 8.2).
struct Variable {
  EFI_GUID vendor;
  std::u16string name;
  std::vector<uint8_t> data;
  uint32_t attributes = 0x7;  // non-volatile, boot and runtime access
};
std::vector<Variable>* g_store;
int g_calls;

EFI_STATUS EFIAPI FakeGetVariable(const CHAR16* name, const EFI_GUID* vendor, uint32_t* attributes,
                                  UINTN* size, void* data) {
  ++g_calls;
  std::u16string n;
  for (const CHAR16* c = name; *c != 0; ++c) n.push_back(static_cast<char16_t>(*c));
  for (const Variable& v : *g_store) {
    if (!(v.vendor == *vendor) || v.name != n) continue;
    if (attributes != nullptr) *attributes = v.attributes;
    if (*size < v.data.size()) {
      *size = v.data.size();
      return EFI_BUFFER_TOO_SMALL;
    }
    *size = v.data.size();
    std::memcpy(data, v.data.data(), v.data.size());
    return EFI_SUCCESS;
  }
  return EFI_NOT_FOUND;
}

uint8_t FieldWith(std::vector<Variable> store, uint8_t given = 0) {
  g_store = &store;
  g_calls = 0;
  EFI_RUNTIME_SERVICES rt{};
  rt.GetVariable = FakeGetVariable;
  return SecureBootField(given, rt);
}

// shim's vendor; its SecureBoot and SetupMode would not be the firmware's.
constexpr EFI_GUID kOtherVendor = SHIM_LOCK_GUID;

TEST(SecureBoot, ReadsTheGlobalVariables) {
  // OVMF's snakeoil firmware: keys enrolled, Secure Boot on.
  EXPECT_EQ(FieldWith({{EFI_GLOBAL_VARIABLE, u"SecureBoot", {1}},
                       {EFI_GLOBAL_VARIABLE, u"SetupMode", {0}}}),
            3);
  // Blank OVMF_VARS: Setup Mode, SecureBoot 0.
  EXPECT_EQ(FieldWith({{EFI_GLOBAL_VARIABLE, u"SecureBoot", {0}},
                       {EFI_GLOBAL_VARIABLE, u"SetupMode", {1}}}),
            2);
  // Firmware without Secure Boot support.
  EXPECT_EQ(FieldWith({}), 2);
  // The right names under another vendor are not the firmware's.
  EXPECT_EQ(FieldWith({{kOtherVendor, u"SecureBoot", {1}}, {kOtherVendor, u"SetupMode", {0}}}), 2);
  // SetupMode is read too: 1 there turns SecureBoot 1 off.
  EXPECT_EQ(FieldWith({{EFI_GLOBAL_VARIABLE, u"SecureBoot", {1}},
                       {EFI_GLOBAL_VARIABLE, u"SetupMode", {1}}}),
            2);
  // shim's validation off: MokSBStateRT 1, volatile.
  EXPECT_EQ(FieldWith({{EFI_GLOBAL_VARIABLE, u"SecureBoot", {1}},
                       {EFI_GLOBAL_VARIABLE, u"SetupMode", {0}},
                       {kOtherVendor, u"MokSBStateRT", {1}, 0x6}}),
            2);
  // The same name under the firmware's vendor is not shim's.
  EXPECT_EQ(FieldWith({{EFI_GLOBAL_VARIABLE, u"SecureBoot", {1}},
                       {EFI_GLOBAL_VARIABLE, u"SetupMode", {0}},
                       {EFI_GLOBAL_VARIABLE, u"MokSBStateRT", {1}, 0x6}}),
            3);
  // A SecureBoot of more than a byte is not one the spec defines.
  EXPECT_EQ(FieldWith({{EFI_GLOBAL_VARIABLE, u"SecureBoot", {1, 0}},
                       {EFI_GLOBAL_VARIABLE, u"SetupMode", {0}}}),
            1);
}

TEST(SecureBoot, ALoadersValueStands) {
  const std::vector<Variable> on = {{EFI_GLOBAL_VARIABLE, u"SecureBoot", {1}},
                                    {EFI_GLOBAL_VARIABLE, u"SetupMode", {0}}};
  EXPECT_EQ(FieldWith(on, 2), 2);
  EXPECT_EQ(g_calls, 0);
  EXPECT_EQ(FieldWith(on, 0), 3);
  EXPECT_EQ(g_calls, 3);  // SecureBoot, SetupMode, shim's MokSBStateRT
}

}  // namespace
}  // namespace bzelf
