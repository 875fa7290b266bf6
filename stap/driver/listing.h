// stap -l / -L: the probe points a pattern resolves to, one per line, after pass 2.
#pragma once

#include <iosfwd>

namespace stap {

struct Session;

// Prints the listing of s.program (sorted, unique) and returns how many lines it printed.
// -L adds each point's script locals ("name:string") and target variables
// ("$fd:unsigned int"); points listed under one name show the variables all of them have.
int print_listing(const Session& s, std::ostream& out);

}  // namespace stap
