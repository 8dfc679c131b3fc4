// bzelf: the host tool. Subcommands build, info and extract; see usage().
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "common.h"
#include "image.h"
#include "info.h"

namespace {

using namespace bzelf;

const char kUsage[] =
    "usage: bzelf build KERNEL -o IMAGE [--cmdline STR] [--paddr-offset N] [-9|--level N]\n"
    "       bzelf info IMAGE|KERNEL [--json]\n"
    "       bzelf extract IMAGE -o KERNEL.elf\n";

[[noreturn]] void UsageError(const std::string& problem) {
  std::fprintf(stderr, "bzelf: %s\n%s", problem.c_str(), kUsage);
  std::exit(2);
}

uint64_t ParseNumber(const std::string& s, const char* option) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (s.empty() || *end != 0 || errno != 0 || s[0] == '-') {
    UsageError(std::string(option) + ": not a number: " + s);
  }
  return v;
}

struct Args {
  std::vector<std::string> positional;
  std::string output;
  BuildOptions build;
  bool json = false;
};

Args ParseArgs(int argc, char** argv, int first) {
  Args a;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](const char* option) -> std::string {
      if (i + 1 >= argc) UsageError(std::string(option) + " needs a value");
      return argv[++i];
    };
    if (arg == "-o") {
      a.output = value("-o");
    } else if (arg == "--cmdline") {
      a.build.cmdline = value("--cmdline");
    } else if (arg == "--paddr-offset") {
      a.build.paddr_offset = ParseNumber(value("--paddr-offset"), "--paddr-offset");
    } else if (arg == "--level") {
      uint64_t level = ParseNumber(value("--level"), "--level");
      if (level < 1 || level > 9) UsageError("--level must be 1 to 9");
      a.build.level = static_cast<int>(level);
    } else if (arg.size() == 2 && arg[0] == '-' && arg[1] >= '1' && arg[1] <= '9') {
      a.build.level = arg[1] - '0';
    } else if (arg == "--json") {
      a.json = true;
    } else if (!arg.empty() && arg[0] == '-') {
      UsageError("unknown option " + arg);
    } else {
      a.positional.push_back(arg);
    }
  }
  return a;
}

int Run(int argc, char** argv) {
  if (argc < 2) UsageError("no command");
  std::string cmd = argv[1];
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  Args a = ParseArgs(argc, argv, 2);
  if (a.positional.size() != 1) UsageError(cmd + ": expects one input file");
  const std::string& input = a.positional[0];
  if (cmd == "build") {
    if (a.output.empty()) UsageError("build: -o IMAGE is required");
    BuildImageFile(input, a.output, a.build);
    return 0;
  }
  if (cmd == "info") return RunInfo(input, a.json);
  if (cmd == "extract") {
    if (a.output.empty()) UsageError("extract: -o KERNEL.elf is required");
    ExtractKernelFile(input, a.output);
    return 0;
  }
  UsageError("unknown command " + cmd);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const ToolError& e) {
    std::fprintf(stderr, "bzelf: %s: %s\n", e.file().c_str(), e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bzelf: %s\n", e.what());
  }
  return 1;
}
