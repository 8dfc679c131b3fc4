#include "command-line.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <optional>

namespace bzelf {
namespace {

enum class Opt {
  kOutput, kCmdline, kPaddrOffset, kLevel, kFloppy, kRelocs, kKernelAlignment, kLoadAddress, kVirtualOffset, kJson
};

struct OptionSpec {
  Opt id;
  const char* name;             // as typed
  const char* value = nullptr;  // the name of its value in the help; nullptr: a flag
  const char* help = "";        // lines after the first are indented under it
  bool required = false;
  bool numeric = false;  // its value is a number (ParseNumber)
};

struct CommandSpec {
  const char* name;
  const char* operand;  // what it takes, e.g. "KERNEL"; one at most
  bool operand_optional;
  const char* synopsis;  // after "bzelf NAME"
  const char* summary;   // its line in the general help
  const char* about;     // the paragraph of `bzelf help NAME`
  std::vector<OptionSpec> options;
};

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> commands = {
      {"build", "KERNEL", false, "KERNEL -o IMAGE [OPTION...]",
       "wrap a kernel in a bootable image",
       "Wraps the x86 kernel KERNEL (32- or 64-bit) in IMAGE, an image that\n"
       "boots through the Linux x86 boot protocol (a bzImage). KERNEL is an ELF\n"
       "file, that ELF compressed (gzip, bzip2, xz, lzma, lzop, lz4, zstd), a\n"
       "Linux bzImage such as /boot/vmlinuz-* (its vmlinux is wrapped), or a\n"
       "bzelf image (wrapped again with these options), told apart by content.\n"
       "IMAGE appears only once complete: a failure leaves none; \"-\" is\n"
       "standard output.\n",
       {{.id = Opt::kOutput, .name = "-o", .value = "IMAGE",
         .help = "the image to write (required)",
         .required = true},
        {.id = Opt::kCmdline, .name = "--cmdline", .value = "STR",
         .help = "the command line for loaders that pass none"},
        {.id = Opt::kPaddrOffset, .name = "--paddr-offset", .value = "N",
         .help = "load each segment at p_paddr - N, instead of by the rule\n"
                 "`bzelf info KERNEL` names",
         .numeric = true},
        // -1 to -9 too, as gzip's levels (ParseCommand).
        {.id = Opt::kLevel, .name = "--level", .value = "N",
         .help = "the payload's zlib level, 1 (fastest) to 9 (smallest,\n"
                 "the default); -1 to -9 say the same",
         .numeric = true},
        {.id = Opt::kFloppy, .name = "--floppy",
         .help = "pad IMAGE to a 1.44 MB floppy, or 2.88 MB when it needs\n"
                 "that; an image too big for 2.88 MB is refused"},
        {.id = Opt::kRelocs, .name = "--relocs", .value = "FILE",
         .help = "the kernel's relocations, Linux's vmlinux.relocs, for a\n"
                 "vmlinux that does not carry them after its ELF"},
        {.id = Opt::kKernelAlignment, .name = "--kernel-alignment", .value = "N",
         .help = "the steps a Linux kernel with relocations moves in, its\n"
                 "CONFIG_PHYSICAL_ALIGN, for a vmlinux, which does not\n"
                 "record it (a bzImage's header does; default 2 MiB)",
         .numeric = true},
        {.id = Opt::kLoadAddress, .name = "--load-address", .value = "ADDR",
         .help = "always load a kernel that can move (see `bzelf info`)\n"
                 "with its lowest segment at physical ADDR",
         .numeric = true},
        {.id = Opt::kVirtualOffset, .name = "--virtual-offset", .value = "N",
         .help = "always move an x86_64 Linux kernel N bytes up in\n"
                 "virtual memory (a multiple of its alignment step, 2 MiB\n"
                 "by default, below 1 GiB)",
         .numeric = true}}},
      {"info", "FILE", false, "[--json] FILE", "describe an image or a kernel",
       "Describes FILE: what it is (\"input\": an ELF, a compressed one, a Linux\n"
       "bzImage, a bzelf image); for an image, every setup header field, the\n"
       "stage ELF, the payload, the placement rule and whether the checksums\n"
       "match; for a kernel, its segments and the placement rule `bzelf build`\n"
       "applies.\n"
       "An image whose checksums do not match is described, then exit status 1.\n",
       {{.id = Opt::kJson, .name = "--json",
         .help = "print JSON for scripts, with where each piece of an\n"
                 "image is in the file (\"layout\")"}}},
      {"extract", "IMAGE", false, "IMAGE -o KERNEL", "take the kernel back out of an image",
       "Inflates the kernel ELF out of the payload of IMAGE with the decoder the\n"
       "boot stage runs, and checks the payload's CRC32 and length. From a\n"
       "Linux bzImage (/boot/vmlinuz-*), its vmlinux, relocations after it,\n"
       "whatever compressed it. KERNEL\n"
       "appears only once complete: a failure leaves none; \"-\" is standard\n"
       "output.\n",
       {{.id = Opt::kOutput, .name = "-o", .value = "KERNEL",
         .help = "the ELF file to write (required)",
         .required = true}}},
      {"help", "COMMAND", true, "[COMMAND]", "print this help, or a command's",
       "Prints what bzelf does, or what COMMAND does and its options.\n",
       {}},
  };
  return commands;
}

// The column at which the help of an option starts.
constexpr size_t kHelpColumn = 22;

const char kExitStatusText[] =
    "Exit status: 0 success, 1 failure (an input that cannot be used, an I/O\n"
    "error), 2 usage error (an unknown command or option, a missing value).\n";

const CommandSpec* FindCommand(const std::string& name) {
  for (const CommandSpec& c : Commands()) {
    if (name == c.name) return &c;
  }
  return nullptr;
}

const OptionSpec* FindOption(const CommandSpec& spec, const std::string& name) {
  for (const OptionSpec& o : spec.options) {
    if (name == o.name) return &o;
  }
  return nullptr;
}

std::string Synopsis(const CommandSpec& c) {
  return std::string("bzelf ") + c.name + " " + c.synopsis;
}

// "usage: " and every command's synopsis, one a line.
std::string SynopsisLines() {
  std::string text;
  const char* lead = "usage: ";
  for (const CommandSpec& c : Commands()) {
    text += lead + Synopsis(c) + "\n";
    lead = "       ";
  }
  return text + lead + "bzelf --version\n";
}

// "  NAME VALUE" padded to kHelpColumn, then `help` with its lines
// indented to that column.
std::string HelpLine(const std::string& head, const char* help) {
  std::string line = head;
  line.resize(std::max(line.size() + 2, kHelpColumn), ' ');
  for (const char* p = help; *p; ++p) {
    line += *p;
    if (*p == '\n') line += std::string(kHelpColumn, ' ');
  }
  return line + "\n";
}

std::optional<uint64_t> ParseNumber(const std::string& s) {
  // strtoull would take "-1" as 2^64 - 1, and skip leading blanks.
  if (s.empty() || s[0] < '0' || s[0] > '9') return std::nullopt;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (*end != 0 || errno != 0) return std::nullopt;
  return v;
}

CommandLine UsageError(std::string command, std::string error) {
  CommandLine c;
  c.action = CommandLine::Action::kUsageError;
  c.command = std::move(command);
  c.error = std::move(error);
  return c;
}

// Applies option `o` with `value` (empty for a flag) to `c`; returns what
// is wrong with the value, or nothing.
std::string Apply(const OptionSpec& o, const std::string& value, CommandLine& c) {
  std::optional<uint64_t> number;
  if (o.numeric) {
    number = ParseNumber(value);
    if (!number) return std::string(o.name) + ": not a number: " + value;
  }
  switch (o.id) {
    case Opt::kOutput:
      c.output = value;
      break;
    case Opt::kCmdline:
      c.build.cmdline = value;
      break;
    case Opt::kPaddrOffset:
      c.build.paddr_offset = *number;
      break;
    case Opt::kLevel:
      if (*number < 1 || *number > 9) {
        return std::string(o.name) + ": not a level from 1 to 9: " + value;
      }
      c.build.level = static_cast<int>(*number);
      break;
    case Opt::kFloppy:
      c.build.floppy = true;
      break;
    case Opt::kRelocs:
      c.build.relocs_name = value;
      break;
    case Opt::kKernelAlignment:
      if (*number == 0 || (*number & (*number - 1)) != 0) {
        return std::string(o.name) + ": not a power of two: " + value;
      }
      c.build.kernel_alignment_option = *number;
      break;
    case Opt::kLoadAddress:
      c.build.load_address = *number;
      break;
    case Opt::kVirtualOffset:
      c.build.virt_offset = *number;
      break;
    case Opt::kJson:
      c.json = true;
      break;
  }
  return "";
}

// The arguments after the command's name.
CommandLine ParseCommand(const CommandSpec& spec, const std::vector<std::string>& args) {
  const std::string name = spec.name;
  CommandLine c;
  c.command = name;
  std::vector<Opt> given;
  bool options_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    // "-" alone is a file name, as for most tools.
    if (options_done || arg.size() < 2 || arg[0] != '-') {
      c.operands.push_back(arg);
      continue;
    }
    if (arg == "--") {
      options_done = true;
      continue;
    }
    if (arg == "-h" || arg == "--help") {
      c.action = CommandLine::Action::kHelp;
      c.operands.clear();
      return c;
    }
    // --NAME=VALUE, as GNU getopt_long takes it; -N for --level N.
    std::string option = arg;
    std::optional<std::string> value;
    size_t equals = arg.find('=');
    if (arg.compare(0, 2, "--") == 0 && equals != std::string::npos) {
      option = arg.substr(0, equals);
      value = arg.substr(equals + 1);
    } else if (arg.size() == 2 && arg[1] >= '1' && arg[1] <= '9' && FindOption(spec, "--level")) {
      option = "--level";
      value = arg.substr(1);
    }
    const OptionSpec* o = FindOption(spec, option);
    if (!o) return UsageError(name, name + ": unknown option " + option);
    if (!o->value && value) return UsageError(name, name + ": " + option + " takes no value");
    if (o->value && !value) {
      if (i + 1 >= args.size()) {
        return UsageError(name, name + ": " + option + " needs a value (" + o->value + ")");
      }
      value = args[++i];
    }
    std::string problem = Apply(*o, value.value_or(""), c);
    if (!problem.empty()) return UsageError(name, name + ": " + problem);
    given.push_back(o->id);
  }
  if (c.operands.empty() && !spec.operand_optional) {
    return UsageError(name, name + ": no " + spec.operand + " given");
  }
  if (c.operands.size() > 1) {
    return UsageError(name, name + ": one " + spec.operand + " only, not " +
                                std::to_string(c.operands.size()));
  }
  for (const OptionSpec& o : spec.options) {
    if (o.required && std::find(given.begin(), given.end(), o.id) == given.end()) {
      return UsageError(name, name + ": " + o.name + " " + o.value + " is required");
    }
  }
  if (name == "help") {
    std::string topic = c.operands.empty() ? "" : c.operands[0];
    if (!topic.empty() && !FindCommand(topic)) {
      return UsageError("", "help: unknown command " + topic);
    }
    c.action = CommandLine::Action::kHelp;
    c.command = topic;
    c.operands.clear();
    return c;
  }
  c.action = CommandLine::Action::kRun;
  return c;
}

}  // namespace

CommandLine ParseCommandLine(const std::vector<std::string>& args) {
  if (args.empty()) return UsageError("", "no command given");
  const std::string& first = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (first == "-V" || first == "--version") {
    if (!rest.empty()) return UsageError("", first + " takes no arguments");
    CommandLine c;
    c.action = CommandLine::Action::kVersion;
    return c;
  }
  // `bzelf --help build` asks what `bzelf help build` does.
  const CommandSpec* spec = FindCommand(first == "-h" || first == "--help" ? "help" : first);
  if (!spec) {
    bool option = first.size() > 1 && first[0] == '-';
    return UsageError("", (option ? "unknown option " : "unknown command ") + first);
  }
  return ParseCommand(*spec, rest);
}

std::string HelpText(const std::string& command) {
  const CommandSpec* spec = FindCommand(command);
  if (!spec) {
    std::string text = SynopsisLines() +
                       "\n"
                       "Wraps an x86 kernel (Linux's vmlinux or vmlinuz, or any 32- or 64-bit\n"
                       "kernel ELF, compressed or not) in an image that boots through the\n"
                       "Linux x86 boot protocol, and reads such images back.\n"
                       "\n"
                       "Commands:\n";
    for (const CommandSpec& c : Commands()) text += HelpLine(std::string("  ") + c.name, c.summary);
    text += "\nOptions:\n";
    text += HelpLine("  -h, --help", "print this help (after a command: that command's)");
    text += HelpLine("  -V, --version", "print the version and exit");
    return text + "\n" + kExitStatusText +
           "`bzelf help COMMAND` prints a command's options; the manual is bzelf(1).\n";
  }
  std::string text = "usage: " + Synopsis(*spec) + "\n\n" + spec->about + "\nOptions:\n";
  bool numbers = false;
  for (const OptionSpec& o : spec->options) {
    text += HelpLine(std::string("  ") + o.name + (o.value ? std::string(" ") + o.value : ""),
                     o.help);
    numbers = numbers || o.numeric;
  }
  text += HelpLine("  -h, --help", "print this help and exit");
  if (numbers) text += "\nNumbers are decimal, octal (0...) or hexadecimal (0x...).\n";
  return text + "\n" + kExitStatusText;
}

std::string UsageText(const std::string& command) {
  const CommandSpec* spec = FindCommand(command);
  if (!spec) return SynopsisLines() + "Try 'bzelf help' for more.\n";
  return "usage: " + Synopsis(*spec) + "\nTry 'bzelf help " + command + "' for more.\n";
}

std::vector<std::string> CommandNames() {
  std::vector<std::string> names;
  for (const CommandSpec& c : Commands()) names.push_back(c.name);
  return names;
}

}  // namespace bzelf
