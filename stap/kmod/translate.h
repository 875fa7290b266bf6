// Pass 3: the typed program of pass 2 as one C file for the kernel runtime, in the shape
// runtime/README.md describes.
#pragma once

#include <string>

namespace stap {

struct Session;

// Writes the module source to *out. False (with located errors already reported) when a
// construct has no translation yet.
bool translate_program(Session& s, std::string* out);

// The MAXNESTING a program needs: its deepest call chain, with room for recursion.
int program_max_nesting(Session& s);

}  // namespace stap
