// options.cpp: getopt over staprun's option string, then the cross-option
// rules.  Every message here matches what staprun users and tests expect.
#include "staprun/options.h"

#include "staprun/report.h"

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <getopt.h>
#include <sys/utsname.h>

namespace stp {
namespace {

// The option string of upstream staprun, so the same command lines parse.
constexpr const char *kOptString = "ALu::vihb:t:dc:o:x:N:S:DwRr:VT:C:M:F:";

// strtol over the whole string; nullopt when it is not a number.
std::optional<long> parse_long(const char *s) {
  if (s == nullptr || *s == '\0')
    return std::nullopt;
  char *end = nullptr;
  errno = 0;
  long v = std::strtol(s, &end, 10);
  if (errno != 0 || *end != '\0')
    return std::nullopt;
  return v;
}

// atoi-like: upstream reads numeric option values leniently, so "-x 12abc"
// is pid 12 there too; keep that so the same command lines behave alike.
long lenient_long(const char *s) { return std::strtol(s, nullptr, 10); }

ParseResult usage_error(const Options &opts) {
  print_usage(opts);
  return ParseResult{std::nullopt, 1};
}

ParseResult fail(const Options &opts, const std::string &msg) {
  report_error(msg);
  return usage_error(opts);
}

} // namespace

ParseResult parse_options(Program program, int argc, char **argv) {
  Options o;
  o.program = program;
  o.argv0 = argc > 0 ? argv[0] : (program == Program::kStaprun ? "staprun" : "stapio");
  for (int i = 1; i < argc; ++i)
    o.raw_args.emplace_back(argv[i]);

  optind = 1;
  opterr = 1;
  int c;
  while ((c = getopt(argc, argv, kOptString)) != EOF) {
    switch (c) {
    case 'u':
      o.load_uprobes = true;
      if (optarg != nullptr)
        o.uprobes_path = optarg;
      break;
    case 'v':
      ++o.verbose;
      break;
    case 'w':
      o.suppress_warnings = true;
      break;
    case 'b': {
      long size = lenient_long(optarg);
      if (size < 1 || size > 4095)
        return fail(o, "Invalid buffer size '" + std::to_string(size) +
                           "' (should be 1-4095).");
      o.buffer_size_mb = static_cast<int>(size);
      break;
    }
    case 't':
    case 'x':
      o.target_pid = static_cast<int>(lenient_long(optarg));
      break;
    case 'N': {
      long pid = lenient_long(optarg);
      if (pid < 1)
        return fail(o, "Invalid target namespaces pid " + std::to_string(pid) +
                           " (should be > 0).");
      o.namespaces_pid = static_cast<int>(pid);
      break;
    }
    case 'd':
      o.delete_module = true;
      break;
    case 'D':
      o.daemon = true;
      break;
    case 'F': {
      auto fd = parse_long(optarg);
      if (!fd || *fd < 0 || *fd > INT_MAX)
        return fail(o, std::string("Invalid file descriptor option '") + optarg + "'.");
      o.relay_dir_fd = static_cast<int>(*fd);
      break;
    }
    case 'c':
      o.target_cmd = optarg;
      break;
    case 'o':
      o.output_file = optarg;
      break;
    case 'S': {
      // size[,N]: size in MB (>= 1), N the number of files kept.
      std::string arg = optarg;
      std::string size = arg, count;
      if (auto comma = arg.find(','); comma != std::string::npos) {
        size = arg.substr(0, comma);
        count = arg.substr(comma + 1);
      }
      auto s = parse_long(size.c_str());
      auto n = count.empty() ? std::optional<long>(0) : parse_long(count.c_str());
      if (!s || *s < 1 || *s > LONG_MAX / (1024 * 1024) || !n || *n < 0 || *n > INT_MAX)
        return fail(o, "Invalid file size option '" + arg + "'.");
      o.rotate_size_mb = *s;
      o.rotate_count = static_cast<int>(*n);
      break;
    }
    case 'i':
      o.read_stdin = true;
      break;
    case 'h':
      o.show_help = true;
      break;
    case 'L':
      o.load_only = true;
      break;
    case 'A':
      o.attach = true;
      break;
    case 'R':
      o.rename = true;
      break;
    case 'r': {
      // N:URI, N a non-negative number.
      std::string arg = optarg;
      auto colon = arg.find(':');
      std::optional<long> id;
      if (colon != std::string::npos)
        id = parse_long(arg.substr(0, colon).c_str());
      if (!id || *id < 0 || *id > INT_MAX)
        return fail(o, "Cannot process remote id option '" + arg + "'.");
      o.remote_given = true;
      o.remote_id = static_cast<int>(*id);
      o.remote_uri = arg.substr(colon + 1);
      break;
    }
    case 'V':
      o.show_version = true;
      break;
    case 'T': {
      long ms = lenient_long(optarg);
      if (ms < 1)
        return fail(o, "Invalid reader timeout value '" + std::to_string(ms) +
                           "' (should be >= 1).");
      o.poll_timeout_ms = static_cast<int>(ms);
      break;
    }
    case 'C':
      if (std::strcmp(optarg, "never") == 0)
        o.color = ColorMode::kNever;
      else if (std::strcmp(optarg, "auto") == 0)
        o.color = ColorMode::kAuto;
      else if (std::strcmp(optarg, "always") == 0)
        o.color = ColorMode::kAlways;
      else
        return fail(o, std::string("Invalid option '") + optarg + "' for -C.");
      break;
    case 'M': {
      auto sec = parse_long(optarg);
      if (!sec || *sec < 1 || *sec > INT_MAX)
        return fail(o, "Invalid monitor interval");
      o.monitor = true;
      o.monitor_interval = static_cast<int>(*sec);
      break;
    }
    default:
      // getopt already said which option was wrong.
      return usage_error(o);
    }
  }

  if (o.show_help) {
    print_usage(o);
    return ParseResult{std::nullopt, 0};
  }
  if (o.show_version) {
    print_version();
    return ParseResult{std::nullopt, 0};
  }

  if (program == Program::kStaprun && o.relay_dir_fd >= 0)
    return fail(o, "Relay basedir -F option is invalid for staprun");

  // Cross-option rules, in the order upstream checks them.
  if (o.attach && o.load_only)
    return fail(o, "You can't specify the '-A' and '-L' options together.");
  if (o.attach && o.buffer_size_mb != 0)
    return fail(o, "You can't specify the '-A' and '-b' options together.  The '-b'\n"
                   "buffer size option only has an effect when the module is inserted.");
  if (o.attach && !o.target_cmd.empty())
    return fail(o, "You can't specify the '-A' and '-c' options together.  The '-c cmd'\n"
                   "option used to start a command only has an effect when the module\n"
                   "is inserted.");
  if (o.attach && o.target_pid != 0)
    return fail(o, "You can't specify the '-A' and '-x' options together.  The '-x pid'\n"
                   "option only has an effect when the module is inserted.");
  if (!o.target_cmd.empty() && o.target_pid != 0)
    return fail(o, "You can't specify the '-c' and '-x' options together.");
  if (o.daemon && o.load_only)
    return fail(o, "You can't specify the '-D' and '-L' options together.");
  if (o.daemon && o.delete_module)
    return fail(o, "You can't specify the '-D' and '-d' options together.");
  if (o.daemon && !o.target_cmd.empty())
    return fail(o, "You can't specify the '-D' and '-c' options together.");
  if (o.daemon && o.output_file.empty())
    return fail(o, "You have to specify output FILE with '-D' option.");
  if (o.rotate_size_mb != 0 && o.output_file.empty())
    return fail(o, "You have to specify output FILE with '-S' option.");

  if (optind < argc) {
    o.module = argv[optind++];
    for (; optind < argc; ++optind)
      o.module_params.emplace_back(argv[optind]);
  }
  if (o.module.empty())
    return fail(o, "Need a module name or path to load.");
  if (o.attach && !o.module_params.empty())
    return fail(o, "Cannot have module options with attach (-A).");

  return ParseResult{std::move(o), 0};
}

void print_usage(const Options &opts) {
  struct utsname u {};
  uname(&u);
  std::fprintf(stdout,
      "\n%s [-v] [-w] [-V] [-h] [-u] [-c cmd ] [-x pid] [-u user] [-A|-L|-d] [-C WHEN]\n"
      "\t[-b bufsize] [-R] [-r N:URI] [-o FILE [-D] [-S size[,N]]] MODULE [module-options]\n"
      "-v              Be more verbose (repeat for more).\n"
      "-V              Show the version and exit.\n"
      "-h              Show this help and exit.\n"
      "-w              Do not print warnings.\n"
      "-u              Load uprobes.ko first (old kernels only).\n"
      "-c cmd          Run 'cmd' once the probes are started; stop when it exits.\n"
      "                The module's target() is the pid of 'cmd'.\n"
      "-x pid          Make 'pid' the module's target().\n"
      "-N pid          Take the target namespaces from process 'pid'.\n"
      "-o FILE         Write the output to FILE (strftime(3) sequences expand).\n"
      "-b bufsize      Relay buffer size in MB, 1 to 4095, overriding the module's.\n"
      "                Per CPU in bulk mode.\n"
      "-L              Load the module and start its probes, then detach.\n"
      "-A              Attach to a module that is already loaded.\n"
      "-C WHEN         Color the messages: 'auto' (default), 'never' or 'always'.\n"
      "-d              Unload a detached or unused module; \"*\" (quoted) unloads all.\n"
      "-R              Rename the module before inserting it, so the same module\n"
      "                can run several times at once.\n"
      "-r N:URI        Data for the remote_id() and remote_uri() functions.\n"
      "-D              Run in the background; needs '-o'.\n"
      "-S size[,N]     Start a new output file when this one reaches 'size' MB;\n"
      "                keep at most N files.\n"
      "-T timeout      How long a reader waits for a full buffer, in ms (default 200).\n"
      "-F fd           Relay directory file descriptor (given by staprun to stapio).\n"
      "\n"
      "MODULE is a module path, or a module name looked up in\n"
      "/lib/modules/%s/systemtap\n",
      opts.argv0.c_str(), u.release);
}

void print_version() {
  std::fprintf(stderr, "Systemtap module loader/runner (version %s, %s)\n", kVersion,
               kVersionDescription);
}

} // namespace stp
