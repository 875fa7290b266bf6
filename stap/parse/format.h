// printf-style format strings: parsed in pass 1, type-checked in pass 2.
#pragma once

#include <string>
#include <vector>

#include "stap/parse/ast.h"

namespace stap {

// Splits `raw` (C escapes kept) into literal pieces and conversions. On failure returns
// false with upstream's message in *err.
bool parse_format(const std::string& raw, std::vector<FormatComponent>* out, std::string* err);

// How many arguments a conversion consumes, counting '*' width and precision.
int format_arg_count(const std::vector<FormatComponent>& comps);

}  // namespace stap
