#include "stap/parse/preprocessor.h"

#include <fnmatch.h>

#include <cctype>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "stap/driver/diagnostics.h"

namespace stap {

namespace {

constexpr size_t kMaxExpansionDepth = 256;

bool has_glob(const std::string& s) { return s.find_first_of("*?[") != std::string::npos; }

bool compare_result(int cmp, const std::string& op) {
  if (op == "<") return cmp < 0;
  if (op == "<=") return cmp <= 0;
  if (op == "==") return cmp == 0;
  if (op == "!=") return cmp != 0;
  if (op == ">") return cmp > 0;
  if (op == ">=") return cmp >= 0;
  return false;
}

bool is_cmp_op(const Token* t) {
  if (t->kind != TokKind::Operator) return false;
  return t->text == "<" || t->text == "<=" || t->text == "==" || t->text == "!=" ||
         t->text == ">" || t->text == ">=";
}

// A number token in a condition is read as upstream's lex_cast reads it: the leading
// decimal digits ("0x10" is 0).
int64_t lex_number(const Token* t) {
  const std::string& s = t->text;
  uint64_t v = 0;
  size_t i = 0;
  for (; i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])); ++i) {
    if (v > (static_cast<uint64_t>(INT64_MAX) - (s[i] - '0')) / 10)
      throw ParseError{"number invalid or out of range", t, true};
    v = v * 10 + static_cast<uint64_t>(s[i] - '0');
  }
  return static_cast<int64_t>(v);
}

// A kernel config value as a number: the whole text must convert (an unset option is 0).
bool config_number(const std::string& s, int64_t* out) {
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 0);
  if (errno == ERANGE || errno == EINVAL || *end != 0) return false;
  *out = v;
  return true;
}

// Upstream's built-in @operators; a macro of the same name draws a warning.
bool is_at_word(const std::string& n) {
  static const char* const kWords[] = {
      "cast", "defined", "probewrite", "entry",    "perf",     "var",       "avg",
      "count", "sum",    "min",        "max",      "hist_linear", "hist_log", "const",
      "variance", "kregister", "uregister", "kderef", "uderef"};
  for (const char* w : kWords)
    if (n == w) return true;
  return false;
}

}  // namespace

Preprocessor::Preprocessor(Lexer& lexer, AstArena& arena, const PPContext& ctx,
                           MacroTable& local, const MacroTable* library, Diagnostics* diag)
    : lexer_(lexer), arena_(arena), ctx_(ctx), local_(local), library_(library), diag_(diag) {}

const Token* Preprocessor::raw() {
  if (eof_) return eof_;
  Token t = lexer_.next();
  const Token* p = arena_.make_token(std::move(t));
  if (p->kind == TokKind::Eof) eof_ = p;
  else saw_any_ = true;
  return p;
}

const Token* Preprocessor::eof_token() {
  while (!eof_) raw();
  return eof_;
}

const Token* Preprocessor::pp1_source() {
  while (!frames_.empty()) {
    Frame& f = frames_.back();
    if (f.pos < f.tokens.size()) return f.tokens[f.pos++];
    frames_.pop_back();
  }
  return raw();
}

const Token* Preprocessor::copy_expanded(const Token* t, const Token* from) {
  Token c = *t;
  c.expanded_from = from;
  return arena_.make_token(std::move(c));
}

// @define NAME [ "(" IDENT { "," IDENT } ")" ] "%(" TOKENS "%)"
// Checked in upstream's order, so that recovery after an error resumes at the same place.
void Preprocessor::define_macro(const Token* at_define) {
  if (!frames_.empty()) throw ParseError{"'@define' forbidden inside macro body", at_define, true};
  const Token* name = pp1_source();
  if (name->kind != TokKind::Identifier) throw ParseError{"expected identifier", name, true};
  auto old = local_.find(name->text);
  if (old != local_.end() && old->second.name->loc.file == name->loc.file) {
    ParseError e{"attempt to redefine macro '@" + name->text + "' in the same file", name, true};
    e.note = "macro '@" + name->text + "' first defined here";
    e.note_tok = old->second.name;
    throw e;
  }
  if (name->text == "define") throw ParseError{"attempt to redefine '@define'", name, true};
  if (diag_ && is_at_word(name->text))
    diag_->warning("macro redefines built-in operator '@" + name->text + "'", name);
  // Registered before its body is read, as upstream does.
  Macro& m = local_[name->text];
  m = Macro();
  m.name = name;
  const Token* t = pp1_source();
  bool saw_params = false;
  if (t->is_op("(")) {
    saw_params = true;
    for (;;) {
      const Token* p = pp1_source();
      if (p->kind != TokKind::Identifier) throw ParseError{"expected identifier", p, true};
      m.params.push_back(p->text);
      const Token* sep = pp1_source();
      if (sep->is_op(")")) break;
      if (!sep->is_op(",")) throw ParseError{"expected ',' or ')'", sep, true};
    }
    t = pp1_source();
  }
  if (!t->is_op("%("))
    throw ParseError{saw_params ? "expected '%('" : "expected '%(' or '('", t, true};
  int depth = 0;
  for (;;) {
    const Token* b = pp1_source();
    if (b->kind == TokKind::Eof)
      throw ParseError{"incomplete macro definition - missing '%)'", name, true};
    if (b->is_op("%(")) {
      ++depth;
    } else if (b->is_op("%)")) {
      if (depth == 0) break;
      --depth;
    }
    m.body.push_back(b);
  }
}

void Preprocessor::expand_macro(const Token* invocation, const Macro& m) {
  // A macro used inside its own unfinished expansion can only recurse (and, used
  // twice there, would grow exponentially before any depth limit).
  bool recursive = false;
  for (const Frame& f : frames_)
    if (f.invocation && f.invocation->text == invocation->text && f.pos < f.tokens.size())
      recursive = true;
  if (recursive || frames_.size() >= kMaxExpansionDepth)
    throw ParseError{"recursive macro expansion of '" + invocation->text + "'", invocation,
                     true};
  Frame f;
  f.invocation = invocation;
  if (!m.params.empty()) {
    const Token* open = pp1();
    if (!open->is_op("(")) {
      throw ParseError{"expected '(' in invocation of macro '" + invocation->text + "' taking " +
                           std::to_string(m.params.size()) + " parameter" +
                           (m.params.size() == 1 ? "" : "s"),
                       open, true};
    }
    std::vector<std::vector<const Token*>> args(1);
    int depth = 0;
    for (;;) {
      const Token* a = pp1();
      if (a->kind == TokKind::Eof)
        throw ParseError{"could not find end of macro invocation", invocation, true};
      if (a->is_op("(") || a->is_op("[")) {
        ++depth;
        args.back().push_back(a);
        continue;
      }
      if (depth > 0 && (a->is_op(")") || a->is_op("]"))) {
        --depth;
        args.back().push_back(a);
        continue;
      }
      if (a->is_op(")")) {
        if (args.size() < m.params.size())
          throw ParseError{"too few parameters for macro '" + invocation->text + "' (expected " +
                               std::to_string(m.params.size()) + ")",
                           a, true};
        break;
      }
      if (a->is_op(",")) {
        if (args.size() == m.params.size())
          throw ParseError{"too many parameters for macro '" + invocation->text +
                               "' (expected " + std::to_string(m.params.size()) + ")",
                           a, true};
        args.emplace_back();
        continue;
      }
      args.back().push_back(a);
    }
    for (size_t i = 0; i < m.params.size(); ++i) f.args[m.params[i]] = args[i];
  }
  for (const Token* b : m.body) f.tokens.push_back(copy_expanded(b, invocation));
  frames_.push_back(std::move(f));
}

const Token* Preprocessor::pp1(bool skipping) {
  for (;;) {
    const Token* t = pp1_source();
    if (t->kind != TokKind::Operator || t->text.size() < 2 || t->text[0] != '@') return t;
    if (t->text == "@define" && !skipping) {
      define_macro(t);
      continue;
    }
    std::string name = t->text.substr(1);
    // A parameter reference inside the macro body the token came from.
    if (!frames_.empty()) {
      Frame& f = frames_.back();
      auto it = f.args.find(name);
      if (it != f.args.end()) {
        if (frames_.size() >= kMaxExpansionDepth)
          throw ParseError{"recursive macro expansion of '" + t->text + "'", t, true};
        Frame argf;
        argf.tokens = it->second;
        frames_.push_back(std::move(argf));
        continue;
      }
    }
    auto lit = local_.find(name);
    if (lit != local_.end()) {
      expand_macro(t, lit->second);
      continue;
    }
    if (library_) {
      auto bit = library_->find(name);
      if (bit != library_->end()) {
        expand_macro(t, bit->second);
        continue;
      }
    }
    return t;
  }
}

// One condition term `l op r`, judged the way upstream does: by the left side first,
// then the right side's kind, then the operator (which decides which error comes first).
bool Preprocessor::eval_term(const Token* l, const Token* op, const Token* r) {
  auto need_string = [&]() {
    if (r->kind != TokKind::String) throw ParseError{"expected string literal", r, true};
  };
  auto eq_or_ne = [&](bool equal) {
    if (op->is_op("==")) return equal;
    if (op->is_op("!=")) return !equal;
    throw ParseError{"expected '==' or '!='", op, true};
  };
  auto ordered = [&](int cmp) {
    if (!is_cmp_op(op)) throw ParseError{"expected comparison operator", op, true};
    return compare_result(cmp, op->text);
  };
  auto glob = [](const std::string& pattern, const std::string& have) {
    return fnmatch(pattern.c_str(), have.c_str(), FNM_NOESCAPE) == 0;
  };
  auto config = [&](const std::string& name) -> std::string {
    if (!ctx_.kconfig) return {};
    auto it = ctx_.kconfig->find(name);
    return it == ctx_.kconfig->end() ? std::string() : it->second;
  };

  if (l->kind == TokKind::Identifier) {
    const std::string& n = l->text;
    if (n == "kernel_v" || n == "kernel_vr" || n == "systemtap_v") {
      need_string();
      const std::string& have = n == "kernel_v"    ? ctx_.kernel_v
                                : n == "kernel_vr" ? ctx_.kernel_vr
                                                   : ctx_.systemtap_v;
      if (!is_cmp_op(op)) throw ParseError{"expected comparison operator", op, true};
      bool wild = has_glob(r->text);
      if (wild && !(op->is_op("==") || op->is_op("!=")))
        throw ParseError{"wildcard not allowed with order comparison operators", op, true};
      if (wild) return eq_or_ne(glob(r->text, have));
      return compare_result(strverscmp(have.c_str(), r->text.c_str()), op->text);
    }
    if (n == "systemtap_privilege") {
      need_string();
      return eq_or_ne(ctx_.privilege == r->text);
    }
    if (n == "guru_mode") {
      if (r->kind != TokKind::Number) throw ParseError{"expected number", r, true};
      int64_t v = lex_number(r);
      if (v != 0 && v != 1) throw ParseError{"expected 0 or 1", op, true};
      return eq_or_ne((ctx_.guru ? 1 : 0) == v);
    }
    if (n == "arch" || n == "runtime") {
      need_string();
      return eq_or_ne(glob(r->text, n == "arch" ? ctx_.arch : ctx_.runtime));
    }
    if (n.rfind("CONFIG_", 0) == 0) {
      std::string have = config(n);
      if (r->kind == TokKind::String) return eq_or_ne(glob(r->text, have));
      if (r->kind == TokKind::Number) {
        int64_t lv;
        if (!config_number(have, &lv))
          throw ParseError{"Config option value not a number", l, true};
        int64_t rv = lex_number(r);
        return ordered(lv < rv ? -1 : lv > rv ? 1 : 0);
      }
      if (r->kind == TokKind::Identifier && r->text.rfind("CONFIG_", 0) == 0) {
        std::string other = config(r->text);
        int64_t a, b;
        if (config_number(have, &a) && config_number(other, &b))
          return ordered(a < b ? -1 : a > b ? 1 : 0);
        int c = have.compare(other);
        return ordered(c < 0 ? -1 : c > 0 ? 1 : 0);
      }
      throw ParseError{
          "expected string, number literal or other CONFIG_... as right side operand", r, true};
    }
  }
  if (l->kind == TokKind::String && r->kind == TokKind::String) {
    int c = l->text.compare(r->text);
    return ordered(c < 0 ? -1 : c > 0 ? 1 : 0);
  }
  if (l->kind == TokKind::Number && r->kind == TokKind::Number) {
    int64_t lv = lex_number(l);
    int64_t rv = lex_number(r);
    return ordered(lv < rv ? -1 : lv > rv ? 1 : 0);
  }
  if (l->kind == TokKind::String && r->kind == TokKind::Number && op->kind == TokKind::Operator)
    throw ParseError{"expected string literal as right value", r, true};
  if (l->kind == TokKind::Number && r->kind == TokKind::String && op->kind == TokKind::Operator)
    throw ParseError{"expected number literal as right value", r, true};
  throw ParseError{
      "expected 'arch', 'kernel_v', 'kernel_vr', 'systemtap_v',\n"
      "'runtime', 'systemtap_privilege', 'CONFIG_...', or\n"
      "comparison between strings or integers",
      l, true};
}

// COND ::= TERM { ("&&" | "||") TERM } "%?"   (&& binds tighter; every term is evaluated)
bool Preprocessor::eval_condition(const Token* open) {
  bool result = false;
  bool conj = true;
  const Token* n = nullptr;
  for (;;) {
    const Token* l = pp1();
    const Token* op = pp1();
    const Token* r = pp1();
    if (l->kind == TokKind::Eof || op->kind == TokKind::Eof || r->kind == TokKind::Eof)
      throw ParseError{"incomplete condition after '%('", open, true};
    bool v = eval_term(l, op, r);
    conj = conj && v;
    n = pp1();
    if (n->is_op("&&")) continue;
    result = result || conj;
    conj = true;
    if (!n->is_op("||")) break;
  }
  if (!n->is_op("%?")) throw ParseError{"expected '%?' marker for conditional", open, true};
  return result;
}

const Token* Preprocessor::skip_branch() {
  int depth = 0;
  for (;;) {
    const Token* t;
    try {
      t = pp1(true);
    } catch (const ParseError&) {
      continue;  // errors inside an untaken branch do not count
    }
    if (t->kind == TokKind::Eof) return t;
    if (t->is_op("%(")) {
      ++depth;
    } else if (t->is_op("%)") && depth > 0) {
      --depth;
    } else if (depth == 0 && (t->is_op("%:") || t->is_op("%?") || t->is_op("%)"))) {
      return t;
    }
  }
}

// The conditional layer works lazily, token by token: a taken branch is passed on as it
// is read (so @define in it takes effect), an untaken one is dropped by skip_branch().
const Token* Preprocessor::next() {
  for (;;) {
    bool skipping = !conds_.empty() &&
                    (conds_.back().second == Cond::SkipThen || conds_.back().second == Cond::SkipElse);
    const Token* t = skipping ? skip_branch() : pp1();
    if (t->kind == TokKind::Eof) {
      if (!conds_.empty()) {
        const Token* open = conds_.back().first;
        conds_.pop_back();
        throw ParseError{"incomplete conditional at end of file", open, true};
      }
      return t;
    }
    if (t->kind != TokKind::Operator) return t;
    if (t->text == "%?") throw ParseError{"incomplete conditional - missing '%('", t, true};
    if (t->text == "%:") {
      if (conds_.empty()) throw ParseError{"incomplete conditional - missing '%('", t, true};
      Cond& c = conds_.back().second;
      if (c == Cond::KeepElse || c == Cond::SkipElse)
        throw ParseError{"invalid conditional - duplicate '%:'", t, true};
      c = c == Cond::KeepThen ? Cond::SkipElse : Cond::KeepElse;
      continue;
    }
    if (t->text == "%)") {
      if (conds_.empty()) throw ParseError{"incomplete conditional - missing '%('", t, true};
      conds_.pop_back();
      continue;
    }
    if (t->text != "%(") return t;
    bool taken = eval_condition(t);
    conds_.emplace_back(t, taken ? Cond::KeepThen : Cond::SkipThen);
  }
}

}  // namespace stap
