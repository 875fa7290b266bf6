// output_bound.h: how much the begin probes can print, found from the program.
//
// The runtime opens small output buffers first and the full-size ones in the
// background (runtime/linux/transport.c).  Begin probes run right after the
// module loads, so output they print before the full-size buffers exist must
// fit the small ones.  When the bound is unknown or large the runtime waits
// for the full-size buffers before running them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stap {

struct Program;

// Upper bound, in bytes, of what the begin probes of `p` can print in total,
// or -1 when there is none: a print inside a loop or a recursive function, a
// printf with a '*' width or precision, or a huge static width.  `defines`
// are the -D options (MAXSTRINGLEN bounds a string argument).
int64_t begin_output_bound(const Program& p, const std::vector<std::string>& defines);

}  // namespace stap
