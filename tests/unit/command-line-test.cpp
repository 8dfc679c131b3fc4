// The command-line parser: what each command takes, what it refuses as a
// usage error, and that the help names every option it takes.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command-line.h"

namespace bzelf {
namespace {

using Action = CommandLine::Action;

CommandLine Parse(std::vector<std::string> args) { return ParseCommandLine(args); }

TEST(CommandLine, BuildTakesEveryOption) {
  CommandLine c = Parse({"build", "k.elf", "-o", "k.img", "--cmdline", "console=ttyS0",
                         "--paddr-offset", "0x80000000", "--level", "3",
                         "--kernel-alignment", "0x1000000"});
  ASSERT_EQ(c.action, Action::kRun) << c.error;
  EXPECT_EQ(c.command, "build");
  EXPECT_EQ(c.operands, std::vector<std::string>{"k.elf"});
  EXPECT_EQ(c.output, "k.img");
  EXPECT_EQ(c.build.cmdline, "console=ttyS0");
  EXPECT_EQ(c.build.paddr_offset, 0x80000000u);
  EXPECT_EQ(c.build.level, 3);
  EXPECT_EQ(c.build.kernel_alignment_option, 0x1000000u);
}

TEST(CommandLine, LongOptionsTakeTheirValueAfterAnEqualsSign) {
  CommandLine c = Parse({"build", "--cmdline=root=/dev/sda1 ro", "--level=2",
                         "--paddr-offset=010", "-o", "x", "k"});
  ASSERT_EQ(c.action, Action::kRun) << c.error;
  EXPECT_EQ(c.build.cmdline, "root=/dev/sda1 ro");
  EXPECT_EQ(c.build.level, 2);
  EXPECT_EQ(c.build.paddr_offset, 8u);
}

TEST(CommandLine, DigitOptionsAreLevels) {
  CommandLine c = Parse({"build", "-1", "k", "-o", "x"});
  ASSERT_EQ(c.action, Action::kRun) << c.error;
  EXPECT_EQ(c.build.level, 1);
  EXPECT_EQ(Parse({"build", "k", "-o", "x"}).build.level, 9);
  EXPECT_EQ(Parse({"build", "k", "-o", "x", "-0"}).action, Action::kUsageError);
  EXPECT_EQ(Parse({"info", "-9", "k"}).action, Action::kUsageError);
}

TEST(CommandLine, AfterDoubleDashEverythingIsAFile) {
  CommandLine c = Parse({"info", "--", "--json"});
  ASSERT_EQ(c.action, Action::kRun) << c.error;
  EXPECT_FALSE(c.json);
  EXPECT_EQ(c.operands, std::vector<std::string>{"--json"});
  EXPECT_EQ(Parse({"info", "-"}).operands, std::vector<std::string>{"-"});
}

TEST(CommandLine, InfoAndExtract) {
  CommandLine info = Parse({"info", "--json", "a.img"});
  ASSERT_EQ(info.action, Action::kRun) << info.error;
  EXPECT_TRUE(info.json);
  CommandLine extract = Parse({"extract", "a.img", "-o", "k.elf"});
  ASSERT_EQ(extract.action, Action::kRun) << extract.error;
  EXPECT_EQ(extract.output, "k.elf");
}

TEST(CommandLine, VersionAndHelp) {
  EXPECT_EQ(Parse({"--version"}).action, Action::kVersion);
  EXPECT_EQ(Parse({"-V"}).action, Action::kVersion);
  for (auto args : std::vector<std::vector<std::string>>{{"help"}, {"-h"}, {"--help"}}) {
    CommandLine c = Parse(args);
    EXPECT_EQ(c.action, Action::kHelp) << args[0];
    EXPECT_EQ(c.command, "") << args[0];
  }
  // --help anywhere among a command's options, before any it refuses.
  for (const std::string& name : CommandNames()) {
    for (auto args : std::vector<std::vector<std::string>>{
             {"help", name}, {"--help", name}, {name, "--help"}, {name, "-h"},
             {name, "x", "--help"}, {name, "x", "--help", "--bogus"}}) {
      CommandLine c = Parse(args);
      EXPECT_EQ(c.action, Action::kHelp) << args[0] << " " << args[1];
      EXPECT_EQ(c.command, name) << args[0] << " " << args[1];
    }
  }
}

// Each: the arguments, the command the usage lines are for, and what the
// error must say.
struct UsageCase {
  std::vector<std::string> args;
  std::string command;
  std::string error;
};

TEST(CommandLine, UsageErrors) {
  const UsageCase cases[] = {
      {{}, "", "no command given"},
      {{"frob"}, "", "unknown command frob"},
      {{"--frob"}, "", "unknown option --frob"},
      {{"--version", "build"}, "", "--version takes no arguments"},
      {{"build"}, "build", "build: no KERNEL given"},
      {{"build", "k"}, "build", "build: -o IMAGE is required"},
      {{"build", "k", "-o"}, "build", "build: -o needs a value (IMAGE)"},
      {{"build", "a", "b", "-o", "x"}, "build", "build: one KERNEL only, not 2"},
      {{"build", "k", "-o", "x", "--json"}, "build", "build: unknown option --json"},
      {{"build", "k", "-o", "x", "--level", "10"}, "build",
       "build: --level: not a level from 1 to 9: 10"},
      {{"build", "k", "-o", "x", "--level", "0"}, "build",
       "build: --level: not a level from 1 to 9: 0"},
      {{"build", "k", "-o", "x", "--paddr-offset", "-1"}, "build",
       "build: --paddr-offset: not a number: -1"},
      {{"build", "k", "-o", "x", "--paddr-offset", " 1"}, "build",
       "build: --paddr-offset: not a number:  1"},
      {{"build", "k", "-o", "x", "--paddr-offset=0x"}, "build",
       "build: --paddr-offset: not a number: 0x"},
      {{"build", "k", "-o", "x", "--paddr-offset", "0x10000000000000000"}, "build",
       "build: --paddr-offset: not a number: 0x10000000000000000"},
      {{"build", "k", "-o", "x", "--kernel-alignment", "0x300000"}, "build",
       "build: --kernel-alignment: not a power of two: 0x300000"},
      {{"build", "k", "-o", "x", "--kernel-alignment", "0"}, "build",
       "build: --kernel-alignment: not a power of two: 0"},
      {{"info", "--json=yes", "k"}, "info", "info: --json takes no value"},
      {{"info", "-o", "x", "k"}, "info", "info: unknown option -o"},
      {{"extract", "a.img"}, "extract", "extract: -o KERNEL is required"},
      {{"help", "frob"}, "", "help: unknown command frob"},
      {{"help", "build", "info"}, "help", "help: one COMMAND only, not 2"},
  };
  for (const UsageCase& u : cases) {
    CommandLine c = ParseCommandLine(u.args);
    std::string line;
    for (const std::string& a : u.args) line += a + " ";
    EXPECT_EQ(c.action, Action::kUsageError) << line;
    EXPECT_EQ(c.command, u.command) << line;
    EXPECT_EQ(c.error, u.error) << line;
  }
}

TEST(CommandLine, UsageNamesTheCommandOrAllOfThem) {
  EXPECT_EQ(UsageText("build").rfind("usage: bzelf build KERNEL -o IMAGE", 0), 0u);
  std::string all = UsageText("");
  for (const std::string& name : CommandNames()) {
    EXPECT_NE(all.find("bzelf " + name + " "), std::string::npos) << name;
  }
  EXPECT_NE(all.find("bzelf --version"), std::string::npos);
}

// The help lists what the parser takes: an option the parser knows but the
// help leaves out (or the reverse) fails here.
TEST(CommandLine, HelpListsEveryOptionTheParserTakes) {
  const struct {
    std::string command;
    std::vector<std::string> taken;  // options ParseCommandLine accepts
  } commands[] = {
      {"build", {"-o", "--cmdline", "--paddr-offset", "--level"}},
      {"info", {"--json"}},
      {"extract", {"-o"}},
      {"help", {}},
  };
  for (const auto& c : commands) {
    std::string help = HelpText(c.command);
    EXPECT_EQ(help.rfind("usage: bzelf " + c.command + " ", 0), 0u) << c.command;
    EXPECT_NE(help.find("Exit status: 0 success, 1 failure"), std::string::npos);
    for (const std::string& option : c.taken) {
      EXPECT_NE(help.find("\n  " + option + " "), std::string::npos) << c.command << option;
    }
    EXPECT_NE(help.find("\n  -h, --help "), std::string::npos) << c.command;
  }
  std::string general = HelpText("");
  for (const std::string& name : CommandNames()) {
    EXPECT_NE(general.find("\n  " + name + " "), std::string::npos) << name;
  }
  EXPECT_NE(general.find("-V, --version"), std::string::npos);
}

}  // namespace
}  // namespace bzelf
