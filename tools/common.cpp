#include "common.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <unistd.h>

namespace bzelf {

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ToolError(path, std::string("cannot open: ") + std::strerror(errno));
  Bytes data;
  try {
    data.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } catch (const std::exception&) {
    // libstdc++'s filebuf throws when read() fails (EISDIR for a directory).
    throw ToolError(path, std::string("cannot read: ") + std::strerror(errno));
  }
  if (in.bad()) throw ToolError(path, "read error");
  return data;
}

void WriteFileAtomically(const std::string& path, const Bytes& data) {
  std::string tmp = path + ".tmp-bzelf";
  FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw ToolError(path, std::string("cannot create: ") + std::strerror(errno));
  bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  ok = (std::fflush(f) == 0) && ok;
  ok = (std::fclose(f) == 0) && ok;
  if (!ok) {
    int err = errno;
    std::remove(tmp.c_str());
    throw ToolError(path, std::string("write error: ") + std::strerror(err));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    std::remove(tmp.c_str());
    throw ToolError(path, std::string("cannot rename into place: ") + std::strerror(err));
  }
}

std::string HexString(uint64_t value) {
  char buf[24];
  std::snprintf(buf, sizeof(buf), "0x%llx", static_cast<unsigned long long>(value));
  return buf;
}

}  // namespace bzelf
