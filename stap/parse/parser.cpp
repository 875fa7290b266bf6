#include "stap/parse/parser.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>

#include "stap/parse/format.h"

namespace stap {

bool version_at_least(const std::string& have, const std::string& want) {
  return strverscmp(have.c_str(), want.c_str()) >= 0;
}

namespace {

bool is_stat_op(const std::string& s) {
  return s == "@count" || s == "@sum" || s == "@min" || s == "@max" || s == "@avg" ||
         s == "@variance";
}

bool is_print_fn(const std::string& s) {
  static const char* const kNames[] = {"print",   "sprint",   "println",  "sprintln",
                                       "printd",  "sprintd",  "printdln", "sprintdln",
                                       "printf",  "sprintf"};
  for (const char* n : kNames)
    if (s == n) return true;
  return false;
}

bool is_assign_op(const Token* t) {
  if (t->kind != TokKind::Operator) return false;
  static const char* const kOps[] = {"=",  "<<<", "+=",  "-=", "*=", "/=", "%=",
                                     "<<=", ">>=", "&=", "^=", "|=", ".="};
  for (const char* o : kOps)
    if (t->text == o) return true;
  return false;
}

class Parser {
 public:
  Parser(Preprocessor& pp, AstArena& arena, Diagnostics& diag, const ParseOptions& opts,
         const SourceFile& src)
      : pp_(pp), arena_(arena), diag_(diag), opts_(opts), src_(src) {}

  ParseResult parse();

 private:
  // Token access -----------------------------------------------------------------------
  const Token* peek() {
    if (!ahead_) ahead_ = pp_.next();
    return ahead_;
  }
  const Token* next() {
    const Token* t = peek();
    ahead_ = nullptr;
    return t;
  }
  [[noreturn]] void fail(const std::string& msg, const Token* t = nullptr, bool at = false,
                         std::source_location where = std::source_location::current()) {
    throw ParseError{msg, t ? t : peek(), at, true, where};
  }
  // Like upstream, the expect_* helpers consume the token before complaining about it,
  // so recovery resumes after it.
  const Token* expect_op(const char* op) {
    const Token* t = next();
    if (!t->is_op(op)) fail(std::string("expected '") + op + "'", t);
    return t;
  }
  const Token* expect_kw(const char* kw) {
    const Token* t = next();
    if (!t->is_kw(kw)) fail(std::string("expected '") + kw + "'", t);
    return t;
  }
  const Token* expect_ident() {
    const Token* t = next();
    if (t->kind != TokKind::Identifier) fail("expected identifier", t);
    return t;
  }
  void soft_error(const std::string& msg, const Token* t) {
    diag_.parse_error(msg, t, false);
    ++errors_;
  }
  bool peek_op(const char* op) { return peek()->is_op(op); }
  bool peek_kw(const char* kw) { return peek()->is_kw(kw); }
  bool compat_at_least(const char* v) { return version_at_least(opts_.compatible, v); }

  // Top level ----------------------------------------------------------------------------
  void parse_toplevel();
  void parse_probe(const Token* kw);
  void parse_global(const Token* kw, bool is_private);
  void parse_global_item(const Token* kw, bool is_private);
  void parse_function(const Token* kw, bool is_private);
  Type parse_type();

  // Probe points -------------------------------------------------------------------------
  std::vector<ProbePoint*> parse_pp_list(bool inside_braces);
  std::vector<ProbePoint*> parse_pp(bool inside_braces);
  Literal* parse_literal(bool allow_negative = true);
  Literal* parse_literal_string();

  // Statements ---------------------------------------------------------------------------
  Block* parse_block();
  Stmt* parse_statement();
  Stmt* parse_try(const Token* kw);
  Stmt* parse_if(const Token* kw);
  Stmt* parse_for(const Token* kw);
  Stmt* parse_while(const Token* kw);
  Stmt* parse_foreach(const Token* kw);
  void optional_semicolon() {
    if (peek_op(";")) next();
  }

  // Expressions --------------------------------------------------------------------------
  Expr* parse_expression();
  Expr* parse_ternary();
  Expr* parse_logical_or();
  Expr* parse_logical_and();
  Expr* parse_bor();
  Expr* parse_bxor();
  Expr* parse_band();
  Expr* parse_array_in();
  Expr* parse_comparison();
  Expr* parse_shift();
  Expr* parse_concat();
  Expr* parse_additive();
  Expr* parse_multiplicative();
  Expr* parse_unary();
  Expr* parse_crement();
  Expr* parse_dwarf_value();
  Expr* parse_value();
  Expr* parse_symbol();
  Expr* parse_at_operator(const Token* t);
  Expr* parse_print(const Token* t);
  Expr* parse_target_symbol(const Token* t);
  void parse_components(std::vector<Component>* cs);
  HistOp* parse_hist_op(const Token* t);
  ArrayIndex* parse_index_list(const Token* t, ArrayIndex* ai);
  Symbol* make_symbol(const Token* t) { return arena_.make<Symbol>(t, t->text); }
  int64_t parse_number_token(const Token* t, bool negate = false);

  // Error recovery: skip to something that can start a top-level declaration.
  void resync();
  void report(const ParseError& e);

  Preprocessor& pp_;
  AstArena& arena_;
  Diagnostics& diag_;
  const ParseOptions& opts_;
  const SourceFile& src_;
  const Token* ahead_ = nullptr;
  StapFile* file_ = nullptr;
  bool in_function_ = false;
  int errors_ = 0;
  bool parsed_something_ = false;
  bool nonempty_ = false;  // a token reached the top level (upstream's test for empty)
};

ParseResult Parser::parse() {
  file_ = arena_.make<StapFile>();
  file_->source = &src_;
  file_->privileged = opts_.privileged;
  for (;;) {
    try {
      const Token* t = peek();
      if (t->kind == TokKind::Eof) break;
      nonempty_ = true;
      parse_toplevel();
      parsed_something_ = true;
    } catch (const ParseError& e) {
      report(e);
      if (e.skip) resync();
    }
  }
  ParseResult r;
  r.file = file_;
  r.errors = errors_;
  r.empty = !nonempty_;
  return r;
}

// An error about a junk token is reported as what made it junk, in the "at:" form.
void Parser::report(const ParseError& e) {
  ++errors_;
  if (e.tok && e.tok->kind == TokKind::Junk)
    diag_.parse_error(e.tok->error, e.tok, true, e.site + "|" + e.tok->error);
  else
    diag_.parse_error(e.msg, e.tok, e.at_form, e.site + "|" + e.msg);
  if (e.note_tok) diag_.parse_error(e.note, e.note_tok, true, e.site + "|" + e.note);
}

// Junk tokens met here are dropped silently; preprocessor errors are still reported.
void Parser::resync() {
  for (;;) {
    try {
      const Token* t = peek();
      if (t->kind == TokKind::Eof) return;
      if (t->is_kw("probe") || t->is_kw("private") || t->is_kw("global") ||
          t->is_kw("function") || t->kind == TokKind::Embedded)
        return;
      next();
    } catch (const ParseError& e) {
      report(e);
      ahead_ = nullptr;
    }
  }
}

// toplevel ::= probe | global | private | function | EMBEDDED
void Parser::parse_toplevel() {
  const Token* t = next();
  if (t->is_kw("probe")) {
    parse_probe(t);
  } else if (t->is_kw("global")) {
    parse_global(t, false);
  } else if (t->is_kw("private")) {
    const Token* n = peek();
    if (n->is_kw("function")) {
      parse_function(next(), true);
    } else if (n->is_kw("global")) {
      parse_global(next(), true);
    } else if (n->kind == TokKind::Identifier) {
      parse_global(t, true);
    } else {
      fail("expected 'function' or identifier");
    }
  } else if (t->is_kw("function")) {
    parse_function(t, false);
  } else if (t->kind == TokKind::Embedded) {
    // Reported without abandoning the parse, as upstream does.
    if (!opts_.privileged) soft_error("embedded code in unprivileged script; need stap -g", t);
    file_->embeds.push_back(arena_.make<EmbeddedStmt>(t, t->text));
  } else {
    fail("expected 'probe', 'global', 'private', 'function', or '%{'", t);
  }
}

// global ::= "global" gitem { "," gitem } [";"]
void Parser::parse_global(const Token* kw, bool is_private) {
  for (;;) {
    parse_global_item(kw, is_private);
    if (!peek_op(",")) break;
    next();
  }
  optional_semicolon();
}

// gitem ::= IDENT ["%"] ["[" NUMBER "]"] ["=" literal]
void Parser::parse_global_item(const Token* kw, bool is_private) {
  (void)kw;
  const Token* name = expect_ident();
  for (const VarDecl* g : file_->globals) {
    if (g->name != name->text) continue;
    if (g->is_private == is_private) fail("duplicate global name", name);
    fail("global versus private variable declaration conflict", name);
  }
  auto* v = arena_.make<VarDecl>();
  v->tok = name;
  v->name = name->text;
  v->is_global = true;
  v->is_private = is_private;
  // Declared from here on, even if the rest of the item is in error (as upstream).
  file_->globals.push_back(v);
  if (peek_op("%")) {
    next();
    v->wrap = true;
  }
  if (peek_op("[")) {
    next();
    const Token* n = peek();
    if (n->kind != TokKind::Number) fail("expected number");
    next();
    int64_t size = parse_number_token(n);
    expect_op("]");
    if (size <= 0 || size > INT_MAX) fail("array size out of range");
    v->maxsize = size;
    v->arity = -1;  // an array of unknown arity
  }
  if (peek_op("=")) {
    if (v->maxsize > 0) fail("only scalar globals can be initialized");
    next();
    v->init = parse_literal();
    v->arity = 0;
  }
}

// type ::= "string" | "long"
Type Parser::parse_type() {
  const Token* t = peek();
  if (t->is_kw("string")) {
    next();
    return Type::String;
  }
  if (t->is_kw("long")) {
    next();
    return Type::Long;
  }
  fail("expected 'string' or 'long'");
}

// function ::= "function" FNAME [":" type] "(" [ formal {"," formal} ] ")" [":" NUMBER]
//              ( block | EMBEDDED )
void Parser::parse_function(const Token* kw, bool is_private) {
  (void)kw;
  const Token* name = peek();
  if (name->kind != TokKind::Identifier && !name->is_kw("string") && !name->is_kw("long"))
    fail("expected identifier");
  next();
  auto* f = arena_.make<FunctionDecl>();
  f->tok = name;
  f->name = name->text;
  f->is_private = is_private;
  f->file = &src_;
  f->priority = opts_.is_tapset ? 1 : 0;
  if (peek_op(":")) {
    next();
    f->type_tok = peek();
    f->type = parse_type();
    f->declared_type = true;
  }
  expect_op("(");
  if (!peek_op(")")) {
    for (;;) {
      const Token* a = expect_ident();
      for (const VarDecl* p : f->formals)
        if (p->name == a->text) fail("duplicate parameter names", a);
      auto* v = arena_.make<VarDecl>();
      v->tok = a;
      v->name = a->text;
      v->arity = 0;
      if (peek_op(":")) {
        next();
        v->type = parse_type();
        v->type_tok = a;
        v->declared_type = true;
      }
      f->formals.push_back(v);
      if (peek_op(")")) break;
      if (!peek_op(",")) fail("expected ',' or ')'");
      next();
    }
  }
  next();  // ")"
  if (peek_op(":")) {
    next();
    bool negative = false;
    if (peek_op("-")) {
      next();
      negative = true;
    }
    const Token* p = peek();
    if (p->kind != TokKind::Number) fail("expected number");
    int64_t prio = parse_number_token(p, negative);
    if (prio <= 0) fail("specified priority must be > 0");
    next();
    f->priority = prio;
    f->has_priority = true;
  }
  const Token* b = peek();
  if (b->kind == TokKind::Embedded) {
    if (!opts_.privileged) soft_error("embedded code in unprivileged script; need stap -g", b);
    next();
    f->body = arena_.make<EmbeddedStmt>(b, b->text);
    f->unmangled = b->text.find("/* unmangled */") != std::string::npos;
  } else {
    in_function_ = true;
    try {
      f->body = parse_block();
    } catch (...) {
      in_function_ = false;
      throw;
    }
    in_function_ = false;
  }
  file_->functions.push_back(f);
}

// probe ::= "probe" pplist block
// alias ::= "probe" ppoint ("=" | "+=") { ppoint ("=") } pplist block [ "," block ]
void Parser::parse_probe(const Token* kw) {
  std::vector<ProbePoint*> first = parse_pp(false);
  const Token* t = peek();
  if (t->is_op("=") || t->is_op("+=")) {
    auto* a = arena_.make<ProbeAlias>();
    a->tok = kw;
    a->file = &src_;
    a->privileged = opts_.privileged;
    for (ProbePoint* p : first) {
      if (p->optional || p->sufficient)
        fail("probe point alias name cannot be optional nor sufficient", p->tok, true);
      a->alias_names.push_back(p);
    }
    for (;;) {
      const Token* op = next();
      a->epilogue_style = op->is_op("+=");
      std::vector<ProbePoint*> pts = parse_pp_list(false);
      // probe a = b = c: b is another alias name when followed by "=".
      if ((peek_op("=") || peek_op("+=")) && pts.size() == 1) {
        a->alias_names.push_back(pts[0]);
        continue;
      }
      a->locations = pts;
      break;
    }
    a->body = parse_block();
    if (peek_op(",")) {
      const Token* comma = peek();
      if (a->epilogue_style)
        fail("Combined prologue and epilogue cannot be defined with '+='", comma);
      next();
      a->epilogue_body = parse_block();
    }
    file_->aliases.push_back(a);
    return;
  }
  auto* p = arena_.make<Probe>();
  p->tok = kw;
  p->file = &src_;
  p->privileged = opts_.privileged;
  p->locations = first;
  while (peek_op(",")) {
    next();
    auto more = parse_pp(false);
    p->locations.insert(p->locations.end(), more.begin(), more.end());
  }
  if (!peek_op("{")) fail("expected probe point specifier");
  p->body = parse_block();
  file_->probes.push_back(p);
}

// pplist ::= ppoint { "," ppoint }
std::vector<ProbePoint*> Parser::parse_pp_list(bool inside_braces) {
  std::vector<ProbePoint*> out = parse_pp(inside_braces);
  while (peek_op(",")) {
    next();
    auto more = parse_pp(inside_braces);
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

// ppoint ::= comp { "." comp } [ "?" | "!" ] [ "if" "(" expr ")" ]
// comp   ::= "{" pplist "}" | piece { piece } [ "(" literal ")" ]
std::vector<ProbePoint*> Parser::parse_pp(bool inside_braces) {
  std::vector<ProbePoint*> results;
  auto* start = arena_.make<ProbePoint>();
  start->tok = peek();
  results.push_back(start);
  for (;;) {
    const Token* t = peek();
    if (t->is_op("{")) {
      next();
      std::vector<ProbePoint*> alts = parse_pp_list(true);
      expect_op("}");
      bool last = !peek_op(".");
      std::vector<ProbePoint*> product;
      for (ProbePoint* r : results) {
        for (ProbePoint* a : alts) {
          if (!last && (a->optional || a->sufficient || a->condition))
            fail("'?', '!' or condition must only be specified in suffix", a->tok, true);
          auto* c = arena_.make<ProbePoint>(*r);
          c->components.insert(c->components.end(), a->components.begin(), a->components.end());
          c->optional = a->optional;
          c->sufficient = a->sufficient;
          c->condition = a->condition;
          product.push_back(c);
        }
      }
      results = product;
    } else if (t->kind == TokKind::Identifier || t->kind == TokKind::Keyword ||
               t->is_op("*")) {
      ProbePointComponent c;
      c.tok = t;
      c.functor = t->text;
      next();
      // Pieces written with no space between them form one name ("foo*bar", "**").
      for (;;) {
        const Token* n = peek();
        bool adjacent = n->loc.file == t->loc.file && n->loc.line == t->loc.line &&
                        n->loc.col == t->loc.col + static_cast<int>(t->text.size()) &&
                        n->expanded_from == t->expanded_from;
        if (!adjacent) break;
        if (!(n->kind == TokKind::Identifier || n->kind == TokKind::Keyword || n->is_op("*") ||
              (n->kind == TokKind::Number && c.functor.find('*') != std::string::npos)))
          break;
        c.functor += n->text;
        t = next();
      }
      if (peek_op("(")) {
        next();
        c.arg = parse_literal();
        expect_op(")");
      }
      for (ProbePoint* r : results) r->components.push_back(c);
    } else {
      fail("expected identifier or '*' or '{'");
    }
    if (peek_op(".")) {
      next();
      continue;
    }
    break;
  }
  bool optional = false, sufficient = false;
  Expr* cond = nullptr;
  if (peek_op("?")) {
    next();
    optional = true;
  } else if (peek_op("!")) {
    next();
    optional = sufficient = true;
  }
  if (peek_kw("if")) {
    next();
    expect_op("(");
    cond = parse_expression();
    expect_op(")");
  }
  const Token* n = peek();
  if (!(n->is_op(",") || n->is_op("{") || n->is_op("}") || n->is_op("=") || n->is_op("+=") ||
        (inside_braces && n->is_op("."))))
    fail("expected one of ', { } = +='");
  for (ProbePoint* r : results) {
    if (optional) r->optional = true;
    if (sufficient) r->sufficient = true;
    if (cond) r->condition = cond;
  }
  return results;
}

int64_t Parser::parse_number_token(const Token* t, bool negate) {
  const std::string& s = t->text;
  errno = 0;
  char* end = nullptr;
  unsigned long long v = std::strtoull(s.c_str(), &end, 0);
  if (s.empty() || *end != 0 || errno == ERANGE) fail("number invalid or out of range", t);
  // Decimal, octal and hex all allowed up to 2^64-1; they wrap into int64.
  int64_t r = static_cast<int64_t>(v);
  return negate ? static_cast<int64_t>(0ULL - v) : r;
}

// literal ::= STRING { STRING } | [ "-" ] NUMBER
Literal* Parser::parse_literal(bool allow_negative) {
  const Token* t = peek();
  if (t->kind == TokKind::String) {
    next();
    std::string s = t->text;
    while (peek()->kind == TokKind::String) s += next()->text;
    return arena_.make<Literal>(t, s);
  }
  bool neg = false;
  const Token* first = t;
  if (allow_negative && t->is_op("-")) {
    next();
    neg = true;
    t = peek();
  }
  if (t->kind == TokKind::Number) {
    next();
    int64_t v = parse_number_token(t, neg);
    return arena_.make<Literal>(first, v);
  }
  fail("expected literal string or number");
}

Literal* Parser::parse_literal_string() {
  const Token* t = peek();
  if (t->kind != TokKind::String) fail("expected literal string");
  return parse_literal(false);
}

// block ::= "{" { stmt } "}"
Block* Parser::parse_block() {
  const Token* open = expect_op("{");
  auto* b = arena_.make<Block>(open);
  for (;;) {
    const Token* t = peek();
    if (t->is_op("}")) {
      next();
      break;
    }
    if (t->kind == TokKind::Eof) fail("expected statement");
    b->stmts.push_back(parse_statement());
    // A ';' after any statement ends it rather than forming an empty statement of its
    // own; this keeps the -p1 dump (which ends every statement with ';') a fixed point.
    optional_semicolon();
  }
  return b;
}

// stmt ::= ";" | block | try | if | for | while | foreach | return | delete | next
//        | break | continue | expr   (each simple form takes an optional ";")
Stmt* Parser::parse_statement() {
  const Token* t = peek();
  if (t->is_op(";")) {
    next();
    return arena_.make<NullStmt>(t);
  }
  if (t->is_op("{")) return parse_block();
  if (t->is_kw("try")) return parse_try(next());
  if (t->is_kw("if")) return parse_if(next());
  if (t->is_kw("for")) return parse_for(next());
  if (t->is_kw("while")) return parse_while(next());
  if (t->is_kw("foreach")) return parse_foreach(next());
  if (t->is_kw("return")) {
    if (!in_function_) fail("found 'return' not in function context", t);
    next();
    Expr* e = nullptr;
    const Token* n = peek();
    // A bare return ends at ';' or '}' (or a token that cannot start an expression).
    if (!(n->is_op(";") || n->is_op("}") || n->kind == TokKind::Eof ||
          n->kind == TokKind::Keyword))
      e = parse_expression();
    optional_semicolon();
    return arena_.make<ReturnStmt>(t, e);
  }
  if (t->is_kw("delete")) {
    next();
    Expr* e = parse_expression();
    optional_semicolon();
    return arena_.make<DeleteStmt>(t, e);
  }
  if (t->is_kw("next")) {
    next();
    optional_semicolon();
    return arena_.make<NextStmt>(t);
  }
  if (t->is_kw("break")) {
    next();
    optional_semicolon();
    return arena_.make<BreakStmt>(t);
  }
  if (t->is_kw("continue")) {
    next();
    optional_semicolon();
    return arena_.make<ContinueStmt>(t);
  }
  if (t->kind == TokKind::Operator || t->kind == TokKind::Identifier ||
      t->kind == TokKind::Number || t->kind == TokKind::String ||
      t->kind == TokKind::Embedded) {
    Expr* e = parse_expression();
    optional_semicolon();
    return arena_.make<ExprStmt>(t, e);
  }
  fail("expected statement");
}

// try ::= "try" block "catch" [ "(" IDENT ")" ] block
Stmt* Parser::parse_try(const Token* kw) {
  auto* s = arena_.make<TryBlock>(kw);
  // The dump prints "try {" and the block's own braces; a block holding just one block
  // is the same block, so the dump reads back unchanged.
  auto unwrap = [](Block* b) -> Stmt* {
    if (b->stmts.size() == 1 && b->stmts[0]->kind == StmtKind::Block) return b->stmts[0];
    return b;
  };
  s->try_block = unwrap(parse_block());
  expect_kw("catch");
  if (peek_op("(")) {
    next();
    s->catch_var = make_symbol(expect_ident());
    expect_op(")");
  }
  s->catch_block = unwrap(parse_block());
  return s;
}

// if ::= "if" "(" expr ")" stmt [ "else" stmt ]
Stmt* Parser::parse_if(const Token* kw) {
  auto* s = arena_.make<IfStmt>(kw);
  expect_op("(");
  s->cond = parse_expression();
  expect_op(")");
  s->then_stmt = parse_statement();
  if (peek_kw("else")) {
    next();
    s->else_stmt = parse_statement();
  }
  return s;
}

// for ::= "for" "(" [expr] ";" [expr] ";" [expr] ")" stmt
Stmt* Parser::parse_for(const Token* kw) {
  auto* s = arena_.make<ForLoop>(kw);
  expect_op("(");
  if (!peek_op(";")) {
    const Token* it = peek();
    s->init = arena_.make<ExprStmt>(it, parse_expression());
  }
  expect_op(";");
  if (!peek_op(";")) {
    s->cond = parse_expression();
  } else {
    s->cond = arena_.make<Literal>(peek(), int64_t{1});
  }
  expect_op(";");
  if (!peek_op(")")) {
    const Token* it = peek();
    s->incr = arena_.make<ExprStmt>(it, parse_expression());
  }
  expect_op(")");
  s->body = parse_statement();
  return s;
}

// while ::= "while" "(" expr ")" stmt
Stmt* Parser::parse_while(const Token* kw) {
  auto* s = arena_.make<ForLoop>(kw);
  expect_op("(");
  s->cond = parse_expression();
  expect_op(")");
  s->body = parse_statement();
  return s;
}

// foreach ::= "foreach" "(" fvars "in" indexable [ "[" slice {"," slice} "]" ]
//             [ STATOP ] [ "+" | "-" ] [ "limit" expr ] ")" stmt
// fvars   ::= [ IDENT ["+"|"-"] "=" ] ( IDENT ["+"|"-"] | "[" IDENT ["+"|"-"] {"," ...} "]" )
Stmt* Parser::parse_foreach(const Token* kw) {
  auto* s = arena_.make<ForeachLoop>(kw);
  expect_op("(");
  auto take_sort = [&](int column) {
    const Token* t = peek();
    if (t->is_op("+") || t->is_op("-")) {
      if (s->sort_direction != 0) fail("multiple sort directives");
      next();
      s->sort_direction = t->is_op("+") ? 1 : -1;
      s->sort_column = column;
    }
  };
  auto parse_index_vars = [&]() {
    if (peek_op("[")) {
      next();
      for (;;) {
        s->indexes.push_back(make_symbol(expect_ident()));
        take_sort(static_cast<int>(s->indexes.size()));
        if (peek_op("]")) break;
        if (!peek_op(",")) fail("expected ',' or ']'");
        next();
      }
      next();
    } else {
      s->indexes.push_back(make_symbol(expect_ident()));
      take_sort(1);
    }
  };
  if (peek()->kind == TokKind::Identifier) {
    const Token* first = next();
    take_sort(1);
    if (peek_op("=")) {
      next();
      s->value = make_symbol(first);
      if (s->sort_direction != 0) s->sort_column = 0;
      parse_index_vars();
    } else {
      s->indexes.push_back(make_symbol(first));
    }
  } else {
    parse_index_vars();
  }
  expect_kw("in");
  const Token* base = peek();
  if (base->is_op("@hist_linear") || base->is_op("@hist_log")) {
    next();
    s->hist = parse_hist_op(base);
  } else {
    s->base = make_symbol(expect_ident());
  }
  if (peek_op("[")) {
    next();
    for (;;) {
      if (peek_op("*")) {
        next();
        s->slice.push_back(nullptr);
      } else {
        s->slice.push_back(parse_expression());
      }
      if (peek_op("]")) break;
      if (!peek_op(",")) fail("expected ',' or ']'");
      next();
    }
    next();
  }
  const Token* agg = peek();
  if (agg->kind == TokKind::Operator && is_stat_op(agg->text)) {
    next();
    s->sort_aggregate = agg->text;
    if (!peek_op("+") && !peek_op("-")) fail("expected sort directive");
  }
  take_sort(0);
  if (peek_kw("limit")) {
    next();
    s->limit = parse_expression();
  }
  expect_op(")");
  s->body = parse_statement();
  return s;
}

// expr ::= ternary [ ASSIGNOP expr ]
Expr* Parser::parse_expression() {
  Expr* l = parse_ternary();
  const Token* t = peek();
  if (is_assign_op(t)) {
    next();
    Expr* r = parse_expression();
    return arena_.make<Assign>(t, t->text, l, r);
  }
  return l;
}

// ternary ::= lor [ "?" expr ":" ternary ]
Expr* Parser::parse_ternary() {
  Expr* c = parse_logical_or();
  if (peek_op("?")) {
    const Token* q = next();
    Expr* yes = parse_expression();
    expect_op(":");
    Expr* no = compat_at_least("4.0") ? parse_ternary() : parse_expression();
    return arena_.make<Ternary>(q, c, yes, no);
  }
  return c;
}

Expr* Parser::parse_logical_or() {
  Expr* l = parse_logical_and();
  while (peek_op("||")) {
    const Token* t = next();
    l = arena_.make<Logical>(t, t->text, l, parse_logical_and());
  }
  return l;
}

Expr* Parser::parse_logical_and() {
  Expr* l = parse_bor();
  while (peek_op("&&")) {
    const Token* t = next();
    l = arena_.make<Logical>(t, t->text, l, parse_bor());
  }
  return l;
}

Expr* Parser::parse_bor() {
  Expr* l = parse_bxor();
  while (peek_op("|")) {
    const Token* t = next();
    l = arena_.make<Binary>(t, t->text, l, parse_bxor());
  }
  return l;
}

Expr* Parser::parse_bxor() {
  Expr* l = parse_band();
  while (peek_op("^")) {
    const Token* t = next();
    l = arena_.make<Binary>(t, t->text, l, parse_band());
  }
  return l;
}

Expr* Parser::parse_band() {
  Expr* l = parse_array_in();
  while (peek_op("&")) {
    const Token* t = next();
    l = arena_.make<Binary>(t, t->text, l, parse_array_in());
  }
  return l;
}

// inexp ::= ( "[" (cmp|"*") {"," (cmp|"*")} "]" | cmp ) [ "in" indexable ]
Expr* Parser::parse_array_in() {
  std::vector<Expr*> idx;
  const Token* open = peek();
  bool bracketed = false;
  if (open->is_op("[")) {
    next();
    bracketed = true;
    for (;;) {
      if (peek_op("*")) {
        next();
        idx.push_back(nullptr);
      } else {
        idx.push_back(parse_comparison());
      }
      if (peek_op("]")) break;
      if (!peek_op(",")) fail("expected ',' or ']'");
      next();
    }
    next();
  } else {
    idx.push_back(parse_comparison());
  }
  if (peek_kw("in")) {
    const Token* in = next();
    auto* ai = arena_.make<ArrayIndex>(in);
    ai->indexes = idx;
    const Token* b = peek();
    if (b->is_op("@hist_linear") || b->is_op("@hist_log")) {
      next();
      ai->hist = parse_hist_op(b);
    } else {
      ai->base = make_symbol(expect_ident());
      ai->tok = ai->base->tok;
    }
    return arena_.make<ArrayIn>(in, ai);
  }
  if (bracketed && (idx.size() != 1 || idx[0] == nullptr))
    fail("unexpected comma-separated expression list");
  return idx[0];
}

// cmp ::= shift ( ("=~"|"!~") STRING | { ("<"|">"|"=="|"!="|"<="|">=") shift } )
Expr* Parser::parse_comparison() {
  Expr* l = parse_shift();
  const Token* t = peek();
  if (t->is_op("=~") || t->is_op("!~")) {
    next();
    Literal* re = parse_literal_string();
    return arena_.make<Regex>(t, t->text, l, re);
  }
  for (;;) {
    t = peek();
    if (t->is_op("<") || t->is_op(">") || t->is_op("==") || t->is_op("!=") || t->is_op("<=") ||
        t->is_op(">=")) {
      next();
      l = arena_.make<Comparison>(t, t->text, l, parse_shift());
      continue;
    }
    return l;
  }
}

Expr* Parser::parse_shift() {
  Expr* l = parse_concat();
  for (;;) {
    const Token* t = peek();
    if (t->is_op("<<") || t->is_op(">>") || t->is_op(">>>")) {
      next();
      l = arena_.make<Binary>(t, t->text, l, parse_concat());
      continue;
    }
    return l;
  }
}

Expr* Parser::parse_concat() {
  Expr* l = parse_additive();
  while (peek_op(".")) {
    const Token* t = next();
    l = arena_.make<Concat>(t, l, parse_additive());
  }
  return l;
}

Expr* Parser::parse_additive() {
  Expr* l = parse_multiplicative();
  for (;;) {
    const Token* t = peek();
    if (t->is_op("+") || t->is_op("-")) {
      next();
      l = arena_.make<Binary>(t, t->text, l, parse_multiplicative());
      continue;
    }
    return l;
  }
}

Expr* Parser::parse_multiplicative() {
  Expr* l = parse_unary();
  for (;;) {
    const Token* t = peek();
    if (t->is_op("*") || t->is_op("/") || t->is_op("%")) {
      next();
      l = arena_.make<Binary>(t, t->text, l, parse_unary());
      continue;
    }
    return l;
  }
}

// unary ::= ("+"|"-"|"!"|"~") unary | crement
Expr* Parser::parse_unary() {
  const Token* t = peek();
  if (t->is_op("+") || t->is_op("-") || t->is_op("!") || t->is_op("~")) {
    next();
    return arena_.make<Unary>(t, t->text, parse_unary());
  }
  return parse_crement();
}

// crement ::= ("++"|"--") dwval | dwval [ "++" | "--" ]
Expr* Parser::parse_crement() {
  const Token* t = peek();
  if (t->is_op("++") || t->is_op("--")) {
    next();
    return arena_.make<Crement>(ExprKind::PreCrement, t, t->text, parse_dwarf_value());
  }
  Expr* e = parse_dwarf_value();
  t = peek();
  if (t->is_op("++") || t->is_op("--")) {
    next();
    return arena_.make<Crement>(ExprKind::PostCrement, t, t->text, e);
  }
  return e;
}

// The "->name", "[expr]" and trailing "$"/"$$" suffixes of target values.
void Parser::parse_components(std::vector<Component>* cs) {
  for (;;) {
    const Token* t = peek();
    if (t->is_op("->")) {
      next();
      const Token* m = peek();
      if (m->kind != TokKind::Identifier && m->kind != TokKind::Keyword)
        fail("expected identifier or keyword");
      next();
      std::string name = m->text;
      std::string pretty;
      if (name == "$" || name == "$$") {
        cs->push_back({Component::PrettyPrint, m, name, nullptr});
        return;
      }
      size_t d = name.find_last_not_of('$');
      if (d + 1 < name.size()) {
        pretty = name.substr(d + 1);
        name = name.substr(0, d + 1);
      }
      cs->push_back({Component::Member, m, name, nullptr});
      if (!pretty.empty()) {
        if (pretty.size() > 2) fail("invalid target pretty-print suffix", m, true);
        cs->push_back({Component::PrettyPrint, m, pretty, nullptr});
        return;
      }
      continue;
    }
    if (t->is_op("[")) {
      next();
      Expr* e = parse_expression();
      expect_op("]");
      cs->push_back({Component::Index, t, "", e});
      continue;
    }
    // "$x[1]$" lexes the trailing "$" as an identifier of its own.
    if (t->kind == TokKind::Identifier && (t->text == "$" || t->text == "$$") && !cs->empty()) {
      const Token* prev = cs->back().tok;
      (void)prev;
      next();
      cs->push_back({Component::PrettyPrint, t, t->text, nullptr});
      return;
    }
    return;
  }
}

// dwval ::= ["&"] ( "$"IDENT | "@cast"(...) | "@var"(...) | value ) { tsuffix } [ "$" | "$$" ]
Expr* Parser::parse_dwarf_value() {
  const Token* amp = nullptr;
  if (peek_op("&")) amp = next();
  const Token* t = peek();
  Expr* e;
  std::vector<Component>* comps = nullptr;
  bool* addressof = nullptr;
  if (t->kind == TokKind::Identifier && t->text[0] == '$' && t->text.size() > 1) {
    next();
    auto* ts = static_cast<TargetSymbol*>(parse_target_symbol(t));
    comps = &ts->components;
    addressof = &ts->addressof;
    e = ts;
  } else if (t->is_op("@cast")) {
    next();
    auto* c = arena_.make<Cast>(t);
    expect_op("(");
    c->operand = parse_expression();
    expect_op(",");
    if (peek()->kind != TokKind::String) fail("expected string");
    c->type_name = parse_literal(false)->str;
    if (peek_op(",")) {
      next();
      if (peek()->kind != TokKind::String) fail("expected string");
      c->module = parse_literal(false)->str;
    }
    expect_op(")");
    comps = &c->components;
    addressof = &c->addressof;
    e = c;
  } else if (t->is_op("@var")) {
    next();
    auto* v = arena_.make<AtVar>(t);
    expect_op("(");
    if (peek()->kind != TokKind::String) fail("expected string");
    std::string n = parse_literal(false)->str;
    size_t at = n.find('@');
    v->target_name = n.substr(0, at);
    if (at != std::string::npos) v->cu = n.substr(at + 1);
    if (peek_op(",")) {
      next();
      if (peek()->kind != TokKind::String) fail("expected string");
      v->module = parse_literal(false)->str;
    }
    expect_op(")");
    comps = &v->components;
    addressof = &v->addressof;
    e = v;
  } else {
    e = parse_value();
    const Token* n = peek();
    if (n->is_op("->") || (n->is_op("[") && e->kind != ExprKind::Symbol &&
                           e->kind != ExprKind::ArrayIndex && e->kind != ExprKind::Literal)) {
      auto* ac = arena_.make<Autocast>(n, e);
      parse_components(&ac->components);
      e = ac;
    }
    if (amp) {
      if (e->kind == ExprKind::Autocast) return e;  // &x->y: address of the member
      return arena_.make<Unary>(amp, "&", e);
    }
    return e;
  }
  parse_components(comps);
  if (amp) *addressof = true;
  return e;
}

Expr* Parser::parse_target_symbol(const Token* t) {
  std::string name = t->text;
  auto* ts = arena_.make<TargetSymbol>(t, name);
  // "$var$" / "$$parms$$": the pretty-print suffix is lexed into the identifier.
  size_t base_len = name.rfind("$$", 0) == 0 ? 2 : 1;
  size_t end = name.find_last_not_of('$');
  if (end != std::string::npos && end >= base_len && end + 1 < name.size()) {
    std::string pretty = name.substr(end + 1);
    ts->name = name.substr(0, end + 1);
    if (pretty.size() > 2) fail("invalid target pretty-print suffix", t, true);
    ts->components.push_back({Component::PrettyPrint, t, pretty, nullptr});
  }
  return ts;
}

HistOp* Parser::parse_hist_op(const Token* t) {
  bool linear = t->text == "@hist_linear";
  expect_op("(");
  Expr* s = parse_expression();
  auto* h = arena_.make<HistOp>(t, linear, s);
  if (linear) {
    for (int i = 0; i < 3; ++i) {
      expect_op(",");
      Literal* l = parse_literal();
      if (l->is_string) fail("expected number", l->tok, true);
      h->params.push_back(l->num);
    }
  }
  expect_op(")");
  return h;
}

ArrayIndex* Parser::parse_index_list(const Token* t, ArrayIndex* ai) {
  (void)t;
  for (;;) {
    if (peek_op("*")) {
      next();
      ai->indexes.push_back(nullptr);
    } else {
      ai->indexes.push_back(parse_expression());
    }
    if (peek_op("]")) break;
    if (!peek_op(",")) fail("expected one of '] ,'");
    next();
  }
  next();
  return ai;
}

// value ::= EMBEDDED | "(" expr ")" | literal | symbol
Expr* Parser::parse_value() {
  const Token* t = peek();
  if (t->kind == TokKind::Embedded) {
    if (!opts_.privileged) fail("embedded expression code in unprivileged script; need stap -g", t);
    next();
    std::string code = t->text;
    size_t b = code.find_first_not_of(" \t\n");
    size_t e = code.find_last_not_of(" \t\n");
    code = b == std::string::npos ? "" : code.substr(b, e - b + 1);
    return arena_.make<EmbeddedExpr>(t, code);
  }
  if (t->is_op("(")) {
    next();
    Expr* e = parse_expression();
    expect_op(")");
    return e;
  }
  if (t->kind == TokKind::String || t->kind == TokKind::Number) return parse_literal(false);
  if (t->kind == TokKind::Identifier || t->is_kw("string") || t->is_kw("long")) return parse_symbol();
  if (t->kind == TokKind::Operator && t->text[0] == '@') {
    next();
    return parse_at_operator(t);
  }
  return parse_literal(false);
}

Expr* Parser::parse_at_operator(const Token* t) {
  const std::string& op = t->text;
  if (is_stat_op(op)) {
    if (op == "@variance" && !compat_at_least("3.1")) fail("unknown operator " + op, t);
    expect_op("(");
    Expr* s = parse_expression();
    auto* so = arena_.make<StatOp>(t, op, s);
    if (peek_op(",")) {
      if (op != "@variance") fail("not more than 1 parameter allowed", peek(), true);
      next();
      const Token* n = peek();
      if (n->kind != TokKind::Number) fail("expected number");
      next();
      int64_t shift = parse_number_token(n);
      // The range <0..62> is checked in pass 2, as upstream does.
      so->bit_shift = shift;
    }
    expect_op(")");
    return so;
  }
  if (op == "@hist_linear" || op == "@hist_log") {
    HistOp* h = parse_hist_op(t);
    if (!peek_op("[")) fail("base histogram operator where expression expected", t, true);
    const Token* open = next();
    auto* ai = arena_.make<ArrayIndex>(open);
    ai->tok = t;
    ai->hist = h;
    return parse_index_list(open, ai);
  }
  if (op == "@defined") {
    expect_op("(");
    Expr* e = parse_expression();
    expect_op(")");
    return arena_.make<Defined>(t, e);
  }
  if (op == "@entry") {
    expect_op("(");
    Expr* e = parse_expression();
    expect_op(")");
    return arena_.make<Entry>(t, e);
  }
  if (op == "@probewrite") {
    expect_op("(");
    Symbol* s = make_symbol(expect_ident());
    expect_op(")");
    return arena_.make<Probewrite>(t, s);
  }
  if (op == "@perf") {
    expect_op("(");
    Literal* l = parse_literal_string();
    expect_op(")");
    return arena_.make<Perf>(t, l);
  }
  if (op == "@const" && compat_at_least("3.1")) {
    if (!opts_.privileged) throw ParseError{"using @const operator not permitted; need stap -g", t, false, false};
    expect_op("(");
    Literal* l = parse_literal_string();
    expect_op(")");
    return arena_.make<EmbeddedExpr>(
        t, "/* pure */ /* unprivileged */ /* stable */ " + l->str);
  }
  if ((op == "@kregister" || op == "@uregister") && compat_at_least("4.0")) {
    bool user = op == "@uregister";
    if (!user && !opts_.privileged)
      throw ParseError{"using @kregister operator not permitted; need stap -g", t, false, false};
    expect_op("(");
    const Token* n = peek();
    if (n->kind != TokKind::Number) fail("expected number");
    next();
    int64_t r = parse_number_token(n);
    expect_op(")");
    return arena_.make<Register>(t, user, r);
  }
  if ((op == "@kderef" || op == "@uderef") && compat_at_least("4.0")) {
    bool user = op == "@uderef";
    if (!user && !opts_.privileged)
      throw ParseError{"using @kderef operator not permitted; need stap -g", t, false, false};
    expect_op("(");
    const Token* n = peek();
    if (n->kind != TokKind::Number) fail("expected number");
    next();
    int64_t size = parse_number_token(n);
    expect_op(",");
    Expr* addr = parse_expression();
    expect_op(")");
    return arena_.make<Deref>(t, user, size, addr);
  }
  if ((op == "@enum" && compat_at_least("5.5")) || (op == "@enumname" && compat_at_least("5.6"))) {
    // @enum("NAME") / @enumname(VALUE[, "TYPE"[, "MODULE"]]): kept as a call of the
    // operator's name; pass 2 resolves it against the kernel's type information.
    auto* c = arena_.make<FunctionCall>(t, op);
    expect_op("(");
    if (op == "@enum") {
      c->args.push_back(parse_literal_string());
    } else {
      c->args.push_back(parse_expression());
      for (int i = 0; i < 2 && peek()->is_op(","); ++i) {
        next();
        c->args.push_back(parse_literal_string());
      }
    }
    expect_op(")");
    return c;
  }
  fail("unknown operator " + op, t);
}

// print-family calls: the format or delimiter must be a literal.
Expr* Parser::parse_print(const Token* t) {
  auto* pf = arena_.make<PrintFormat>(t, t->text);
  std::string n = t->text;
  pf->to_string = n[0] == 's';
  std::string base = pf->to_string ? n.substr(1) : n;
  pf->formatted = base == "printf";
  pf->delimited = base == "printd" || base == "printdln";
  pf->newline = base == "println" || base == "printdln";
  expect_op("(");
  if (pf->formatted || pf->delimited) {
    const Token* ft = peek();
    Literal* fmt = parse_literal_string();
    pf->raw_format = fmt->str;
    pf->format_tok = ft;
    if (pf->formatted) {
      std::string err;
      if (!parse_format(pf->raw_format, &pf->components, &err)) fail(err);
    }
    while (peek_op(",")) {
      next();
      pf->args.push_back(parse_expression());
    }
    if (!peek_op(")")) fail("expected one of ', )'");
    next();
    if (pf->delimited && pf->args.size() < 2) fail("expected literal string or number");
    return pf;
  }
  if (peek_op(")") && pf->newline) {
    next();
    return pf;
  }
  // print(@hist_log(x)) prints the histogram.
  const Token* h = peek();
  if (h->is_op("@hist_linear") || h->is_op("@hist_log")) {
    next();
    HistOp* hop = parse_hist_op(h);
    if (peek_op("[")) {
      const Token* open = next();
      auto* ai = arena_.make<ArrayIndex>(open);
      ai->tok = h;
      ai->hist = hop;
      parse_index_list(open, ai);
      pf->args.push_back(ai);
    } else {
      pf->hist = hop;
    }
  } else {
    pf->args.push_back(parse_expression());
  }
  while (peek_op(",")) {
    next();
    pf->args.push_back(parse_expression());
  }
  if (!peek_op(")")) fail("expected one of ', )'");
  next();
  return pf;
}

// symbol ::= NAME "(" args ")" | PRINTFN "(" args ")" | IDENT [ "[" indexes "]" ]
Expr* Parser::parse_symbol() {
  const Token* t = next();
  if (t->text[0] == '$') return parse_target_symbol(t);
  if (peek_op("(")) {
    if (is_print_fn(t->text)) return parse_print(t);
    next();
    auto* fc = arena_.make<FunctionCall>(t, t->text);
    if (!peek_op(")")) {
      for (;;) {
        fc->args.push_back(parse_expression());
        if (peek_op(")")) break;
        if (!peek_op(",")) fail("expected one of ') ,'");
        next();
      }
    }
    next();
    return fc;
  }
  if (t->kind == TokKind::Keyword) fail("expected literal string or number", t);
  if (peek_op("[")) {
    const Token* open = next();
    auto* ai = arena_.make<ArrayIndex>(t);
    (void)open;
    ai->base = make_symbol(t);
    return parse_index_list(t, ai);
  }
  return make_symbol(t);
}

}  // namespace

ParseResult parse_source(const SourceFile& src, AstArena& arena, Diagnostics& diag,
                         const PPContext& ctx, const ParseOptions& opts, ScriptArgs* args,
                         MacroTable& library_macros) {
  Lexer lexer(src, args);
  // 'private' became a keyword in 3.0; tapset files are not held to --compatible.
  if (!opts.is_tapset && !version_at_least(opts.compatible, "3.0")) lexer.set_private_keyword(false);
  MacroTable local;
  Preprocessor pp(lexer, arena, ctx, opts.macros_only ? library_macros : local,
                  opts.macros_only ? nullptr : &library_macros, &diag);
  Parser parser(pp, arena, diag, opts, src);
  ParseResult r = parser.parse();
  return r;
}

}  // namespace stap
