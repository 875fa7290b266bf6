// report.h: how staprun and stapio talk to the user on stderr.
//
// `ERROR: ` and `WARNING: ` prefixes (optionally colored, as -C and
// SYSTEMTAP_COLORS say), and -v debug lines.  Configured once at startup
// from the options; the setting is the only process-wide state here.
#pragma once

#include <string>
#include <string_view>

#include "staprun/options.h"

namespace stp {

#ifdef PACKAGE_VERSION
constexpr const char *kVersion = PACKAGE_VERSION;
#else
constexpr const char *kVersion = "unknown";
#endif
constexpr const char *kVersionDescription = "C++ reimplementation";

void configure_reporting(const Options &opts);

// "ERROR: msg\n" on stderr.
void report_error(std::string_view msg);
// "WARNING: msg\n" on stderr, unless -w.
void report_warning(std::string_view msg);
// A message from the module's OOB channel that already carries its
// "ERROR: "/"WARNING: " prefix and newline; recolors the prefix.
void report_module_message(std::string_view text);
// A -v line, printed when verbose >= level.
void report_debug(int level, std::string_view msg);
int verbosity();

// strerror as a string.
std::string errno_text(int err);

} // namespace stp
