// The EFI stub's command line (lib/efi-cmdline.h): LoadOptions as the
// loaders pass them (issue 15 lists what each passes), the cut of an
// overlong line, `noinitrd`, and the `initrd=` paths.

#include "efi-cmdline.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bzelf {
namespace {

// LoadOptions as firmware builds them: UCS-2 with the trailing NUL counted.
std::vector<uint16_t> Ucs2(const std::u16string& s, bool nul = true) {
  std::vector<uint16_t> v(s.begin(), s.end());
  if (nul) v.push_back(0);
  return v;
}

std::string Convert(const std::vector<uint16_t>& options, uint32_t size, size_t capacity = 2048,
                    bool* cut = nullptr) {
  std::vector<char> out(capacity ? capacity : 1, 'X');
  bool truncated;
  const size_t n = LoadOptionsToCmdline(options.data(), size, out.data(), capacity, &truncated);
  if (cut) *cut = truncated;
  if (capacity) {
    EXPECT_EQ(out[n], '\0');
  }
  return std::string(out.data(), n);
}

std::string Convert(const std::u16string& s) {
  const auto v = Ucs2(s);
  return Convert(v, static_cast<uint32_t>(v.size() * 2));
}

TEST(EfiCmdline, WhatTheLoadersPass) {
  // OVMF -kernel, systemd-boot, rEFInd, iPXE: whole lines, passed on as they are.
  EXPECT_EQ(Convert(u"console=ttyS0 quiet initrd=initrd"), "console=ttyS0 quiet initrd=initrd");
  EXPECT_EQ(Convert(u"initrd=\\init.cpio.gz root=/dev/ram0"), "initrd=\\init.cpio.gz root=/dev/ram0");
  // The size counts the NUL; nothing is read past it, nor past the size.
  auto v = Ucs2(u"abc");
  v.push_back(u'Z');
  EXPECT_EQ(Convert(v, 8), "abc");
  EXPECT_EQ(Convert(Ucs2(u"abcdef", false), 6), "abc");
  // An odd byte is half a character.
  EXPECT_EQ(Convert(Ucs2(u"abcdef", false), 7), "abc");
  // A line feed ends the line, as in Linux's stub.
  EXPECT_EQ(Convert(u"one two\nthree"), "one two");
  // Nothing at all (firmware's boot of BOOTX64.EFI): empty.
  EXPECT_EQ(Convert({}, 0), "");
  bool cut;
  EXPECT_EQ(Convert(Ucs2(u"x"), 0, 2048, &cut), "");
  EXPECT_FALSE(cut);
}

TEST(EfiCmdline, BeyondAsciiInUtf8) {
  EXPECT_EQ(Convert(u"caf\u00e9 \u20ac"), "caf\xc3\xa9 \xe2\x82\xac");
  EXPECT_EQ(Convert(u"\U0001F600"), "\xf0\x9f\x98\x80");
  EXPECT_EQ(Convert(std::u16string(1, char16_t(0xd800)) + u"a"), "?a");
}

TEST(EfiCmdline, AnOverlongLineIsCutAfterItsLastWholeOption) {
  bool cut;
  // Room for 11 bytes: "aaa bbb ccc" fits exactly; one more byte does not.
  EXPECT_EQ(Convert(Ucs2(u"aaa bbb ccc"), 24, 12, &cut), "aaa bbb ccc");
  EXPECT_FALSE(cut);
  EXPECT_EQ(Convert(Ucs2(u"aaa bbb cccd"), 26, 12, &cut), "aaa bbb");
  EXPECT_TRUE(cut);
  // A space inside quotes is not a place to cut.
  EXPECT_EQ(Convert(Ucs2(u"aaa \"b c dddd\""), 32, 12, &cut), "aaa");
  EXPECT_TRUE(cut);
  EXPECT_EQ(Convert(Ucs2(u"aaa \"b c\" dddddd"), 34, 12, &cut), "aaa \"b c\"");
  EXPECT_TRUE(cut);
  // A multi-byte character is never split.
  EXPECT_EQ(Convert(Ucs2(u"a \u20ac\u20ac\u20ac\u20ac"), 12, 12, &cut), "a");
  EXPECT_TRUE(cut);
}

// A loader's ASCII cmd_line_ptr (the handover entry) is cut by the same
// rule as LoadOptions.
TEST(EfiCmdline, ALoadersLineIsCutAsLoadOptionsAre) {
  char out[12];
  bool cut;
  EXPECT_EQ(CopyCmdline("aaa bbb ccc", out, sizeof(out), &cut), 11u);
  EXPECT_STREQ(out, "aaa bbb ccc");
  EXPECT_FALSE(cut);
  EXPECT_EQ(CopyCmdline("aaa bbb cccd", out, sizeof(out), &cut), 7u);
  EXPECT_STREQ(out, "aaa bbb");
  EXPECT_TRUE(cut);
  EXPECT_EQ(CopyCmdline("aaa \"b c\" dddddd", out, sizeof(out), &cut), 9u);
  EXPECT_STREQ(out, "aaa \"b c\"");
  EXPECT_TRUE(cut);
  EXPECT_EQ(CopyCmdline("", out, sizeof(out), &cut), 0u);
  EXPECT_STREQ(out, "");
  EXPECT_FALSE(cut);
}

// What follows a lone `--` is init's: neither `noinitrd` nor `initrd=`
// there is the stub's (Linux's efi_parse_options stops there for
// noinitrd; its find_file_option does not for initrd=, a difference
// lib/efi-cmdline.h gives the reason for).
TEST(EfiCmdline, TheKernelsArgumentsEndAtALoneDoubleDash) {
  EXPECT_FALSE(HasCmdlineOption("quiet -- noinitrd", "noinitrd"));
  EXPECT_TRUE(HasCmdlineOption("noinitrd -- x", "noinitrd"));
  EXPECT_TRUE(HasCmdlineOption("a --x noinitrd", "noinitrd"));
  EXPECT_FALSE(HasCmdlineOption("--", "--"));
}

TEST(EfiCmdline, NoinitrdIsAWholeWord) {
  EXPECT_TRUE(HasCmdlineOption("noinitrd", "noinitrd"));
  EXPECT_TRUE(HasCmdlineOption("a noinitrd b", "noinitrd"));
  EXPECT_TRUE(HasCmdlineOption("a\tnoinitrd", "noinitrd"));
  EXPECT_FALSE(HasCmdlineOption("noinitrd=1", "noinitrd"));
  EXPECT_FALSE(HasCmdlineOption("xnoinitrd", "noinitrd"));
  EXPECT_FALSE(HasCmdlineOption("noinitr", "noinitrd"));
  EXPECT_FALSE(HasCmdlineOption("a=\"x noinitrd\"", "noinitrd"));
  EXPECT_FALSE(HasCmdlineOption("", "noinitrd"));
}

std::vector<std::u16string> Paths(const char* cmdline, size_t capacity = 256,
                                  bool* too_long = nullptr) {
  InitrdPaths paths(cmdline);
  std::vector<std::u16string> out;
  std::vector<uint16_t> buffer(capacity);
  while (paths.Next(buffer.data(), capacity)) {
    out.emplace_back(buffer.begin(), buffer.begin() + std::u16string(
        reinterpret_cast<const char16_t*>(buffer.data())).size());
  }
  if (too_long) *too_long = paths.too_long();
  return out;
}

TEST(EfiCmdline, InitrdPathsInOrder) {
  using V = std::vector<std::u16string>;
  EXPECT_EQ(Paths("console=ttyS0"), V{});
  // systemd-boot's and rEFInd's forms, and OVMF's tell-tale.
  EXPECT_EQ(Paths("initrd=\\init.cpio.gz quiet"), V{u"init.cpio.gz"});
  EXPECT_EQ(Paths("quiet initrd=initrd"), V{u"initrd"});
  // Several, concatenated by the caller in this order; slashes turned.
  EXPECT_EQ(Paths("initrd=/boot/a.img x=1 initrd=//b/c.img"), (V{u"boot\\a.img", u"b\\c.img"}));
  // Only at a word's start.
  EXPECT_EQ(Paths("rd.initrd=a xinitrd=b"), V{});
  // An empty value is an empty path (the caller refuses to open it).
  EXPECT_EQ(Paths("initrd= a"), V{u""});
  bool too_long;
  EXPECT_EQ(Paths("initrd=abcdef initrd=b", 4, &too_long), V{});
  EXPECT_TRUE(too_long);
  EXPECT_EQ(Paths("initrd=abc", 4, &too_long), V{u"abc"});
  EXPECT_FALSE(too_long);
}

TEST(EfiCmdline, InitrdPathsEndAtALoneDoubleDash) {
  using V = std::vector<std::u16string>;
  EXPECT_EQ(Paths("initrd=a -- initrd=b"), V{u"a"});
  EXPECT_EQ(Paths("-- initrd=b"), V{});
  EXPECT_EQ(Paths("initrd=a\t--\tinitrd=b"), V{u"a"});
  // Not lone: a word that starts with -- or an option's value.
  EXPECT_EQ(Paths("initrd=a --x initrd=b"), (V{u"a", u"b"}));
  EXPECT_EQ(Paths("initrd=-- initrd=b"), (V{u"--", u"b"}));
}

}  // namespace
}  // namespace bzelf
