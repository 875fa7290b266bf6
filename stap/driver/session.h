// Everything one stap run knows: options, inputs, the AST arena and pass results.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "stap/driver/diagnostics.h"
#include "stap/driver/options.h"
#include "stap/parse/ast.h"
#include "stap/parse/lexer.h"
#include "stap/parse/preprocessor.h"

namespace stap {

struct Program;  // pass 2 result (sema/elaborate.h)

struct Session {
  explicit Session(std::ostream& err);
  ~Session();

  Options opts;
  Diagnostics diag;
  AstArena arena;
  std::vector<std::unique_ptr<SourceFile>> sources;

  // Target kernel facts (for %( %) conditions and, later, pass 4).
  std::string kernel_release;
  std::string kernel_build_tree;
  std::string arch;
  std::map<std::string, std::string> kconfig;
  PPContext pp;

  ScriptArgs args;
  MacroTable library_macros;
  std::vector<std::string> tapset_dirs;  // in search order

  StapFile* user_file = nullptr;
  std::vector<StapFile*> extra_files;  // -E
  std::unique_ptr<Program> program;
  std::string tmpdir;  // pass 4's build folder, removed at exit unless -k

  // Parse one source text as a user file, a tapset or a macro file. Returns null when the
  // file could not be read.
  const SourceFile* add_source(std::string name, std::string text, bool is_tapset);
  int verbose(int pass) const { return opts.verbose[pass - 1]; }
};

// Fills kernel/arch facts and the preprocessor context from the options and environment.
void setup_target(Session& s);

// $SYSTEMTAP_DIR, else ~/.systemtap: where the caches live.
std::string systemtap_dir();

}  // namespace stap
