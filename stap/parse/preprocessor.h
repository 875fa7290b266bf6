// The preprocessor between the lexer and the parser: @define macros (below) and
// %( COND %? A %: B %) conditionals (above), as two layers like upstream's.
#pragma once

#include <map>
#include <source_location>
#include <string>
#include <utility>
#include <vector>

#include "stap/parse/ast.h"
#include "stap/parse/lexer.h"

namespace stap {

class Diagnostics;

// Raised inside pass 1 only; the parser catches it and resynchronises.
struct ParseError {
  ParseError(std::string m, const Token* t, bool at, bool sk = true,
             std::source_location where = std::source_location::current())
      : msg(std::move(m)), tok(t), at_form(at), skip(sk),
        site(std::string(where.file_name()) + ":" + std::to_string(where.line())) {}
  std::string msg;
  const Token* tok;
  bool at_form;  // true: the error is about `tok` ("at:"); false: found `tok` ("saw:")
  bool skip = true;  // resynchronise at the next declaration (most errors)
  // Where it was raised: upstream shows an error again only if it comes from another
  // place in the translator or says something else, so site + message is the
  // duplicate-elimination key.
  std::string site;
  // A second block printed with this error (e.g. "macro '@x' first defined here").
  std::string note;
  const Token* note_tok = nullptr;
};

// What %( %) conditions can ask about.
struct PPContext {
  std::string kernel_v;        // release up to the first '-'
  std::string kernel_vr;       // full release
  std::string arch = "x86_64";
  std::string runtime = "kernel";
  std::string privilege = "stapdev";
  std::string systemtap_v = "5.6";
  bool guru = false;
  const std::map<std::string, std::string>* kconfig = nullptr;
};

struct Macro {
  const Token* name = nullptr;
  std::vector<std::string> params;
  std::vector<const Token*> body;
};
using MacroTable = std::map<std::string, Macro>;

class Preprocessor {
 public:
  // `library` holds macros from tapset .stpm files, visible everywhere; `local` receives
  // this file's definitions (for a .stpm file pass the library table as `local`).
  // `diag` (optional) receives warnings such as a macro shadowing a built-in @operator.
  Preprocessor(Lexer& lexer, AstArena& arena, const PPContext& ctx, MacroTable& local,
               const MacroTable* library, Diagnostics* diag = nullptr);

  // The next token after macro expansion and conditional selection. Throws ParseError.
  // Junk tokens come through as tokens; the parser reports them where it meets them.
  const Token* next();
  // The Eof token (for "saw: FILE EOF").
  const Token* eof_token();
  bool saw_any_token() const { return saw_any_; }

 private:
  struct Frame {
    std::vector<const Token*> tokens;
    size_t pos = 0;
    std::map<std::string, std::vector<const Token*>> args;
    const Token* invocation = nullptr;
  };

  // Where the conditional layer stands inside the innermost open %( ... %).
  enum class Cond { KeepThen, SkipThen, KeepElse, SkipElse };

  const Token* raw();         // lexer token, interned
  const Token* pp1_source();  // next token of the innermost frame or the lexer, unexpanded
  // With macros expanded and, unless `skipping`, @define consumed (an untaken
  // conditional branch leaves its definitions alone).
  const Token* pp1(bool skipping = false);
  void define_macro(const Token* at_define);
  void expand_macro(const Token* invocation, const Macro& m);
  const Token* copy_expanded(const Token* t, const Token* from);
  bool eval_condition(const Token* open);
  bool eval_term(const Token* l, const Token* op, const Token* r);
  // Drops the tokens of an untaken branch up to its %: %? or %) (nesting respected).
  const Token* skip_branch();

  Lexer& lexer_;
  AstArena& arena_;
  const PPContext& ctx_;
  MacroTable& local_;
  const MacroTable* library_;
  Diagnostics* diag_;
  std::vector<Frame> frames_;
  std::vector<std::pair<const Token*, Cond>> conds_;  // open conditionals, innermost last
  const Token* eof_ = nullptr;
  bool saw_any_ = false;
};

}  // namespace stap
