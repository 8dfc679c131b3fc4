// bzelf: the host tool. The commands, their options and their help are
// in command-line.cpp; this file runs them.
#include <cstdio>
#include <string>
#include <vector>

#include "command-line.h"
#include "common.h"
#include "image.h"
#include "info.h"
#include "version.h"

namespace {

using namespace bzelf;

int BuildCommand(const CommandLine& c) {
  const std::string refused = BuildImageFile(c.operands[0], c.output, c.build);
  // A kernel whose relocations cannot be used: the image is good (it runs
  // at the link address), and the user should know why it does not move.
  if (!refused.empty()) {
    std::fprintf(stderr, "bzelf: note: %s: cannot move: %s\n", c.operands[0].c_str(),
                 refused.c_str());
  }
  return kExitSuccess;
}

int InfoCommand(const CommandLine& c) { return RunInfo(c.operands[0], c.json); }

int ExtractCommand(const CommandLine& c) {
  ExtractKernelFile(c.operands[0], c.output);
  return kExitSuccess;
}

int Run(const std::vector<std::string>& args) {
  CommandLine c = ParseCommandLine(args);
  switch (c.action) {
    case CommandLine::Action::kUsageError:
      std::fprintf(stderr, "bzelf: %s\n%s", c.error.c_str(), UsageText(c.command).c_str());
      return kExitUsage;
    case CommandLine::Action::kHelp:
      std::fputs(HelpText(c.command).c_str(), stdout);
      return kExitSuccess;
    case CommandLine::Action::kVersion:
      std::puts("bzelf " BZELF_VERSION);
      return kExitSuccess;
    case CommandLine::Action::kRun:
      break;
  }
  if (c.command == "build") return BuildCommand(c);
  if (c.command == "info") return InfoCommand(c);
  return ExtractCommand(c);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    int status = Run(std::vector<std::string>(argv + 1, argv + argc));
    // Help piped into a closed reader, or written to a full disk, is a
    // failure too.
    if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
      std::fprintf(stderr, "bzelf: standard output: write error\n");
      return kExitFailure;
    }
    return status;
  } catch (const ToolError& e) {
    std::fprintf(stderr, "bzelf: %s: %s\n", e.file().c_str(), e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bzelf: %s\n", e.what());
  }
  return kExitFailure;
}
