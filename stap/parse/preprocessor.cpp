#include "stap/parse/preprocessor.h"

#include <fnmatch.h>

#include <cstdlib>
#include <cstring>

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

// Numbers in conditions follow the same rules as script literals.
bool parse_number(const std::string& s, int64_t* out) {
  if (s.empty()) return false;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (*end != 0 || errno == ERANGE) return false;
  *out = static_cast<int64_t>(v);
  return true;
}

}  // namespace

Preprocessor::Preprocessor(Lexer& lexer, AstArena& arena, const PPContext& ctx,
                           MacroTable& local, const MacroTable* library)
    : lexer_(lexer), arena_(arena), ctx_(ctx), local_(local), library_(library) {}

const Token* Preprocessor::raw() {
  if (eof_) return eof_;
  Token t = lexer_.next();
  const Token* p = arena_.make_token(std::move(t));
  if (p->kind == TokKind::Eof) eof_ = p;
  else saw_any_ = true;
  if (p->kind == TokKind::Junk) throw ParseError{p->error, p, true};
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
void Preprocessor::define_macro(const Token* at_define) {
  (void)at_define;
  const Token* name = pp1_source();
  if (name->kind != TokKind::Identifier && name->kind != TokKind::Keyword)
    throw ParseError{"expected identifier", name, true};
  Macro m;
  m.name = name;
  const Token* t = pp1_source();
  if (!t->is_op("(") && !t->is_op("%(")) throw ParseError{"expected '%(' or '('", t, true};
  if (t->is_op("(")) {
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
  if (!t->is_op("%(")) throw ParseError{"expected '%('", t, true};
  int depth = 1;
  for (;;) {
    const Token* b = pp1_source();
    if (b->kind == TokKind::Eof)
      throw ParseError{"incomplete macro definition - missing '%)'", name, true};
    if (b->is_op("%(")) ++depth;
    if (b->is_op("%)") && --depth == 0) break;
    m.body.push_back(b);
  }
  if (local_.count(name->text) && local_[name->text].name->loc.file == name->loc.file)
    throw ParseError{"attempt to redefine macro '@" + name->text + "' in the same file", name,
                     true};
  local_[name->text] = std::move(m);
}

void Preprocessor::expand_macro(const Token* invocation, const Macro& m) {
  if (frames_.size() >= kMaxExpansionDepth)
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
      if (a->is_op("(") || a->is_op("[") || a->is_op("{")) ++depth;
      if (depth == 0 && a->is_op(")")) {
        if (args.size() < m.params.size())
          throw ParseError{"too few parameters for macro '" + invocation->text + "' (expected " +
                               std::to_string(m.params.size()) + ")",
                           a, true};
        break;
      }
      if (a->is_op(")") || a->is_op("]") || a->is_op("}")) --depth;
      if (depth == 0 && a->is_op(",")) {
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

const Token* Preprocessor::pp1() {
  for (;;) {
    const Token* t = pp1_source();
    if (t->kind != TokKind::Operator || t->text.size() < 2 || t->text[0] != '@') return t;
    if (t->text == "@define") {
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

const Token* Preprocessor::pp1_or_eof_error(const Token* open) {
  const Token* t = pp1();
  if (t->kind == TokKind::Eof)
    throw ParseError{"incomplete conditional at end of file", open, true};
  return t;
}

// TERM ::= IDENT|STRING|NUMBER  OP  STRING|NUMBER|IDENT
bool Preprocessor::eval_term(const Token* open) {
  const Token* l = pp1_or_eof_error(open);
  const Token* op = pp1_or_eof_error(open);
  const Token* r = pp1_or_eof_error(open);
  auto version_cmp = [&](const std::string& have) {
    if (!is_cmp_op(op)) throw ParseError{"expected comparison operator", op, true};
    if (r->kind != TokKind::String) throw ParseError{"expected string literal", r, true};
    if ((op->text == "==" || op->text == "!=") && has_glob(r->text)) {
      bool m = fnmatch(r->text.c_str(), have.c_str(), 0) == 0;
      return op->text == "==" ? m : !m;
    }
    return compare_result(strverscmp(have.c_str(), r->text.c_str()), op->text);
  };
  auto glob_eq = [&](const std::string& have) {
    if (!(op->is_op("==") || op->is_op("!=")))
      throw ParseError{"expected '==' or '!='", op, true};
    if (r->kind != TokKind::String) throw ParseError{"expected string literal", r, true};
    bool m = fnmatch(r->text.c_str(), have.c_str(), 0) == 0;
    return op->text == "==" ? m : !m;
  };
  if (l->kind == TokKind::Identifier) {
    const std::string& n = l->text;
    if (n == "kernel_v") return version_cmp(ctx_.kernel_v);
    if (n == "kernel_vr") return version_cmp(ctx_.kernel_vr);
    if (n == "systemtap_v") return version_cmp(ctx_.systemtap_v);
    if (n == "arch") return glob_eq(ctx_.arch);
    if (n == "runtime") return glob_eq(ctx_.runtime);
    if (n == "systemtap_privilege") return glob_eq(ctx_.privilege);
    if (n == "guru_mode") {
      if (!(op->is_op("==") || op->is_op("!=")))
        throw ParseError{"expected '==' or '!='", op, true};
      int64_t v;
      if (r->kind != TokKind::Number || !parse_number(r->text, &v))
        throw ParseError{"expected number", r, true};
      bool eq = (ctx_.guru ? 1 : 0) == v;
      return op->text == "==" ? eq : !eq;
    }
    if (n.rfind("CONFIG_", 0) == 0) {
      std::string have;
      if (ctx_.kconfig) {
        auto it = ctx_.kconfig->find(n);
        if (it != ctx_.kconfig->end()) have = it->second;
      }
      if (r->kind == TokKind::String) return glob_eq(have);
      if (!is_cmp_op(op)) throw ParseError{"expected comparison operator", op, true};
      if (r->kind == TokKind::Number) {
        int64_t rv;
        if (!parse_number(r->text, &rv)) throw ParseError{"number invalid or out of range", r, true};
        char* end = nullptr;
        long long lv = std::strtoll(have.c_str(), &end, 0);
        if (have.empty() || *end != 0) return false;  // unset or not a number
        return compare_result(lv < rv ? -1 : lv > rv ? 1 : 0, op->text);
      }
      if (r->kind == TokKind::Identifier && r->text.rfind("CONFIG_", 0) == 0) {
        std::string other;
        if (ctx_.kconfig) {
          auto it = ctx_.kconfig->find(r->text);
          if (it != ctx_.kconfig->end()) other = it->second;
        }
        char* e1 = nullptr;
        char* e2 = nullptr;
        long long a = std::strtoll(have.c_str(), &e1, 0);
        long long b = std::strtoll(other.c_str(), &e2, 0);
        if (!have.empty() && !other.empty() && *e1 == 0 && *e2 == 0)
          return compare_result(a < b ? -1 : a > b ? 1 : 0, op->text);
        return compare_result(have.compare(other), op->text);
      }
      throw ParseError{"expected string, number literal or other CONFIG_... as right side operand",
                       r, true};
    }
  }
  if (l->kind == TokKind::String) {
    if (!is_cmp_op(op)) throw ParseError{"expected comparison operator", op, true};
    if (r->kind != TokKind::String)
      throw ParseError{"expected string literal as right value", r, true};
    return compare_result(l->text.compare(r->text), op->text);
  }
  if (l->kind == TokKind::Number) {
    int64_t lv;
    if (!parse_number(l->text, &lv)) throw ParseError{"number invalid or out of range", l, true};
    if (!is_cmp_op(op)) throw ParseError{"expected comparison operator", op, true};
    int64_t rv;
    if (r->kind != TokKind::Number)
      throw ParseError{"expected number literal as right value", r, true};
    if (!parse_number(r->text, &rv)) throw ParseError{"number invalid or out of range", r, true};
    return compare_result(lv < rv ? -1 : lv > rv ? 1 : 0, op->text);
  }
  throw ParseError{
      "expected 'arch', 'kernel_v', 'kernel_vr', 'systemtap_v',\n"
      "'runtime', 'systemtap_privilege', 'CONFIG_...', or\n"
      "comparison between strings or integers",
      l, true};
}

// COND ::= TERM { ("&&" | "||") TERM }   (&& binds tighter)
bool Preprocessor::eval_condition(const Token* open) {
  bool result = false;   // value of the || chain so far
  bool conj = eval_term(open);
  for (;;) {
    const Token* t = pp1_or_eof_error(open);
    if (t->is_op("&&")) {
      bool v = eval_term(open);
      conj = conj && v;
      continue;
    }
    if (t->is_op("||")) {
      result = result || conj;
      conj = eval_term(open);
      continue;
    }
    if (!t->is_op("%?")) throw ParseError{"expected '%?' marker for conditional", open, true};
    return result || conj;
  }
}

const Token* Preprocessor::next() {
  for (;;) {
    const Token* t;
    if (!pending_.empty()) {
      t = pending_.front();
      pending_.pop_front();
    } else {
      t = pp1();
    }
    if (t->kind != TokKind::Operator) return t;
    if (t->text == "%?" || t->text == "%:" || t->text == "%)")
      throw ParseError{"incomplete conditional - missing '%('", t, true};
    if (t->text != "%(") return t;

    // Pending tokens (an outer selected branch) may hold this conditional; read through
    // the same source so nesting works.
    auto source = [&]() -> const Token* {
      if (!pending_.empty()) {
        const Token* p = pending_.front();
        pending_.pop_front();
        return p;
      }
      return pp1();
    };
    bool cond;
    if (!pending_.empty()) {
      // Evaluate from pending tokens: temporarily route pp1 reads through a frame.
      Frame f;
      f.tokens.assign(pending_.begin(), pending_.end());
      pending_.clear();
      frames_.push_back(std::move(f));
      cond = eval_condition(t);
    } else {
      cond = eval_condition(t);
    }
    std::vector<const Token*> yes, no;
    bool in_else = false;
    int depth = 0;
    for (;;) {
      const Token* b = source();
      if (b->kind == TokKind::Eof)
        throw ParseError{"incomplete conditional at end of file", t, true};
      if (b->is_op("%(")) ++depth;
      if (depth == 0 && b->is_op("%:")) {
        if (in_else) throw ParseError{"invalid conditional - duplicate '%:'", b, true};
        in_else = true;
        continue;
      }
      if (b->is_op("%)")) {
        if (depth == 0) break;
        --depth;
      }
      (in_else ? no : yes).push_back(b);
    }
    const auto& chosen = cond ? yes : no;
    pending_.insert(pending_.begin(), chosen.begin(), chosen.end());
  }
}

}  // namespace stap
