// The EFI stub's command line: LoadedImage's LoadOptions (UCS-2) turned
// into the boot protocol's byte string, and the `initrd=` and `noinitrd`
// options the stub itself acts on, as Linux's stub reads them
// (drivers/firmware/efi/libstub/efi-stub-helper.c, efi_convert_cmdline and
// efi_parse_options; file.c, find_file_option).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace bzelf {

// Converts `size` bytes of UCS-2 LoadOptions into `out` (room for
// `capacity` bytes, NUL included) and returns the bytes written, NUL not
// counted. LoadOptionsSize counts the trailing NUL character; the text
// ends at the first NUL or line feed, or at `size` bytes, whichever comes
// first. Characters from U+0080 up are written in UTF-8, as Linux's stub
// writes them (an unpaired surrogate becomes '?'). A line longer than
// `capacity` - 1 bytes is cut after its last whole option that fits (a
// space outside double quotes), as Linux's stub cuts one longer than
// COMMAND_LINE_SIZE (efi_convert_cmdline); then `*truncated` is set.
size_t LoadOptionsToCmdline(const uint16_t* options, uint32_t size, char* out, size_t capacity,
                            bool* truncated);

// Copies the ASCII command line `text` (a loader's cmd_line_ptr) into
// `out` as LoadOptionsToCmdline writes one: cut after its last whole
// option when longer than `capacity` - 1 bytes, and then `*truncated` is
// set. Returns the bytes written, NUL not counted.
size_t CopyCmdline(const char* text, char* out, size_t capacity, bool* truncated);

// The words of a command line, in order: runs of characters up to a
// space outside double quotes. The kernel's arguments end at a lone `--`
// (what follows is init's: Linux's parse_args stops there, and so does its
// EFI stub's efi_parse_options, which reads `noinitrd`), so the words end
// there too.
class CmdlineWords {
 public:
  explicit CmdlineWords(const char* cmdline) : next_(cmdline) {}
  // The next word, `length` bytes at `word`; false at the end or at `--`.
  bool Next(const char** word, size_t* length);

 private:
  const char* next_;
};

// True when the command line has the option `name` (a whole word, outside
// double quotes, before any `--`; "noinitrd").
bool HasCmdlineOption(const char* cmdline, const char* name);

// The `initrd=` options of a command line, one path at a time:
//   InitrdPaths paths(cmdline);
//   while (paths.Next(path, kMax)) { ... }
// Each path is the option's value up to the next space, with its leading
// slashes and backslashes dropped and '/' turned into '\' (the paths are
// relative to the root of the volume the image came from, in the form
// EFI_FILE_PROTOCOL.Open takes), as UCS-2, NUL-terminated. Only words
// before a lone `--` count (CmdlineWords). Linux's stub (6.1 and since:
// libstub/file.c, find_file_option) matches "initrd=" anywhere in the raw
// LoadOptions, inside other words and past `--` too; here it must start a
// word, so that e.g. `rd.initrd=...` (a hypothetical option of the
// kernel's own) is not taken for one, and an `initrd=` meant for init is
// left to init.
class InitrdPaths {
 public:
  explicit InitrdPaths(const char* cmdline) : words_(cmdline) {}

  // Writes the next path (at most `capacity` - 1 characters: false with
  // `too_long` set when longer) into `path`; false at the end.
  bool Next(uint16_t* path, size_t capacity);
  bool too_long() const { return too_long_; }

 private:
  CmdlineWords words_;
  bool too_long_ = false;
};

}  // namespace bzelf
