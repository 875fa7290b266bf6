#include "stap/debuginfo/trace_headers.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <system_error>

#include "stap/driver/hash.h"

namespace stap::debuginfo {

namespace fs = std::filesystem;

namespace {

// ---- lexing ------------------------------------------------------------------------
// A header is preprocessed only as far as finding the trace macros needs: comments,
// line splices, directives, and the file's own macros (many headers wrap DEFINE_EVENT
// in a local DEFINE_FOO_EVENT(name) helper). Nothing is #included.

enum class TokKind : unsigned char { Ident, Number, String, Punct, Directive };

struct Tok {
  TokKind kind = TokKind::Punct;
  bool space_before = false;  // tells "#define F(x)" from "#define F (x)"
  bool painted = false;       // named a macro being expanded when read: never expands
  unsigned dir = 0;           // Directive: index into Lexed::directives
  std::string text;
};

struct Lexed {
  std::vector<Tok> toks;
  std::vector<std::vector<Tok>> directives;  // the tokens after '#'
};

bool ident_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool ident_char(char c) { return ident_start(c) || (c >= '0' && c <= '9'); }
bool digit(char c) { return c >= '0' && c <= '9'; }

// Removes comments (each becomes one space) and backslash-newline splices, leaving
// string and character literals alone, so the lexer below sees C's logical lines.
std::string clean(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  size_t i = 0, n = in.size();
  while (i < n) {
    char c = in[i];
    if (c == '\\' && i + 1 < n && (in[i + 1] == '\n' || in[i + 1] == '\r')) {
      i += 2;
      if (in[i - 1] == '\r' && i < n && in[i] == '\n') ++i;
      continue;
    }
    if (c == '/' && i + 1 < n && in[i + 1] == '*') {
      size_t e = in.find("*/", i + 2);
      i = e == std::string_view::npos ? n : e + 2;
      out += ' ';
      continue;
    }
    if (c == '/' && i + 1 < n && in[i + 1] == '/') {
      // A line comment ends at a newline that is not spliced.
      i += 2;
      while (i < n && in[i] != '\n') {
        if (in[i] == '\\' && i + 1 < n && in[i + 1] == '\n') ++i;
        ++i;
      }
      out += ' ';
      continue;
    }
    if (c == '"' || c == '\'') {
      out += c;
      ++i;
      while (i < n && in[i] != c && in[i] != '\n') {
        if (in[i] == '\\' && i + 1 < n) {
          if (in[i + 1] == '\n') {  // a splice inside a literal
            i += 2;
            continue;
          }
          out += in[i++];
        }
        out += in[i++];
      }
      if (i < n && in[i] == c) out += in[i++];
      continue;
    }
    out += c;
    ++i;
  }
  return out;
}

// Lexes s[i, end) into toks, stopping at a newline when stop_at_newline.
size_t lex_range(const std::string& s, size_t i, bool stop_at_newline, std::vector<Tok>& toks) {
  size_t n = s.size();
  bool space = true;
  while (i < n) {
    char c = s[i];
    if (c == '\n') {
      if (stop_at_newline) return i;
      space = true;
      ++i;
      // A directive is a line whose first non-blank is '#': hand it back to the caller.
      size_t j = i;
      while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '\f' || s[j] == '\v' || s[j] == '\r')) ++j;
      if (j < n && s[j] == '#') return j;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      space = true;
      ++i;
      continue;
    }
    Tok t;
    t.space_before = space;
    space = false;
    size_t b = i;
    if (ident_start(c)) {
      while (i < n && ident_char(s[i])) ++i;
      t.kind = TokKind::Ident;
    } else if (digit(c) || (c == '.' && i + 1 < n && digit(s[i + 1]))) {
      ++i;
      while (i < n) {
        char d = s[i];
        if ((d == '+' || d == '-') && (s[i - 1] == 'e' || s[i - 1] == 'E' || s[i - 1] == 'p' || s[i - 1] == 'P')) {
          ++i;
        } else if (ident_char(d) || d == '.') {
          ++i;
        } else {
          break;
        }
      }
      t.kind = TokKind::Number;
    } else if (c == '"' || c == '\'') {
      ++i;
      while (i < n && s[i] != c && s[i] != '\n') i += s[i] == '\\' ? 2 : 1;
      if (i < n && s[i] == c) ++i;
      i = std::min(i, n);
      t.kind = TokKind::String;
    } else {
      t.kind = TokKind::Punct;
      if (s.compare(i, 3, "...") == 0) {
        i += 3;
      } else if (s.compare(i, 2, "##") == 0 || s.compare(i, 2, "->") == 0) {
        i += 2;
      } else {
        ++i;
      }
    }
    t.text.assign(s, b, i - b);
    toks.push_back(std::move(t));
  }
  return i;
}

Lexed lex(std::string_view text) {
  std::string s = clean(text);
  Lexed out;
  out.toks.reserve(s.size() / 6);
  size_t i = 0;
  // The file may open with a directive.
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r')) ++i;
  while (i < s.size()) {
    if (s[i] == '#') {
      std::vector<Tok> d;
      i = lex_range(s, i + 1, true, d);
      Tok t;
      t.kind = TokKind::Directive;
      t.dir = static_cast<unsigned>(out.directives.size());
      out.directives.push_back(std::move(d));
      out.toks.push_back(std::move(t));
      // Past the newline, the next line may be another directive.
      if (i < s.size()) ++i;
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\f')) ++i;
      continue;
    }
    i = lex_range(s, i, false, out.toks);
  }
  return out;
}

// ---- the header's own macros ---------------------------------------------------------

struct Macro {
  bool function_like = false;
  bool variadic = false;
  std::vector<std::string> params;  // a variadic one is last ("__VA_ARGS__" or its name)
  std::vector<Tok> body;
  bool in_alternative = false;  // defined in an #else/#elif branch
};

// A definition that declares nothing: empty, or an alias of a *_NOP trace macro (rcu.h's
// TRACE_EVENT_RCU is TRACE_EVENT or TRACE_EVENT_NOP depending on the config).
bool is_placeholder_definition(const Macro& m) {
  if (m.body.empty()) return true;
  if (m.body.size() == 1 && m.body[0].kind == TokKind::Ident) {
    const std::string& t = m.body[0].text;
    return t.size() >= 4 && t.compare(t.size() - 4, 4, "_NOP") == 0;
  }
  return false;
}

// The trace macros and where their name and prototype are among the arguments.
struct Keyword {
  const char* name;
  int name_arg;
  int proto_arg;  // -1: declares no tracepoint
};
constexpr Keyword kKeywords[] = {
    {"DECLARE_EVENT_CLASS", 0, -1},
    {"DECLARE_TRACE", 0, 1},
    {"DECLARE_TRACE_CONDITION", 0, 1},
    {"DECLARE_TRACE_WRITABLE", 0, 1},
    {"DEFINE_EVENT", 1, 2},
    {"DEFINE_EVENT_CONDITION", 1, 2},
    {"DEFINE_EVENT_FN", 1, 2},
    {"DEFINE_EVENT_NOP", 1, -1},
    {"DEFINE_EVENT_PRINT", 1, 2},
    {"DEFINE_EVENT_WRITABLE", 1, 2},
    {"TRACE_EVENT", 0, 1},
    {"TRACE_EVENT_CONDITION", 0, 1},
    {"TRACE_EVENT_FN", 0, 1},
    {"TRACE_EVENT_FN_COND", 0, 1},
    {"TRACE_EVENT_NOP", 0, -1},
};

const Keyword* keyword(const std::string& s) {
  // Every keyword starts with D or T and contains an underscore; most identifiers don't.
  if (s.size() < 11 || (s[0] != 'D' && s[0] != 'T')) return nullptr;
  for (const Keyword& k : kKeywords)
    if (s == k.name) return &k;
  return nullptr;
}

using Args = std::vector<std::vector<Tok>>;

// ---- the scanner -----------------------------------------------------------------------

class Scanner {
 public:
  Scanner(Lexed lexed, std::string header, const KernelConfig* config)
      : lx_(std::move(lexed)), header_(std::move(header)), config_(config) {}

  std::vector<TraceDecl> run() {
    Reader r{&lx_.toks, 0, {}};
    while (const Tok* t = next(r)) top_token(r, *t);
    return std::move(out_);
  }

 private:
  // Tokens come from the innermost macro expansion first, then from the file. A macro
  // is not expanded again while its own expansion still has tokens left (C's rule for
  // self-reference, as far as the headers need it).
  struct Context {
    std::vector<Tok> toks;
    size_t pos = 0;
    std::string macro;
  };
  struct Reader {
    const std::vector<Tok>* base;
    size_t pos = 0;
    std::vector<Context> stack;
  };

  const Tok* next(Reader& r) {
    for (;;) {
      while (!r.stack.empty() && r.stack.back().pos >= r.stack.back().toks.size()) r.stack.pop_back();
      if (!r.stack.empty()) {
        Tok& t = r.stack.back().toks[r.stack.back().pos++];
        if (t.kind == TokKind::Ident && !t.painted && expanding(r, t.text)) t.painted = true;
        return &t;
      }
      if (r.pos >= r.base->size()) return nullptr;
      const Tok& t = (*r.base)[r.pos++];
      if (t.kind == TokKind::Directive) {
        directive(lx_.directives[t.dir]);
        continue;
      }
      if (dead_ > 0) continue;
      return &t;
    }
  }

  // The next token without taking it; directives before it are applied.
  const Tok* peek(Reader& r) {
    for (;;) {
      while (!r.stack.empty() && r.stack.back().pos >= r.stack.back().toks.size()) r.stack.pop_back();
      if (!r.stack.empty()) return &r.stack.back().toks[r.stack.back().pos];
      if (r.pos >= r.base->size()) return nullptr;
      const Tok& t = (*r.base)[r.pos];
      if (t.kind != TokKind::Directive && dead_ == 0) return &t;
      ++r.pos;
      if (t.kind == TokKind::Directive) directive(lx_.directives[t.dir]);
    }
  }

  // Whether name's expansion is still being read (the context of the token just taken
  // counts, even when that was its last token).
  static bool expanding(const Reader& r, const std::string& name) {
    for (const Context& c : r.stack)
      if (c.macro == name) return true;
    return false;
  }

  // After the '(' has been taken: the comma-separated arguments up to the matching ')'.
  // False at the end of input (an unterminated call is dropped).
  bool collect_args(Reader& r, Args& args) {
    args.assign(1, {});
    int depth = 0;
    while (const Tok* t = next(r)) {
      if (t->kind == TokKind::Punct && t->text.size() == 1) {
        char c = t->text[0];
        if (c == '(') {
          ++depth;
        } else if (c == ')') {
          if (depth == 0) return true;
          --depth;
        } else if (c == ',' && depth == 0) {
          args.emplace_back();
          continue;
        }
      }
      args.back().push_back(*t);
    }
    return false;
  }

  static bool is_punct(const Tok* t, const char* p) {
    return t && t->kind == TokKind::Punct && t->text == p;
  }

  // If t names one of the header's macros that may expand here, pushes its expansion
  // and returns true.
  bool try_expand(Reader& r, const Tok& t) {
    if (t.kind != TokKind::Ident || t.painted || macros_.empty()) return false;
    auto it = macros_.find(t.text);
    if (it == macros_.end()) return false;
    if (++expansions_ > kMaxExpansions) return false;
    // Copies: reading the arguments may pop the context t lives in, and a directive
    // among them may redefine the macro.
    std::string name = t.text;
    const Macro m = it->second;
    Args args;
    if (m.function_like) {
      if (!is_punct(peek(r), "(")) return false;
      next(r);
      if (!collect_args(r, args)) return true;  // swallowed to the end: nothing more to do
    }
    Context c;
    c.macro = std::move(name);
    c.toks = substitute(m, args);
    // Pop exhausted contexts first so the new one nests correctly.
    while (!r.stack.empty() && r.stack.back().pos >= r.stack.back().toks.size()) r.stack.pop_back();
    r.stack.push_back(std::move(c));
    return true;
  }

  static std::vector<Tok> substitute(const Macro& m, Args& args) {
    // Fold surplus arguments into the variadic one (with their commas).
    size_t np = m.params.size();
    if (m.variadic && args.size() > np && np > 0) {
      for (size_t i = np; i < args.size(); ++i) {
        Tok comma;
        comma.text = ",";
        args[np - 1].push_back(comma);
        for (Tok& x : args[i]) args[np - 1].push_back(std::move(x));
      }
      args.resize(np);
    }
    auto param_index = [&](const Tok& t) -> int {
      if (t.kind != TokKind::Ident) return -1;
      for (size_t i = 0; i < np; ++i)
        if (m.params[i] == t.text) return i < args.size() ? static_cast<int>(i) : -2;
      return -1;
    };
    static const std::vector<Tok> kEmpty;
    std::vector<Tok> out;
    const auto& b = m.body;
    for (size_t i = 0; i < b.size(); ++i) {
      const Tok& t = b[i];
      if (t.kind == TokKind::Punct && t.text == "#" && i + 1 < b.size() && param_index(b[i + 1]) != -1) {
        int p = param_index(b[++i]);
        Tok s;
        s.kind = TokKind::String;
        s.space_before = t.space_before;
        s.text = "\"";
        for (const Tok& x : p >= 0 ? args[p] : kEmpty) {
          if (x.space_before && s.text.size() > 1) s.text += ' ';
          s.text += x.text;
        }
        s.text += '"';
        out.push_back(std::move(s));
        continue;
      }
      if (t.kind == TokKind::Punct && t.text == "##" && i + 1 < b.size()) {
        const Tok& rhs_tok = b[++i];
        int p = param_index(rhs_tok);
        std::vector<Tok> rhs;
        if (p >= 0) {
          rhs = args[p];
        } else if (p == -1) {
          rhs.push_back(rhs_tok);
        }
        if (rhs.empty()) {
          // GNU ", ## __VA_ARGS__": no variadic arguments drops the comma.
          if (!out.empty() && out.back().text == "," && m.variadic && np > 0 &&
              rhs_tok.text == m.params[np - 1])
            out.pop_back();
          continue;
        }
        if (out.empty()) {
          out = std::move(rhs);
          continue;
        }
        Tok& lhs = out.back();
        lhs.text += rhs[0].text;
        lhs.kind = ident_start(lhs.text[0]) ? TokKind::Ident
                   : digit(lhs.text[0])     ? TokKind::Number
                                            : TokKind::Punct;
        for (size_t k = 1; k < rhs.size(); ++k) out.push_back(std::move(rhs[k]));
        continue;
      }
      int p = param_index(t);
      if (p == -2) continue;
      if (p >= 0) {
        // A parameter followed by ## is pasted as written; the result is rescanned
        // anyway, so arguments need no separate expansion.
        bool first = true;
        for (const Tok& x : args[p]) {
          out.push_back(x);
          if (first) out.back().space_before = t.space_before;
          first = false;
        }
        continue;
      }
      out.push_back(t);
    }
    return out;
  }

  // Expands the header's macros inside a list of tokens (a trace macro's argument).
  std::vector<Tok> expand_list(const std::vector<Tok>& in) {
    bool any = false;
    for (const Tok& t : in)
      if (t.kind == TokKind::Ident && macros_.count(t.text)) any = true;
    if (!any) return in;
    Reader r{&in, 0, {}};
    std::vector<Tok> out;
    while (const Tok* t = next(r))
      if (!try_expand(r, *t)) out.push_back(*t);
    return out;
  }

  void top_token(Reader& r, const Tok& t) {
    if (t.kind != TokKind::Ident) return;
    if (const Keyword* k = keyword(t.text)) {
      if (!is_punct(peek(r), "(")) return;
      next(r);
      Args args;
      if (!collect_args(r, args)) return;
      declare(*k, args);
      return;
    }
    try_expand(r, t);
  }

  void declare(const Keyword& k, const Args& args) {
    if (k.proto_arg < 0 || static_cast<int>(args.size()) <= k.proto_arg) return;
    if (system_.empty()) return;
    std::vector<Tok> name = expand_list(args[k.name_arg]);
    // 9p.h names its events 9p_client_req: only ever pasted, so a pp-number will do.
    if (name.size() != 1 || (name[0].kind != TokKind::Ident && name[0].kind != TokKind::Number))
      return;
    TraceDecl d;
    d.system = system_;
    d.name = name[0].text;
    if (!seen_.insert(d.system + ':' + d.name).second) return;  // the first one stands
    std::vector<Tok> proto = expand_list(args[k.proto_arg]);
    if (!parse_proto(proto, d.args)) return;
    d.header = header_;
    out_.push_back(std::move(d));
  }

  // TP_PROTO(type name, ...), maybe inside PARAMS(...): the parameters' types and names.
  static bool parse_proto(std::vector<Tok> p, std::vector<std::pair<std::string, std::string>>& out) {
    // Unwrap "TP_PROTO ( ... )" and "PARAMS ( ... )" when they span the whole list.
    for (;;) {
      if (p.size() >= 3 && p[0].kind == TokKind::Ident &&
          (p[0].text == "TP_PROTO" || p[0].text == "PARAMS") && p[1].text == "(" &&
          p.back().text == ")") {
        int depth = 0;
        bool spans = true;
        for (size_t i = 1; i + 1 < p.size(); ++i) {
          if (p[i].text == "(") ++depth;
          if (p[i].text == ")" && --depth == 0) {
            spans = false;
            break;
          }
        }
        if (!spans) return false;
        p = std::vector<Tok>(p.begin() + 2, p.end() - 1);
        continue;
      }
      break;
    }
    std::vector<std::vector<Tok>> params(1);
    int depth = 0;
    for (Tok& t : p) {
      if (t.text == "(" || t.text == "[") ++depth;
      if (t.text == ")" || t.text == "]") --depth;
      if (t.text == "," && depth == 0) {
        params.emplace_back();
        continue;
      }
      params.back().push_back(std::move(t));
    }
    if (params.size() == 1 && (params[0].empty() ||
                               (params[0].size() == 1 && params[0][0].text == "void")))
      return true;
    for (auto& q : params) {
      if (q.empty()) return false;
      size_t name_at = find_param_name(q);
      if (name_at == std::string::npos) return false;
      std::string name = q[name_at].text;
      q.erase(q.begin() + name_at);
      out.emplace_back(spell(q), std::move(name));
    }
    return true;
  }

  // Where the declared name is in one parameter: "(*name)(...)" for a function pointer,
  // before the first '[' for an array, else the last identifier.
  static size_t find_param_name(const std::vector<Tok>& q) {
    for (size_t i = 0; i + 1 < q.size(); ++i) {
      if (q[i].text == "(" && q[i + 1].text == "*") {
        size_t j = i + 1;
        while (j < q.size() && (q[j].text == "*" || q[j].text == "const")) ++j;
        if (j < q.size() && q[j].kind == TokKind::Ident) return j;
      }
    }
    size_t end = q.size();
    for (size_t i = 0; i < q.size(); ++i)
      if (q[i].text == "[") {
        end = i;
        break;
      }
    if (end > 1 && q[end - 1].kind == TokKind::Ident) return end - 1;
    return std::string::npos;
  }

  // A type's spelling with C's usual spacing: "struct page **", "void (*)(int, long)".
  static std::string spell(const std::vector<Tok>& q) {
    std::string s;
    bool prev_word = false;
    for (const Tok& t : q) {
      bool word = t.kind == TokKind::Ident || t.kind == TokKind::Number;
      if (!s.empty() && ((prev_word && (word || t.text == "*" || t.text == "(")) ||
                         (s.back() == ',') || (s.back() == '*' && word)))
        s += ' ';
      s += t.text;
      prev_word = word;
    }
    return s;
  }

  // ---- directives ----
  // A condition is decided when it tests only config options and the config is known
  // (the tree's .config: what kbuild compiles with). Anything else, an include guard,
  // CREATE_TRACE_POINTS, a version test, is undecided, and then every branch of the
  // conditional is read: tracepoints the kernel lacks are dropped later by whoever
  // checks them against BTF or kallsyms. So that reading a later branch does not undo
  // an earlier one, a macro defined there keeps its earlier definition unless that one
  // was empty or a *_NOP alias, an #undef there is ignored, and the first declaration of a tracepoint
  // stands.
  struct Cond {
    bool outer_dead = false;  // inside a dead branch: everything here is dead too
    bool taken = false;       // an earlier branch was decided true: the rest are dead
    bool read_one = false;    // an earlier branch was read
    bool dead = false;        // the current branch is skipped
    bool alternative = false; // the current branch is read after another was
  };

  void enter_branch(Cond& c, std::optional<long long> v) {
    if (c.outer_dead || c.taken || (v && *v == 0)) {
      c.dead = true;
      c.alternative = false;
      return;
    }
    if (v) c.taken = true;
    c.dead = false;
    c.alternative = c.read_one;
    c.read_one = true;
  }

  void count(const Cond& c, int sign) {
    if (c.dead) dead_ += sign;
    if (c.alternative && !c.dead) alternatives_ += sign;
  }

  void directive(const std::vector<Tok>& d) {
    if (d.empty() || d[0].kind != TokKind::Ident) return;
    const std::string& w = d[0].text;
    if (w == "if" || w == "ifdef" || w == "ifndef") {
      Cond c;
      c.outer_dead = dead_ > 0;
      std::optional<long long> v;
      if (!c.outer_dead) v = w == "if" ? eval(d, 1) : ifdef(d, w == "ifndef");
      enter_branch(c, v);
      cond_.push_back(c);
      count(c, +1);
    } else if (w == "elif" || w == "else" || w == "elifdef" || w == "elifndef") {
      if (cond_.empty()) return;
      Cond& c = cond_.back();
      count(c, -1);
      std::optional<long long> v = 1;
      if (!c.outer_dead && !c.taken) {
        if (w == "elif") v = eval(d, 1);
        if (w == "elifdef" || w == "elifndef") v = ifdef(d, w == "elifndef");
      }
      enter_branch(c, v);
      count(c, +1);
    } else if (w == "endif") {
      if (cond_.empty()) return;
      count(cond_.back(), -1);
      cond_.pop_back();
    } else if (dead_ > 0) {
      return;
    } else if (w == "define") {
      define(d);
    } else if (w == "undef") {
      if (d.size() < 2) return;
      if (d[1].text == "TRACE_SYSTEM") {
        system_.clear();
      } else if (alternatives_ == 0) {
        macros_.erase(d[1].text);
      }
    }
  }

  // #ifdef NAME / #ifndef NAME.
  std::optional<long long> ifdef(const std::vector<Tok>& d, bool negate) {
    if (d.size() < 2 || d[1].kind != TokKind::Ident) return std::nullopt;
    std::optional<long long> v = is_defined(d[1].text);
    if (v && negate) v = !*v;
    return v;
  }

  std::optional<long long> is_defined(const std::string& name) const {
    if (!config_ || name.compare(0, 7, "CONFIG_") != 0) return std::nullopt;
    return config_->count(name) ? 1 : 0;
  }

  std::optional<long long> config_value(const std::string& name) const {
    if (!config_ || name.compare(0, 7, "CONFIG_") != 0) return std::nullopt;
    auto it = config_->find(name);
    if (it == config_->end()) return 0;
    const std::string& v = it->second;
    errno = 0;
    char* end = nullptr;
    long long x = std::strtoll(v.c_str(), &end, 0);
    if (v.empty() || *end != 0 || errno != 0) return std::nullopt;  // a string option
    return x;
  }

  // #if expressions over config options, three-valued: nullopt is undecided, and an
  // undecided operand only matters where C's short-circuit would look at it.
  using Val = std::optional<long long>;
  struct Expr {
    const std::vector<Tok>& t;
    size_t i;
    bool bad = false;
    const Tok* peek() const { return i < t.size() ? &t[i] : nullptr; }
    bool eat(const char* p) {
      if (i < t.size() && t[i].kind == TokKind::Punct && t[i].text == p) {
        ++i;
        return true;
      }
      return false;
    }
  };

  Val eval(const std::vector<Tok>& d, size_t from) {
    Expr e{d, from};
    Val v = eval_or(e);
    if (e.bad || e.i != d.size()) return std::nullopt;
    return v;
  }
  Val eval_or(Expr& e) {
    Val a = eval_and(e);
    while (e.i + 1 < e.t.size() && e.t[e.i].text == "|" && e.t[e.i + 1].text == "|") {
      e.i += 2;
      Val b = eval_and(e);
      if ((a && *a) || (b && *b)) a = 1;
      else if (a && b) a = 0;
      else a = std::nullopt;
    }
    return a;
  }
  Val eval_and(Expr& e) {
    Val a = eval_cmp(e);
    while (e.i + 1 < e.t.size() && e.t[e.i].text == "&" && e.t[e.i + 1].text == "&") {
      e.i += 2;
      Val b = eval_cmp(e);
      if ((a && !*a) || (b && !*b)) a = 0;
      else if (a && b) a = 1;
      else a = std::nullopt;
    }
    return a;
  }
  Val eval_cmp(Expr& e) {
    Val a = eval_unary(e);
    for (;;) {
      const Tok* p = e.peek();
      if (!p || p->kind != TokKind::Punct) return a;
      std::string op = p->text;
      const Tok* q = e.i + 1 < e.t.size() ? &e.t[e.i + 1] : nullptr;
      bool two = q && q->text == "=" && !q->space_before;
      if ((op == "=" || op == "!") && two) {
        e.i += 2;
        Val b = eval_unary(e);
        a = a && b ? Val((*a == *b) == (op == "=")) : std::nullopt;
      } else if (op == "<" || op == ">") {
        e.i += two ? 2 : 1;
        Val b = eval_unary(e);
        if (!a || !b) {
          a = std::nullopt;
        } else if (op == "<") {
          a = two ? *a <= *b : *a < *b;
        } else {
          a = two ? *a >= *b : *a > *b;
        }
      } else {
        return a;
      }
    }
  }
  Val eval_unary(Expr& e) {
    if (e.eat("!")) {
      Val v = eval_unary(e);
      return v ? Val(!*v) : std::nullopt;
    }
    if (e.eat("-")) {
      Val v = eval_unary(e);
      return v ? Val(-*v) : std::nullopt;
    }
    return eval_primary(e);
  }
  Val eval_primary(Expr& e) {
    const Tok* t = e.peek();
    if (!t) {
      e.bad = true;
      return std::nullopt;
    }
    if (e.eat("(")) {
      Val v = eval_or(e);
      if (!e.eat(")")) e.bad = true;
      return v;
    }
    ++e.i;
    if (t->kind == TokKind::Number) {
      std::string n = t->text;
      while (!n.empty() && (n.back() == 'u' || n.back() == 'U' || n.back() == 'l' || n.back() == 'L'))
        n.pop_back();
      char* end = nullptr;
      long long x = std::strtoll(n.c_str(), &end, 0);
      if (n.empty() || *end != 0) return std::nullopt;
      return x;
    }
    if (t->kind != TokKind::Ident) {
      e.bad = true;
      return std::nullopt;
    }
    const std::string& w = t->text;
    bool call = e.peek() && e.peek()->text == "(";
    if (w == "defined") {
      bool paren = e.eat("(");
      const Tok* n = e.peek();
      if (!n || n->kind != TokKind::Ident) {
        e.bad = true;
        return std::nullopt;
      }
      ++e.i;
      if (paren && !e.eat(")")) e.bad = true;
      return is_defined(n->text);
    }
    if (call && (w == "IS_ENABLED" || w == "IS_BUILTIN" || w == "IS_MODULE" || w == "IS_REACHABLE")) {
      e.eat("(");
      const Tok* n = e.peek();
      if (!n || n->kind != TokKind::Ident) {
        e.bad = true;
        return std::nullopt;
      }
      ++e.i;
      if (!e.eat(")")) e.bad = true;
      Val builtin = is_defined(n->text);
      Val module = is_defined(n->text + "_MODULE");
      if (!builtin || !module) return std::nullopt;
      if (w == "IS_BUILTIN") return *builtin;
      if (w == "IS_MODULE") return *module;
      // IS_REACHABLE from built-in code (where the tracepoints live) needs built-in.
      if (w == "IS_REACHABLE") return std::nullopt;
      return *builtin || *module;
    }
    if (call) {
      // Some other function-like macro: skip its arguments, value unknown.
      int depth = 0;
      do {
        const Tok* x = e.peek();
        if (!x) break;
        if (x->text == "(") ++depth;
        if (x->text == ")") --depth;
        ++e.i;
      } while (depth > 0);
      return std::nullopt;
    }
    return config_value(w);
  }

  void define(const std::vector<Tok>& d) {
    if (d.size() < 2 || d[1].kind != TokKind::Ident) return;
    const std::string& name = d[1].text;
    if (name == "TRACE_SYSTEM") {
      // TRACE_SYSTEM_VAR only renames the C variable; the system keeps this name.
      // Spelled as the tokens run together: "intel-sst" lexes as three.
      system_.clear();
      for (size_t i = 2; i < d.size(); ++i) system_ += d[i].text;
      if (system_.size() >= 2 && system_.front() == '"') system_ = system_.substr(1, system_.size() - 2);
      return;
    }
    if (keyword(name) || name == "TP_PROTO" || name == "PARAMS") return;
    Macro m;
    m.in_alternative = alternatives_ > 0;
    size_t i = 2;
    if (i < d.size() && d[i].text == "(" && !d[i].space_before) {
      m.function_like = true;
      for (++i; i < d.size() && d[i].text != ")"; ++i) {
        if (d[i].text == ",") continue;
        if (d[i].text == "...") {
          m.variadic = true;
          if (m.params.empty() || (i > 0 && d[i - 1].text == ",") || d[i - 1].text == "(")
            m.params.push_back("__VA_ARGS__");
          continue;
        }
        m.params.push_back(d[i].text);
      }
      if (i < d.size()) ++i;
    }
    m.body.assign(d.begin() + static_cast<long>(std::min(i, d.size())), d.end());
    if (!m.body.empty()) m.body[0].space_before = false;
    auto it = macros_.find(name);
    if (it != macros_.end() && alternatives_ > 0 && !is_placeholder_definition(it->second)) return;
    macros_[name] = std::move(m);
  }

  // Mutually recursive macros whose calls straddle an expansion's end are not caught by
  // painting; this bounds them. Real headers need a few hundred per file.
  static constexpr int kMaxExpansions = 20000;

  Lexed lx_;
  std::string header_;
  std::string system_;
  std::map<std::string, Macro> macros_;
  const KernelConfig* config_;
  std::vector<Cond> cond_;  // the open conditionals, innermost last
  int alternatives_ = 0;    // open conditionals reading a branch after another one
  int dead_ = 0;            // open conditionals skipping their current branch
  int expansions_ = 0;
  std::set<std::string> seen_;
  std::vector<TraceDecl> out_;
};

// ---- finding the headers -----------------------------------------------------------------

bool read_file(const std::string& path, std::string& out) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return false;
  std::ostringstream ss;
  ss << f.rdbuf();
  out = ss.str();
  return true;
}

// The source tree a Debian-style build tree's Makefile includes ("include DIR/Makefile").
std::string makefile_source(const std::string& build) {
  std::string mk;
  if (!read_file(build + "/Makefile", mk)) return {};
  std::istringstream in(mk);
  std::string line;
  while (std::getline(in, line)) {
    std::string_view v = line;
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    if (v.substr(0, 8) != "include ") continue;
    v.remove_prefix(8);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r')) v.remove_suffix(1);
    if (v.size() > 9 && v.substr(v.size() - 9) == "/Makefile") {
      std::string dir(v.substr(0, v.size() - 9));
      if (dir.find('$') == std::string::npos) return dir;
    }
  }
  return {};
}

// The kernel's architecture folder name, from the tree's .config.
std::string tree_arch(const std::vector<std::string>& roots) {
  static const std::pair<const char*, const char*> kArch[] = {
      {"CONFIG_X86=y", "x86"},         {"CONFIG_ARM64=y", "arm64"},
      {"CONFIG_S390=y", "s390"},       {"CONFIG_PPC=y", "powerpc"},
      {"CONFIG_RISCV=y", "riscv"},     {"CONFIG_MIPS=y", "mips"},
      {"CONFIG_LOONGARCH=y", "loongarch"}, {"CONFIG_ARM=y", "arm"},
  };
  for (const std::string& r : roots) {
    std::string cfg;
    if (!read_file(r + "/.config", cfg)) continue;
    for (auto& [opt, arch] : kArch) {
      size_t p = cfg.find(opt);
      if (p != std::string::npos && (p == 0 || cfg[p - 1] == '\n')) return arch;
    }
  }
  return "x86";
}

struct HeaderFile {
  std::string rel;   // relative to its root
  std::string path;  // absolute
  struct stat st {};
};

bool has_suffix(const std::string& s, const char* suf) {
  size_t n = std::strlen(suf);
  return s.size() >= n && s.compare(s.size() - n, n, suf) == 0;
}

// The headers that may declare tracepoints, in a stable order; a path relative to the
// kernel tree is taken from the first root that has it.
std::vector<HeaderFile> list_headers(const std::vector<std::string>& roots) {
  std::string arch = tree_arch(roots);
  // (folder, whether to descend, name filter)
  struct Place {
    std::string dir;
    bool recurse;
    bool only_trace_names;  // file name contains "trace" or "event"
  };
  const Place places[] = {
      {"include/trace/events", true, false},
      {"include/trace", false, true},
      {"include/ras", false, true},
      {"arch/" + arch + "/include/asm/trace", true, false},
      {"arch/" + arch + "/include/asm", false, true},
  };
  std::map<std::string, HeaderFile> found;
  for (const std::string& root : roots) {
    for (const Place& pl : places) {
      std::error_code ec;
      fs::path base = fs::path(root) / pl.dir;
      if (!fs::is_directory(base, ec)) continue;
      // Entries are spelled root + "/" + rel: the root is canonical, so cutting it off
      // gives the relative path without fs::relative's per-component lookups.
      auto consider = [&](const fs::directory_entry& e) {
        std::string path = e.path().string();
        if (!has_suffix(path, ".h") || path.size() <= root.size() + 1) return;
        std::string_view fname = std::string_view(path).substr(path.rfind('/') + 1);
        if (pl.only_trace_names && fname.find("trace") == std::string::npos &&
            fname.find("event") == std::string::npos)
          return;
        std::string rel = path.substr(root.size() + 1);
        if (found.count(rel)) return;
        HeaderFile h;
        if (::stat(path.c_str(), &h.st) != 0 || !S_ISREG(h.st.st_mode)) return;
        h.rel = std::move(rel);
        h.path = std::move(path);
        found.emplace(h.rel, std::move(h));
      };
      if (pl.recurse) {
        for (auto it = fs::recursive_directory_iterator(base, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
          consider(*it);
      } else {
        for (auto it = fs::directory_iterator(base, ec); !ec && it != fs::directory_iterator();
             it.increment(ec))
          consider(*it);
      }
    }
  }
  std::vector<HeaderFile> out;
  out.reserve(found.size());
  for (auto& [rel, h] : found) out.push_back(std::move(h));
  return out;
}

// Files that use the trace macros to build other things, not to declare tracepoints.
bool is_framework_header(const std::string& rel) {
  static const char* const kSkip[] = {
      "include/trace/bpf_probe.h",       "include/trace/define_trace.h",
      "include/trace/define_custom_trace.h", "include/trace/perf.h",
      "include/trace/trace_events.h",    "include/trace/trace_custom_events.h",
      "include/trace/syscall.h",
  };
  for (const char* s : kSkip)
    if (rel == s) return true;
  return rel.rfind("include/trace/stages/", 0) == 0;
}

std::vector<TraceDecl> merge_sorted(std::vector<std::vector<TraceDecl>> per_file) {
  std::vector<TraceDecl> all;
  for (auto& v : per_file)
    for (auto& d : v) all.push_back(std::move(d));
  // Stable: a tracepoint two headers declare keeps the one from the first header.
  std::stable_sort(all.begin(), all.end(), [](const TraceDecl& a, const TraceDecl& b) {
    return a.system != b.system ? a.system < b.system : a.name < b.name;
  });
  all.erase(std::unique(all.begin(), all.end(),
                        [](const TraceDecl& a, const TraceDecl& b) {
                          return a.system == b.system && a.name == b.name;
                        }),
            all.end());
  return all;
}

// The config kbuild would use: the first root's .config.
std::string config_path(const std::vector<std::string>& roots) {
  for (const std::string& r : roots) {
    struct stat st;
    if (::stat((r + "/.config").c_str(), &st) == 0) return r + "/.config";
  }
  return {};
}

std::vector<TraceDecl> scan_files(const std::vector<HeaderFile>& files, const KernelConfig* config) {
  std::vector<std::vector<TraceDecl>> per_file;
  per_file.reserve(files.size());
  std::string text;
  for (const HeaderFile& h : files) {
    if (is_framework_header(h.rel)) continue;
    if (!read_file(h.path, text)) continue;
    // Most files in the places searched declare tracepoints; skip the rest unlexed.
    if (text.find("TRACE_SYSTEM") == std::string::npos) continue;
    per_file.push_back(scan_trace_header_text(text, h.rel, config));
  }
  return merge_sorted(std::move(per_file));
}

// ---- the cache file ------------------------------------------------------------------------
// One line per tracepoint: system, name, header, then type and name per argument, all
// separated by tabs (none of them can hold a tab or newline).

constexpr const char* kCacheMagic = "stap-tracepoints 2";

std::string to_cache_text(const std::vector<TraceDecl>& v) {
  std::string s = kCacheMagic;
  s += '\n';
  for (const TraceDecl& d : v) {
    s += d.system + '\t' + d.name + '\t' + d.header;
    for (auto& [type, name] : d.args) s += '\t' + type + '\t' + name;
    s += '\n';
  }
  return s;
}

bool from_cache_text(const std::string& s, std::vector<TraceDecl>& out) {
  std::istringstream in(s);
  std::string line;
  if (!std::getline(in, line) || line != kCacheMagic) return false;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    size_t b = 0;
    for (;;) {
      size_t e = line.find('\t', b);
      f.push_back(line.substr(b, e == std::string::npos ? std::string::npos : e - b));
      if (e == std::string::npos) break;
      b = e + 1;
    }
    if (f.size() < 3 || (f.size() - 3) % 2 != 0) return false;
    TraceDecl d;
    d.system = f[0];
    d.name = f[1];
    d.header = f[2];
    for (size_t i = 3; i < f.size(); i += 2) d.args.emplace_back(f[i], f[i + 1]);
    out.push_back(std::move(d));
  }
  return true;
}

}  // namespace

std::vector<std::string> trace_header_roots(const std::string& build_tree) {
  std::vector<std::string> roots;
  std::error_code ec;
  if (!fs::is_directory(build_tree, ec)) return roots;
  auto add = [&](const fs::path& p) {
    std::error_code ec2;
    if (!fs::is_directory(p, ec2)) return;
    std::string c = fs::canonical(p, ec2).string();
    if (ec2 || c.empty()) return;
    if (std::find(roots.begin(), roots.end(), c) == roots.end()) roots.push_back(c);
  };
  add(build_tree);
  add(fs::path(build_tree) / "source");  // kbuild's O= trees and some packagings
  // /lib/modules/R/build's sibling /lib/modules/R/source.
  fs::path b = fs::path(build_tree);
  if (b.filename().empty()) b = b.parent_path();
  if (b.filename() == "build") add(b.parent_path() / "source");
  if (!roots.empty()) {
    std::string inc = makefile_source(roots[0]);
    if (!inc.empty()) add(fs::path(roots[0]) / inc);  // absolute stays absolute
  }
  return roots;
}

KernelConfig read_kernel_config(const std::string& dot_config_path) {
  KernelConfig c;
  std::string text;
  if (!read_file(dot_config_path, text)) return c;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, 7, "CONFIG_") != 0) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string name = line.substr(0, eq), value = line.substr(eq + 1);
    if (value == "y") {
      c[name] = "1";
    } else if (value == "m") {
      c[name + "_MODULE"] = "1";
    } else if (value != "n") {
      c[name] = value;
    }
  }
  return c;
}

std::vector<TraceDecl> scan_trace_header_text(const std::string& text, const std::string& header,
                                              const KernelConfig* config) {
  Scanner s(lex(text), header, config);
  return s.run();
}

std::vector<TraceDecl> scan_trace_headers(const std::string& build_tree) {
  std::vector<std::string> roots = trace_header_roots(build_tree);
  if (roots.empty()) return {};
  std::string cfg = config_path(roots);
  KernelConfig config;
  if (!cfg.empty()) config = read_kernel_config(cfg);
  return scan_files(list_headers(roots), cfg.empty() ? nullptr : &config);
}

std::vector<TraceDecl> scan_trace_headers_cached(const std::string& build_tree,
                                                 const std::string& cache_dir) {
  std::vector<std::string> roots = trace_header_roots(build_tree);
  if (roots.empty()) return {};
  std::vector<HeaderFile> files = list_headers(roots);
  Hash128 h;
  h.add(std::string(kCacheMagic));
  for (const std::string& r : roots) h.add(r);
  std::string cfg = config_path(roots);
  struct stat cst {};
  if (!cfg.empty() && ::stat(cfg.c_str(), &cst) == 0) {
    h.add(cfg);
    h.add(static_cast<int64_t>(cst.st_size));
    h.add(static_cast<int64_t>(cst.st_mtim.tv_sec));
    h.add(static_cast<int64_t>(cst.st_mtim.tv_nsec));
  }
  for (const HeaderFile& f : files) {
    h.add(f.path);
    h.add(static_cast<int64_t>(f.st.st_size));
    h.add(static_cast<int64_t>(f.st.st_mtim.tv_sec));
    h.add(static_cast<int64_t>(f.st.st_mtim.tv_nsec));
  }
  std::string dir = cache_dir + "/tracepoints";
  std::string path = dir + "/" + h.hex() + ".txt";
  std::string text;
  if (!cache_dir.empty() && read_file(path, text)) {
    std::vector<TraceDecl> v;
    if (from_cache_text(text, v)) return v;
  }
  KernelConfig config;
  if (!cfg.empty()) config = read_kernel_config(cfg);
  std::vector<TraceDecl> v = scan_files(files, cfg.empty() ? nullptr : &config);
  if (!cache_dir.empty()) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    // Written whole under a temporary name, then renamed: a concurrent reader sees the
    // old state or the new one.
    std::string tmp = path + ".tmp" + std::to_string(::getpid());
    {
      std::ofstream o(tmp, std::ios::binary | std::ios::trunc);
      o << to_cache_text(v);
      if (!o) {
        o.close();
        fs::remove(tmp, ec);
        return v;
      }
    }
    fs::rename(tmp, path, ec);
    if (ec) fs::remove(tmp, ec);
  }
  return v;
}

}  // namespace stap::debuginfo
