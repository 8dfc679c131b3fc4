// The PE/COFF header that makes a bzelf image a UEFI application (issue 15,
// "The header"), and reading it back. Laid out as Linux has done since 6.7
// (arch/x86/boot/header.S, setup.ld, tools/build.c), facts not code:
//
//   [0, 0x1000)                  headers: the boot sector with "MZ",
//                                e_lfanew and the PE header, and the
//                                setup's first sectors (SizeOfHeaders)
//   .setup [0x1000, part5)       the rest of the real-mode setup; read only
//   .text  [part5, data)         part 5's code and read-only data; R+X
//   .data  [data, end of file)   part 5's data, the payload, the built-in
//                                command line and the CRC; R+W, its
//                                VirtualSize reaching over the arena
//
// File offset equals RVA for every section (SectionAlignment 4 KiB, so
// part 5 and its data start on 4 KiB boundaries), the sections cover
// every byte after the headers up to the end of the file, no section is
// both writable and executable, and SizeOfImage covers the arena the stage
// uses past the file (init_size), so a firmware's copy of the image is all
// the memory the stub needs.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "info-tree.h"
#include "pe.h"

namespace bzelf {

struct PeLayout {
  uint32_t part5_offset;  // in the file; a multiple of 4 KiB
  uint32_t data_offset;   // part 5's writable data, from part 5; ditto
  uint32_t file_size;     // a multiple of 512
  uint32_t memory_size;   // part 5 and its arena, from part 5 (init_size)
  uint32_t entry;         // efi_pe_entry from part 5, or 0: no EFI entry yet
  // CRC32 of part 5 (code, parameters, command line, payload), written
  // into TimeDateStamp, which no loader reads (the PE format spec calls it
  // informational): it makes sector 0 tell images apart for the boot
  // sector's drive probe (boot/header.S).
  uint32_t stamp;
};

// The header for `layout`; throws ToolError naming `name` when the layout
// breaks a rule above.
pe::PeHeader MakePeHeader(const PeLayout& layout, const std::string& name);

// The PE header of an image, when it has one ("MZ", e_lfanew inside the
// boot sector, "PE\0\0").
struct PeView {
  uint32_t offset;  // e_lfanew
  pe::PeHeader header;
};
std::optional<PeView> ReadPeHeader(std::span<const uint8_t> image);

// `bzelf info`'s "pe" object: every field a loader reads.
InfoNode PeInfo(const PeView& pe);

// A range of the file.
struct FileSpan {
  uint32_t offset;
  uint32_t bytes;
};

// The header fields that signing writes: the optional header's CheckSum
// and the certificate table's data directory entry. Authenticode leaves
// exactly these (and the table itself) out of the image's hash
// (Microsoft's "Windows Authenticode Portable Executable Signature
// Format", "Calculating the PE Image Hash"); sbsign fills both in.
std::array<FileSpan, 2> SigningFields(const PeView& pe);

// The certificate table (the signatures), where its data directory entry
// puts it: a file offset, not an RVA (PE format, "The Attribute
// Certificate Table"). None when the entry is empty: an unsigned image.
std::optional<FileSpan> CertificateTable(const PeView& pe);

}  // namespace bzelf
