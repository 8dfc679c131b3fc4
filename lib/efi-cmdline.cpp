#include "efi-cmdline.h"

namespace bzelf {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// UTF-8 bytes of one UCS-2 character (a surrogate pair counts as one
// character of four bytes); `*used` gets how many UCS-2 units it took.
size_t Utf8(const uint16_t* s, size_t left, char* out, size_t* used) {
  uint32_t c = s[0];
  *used = 1;
  if (c >= 0xd800 && c < 0xdc00 && left >= 2 && s[1] >= 0xdc00 && s[1] < 0xe000) {
    c = 0x10000 + ((c - 0xd800) << 10) + (s[1] - 0xdc00);
    *used = 2;
  } else if (c >= 0xd800 && c < 0xe000) {
    c = '?';
  }
  if (c < 0x80) {
    out[0] = static_cast<char>(c);
    return 1;
  }
  if (c < 0x800) {
    out[0] = static_cast<char>(0xc0 | (c >> 6));
    out[1] = static_cast<char>(0x80 | (c & 0x3f));
    return 2;
  }
  if (c < 0x10000) {
    out[0] = static_cast<char>(0xe0 | (c >> 12));
    out[1] = static_cast<char>(0x80 | ((c >> 6) & 0x3f));
    out[2] = static_cast<char>(0x80 | (c & 0x3f));
    return 3;
  }
  out[0] = static_cast<char>(0xf0 | (c >> 18));
  out[1] = static_cast<char>(0x80 | ((c >> 12) & 0x3f));
  out[2] = static_cast<char>(0x80 | ((c >> 6) & 0x3f));
  out[3] = static_cast<char>(0x80 | (c & 0x3f));
  return 4;
}

// Writes a command line into `out` (room for `capacity` bytes, NUL
// included) a character at a time; one that does not fit is cut after
// the last whole option that did (a space outside double quotes), as
// Linux's stub cut one longer than COMMAND_LINE_SIZE (6.1,
// efi_convert_cmdline: safe_options_bytes).
class CmdlineWriter {
 public:
  CmdlineWriter(char* out, size_t capacity) : out_(out), capacity_(capacity) {}

  // Appends one character's `len` bytes; false when they do not fit: the
  // line is then cut and takes no more.
  bool Put(const char* bytes, size_t len) {
    if (n_ + len > capacity_ - 1) {
      truncated_ = true;
      n_ = safe_;
      return false;
    }
    if (bytes[0] == '"') {
      in_quote_ = !in_quote_;
    } else if (!in_quote_ && IsSpace(bytes[0])) {
      safe_ = n_;
    }
    for (size_t k = 0; k < len; ++k) out_[n_++] = bytes[k];
    return true;
  }
  size_t Finish(bool* truncated) {
    out_[n_] = '\0';
    *truncated = truncated_;
    return n_;
  }

 private:
  char* out_;
  size_t capacity_;
  size_t n_ = 0;
  size_t safe_ = 0;  // bytes up to the last space outside quotes
  bool in_quote_ = false;
  bool truncated_ = false;
};

}  // namespace

size_t LoadOptionsToCmdline(const uint16_t* options, uint32_t size, char* out, size_t capacity,
                            bool* truncated) {
  *truncated = false;
  if (capacity == 0) return 0;
  const size_t chars = options == nullptr ? 0 : size / 2;
  CmdlineWriter writer(out, capacity);
  for (size_t i = 0; i < chars;) {
    if (options[i] == 0 || options[i] == '\n') break;
    char bytes[4];
    size_t used;
    const size_t len = Utf8(options + i, chars - i, bytes, &used);
    if (!writer.Put(bytes, len)) break;
    i += used;
  }
  return writer.Finish(truncated);
}

size_t CopyCmdline(const char* text, char* out, size_t capacity, bool* truncated) {
  *truncated = false;
  if (capacity == 0) return 0;
  CmdlineWriter writer(out, capacity);
  for (; *text != '\0'; ++text) {
    if (!writer.Put(text, 1)) break;
  }
  return writer.Finish(truncated);
}

bool HasCmdlineOption(const char* cmdline, const char* name) {
  CmdlineWords words(cmdline);
  const char* word;
  size_t length;
  while (words.Next(&word, &length)) {
    size_t k = 0;
    while (name[k] != '\0' && k < length && word[k] == name[k]) ++k;
    if (name[k] == '\0' && k == length) return true;
  }
  return false;
}

bool InitrdPaths::Next(uint16_t* path, size_t capacity) {
  static constexpr char kPrefix[] = "initrd=";
  constexpr size_t kPrefixLength = sizeof(kPrefix) - 1;
  const char* word;
  size_t length;
  for (;;) {
    if (!words_.Next(&word, &length)) return false;
    size_t k = 0;
    while (k < kPrefixLength && k < length && word[k] == kPrefix[k]) ++k;
    if (k == kPrefixLength) break;
  }
  const char* p = word + kPrefixLength;
  const char* end = word + length;
  while (p < end && (*p == '/' || *p == '\\')) ++p;
  size_t n = 0;
  // The path ends at a space even inside quotes, as Linux's find_file_option
  // reads it.
  for (; p < end && !IsSpace(*p); ++p) {
    if (n + 1 >= capacity) {
      too_long_ = true;
      return false;
    }
    path[n++] = *p == '/' ? uint16_t{'\\'} : static_cast<uint8_t>(*p);
  }
  path[n] = 0;
  return true;
}

bool CmdlineWords::Next(const char** word, size_t* length) {
  const char* p = next_;
  while (IsSpace(*p)) ++p;
  const char* start = p;
  bool in_quote = false;
  while (*p != '\0' && (in_quote || !IsSpace(*p))) {
    if (*p == '"') in_quote = !in_quote;
    ++p;
  }
  // The end of the line, or "--": what follows it is init's, not the
  // kernel's (Linux's parse_args stops there, and its stub's
  // efi_parse_options too).
  if (p == start || (p - start == 2 && start[0] == '-' && start[1] == '-')) {
    next_ = "";
    return false;
  }
  next_ = p;
  *word = start;
  *length = static_cast<size_t>(p - start);
  return true;
}

}  // namespace bzelf
