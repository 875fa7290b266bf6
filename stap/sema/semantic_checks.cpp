#include "stap/sema/semantic_checks.h"

#include <map>
#include <vector>

#include "stap/driver/session.h"
#include "stap/sema/elaborate.h"

namespace stap {

bool SemaErrors::error(const std::string& msg, const Token* tok, const Token* tok2,
                       const std::string& key) {
  last_printed_ = seen_.insert(key.empty() ? msg : key).second;
  if (!last_printed_) return false;
  if (tok2) s_.diag.semantic_error(msg, tok, tok2);
  else s_.diag.semantic_error(msg, tok);
  return true;
}

void SemaErrors::note(const std::string& msg, const Token* tok) {
  if (last_printed_) s_.diag.semantic_note(msg, tok);
}

namespace {

// Thrown to abandon the rest of a body (or of a whole check) after its first error.
struct Abandon {};

// ---------------------------------------------------------------------------------------
// Arity

class ArityCheck : public TraversingVisitor {
 public:
  using TraversingVisitor::visit;
  explicit ArityCheck(SemaErrors& err) : err_(err) {}

  void set_arity(VarDecl* d, int a, const Token* tok) {
    if (!d || a < 0) return;
    if (a == 0 && d->maxsize > 0) {
      err_.error("inconsistent arity", d->tok);
      throw Abandon{};
    }
    if (d->arity >= 0 && d->arity != a) {
      err_.error("inconsistent arity (" + std::to_string(d->arity) + " vs " + std::to_string(a) +
                     ")",
                 tok, nullptr, "inconsistent arity (N vs M)");
      if (d->arity_tok)
        err_.note("arity " + std::to_string(d->arity) + " first inferred here", d->arity_tok);
      throw Abandon{};
    }
    if (d->arity != a) {
      d->arity = a;
      d->arity_tok = tok;
      d->index_types.assign(static_cast<size_t>(a), Type::Unknown);
    }
  }

  void visit(Symbol& s) override { set_arity(s.decl, 0, s.tok); }
  void visit(ArrayIndex& a) override {
    for (Expr* i : a.indexes) visit_expr(*this, i);
    if (a.base) set_arity(a.base->decl, static_cast<int>(a.indexes.size()), a.base->tok);
    visit_expr(*this, a.hist);
  }
  void visit(ForeachLoop& f) override {
    for (Symbol* i : f.indexes) visit(*i);
    for (Expr* x : f.slice) visit_expr(*this, x);
    if (f.base) set_arity(f.base->decl, static_cast<int>(f.indexes.size()), f.base->tok);
    visit_expr(*this, f.hist);
    if (f.value) visit(*f.value);
    visit_expr(*this, f.limit);
    visit_stmt(*this, f.body);
  }
  void visit(DeleteStmt& d) override {
    // `delete a` says nothing about a's arity; but `a` must be known by then (the resolver
    // made a fresh local for it if not).
    if (d.value && d.value->kind == ExprKind::Symbol) {
      auto* s = static_cast<Symbol*>(d.value);
      if (s->decl && !s->decl->is_global && s->decl->tok == s->tok) {
        err_.error("unresolved array in delete statement", s->tok);
        throw Abandon{};
      }
      return;
    }
    visit_expr(*this, d.value);
  }

 private:
  SemaErrors& err_;
};

void reset_arity(VarDecl* v) {
  v->arity = -1;
  v->arity_tok = nullptr;
  v->index_types.clear();
}

// ---------------------------------------------------------------------------------------
// Probe conditions

struct ConditionUse : TraversingVisitor {
  using TraversingVisitor::visit;
  const Token* call = nullptr;
  const Token* local = nullptr;
  void visit(FunctionCall& c) override {
    if (!call) call = c.tok;
    TraversingVisitor::visit(c);
  }
  void visit(Symbol& s) override {
    if (!local && s.decl && !s.decl->is_global) local = s.tok;
  }
  void visit(ArrayIndex& a) override {
    if (a.base) visit(*a.base);
    visit_expr(*this, a.hist);
    for (Expr* i : a.indexes) visit_expr(*this, i);
  }
};

// ---------------------------------------------------------------------------------------
// Assignment targets and delete operands

bool is_lvalue(const Expr* e) {
  if (!e) return false;
  switch (e->kind) {
    case ExprKind::Symbol:
    case ExprKind::TargetSymbol:
    case ExprKind::Cast:
    case ExprKind::AtVar:
      return true;
    case ExprKind::ArrayIndex:
      return static_cast<const ArrayIndex*>(e)->base != nullptr;
    default:
      return false;
  }
}

struct LvalueCheck : TraversingVisitor {
  using TraversingVisitor::visit;
  explicit LvalueCheck(SemaErrors& e) : err(e) {}
  SemaErrors& err;
  void visit(Assign& a) override {
    TraversingVisitor::visit(a);
    if (!is_lvalue(a.left)) {
      err.error("Expecting lvalue for assignment", a.tok, a.left ? a.left->tok : nullptr);
      throw Abandon{};
    }
  }
};

struct DeleteCheck : TraversingVisitor {
  using TraversingVisitor::visit;
  explicit DeleteCheck(SemaErrors& e) : err(e) {}
  SemaErrors& err;
  void visit(DeleteStmt& d) override {
    TraversingVisitor::visit(d);
    Expr* v = d.value;
    if (v && (v->kind == ExprKind::Symbol || v->kind == ExprKind::ArrayIndex)) return;
    err.error("invalid operand of delete expression", v ? v->tok : d.tok);
    throw Abandon{};
  }
};

// Runs `v` over every probe body, then every function body; an Abandon stops the walk.
bool walk_all(Visitor& v, Program& p, int errors_before, Session& s) {
  try {
    for (DerivedProbe* d : p.probes) visit_stmt(v, d->body);
    for (FunctionDecl* f : p.functions) visit_stmt(v, f->body);
  } catch (const Abandon&) {
  }
  return s.diag.errors() == errors_before;
}

// ---------------------------------------------------------------------------------------
// After types

struct EntryCheck : TraversingVisitor {
  using TraversingVisitor::visit;
  const Token* found = nullptr;
  void visit(Entry& e) override {
    if (!found) found = e.tok;
    TraversingVisitor::visit(e);
  }
};

bool is_return_probe(const DerivedProbe& d) {
  const auto& cs = d.match.components;
  if (!cs.empty()) return cs.back().functor == "return";
  const std::string suffix = ".return";
  return d.name.size() >= suffix.size() &&
         d.name.compare(d.name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct SortAggregateCheck : TraversingVisitor {
  using TraversingVisitor::visit;
  explicit SortAggregateCheck(SemaErrors& e) : err(e) {}
  SemaErrors& err;
  void visit(ForeachLoop& f) override {
    if (!f.sort_aggregate.empty() && f.base && f.base->decl && f.base->decl->type != Type::Stats) {
      err.error(std::string("invalid type ") + type_name(f.base->decl->type), f.base->tok);
      throw Abandon{};
    }
    TraversingVisitor::visit(f);
  }
};

struct VarianceCheck : TraversingVisitor {
  using TraversingVisitor::visit;
  explicit VarianceCheck(SemaErrors& e) : err(e) {}
  SemaErrors& err;
  void visit(StatOp& s) override {
    TraversingVisitor::visit(s);
    if (s.op == "@variance" && (s.bit_shift < -1 || s.bit_shift > 62)) {
      err.error("bit shift (" + std::to_string(s.bit_shift) + ") out of range <0..62>", s.tok);
      throw Abandon{};
    }
  }
};

struct HistogramCheck : TraversingVisitor {
  using TraversingVisitor::visit;
  explicit HistogramCheck(SemaErrors& e) : err(e) {}
  SemaErrors& err;
  // The first histogram applied to each statistics variable: log, or linear with params.
  std::map<VarDecl*, std::vector<int64_t>> kinds;
  void visit(HistOp& h) override {
    TraversingVisitor::visit(h);
    VarDecl* d = nullptr;
    if (h.stat && h.stat->kind == ExprKind::Symbol) d = static_cast<Symbol*>(h.stat)->decl;
    else if (h.stat && h.stat->kind == ExprKind::ArrayIndex) {
      auto* a = static_cast<ArrayIndex*>(h.stat);
      if (a->base) d = a->base->decl;
    }
    if (!d) return;
    std::vector<int64_t> kind;
    if (h.linear) {
      kind = h.params;
      kind.insert(kind.begin(), 1);
    } else {
      kind = {0};
    }
    auto it = kinds.find(d);
    if (it == kinds.end()) {
      kinds[d] = kind;
      return;
    }
    if (it->second != kind) {
      err.error("multiple histogram types declared on '" +
                    std::string(d->is_global ? "__global_" : "") + d->name + "'",
                h.tok);
      throw Abandon{};
    }
  }
};

}  // namespace

// ---------------------------------------------------------------------------------------

bool check_arity(SemaErrors& err, Program& p) {
  Session& s = err.session();
  int before = s.diag.errors();
  for (VarDecl* g : p.globals) reset_arity(g);
  for (DerivedProbe* d : p.probes)
    for (VarDecl* v : d->locals) reset_arity(v);
  for (FunctionDecl* f : p.functions) {
    for (VarDecl* v : f->locals) reset_arity(v);
    for (VarDecl* v : f->formals) {
      v->arity = 0;
      v->arity_tok = nullptr;
      v->index_types.clear();
    }
  }
  ArityCheck ac(err);
  for (DerivedProbe* d : p.probes) {
    try {
      visit_stmt(ac, d->body);
      visit_expr(ac, d->condition);
    } catch (const Abandon&) {
    }
  }
  for (FunctionDecl* f : p.functions) {
    try {
      visit_stmt(ac, f->body);
    } catch (const Abandon&) {
    }
  }
  return s.diag.errors() == before;
}

bool check_conditions(SemaErrors& err, Program& p) {
  Session& s = err.session();
  int before = s.diag.errors();
  for (DerivedProbe* d : p.probes) {
    if (!d->condition) continue;
    ConditionUse u;
    visit_expr(u, d->condition);
    if (u.call) err.error("probe condition must not reference function", u.call);
    else if (u.local) err.error("probe condition must not reference undeclared global", u.local);
  }
  return s.diag.errors() == before;
}

bool check_lvalues(SemaErrors& err, Program& p) {
  LvalueCheck c(err);
  return walk_all(c, p, err.session().diag.errors(), err.session());
}

bool check_delete_operands(SemaErrors& err, Program& p) {
  DeleteCheck c(err);
  return walk_all(c, p, err.session().diag.errors(), err.session());
}

bool check_entry(SemaErrors& err, Program& p) {
  for (DerivedProbe* d : p.probes) {
    if (is_return_probe(*d)) continue;
    EntryCheck c;
    visit_stmt(c, d->body);
    if (!c.found) continue;
    err.error("while processing probe " + d->name, nullptr);
    err.error("internal error: @entry is only valid in .return probes", c.found);
    return false;
  }
  return true;
}

bool check_sort_aggregates(SemaErrors& err, Program& p) {
  SortAggregateCheck c(err);
  return walk_all(c, p, err.session().diag.errors(), err.session());
}

bool check_variance_shift(SemaErrors& err, Program& p) {
  VarianceCheck c(err);
  return walk_all(c, p, err.session().diag.errors(), err.session());
}

bool check_histogram_types(SemaErrors& err, Program& p) {
  HistogramCheck c(err);
  return walk_all(c, p, err.session().diag.errors(), err.session());
}

}  // namespace stap
