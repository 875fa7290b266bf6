// The abstract syntax tree of a SystemTap script.
//
// Nodes are owned by an AstArena and referred to by raw pointers; a deep copy (alias
// expansion, function inlining) allocates into the same arena. Every node keeps the token
// it was made from so diagnostics can say where it came from.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "stap/parse/token.h"

namespace stap {

enum class Type { Unknown, Long, String, Stats };
const char* type_name(Type t);  // "unknown", "long", "string", "stats"

struct VarDecl;
struct FunctionDecl;
struct Visitor;

// ---------------------------------------------------------------------------------------
// Expressions

enum class ExprKind {
  Literal, Binary, Unary, Logical, Comparison, Concat, Regex, Ternary, Assign,
  PreCrement, PostCrement, Symbol, TargetSymbol, Cast, AtVar, Entry, Defined, Probewrite,
  Perf, Register, Deref, ArrayIndex, ArrayIn, FunctionCall, PrintFormat, StatOp, HistOp,
  Embedded, Autocast,
};

struct Expr {
  explicit Expr(ExprKind k, const Token* t) : kind(k), tok(t) {}
  virtual ~Expr() = default;
  virtual void accept(Visitor& v) = 0;
  ExprKind kind;
  const Token* tok;
  Type type = Type::Unknown;
};

struct Literal : Expr {
  Literal(const Token* t, int64_t v) : Expr(ExprKind::Literal, t), is_string(false), num(v) {
    type = Type::Long;
  }
  Literal(const Token* t, std::string s)
      : Expr(ExprKind::Literal, t), is_string(true), str(std::move(s)) {
    type = Type::String;
  }
  void accept(Visitor& v) override;
  bool is_string;
  int64_t num = 0;
  std::string str;  // C escapes kept as written
};

// + - * / % << >> >>> & | ^
struct Binary : Expr {
  Binary(const Token* t, std::string o, Expr* l, Expr* r)
      : Expr(ExprKind::Binary, t), op(std::move(o)), left(l), right(r) {}
  void accept(Visitor& v) override;
  std::string op;
  Expr* left;
  Expr* right;
};

// Shared shape for && || (Logical), < > == ... (Comparison), . (Concat), = += ... (Assign)
struct BinaryLike : Expr {
  BinaryLike(ExprKind k, const Token* t, std::string o, Expr* l, Expr* r)
      : Expr(k, t), op(std::move(o)), left(l), right(r) {}
  std::string op;
  Expr* left;
  Expr* right;
};
struct Logical : BinaryLike {
  Logical(const Token* t, std::string o, Expr* l, Expr* r)
      : BinaryLike(ExprKind::Logical, t, std::move(o), l, r) {}
  void accept(Visitor& v) override;
};
struct Comparison : BinaryLike {
  Comparison(const Token* t, std::string o, Expr* l, Expr* r)
      : BinaryLike(ExprKind::Comparison, t, std::move(o), l, r) {}
  void accept(Visitor& v) override;
};
struct Concat : BinaryLike {
  Concat(const Token* t, Expr* l, Expr* r) : BinaryLike(ExprKind::Concat, t, ".", l, r) {}
  void accept(Visitor& v) override;
};
struct Assign : BinaryLike {
  Assign(const Token* t, std::string o, Expr* l, Expr* r)
      : BinaryLike(ExprKind::Assign, t, std::move(o), l, r) {}
  void accept(Visitor& v) override;
};

// s =~ "re" / s !~ "re"; the right side is always a string literal.
struct Regex : Expr {
  Regex(const Token* t, std::string o, Expr* l, Literal* r)
      : Expr(ExprKind::Regex, t), op(std::move(o)), left(l), re(r) {}
  void accept(Visitor& v) override;
  std::string op;
  Expr* left;
  Literal* re;
};

struct Unary : Expr {  // + - ! ~
  Unary(const Token* t, std::string o, Expr* e)
      : Expr(ExprKind::Unary, t), op(std::move(o)), operand(e) {}
  void accept(Visitor& v) override;
  std::string op;
  Expr* operand;
};

struct Crement : Expr {  // ++x --x x++ x--
  Crement(ExprKind k, const Token* t, std::string o, Expr* e)
      : Expr(k, t), op(std::move(o)), operand(e) {}
  void accept(Visitor& v) override;
  std::string op;
  Expr* operand;
};

struct Ternary : Expr {
  Ternary(const Token* t, Expr* c, Expr* a, Expr* b)
      : Expr(ExprKind::Ternary, t), cond(c), yes(a), no(b) {}
  void accept(Visitor& v) override;
  Expr* cond;
  Expr* yes;
  Expr* no;
};

// A plain identifier: a local, a global or (after resolution) nothing else.
struct Symbol : Expr {
  Symbol(const Token* t, std::string n) : Expr(ExprKind::Symbol, t), name(std::move(n)) {}
  void accept(Visitor& v) override;
  std::string name;
  VarDecl* decl = nullptr;
};

// What pass 2 made of a $var, @cast or @var: C for the translator to paste in. `read`
// is C statements that set @R@ (an int64_t, or a char[MAXSTRINGLEN] when is_string);
// `write` stores @V@ (guru mode only). Both may use @I0@, @I1@... for the values of
// `inputs` (the @cast operand, runtime array indexes), evaluated first.
struct TargetCode {
  std::string read;
  std::string write;
  bool is_string = false;
  std::vector<Expr*> inputs;
  int entry_slot = -1;  // .return probes: read at function entry and kept in this slot
};

// The suffixes of $var, @cast(...), @var(...) and autocasts.
struct Component {
  enum Kind { Member, Index, PrettyPrint } kind;
  const Token* tok;
  std::string member;         // Member name, or "$"/"$$" for PrettyPrint
  Expr* index = nullptr;      // Index expression (may be a number literal)
};

struct TargetSymbol : Expr {  // $name..., $$vars...
  TargetSymbol(const Token* t, std::string n)
      : Expr(ExprKind::TargetSymbol, t), name(std::move(n)) {}
  void accept(Visitor& v) override;
  std::string name;  // including the leading $ or $$
  bool addressof = false;
  std::vector<Component> components;
  TargetCode* code = nullptr;  // set by pass 2 when it resolves
  std::string unresolved;      // why it did not, reported if it survives to type checking
};

struct Cast : Expr {  // @cast(expr, "type"[, "module"])
  Cast(const Token* t) : Expr(ExprKind::Cast, t) {}
  void accept(Visitor& v) override;
  Expr* operand = nullptr;
  std::string type_name;
  std::string module;
  bool addressof = false;
  std::vector<Component> components;
  TargetCode* code = nullptr;
  std::string unresolved;
};

struct AtVar : Expr {  // @var("name[@cu]"[, "module"])
  AtVar(const Token* t) : Expr(ExprKind::AtVar, t) {}
  void accept(Visitor& v) override;
  std::string target_name;
  std::string cu;
  std::string module;
  bool addressof = false;
  std::vector<Component> components;
  TargetCode* code = nullptr;
  std::string unresolved;
};

// Suffixes applied to an arbitrary expression (a function result, a local).
struct Autocast : Expr {
  Autocast(const Token* t, Expr* e) : Expr(ExprKind::Autocast, t), operand(e) {}
  void accept(Visitor& v) override;
  Expr* operand;
  std::vector<Component> components;
};

struct Entry : Expr {  // @entry(expr)
  Entry(const Token* t, Expr* e) : Expr(ExprKind::Entry, t), operand(e) {}
  void accept(Visitor& v) override;
  Expr* operand;
  int slot = -1;  // pass 2: its place among the values saved at function entry
};

struct Defined : Expr {  // @defined(expr)
  Defined(const Token* t, Expr* e) : Expr(ExprKind::Defined, t), operand(e) {}
  void accept(Visitor& v) override;
  Expr* operand;
  int value = -1;  // pass 2: 1 or 0 once known
};

struct Probewrite : Expr {  // @probewrite(var)
  Probewrite(const Token* t, Symbol* s) : Expr(ExprKind::Probewrite, t), var(s) {}
  void accept(Visitor& v) override;
  Symbol* var;
};

struct Perf : Expr {  // @perf("name")
  Perf(const Token* t, Literal* n) : Expr(ExprKind::Perf, t), counter(n) {}
  void accept(Visitor& v) override;
  Literal* counter;
};

struct Register : Expr {  // @kregister(N) / @uregister(N)
  Register(const Token* t, bool user, int64_t r)
      : Expr(ExprKind::Register, t), userspace(user), regno(r) {}
  void accept(Visitor& v) override;
  bool userspace;
  int64_t regno;
};

struct Deref : Expr {  // @kderef(size, addr) / @uderef(size, addr)
  Deref(const Token* t, bool user, int64_t s, Expr* a)
      : Expr(ExprKind::Deref, t), userspace(user), size(s), addr(a) {}
  void accept(Visitor& v) override;
  bool userspace;
  int64_t size;
  Expr* addr;
};

struct HistOp;

// a[i, j] or @hist_log(x)[i]; a null index entry is the `*` wildcard.
struct ArrayIndex : Expr {
  ArrayIndex(const Token* t) : Expr(ExprKind::ArrayIndex, t) {}
  void accept(Visitor& v) override;
  Symbol* base = nullptr;    // exactly one of base / hist is set
  HistOp* hist = nullptr;
  std::vector<Expr*> indexes;
};

struct ArrayIn : Expr {  // [i, j] in a
  ArrayIn(const Token* t, ArrayIndex* a) : Expr(ExprKind::ArrayIn, t), operand(a) {}
  void accept(Visitor& v) override;
  ArrayIndex* operand;
};

struct FunctionCall : Expr {
  FunctionCall(const Token* t, std::string n)
      : Expr(ExprKind::FunctionCall, t), name(std::move(n)) {}
  void accept(Visitor& v) override;
  std::string name;
  std::vector<Expr*> args;
  std::vector<FunctionDecl*> candidates;  // resolved overloads, in call order
};

// One piece of a parsed printf format string.
struct FormatComponent {
  enum Kind { Literal, Conversion } kind = Literal;
  std::string literal;   // for Literal: raw text (C escapes kept)
  std::string flags;     // subset of "-+ 0#" in source order, deduplicated
  int width = -1;        // -1 none, -2 '*'
  int precision = -1;    // -1 none, -2 '*'
  char conv = 0;         // b c d i o p s u x X m M %
};

// print sprint println sprintln printd sprintd printdln sprintdln printf sprintf
struct PrintFormat : Expr {
  PrintFormat(const Token* t, std::string n) : Expr(ExprKind::PrintFormat, t), name(std::move(n)) {}
  void accept(Visitor& v) override;
  std::string name;
  bool to_string = false;   // s* variants
  bool newline = false;     // *ln variants
  bool delimited = false;   // *d* variants
  bool formatted = false;   // *printf
  std::string raw_format;   // printf format or printd delimiter, C escapes kept
  const Token* format_tok = nullptr;
  std::vector<FormatComponent> components;
  std::vector<Expr*> args;
  HistOp* hist = nullptr;   // print(@hist_*(x))
};

// @count(x) @sum @min @max @avg @variance(x[, shift])
struct StatOp : Expr {
  StatOp(const Token* t, std::string o, Expr* s) : Expr(ExprKind::StatOp, t), op(std::move(o)), stat(s) {}
  void accept(Visitor& v) override;
  std::string op;  // "@count" ...
  Expr* stat;
  int64_t bit_shift = -1;  // @variance only
};

struct HistOp : Expr {  // @hist_linear(x, lo, hi, step) / @hist_log(x)
  HistOp(const Token* t, bool lin, Expr* s) : Expr(ExprKind::HistOp, t), linear(lin), stat(s) {}
  void accept(Visitor& v) override;
  bool linear;
  Expr* stat;
  std::vector<int64_t> params;  // lo, hi, step for linear
};

struct EmbeddedExpr : Expr {  // %{ C %} in an expression
  EmbeddedExpr(const Token* t, std::string c) : Expr(ExprKind::Embedded, t), code(std::move(c)) {}
  void accept(Visitor& v) override;
  std::string code;
};

// ---------------------------------------------------------------------------------------
// Statements

enum class StmtKind {
  Block, Try, Embedded, Null, ExprStmt, If, For, Foreach, Return, Delete, Next, Break, Continue,
};

struct Stmt {
  Stmt(StmtKind k, const Token* t) : kind(k), tok(t) {}
  virtual ~Stmt() = default;
  virtual void accept(Visitor& v) = 0;
  StmtKind kind;
  const Token* tok;
};

struct Block : Stmt {
  explicit Block(const Token* t) : Stmt(StmtKind::Block, t) {}
  void accept(Visitor& v) override;
  std::vector<Stmt*> stmts;
};

struct TryBlock : Stmt {
  explicit TryBlock(const Token* t) : Stmt(StmtKind::Try, t) {}
  void accept(Visitor& v) override;
  Stmt* try_block = nullptr;
  Symbol* catch_var = nullptr;  // optional
  Stmt* catch_block = nullptr;
};

struct EmbeddedStmt : Stmt {  // %{ %} as a function body or top-level chunk
  EmbeddedStmt(const Token* t, std::string c) : Stmt(StmtKind::Embedded, t), code(std::move(c)) {}
  void accept(Visitor& v) override;
  std::string code;
};

struct NullStmt : Stmt {
  explicit NullStmt(const Token* t) : Stmt(StmtKind::Null, t) {}
  void accept(Visitor& v) override;
};

struct ExprStmt : Stmt {
  ExprStmt(const Token* t, Expr* e) : Stmt(StmtKind::ExprStmt, t), value(e) {}
  void accept(Visitor& v) override;
  Expr* value;
};

struct IfStmt : Stmt {
  explicit IfStmt(const Token* t) : Stmt(StmtKind::If, t) {}
  void accept(Visitor& v) override;
  Expr* cond = nullptr;
  Stmt* then_stmt = nullptr;
  Stmt* else_stmt = nullptr;
};

// for (init; cond; incr) body; `while (c) body` is a for with only a condition.
struct ForLoop : Stmt {
  explicit ForLoop(const Token* t) : Stmt(StmtKind::For, t) {}
  void accept(Visitor& v) override;
  Stmt* init = nullptr;   // an ExprStmt or null
  Expr* cond = nullptr;   // never null after parsing (defaults to literal 1)
  Stmt* incr = nullptr;
  Stmt* body = nullptr;
};

struct ForeachLoop : Stmt {
  explicit ForeachLoop(const Token* t) : Stmt(StmtKind::Foreach, t) {}
  void accept(Visitor& v) override;
  std::vector<Symbol*> indexes;
  Symbol* value = nullptr;         // v = [k] in a
  Symbol* base = nullptr;          // exactly one of base / hist is set
  HistOp* hist = nullptr;
  std::vector<Expr*> slice;        // a[1, *]: null entry = *; empty when no slice
  int sort_direction = 0;          // -1, 0, +1
  int sort_column = 0;             // 0 = value, 1.. = index column
  std::string sort_aggregate;      // "@count" ... for stats arrays, or empty
  Expr* limit = nullptr;
  Stmt* body = nullptr;
  bool index_brackets = true;      // printed forms always use brackets
};

struct ReturnStmt : Stmt {
  explicit ReturnStmt(const Token* t, Expr* e) : Stmt(StmtKind::Return, t), value(e) {}
  void accept(Visitor& v) override;
  Expr* value;  // may be null
};

struct DeleteStmt : Stmt {
  DeleteStmt(const Token* t, Expr* e) : Stmt(StmtKind::Delete, t), value(e) {}
  void accept(Visitor& v) override;
  Expr* value;
};

struct NextStmt : Stmt {
  explicit NextStmt(const Token* t) : Stmt(StmtKind::Next, t) {}
  void accept(Visitor& v) override;
};
struct BreakStmt : Stmt {
  explicit BreakStmt(const Token* t) : Stmt(StmtKind::Break, t) {}
  void accept(Visitor& v) override;
};
struct ContinueStmt : Stmt {
  explicit ContinueStmt(const Token* t) : Stmt(StmtKind::Continue, t) {}
  void accept(Visitor& v) override;
};

// ---------------------------------------------------------------------------------------
// Declarations

struct VarDecl {
  const Token* tok = nullptr;
  std::string name;                 // as written (private names are mangled in pass 2)
  Type type = Type::Unknown;
  std::vector<Type> index_types;    // arrays: one per index; arity -1 = unknown yet
  int arity = -1;                   // -1 unknown, 0 scalar, N array
  int64_t maxsize = 0;              // global a[N]
  bool wrap = false;                // global a%
  Literal* init = nullptr;          // global a = literal
  bool is_global = false;
  bool is_private = false;
  bool synthetic = false;           // made by the translator, not the user
  const Token* type_tok = nullptr;  // where the type was first inferred
  const Token* arity_tok = nullptr; // where the arity was first inferred
  bool declared_type = false;       // function formal with an explicit :type
  std::vector<Expr*> hist_uses;     // stats: the @hist_* ops applied to it
};

struct FunctionDecl {
  const Token* tok = nullptr;
  std::string name;
  std::string mangled;             // private functions: file-scoped name
  Type type = Type::Unknown;
  const Token* type_tok = nullptr;
  bool declared_type = false;
  std::vector<VarDecl*> formals;
  std::vector<VarDecl*> locals;
  Stmt* body = nullptr;            // Block or EmbeddedStmt
  int64_t priority = 0;            // explicit :N, else 0 (script) / 1 (tapset)
  bool has_priority = false;
  bool is_private = false;
  const SourceFile* file = nullptr;
  bool unmangled = false;
  bool synthetic = false;
};

struct ProbePointComponent {
  const Token* tok = nullptr;
  std::string functor;            // may contain * wildcards
  Literal* arg = nullptr;         // optional parameter
  bool from_glob = false;
};

struct ProbePoint {
  const Token* tok = nullptr;
  std::vector<ProbePointComponent> components;
  bool optional = false;    // ?
  bool sufficient = false;  // !
  bool well_formed = true;
  Expr* condition = nullptr;
  std::string str(bool with_flags = true) const;
};

struct Probe {
  const Token* tok = nullptr;
  std::vector<ProbePoint*> locations;
  Block* body = nullptr;
  std::vector<VarDecl*> locals;
  const SourceFile* file = nullptr;
  bool privileged = false;  // from a tapset or guru script
  bool synthetic = false;
};

struct ProbeAlias {
  const Token* tok = nullptr;
  std::vector<ProbePoint*> alias_names;   // probe a = b = ... {}
  std::vector<ProbePoint*> locations;
  Block* body = nullptr;
  Block* epilogue_body = nullptr;         // `= pp { prologue }, { epilogue }`
  bool epilogue_style = false;            // +=
  const SourceFile* file = nullptr;
  bool privileged = false;
};

// One parsed file: the user's script, an -E text or a tapset.
struct StapFile {
  const SourceFile* source = nullptr;
  std::vector<Probe*> probes;
  std::vector<ProbeAlias*> aliases;
  std::vector<FunctionDecl*> functions;
  std::vector<VarDecl*> globals;
  std::vector<EmbeddedStmt*> embeds;
  bool privileged = false;  // tapset or guru: may hold embedded C
  bool synthetic = false;
};

// ---------------------------------------------------------------------------------------

// Owns every node; nodes live as long as the arena.
class AstArena {
 public:
  template <typename T, typename... Args>
  T* make(Args&&... args) {
    auto p = std::make_unique<T>(std::forward<Args>(args)...);
    T* raw = p.get();
    holders_.push_back(std::make_unique<Holder<T>>(std::move(p)));
    return raw;
  }
  // Tokens made by the translator (synthetic code, copies with new locations).
  const Token* make_token(Token t) {
    tokens_.push_back(std::move(t));
    return &tokens_.back();
  }

 private:
  struct HolderBase {
    virtual ~HolderBase() = default;
  };
  template <typename T>
  struct Holder : HolderBase {
    explicit Holder(std::unique_ptr<T> p) : ptr(std::move(p)) {}
    std::unique_ptr<T> ptr;
  };
  std::vector<std::unique_ptr<HolderBase>> holders_;
  std::deque<Token> tokens_;  // stable addresses, one allocation per block of tokens
};

// ---------------------------------------------------------------------------------------

struct Visitor {
  virtual ~Visitor() = default;
  virtual void visit(Literal&) {}
  virtual void visit(Binary&) = 0;
  virtual void visit(Logical&) = 0;
  virtual void visit(Comparison&) = 0;
  virtual void visit(Concat&) = 0;
  virtual void visit(Assign&) = 0;
  virtual void visit(Regex&) = 0;
  virtual void visit(Unary&) = 0;
  virtual void visit(Crement&) = 0;
  virtual void visit(Ternary&) = 0;
  virtual void visit(Symbol&) {}
  virtual void visit(TargetSymbol&) = 0;
  virtual void visit(Cast&) = 0;
  virtual void visit(AtVar&) = 0;
  virtual void visit(Autocast&) = 0;
  virtual void visit(Entry&) = 0;
  virtual void visit(Defined&) = 0;
  virtual void visit(Probewrite&) = 0;
  virtual void visit(Perf&) {}
  virtual void visit(Register&) {}
  virtual void visit(Deref&) = 0;
  virtual void visit(ArrayIndex&) = 0;
  virtual void visit(ArrayIn&) = 0;
  virtual void visit(FunctionCall&) = 0;
  virtual void visit(PrintFormat&) = 0;
  virtual void visit(StatOp&) = 0;
  virtual void visit(HistOp&) = 0;
  virtual void visit(EmbeddedExpr&) {}

  virtual void visit(Block&) = 0;
  virtual void visit(TryBlock&) = 0;
  virtual void visit(EmbeddedStmt&) {}
  virtual void visit(NullStmt&) {}
  virtual void visit(ExprStmt&) = 0;
  virtual void visit(IfStmt&) = 0;
  virtual void visit(ForLoop&) = 0;
  virtual void visit(ForeachLoop&) = 0;
  virtual void visit(ReturnStmt&) = 0;
  virtual void visit(DeleteStmt&) = 0;
  virtual void visit(NextStmt&) {}
  virtual void visit(BreakStmt&) {}
  virtual void visit(ContinueStmt&) {}
};

// Visits every child; override a node to act and call the base to keep descending.
struct TraversingVisitor : Visitor {
  void visit(Binary& e) override;
  void visit(Logical& e) override;
  void visit(Comparison& e) override;
  void visit(Concat& e) override;
  void visit(Assign& e) override;
  void visit(Regex& e) override;
  void visit(Unary& e) override;
  void visit(Crement& e) override;
  void visit(Ternary& e) override;
  void visit(TargetSymbol& e) override;
  void visit(Cast& e) override;
  void visit(AtVar& e) override;
  void visit(Autocast& e) override;
  void visit(Entry& e) override;
  void visit(Defined& e) override;
  void visit(Probewrite& e) override;
  void visit(Deref& e) override;
  void visit(ArrayIndex& e) override;
  void visit(ArrayIn& e) override;
  void visit(FunctionCall& e) override;
  void visit(PrintFormat& e) override;
  void visit(StatOp& e) override;
  void visit(HistOp& e) override;

  void visit(Block& s) override;
  void visit(TryBlock& s) override;
  void visit(ExprStmt& s) override;
  void visit(IfStmt& s) override;
  void visit(ForLoop& s) override;
  void visit(ForeachLoop& s) override;
  void visit(ReturnStmt& s) override;
  void visit(DeleteStmt& s) override;

 protected:
  void visit_components(std::vector<Component>& cs);
};

inline void visit_expr(Visitor& v, Expr* e) { if (e) e->accept(v); }
inline void visit_stmt(Visitor& v, Stmt* s) { if (s) s->accept(v); }

// Deep copy of a statement or expression tree into `arena` (alias bodies are copied per
// derived probe).
class AstCloner;
Stmt* clone_stmt(AstArena& arena, Stmt* s);
Expr* clone_expr(AstArena& arena, Expr* e);
Block* clone_block(AstArena& arena, Block* b);

}  // namespace stap
