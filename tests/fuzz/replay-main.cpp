// A main() for the fuzz targets without libFuzzer: feeds every file named
// on the command line (directories: every regular file in them, in name
// order) to LLVMFuzzerTestOneInput once. Built with AddressSanitizer and
// UndefinedBehaviorSanitizer (but for the 32-bit build of the inflate
// target), a crash or a report aborts the run; on success it prints how
// many inputs it replayed.
#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" [[gnu::weak]] int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

[[noreturn]] void Unreadable(const std::string& path) {
  std::fprintf(stderr, "replay: %s: %s\n", path.c_str(), std::strerror(errno));
  std::exit(1);
}

void AddPath(const std::string& path, std::vector<std::string>& files) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return;  // an absent corpus is an empty one
    Unreadable(path);
  }
  if (!S_ISDIR(st.st_mode)) {
    files.push_back(path);
    return;
  }
  DIR* dir = opendir(path.c_str());
  if (!dir) Unreadable(path);
  std::vector<std::string> names;
  for (;;) {
    errno = 0;
    dirent* e = readdir(dir);
    if (!e) break;
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    names.push_back(name);
  }
  if (errno != 0) Unreadable(path);
  closedir(dir);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) AddPath(path + "/" + name, files);
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) AddPath(argv[i], files);
  for (const std::string& file : files) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "replay: %s: cannot open\n", file.c_str());
      return 1;
    }
    // A copy of exactly the file's size, as libFuzzer hands inputs over.
    std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                               std::istreambuf_iterator<char>());
    uint8_t* data = new uint8_t[bytes.size()];
    std::copy(bytes.begin(), bytes.end(), data);
    std::fprintf(stderr, "replay: %s\n", file.c_str());
    LLVMFuzzerTestOneInput(data, bytes.size());
    delete[] data;
  }
  std::fprintf(stderr, "replay: %zu inputs\n", files.size());
  return 0;
}
