// Pass orchestration shared by main() and the fuzz target.
#pragma once

#include <iosfwd>

#include "stap/driver/session.h"

namespace stap {

// Pass 1: library macros, the user script and -E scripts. False on failure (messages
// already printed, including the "Pass 1: parse failed" line).
bool run_pass1(Session& s);
// Pass 2: elaboration. False on failure (with the "Pass 2: analysis failed" line).
bool run_pass2(Session& s);

// Reads the script named by the options (file, "-" for stdin, or -e text).
bool load_user_script(Session& s);

// The whole front end for a command line; returns the process exit status. With
// free_session false the session is left allocated (for a process that exits next).
int run_stap(int argc, char** argv, std::ostream& out, std::ostream& err,
             bool free_session = true);

}  // namespace stap
