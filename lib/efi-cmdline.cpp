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

}  // namespace

size_t LoadOptionsToCmdline(const uint16_t* options, uint32_t size, char* out, size_t capacity,
                            bool* truncated) {
  *truncated = false;
  if (capacity == 0) return 0;
  const size_t chars = options == nullptr ? 0 : size / 2;
  size_t n = 0;
  size_t safe = 0;  // bytes up to the last space outside quotes
  bool in_quote = false;
  for (size_t i = 0; i < chars;) {
    if (options[i] == 0 || options[i] == '\n') break;
    char bytes[4];
    size_t used;
    const size_t len = Utf8(options + i, chars - i, bytes, &used);
    if (n + len > capacity - 1) {
      *truncated = true;
      n = safe;
      break;
    }
    if (bytes[0] == '"') {
      in_quote = !in_quote;
    } else if (!in_quote && IsSpace(bytes[0])) {
      safe = n;
    }
    for (size_t k = 0; k < len; ++k) out[n++] = bytes[k];
    i += used;
  }
  out[n] = '\0';
  return n;
}

bool HasCmdlineOption(const char* cmdline, const char* name) {
  const char* p = cmdline;
  bool in_quote = false;
  while (*p != '\0') {
    while (IsSpace(*p)) ++p;
    const char* word = p;
    while (*p != '\0' && (in_quote || !IsSpace(*p))) {
      if (*p == '"') in_quote = !in_quote;
      ++p;
    }
    size_t k = 0;
    while (name[k] != '\0' && word + k < p && word[k] == name[k]) ++k;
    if (name[k] == '\0' && word + k == p) return true;
  }
  return false;
}

bool InitrdPaths::Next(uint16_t* path, size_t capacity) {
  static constexpr char kPrefix[] = "initrd=";
  constexpr size_t kPrefixLength = sizeof(kPrefix) - 1;
  const char* p = next_;
  // Find "initrd=" at the start of a word: next_ is the line's start or
  // the space after the previous path.
  for (;; ++p) {
    if (*p == '\0') {
      next_ = p;
      return false;
    }
    const bool at_word = p == next_ ? true : IsSpace(p[-1]);
    if (!at_word) continue;
    size_t k = 0;
    while (k < kPrefixLength && p[k] == kPrefix[k]) ++k;
    if (k == kPrefixLength) break;
  }
  p += kPrefixLength;
  while (*p == '/' || *p == '\\') ++p;
  size_t n = 0;
  while (*p != '\0' && !IsSpace(*p)) {
    if (n + 1 >= capacity) {
      too_long_ = true;
      next_ = p;
      return false;
    }
    path[n++] = *p == '/' ? uint16_t{'\\'} : static_cast<uint8_t>(*p);
    ++p;
  }
  path[n] = 0;
  next_ = p;
  return true;
}

}  // namespace bzelf
