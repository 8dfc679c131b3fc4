// PE/COFF structures and constants (Microsoft's "PE Format" specification,
// whose names they keep), for the header that makes a bzelf image a UEFI
// application (UEFI 2.10, 2.1.1: PE32+ images, Subsystem 10). Written out
// so that the tool, the unit tests and assembly (through the generated
// asm-offsets.h) share one definition.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace bzelf::pe {

// The MS-DOS header: only e_magic and e_lfanew mean anything to a PE
// loader; the rest of the first 0x40 bytes is ours (boot sector code).
inline constexpr uint16_t IMAGE_DOS_SIGNATURE = 0x5a4d;  // "MZ"
inline constexpr uint32_t kDosLfanewOffset = 0x3c;       // e_lfanew
inline constexpr uint32_t IMAGE_NT_SIGNATURE = 0x00004550;  // "PE\0\0"

inline constexpr uint16_t IMAGE_FILE_MACHINE_AMD64 = 0x8664;
inline constexpr uint16_t IMAGE_FILE_EXECUTABLE_IMAGE = 0x0002;
inline constexpr uint16_t IMAGE_FILE_LINE_NUMS_STRIPPED = 0x0004;
inline constexpr uint16_t IMAGE_FILE_DEBUG_STRIPPED = 0x0200;

inline constexpr uint16_t IMAGE_NT_OPTIONAL_HDR64_MAGIC = 0x20b;  // PE32+
inline constexpr uint16_t IMAGE_SUBSYSTEM_EFI_APPLICATION = 10;
inline constexpr uint16_t IMAGE_DLLCHARACTERISTICS_NX_COMPAT = 0x0100;

inline constexpr uint32_t IMAGE_SCN_CNT_CODE = 0x00000020;
inline constexpr uint32_t IMAGE_SCN_CNT_INITIALIZED_DATA = 0x00000040;
inline constexpr uint32_t IMAGE_SCN_MEM_DISCARDABLE = 0x02000000;
inline constexpr uint32_t IMAGE_SCN_MEM_EXECUTE = 0x20000000;
inline constexpr uint32_t IMAGE_SCN_MEM_READ = 0x40000000;
inline constexpr uint32_t IMAGE_SCN_MEM_WRITE = 0x80000000;

// Data directory indices. The certificate table (4) is where sbsign and
// other signing tools put the signature, so the directory array must reach
// it; 6 entries as Linux's header has them (through the base relocation
// table, which stays empty: the image needs no relocation).
inline constexpr uint32_t IMAGE_DIRECTORY_ENTRY_SECURITY = 4;
inline constexpr uint32_t kDataDirectories = 6;

struct [[gnu::packed]] IMAGE_FILE_HEADER {
  uint16_t Machine;
  uint16_t NumberOfSections;
  uint32_t TimeDateStamp;
  uint32_t PointerToSymbolTable;
  uint32_t NumberOfSymbols;
  uint16_t SizeOfOptionalHeader;
  uint16_t Characteristics;
};
static_assert(sizeof(IMAGE_FILE_HEADER) == 20);

struct [[gnu::packed]] IMAGE_DATA_DIRECTORY {
  uint32_t VirtualAddress;
  uint32_t Size;
};
static_assert(sizeof(IMAGE_DATA_DIRECTORY) == 8);

struct [[gnu::packed]] IMAGE_OPTIONAL_HEADER64 {
  uint16_t Magic;
  uint8_t MajorLinkerVersion;
  uint8_t MinorLinkerVersion;
  uint32_t SizeOfCode;
  uint32_t SizeOfInitializedData;
  uint32_t SizeOfUninitializedData;
  uint32_t AddressOfEntryPoint;
  uint32_t BaseOfCode;
  uint64_t ImageBase;
  uint32_t SectionAlignment;
  uint32_t FileAlignment;
  uint16_t MajorOperatingSystemVersion;
  uint16_t MinorOperatingSystemVersion;
  uint16_t MajorImageVersion;
  uint16_t MinorImageVersion;
  uint16_t MajorSubsystemVersion;
  uint16_t MinorSubsystemVersion;
  uint32_t Win32VersionValue;
  uint32_t SizeOfImage;
  uint32_t SizeOfHeaders;
  uint32_t CheckSum;
  uint16_t Subsystem;
  uint16_t DllCharacteristics;
  uint64_t SizeOfStackReserve;
  uint64_t SizeOfStackCommit;
  uint64_t SizeOfHeapReserve;
  uint64_t SizeOfHeapCommit;
  uint32_t LoaderFlags;
  uint32_t NumberOfRvaAndSizes;
  IMAGE_DATA_DIRECTORY DataDirectory[kDataDirectories];
};
static_assert(offsetof(IMAGE_OPTIONAL_HEADER64, DataDirectory) == 112);
static_assert(sizeof(IMAGE_OPTIONAL_HEADER64) == 112 + 8 * kDataDirectories);

struct [[gnu::packed]] IMAGE_SECTION_HEADER {
  char Name[8];
  uint32_t VirtualSize;
  uint32_t VirtualAddress;
  uint32_t SizeOfRawData;
  uint32_t PointerToRawData;
  uint32_t PointerToRelocations;
  uint32_t PointerToLinenumbers;
  uint16_t NumberOfRelocations;
  uint16_t NumberOfLinenumbers;
  uint32_t Characteristics;
};
static_assert(sizeof(IMAGE_SECTION_HEADER) == 40);

// bzelf's sections: .setup (the real-mode part past the headers), .text
// (part 5's code and read-only data, with the payload's... see
// tools/pe-header.cpp), .data.
inline constexpr uint32_t kSections = 3;

// What follows e_lfanew in a bzelf image, in one piece: the signature, the
// COFF file header, the PE32+ optional header and the section table.
struct [[gnu::packed]] PeHeader {
  uint32_t Signature;
  IMAGE_FILE_HEADER FileHeader;
  IMAGE_OPTIONAL_HEADER64 OptionalHeader;
  IMAGE_SECTION_HEADER Sections[kSections];
};
static_assert(sizeof(PeHeader) == 4 + 20 + 160 + 3 * 40);

// An entry of the certificate table (PE format, "The Attribute Certificate
// Table"): dwLength bytes from this header on, the next entry 8-byte
// aligned after it. Authenticode signatures are PKCS#7 SignedData.
struct [[gnu::packed]] WIN_CERTIFICATE {
  uint32_t dwLength;
  uint16_t wRevision;
  uint16_t wCertificateType;
};
static_assert(sizeof(WIN_CERTIFICATE) == 8);
inline constexpr uint16_t WIN_CERT_REVISION_2_0 = 0x0200;
inline constexpr uint16_t WIN_CERT_TYPE_PKCS_SIGNED_DATA = 0x0002;

// UEFI loads sections at 4 KiB granularity (page protections apply per
// page), and a file offset equal to the RVA lets the firmware's copy of the
// image be the file as it is. FileAlignment is the PE specification's
// default.
inline constexpr uint32_t kSectionAlignment = 0x1000;
inline constexpr uint32_t kFileAlignment = 0x200;

}  // namespace bzelf::pe
