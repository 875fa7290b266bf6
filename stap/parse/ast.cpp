#include "stap/parse/ast.h"

namespace stap {

const char* type_name(Type t) {
  switch (t) {
    case Type::Unknown: return "unknown";
    case Type::Long: return "long";
    case Type::String: return "string";
    case Type::Stats: return "stats";
  }
  return "?";
}

#define ACCEPT(T) \
  void T::accept(Visitor& v) { v.visit(*this); }
ACCEPT(Literal)
ACCEPT(Binary)
ACCEPT(Logical)
ACCEPT(Comparison)
ACCEPT(Concat)
ACCEPT(Assign)
ACCEPT(Regex)
ACCEPT(Unary)
ACCEPT(Crement)
ACCEPT(Ternary)
ACCEPT(Symbol)
ACCEPT(TargetSymbol)
ACCEPT(Cast)
ACCEPT(AtVar)
ACCEPT(Autocast)
ACCEPT(Entry)
ACCEPT(Defined)
ACCEPT(Probewrite)
ACCEPT(Perf)
ACCEPT(Register)
ACCEPT(Deref)
ACCEPT(ArrayIndex)
ACCEPT(ArrayIn)
ACCEPT(FunctionCall)
ACCEPT(PrintFormat)
ACCEPT(StatOp)
ACCEPT(HistOp)
ACCEPT(EmbeddedExpr)
ACCEPT(Block)
ACCEPT(TryBlock)
ACCEPT(EmbeddedStmt)
ACCEPT(NullStmt)
ACCEPT(ExprStmt)
ACCEPT(IfStmt)
ACCEPT(ForLoop)
ACCEPT(ForeachLoop)
ACCEPT(ReturnStmt)
ACCEPT(DeleteStmt)
ACCEPT(NextStmt)
ACCEPT(BreakStmt)
ACCEPT(ContinueStmt)
#undef ACCEPT

std::string ProbePoint::str(bool with_flags) const {
  std::string out;
  for (size_t i = 0; i < components.size(); ++i) {
    if (i) out += ".";
    out += components[i].functor;
    if (const Literal* a = components[i].arg) {
      out += "(";
      if (a->is_string) out += "\"" + a->str + "\"";
      else out += std::to_string(a->num);
      out += ")";
    }
  }
  if (with_flags) {
    if (sufficient) out += "!";
    else if (optional) out += "?";
  }
  return out;
}

// ---------------------------------------------------------------------------------------

void TraversingVisitor::visit_components(std::vector<Component>& cs) {
  for (auto& c : cs)
    if (c.index) c.index->accept(*this);
}
void TraversingVisitor::visit(Binary& e) { visit_expr(*this, e.left); visit_expr(*this, e.right); }
void TraversingVisitor::visit(Logical& e) { visit_expr(*this, e.left); visit_expr(*this, e.right); }
void TraversingVisitor::visit(Comparison& e) { visit_expr(*this, e.left); visit_expr(*this, e.right); }
void TraversingVisitor::visit(Concat& e) { visit_expr(*this, e.left); visit_expr(*this, e.right); }
void TraversingVisitor::visit(Assign& e) { visit_expr(*this, e.left); visit_expr(*this, e.right); }
void TraversingVisitor::visit(Regex& e) { visit_expr(*this, e.left); visit_expr(*this, e.re); }
void TraversingVisitor::visit(Unary& e) { visit_expr(*this, e.operand); }
void TraversingVisitor::visit(Crement& e) { visit_expr(*this, e.operand); }
void TraversingVisitor::visit(Ternary& e) {
  visit_expr(*this, e.cond);
  visit_expr(*this, e.yes);
  visit_expr(*this, e.no);
}
void TraversingVisitor::visit(TargetSymbol& e) { visit_components(e.components); }
void TraversingVisitor::visit(Cast& e) {
  visit_expr(*this, e.operand);
  visit_components(e.components);
}
void TraversingVisitor::visit(AtVar& e) { visit_components(e.components); }
void TraversingVisitor::visit(Autocast& e) {
  visit_expr(*this, e.operand);
  visit_components(e.components);
}
void TraversingVisitor::visit(Entry& e) { visit_expr(*this, e.operand); }
void TraversingVisitor::visit(Defined& e) { visit_expr(*this, e.operand); }
void TraversingVisitor::visit(Probewrite& e) { visit_expr(*this, e.var); }
void TraversingVisitor::visit(Deref& e) { visit_expr(*this, e.addr); }
void TraversingVisitor::visit(ArrayIndex& e) {
  visit_expr(*this, e.base);
  visit_expr(*this, e.hist);
  for (Expr* i : e.indexes) visit_expr(*this, i);
}
void TraversingVisitor::visit(ArrayIn& e) { visit_expr(*this, e.operand); }
void TraversingVisitor::visit(FunctionCall& e) {
  for (Expr* a : e.args) visit_expr(*this, a);
}
void TraversingVisitor::visit(PrintFormat& e) {
  for (Expr* a : e.args) visit_expr(*this, a);
  visit_expr(*this, e.hist);
}
void TraversingVisitor::visit(StatOp& e) { visit_expr(*this, e.stat); }
void TraversingVisitor::visit(HistOp& e) { visit_expr(*this, e.stat); }

void TraversingVisitor::visit(Block& s) {
  for (Stmt* c : s.stmts) visit_stmt(*this, c);
}
void TraversingVisitor::visit(TryBlock& s) {
  visit_stmt(*this, s.try_block);
  visit_expr(*this, s.catch_var);
  visit_stmt(*this, s.catch_block);
}
void TraversingVisitor::visit(ExprStmt& s) { visit_expr(*this, s.value); }
void TraversingVisitor::visit(IfStmt& s) {
  visit_expr(*this, s.cond);
  visit_stmt(*this, s.then_stmt);
  visit_stmt(*this, s.else_stmt);
}
void TraversingVisitor::visit(ForLoop& s) {
  visit_stmt(*this, s.init);
  visit_expr(*this, s.cond);
  visit_stmt(*this, s.incr);
  visit_stmt(*this, s.body);
}
void TraversingVisitor::visit(ForeachLoop& s) {
  for (Symbol* i : s.indexes) visit_expr(*this, i);
  visit_expr(*this, s.value);
  visit_expr(*this, s.base);
  visit_expr(*this, s.hist);
  for (Expr* e : s.slice) visit_expr(*this, e);
  visit_expr(*this, s.limit);
  visit_stmt(*this, s.body);
}
void TraversingVisitor::visit(ReturnStmt& s) { visit_expr(*this, s.value); }
void TraversingVisitor::visit(DeleteStmt& s) { visit_expr(*this, s.value); }

// ---------------------------------------------------------------------------------------
// Deep copies. Declarations (VarDecl, FunctionDecl) are shared, not copied: resolution
// runs on the copies afterwards and sets them.

namespace {

template <typename T>
T* copy_node(AstArena& a, const T& n) {
  return a.make<T>(n);
}

std::vector<Component> clone_components(AstArena& a, const std::vector<Component>& cs) {
  std::vector<Component> out = cs;
  for (auto& c : out)
    if (c.index) c.index = clone_expr(a, c.index);
  return out;
}

}  // namespace

Expr* clone_expr(AstArena& a, Expr* e) {
  if (!e) return nullptr;
  switch (e->kind) {
    case ExprKind::Literal: return copy_node(a, *static_cast<Literal*>(e));
    case ExprKind::Binary: {
      auto* c = copy_node(a, *static_cast<Binary*>(e));
      c->left = clone_expr(a, c->left);
      c->right = clone_expr(a, c->right);
      return c;
    }
    case ExprKind::Logical:
    case ExprKind::Comparison:
    case ExprKind::Concat:
    case ExprKind::Assign: {
      BinaryLike* c;
      if (e->kind == ExprKind::Logical) c = copy_node(a, *static_cast<Logical*>(e));
      else if (e->kind == ExprKind::Comparison) c = copy_node(a, *static_cast<Comparison*>(e));
      else if (e->kind == ExprKind::Concat) c = copy_node(a, *static_cast<Concat*>(e));
      else c = copy_node(a, *static_cast<Assign*>(e));
      c->left = clone_expr(a, c->left);
      c->right = clone_expr(a, c->right);
      return c;
    }
    case ExprKind::Regex: {
      auto* c = copy_node(a, *static_cast<Regex*>(e));
      c->left = clone_expr(a, c->left);
      c->re = static_cast<Literal*>(clone_expr(a, c->re));
      return c;
    }
    case ExprKind::Unary: {
      auto* c = copy_node(a, *static_cast<Unary*>(e));
      c->operand = clone_expr(a, c->operand);
      return c;
    }
    case ExprKind::PreCrement:
    case ExprKind::PostCrement: {
      auto* c = copy_node(a, *static_cast<Crement*>(e));
      c->operand = clone_expr(a, c->operand);
      return c;
    }
    case ExprKind::Ternary: {
      auto* c = copy_node(a, *static_cast<Ternary*>(e));
      c->cond = clone_expr(a, c->cond);
      c->yes = clone_expr(a, c->yes);
      c->no = clone_expr(a, c->no);
      return c;
    }
    case ExprKind::Symbol: {
      auto* c = copy_node(a, *static_cast<Symbol*>(e));
      c->decl = nullptr;
      return c;
    }
    case ExprKind::TargetSymbol: {
      auto* c = copy_node(a, *static_cast<TargetSymbol*>(e));
      c->components = clone_components(a, c->components);
      c->code = nullptr;
      return c;
    }
    case ExprKind::Cast: {
      auto* c = copy_node(a, *static_cast<Cast*>(e));
      c->operand = clone_expr(a, c->operand);
      c->components = clone_components(a, c->components);
      c->code = nullptr;
      return c;
    }
    case ExprKind::AtVar: {
      auto* c = copy_node(a, *static_cast<AtVar*>(e));
      c->components = clone_components(a, c->components);
      c->code = nullptr;
      return c;
    }
    case ExprKind::Autocast: {
      auto* c = copy_node(a, *static_cast<Autocast*>(e));
      c->operand = clone_expr(a, c->operand);
      c->components = clone_components(a, c->components);
      return c;
    }
    case ExprKind::Entry: {
      auto* c = copy_node(a, *static_cast<Entry*>(e));
      c->operand = clone_expr(a, c->operand);
      return c;
    }
    case ExprKind::Defined: {
      auto* c = copy_node(a, *static_cast<Defined*>(e));
      c->operand = clone_expr(a, c->operand);
      return c;
    }
    case ExprKind::Probewrite: {
      auto* c = copy_node(a, *static_cast<Probewrite*>(e));
      c->var = static_cast<Symbol*>(clone_expr(a, c->var));
      return c;
    }
    case ExprKind::Perf: return copy_node(a, *static_cast<Perf*>(e));
    case ExprKind::Register: return copy_node(a, *static_cast<Register*>(e));
    case ExprKind::Deref: {
      auto* c = copy_node(a, *static_cast<Deref*>(e));
      c->addr = clone_expr(a, c->addr);
      return c;
    }
    case ExprKind::ArrayIndex: {
      auto* c = copy_node(a, *static_cast<ArrayIndex*>(e));
      c->base = static_cast<Symbol*>(clone_expr(a, c->base));
      c->hist = static_cast<HistOp*>(clone_expr(a, c->hist));
      for (auto& i : c->indexes) i = clone_expr(a, i);
      return c;
    }
    case ExprKind::ArrayIn: {
      auto* c = copy_node(a, *static_cast<ArrayIn*>(e));
      c->operand = static_cast<ArrayIndex*>(clone_expr(a, c->operand));
      return c;
    }
    case ExprKind::FunctionCall: {
      auto* c = copy_node(a, *static_cast<FunctionCall*>(e));
      for (auto& x : c->args) x = clone_expr(a, x);
      c->candidates.clear();
      return c;
    }
    case ExprKind::PrintFormat: {
      auto* c = copy_node(a, *static_cast<PrintFormat*>(e));
      for (auto& x : c->args) x = clone_expr(a, x);
      c->hist = static_cast<HistOp*>(clone_expr(a, c->hist));
      return c;
    }
    case ExprKind::StatOp: {
      auto* c = copy_node(a, *static_cast<StatOp*>(e));
      c->stat = clone_expr(a, c->stat);
      return c;
    }
    case ExprKind::HistOp: {
      auto* c = copy_node(a, *static_cast<HistOp*>(e));
      c->stat = clone_expr(a, c->stat);
      return c;
    }
    case ExprKind::Embedded: return copy_node(a, *static_cast<EmbeddedExpr*>(e));
  }
  return nullptr;
}

Stmt* clone_stmt(AstArena& a, Stmt* s) {
  if (!s) return nullptr;
  switch (s->kind) {
    case StmtKind::Block: return clone_block(a, static_cast<Block*>(s));
    case StmtKind::Try: {
      auto* c = copy_node(a, *static_cast<TryBlock*>(s));
      c->try_block = clone_stmt(a, c->try_block);
      c->catch_var = static_cast<Symbol*>(clone_expr(a, c->catch_var));
      c->catch_block = clone_stmt(a, c->catch_block);
      return c;
    }
    case StmtKind::Embedded: return copy_node(a, *static_cast<EmbeddedStmt*>(s));
    case StmtKind::Null: return copy_node(a, *static_cast<NullStmt*>(s));
    case StmtKind::ExprStmt: {
      auto* c = copy_node(a, *static_cast<ExprStmt*>(s));
      c->value = clone_expr(a, c->value);
      return c;
    }
    case StmtKind::If: {
      auto* c = copy_node(a, *static_cast<IfStmt*>(s));
      c->cond = clone_expr(a, c->cond);
      c->then_stmt = clone_stmt(a, c->then_stmt);
      c->else_stmt = clone_stmt(a, c->else_stmt);
      return c;
    }
    case StmtKind::For: {
      auto* c = copy_node(a, *static_cast<ForLoop*>(s));
      c->init = clone_stmt(a, c->init);
      c->cond = clone_expr(a, c->cond);
      c->incr = clone_stmt(a, c->incr);
      c->body = clone_stmt(a, c->body);
      return c;
    }
    case StmtKind::Foreach: {
      auto* c = copy_node(a, *static_cast<ForeachLoop*>(s));
      for (auto& i : c->indexes) i = static_cast<Symbol*>(clone_expr(a, i));
      c->value = static_cast<Symbol*>(clone_expr(a, c->value));
      c->base = static_cast<Symbol*>(clone_expr(a, c->base));
      c->hist = static_cast<HistOp*>(clone_expr(a, c->hist));
      for (auto& x : c->slice) x = clone_expr(a, x);
      c->limit = clone_expr(a, c->limit);
      c->body = clone_stmt(a, c->body);
      return c;
    }
    case StmtKind::Return: {
      auto* c = copy_node(a, *static_cast<ReturnStmt*>(s));
      c->value = clone_expr(a, c->value);
      return c;
    }
    case StmtKind::Delete: {
      auto* c = copy_node(a, *static_cast<DeleteStmt*>(s));
      c->value = clone_expr(a, c->value);
      return c;
    }
    case StmtKind::Next: return copy_node(a, *static_cast<NextStmt*>(s));
    case StmtKind::Break: return copy_node(a, *static_cast<BreakStmt*>(s));
    case StmtKind::Continue: return copy_node(a, *static_cast<ContinueStmt*>(s));
  }
  return nullptr;
}

Block* clone_block(AstArena& a, Block* b) {
  if (!b) return nullptr;
  auto* c = copy_node(a, *b);
  for (auto& s : c->stmts) s = clone_stmt(a, s);
  return c;
}

}  // namespace stap
