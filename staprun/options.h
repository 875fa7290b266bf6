// options.h: the command line shared by staprun and stapio.
//
// staprun execs stapio with its own arguments plus -F<fd>, so both parse the
// same option set; a few options make sense to only one of them.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace stp {

enum class Program { kStaprun, kStapio };
enum class ColorMode { kNever, kAuto, kAlways };

struct Options {
  Program program = Program::kStaprun;
  std::string argv0;
  int verbose = 0;
  bool suppress_warnings = false;   // -w
  bool load_uprobes = false;        // -u[PATH]
  std::string uprobes_path;
  std::string target_cmd;           // -c
  int target_pid = 0;               // -x / -t
  int namespaces_pid = 0;           // -N
  std::string output_file;          // -o, as given (expanded later)
  int buffer_size_mb = 0;           // -b, 0 = module default
  bool load_only = false;           // -L
  bool attach = false;              // -A
  bool delete_module = false;       // -d
  bool daemon = false;              // -D
  bool rename = false;              // -R
  bool remote_given = false;        // -r N:URI
  int remote_id = -1;
  std::string remote_uri;
  long rotate_size_mb = 0;          // -S size[,N]
  int rotate_count = 0;
  int poll_timeout_ms = 200;        // -T
  ColorMode color = ColorMode::kAuto;  // -C
  bool monitor = false;             // -M
  int monitor_interval = 0;
  int relay_dir_fd = -1;            // -F (stapio only)
  bool read_stdin = false;          // -i
  bool show_version = false;        // -V
  bool show_help = false;           // -h
  std::string module;               // MODULE as given
  std::vector<std::string> module_params;  // var=val ...
  std::vector<std::string> raw_args;       // argv[1..] as given, for stapio
};

// The outcome of parsing: either options, or an exit status after the
// parser has already printed its message (usage errors print the usage).
struct ParseResult {
  std::optional<Options> options;
  int exit_status = 0;
};

ParseResult parse_options(Program program, int argc, char **argv);

// The usage text, to stdout.
void print_usage(const Options &opts);

// The version line, to stderr.
void print_version();

} // namespace stp
