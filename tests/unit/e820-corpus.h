// Real machines' E820 maps as Linux printed them in dmesg, and the parser
// that turns those lines back into e820_entry values, for the host tests of
// anything that reads a memory map. The maps and their sources are in
// e820-corpus.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "boot-params.h"

namespace bzelf::testing {

// One machine's map. `text` holds the lines verbatim (timestamps, syslog or
// mail-quote prefixes and all), the "physical RAM map:" header included.
struct E820Machine {
  std::string_view name;        // short kebab-case id
  std::string_view kind;        // one of kE820MachineKinds
  std::string_view source_url;  // where the lines were read
  std::string_view note;        // what is special about this map
  std::string_view text;
};

// The kinds a machine is filed under.
inline constexpr std::string_view kE820MachineKinds[] = {
    "isa-hole", "laptop",     "server", "mac", "coreboot", "hyperv",
    "vmware",   "virtualbox", "xen",    "qemu", "desktop", "other",
};

// Every machine, in the order of e820-corpus.cpp.
std::span<const E820Machine> E820Corpus();

// Reads the map lines of `text` in the order given. Takes, after any
// prefix, the lines Linux prints for a map:
//   "BIOS-e820: [mem 0x<16 hex>-0x<16 hex>] <type>"   end inclusive
//   "BIOS-e820: <16 hex> - <16 hex> (<type>)"          end exclusive
// under the tags BIOS-e820, BIOS-e801, BIOS-88 (the firmware's map, or
// what Linux built from E801/88h), Xen (a Xen guest's map), user (after
// memmap= or mem=) and "reserve setup_data" (Linux's extended map). Types
// are Linux's words: usable, reserved, ACPI data, ACPI NVS, unusable,
// soft reserved, persistent (type N), type N. Headers ("... physical RAM
// map:") and blank lines are skipped. Any other line is refused: returns
// nullopt and, when `error` is given, says which line and why, so a typo
// in a fixture fails its test instead of vanishing.
std::optional<std::vector<linuxboot::e820_entry>> ParseDmesgE820(std::string_view text,
                                                                 std::string* error = nullptr);

}  // namespace bzelf::testing
