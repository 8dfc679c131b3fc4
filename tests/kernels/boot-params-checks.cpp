// boot_params as the loader filled it (boot.rst; zero-page.rst): the setup
// header's magic and version, the command line and the initrd.
#include "checks.h"
#include "entry-state.h"
#include "serial.h"
#include "test-crc32.h"

namespace bzelf::testkernel {

const boot_params* CheckBootParamsHeader(Verdict& verdict) {
  if (entry_boot_params == 0 ||
      !Reachable(entry_boot_params, sizeof(boot_params))) {
    return nullptr;
  }
  const auto& params = *PhysToPointer<boot_params>(entry_boot_params);
  const auto& hdr = params.hdr;
  Print("bzelf-test: boot_params at ");
  PrintHex(entry_boot_params);
  Print(": header=");
  PrintHex(hdr.header, 8);
  Print(" boot_flag=");
  PrintHex(hdr.boot_flag, 4);
  Print(" version=");
  PrintHex(hdr.version, 4);
  Print(" type_of_loader=");
  PrintHex(hdr.type_of_loader, 2);
  Print(" loadflags=");
  PrintHex(hdr.loadflags, 2);
  Print("\n");

  bool named = verdict.Check(hdr.header == linuxboot::kHeaderMagic,
                             "boot_params.hdr.header is \"HdrS\"");
  // boot_flag is only printed: it marks the image's boot sector, and
  // loaders that build boot_params themselves need not copy it (GRUB's
  // `linux` command, BIOS and EFI, leaves it zero), nor does Linux read it.
  verdict.Check(hdr.version >= linuxboot::kProtocolVersion,
                "boot protocol version is 2.15 or later");
  return named ? &params : nullptr;
}

uint64_t CommandLineBytes(const boot_params& params) {
  uint64_t address = CommandLineAddress(params);
  uint64_t limit = CommandLineLimit(params);
  if (address == 0 || !Reachable(address, limit)) {
    return 0;
  }
  const char* text = PhysToPointer<char>(address);
  for (uint64_t i = 0; i < limit; ++i) {
    if (text[i] == '\0') {
      return i + 1;
    }
  }
  return limit;
}

bool CommandLineHasWord(const boot_params& params, const char* word) {
  const uint64_t bytes = CommandLineBytes(params);
  if (bytes == 0) return false;
  const char* text = PhysToPointer<char>(CommandLineAddress(params));
  uint64_t length = 0;
  while (word[length] != '\0') ++length;
  for (uint64_t start = 0; start + length <= bytes; ++start) {
    if (start > 0 && text[start - 1] != ' ') continue;
    uint64_t i = 0;
    while (i < length && text[start + i] == word[i]) ++i;
    const char after = start + length < bytes ? text[start + length] : '\0';
    if (i == length && (after == ' ' || after == '\0')) return true;
  }
  return false;
}

// Prints the command line verbatim on one line, for the harness to compare
// with what it passed:  bzelf-test: cmdline: <text>
void CheckCommandLine(Verdict& verdict, const boot_params& params) {
  uint64_t address = CommandLineAddress(params);
  if (address == 0) {
    Print("bzelf-test: no cmdline (cmd_line_ptr is 0)\n");
    return;
  }
  uint64_t limit = CommandLineLimit(params);
  if (!verdict.Check(Reachable(address, limit),
                     "command line lies below 4 GiB")) {
    return;
  }
  const char* text = PhysToPointer<char>(address);
  uint64_t bytes = CommandLineBytes(params);
  bool terminated = bytes < limit || text[limit - 1] == '\0';
  uint64_t length = terminated ? bytes - 1 : bytes;
  Print("bzelf-test: cmdline: ");
  for (uint64_t i = 0; i < length; ++i) {
    PrintChar(text[i]);
  }
  Print("\n");
  verdict.Check(terminated, "command line ends in NUL within cmdline_size");
}

// Prints the initrd's size and CRC-32, for the harness to compare with the
// file it passed:  bzelf-test: initrd: size=<decimal> crc32=0x<8 hex digits>
void CheckInitrd(Verdict& verdict, const boot_params& params) {
  uint64_t address = InitrdAddress(params);
  uint64_t size = InitrdSize(params);
  if (size == 0) {
    Print("bzelf-test: initrd: none\n");
    return;
  }
  Print("bzelf-test: initrd at ");
  PrintHex(address);
  Print("\n");
  if (!verdict.Check(Reachable(address, size), "initrd lies below 4 GiB")) {
    return;
  }
  uint32_t crc = Crc32(PhysToPointer<uint8_t>(address),
                       static_cast<size_t>(size));
  Print("bzelf-test: initrd: size=");
  PrintDec(size);
  Print(" crc32=");
  PrintHex(crc, 8);
  Print("\n");
}

}  // namespace bzelf::testkernel
