// Pass 1: the recursive-descent parser (grammar in systemtap-facts §3.3).
#pragma once

#include <string>

#include "stap/driver/diagnostics.h"
#include "stap/parse/ast.h"
#include "stap/parse/preprocessor.h"

namespace stap {

struct ParseOptions {
  bool privileged = false;   // guru mode or a tapset: embedded C allowed
  bool is_tapset = false;
  bool macros_only = false;  // a .stpm file: only @define allowed
  std::string compatible = "5.6";
};

// Result of parsing one source: the file (possibly partial) and whether it had errors.
struct ParseResult {
  StapFile* file = nullptr;
  int errors = 0;
  bool empty = false;  // nothing but white space/comments, or nothing after preprocessing
};

// Parses `src` into `arena`, reporting errors to `diag` as they occur.
ParseResult parse_source(const SourceFile& src, AstArena& arena, Diagnostics& diag,
                         const PPContext& ctx, const ParseOptions& opts, ScriptArgs* args,
                         MacroTable& library_macros);

// Version comparison as upstream's --compatible checks do (strverscmp).
bool version_at_least(const std::string& have, const std::string& want);

}  // namespace stap
