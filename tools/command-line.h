// The command line of `bzelf`: what each command accepts, its help text,
// and the parser that turns arguments into a request or a usage error.
// One table (command-line.cpp) says which options each command takes; the
// parser, `bzelf help` and the usage lines are all made from it.
#pragma once

#include <string>
#include <vector>

#include "image.h"

namespace bzelf {

// Exit statuses, as `bzelf help`, bzelf.1 and README.md document them.
constexpr int kExitSuccess = 0;
constexpr int kExitFailure = 1;  // an input that cannot be used, an I/O error
constexpr int kExitUsage = 2;    // a command line that cannot be understood

struct CommandLine {
  enum class Action {
    kRun,         // run `command`
    kHelp,        // print HelpText(command) ("" for the general help)
    kVersion,     // print the version
    kUsageError,  // print `error` and UsageText(command), exit kExitUsage
  };
  Action action = Action::kUsageError;
  std::string command;  // "build", "info", "extract" or "help"
  std::string error;    // for kUsageError: what is wrong, without "bzelf: "

  std::vector<std::string> operands;  // the input file of build, info, extract
  std::string output;                 // -o
  BuildOptions build;                 // --cmdline, --paddr-offset, --level, --floppy
  bool json = false;                  // info --json
};

// `args` are the arguments after the program name.
CommandLine ParseCommandLine(const std::vector<std::string>& args);

// `bzelf help` (command empty) or `bzelf help COMMAND`, for stdout. An
// unknown command gets the general help.
std::string HelpText(const std::string& command);

// The usage lines that follow a usage error on stderr: the command's, or
// every command's when `command` is empty or unknown; then where to find
// more.
std::string UsageText(const std::string& command);

// The commands, in the order `bzelf help` lists them.
std::vector<std::string> CommandNames();

}  // namespace bzelf
