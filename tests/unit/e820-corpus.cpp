// A corpus of real machines' E820 maps, for host tests of everything that
// reads a memory map: each map as Linux printed it at boot, copied verbatim
// from a public dmesg log, bug report or mailing-list message, with its
// source. Fixtures invented by hand test what their author thought of;
// these test what firmware, hypervisors and loaders actually hand over:
// the ISA hole, dozens of small holes, unaligned ends, RAM above 1 TiB,
// types nobody has a name for, maps from Xen and coreboot.
//
// What Linux prints is the firmware's map after Linux sorted it and merged
// overlapping and adjacent entries of one type (e820__update_table in
// arch/x86/kernel/e820.c), and so are its later maps (Xen's, "user",
// "reserve setup_data"). So a printed map never shows the adjacent usable
// entries firmware often reports, except the "reserve setup_data" one:
// there Linux has retyped its setup_data E820_TYPE_RESERVED_KERN, which
// prints as "usable" like the RAM around it. The "-setup-data" entries are
// such maps, kept for their adjacent usable entries.
//
// Adding a machine:
//  - take the lines from a log you can link to, from the "physical RAM
//    map:" header to the last map line, exactly as they stand, prefixes
//    and all; never fix, shorten or reorder them. A map cut short in the
//    source does not go in.
//  - above the entry, say what machine it is, where in the source the lines
//    are (line numbers, or which message or attachment) and the date;
//    source_url is where the lines were read: a commit-pinned file, or a
//    message by its Message-ID.
//  - give it a kebab-case name and a kind from kE820MachineKinds, and say in
//    its note what the map has that others do not.
//  - add its entry count, counted by hand from the lines, to the table in
//    e820-corpus-test.cpp.

#include "e820-corpus.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bzelf::testing {

namespace {

using linuxboot::e820_entry;

// What Linux prints before a map line: "BIOS-e820", or "BIOS-e801" and
// "BIOS-88" when it had no E820 map and built one from those calls
// (arch/x86/kernel/e820.c); "Xen" for a PV guest's map
// (arch/x86/xen/setup.c); "user" for the map after memmap=/mem=; "reserve
// setup_data" for the map with setup_data split out of RAM.
constexpr std::string_view kTags[] = {
    "BIOS-e820: ", "BIOS-e801: ", "BIOS-88: ", "Xen: ", "user: ", "reserve setup_data: ",
};

// Linux's names for the types (e820_print_type in arch/x86/kernel/e820.c).
// E820_TYPE_RESERVED_KERN, which covers setup_data, prints as "usable" too,
// so such ranges read back as RAM, which is what they were in the
// firmware's map.
struct TypeWord {
  std::string_view word;
  uint32_t type;
};
constexpr TypeWord kTypeWords[] = {
    {"usable", linuxboot::E820_TYPE_RAM},
    {"reserved", linuxboot::E820_TYPE_RESERVED},
    {"ACPI data", linuxboot::E820_TYPE_ACPI},
    {"ACPI NVS", linuxboot::E820_TYPE_NVS},
    {"unusable", linuxboot::E820_TYPE_UNUSABLE},
    {"soft reserved", linuxboot::E820_TYPE_SOFT_RESERVED},
};

bool Consume(std::string_view& s, std::string_view prefix) {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

// Exactly 16 hex digits: Linux prints addresses zero-padded to 16 ("%016Lx",
// "%#018Lx"), so a digit lost or doubled in a fixture is caught here.
std::optional<uint64_t> Hex16(std::string_view& s) {
  if (s.size() < 16) return std::nullopt;
  uint64_t v = 0;
  for (char c : s.substr(0, 16)) {
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) return std::nullopt;
    v = v << 4 | static_cast<uint64_t>(d);
  }
  s.remove_prefix(16);
  return v;
}

std::optional<uint32_t> Decimal(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(v);
}

// "type N": Linux's fallback for a type it has no name for.
std::optional<uint32_t> TypeNumber(std::string_view s) {
  if (!Consume(s, "type ")) return std::nullopt;
  return Decimal(s);
}

std::optional<uint32_t> TypeWordValue(std::string_view s) {
  for (const TypeWord& w : kTypeWords) {
    if (s == w.word) return w.type;
  }
  return std::nullopt;
}

// The type as the [mem ...] form prints it: a bare word, "persistent (type
// N)" or "type N".
std::optional<uint32_t> InclusiveFormType(std::string_view s) {
  if (auto t = TypeWordValue(s)) return t;
  if (Consume(s, "persistent (type ")) {
    if (!s.ends_with(")")) return std::nullopt;
    return Decimal(s.substr(0, s.size() - 1));
  }
  return TypeNumber(s);
}

// The type as the old form prints it: "(word)" or a bare "type N".
std::optional<uint32_t> ExclusiveFormType(std::string_view s) {
  if (s.starts_with("(") && s.ends_with(")")) return TypeWordValue(s.substr(1, s.size() - 2));
  return TypeNumber(s);
}

// Reads one map line from just after its tag; returns what is wrong, or
// nothing when `entry` was filled in.
std::optional<std::string> ReadEntry(std::string_view s, e820_entry& entry) {
  uint64_t start = 0;
  uint64_t size = 0;
  std::optional<uint32_t> type;
  if (Consume(s, "[mem 0x")) {
    // The form Linux prints today: "[mem 0x<first>-0x<last>] <type>", the
    // last byte included.
    auto first = Hex16(s);
    if (!first || !Consume(s, "-0x")) return "bad start of a [mem ...] range";
    auto last = Hex16(s);
    if (!last || !Consume(s, "] ")) return "bad end of a [mem ...] range";
    if (*last < *first) return "range ends before it starts";
    if (*last - *first == UINT64_MAX) return "range covers all 2^64 bytes";
    start = *first;
    size = *last - *first + 1;
    type = InclusiveFormType(s);
  } else {
    // The older form: "<start> - <end> (<type>)", the end excluded.
    auto first = Hex16(s);
    if (!first || !Consume(s, " - ")) return "bad start of a <start> - <end> range";
    auto end = Hex16(s);
    if (!end || !Consume(s, " ")) return "bad end of a <start> - <end> range";
    if (*end <= *first) return "range ends before it starts, or is empty";
    start = *first;
    size = *end - *first;
    type = ExclusiveFormType(s);
  }
  if (!type) return "unknown type \"" + std::string(s) + "\"";
  entry = {start, size, *type};
  return std::nullopt;
}

}  // namespace

std::optional<std::vector<e820_entry>> ParseDmesgE820(std::string_view text, std::string* error) {
  std::vector<e820_entry> entries;
  int line_number = 0;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
    ++line_number;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (line.ends_with("physical RAM map:")) continue;

    // The earliest tag on the line; what comes before it (timestamps, a
    // syslog host, mail quoting) is not part of the map.
    size_t tag_at = std::string_view::npos;
    std::string_view tag;
    for (std::string_view t : kTags) {
      size_t at = line.find(t);
      if (at < tag_at) {
        tag_at = at;
        tag = t;
      }
    }
    std::optional<std::string> problem;
    e820_entry entry{};
    if (tag_at == std::string_view::npos) {
      problem = "no map tag (BIOS-e820:, Xen:, ...)";
    } else {
      problem = ReadEntry(line.substr(tag_at + tag.size()), entry);
    }
    if (problem) {
      if (error != nullptr) {
        *error = "line " + std::to_string(line_number) + ": " + *problem + ": " + std::string(line);
      }
      return std::nullopt;
    }
    entries.push_back(entry);
  }
  return entries;
}

namespace {

// clang-format off
constexpr E820Machine kMachines[] = {
    // A Cyrix 6x86MX PC (ALi Aladdin IV board, 192 MiB), Linux 2.4.23. Linux kernel mailing
    // list, "Oops with 2.4.23", Arnaud Fontaine, 18 Dec 2003: the map under "--------------
    // dmesg".
    {
        "cyrix-6x86mx",
        "isa-hole",
        "https://lore.kernel.org/all/20031218085621.GA8283@scrappy/",
        "The 15-16 MiB ISA hole reserved; 192 MiB and nothing above; older exclusive-end "
        "form.",
        R"e820(
BIOS-provided physical RAM map:
 BIOS-e820: 0000000000000000 - 00000000000a0000 (usable)
 BIOS-e820: 00000000000f0000 - 0000000000100000 (reserved)
 BIOS-e820: 0000000000100000 - 0000000000f00000 (usable)
 BIOS-e820: 0000000000f00000 - 0000000001000000 (reserved)
 BIOS-e820: 0000000001000000 - 000000000bffc000 (usable)
 BIOS-e820: 000000000bffc000 - 000000000bfff000 (ACPI data)
 BIOS-e820: 000000000bfff000 - 000000000c000000 (ACPI NVS)
 BIOS-e820: 00000000ffff0000 - 0000000100000000 (reserved)
)e820",
    },
    // TYAN Tiger MPX S2466, two Athlon MP, 512 MiB, Linux 2.4.19-pre10-ac1. Linux kernel
    // mailing list, "[2.4.19-pre10-ac1] SMP board (AMD 768) fails to initalise 64-bit PCI-
    // irqs", Jaap Verhoeven, 19 Jun 2002: the dmesg "With netRAID 2m".
    {
        "tyan-tiger-mpx",
        "isa-hole",
        "https://lore.kernel.org/all/200206191242.28493.jaap@gonzo.kelder.net/",
        "The 15-16 MiB ISA hole reserved; IOAPIC and LAPIC pages reserved; 512 MiB; older "
        "form.",
        R"e820(
BIOS-provided physical RAM map:
 BIOS-e820: 0000000000000000 - 000000000009f400 (usable)
 BIOS-e820: 000000000009f400 - 00000000000a0000 (reserved)
 BIOS-e820: 00000000000ca000 - 0000000000100000 (reserved)
 BIOS-e820: 0000000000100000 - 0000000000f00000 (usable)
 BIOS-e820: 0000000000f00000 - 0000000001000000 (reserved)
 BIOS-e820: 0000000001000000 - 000000001ff80000 (usable)
 BIOS-e820: 000000001ff80000 - 0000000020000000 (reserved)
 BIOS-e820: 00000000fec00000 - 00000000fec04000 (reserved)
 BIOS-e820: 00000000fee00000 - 00000000fee01000 (reserved)
 BIOS-e820: 00000000fff80000 - 0000000100000000 (reserved)
)e820",
    },
    // Lenovo ThinkPad X240 (20AL008EUK), BIOS GIET69WW 02/06/2014, Linux 3.13.6 (Arch): lines
    // 6-24 of dmesg; file last changed 10 Apr 2014.
    {
        "thinkpad-x240",
        "laptop",
        "https://github.com/IgnoredAmbience/x240/blob/13e1a8c807fdc1d08bab6832e574b5621f8d4441/dmesg",
        "UEFI boot through GRUB: \"type 20\" is what GRUB gives EFI runtime-services code "
        "(GRUB_MEMORY_CODE, GRUB's include/grub/memory.h; the log's EFI map has type 5 "
        "there); RAM above 4 GiB.",
        R"e820(
[    0.000000] e820: BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x0000000000057fff] usable
[    0.000000] BIOS-e820: [mem 0x0000000000058000-0x0000000000058fff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000059000-0x000000000008bfff] usable
[    0.000000] BIOS-e820: [mem 0x000000000008c000-0x00000000000bffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000000e0000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x00000000cfdc3fff] usable
[    0.000000] BIOS-e820: [mem 0x00000000cfdc4000-0x00000000cffc5fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000cffc6000-0x00000000da43afff] usable
[    0.000000] BIOS-e820: [mem 0x00000000da43b000-0x00000000da63afff] type 20
[    0.000000] BIOS-e820: [mem 0x00000000da63b000-0x00000000dcd3efff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000dcd3f000-0x00000000dce7efff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x00000000dce7f000-0x00000000dcefefff] ACPI data
[    0.000000] BIOS-e820: [mem 0x00000000dceff000-0x00000000dcefffff] usable
[    0.000000] BIOS-e820: [mem 0x00000000dcf00000-0x00000000df9fffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000f80f8000-0x00000000f80f8fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fe101000-0x00000000fe112fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed1c000-0x00000000fed1ffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000021e5fffff] usable
)e820",
    },
    // Lenovo ThinkPad T400 (6475GE2), BIOS 7UET56WW 01/09/2009, Linux 3.13 (Trisquel): lines
    // 11-39 of T400/dmesg.log; file last changed 22 Aug 2015.
    {
        "thinkpad-t400",
        "laptop",
        "https://github.com/cmotc/m11x_hwinfo/blob/8cf210aea10a8c5269a97cf6e0d0f01f55352feb/T400/dmesg.log",
        "28 entries, ACPI NVS, ACPI data and reserved pieces interleaved below 3 GiB; a "
        "reserved range ending at 0xfed003ff, off a page boundary; no RAM above 4 GiB.",
        R"e820(
[    0.000000] e820: BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009ebff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009ec00-0x000000000009ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000000dc000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x00000000bc6a0fff] usable
[    0.000000] BIOS-e820: [mem 0x00000000bc6a1000-0x00000000bc6a6fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000bc6a7000-0x00000000bc7b6fff] usable
[    0.000000] BIOS-e820: [mem 0x00000000bc7b7000-0x00000000bc80efff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000bc80f000-0x00000000bc8c6fff] usable
[    0.000000] BIOS-e820: [mem 0x00000000bc8c7000-0x00000000bc8d1fff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x00000000bc8d2000-0x00000000bc8d4fff] ACPI data
[    0.000000] BIOS-e820: [mem 0x00000000bc8d5000-0x00000000bc8d8fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000bc8d9000-0x00000000bc8dcfff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x00000000bc8dd000-0x00000000bc8dffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000bc8e0000-0x00000000bc906fff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x00000000bc907000-0x00000000bc907fff] ACPI data
[    0.000000] BIOS-e820: [mem 0x00000000bc908000-0x00000000bcb0efff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000bcb0f000-0x00000000bcb9efff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x00000000bcb9f000-0x00000000bcbfefff] ACPI data
[    0.000000] BIOS-e820: [mem 0x00000000bcbff000-0x00000000bcbfffff] usable
[    0.000000] BIOS-e820: [mem 0x00000000bcc00000-0x00000000beffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000e0000000-0x00000000efffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fec00000-0x00000000fec0ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed00000-0x00000000fed003ff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed10000-0x00000000fed13fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed18000-0x00000000fed19fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed1c000-0x00000000fed8ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fee00000-0x00000000fee00fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000ff800000-0x00000000ffffffff] reserved
)e820",
    },
    // Lenovo IdeaPad 320-15IKB (80XL), BIOS 4WCN47WW 06/30/2020: lines 11-36 of dmesg; file
    // last changed 18 Jan 2023.
    {
        "ideapad-320",
        "laptop",
        "https://github.com/kyrylo-sovailo/ideapad320_15ikb_defconfig/blob/15d9a284b5e4d7e895bdb66bf8f1ae26d8843636/dmesg",
        "25 entries; \"type 20\" (GRUB's EFI runtime code); a single usable page at 0x6fffe000 "
        "between ACPI data and reserved; RAM above 4 GiB.",
        R"e820(
[    0.000000] BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x0000000000057fff] usable
[    0.000000] BIOS-e820: [mem 0x0000000000058000-0x0000000000058fff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000059000-0x000000000009dfff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009e000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x0000000056956fff] usable
[    0.000000] BIOS-e820: [mem 0x0000000056957000-0x0000000056957fff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x0000000056958000-0x0000000056958fff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000056959000-0x0000000058387fff] usable
[    0.000000] BIOS-e820: [mem 0x0000000058388000-0x0000000058c87fff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000058c88000-0x000000006ee9dfff] usable
[    0.000000] BIOS-e820: [mem 0x000000006ee9e000-0x000000006f09dfff] type 20
[    0.000000] BIOS-e820: [mem 0x000000006f09e000-0x000000006f88dfff] reserved
[    0.000000] BIOS-e820: [mem 0x000000006f88e000-0x000000006ff7dfff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x000000006ff7e000-0x000000006fffdfff] ACPI data
[    0.000000] BIOS-e820: [mem 0x000000006fffe000-0x000000006fffefff] usable
[    0.000000] BIOS-e820: [mem 0x000000006ffff000-0x000000007affffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000e0000000-0x00000000efffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fd000000-0x00000000fe7fffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fec00000-0x00000000fec00fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed00000-0x00000000fed00fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed10000-0x00000000fed19fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed84000-0x00000000fed84fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fee00000-0x00000000fee00fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000ffa10000-0x00000000ffffffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x0000000283ffffff] usable
)e820",
    },
    // Dell Inspiron 1545, BIOS A05 02/25/2009, Linux 3.16 (Ubuntu 14.04): lines 10-22 of
    // i1545/dmesg.log; file last changed 25 Nov 2015.
    {
        "dell-inspiron-1545",
        "laptop",
        "https://github.com/cmotc/m11x_hwinfo/blob/8cf210aea10a8c5269a97cf6e0d0f01f55352feb/i1545/dmesg.log",
        "ACPI NVS at 0xbdabf400-0xbdac13ff, not page aligned, between RAM and a reserved "
        "block; no RAM above 4 GiB.",
        R"e820(
[    0.000000] e820: BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009efff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009f000-0x000000000009ffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x00000000bdabf3ff] usable
[    0.000000] BIOS-e820: [mem 0x00000000bdabf400-0x00000000bdac13ff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x00000000bdac1400-0x00000000bfffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000f8000000-0x00000000fbffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fec00000-0x00000000fec0ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed18000-0x00000000fed1bfff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed20000-0x00000000fed8ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000feda0000-0x00000000feda5fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fee00000-0x00000000fee0ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000ffe00000-0x00000000ffffffff] reserved
)e820",
    },
    // Alienware M11x (0VWGCV), BIOS A01 01/20/2010, Linux 3.16 (Debian 8): lines 6-24 of
    // M11x/dmesg.log; file last changed 22 Aug 2015.
    {
        "alienware-m11x",
        "laptop",
        "https://github.com/cmotc/m11x_hwinfo/blob/8cf210aea10a8c5269a97cf6e0d0f01f55352feb/M11x/dmesg.log",
        "RAM in eight pieces between small reserved, ACPI NVS and ACPI data holes below 2.5 "
        "GiB; RAM above 4 GiB.",
        R"e820(
[    0.000000] e820: BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009f3ff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009f400-0x000000000009ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000000d2000-0x00000000000d3fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000000d8000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x0000000099aa0fff] usable
[    0.000000] BIOS-e820: [mem 0x0000000099aa1000-0x0000000099aa6fff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000099aa7000-0x0000000099bbbfff] usable
[    0.000000] BIOS-e820: [mem 0x0000000099bbc000-0x0000000099c0efff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000099c0f000-0x0000000099d07fff] usable
[    0.000000] BIOS-e820: [mem 0x0000000099d08000-0x0000000099f0efff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000099f0f000-0x0000000099f18fff] usable
[    0.000000] BIOS-e820: [mem 0x0000000099f19000-0x0000000099f1efff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000099f1f000-0x0000000099f52fff] usable
[    0.000000] BIOS-e820: [mem 0x0000000099f53000-0x0000000099f9efff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x0000000099f9f000-0x0000000099fe4fff] usable
[    0.000000] BIOS-e820: [mem 0x0000000099fe5000-0x0000000099ffefff] ACPI data
[    0.000000] BIOS-e820: [mem 0x0000000099fff000-0x0000000099ffffff] usable
[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000015fffffff] usable
)e820",
    },
    // Supermicro AS-4125GS-TNRT (H13DSG-O-CPU), two AMD EPYC, BIOS 3.2 11/21/2024, Rocky Linux
    // 9 kernel 5.14, UEFI: lines 4-42 of dmesg.txt; file last changed 4 Jul 2025.
    {
        "supermicro-h13dsg",
        "server",
        "https://github.com/clu6/supermicro/blob/3e4f1cb79f35c1aceeb88587aa5a9dcf6c78a0a6/dmesg.txt",
        "38 entries; about 1.5 TiB of RAM split around a reserved 0xfc50000000-0xffffffffff "
        "just under 1 TiB (AMD's HyperTransport hole); many reserved 4 KiB MMIO pages below 4"
        " GiB; a reserved range just under 64 TiB.",
        R"e820(
[    0.000000] BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009ffff] usable
[    0.000000] BIOS-e820: [mem 0x00000000000a0000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x0000000075cfffff] usable
[    0.000000] BIOS-e820: [mem 0x0000000075d00000-0x0000000075da7fff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x0000000075da8000-0x0000000075dfffff] usable
[    0.000000] BIOS-e820: [mem 0x0000000075e00000-0x0000000075ffffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000076000000-0x000000009e1fafff] usable
[    0.000000] BIOS-e820: [mem 0x000000009e1fb000-0x00000000a379bfff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000a379c000-0x00000000a3a34fff] ACPI data
[    0.000000] BIOS-e820: [mem 0x00000000a3a35000-0x00000000a400efff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x00000000a400f000-0x00000000a5bfefff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000a5bff000-0x00000000a7ffcfff] usable
[    0.000000] BIOS-e820: [mem 0x00000000a7ffd000-0x00000000afffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000b4180000-0x00000000b4180fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000b5280000-0x00000000b5280fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000c2180000-0x00000000c2180fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000c3200000-0x00000000c3400fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000d0180000-0x00000000d0180fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000d1200000-0x00000000d12fffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000d1500000-0x00000000d1500fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000e0000000-0x00000000efffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000f4180000-0x00000000f4180fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000f5180000-0x00000000f5180fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fea00000-0x00000000feafffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fec00000-0x00000000fec00fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fec10000-0x00000000fec10fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed00000-0x00000000fed00fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed40000-0x00000000fed44fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed80000-0x00000000fed8ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fedc0000-0x00000000fedc0fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fedc2000-0x00000000fedc8fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fee00000-0x00000000feefffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000ff000000-0x00000000ffffffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000fc4fffffff] usable
[    0.000000] BIOS-e820: [mem 0x000000fc50000000-0x000000ffffffffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000010000000000-0x00000183fd0bffff] usable
[    0.000000] BIOS-e820: [mem 0x00000183fd0c0000-0x00000183ffffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00003ffc00000000-0x00003ffc03ffffff] reserved
)e820",
    },
    // The same Supermicro AS-4125GS-TNRT boot: lines 53-107 of dmesg.txt.
    {
        "supermicro-h13dsg-setup-data",
        "server",
        "https://github.com/clu6/supermicro/blob/3e4f1cb79f35c1aceeb88587aa5a9dcf6c78a0a6/dmesg.txt",
        "Not the firmware's map but the same boot's \"extended physical RAM map\": Linux split "
        "RAM at its setup_data nodes and printed every piece as usable, so "
        "0x76000000-0x9e1fafff is 17 adjacent usable entries with unaligned ends. Linux "
        "sanitizes the firmware's map (merging adjacent entries of one type) before printing "
        "it, so this kind of map is how adjacent usable entries reach a dmesg.",
        R"e820(
[    0.000000] extended physical RAM map:
[    0.000000] reserve setup_data: [mem 0x0000000000000000-0x000000000009ffff] usable
[    0.000000] reserve setup_data: [mem 0x00000000000a0000-0x00000000000fffff] reserved
[    0.000000] reserve setup_data: [mem 0x0000000000100000-0x0000000075cfffff] usable
[    0.000000] reserve setup_data: [mem 0x0000000075d00000-0x0000000075da7fff] ACPI NVS
[    0.000000] reserve setup_data: [mem 0x0000000075da8000-0x0000000075dfffff] usable
[    0.000000] reserve setup_data: [mem 0x0000000075e00000-0x0000000075ffffff] reserved
[    0.000000] reserve setup_data: [mem 0x0000000076000000-0x0000000091095017] usable
[    0.000000] reserve setup_data: [mem 0x0000000091095018-0x00000000910c3457] usable
[    0.000000] reserve setup_data: [mem 0x00000000910c3458-0x00000000910c4017] usable
[    0.000000] reserve setup_data: [mem 0x00000000910c4018-0x00000000910fc857] usable
[    0.000000] reserve setup_data: [mem 0x00000000910fc858-0x00000000910fd017] usable
[    0.000000] reserve setup_data: [mem 0x00000000910fd018-0x0000000091135857] usable
[    0.000000] reserve setup_data: [mem 0x0000000091135858-0x0000000091187017] usable
[    0.000000] reserve setup_data: [mem 0x0000000091187018-0x00000000911b7e57] usable
[    0.000000] reserve setup_data: [mem 0x00000000911b7e58-0x00000000911b8017] usable
[    0.000000] reserve setup_data: [mem 0x00000000911b8018-0x00000000911e8e57] usable
[    0.000000] reserve setup_data: [mem 0x00000000911e8e58-0x0000000091259017] usable
[    0.000000] reserve setup_data: [mem 0x0000000091259018-0x0000000091269057] usable
[    0.000000] reserve setup_data: [mem 0x0000000091269058-0x00000000924d6017] usable
[    0.000000] reserve setup_data: [mem 0x00000000924d6018-0x00000000924e2c57] usable
[    0.000000] reserve setup_data: [mem 0x00000000924e2c58-0x00000000924e3017] usable
[    0.000000] reserve setup_data: [mem 0x00000000924e3018-0x00000000924efc57] usable
[    0.000000] reserve setup_data: [mem 0x00000000924efc58-0x000000009e1fafff] usable
[    0.000000] reserve setup_data: [mem 0x000000009e1fb000-0x00000000a379bfff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000a379c000-0x00000000a3a34fff] ACPI data
[    0.000000] reserve setup_data: [mem 0x00000000a3a35000-0x00000000a400efff] ACPI NVS
[    0.000000] reserve setup_data: [mem 0x00000000a400f000-0x00000000a5bfefff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000a5bff000-0x00000000a7ffcfff] usable
[    0.000000] reserve setup_data: [mem 0x00000000a7ffd000-0x00000000afffffff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000b4180000-0x00000000b4180fff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000b5280000-0x00000000b5280fff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000c2180000-0x00000000c2180fff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000c3200000-0x00000000c3400fff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000d0180000-0x00000000d0180fff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000d1200000-0x00000000d12fffff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000d1500000-0x00000000d1500fff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000e0000000-0x00000000efffffff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000f4180000-0x00000000f4180fff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000f5180000-0x00000000f5180fff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000fea00000-0x00000000feafffff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000fec00000-0x00000000fec00fff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000fec10000-0x00000000fec10fff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000fed00000-0x00000000fed00fff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000fed40000-0x00000000fed44fff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000fed80000-0x00000000fed8ffff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000fedc0000-0x00000000fedc0fff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000fedc2000-0x00000000fedc8fff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000fee00000-0x00000000feefffff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000ff000000-0x00000000ffffffff] reserved
[    0.000000] reserve setup_data: [mem 0x0000000100000000-0x000000fc4fffffff] usable
[    0.000000] reserve setup_data: [mem 0x000000fc50000000-0x000000ffffffffff] reserved
[    0.000000] reserve setup_data: [mem 0x0000010000000000-0x00000183fd0bffff] usable
[    0.000000] reserve setup_data: [mem 0x00000183fd0c0000-0x00000183ffffffff] reserved
[    0.000000] reserve setup_data: [mem 0x00003ffc00000000-0x00003ffc03ffffff] reserved
)e820",
    },
    // Supermicro X8SIE, BIOS 1.0c 05/27/2010, Linux 4.4 (Ubuntu 16.04): lines 12-25 of
    // dmesg.txt; file last changed 27 Apr 2018.
    {
        "supermicro-x8sie",
        "server",
        "https://github.com/biswajyoti2607/7.NVM-Performance/blob/a32d1a5940c9c6ff5f72a83e9e9679dfbef8aea9/dmesg.txt",
        "A \"type 9\" entry (a type Linux has no name for) just under 3 GiB; gaps between "
        "reserved entries; 16 GiB.",
        R"e820(
[    0.000000] e820: BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009ebff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009ec00-0x000000000009ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000000e0000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x00000000bf78ffff] usable
[    0.000000] BIOS-e820: [mem 0x00000000bf79e000-0x00000000bf79ffff] type 9
[    0.000000] BIOS-e820: [mem 0x00000000bf7a0000-0x00000000bf7adfff] ACPI data
[    0.000000] BIOS-e820: [mem 0x00000000bf7ae000-0x00000000bf7cffff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x00000000bf7d0000-0x00000000bf7dffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000bf7ed000-0x00000000bfffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000e0000000-0x00000000efffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed20000-0x00000000fed3ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fee00000-0x00000000fee00fff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000043fffffff] usable
)e820",
    },
    // The same Supermicro X8SIE boot: lines 27-42 of dmesg.txt.
    {
        "supermicro-x8sie-memmap",
        "other",
        "https://github.com/biswajyoti2607/7.NVM-Performance/blob/a32d1a5940c9c6ff5f72a83e9e9679dfbef8aea9/dmesg.txt",
        "Not the firmware's map: Linux's \"user-defined\" map after memmap=8G!8G, which turned "
        "8-16 GiB into persistent (type 12). No public log of a firmware map with type 7 or "
        "12 was found; this is what a kernel booted with that option hands on (kexec).",
        R"e820(
[    0.000000] e820: user-defined physical RAM map:
[    0.000000] user: [mem 0x0000000000000000-0x000000000009ebff] usable
[    0.000000] user: [mem 0x000000000009ec00-0x000000000009ffff] reserved
[    0.000000] user: [mem 0x00000000000e0000-0x00000000000fffff] reserved
[    0.000000] user: [mem 0x0000000000100000-0x00000000bf78ffff] usable
[    0.000000] user: [mem 0x00000000bf79e000-0x00000000bf79ffff] type 9
[    0.000000] user: [mem 0x00000000bf7a0000-0x00000000bf7adfff] ACPI data
[    0.000000] user: [mem 0x00000000bf7ae000-0x00000000bf7cffff] ACPI NVS
[    0.000000] user: [mem 0x00000000bf7d0000-0x00000000bf7dffff] reserved
[    0.000000] user: [mem 0x00000000bf7ed000-0x00000000bfffffff] reserved
[    0.000000] user: [mem 0x00000000e0000000-0x00000000efffffff] reserved
[    0.000000] user: [mem 0x00000000fed20000-0x00000000fed3ffff] reserved
[    0.000000] user: [mem 0x00000000fee00000-0x00000000fee00fff] reserved
[    0.000000] user: [mem 0x0000000100000000-0x00000001ffffffff] usable
[    0.000000] user: [mem 0x0000000200000000-0x00000003ffffffff] persistent (type 12)
[    0.000000] user: [mem 0x0000000400000000-0x000000043fffffff] usable
)e820",
    },
    // Dell PowerEdge R7625 (two AMD EPYC), BIOS 1.8.3 04/02/2024, Linux 6.12-rc2, UEFI. Linux
    // kernel mailing list, "Re: AMD zen microcode updates breaks boot", Jens Axboe, 19 Oct
    // 2024: the full boot output in the message body.
    {
        "poweredge-r7625",
        "server",
        "https://lore.kernel.org/all/436b4fc7-6369-40d9-8e88-556cbf5a5687@kernel.dk/",
        "46 entries: ACPI NVS inside the first 640 KiB, reserved 16 MiB MMIO blocks below 4 "
        "GiB, RAM in pieces of about 96 GiB split by small reserved ranges, reserved MMIO "
        "above 1 TiB.",
        R"e820(
BIOS-provided physical RAM map:
BIOS-e820: [mem 0x0000000000000000-0x000000000008efff] usable
BIOS-e820: [mem 0x000000000008f000-0x000000000008ffff] ACPI NVS
BIOS-e820: [mem 0x0000000000090000-0x000000000009ffff] usable
BIOS-e820: [mem 0x0000000000100000-0x0000000059cccfff] usable
BIOS-e820: [mem 0x0000000059ccd000-0x0000000059ccffff] reserved
BIOS-e820: [mem 0x0000000059cd0000-0x00000000677cefff] usable
BIOS-e820: [mem 0x00000000677cf000-0x000000006dfcefff] reserved
BIOS-e820: [mem 0x000000006dfcf000-0x000000006edfefff] ACPI NVS
BIOS-e820: [mem 0x000000006edff000-0x000000006effefff] ACPI data
BIOS-e820: [mem 0x000000006efff000-0x000000006effffff] usable
BIOS-e820: [mem 0x000000006f000000-0x000000006fffffff] ACPI NVS
BIOS-e820: [mem 0x0000000070000000-0x000000008fffffff] reserved
BIOS-e820: [mem 0x000000009c000000-0x000000009cffffff] reserved
BIOS-e820: [mem 0x00000000a9000000-0x00000000a9ffffff] reserved
BIOS-e820: [mem 0x00000000b6000000-0x00000000b6ffffff] reserved
BIOS-e820: [mem 0x00000000c3000000-0x00000000c3ffffff] reserved
BIOS-e820: [mem 0x00000000d0000000-0x00000000d0ffffff] reserved
BIOS-e820: [mem 0x00000000dd000000-0x00000000ddffffff] reserved
BIOS-e820: [mem 0x00000000ea000000-0x00000000eaffffff] reserved
BIOS-e820: [mem 0x00000000fd000000-0x00000000ffffffff] reserved
BIOS-e820: [mem 0x0000000100000000-0x000000187fdfffff] usable
BIOS-e820: [mem 0x000000187fe00000-0x000000187fffffff] reserved
BIOS-e820: [mem 0x0000001880000000-0x000000307fdfffff] usable
BIOS-e820: [mem 0x000000307fe00000-0x000000307fffffff] reserved
BIOS-e820: [mem 0x0000003080000000-0x000000487fdfffff] usable
BIOS-e820: [mem 0x000000487fe00000-0x000000487fffffff] reserved
BIOS-e820: [mem 0x0000004880000000-0x000000607edfffff] usable
BIOS-e820: [mem 0x000000607ee00000-0x000000607fffffff] reserved
BIOS-e820: [mem 0x0000006080000000-0x000000787fdfffff] usable
BIOS-e820: [mem 0x000000787fe00000-0x000000787fffffff] reserved
BIOS-e820: [mem 0x0000007880000000-0x000000907fdfffff] usable
BIOS-e820: [mem 0x000000907fe00000-0x000000907fffffff] reserved
BIOS-e820: [mem 0x0000009080000000-0x000000a87fdfffff] usable
BIOS-e820: [mem 0x000000a87fe00000-0x000000a87fffffff] reserved
BIOS-e820: [mem 0x000000a880000000-0x000000c07e7bffff] usable
BIOS-e820: [mem 0x000000c07e7c0000-0x000000c07fbfffff] reserved
BIOS-e820: [mem 0x000000c07fc00000-0x000000c07fcfffff] usable
BIOS-e820: [mem 0x000000c07fd00000-0x000000c07fffffff] reserved
BIOS-e820: [mem 0x0000010000000000-0x00000100201fffff] reserved
BIOS-e820: [mem 0x000001dfa0000000-0x000001dfc01fffff] reserved
BIOS-e820: [mem 0x000002bf40000000-0x000002bf601fffff] reserved
BIOS-e820: [mem 0x0000039ee0000000-0x0000039f001fffff] reserved
BIOS-e820: [mem 0x0000047e80000000-0x0000047ea01fffff] reserved
BIOS-e820: [mem 0x0000055e20000000-0x0000055e401fffff] reserved
BIOS-e820: [mem 0x0000063dc0000000-0x0000063de01fffff] reserved
BIOS-e820: [mem 0x0000071d60000000-0x0000071d801fffff] reserved
)e820",
    },
    // HP ProLiant DL585 G7 (AMD Opteron), BIOS A16 06/04/2013, Linux 5.19-rc2. Linux kernel
    // mailing list, "Re: Unstable tsc caused soft lockup in kdump kernel", Baoquan He, 29 Jun
    // 2022: the normal boot log it quotes.
    {
        "proliant-dl585-g7",
        "server",
        "https://lore.kernel.org/all/Yrwo%2Fpu8MPK1cFTe@MiWiFi-R3L-srv/",
        "About 1 TiB of RAM in one entry up to 0xfcfefff000; a usable page at 0xbde4e000 "
        "between ACPI data and reserved; lines as quoted in a mail (\"> \").",
        R"e820(
> [  +0.000000] BIOS-provided physical RAM map:
> [  +0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009bfff] usable
> [  +0.000000] BIOS-e820: [mem 0x000000000009c000-0x000000000009ffff] reserved
> [  +0.000000] BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved
> [  +0.000000] BIOS-e820: [mem 0x0000000000100000-0x00000000bde0dfff] usable
> [  +0.000000] BIOS-e820: [mem 0x00000000bde0e000-0x00000000bde4dfff] ACPI data
> [  +0.000000] BIOS-e820: [mem 0x00000000bde4e000-0x00000000bde4efff] usable
> [  +0.000000] BIOS-e820: [mem 0x00000000bde4f000-0x00000000cfffffff] reserved
> [  +0.000000] BIOS-e820: [mem 0x00000000fec00000-0x00000000fee0ffff] reserved
> [  +0.000000] BIOS-e820: [mem 0x00000000ff800000-0x00000000ffffffff] reserved
> [  +0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000fcfeffefff] usable
)e820",
    },
    // HP Compaq 8000 Elite USDT, BIOS 786G7 v01.02 10/22/2009, Linux 6.1: lines 9-19 of dmesg;
    // file last changed 3 Jan 2023.
    {
        "hp-compaq-8000",
        "desktop",
        "https://github.com/dfiguera/hpe8k/blob/27b4d02e12fa6aa64b2b6d15f6bdc00ed6c42ac3/dmesg",
        "Entries on 64-byte boundaries: RAM ends at 0xdd7a163f, ACPI NVS is "
        "0xdd7a1640-0xdd7a369f; a syslog host prefix on every line.",
        R"e820(
[    0.000000] lit.home.arpa kernel: BIOS-provided physical RAM map:
[    0.000000] lit.home.arpa kernel: BIOS-e820: [mem 0x0000000000000000-0x000000000009f7ff] usable
[    0.000000] lit.home.arpa kernel: BIOS-e820: [mem 0x000000000009f800-0x000000000009ffff] reserved
[    0.000000] lit.home.arpa kernel: BIOS-e820: [mem 0x00000000000e8000-0x00000000000fffff] reserved
[    0.000000] lit.home.arpa kernel: BIOS-e820: [mem 0x0000000000100000-0x00000000dd7a163f] usable
[    0.000000] lit.home.arpa kernel: BIOS-e820: [mem 0x00000000dd7a1640-0x00000000dd7a369f] ACPI NVS
[    0.000000] lit.home.arpa kernel: BIOS-e820: [mem 0x00000000dd7a36a0-0x00000000dfffffff] reserved
[    0.000000] lit.home.arpa kernel: BIOS-e820: [mem 0x00000000f4000000-0x00000000f7ffffff] reserved
[    0.000000] lit.home.arpa kernel: BIOS-e820: [mem 0x00000000fec00000-0x00000000fed3ffff] reserved
[    0.000000] lit.home.arpa kernel: BIOS-e820: [mem 0x00000000fed45000-0x00000000ffffffff] reserved
[    0.000000] lit.home.arpa kernel: BIOS-e820: [mem 0x0000000100000000-0x000000011bffffff] usable
)e820",
    },
    // HP Pavilion Gaming Desktop 690-05xx, BIOS F.42 05/28/2020: lines 19-35 of dmesg; file
    // last changed 9 Feb 2022.
    {
        "hp-pavilion-690",
        "desktop",
        "https://github.com/eli4444/askUbuntu_dmesg/blob/0b7579721cab1f189e70a2a7fc24767d2c771e13/dmesg",
        "A single usable page at 0x8dc0e000 between two reserved ranges; RAM above 4 GiB.",
        R"e820(
[    0.000000] BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009efff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009f000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x0000000089b58fff] usable
[    0.000000] BIOS-e820: [mem 0x0000000089b59000-0x0000000089fcdfff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000089fce000-0x000000008a04afff] ACPI data
[    0.000000] BIOS-e820: [mem 0x000000008a04b000-0x000000008a126fff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x000000008a127000-0x000000008dc0dfff] reserved
[    0.000000] BIOS-e820: [mem 0x000000008dc0e000-0x000000008dc0efff] usable
[    0.000000] BIOS-e820: [mem 0x000000008dc0f000-0x000000008fffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000e0000000-0x00000000efffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fe000000-0x00000000fe010fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fec00000-0x00000000fec00fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed00000-0x00000000fed03fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fee00000-0x00000000fee00fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000ff000000-0x00000000ffffffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000046dffffff] usable
)e820",
    },
    // MSI MS-7721 (FM2-A75MA-E35), BIOS V2.1 06/05/2013, Linux 4.4.5 (Arch): lines 13-33 of
    // Info/dmesg.log; file last changed 21 Jun 2016.
    {
        "msi-ms7721",
        "desktop",
        "https://github.com/renzenicolai/coreboot-dev-ms7721/blob/17fad0c197dc8be983d1fa7c08c288a06eb61b56/Info/dmesg.log",
        "RAM above 4 GiB starts at 0x100001000, a page above 4 GiB; the vendor's AMI BIOS "
        "(the log was kept for a coreboot port).",
        R"e820(
[    0.000000] e820: BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009e7ff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009e800-0x000000000009ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000000e0000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x00000000bd850fff] usable
[    0.000000] BIOS-e820: [mem 0x00000000bd851000-0x00000000bd880fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000bd881000-0x00000000bdb3ffff] usable
[    0.000000] BIOS-e820: [mem 0x00000000bdb40000-0x00000000bdbe0fff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x00000000bdbe1000-0x00000000bea23fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000bea24000-0x00000000bea24fff] usable
[    0.000000] BIOS-e820: [mem 0x00000000bea25000-0x00000000bec2afff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x00000000bec2b000-0x00000000bf071fff] usable
[    0.000000] BIOS-e820: [mem 0x00000000bf072000-0x00000000bf7f2fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000bf7f3000-0x00000000bf7fffff] usable
[    0.000000] BIOS-e820: [mem 0x00000000fec00000-0x00000000fec00fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fec10000-0x00000000fec10fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed00000-0x00000000fed00fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed40000-0x00000000fed44fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed80000-0x00000000fed8ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000ff000000-0x00000000ffffffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000100001000-0x000000010effffff] usable
)e820",
    },
    // Apple MacBookPro13,2 (2016): lines 17-40 of MacBookPro13,2/dmesg; file last changed 19
    // Apr 2017.
    {
        "macbookpro13-2",
        "mac",
        "https://github.com/Dunedan/mbp-2016-linux/blob/3da5e3f586ecd835c12d2c6a3021e66ca0934d96/MacBookPro13%2C2/dmesg",
        "23 entries; \"type 20\" (GRUB's EFI runtime code); a usable page at 0x78fff000 between"
        " ACPI data and reserved; RAM above 4 GiB.",
        R"e820(
[    0.000000] e820: BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x0000000000057fff] usable
[    0.000000] BIOS-e820: [mem 0x0000000000058000-0x0000000000058fff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000059000-0x000000000009dfff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009e000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x0000000072054fff] usable
[    0.000000] BIOS-e820: [mem 0x0000000072055000-0x00000000723a6fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000723a7000-0x0000000072e37fff] usable
[    0.000000] BIOS-e820: [mem 0x0000000072e38000-0x0000000072e38fff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x0000000072e39000-0x0000000072e62fff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000072e63000-0x000000007307dfff] usable
[    0.000000] BIOS-e820: [mem 0x000000007307e000-0x000000007307efff] reserved
[    0.000000] BIOS-e820: [mem 0x000000007307f000-0x0000000078c7efff] usable
[    0.000000] BIOS-e820: [mem 0x0000000078c7f000-0x0000000078ceefff] type 20
[    0.000000] BIOS-e820: [mem 0x0000000078cef000-0x0000000078f4efff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000078f4f000-0x0000000078f9efff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x0000000078f9f000-0x0000000078ffefff] ACPI data
[    0.000000] BIOS-e820: [mem 0x0000000078fff000-0x0000000078ffffff] usable
[    0.000000] BIOS-e820: [mem 0x0000000079000000-0x000000007fffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000e00fa000-0x00000000e00fafff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000e00fd000-0x00000000e00fdfff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fe000000-0x00000000fe010fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000ff939000-0x00000000ff968fff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000047effffff] usable
)e820",
    },
    // Apple MacBookPro13,3 (2016), BIOS 267.0.0.0.0 04/24/2020, Linux 5.5.11: lines 47-73 of
    // MacBookPro13,3/dmesg; file last changed 14 Jun 2020.
    {
        "macbookpro13-3-setup-data",
        "mac",
        "https://github.com/Dunedan/mbp-2016-linux/blob/3da5e3f586ecd835c12d2c6a3021e66ca0934d96/MacBookPro13%2C3/dmesg",
        "Linux's \"extended physical RAM map\", not the firmware's: RAM split at setup_data "
        "nodes into five adjacent usable entries with unaligned ends (0x72545017, ...).",
        R"e820(
[    0.000000] extended physical RAM map:
[    0.000000] reserve setup_data: [mem 0x0000000000000000-0x0000000000057fff] usable
[    0.000000] reserve setup_data: [mem 0x0000000000058000-0x0000000000058fff] reserved
[    0.000000] reserve setup_data: [mem 0x0000000000059000-0x000000000009dfff] usable
[    0.000000] reserve setup_data: [mem 0x000000000009e000-0x00000000000fffff] reserved
[    0.000000] reserve setup_data: [mem 0x0000000000100000-0x0000000072545017] usable
[    0.000000] reserve setup_data: [mem 0x0000000072545018-0x000000007255670d] usable
[    0.000000] reserve setup_data: [mem 0x000000007255670e-0x0000000073954017] usable
[    0.000000] reserve setup_data: [mem 0x0000000073954018-0x0000000073962857] usable
[    0.000000] reserve setup_data: [mem 0x0000000073962858-0x0000000074021fff] usable
[    0.000000] reserve setup_data: [mem 0x0000000074022000-0x0000000074373fff] reserved
[    0.000000] reserve setup_data: [mem 0x0000000074374000-0x0000000074e04fff] usable
[    0.000000] reserve setup_data: [mem 0x0000000074e05000-0x0000000074e05fff] ACPI NVS
[    0.000000] reserve setup_data: [mem 0x0000000074e06000-0x0000000074e4ffff] reserved
[    0.000000] reserve setup_data: [mem 0x0000000074e50000-0x000000007507dfff] usable
[    0.000000] reserve setup_data: [mem 0x000000007507e000-0x000000007507efff] reserved
[    0.000000] reserve setup_data: [mem 0x000000007507f000-0x000000007ac7efff] usable
[    0.000000] reserve setup_data: [mem 0x000000007ac7f000-0x000000007af4efff] reserved
[    0.000000] reserve setup_data: [mem 0x000000007af4f000-0x000000007af9efff] ACPI NVS
[    0.000000] reserve setup_data: [mem 0x000000007af9f000-0x000000007affefff] ACPI data
[    0.000000] reserve setup_data: [mem 0x000000007afff000-0x000000007affffff] usable
[    0.000000] reserve setup_data: [mem 0x000000007b000000-0x000000007fffffff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000e00fa000-0x00000000e00fafff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000e00fd000-0x00000000e00fdfff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000fe000000-0x00000000fe010fff] reserved
[    0.000000] reserve setup_data: [mem 0x00000000ff939000-0x00000000ff968fff] reserved
[    0.000000] reserve setup_data: [mem 0x0000000100000000-0x000000047effffff] usable
)e820",
    },
    // Apple MacBook5,1 (2008), BIOS MB51.88Z.007D.B03.0904271443, Linux 2.6.38-rc6. linux-mm,
    // "Re: [Bug 29772] New: memory compaction crashed", Johannes Berg, 24 Feb 2011: the
    // attached "log".
    {
        "macbook5-1",
        "mac",
        "https://lore.kernel.org/all/1298549249.3875.0.camel@jlt3.sipsolutions.net/",
        "25 entries: ACPI NVS and ACPI data alternate between 0x7e86e000 and 0x7ff00000; a "
        "reserved 256 MiB at 1 GiB; a lone reserved page at 0x93300000; older form.",
        R"e820(
[    0.000000] BIOS-provided physical RAM map:
[    0.000000]  BIOS-e820: 0000000000000000 - 000000000009fc00 (usable)
[    0.000000]  BIOS-e820: 000000000009fc00 - 00000000000a0000 (reserved)
[    0.000000]  BIOS-e820: 00000000000e0000 - 0000000000100000 (reserved)
[    0.000000]  BIOS-e820: 0000000000100000 - 0000000040000000 (usable)
[    0.000000]  BIOS-e820: 0000000040000000 - 0000000050000000 (reserved)
[    0.000000]  BIOS-e820: 0000000050000000 - 000000007e86e000 (usable)
[    0.000000]  BIOS-e820: 000000007e86e000 - 000000007e870000 (ACPI NVS)
[    0.000000]  BIOS-e820: 000000007e870000 - 000000007e871000 (ACPI data)
[    0.000000]  BIOS-e820: 000000007e871000 - 000000007e873000 (ACPI NVS)
[    0.000000]  BIOS-e820: 000000007e873000 - 000000007e88e000 (ACPI data)
[    0.000000]  BIOS-e820: 000000007e88e000 - 000000007ea8f000 (ACPI NVS)
[    0.000000]  BIOS-e820: 000000007ea8f000 - 000000007fec6000 (ACPI data)
[    0.000000]  BIOS-e820: 000000007fec6000 - 000000007fec8000 (ACPI NVS)
[    0.000000]  BIOS-e820: 000000007fec8000 - 000000007fec9000 (ACPI data)
[    0.000000]  BIOS-e820: 000000007fec9000 - 000000007fecb000 (ACPI NVS)
[    0.000000]  BIOS-e820: 000000007fecb000 - 000000007fecd000 (ACPI data)
[    0.000000]  BIOS-e820: 000000007fecd000 - 000000007fedf000 (ACPI NVS)
[    0.000000]  BIOS-e820: 000000007fedf000 - 000000007fef9000 (ACPI data)
[    0.000000]  BIOS-e820: 000000007fef9000 - 000000007feff000 (reserved)
[    0.000000]  BIOS-e820: 000000007feff000 - 000000007ff00000 (ACPI data)
[    0.000000]  BIOS-e820: 0000000093300000 - 0000000093301000 (reserved)
[    0.000000]  BIOS-e820: 00000000f0000000 - 00000000f4000000 (reserved)
[    0.000000]  BIOS-e820: 00000000fec00000 - 00000000fec01000 (reserved)
[    0.000000]  BIOS-e820: 00000000fee00000 - 00000000fee01000 (reserved)
[    0.000000]  BIOS-e820: 00000000ffc00000 - 0000000100000000 (reserved)
)e820",
    },
    // Google Taniks (Lenovo IdeaPad Gaming Chromebook 16), coreboot firmware
    // Google_Taniks.14505.165.0 07/13/2022, ChromeOS Linux 5.10: lines 11-25 of dmesg; file
    // last changed 11 Sep 2023.
    {
        "chromebook-taniks",
        "coreboot",
        "https://github.com/apple-corps/lenovo-crbk16-rec0logs/blob/4ea4ac46272aa6b17a7d0e0d54300bcc0ab81096/dmesg",
        "Coreboot's map: the first page reserved, RAM from 0x1000; reserved from the end of "
        "low RAM up to 0x803fffff.",
        R"e820(
[    0.000000] BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000001000-0x000000000009ffff] usable
[    0.000000] BIOS-e820: [mem 0x00000000000a0000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x0000000076870fff] usable
[    0.000000] BIOS-e820: [mem 0x0000000076871000-0x00000000803fffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000c0000000-0x00000000cfffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000f8000000-0x00000000f9ffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fb000000-0x00000000fb000fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fe000000-0x00000000fe00ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed80000-0x00000000fed87fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed90000-0x00000000fed92fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000feda0000-0x00000000feda1fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fedc0000-0x00000000feddffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000027fbfffff] usable
)e820",
    },
    // ASUS Chromebook C523NA (coral), coreboot, in KernelCI's lab. linux-pci, "Re: next/master
    // bisection: baseline.login on asus-C523NA-A20057-coral", Hans de Goede, 24 Mar 2022: log
    // lines 1839-1851 as he quotes them. He cuts the log after them with "..."; the map is
    // whole: its ranges add up to the machine's 4 GiB.
    {
        "chromebook-coral",
        "coreboot",
        "https://lore.kernel.org/all/4e9fca2f-0af1-3684-6c97-4c35befd5019@redhat.com/",
        "Coreboot's \"type 16\" (its table memory, LB_MEM_TABLE) on the first page and at "
        "0x7a9fd000; lines as quoted from a CI log, with line numbers and times.",
        R"e820(
 1839 17:54:41.406548  <6>[    0.000000] BIOS-provided physical RAM map:
 1840 17:54:41.413121  <6>[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x0000000000000fff] type 16
 1841 17:54:41.419712  <6>[    0.000000] BIOS-e820: [mem 0x0000000000001000-0x000000000009ffff] usable
 1842 17:54:41.430192  <6>[    0.000000] BIOS-e820: [mem 0x00000000000a0000-0x00000000000fffff] reserved
 1843 17:54:41.436207  <6>[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000000fffffff] usable
 1844 17:54:41.446353  <6>[    0.000000] BIOS-e820: [mem 0x0000000010000000-0x0000000012150fff] reserved
 1845 17:54:41.453290  <6>[    0.000000] BIOS-e820: [mem 0x0000000012151000-0x000000007a9fcfff] usable
 1846 17:54:41.459966  <6>[    0.000000] BIOS-e820: [mem 0x000000007a9fd000-0x000000007affffff] type 16
 1847 17:54:41.469549  <6>[    0.000000] BIOS-e820: [mem 0x000000007b000000-0x000000007fffffff] reserved
 1848 17:54:41.476685  <6>[    0.000000] BIOS-e820: [mem 0x00000000d0000000-0x00000000d0ffffff] reserved
 1849 17:54:41.486439  <6>[    0.000000] BIOS-e820: [mem 0x00000000e0000000-0x00000000efffffff] reserved
 1850 17:54:41.492994  <6>[    0.000000] BIOS-e820: [mem 0x00000000fed10000-0x00000000fed17fff] reserved
 1851 17:54:41.503008  <6>[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000017fffffff] usable
)e820",
    },
    // Hyper-V guest on Windows Server 2012, BIOS 090006 05/23/2012, Linux 3.15-rc6. linux-mm,
    // "Re: [PATCH] x86: numa: drop ZONE_ALIGN", Luiz Capitulino, 9 Jun 2014: the boot log in
    // the message body.
    {
        "hyperv-ws2012-numa",
        "hyperv",
        "https://lore.kernel.org/all/20140609150353.75eff02b@redhat.com/",
        "Two NUMA nodes: RAM resumes at 0x40200000, 2 MiB after the first node's end.",
        R"e820(
[    0.000000] e820: BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000000e0000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000003ffeffff] usable
[    0.000000] BIOS-e820: [mem 0x000000003fff0000-0x000000003fffefff] ACPI data
[    0.000000] BIOS-e820: [mem 0x000000003ffff000-0x000000003fffffff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x0000000040200000-0x00000000801fffff] usable
)e820",
    },
    // A GitHub Codespaces VM on Azure (Hyper-V), BIOS 090008 12/07/2018, Linux
    // 5.15.0-1041-azure: lines 71-78 of SimpleAPI/SimpleAPI/README.md (sudo dmesg); file last
    // changed 6 Sep 2023.
    {
        "hyperv-azure-codespaces",
        "hyperv",
        "https://github.com/kiyo7447/SimpleMicroservice/blob/a547c16b23a78269b17ce80f54ed426d504143a1/SimpleAPI/SimpleAPI/README.md",
        "Hyper-V generation 1: 1 GiB below 4 GiB, the rest from 4 GiB.",
        R"e820(
[    0.000000] BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000000e0000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000003ffeffff] usable
[    0.000000] BIOS-e820: [mem 0x000000003fff0000-0x000000003fffefff] ACPI data
[    0.000000] BIOS-e820: [mem 0x000000003ffff000-0x000000003fffffff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x00000002bfffffff] usable
)e820",
    },
    // VMware guest, "VMware Virtual Platform", BIOS 6.00 02/27/2020, Linux 6.2 (Ubuntu 23.04):
    // lines 215-227 of README.md; file last changed 15 Apr 2025.
    {
        "vmware-guest",
        "vmware",
        "https://github.com/saed-gpr/linux/blob/7844e86dbc42686af81098fa58e7084f8896b4e6/README.md",
        "VMware's layout: ACPI data and ACPI NVS, then a last usable MiB at 0xbff00000 under "
        "3 GiB; RAM above 4 GiB.",
        R"e820(
[    0.000000] BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009e7ff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009e800-0x000000000009ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000000dc000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x00000000bfecffff] usable
[    0.000000] BIOS-e820: [mem 0x00000000bfed0000-0x00000000bfefefff] ACPI data
[    0.000000] BIOS-e820: [mem 0x00000000bfeff000-0x00000000bfefffff] ACPI NVS
[    0.000000] BIOS-e820: [mem 0x00000000bff00000-0x00000000bfffffff] usable
[    0.000000] BIOS-e820: [mem 0x00000000f0000000-0x00000000f7ffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fec00000-0x00000000fec0ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fee00000-0x00000000fee00fff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fffe0000-0x00000000ffffffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x00000001fdbfffff] usable
)e820",
    },
    // VirtualBox guest, BIOS VirtualBox 12/01/2006, Linux 5.4 (Ubuntu 20.04, Vagrant): lines
    // 14-23 of dmesg; file last changed 28 Dec 2024.
    {
        "virtualbox-vagrant",
        "virtualbox",
        "https://github.com/SS67/vagrantDevops/blob/8d04906718782a7c2d276234459becf9383f8017/dmesg",
        "VirtualBox: 3.5 GiB below 4 GiB, ACPI data at 0xdfff0000, RAM above 4 GiB; a "
        "\"kernel:\" prefix on every line.",
        R"e820(
[    0.000000] kernel: BIOS-provided physical RAM map:
[    0.000000] kernel: BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
[    0.000000] kernel: BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved
[    0.000000] kernel: BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved
[    0.000000] kernel: BIOS-e820: [mem 0x0000000000100000-0x00000000dffeffff] usable
[    0.000000] kernel: BIOS-e820: [mem 0x00000000dfff0000-0x00000000dfffffff] ACPI data
[    0.000000] kernel: BIOS-e820: [mem 0x00000000fec00000-0x00000000fec00fff] reserved
[    0.000000] kernel: BIOS-e820: [mem 0x00000000fee00000-0x00000000fee00fff] reserved
[    0.000000] kernel: BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved
[    0.000000] kernel: BIOS-e820: [mem 0x0000000100000000-0x000000011fffffff] usable
)e820",
    },
    // Xen 4.18 PV guest (pvgrub2), Linux 6.12.21 (Gentoo), 96 GiB. xen-devel, "Kernel panic
    // when passing through 2 identical PCI devices", J. Roeleveld, 2 Jun 2025: the attachment
    // Boot_Succesfull.txt.
    {
        "xen-pv-passthrough",
        "xen",
        "https://lore.kernel.org/all/2226691.irdbgypaU6@persephone/",
        "A PV domU given the host's map for PCI passthrough: three unusable ranges, ACPI NVS,"
        " reserved MMIO; no timestamps.",
        R"e820(
BIOS-provided physical RAM map:
Xen: [mem 0x0000000000000000-0x000000000009ffff] usable
Xen: [mem 0x00000000000a0000-0x00000000000fffff] reserved
Xen: [mem 0x0000000000100000-0x0000000078da2fff] usable
Xen: [mem 0x0000000078da3000-0x00000000795bbfff] reserved
Xen: [mem 0x00000000795bc000-0x000000007969ffff] unusable
Xen: [mem 0x00000000796a0000-0x0000000079c1efff] ACPI NVS
Xen: [mem 0x0000000079c1f000-0x000000007bcf6fff] reserved
Xen: [mem 0x000000007bcf7000-0x000000007bcf7fff] unusable
Xen: [mem 0x000000007bcf8000-0x000000007bd7dfff] reserved
Xen: [mem 0x000000007bd7e000-0x000000007bffffff] unusable
Xen: [mem 0x000000007c000000-0x000000008fffffff] reserved
Xen: [mem 0x00000000c7ffc000-0x00000000c7ffcfff] reserved
Xen: [mem 0x00000000fbffc000-0x00000000fbffcfff] reserved
Xen: [mem 0x00000000fec00000-0x00000000fec01fff] reserved
Xen: [mem 0x00000000fec40000-0x00000000fec40fff] reserved
Xen: [mem 0x00000000fed1c000-0x00000000fed44fff] reserved
Xen: [mem 0x00000000fee00000-0x00000000feefffff] reserved
Xen: [mem 0x00000000ff000000-0x00000000ffffffff] reserved
Xen: [mem 0x0000000100000000-0x000000188725cfff] usable
)e820",
    },
    // Xen 4.17-unstable dom0 on an MSI MS-7640 (890FXA-GD70, AMD Phenom II), Linux 5.16.1.
    // xen-devel, "Regression booting Linux kernel 5.16.1 under Xen", Sander Eikelenboom, 18
    // Jan 2022: the serial log in the message body.
    {
        "xen-dom0-msi-890fxa",
        "xen",
        "https://lore.kernel.org/all/d3ba970c-3930-fb4e-4fd2-4246700fd11e@eikelenboom.it/",
        "A PV dom0 with dom0_mem=2048M: RAM up to 0x8006a000, the host's ACPI ranges, "
        "reserved 0xfd00000000-0xffffffffff.",
        R"e820(
[    0.000000] BIOS-provided physical RAM map:
[    0.000000] Xen: [mem 0x0000000000000000-0x0000000000095fff] usable
[    0.000000] Xen: [mem 0x0000000000096400-0x00000000000fffff] reserved
[    0.000000] Xen: [mem 0x0000000000100000-0x0000000080069fff] usable
[    0.000000] Xen: [mem 0x00000000c7f90000-0x00000000c7f9dfff] ACPI data
[    0.000000] Xen: [mem 0x00000000c7f9e000-0x00000000c7fdffff] ACPI NVS
[    0.000000] Xen: [mem 0x00000000c7fe0000-0x00000000c7ffffff] reserved
[    0.000000] Xen: [mem 0x00000000f6000000-0x00000000f6003fff] reserved
[    0.000000] Xen: [mem 0x00000000fec00000-0x00000000fec00fff] reserved
[    0.000000] Xen: [mem 0x00000000fec20000-0x00000000fec20fff] reserved
[    0.000000] Xen: [mem 0x00000000fee00000-0x00000000feefffff] reserved
[    0.000000] Xen: [mem 0x00000000ffe00000-0x00000000ffffffff] reserved
[    0.000000] Xen: [mem 0x000000fd00000000-0x000000ffffffffff] reserved
)e820",
    },
    // QEMU/KVM guest, BIOS Bochs 01/01/2011, Linux 3.13 (Ubuntu 14.04): lines 10-17 of dmesg;
    // file last changed 23 Mar 2016.
    {
        "qemu-bochs",
        "qemu",
        "https://github.com/PhoenixYanrongLi/ServerLog/blob/132a3a12cc69c86e5bbfdeeb468b86c6ff8066dc/dmesg",
        "SeaBIOS of the time (DMI \"Bochs Bochs\"): 7 entries, 512 MiB.",
        R"e820(
[    0.000000] e820: BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000001fffdfff] usable
[    0.000000] BIOS-e820: [mem 0x000000001fffe000-0x000000001fffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000feffc000-0x00000000feffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved
)e820",
    },
    // QEMU q35 guest, SeaBIOS rel-1.16.2-14, CentOS 7 (Linux 3.10). qemu-devel, "Re: [PULL
    // 4/6] seabios: update binaries to git snapshot", Claudio Fontana, 7 Nov 2023: the full
    // guest log.
    {
        "qemu-q35-128g",
        "qemu",
        "https://lore.kernel.org/all/8aa3d259-6dd5-ebf7-8989-66b967434773@suse.de/",
        "q35 with 128 GiB: 2 GiB below 4 GiB, MMCONFIG reserved at 0xb0000000, and the "
        "reserved hole below 1 TiB (0xfd00000000-0xffffffffff).",
        R"e820(
[    0.000000] e820: BIOS-provided physical RAM map:
[    0.000000] BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable
[    0.000000] BIOS-e820: [mem 0x000000000009fc00-0x000000000009ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000000f0000-0x00000000000fffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000000100000-0x000000007ffdbfff] usable
[    0.000000] BIOS-e820: [mem 0x000000007ffdc000-0x000000007fffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000b0000000-0x00000000bfffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fed1c000-0x00000000fed1ffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000feffc000-0x00000000feffffff] reserved
[    0.000000] BIOS-e820: [mem 0x00000000fffc0000-0x00000000ffffffff] reserved
[    0.000000] BIOS-e820: [mem 0x0000000100000000-0x000000207fffffff] usable
[    0.000000] BIOS-e820: [mem 0x000000fd00000000-0x000000ffffffffff] reserved
)e820",
    },
};
// clang-format on

}  // namespace

std::span<const E820Machine> E820Corpus() { return kMachines; }

}  // namespace bzelf::testing
