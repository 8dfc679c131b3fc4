// Compressed kernels for the tests, made by the command-line compressors
// that users and Linux's build use (tools/install-deps.sh installs them),
// so that what the host tool reads is what those tools really write.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "common.h"
#include "decompress.h"

namespace bzelf::testing {

struct CompressTool {
  Compression method;
  const char* command;  // reads stdin, writes stdout
};

// Every method, as Linux's build runs its tool (scripts/Makefile.lib,
// scripts/xz_wrap.sh for x86) where that differs from the tool's default,
// and lzop's three kinds of checksum (Adler-32, CRC-32, none).
inline constexpr CompressTool kCompressTools[] = {
    {Compression::kGzip, "gzip -9 -n -c"},
    {Compression::kBzip2, "bzip2 -9 -c"},
    {Compression::kLzma, "lzma -9 -c"},
    {Compression::kXz, "xz --check=crc32 --x86 --lzma2=preset=6 -c"},
    {Compression::kLzo, "lzop -9 -c"},
    {Compression::kLzo, "lzop -1 --crc32 -c"},
    {Compression::kLzo, "lzop -F -c"},
    {Compression::kLz4, "lz4 -l -9 -q -c"},
    {Compression::kLz4Frame, "lz4 -9 -q -c"},
    {Compression::kZstd, "zstd -19 -q -c"},
};

inline Bytes ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// `command` < data; an empty result (and a test failure) if it fails.
inline Bytes CompressWith(const std::string& command, const Bytes& data) {
  std::string tmpl = ::testing::TempDir() + "bzelf-compress-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed";
    return {};
  }
  const std::filesystem::path dir = tmpl, in = dir / "in", out = dir / "out";
  std::ofstream(in, std::ios::binary)
      .write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  std::string cmd = command + " < " + in.string() + " > " + out.string();
  Bytes result;
  if (std::system(cmd.c_str()) == 0) {
    result = ReadAll(out);
  } else {
    ADD_FAILURE() << "failed: " << cmd;
  }
  std::filesystem::remove_all(dir);
  return result;
}

}  // namespace bzelf::testing
