// The stap command line (stap(1), systemtap-facts §10).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace stap {

struct Options {
  int last_pass = 5;
  bool last_pass_set = false;      // -p given (refused with -l/-L)
  // -l / -L: list the probe points PATTERN expands to (with their variables for -L)
  // instead of running a script; stops after pass 2.
  enum class Listing { None, Points, PointsAndVars } listing = Listing::None;
  std::string listing_pattern;
  int verbose[5] = {0, 0, 0, 0, 0};  // per pass (--vp), -v raises all
  bool guru = false;
  bool unoptimized = false;        // -u
  bool suppress_warnings = false;  // -w
  bool warnings_as_errors = false; // -W
  bool keep_tmpdir = false;        // -k
  std::string script_file;         // FILE or "-" (stdin)
  std::string script_text;         // -e
  bool have_script_text = false;
  std::vector<std::string> extra_scripts;  // -E
  std::vector<std::string> include_dirs;   // -I
  std::vector<std::string> defines;        // -D
  std::vector<std::string> global_settings;  // -G NAME=VALUE
  std::vector<std::string> args;           // $1 ...
  std::string kernel_release;              // -r RELEASE
  std::string kernel_build_tree;           // -r /DIR
  std::string module_name;                 // -m
  std::string arch;                        // -a
  std::string compatible;                  // --compatible
  std::string runtime_dir;                 // -R (SYSTEMTAP_RUNTIME)
  bool no_global_var_display = false;
  std::string output_file;                 // -o
  std::string target_command;              // -c
  long target_pid = 0;                     // -x
  int buffer_mb = 0;                       // -s (0 = staprun's default)
  std::vector<std::string> kbuild_args;    // -B NAME=VALUE
  std::string tmpdir;                      // --tmpdir
  bool disable_cache = false;              // --disable-cache
  bool timing = false;                     // -t
  std::string privilege = "stapdev";
  bool privilege_set = false;
};

// Parses argv. On a usage error prints to stderr and returns false with *exit_code set;
// for --help / -V prints and returns false with exit code 0.
bool parse_options(int argc, char** argv, Options* opts, int* exit_code);

std::string version_banner();

}  // namespace stap
