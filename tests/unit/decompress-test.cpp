// tools/decompress.h and tools/lzop.cpp: each method's magic, and its data
// as the real tools write it decompressed; damaged data refused with an
// error, never a crash.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "compress-tool.h"
#include "decompress.h"
#include "elf.h"
#include "test-elf.h"

namespace bzelf {
namespace {

using testing::CompressWith;
using testing::kCompressTools;
using testing::MakeKernel;

// A small ELF32 kernel with a relocation-table-like tail, as in Linux's
// payload.
Bytes SmallKernel(uint8_t seed = 1) {
  return MakeKernel(elf::ELFCLASS32, 0x200000,
                    {{.vaddr = 0x200000, .paddr = 0x200000, .filesz = 0x6000, .memsz = 0x8000,
                      .fill_seed = seed}},
                    /*trailing=*/1000);
}

std::string Name(const testing::CompressTool& t) { return t.command; }

TEST(Decompress, DetectsEachMethodByItsMagic) {
  Bytes k = SmallKernel();
  EXPECT_EQ(DetectCompression(k.data(), k.size()), Compression::kNone);
  for (const auto& t : kCompressTools) {
    Bytes c = CompressWith(t.command, k);
    EXPECT_EQ(DetectCompression(c.data(), c.size()), t.method) << Name(t);
    // Too short for the magic: nothing.
    EXPECT_EQ(DetectCompression(c.data(), 1), Compression::kNone) << Name(t);
  }
  const uint8_t text[] = "hello, world";
  EXPECT_EQ(DetectCompression(text, sizeof(text)), Compression::kNone);
}

TEST(Decompress, EachToolsOutputComesBackExactly) {
  Bytes k = SmallKernel();
  for (const auto& t : kCompressTools) {
    Bytes c = CompressWith(t.command, k);
    EXPECT_EQ(Decompress(t.method, c.data(), c.size(), "k"), k) << Name(t);
  }
}

// Streams one after the other read as one, as each tool's -d reads them;
// LZ4's legacy format splits its input into 8 MiB chunks.
TEST(Decompress, ConcatenatedStreamsAndManyChunks) {
  Bytes a = SmallKernel(1), b = SmallKernel(2), both = a;
  both.insert(both.end(), b.begin(), b.end());
  for (const auto& t : kCompressTools) {
    if (t.method == Compression::kLzma || t.method == Compression::kLzo) continue;  // one each
    Bytes c = CompressWith(t.command, a), cb = CompressWith(t.command, b);
    c.insert(c.end(), cb.begin(), cb.end());
    EXPECT_EQ(Decompress(t.method, c.data(), c.size(), "k"), both) << Name(t);
  }
  Bytes big = MakeKernel(elf::ELFCLASS32, 0x200000,
                         {{.vaddr = 0x200000, .paddr = 0x200000, .filesz = 9u << 20,
                           .memsz = 9u << 20}});
  Bytes c = CompressWith("lz4 -l -1 -q -c", big);
  EXPECT_EQ(Decompress(Compression::kLz4, c.data(), c.size(), "k"), big);
}

// Every cut of the data is an error. LZ4's legacy format has no end mark:
// cut where a chunk ends, it is shorter data (a bzImage's length after the
// payload catches that: kernel-input-test.cpp).
TEST(Decompress, TruncatedDataIsAnError) {
  Bytes k = SmallKernel();
  for (const auto& t : kCompressTools) {
    Bytes c = CompressWith(t.command, k);
    ASSERT_GT(c.size(), 64u);
    for (size_t cut = 1; cut < c.size(); cut += cut < 64 || cut > c.size() - 64 ? 1 : 37) {
      if (t.method == Compression::kLz4 && cut == 4) continue;  // the magic alone
      EXPECT_THROW(Decompress(t.method, c.data(), cut, "k"), ToolError)
          << Name(t) << " cut " << cut;
    }
  }
}

// A changed byte: an error, or (where the format has no check over it,
// or over that byte) some output; never a crash. Formats that check their
// contents with a CRC or xxHash must not give wrong bytes. (LZMA "alone"
// and LZ4's legacy format check nothing; lzop checks with Adler-32 by
// default, which misses some changes a flipped bit makes here: a literal
// copied 256 times by matches into this kernel's repeating pattern, half
// of them +0x80 and half -0x80.)
TEST(Decompress, CorruptDataIsAnErrorOrChecked) {
  Bytes k = SmallKernel();
  for (const auto& t : kCompressTools) {
    Bytes c = CompressWith(t.command, k);
    bool checked = t.method != Compression::kLzma && t.method != Compression::kLz4 &&
                   (t.method != Compression::kLzo ||
                    std::string(t.command).find("--crc32") != std::string::npos);
    for (size_t at = 0; at < c.size(); at += 13) {
      for (uint8_t flip : {0x01, 0x80, 0xff}) {
        Bytes bad = c;
        bad[at] ^= flip;
        try {
          Bytes out = Decompress(t.method, bad.data(), bad.size(), "k");
          if (checked) {
            EXPECT_EQ(out, k) << Name(t) << " byte " << at << " ^ " << int{flip};
          }
        } catch (const ToolError&) {
        }
      }
    }
  }
}

TEST(Decompress, BytesAfterTheEndAreAnError) {
  Bytes k = SmallKernel();
  for (const auto& t : kCompressTools) {
    Bytes c = CompressWith(t.command, k);
    for (const char* tail : {"x", "garbage!", "\0\0\0\0\0\0\0\0\0"}) {
      Bytes bad = c;
      bad.insert(bad.end(), tail, tail + std::max<size_t>(1, std::strlen(tail)));
      EXPECT_THROW(Decompress(t.method, bad.data(), bad.size(), "k"), ToolError)
          << Name(t) << " + '" << tail << "'";
    }
  }
}

TEST(Decompress, MoreThanTheLimitIsRefused) {
  Bytes zeros(3u << 20, 0);
  for (const auto& t : kCompressTools) {
    Bytes c = CompressWith(t.command, zeros);
    EXPECT_EQ(Decompress(t.method, c.data(), c.size(), "k", 3u << 20), zeros) << Name(t);
    try {
      Decompress(t.method, c.data(), c.size(), "k", 1u << 20);
      ADD_FAILURE() << Name(t) << ": no error";
    } catch (const ToolError& e) {
      EXPECT_NE(std::string(e.what()).find("more than 1048576 bytes"), std::string::npos)
          << Name(t) << ": " << e.what();
    }
  }
}

TEST(Decompress, ErrorsNameTheFileAndMethod) {
  Bytes c = CompressWith("xz -c", SmallKernel());
  try {
    Decompress(Compression::kXz, c.data(), c.size() / 2, "dir/k.xz");
    ADD_FAILURE() << "no error";
  } catch (const ToolError& e) {
    EXPECT_EQ(e.file(), "dir/k.xz");
    EXPECT_EQ(std::string(e.what()), "xz data: ends early (truncated?)");
  }
}

}  // namespace
}  // namespace bzelf
