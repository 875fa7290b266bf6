// report.cpp: stderr messages with SystemTap's prefixes and colors.
#include "staprun/report.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

namespace stp {
namespace {

struct ReportSettings {
  bool color = false;
  bool suppress_warnings = false;
  int verbose = 0;
  std::string error_sgr = "01;31";
  std::string warning_sgr = "00;35";
};

// Set once in configure_reporting, before any thread starts.
ReportSettings &settings() {
  static ReportSettings s;
  return s;
}

// SYSTEMTAP_COLORS is "key=sgr:key=sgr..."; an unparseable value turns
// colors off, as a malformed GCC_COLORS does for gcc.
bool parse_colors(const char *spec, ReportSettings &s) {
  std::string_view rest = spec;
  while (!rest.empty()) {
    auto end = rest.find(':');
    std::string_view item = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    auto eq = item.find('=');
    if (eq == std::string_view::npos)
      return false;
    std::string_view key = item.substr(0, eq), val = item.substr(eq + 1);
    if (val.find_first_not_of("0123456789;") != std::string_view::npos)
      return false;
    if (key == "error")
      s.error_sgr = val;
    else if (key == "warning")
      s.warning_sgr = val;
  }
  return true;
}

void print_prefixed(std::string_view prefix, const std::string &sgr, std::string_view body) {
  std::string line;
  if (settings().color && !sgr.empty())
    line = "\033[" + sgr + "m\033[K" + std::string(prefix) + "\033[m\033[K";
  else
    line = prefix;
  line += body;
  // One write per message so concurrent writers do not interleave lines.
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

} // namespace

void configure_reporting(const Options &opts) {
  ReportSettings &s = settings();
  s.suppress_warnings = opts.suppress_warnings;
  s.verbose = opts.verbose;
  bool want = false;
  switch (opts.color) {
  case ColorMode::kAlways: want = true; break;
  case ColorMode::kNever: want = false; break;
  case ColorMode::kAuto: {
    const char *term = std::getenv("TERM");
    want = isatty(STDERR_FILENO) && term != nullptr && std::strcmp(term, "dumb") != 0;
    break;
  }
  }
  if (want) {
    if (const char *spec = std::getenv("SYSTEMTAP_COLORS"))
      want = parse_colors(spec, s);
  }
  s.color = want;
}

void report_error(std::string_view msg) {
  print_prefixed("ERROR:", settings().error_sgr, " " + std::string(msg) + "\n");
}

void report_warning(std::string_view msg) {
  if (settings().suppress_warnings)
    return;
  print_prefixed("WARNING:", settings().warning_sgr, " " + std::string(msg) + "\n");
}

void report_module_message(std::string_view text) {
  constexpr std::string_view kWarn = "WARNING:", kErr = "ERROR:";
  if (text.starts_with(kWarn)) {
    if (!settings().suppress_warnings)
      print_prefixed(kWarn, settings().warning_sgr, text.substr(kWarn.size()));
  } else if (text.starts_with(kErr)) {
    print_prefixed(kErr, settings().error_sgr, text.substr(kErr.size()));
  } else {
    print_prefixed("", "", text);
  }
}

void report_debug(int level, std::string_view msg) {
  if (settings().verbose < level)
    return;
  std::string line = std::string(msg) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

int verbosity() { return settings().verbose; }

std::string errno_text(int err) { return std::strerror(err); }

} // namespace stp
