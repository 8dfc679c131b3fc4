// The UEFI objects the EFI stub uses, with the names the UEFI
// specification (2.10) gives them: the system and boot-services tables,
// the protocols the stub opens, memory descriptors and the GUIDs. Only
// what the stub calls is spelled out; the other members of a table are
// kept as placeholders so that every offset is the spec's, and asserted.
//
// x86-64 only: pointers and UINTN are 8 bytes, and firmware calls use the
// Microsoft x64 convention (the spec's "EFIAPI", section 2.3.4). Built
// into startup_64's 64-bit link unit and the host's unit tests, never
// into the 32- or 16-bit builds (the Makefile keeps lib/efi-*.cpp out).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "efi-memory-descriptor.h"

#define EFIAPI __attribute__((ms_abi))

namespace bzelf::efi {

static_assert(sizeof(void*) == 8, "UEFI objects here are the x86-64 (X64) ones");

using UINTN = uint64_t;
using EFI_STATUS = UINTN;
using EFI_HANDLE = void*;
using CHAR16 = uint16_t;
using BOOLEAN = uint8_t;

// Status codes (spec appendix D): errors have the top bit set.
inline constexpr EFI_STATUS kErrorBit = EFI_STATUS{1} << 63;
inline constexpr EFI_STATUS EFI_SUCCESS = 0;
inline constexpr EFI_STATUS EFI_LOAD_ERROR = kErrorBit | 1;
inline constexpr EFI_STATUS EFI_INVALID_PARAMETER = kErrorBit | 2;
inline constexpr EFI_STATUS EFI_UNSUPPORTED = kErrorBit | 3;
inline constexpr EFI_STATUS EFI_BUFFER_TOO_SMALL = kErrorBit | 5;
inline constexpr EFI_STATUS EFI_OUT_OF_RESOURCES = kErrorBit | 9;
inline constexpr EFI_STATUS EFI_NOT_FOUND = kErrorBit | 14;

struct EFI_GUID {
  uint32_t Data1;
  uint16_t Data2;
  uint16_t Data3;
  uint8_t Data4[8];

  constexpr bool operator==(const EFI_GUID& o) const {
    for (int i = 0; i < 8; ++i) {
      if (Data4[i] != o.Data4[i]) return false;
    }
    return Data1 == o.Data1 && Data2 == o.Data2 && Data3 == o.Data3;
  }
};
static_assert(sizeof(EFI_GUID) == 16);

// The vendor of the variables the spec defines (SecureBoot, SetupMode:
// spec 3.3, "Globally Defined Variables").
inline constexpr EFI_GUID EFI_GLOBAL_VARIABLE = {
    0x8be4df61, 0x93ca, 0x11d2, {0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c}};
// The vendor of shim's variables (shim's SHIM_LOCK_GUID; Linux's
// EFI_SHIM_LOCK_GUID).
inline constexpr EFI_GUID SHIM_LOCK_GUID = {
    0x605dab50, 0xe046, 0x4300, {0xab, 0xb6, 0x3d, 0xd8, 0x10, 0xdd, 0x8b, 0x23}};
// GetVariable's attribute bit of a variable kept across resets (spec 8.2).
inline constexpr uint32_t EFI_VARIABLE_NON_VOLATILE = 0x1;
inline constexpr EFI_GUID EFI_LOADED_IMAGE_PROTOCOL_GUID = {
    0x5b1b31a1, 0x9562, 0x11d2, {0x8e, 0x3f, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b}};
inline constexpr EFI_GUID EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID = {
    0x9042a9de, 0x23dc, 0x4a38, {0x96, 0xfb, 0x7a, 0xde, 0xd0, 0x80, 0x51, 0x6a}};
inline constexpr EFI_GUID EFI_SIMPLE_FILE_SYSTEM_PROTOCOL_GUID = {
    0x964e5b22, 0x6459, 0x11d2, {0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b}};
inline constexpr EFI_GUID EFI_FILE_INFO_ID = {
    0x09576e92, 0x6d3f, 0x11d2, {0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b}};
inline constexpr EFI_GUID EFI_LOAD_FILE2_PROTOCOL_GUID = {
    0x4006c0c1, 0xfcb3, 0x403e, {0x99, 0x6d, 0x4a, 0x6c, 0x87, 0x24, 0xe0, 0x6d}};
inline constexpr EFI_GUID EFI_DEVICE_PATH_PROTOCOL_GUID = {
    0x09576e91, 0x6d3f, 0x11d2, {0x8e, 0x39, 0x00, 0xa0, 0xc9, 0x69, 0x72, 0x3b}};
// The configuration tables that point at ACPI's RSDP (spec 4.6.1.1).
inline constexpr EFI_GUID EFI_ACPI_20_TABLE_GUID = {
    0x8868e871, 0xe4f1, 0x11d3, {0xbc, 0x22, 0x00, 0x80, 0xc7, 0x3c, 0x88, 0x81}};
inline constexpr EFI_GUID ACPI_TABLE_GUID = {
    0xeb9d2d30, 0x2d88, 0x11d3, {0x9a, 0x16, 0x00, 0x90, 0x27, 0x3f, 0xc1, 0x4d}};
// The vendor media device path under which loaders install a LoadFile2
// protocol that hands out the initrd (Linux: include/linux/efi.h, and
// drivers/firmware/efi/libstub/efi-stub-helper.c, efi_load_initrd_dev_path).
inline constexpr EFI_GUID LINUX_EFI_INITRD_MEDIA_GUID = {
    0x5568e427, 0x68fc, 0x4f3d, {0xac, 0x74, 0xca, 0x55, 0x52, 0x31, 0xcc, 0x68}};

struct EFI_TABLE_HEADER {
  uint64_t Signature;
  uint32_t Revision;
  uint32_t HeaderSize;
  uint32_t CRC32;
  uint32_t Reserved;
};
static_assert(sizeof(EFI_TABLE_HEADER) == 24);

enum EFI_ALLOCATE_TYPE : uint32_t {
  AllocateAnyPages = 0,
  AllocateMaxAddress = 1,
  AllocateAddress = 2,
};

// Generic device path node (spec 10.2), and the two the stub builds.
struct [[gnu::packed]] EFI_DEVICE_PATH_PROTOCOL {
  uint8_t Type;
  uint8_t SubType;
  uint8_t Length[2];
};
static_assert(sizeof(EFI_DEVICE_PATH_PROTOCOL) == 4);
inline constexpr uint8_t MEDIA_DEVICE_PATH = 0x04;
inline constexpr uint8_t MEDIA_VENDOR_DP = 0x03;
inline constexpr uint8_t END_DEVICE_PATH_TYPE = 0x7f;
inline constexpr uint8_t END_ENTIRE_DEVICE_PATH_SUBTYPE = 0xff;

struct [[gnu::packed]] VENDOR_DEVICE_PATH {
  EFI_DEVICE_PATH_PROTOCOL Header;
  EFI_GUID Guid;
};
static_assert(sizeof(VENDOR_DEVICE_PATH) == 20);

// /VenMedia(LINUX_EFI_INITRD_MEDIA_GUID)/End: the path a loader's
// LoadFile2 initrd is installed on.
struct [[gnu::packed]] InitrdMediaDevicePath {
  VENDOR_DEVICE_PATH vendor;
  EFI_DEVICE_PATH_PROTOCOL end;
};
static_assert(sizeof(InitrdMediaDevicePath) == 24);
inline constexpr InitrdMediaDevicePath kInitrdMediaDevicePath = {
    {{MEDIA_DEVICE_PATH, MEDIA_VENDOR_DP, {sizeof(VENDOR_DEVICE_PATH), 0}},
     LINUX_EFI_INITRD_MEDIA_GUID},
    {END_DEVICE_PATH_TYPE, END_ENTIRE_DEVICE_PATH_SUBTYPE, {sizeof(EFI_DEVICE_PATH_PROTOCOL), 0}}};

struct EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL {
  void* Reset;
  EFI_STATUS(EFIAPI* OutputString)(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL* This, const CHAR16* String);
  void* TestString;
  void* QueryMode;
  void* SetMode;
  void* SetAttribute;
  void* ClearScreen;
  void* SetCursorPosition;
  void* EnableCursor;
  void* Mode;
};
static_assert(sizeof(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL) == 80);
static_assert(offsetof(EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL, OutputString) == 8);

struct EFI_BOOT_SERVICES {
  EFI_TABLE_HEADER Hdr;
  void* RaiseTPL;
  void* RestoreTPL;
  EFI_STATUS(EFIAPI* AllocatePages)(EFI_ALLOCATE_TYPE Type, EFI_MEMORY_TYPE MemoryType,
                                    UINTN Pages, EFI_PHYSICAL_ADDRESS* Memory);
  EFI_STATUS(EFIAPI* FreePages)(EFI_PHYSICAL_ADDRESS Memory, UINTN Pages);
  EFI_STATUS(EFIAPI* GetMemoryMap)(UINTN* MemoryMapSize, EFI_MEMORY_DESCRIPTOR* MemoryMap,
                                   UINTN* MapKey, UINTN* DescriptorSize,
                                   uint32_t* DescriptorVersion);
  EFI_STATUS(EFIAPI* AllocatePool)(EFI_MEMORY_TYPE PoolType, UINTN Size, void** Buffer);
  EFI_STATUS(EFIAPI* FreePool)(void* Buffer);
  void* CreateEvent;
  void* SetTimer;
  void* WaitForEvent;
  void* SignalEvent;
  void* CloseEvent;
  void* CheckEvent;
  void* InstallProtocolInterface;
  void* ReinstallProtocolInterface;
  void* UninstallProtocolInterface;
  EFI_STATUS(EFIAPI* HandleProtocol)(EFI_HANDLE Handle, const EFI_GUID* Protocol,
                                     void** Interface);
  void* Reserved;
  void* RegisterProtocolNotify;
  void* LocateHandle;
  EFI_STATUS(EFIAPI* LocateDevicePath)(const EFI_GUID* Protocol,
                                       EFI_DEVICE_PATH_PROTOCOL** DevicePath,
                                       EFI_HANDLE* Device);
  EFI_STATUS(EFIAPI* InstallConfigurationTable)(const EFI_GUID* Guid, void* Table);
  void* LoadImage;
  void* StartImage;
  void* Exit;
  void* UnloadImage;
  EFI_STATUS(EFIAPI* ExitBootServices)(EFI_HANDLE ImageHandle, UINTN MapKey);
  void* GetNextMonotonicCount;
  void* Stall;
  void* SetWatchdogTimer;
  void* ConnectController;
  void* DisconnectController;
  void* OpenProtocol;
  void* CloseProtocol;
  void* OpenProtocolInformation;
  void* ProtocolsPerHandle;
  void* LocateHandleBuffer;
  EFI_STATUS(EFIAPI* LocateProtocol)(const EFI_GUID* Protocol, void* Registration,
                                     void** Interface);
  void* InstallMultipleProtocolInterfaces;
  void* UninstallMultipleProtocolInterfaces;
  void* CalculateCrc32;
  void* CopyMem;
  void* SetMem;
  void* CreateEventEx;
};
static_assert(offsetof(EFI_BOOT_SERVICES, AllocatePages) == 40);
static_assert(offsetof(EFI_BOOT_SERVICES, GetMemoryMap) == 56);
static_assert(offsetof(EFI_BOOT_SERVICES, AllocatePool) == 64);
static_assert(offsetof(EFI_BOOT_SERVICES, HandleProtocol) == 152);
static_assert(offsetof(EFI_BOOT_SERVICES, LocateDevicePath) == 184);
static_assert(offsetof(EFI_BOOT_SERVICES, InstallConfigurationTable) == 192);
static_assert(offsetof(EFI_BOOT_SERVICES, ExitBootServices) == 232);
static_assert(offsetof(EFI_BOOT_SERVICES, LocateProtocol) == 320);
static_assert(sizeof(EFI_BOOT_SERVICES) == 376);

// The runtime services (spec 4.5); only the variable reads are called.
struct EFI_RUNTIME_SERVICES {
  EFI_TABLE_HEADER Hdr;
  void* GetTime;
  void* SetTime;
  void* GetWakeupTime;
  void* SetWakeupTime;
  void* SetVirtualAddressMap;
  void* ConvertPointer;
  EFI_STATUS(EFIAPI* GetVariable)(const CHAR16* VariableName, const EFI_GUID* VendorGuid,
                                  uint32_t* Attributes, UINTN* DataSize, void* Data);
  void* GetNextVariableName;
  void* SetVariable;
  void* GetNextHighMonotonicCount;
  void* ResetSystem;
  void* UpdateCapsule;
  void* QueryCapsuleCapabilities;
  void* QueryVariableInfo;
};
static_assert(offsetof(EFI_RUNTIME_SERVICES, GetVariable) == 72);
static_assert(sizeof(EFI_RUNTIME_SERVICES) == 136);

struct EFI_CONFIGURATION_TABLE {
  EFI_GUID VendorGuid;
  void* VendorTable;
};
static_assert(sizeof(EFI_CONFIGURATION_TABLE) == 24);

struct EFI_SYSTEM_TABLE {
  EFI_TABLE_HEADER Hdr;
  CHAR16* FirmwareVendor;
  uint32_t FirmwareRevision;
  EFI_HANDLE ConsoleInHandle;
  void* ConIn;
  EFI_HANDLE ConsoleOutHandle;
  EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL* ConOut;
  EFI_HANDLE StandardErrorHandle;
  EFI_SIMPLE_TEXT_OUTPUT_PROTOCOL* StdErr;
  EFI_RUNTIME_SERVICES* RuntimeServices;
  EFI_BOOT_SERVICES* BootServices;
  UINTN NumberOfTableEntries;
  EFI_CONFIGURATION_TABLE* ConfigurationTable;
};
static_assert(offsetof(EFI_SYSTEM_TABLE, ConOut) == 64);
static_assert(offsetof(EFI_SYSTEM_TABLE, BootServices) == 96);
static_assert(offsetof(EFI_SYSTEM_TABLE, NumberOfTableEntries) == 104);
static_assert(offsetof(EFI_SYSTEM_TABLE, ConfigurationTable) == 112);
static_assert(sizeof(EFI_SYSTEM_TABLE) == 120);

struct EFI_LOADED_IMAGE_PROTOCOL {
  uint32_t Revision;
  EFI_HANDLE ParentHandle;
  EFI_SYSTEM_TABLE* SystemTable;
  EFI_HANDLE DeviceHandle;
  EFI_DEVICE_PATH_PROTOCOL* FilePath;
  void* Reserved;
  uint32_t LoadOptionsSize;  // bytes
  void* LoadOptions;
  void* ImageBase;
  uint64_t ImageSize;
  EFI_MEMORY_TYPE ImageCodeType;
  EFI_MEMORY_TYPE ImageDataType;
  void* Unload;
};
static_assert(offsetof(EFI_LOADED_IMAGE_PROTOCOL, DeviceHandle) == 24);
static_assert(offsetof(EFI_LOADED_IMAGE_PROTOCOL, LoadOptionsSize) == 48);
static_assert(offsetof(EFI_LOADED_IMAGE_PROTOCOL, LoadOptions) == 56);
static_assert(offsetof(EFI_LOADED_IMAGE_PROTOCOL, ImageBase) == 64);
static_assert(offsetof(EFI_LOADED_IMAGE_PROTOCOL, ImageSize) == 72);
static_assert(sizeof(EFI_LOADED_IMAGE_PROTOCOL) == 96);

// Graphics Output Protocol (spec 12.9).
enum EFI_GRAPHICS_PIXEL_FORMAT : uint32_t {
  PixelRedGreenBlueReserved8BitPerColor = 0,
  PixelBlueGreenRedReserved8BitPerColor = 1,
  PixelBitMask = 2,
  PixelBltOnly = 3,
};

struct EFI_PIXEL_BITMASK {
  uint32_t RedMask;
  uint32_t GreenMask;
  uint32_t BlueMask;
  uint32_t ReservedMask;
};

struct EFI_GRAPHICS_OUTPUT_MODE_INFORMATION {
  uint32_t Version;
  uint32_t HorizontalResolution;
  uint32_t VerticalResolution;
  EFI_GRAPHICS_PIXEL_FORMAT PixelFormat;
  EFI_PIXEL_BITMASK PixelInformation;
  uint32_t PixelsPerScanLine;
};
static_assert(offsetof(EFI_GRAPHICS_OUTPUT_MODE_INFORMATION, PixelInformation) == 16);
static_assert(sizeof(EFI_GRAPHICS_OUTPUT_MODE_INFORMATION) == 36);

struct EFI_GRAPHICS_OUTPUT_PROTOCOL_MODE {
  uint32_t MaxMode;
  uint32_t Mode;
  EFI_GRAPHICS_OUTPUT_MODE_INFORMATION* Info;
  UINTN SizeOfInfo;
  EFI_PHYSICAL_ADDRESS FrameBufferBase;
  UINTN FrameBufferSize;
};
static_assert(offsetof(EFI_GRAPHICS_OUTPUT_PROTOCOL_MODE, FrameBufferBase) == 24);
static_assert(sizeof(EFI_GRAPHICS_OUTPUT_PROTOCOL_MODE) == 40);

struct EFI_GRAPHICS_OUTPUT_PROTOCOL {
  void* QueryMode;
  void* SetMode;
  void* Blt;
  EFI_GRAPHICS_OUTPUT_PROTOCOL_MODE* Mode;
};
static_assert(offsetof(EFI_GRAPHICS_OUTPUT_PROTOCOL, Mode) == 24);

// Simple File System and File protocols (spec 13.4, 13.5).
struct EFI_FILE_PROTOCOL {
  uint64_t Revision;
  EFI_STATUS(EFIAPI* Open)(EFI_FILE_PROTOCOL* This, EFI_FILE_PROTOCOL** NewHandle,
                           const CHAR16* FileName, uint64_t OpenMode, uint64_t Attributes);
  EFI_STATUS(EFIAPI* Close)(EFI_FILE_PROTOCOL* This);
  void* Delete;
  EFI_STATUS(EFIAPI* Read)(EFI_FILE_PROTOCOL* This, UINTN* BufferSize, void* Buffer);
  void* Write;
  void* GetPosition;
  void* SetPosition;
  EFI_STATUS(EFIAPI* GetInfo)(EFI_FILE_PROTOCOL* This, const EFI_GUID* InformationType,
                              UINTN* BufferSize, void* Buffer);
  void* SetInfo;
  void* Flush;
};
static_assert(offsetof(EFI_FILE_PROTOCOL, Open) == 8);
static_assert(offsetof(EFI_FILE_PROTOCOL, Read) == 32);
static_assert(offsetof(EFI_FILE_PROTOCOL, GetInfo) == 64);
static_assert(sizeof(EFI_FILE_PROTOCOL) == 88);
inline constexpr uint64_t EFI_FILE_MODE_READ = 1;

struct EFI_TIME {
  uint16_t Year;
  uint8_t Month, Day, Hour, Minute, Second, Pad1;
  uint32_t Nanosecond;
  int16_t TimeZone;
  uint8_t Daylight, Pad2;
};
static_assert(sizeof(EFI_TIME) == 16);

struct EFI_FILE_INFO {
  uint64_t Size;
  uint64_t FileSize;
  uint64_t PhysicalSize;
  EFI_TIME CreateTime;
  EFI_TIME LastAccessTime;
  EFI_TIME ModificationTime;
  uint64_t Attribute;
  // CHAR16 FileName[] follows.
};
static_assert(offsetof(EFI_FILE_INFO, FileSize) == 8);
static_assert(sizeof(EFI_FILE_INFO) == 80);

struct EFI_SIMPLE_FILE_SYSTEM_PROTOCOL {
  uint64_t Revision;
  EFI_STATUS(EFIAPI* OpenVolume)(EFI_SIMPLE_FILE_SYSTEM_PROTOCOL* This, EFI_FILE_PROTOCOL** Root);
};
static_assert(sizeof(EFI_SIMPLE_FILE_SYSTEM_PROTOCOL) == 16);

// LoadFile2 (spec 13.2): BootPolicy must be FALSE.
struct EFI_LOAD_FILE2_PROTOCOL {
  EFI_STATUS(EFIAPI* LoadFile)(EFI_LOAD_FILE2_PROTOCOL* This, EFI_DEVICE_PATH_PROTOCOL* FilePath,
                               BOOLEAN BootPolicy, UINTN* BufferSize, void* Buffer);
};
static_assert(sizeof(EFI_LOAD_FILE2_PROTOCOL) == 8);

}  // namespace bzelf::efi
