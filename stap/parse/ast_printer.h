// Prints the AST in upstream's `-p1` / `-p2 -v` notation.
#pragma once

#include <iosfwd>
#include <string>

#include "stap/parse/ast.h"

namespace stap {

struct PrintOptions {
  // Pass 2 prints globals and functions under their internal names.
  bool mangle_globals = false;
  // Probe conditions may name only globals, so pass 2 mangles every symbol in them.
  bool mangle_all_symbols = false;
};

std::string expr_str(Expr* e, const PrintOptions& o = {});
std::string stmt_str(Stmt* s, const PrintOptions& o = {});
std::string probe_point_str(const ProbePoint& p, const PrintOptions& o = {});
std::string literal_str(const Literal& l);

// `# file NAME` and the file's declarations, as `stap -p1` prints them.
void print_file(std::ostream& out, const StapFile& f);

}  // namespace stap
