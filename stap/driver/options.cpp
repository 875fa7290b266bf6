#include "stap/driver/options.h"

#include <getopt.h>
#include <regex.h>

#include <cstdlib>
#include <cstring>
#include <iostream>

#include "stap/driver/version.h"

namespace stap {

namespace {

enum LongOnly {
  kOptCompatible = 1000,
  kOptVp,
  kOptNoGlobalVarDisplay,
  kOptPrivilege,
  kOptUnprivileged,
  kOptTmpdir,
  kOptDisableCache,
  kOptHelp,
  kOptVersion,
  kOptUnsupported,  // every long option whose feature does not exist yet
};

bool matches(const char* pattern, const std::string& s) {
  regex_t re;
  if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB | REG_ICASE) != 0) return false;
  bool ok = regexec(&re, s.c_str(), 0, nullptr, 0) == 0;
  regfree(&re);
  return ok;
}

void usage_hint() { std::cerr << "Try '--help' for more information. [man stap]\n"; }

bool unsupported(const std::string& what, int* exit_code) {
  std::cerr << "ERROR: option " << what << " is not supported yet\n";
  *exit_code = 1;
  return false;
}

void print_help() {
  std::cout <<
      "Usage: stap [options] FILE                    Run script in file.\n"
      "   or: stap [options] -                       Run script on stdin.\n"
      "   or: stap [options] -e SCRIPT               Run given script.\n"
      "\n"
      "Options (in ~/.systemtap/rc, before the command line ones):\n"
      "   --         end of options; what follows are script arguments\n"
      "   -h --help  show this help and exit\n"
      "   -V --version  show the version and exit\n"
      "   -v         more verbose; repeat for more (per pass: --vp ABCDE)\n"
      "   -p NUM     stop after pass NUM (1-5); 1 parse, 2 elaborate, 3 translate,\n"
      "              4 compile, 5 run\n"
      "   -e SCRIPT  the script text\n"
      "   -E SCRIPT  an extra script, alongside the main one (repeatable)\n"
      "   -I DIR     look in DIR for tapsets too\n"
      "   -D NM=VAL  define a C macro for the module build\n"
      "   -g         guru mode: allow embedded C and writes to the kernel\n"
      "   -u         unoptimized: keep unused code\n"
      "   -w         do not print warnings\n"
      "   -W         treat warnings as errors\n"
      "   -k         keep the temporary directory\n"
      "   -r DIR|REL kernel build tree or release to target\n"
      "   -a ARCH    target architecture\n"
      "   -m MODULE  name of the module to build\n"
      "   -R DIR     runtime directory\n"
      "   --compatible=VERSION  accept the language as of that version\n"
      "   --privilege=stapusr|stapsys|stapdev  check the script at that privilege\n"
      "   --no-global-var-display  do not print unread globals at the end\n"
      "   -o FILE    send the script's output to FILE\n"
      "   -c CMD     run CMD while the script runs; target() is its pid\n"
      "   -x PID     set target() to PID\n"
      "   -s MB      buffer size per CPU, 1-4095 MB\n"
      "   -B NAME=VALUE  pass to kbuild's make\n"
      "   -t         report the hits and handler cycles of each probe at the end\n"
      "   -G NAME=VALUE  initial value of a global\n"
      "   --tmpdir=DIR   where the temporary directory goes\n"
      "   --disable-cache  neither read nor write the module cache\n"
      "\n"
      "   -l PROBE   list the probe points PROBE matches, then exit\n"
      "   -L PROBE   as -l, with each point's script and target variables\n"
      "\n"
      "Not supported yet (refused with an error): -b -i -d\n"
      "   -F -S -T -P -q and the remaining long options of stap(1).\n";
}

}  // namespace

std::string version_banner() {
  std::string s;
  s += "Systemtap translator/driver (version ";
  s += kStapVersion;
  s += "/elfutils, C++ reimplementation)\n";
  s += "This is free software; see the source for copying conditions.\n";
  s += "tested kernel versions: 6.1 ... 6.12\n";
  s += "enabled features: (kernel modules)\n";
  return s;
}

bool parse_options(int argc, char** argv, Options* o, int* exit_code) {
  static const struct option kLong[] = {
      {"help", no_argument, nullptr, kOptHelp},
      {"version", no_argument, nullptr, kOptVersion},
      {"compatible", required_argument, nullptr, kOptCompatible},
      {"vp", required_argument, nullptr, kOptVp},
      {"no-global-var-display", no_argument, nullptr, kOptNoGlobalVarDisplay},
      {"privilege", required_argument, nullptr, kOptPrivilege},
      {"unprivileged", no_argument, nullptr, kOptUnprivileged},
      // Recognised so they are refused by name rather than called unknown.
      {"skip-badvars", no_argument, nullptr, kOptUnsupported},
      {"suppress-handler-errors", no_argument, nullptr, kOptUnsupported},
      {"semantic-keep-going", no_argument, nullptr, kOptUnsupported},
      {"clean-cache", no_argument, nullptr, kOptUnsupported},
      {"disable-cache", no_argument, nullptr, kOptDisableCache},
      {"poison-cache", no_argument, nullptr, kOptUnsupported},
      {"color", optional_argument, nullptr, kOptUnsupported},
      {"colour", optional_argument, nullptr, kOptUnsupported},
      {"use-server", optional_argument, nullptr, kOptUnsupported},
      {"use-server-on-error", optional_argument, nullptr, kOptUnsupported},
      {"list-servers", optional_argument, nullptr, kOptUnsupported},
      {"trust-servers", optional_argument, nullptr, kOptUnsupported},
      {"use-http-server", required_argument, nullptr, kOptUnsupported},
      {"client-options", no_argument, nullptr, kOptUnsupported},
      {"sign-module", optional_argument, nullptr, kOptUnsupported},
      {"dump-probe-types", no_argument, nullptr, kOptUnsupported},
      {"dump-probe-aliases", no_argument, nullptr, kOptUnsupported},
      {"dump-functions", no_argument, nullptr, kOptUnsupported},
      {"remote", required_argument, nullptr, kOptUnsupported},
      {"remote-prefix", no_argument, nullptr, kOptUnsupported},
      {"download-debuginfo", optional_argument, nullptr, kOptUnsupported},
      {"rlimit-as", required_argument, nullptr, kOptUnsupported},
      {"rlimit-cpu", required_argument, nullptr, kOptUnsupported},
      {"rlimit-nproc", required_argument, nullptr, kOptUnsupported},
      {"rlimit-stack", required_argument, nullptr, kOptUnsupported},
      {"rlimit-fsize", required_argument, nullptr, kOptUnsupported},
      {"sysroot", required_argument, nullptr, kOptUnsupported},
      {"sysenv", required_argument, nullptr, kOptUnsupported},
      {"suppress-time-limits", no_argument, nullptr, kOptUnsupported},
      {"runtime", required_argument, nullptr, kOptUnsupported},
      {"dyninst", no_argument, nullptr, kOptUnsupported},
      {"bpf", no_argument, nullptr, kOptUnsupported},
      {"save-uprobes", no_argument, nullptr, kOptUnsupported},
      {"target-namespaces", required_argument, nullptr, kOptUnsupported},
      {"monitor", optional_argument, nullptr, kOptUnsupported},
      {"language-server", no_argument, nullptr, kOptUnsupported},
      {"build-as", required_argument, nullptr, kOptUnsupported},
      {"tmpdir", required_argument, nullptr, kOptTmpdir},
      {"modinfo", required_argument, nullptr, kOptUnsupported},
      {"ldd", no_argument, nullptr, kOptUnsupported},
      {"all-modules", no_argument, nullptr, kOptUnsupported},
      {"prologue-searching", optional_argument, nullptr, kOptUnsupported},
      {"interactive", no_argument, nullptr, kOptUnsupported},
      {"example", no_argument, nullptr, kOptUnsupported},
      {"debug", no_argument, nullptr, kOptUnsupported},
      {"check-version", no_argument, nullptr, kOptUnsupported},
      {"benchmark-sdt", no_argument, nullptr, kOptUnsupported},
      {nullptr, 0, nullptr, 0},
  };
  const char* kShort = "hVvtp:I:e:E:o:R:r:a:m:kgPc:x:D:bs:uqiwl:d:L:FS:B:J:jWG:T:";
  optind = 1;
  opterr = 1;
  *exit_code = 1;
  int v_count = 0;
  for (;;) {
    int idx = 0;
    int c = getopt_long(argc, argv, kShort, kLong, &idx);
    if (c == -1) break;
    switch (c) {
      case 'h':
      case kOptHelp:
        print_help();
        *exit_code = 0;
        return false;
      case 'V':
      case kOptVersion:
        std::cerr << version_banner();
        *exit_code = 0;
        return false;
      case 'v':
        ++v_count;
        break;
      case kOptVp: {
        std::string s = optarg;
        if (s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos) {
          std::cerr << "Invalid --vp argument: it takes 1 to 5 digits.\n";
          return false;
        }
        for (size_t i = 0; i < s.size(); ++i) o->verbose[i] += s[i] - '0';
        break;
      }
      case 'p': {
        char* end = nullptr;
        long n = std::strtol(optarg, &end, 10);
        if (*end != 0 || n < 1 || n > 5) {
          std::cerr << "Invalid pass number (should be 1-5).\n";
          return false;
        }
        o->last_pass = static_cast<int>(n);
        o->last_pass_set = true;
        break;
      }
      case 'l':
      case 'L': {
        if (o->listing != Options::Listing::None) {
          std::cerr << "ERROR: only one of the -l/-L/--dump-* switches may be specified\n";
          return false;
        }
        o->listing = c == 'l' ? Options::Listing::Points : Options::Listing::PointsAndVars;
        o->listing_pattern = optarg;
        // A listing never builds anything, and warnings about the tapsets it walks
        // through are noise.
        o->suppress_warnings = true;
        break;
      }
      case 'I':
        o->include_dirs.push_back(optarg);
        break;
      case 'e':
        if (o->have_script_text) {
          std::cerr << "Only one script can be given on the command line.\n";
          return false;
        }
        o->script_text = optarg;
        o->have_script_text = true;
        break;
      case 'E':
        o->extra_scripts.push_back(optarg);
        break;
      case 'g':
        o->guru = true;
        break;
      case 'u':
        o->unoptimized = true;
        break;
      case 'w':
        o->suppress_warnings = true;
        break;
      case 'W':
        o->warnings_as_errors = true;
        break;
      case 'k':
        o->keep_tmpdir = true;
        break;
      case 'D':
        if (!matches("^[a-z_][a-z_0-9]*(=-?[a-z_0-9]+)?$", optarg)) {
          std::cerr << "ERROR: Safety pattern mismatch for -D parameter ('" << optarg
                    << "' vs. '^[a-z_][a-z_0-9]*(=-?[a-z_0-9]+)?$') rc=1\n";
          return false;
        }
        o->defines.push_back(optarg);
        break;
      case 'G':
        // Initial values of globals, applied when the module loads.
        if (!matches("^[a-z_][a-z0-9_]*=[a-z0-9_.-]+$", optarg)) {
          std::cerr << "ERROR: Safety pattern mismatch for -G parameter ('" << optarg
                    << "' vs. '^[a-z_][a-z0-9_]*=[a-z0-9_.-]+$') rc=1\n";
          return false;
        }
        o->global_settings.push_back(optarg);
        break;
      case 'r':
        // A release never contains '/', so any path (also a relative one) is a build tree.
        if (std::string(optarg).find('/') != std::string::npos) {
          o->kernel_build_tree = optarg;
        } else {
          o->kernel_release = optarg;
          o->kernel_build_tree.clear();
        }
        break;
      case 'a':
        if (!matches("^[a-z0-9_-]+$", optarg)) {
          std::cerr << "ERROR: Safety pattern mismatch for -a parameter ('" << optarg
                    << "' vs. '^[a-z0-9_-]+$') rc=1\n";
          return false;
        }
        o->arch = optarg;
        break;
      case 'm': {
        std::string m = optarg;
        for (const char* ext : {".ko", ".so"}) {
          size_t n = std::strlen(ext);
          if (m.size() > n && m.compare(m.size() - n, n, ext) == 0) {
            m.resize(m.size() - n);
            std::cerr << "Truncating module name to '" << m << "'\n";
          }
        }
        if (!matches("^[a-z0-9_]+$", m)) {
          std::cerr << "ERROR: Safety pattern mismatch for -m parameter ('" << m
                    << "' vs. '^[a-z0-9_]+$') rc=1\n";
          return false;
        }
        if (m.size() > 55) {
          m.resize(55);
          std::cerr << "Truncating module name to '" << m << "'\n";
        }
        o->module_name = m;
        break;
      }
      case 'R':
        o->runtime_dir = optarg;
        break;
      case 'o':
        o->output_file = optarg;
        break;
      case 'c':
        o->target_command = optarg;
        break;
      case 'x': {
        char* end = nullptr;
        long pid = std::strtol(optarg, &end, 10);
        if (*end != 0 || pid <= 0) {
          std::cerr << "Invalid target process ID number.\n";
          return false;
        }
        o->target_pid = pid;
        break;
      }
      case 's': {
        char* end = nullptr;
        long mb = std::strtol(optarg, &end, 10);
        if (*end != 0 || mb < 1 || mb > 4095) {
          std::cerr << "Invalid buffer size (should be 1-4095).\n";
          return false;
        }
        o->buffer_mb = static_cast<int>(mb);
        break;
      }
      case 'B':
        o->kbuild_args.push_back(optarg);
        break;
      case 't':
        o->timing = true;
        break;
      case kOptTmpdir:
        o->tmpdir = optarg;
        break;
      case kOptDisableCache:
        o->disable_cache = true;
        break;
      case kOptCompatible:
        o->compatible = optarg;
        break;
      case kOptNoGlobalVarDisplay:
        o->no_global_var_display = true;
        break;
      case kOptPrivilege: {
        std::string p = optarg;
        if (o->privilege_set) {
          std::cerr << "Privilege level may only be specified once.\n";
          return false;
        }
        if (p != "stapusr" && p != "stapsys" && p != "stapdev") {
          std::cerr << "Invalid argument '" << p
                    << "' for --privilege. Use one of stapusr, stapsys or stapdev.\n";
          return false;
        }
        o->privilege = p;
        o->privilege_set = true;
        break;
      }
      case kOptUnprivileged:
        if (o->privilege_set) {
          std::cerr << "Privilege level may only be specified once.\n";
          return false;
        }
        o->privilege = "stapusr";
        o->privilege_set = true;
        break;
      case kOptUnsupported:
        return unsupported(std::string("--") + kLong[idx].name, exit_code);
      case '?':
        usage_hint();
        return false;
      default:
        return unsupported(std::string("-") + static_cast<char>(c), exit_code);
    }
  }
  for (int i = 0; i < 5; ++i) o->verbose[i] += v_count;
  if (o->guru && o->privilege_set && o->privilege != "stapdev") {
    std::cerr << "You can't specify -g and --privilege=" << o->privilege << " together.\n";
    usage_hint();
    return false;
  }
  int i = optind;
  if (o->listing != Options::Listing::None) {
    const char* clash = o->have_script_text ? "Cannot specify a script with -l/-L/--dump-* switches."
                        : o->last_pass_set  ? "Cannot specify -p with -l/-L/--dump-* switches."
                                            : nullptr;
    if (clash) {
      std::cerr << clash << "\n";
      usage_hint();
      return false;
    }
    // The pattern becomes the script; every operand is a script argument.
    o->script_text = "probe " + o->listing_pattern + " {}";
    o->have_script_text = true;
    o->last_pass = 2;
    o->extra_scripts.clear();
  }
  if (!o->have_script_text) {
    if (i >= argc) {
      std::cerr << "A script must be specified.\n";
      usage_hint();
      return false;
    }
    o->script_file = argv[i++];
  }
  for (; i < argc; ++i) o->args.push_back(argv[i]);
  *exit_code = 0;
  return true;
}

}  // namespace stap
