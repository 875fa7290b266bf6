// The `-p2` listing: # globals, # functions, # probes (with -v, bodies too).
#pragma once

#include <iosfwd>
#include <string>

#include "stap/sema/elaborate.h"

namespace stap {

void print_program(std::ostream& out, const Program& p, bool verbose);
// "3 probes, 4 functions, 0 embeds, 3 globals" for the -v pass-2 line.
std::string program_summary(const Program& p);

}  // namespace stap
