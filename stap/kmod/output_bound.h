// output_bound.h: how much the begin, end and error probes can print, found from
// the program.
//
// The runtime opens small output buffers first and the full-size ones only when
// output needs them (runtime/linux/transport.c).  Begin, end and error probes run
// when stapio may not read for a while, so what they print must fit the small
// buffers; when the bound is unknown or large, the runtime opens the full-size
// buffers before running them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stap {

struct Program;

// Upper bound, in bytes, of what the probes of `p` of the given families ("begin";
// "end" and "error") can print in total, or -1 when there is none: a print inside a
// loop or a recursive function, a printf with a '*' width or precision, or a huge
// static width.  `defines` are the -D options (MAXSTRINGLEN bounds a string).
int64_t output_bound(const Program& p, const std::vector<std::string>& defines,
                     const std::vector<std::string>& families);

}  // namespace stap
