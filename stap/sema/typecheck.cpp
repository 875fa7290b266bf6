#include "stap/sema/typecheck.h"

#include <map>
#include <set>
#include <string>
#include <utility>

#include "stap/driver/session.h"
#include "stap/parse/format.h"
#include "stap/sema/elaborate.h"
#include "stap/sema/semantic_checks.h"

namespace stap {

namespace {

class TypeInfer : public TraversingVisitor {
 public:
  using TraversingVisitor::visit;
  explicit TypeInfer(SemaErrors& err) : err_(err) {}

  bool changed = false;
  FunctionDecl* fn = nullptr;

  void error(const std::string& msg, const Token* tok) { err_.error(msg, tok); }
  // `now` met a variable (or index, index >= 0) already of type `first`. A type that was
  // inferred names where; a declared one (typed formal, initialized global, typed function)
  // gets upstream's "expected ... but found ..." form.
  void mismatch(Type now, const Token* tok, Type first, const Token* first_tok, int index = -1) {
    if (!first_tok) {
      err_.error(std::string("type mismatch: expected ") + type_name(now) + " but found " +
                     type_name(first),
                 tok, nullptr, "type mismatch: expected");
      return;
    }
    std::string idx = index >= 0 ? "index " + std::to_string(index) + " " : "";
    err_.error(idx + "type mismatch (" + type_name(now) + ")", tok, nullptr, "type mismatch (");
    err_.note(std::string("type ") + (index >= 0 ? "of index " + std::to_string(index) + " " : "") +
                  "was first inferred here (" + type_name(first) + ")",
              first_tok);
  }

  void unify_decl(VarDecl* d, Type t, const Token* tok) {
    if (!d || t == Type::Unknown) return;
    if (d->type == Type::Unknown) {
      d->type = t;
      if (!d->type_tok) d->type_tok = tok;
      changed = true;
    } else if (d->type != t) {
      mismatch(t, tok, d->type, origin(d));
    }
  }
  void unify_fn(FunctionDecl* f, Type t, const Token* tok) {
    if (!f || t == Type::Unknown) return;
    if (f->type == Type::Unknown) {
      f->type = t;
      if (!f->type_tok) f->type_tok = tok;
      changed = true;
    } else if (f->type != t) {
      mismatch(t, tok, f->type, origin(f));
    }
  }

  // Pushes an expected type down into an expression.
  void expect(Expr* e, Type t) {
    if (!e || t == Type::Unknown) return;
    switch (e->kind) {
      case ExprKind::Symbol: {
        auto* s = static_cast<Symbol*>(e);
        if (s->decl && s->decl->type == Type::Stats && t != Type::Stats) {
          mismatch(t, s->tok, Type::Stats, origin(s->decl));
          return;
        }
        unify_decl(s->decl, t, s->tok);
        break;
      }
      case ExprKind::ArrayIndex: {
        auto* a = static_cast<ArrayIndex*>(e);
        if (a->base) unify_decl(a->base->decl, t, a->base->tok);
        break;
      }
      case ExprKind::FunctionCall: {
        auto* c = static_cast<FunctionCall*>(e);
        for (FunctionDecl* f : c->candidates) unify_fn(f, t, c->tok);
        break;
      }
      case ExprKind::Ternary: {
        auto* te = static_cast<Ternary*>(e);
        expect(te->yes, t);
        expect(te->no, t);
        break;
      }
      case ExprKind::Assign: {
        auto* a = static_cast<Assign*>(e);
        if (a->op == "=") {
          expect(a->left, t);
          expect(a->right, t);
        }
        break;
      }
      case ExprKind::Entry:
        expect(static_cast<Entry*>(e)->operand, t);
        break;
      default:
        if (e->type != Type::Unknown && e->type != t)
          err_.error(std::string("type mismatch: expected ") + type_name(t) + " but found " +
                         type_name(e->type),
                     e->tok, nullptr, "type mismatch: expected");
        return;
    }
    if (e->type == Type::Unknown) {
      e->type = t;
      changed = true;
    }
  }

  void expect_stats(Expr* e) {
    Symbol* s = nullptr;
    if (e->kind == ExprKind::Symbol) s = static_cast<Symbol*>(e);
    else if (e->kind == ExprKind::ArrayIndex) s = static_cast<ArrayIndex*>(e)->base;
    if (!s || !s->decl) {
      error("expected statistics variable", e->tok);
      return;
    }
    if (!s->decl->is_global) {
      error("stat locals not supported, missing global declaration? ", s->tok);
      return;
    }
    if (s->decl->type == Type::Unknown) {
      s->decl->type = Type::Stats;
      s->decl->type_tok = s->tok;
      changed = true;
    } else if (s->decl->type != Type::Stats) {
      mismatch(Type::Stats, s->tok, s->decl->type, origin(s->decl));
    }
    e->type = Type::Stats;
  }

  // Index types of an array use; the arity was settled (and checked) before types.
  void arity(VarDecl* d, size_t n, const Token* tok, const std::vector<Expr*>& idx) {
    (void)tok;
    if (!d || d->arity != static_cast<int>(n) || d->index_types.size() != n) return;
    for (size_t i = 0; i < n && i < idx.size(); ++i) {
      Expr* x = idx[i];
      if (!x) continue;
      Type& it = d->index_types[i];
      if (x->type != Type::Unknown) {
        if (it == Type::Unknown) {
          it = x->type;
          origin_[{d, static_cast<int>(i)}] = x->tok;
          changed = true;
        } else if (it != x->type) {
          mismatch(x->type, x->tok, it, origin(d, static_cast<int>(i)), static_cast<int>(i));
        }
      } else if (it != Type::Unknown) {
        expect(x, it);
      }
    }
  }
  // Where a variable's or function's type was inferred; null when it was declared.
  static const Token* origin(const VarDecl* d) { return d->declared_type ? nullptr : d->type_tok; }
  static const Token* origin(const FunctionDecl* f) {
    return f->declared_type ? nullptr : f->type_tok;
  }
  const Token* origin(const void* decl, int index) const {
    auto it = origin_.find({decl, index});
    return it == origin_.end() ? nullptr : it->second;
  }

  // Expressions --------------------------------------------------------------------------
  void visit(Literal&) override {}
  void visit(Binary& e) override {
    TraversingVisitor::visit(e);
    expect(e.left, Type::Long);
    expect(e.right, Type::Long);
    set(e, Type::Long);
  }
  void visit(Logical& e) override {
    TraversingVisitor::visit(e);
    expect(e.left, Type::Long);
    expect(e.right, Type::Long);
    set(e, Type::Long);
  }
  void visit(Comparison& e) override {
    TraversingVisitor::visit(e);
    if (e.left->type != Type::Unknown) expect(e.right, e.left->type);
    else if (e.right->type != Type::Unknown) expect(e.left, e.right->type);
    set(e, Type::Long);
  }
  void visit(Concat& e) override {
    TraversingVisitor::visit(e);
    expect(e.left, Type::String);
    expect(e.right, Type::String);
    set(e, Type::String);
  }
  void visit(Regex& e) override {
    TraversingVisitor::visit(e);
    expect(e.left, Type::String);
    set(e, Type::Long);
  }
  void visit(Unary& e) override {
    TraversingVisitor::visit(e);
    if (e.op != "&") expect(e.operand, Type::Long);
    set(e, Type::Long);
  }
  void visit(Crement& e) override {
    TraversingVisitor::visit(e);
    expect(e.operand, Type::Long);
    set(e, Type::Long);
  }
  void visit(Ternary& e) override {
    TraversingVisitor::visit(e);
    expect(e.cond, Type::Long);
    if (e.yes->type != Type::Unknown) expect(e.no, e.yes->type);
    else if (e.no->type != Type::Unknown) expect(e.yes, e.no->type);
    set(e, e.yes->type != Type::Unknown ? e.yes->type : e.no->type);
  }
  void visit(Assign& e) override {
    visit_expr(*this, e.right);
    visit_expr(*this, e.left);
    if (e.op == "<<<") {
      expect_stats(e.left);
      expect(e.right, Type::Long);
      set(e, Type::Long);
      return;
    }
    if (e.op == ".=") {
      expect(e.left, Type::String);
      expect(e.right, Type::String);
      set(e, Type::String);
      return;
    }
    if (e.op != "=") {
      expect(e.left, Type::Long);
      expect(e.right, Type::Long);
      set(e, Type::Long);
      return;
    }
    // A statistics value goes nowhere but into <<< and the stat operators; the
    // unresolved-type walk reports it.
    if (e.right->type == Type::Stats) return;
    if (e.right->type != Type::Unknown) expect(e.left, e.right->type);
    else if (e.left->type != Type::Unknown && e.left->type != Type::Stats)
      expect(e.right, e.left->type);
    if (e.left->type != Type::Stats)
      set(e, e.left->type != Type::Unknown ? e.left->type : e.right->type);
  }
  void visit(Symbol& e) override {
    if (e.decl && e.decl->type != Type::Unknown) e.type = e.decl->type;
  }
  // Without debuginfo a target symbol never resolves: its type comes from context only.
  void visit(TargetSymbol& e) override {
    TraversingVisitor::visit(e);
    if (e.code) set(e, e.code->is_string ? Type::String : Type::Long);
    if (e.code)
      for (Expr* in : e.code->inputs) expect(in, Type::Long);
  }
  void visit(Cast& e) override {
    TraversingVisitor::visit(e);
    set(e, e.code && e.code->is_string ? Type::String : Type::Long);
    if (e.code)
      for (Expr* in : e.code->inputs) expect(in, Type::Long);
  }
  void visit(AtVar& e) override {
    TraversingVisitor::visit(e);
    set(e, e.code && e.code->is_string ? Type::String : Type::Long);
    if (e.code)
      for (Expr* in : e.code->inputs) expect(in, Type::Long);
  }
  void visit(Autocast& e) override {
    TraversingVisitor::visit(e);
    set(e, Type::Long);
  }
  void visit(Entry& e) override {
    TraversingVisitor::visit(e);
    set(e, e.operand->type);
  }
  void visit(Defined& e) override {
    TraversingVisitor::visit(e);
    set(e, Type::Long);
  }
  void visit(Probewrite& e) override { set(e, Type::Long); }
  void visit(Perf& e) override { set(e, Type::Long); }
  void visit(Register& e) override { set(e, Type::Long); }
  void visit(Deref& e) override {
    TraversingVisitor::visit(e);
    expect(e.addr, Type::Long);
    set(e, Type::Long);
  }
  void visit(EmbeddedExpr& e) override {
    set(e, e.code.find("/* string */") != std::string::npos ? Type::String : Type::Long);
  }
  void visit(ArrayIndex& e) override {
    for (Expr* i : e.indexes) visit_expr(*this, i);
    if (e.hist) {
      e.hist->accept(*this);
      if (e.indexes.size() == 1) expect(e.indexes[0], Type::Long);
      set(e, Type::Long);
      return;
    }
    if (!e.base || !e.base->decl) return;
    VarDecl* d = e.base->decl;
    arity(d, e.indexes.size(), e.base->tok, e.indexes);
    if (d->type != Type::Unknown) set(e, d->type);
  }
  void visit(ArrayIn& e) override {
    ArrayIndex& a = *e.operand;
    for (Expr* i : a.indexes) visit_expr(*this, i);
    if (a.hist) a.hist->accept(*this);
    if (a.base && a.base->decl) arity(a.base->decl, a.indexes.size(), a.base->tok, a.indexes);
    set(e, Type::Long);
  }
  void visit(FunctionCall& e) override {
    for (Expr* a : e.args) visit_expr(*this, a);
    for (FunctionDecl* f : e.candidates) {
      for (size_t i = 0; i < e.args.size() && i < f->formals.size(); ++i) {
        VarDecl* formal = f->formals[i];
        Expr* a = e.args[i];
        if (a->type == Type::Stats) continue;  // reported after inference
        // A variable passed where the formal already has a type: upstream pushes the
        // formal's type into the argument, so the variable is the one that mismatches.
        bool variable = a->kind == ExprKind::Symbol || a->kind == ExprKind::ArrayIndex;
        if (a->type != Type::Unknown && !(variable && formal->type != Type::Unknown)) {
          if (formal->type == Type::Unknown) {
            unify_decl(formal, a->type, a->tok);
            origin_[{f, static_cast<int>(i)}] = a->tok;
          } else if (formal->type != a->type) {
            mismatch(a->type, a->tok, formal->type, origin(f, static_cast<int>(i)),
                     static_cast<int>(i));
          }
        } else if (formal->type != Type::Unknown) {
          expect(a, formal->type);
        }
      }
      if (f->type != Type::Unknown) set(e, f->type);
    }
  }
  void visit(PrintFormat& e) override {
    for (Expr* a : e.args) visit_expr(*this, a);
    if (e.hist) e.hist->accept(*this);
    if (e.formatted) {
      size_t ai = 0;
      bool count_ok = format_arg_count(e.components) == static_cast<int>(e.args.size());
      if (!count_ok) {
        error("Wrong number of args to formatted print operator", e.tok);
      } else {
        for (const auto& c : e.components) {
          if (c.kind != FormatComponent::Conversion) continue;
          if (c.width == -2) expect(e.args[ai++], Type::Long);
          if (c.precision == -2) expect(e.args[ai++], Type::Long);
          Expr* a = e.args[ai++];
          Type want = c.conv == 's' ? Type::String : Type::Long;
          expect(a, want);
        }
      }
    }
    set(e, e.to_string ? Type::String : Type::Long);
  }
  void visit(StatOp& e) override {
    TraversingVisitor::visit(e);
    expect_stats(e.stat);
    set(e, Type::Long);
  }
  void visit(HistOp& e) override {
    TraversingVisitor::visit(e);
    expect_stats(e.stat);
  }

  // Statements ---------------------------------------------------------------------------
  void visit(IfStmt& s) override {
    TraversingVisitor::visit(s);
    expect(s.cond, Type::Long);
  }
  void visit(ForLoop& s) override {
    TraversingVisitor::visit(s);
    expect(s.cond, Type::Long);
  }
  void visit(ForeachLoop& s) override {
    for (Expr* x : s.slice) visit_expr(*this, x);
    visit_expr(*this, s.limit);
    if (s.limit) expect(s.limit, Type::Long);
    if (s.hist) {
      s.hist->accept(*this);
      for (Symbol* i : s.indexes) unify_decl(i->decl, Type::Long, i->tok);
      if (s.value) unify_decl(s.value->decl, Type::Long, s.value->tok);
    } else if (s.base && s.base->decl) {
      VarDecl* d = s.base->decl;
      std::vector<Expr*> idx(s.indexes.begin(), s.indexes.end());
      arity(d, s.indexes.size(), s.base->tok, idx);
      if (d->arity == static_cast<int>(s.indexes.size()) && d->index_types.size() == s.indexes.size()) {
        for (size_t i = 0; i < s.indexes.size(); ++i) {
          Symbol* k = s.indexes[i];
          if (d->index_types[i] != Type::Unknown) unify_decl(k->decl, d->index_types[i], k->tok);
          else if (k->decl && k->decl->type != Type::Unknown) {
            d->index_types[i] = k->decl->type;
            origin_[{d, static_cast<int>(i)}] = k->tok;
            changed = true;
          }
          if (i < s.slice.size() && s.slice[i]) {
            if (d->index_types[i] != Type::Unknown) expect(s.slice[i], d->index_types[i]);
          }
        }
      }
      // The value of a statistics array is no plain value: reported after inference.
      if (s.value && d->type != Type::Stats) {
        unify_decl(s.value->decl, d->type, s.value->tok);
        if (d->type == Type::Unknown && s.value->decl && s.value->decl->type != Type::Stats)
          unify_decl(d, s.value->decl->type, s.value->tok);
      }
    }
    for (Symbol* i : s.indexes) visit(*i);
    visit_stmt(*this, s.body);
  }
  void visit(ReturnStmt& r) override {
    visit_expr(*this, r.value);
    if (!fn || !r.value || r.value->type == Type::Stats) return;
    if (r.value->type != Type::Unknown) {
      if (fn->type == Type::Unknown) unify_fn(fn, r.value->type, r.value->tok);
      else if (fn->type != r.value->type) mismatch(r.value->type, r.value->tok, fn->type, origin(fn));
    } else if (fn->type != Type::Unknown) {
      expect(r.value, fn->type);
    }
  }
  void visit(TryBlock& t) override {
    visit_stmt(*this, t.try_block);
    if (t.catch_var) {
      unify_decl(t.catch_var->decl, Type::String, t.catch_var->tok);
      visit(*t.catch_var);
    }
    visit_stmt(*this, t.catch_block);
  }

 private:
  void set(Expr& e, Type t) {
    if (t != Type::Unknown && e.type != t) {
      e.type = t;
      changed = true;
    }
  }
  SemaErrors& err_;
  std::map<std::pair<const void*, int>, const Token*> origin_;  // where index types came from
};

}  // namespace

namespace {

// After the fixed point: what is still untyped, reported where it is used, in upstream's
// order (functions by name, then probes). Target symbols never resolve in pass 2.
class Unresolved : public TraversingVisitor {
 public:
  using TraversingVisitor::visit;
  explicit Unresolved(SemaErrors& err) : err_(err) {}
  void visit(Defined&) override {}  // @defined($x) is how scripts test for them
  void visit(TargetSymbol& e) override {
    if (!e.code)
      err_.error(e.unresolved.empty() ? "unresolved target-symbol expression" : e.unresolved,
                 e.tok);
    TraversingVisitor::visit(e);
  }
  void visit(Cast& e) override {
    if (!e.code && !e.unresolved.empty()) err_.error(e.unresolved, e.tok);
    TraversingVisitor::visit(e);
  }
  void visit(AtVar& e) override {
    if (!e.code && !e.unresolved.empty()) err_.error(e.unresolved, e.tok);
    TraversingVisitor::visit(e);
  }
  void visit(Symbol& e) override {
    if (e.decl && e.decl->type == Type::Unknown) err_.error("unresolved type ", e.tok);
  }
  // A statistics value used as a plain value; the rest of the statement is skipped.
  bool invalid_stats(Expr* e) {
    if (!e || e->type != Type::Stats) return false;
    err_.error("invalid type stats", e->tok, nullptr, "invalid type");
    return true;
  }
  void visit(Assign& e) override {
    if (e.op == "=" && invalid_stats(e.right)) return;
    TraversingVisitor::visit(e);
  }
  void visit(FunctionCall& e) override {
    for (Expr* a : e.args) {
      if (invalid_stats(a)) return;
      visit_expr(*this, a);
    }
  }
  void visit(ForeachLoop& f) override {
    if (f.value && f.base && f.base->decl && f.base->decl->type == Type::Stats)
      err_.error("invalid type stats", f.value->tok, nullptr, "invalid type");
    TraversingVisitor::visit(f);
  }
  void visit(ReturnStmt& r) override {
    if (fn_has_value_ && invalid_stats(r.value)) return;
    TraversingVisitor::visit(r);
  }
  bool fn_has_value_ = false;
  // A call may be untyped (a function that returns nothing) unless its value is used.
  void visit(PrintFormat& e) override {
    TraversingVisitor::visit(e);
    for (Expr* a : e.args) {
      // An unresolved target variable has already said why.
      if (a && a->kind == ExprKind::TargetSymbol &&
          !static_cast<TargetSymbol*>(a)->unresolved.empty())
        continue;
      if (a && a->kind == ExprKind::Cast && !static_cast<Cast*>(a)->unresolved.empty()) continue;
      if (a && a->type == Type::Unknown) err_.error("unresolved type ", a->tok);
    }
  }

 private:
  SemaErrors& err_;
};

}  // namespace

void infer_types(Session& s, Program& p) {
  SemaErrors err(s);
  // Upstream settles arities while resolving symbols, then checks probe conditions,
  // assignment targets and delete operands, each pass stopping the analysis on error.
  if (!check_arity(err, p)) return;
  if (!check_conditions(err, p)) return;
  if (!check_lvalues(err, p)) return;
  if (!check_delete_operands(err, p)) return;

  // An initialized global has its initializer's type, as if declared.
  for (VarDecl* g : p.globals)
    if (g->init && g->type == Type::Unknown) {
      g->type = g->init->type;
      g->type_tok = nullptr;
    }

  int before = s.diag.errors();
  TypeInfer ti(err);
  for (int iter = 0; iter < 50; ++iter) {
    ti.changed = false;
    // Upstream copies a probe's condition into the probes that set its globals, ahead of
    // their code, so conditions are typed first.
    ti.fn = nullptr;
    for (DerivedProbe* d : p.probes) {
      if (!d->condition) continue;
      visit_expr(ti, d->condition);
      ti.expect(d->condition, Type::Long);
    }
    for (FunctionDecl* f : p.functions) {
      ti.fn = f;
      visit_stmt(ti, f->body);
    }
    for (DerivedProbe* d : p.probes) {
      ti.fn = nullptr;
      visit_stmt(ti, d->body);
    }
    if (!ti.changed) break;
  }
  if (s.diag.errors() != before) return;

  // Anything still untyped is an error: at its uses first, then at its declaration.
  Unresolved un(err);
  for (FunctionDecl* f : p.functions) {
    un.fn_has_value_ = true;
    visit_stmt(un, f->body);
  }
  un.fn_has_value_ = false;
  for (DerivedProbe* d : p.probes) {
    visit_stmt(un, d->body);
    visit_expr(un, d->condition);
  }
  auto check_locals = [&](const std::vector<VarDecl*>& locals) {
    for (VarDecl* v : locals)
      if (v->type == Type::Unknown) ti.error("unresolved type ", v->tok);
  };
  for (FunctionDecl* f : p.functions) check_locals(f->locals);
  for (DerivedProbe* d : p.probes) check_locals(d->locals);
  for (VarDecl* g : p.globals) {
    if (g->type == Type::Unknown) ti.error("unresolved type ", g->tok);
    if (g->arity < 0) g->arity = 0;
    for (Type t : g->index_types)
      if (t == Type::Unknown) {
        ti.error("unresolved type ", g->tok);
        break;
      }
  }
}

namespace {

// Arrays may not be modified inside a foreach over them.
class ForeachCheck : public TraversingVisitor {
 public:
  using TraversingVisitor::visit;
  explicit ForeachCheck(Session& s) : s_(s) {}
  void visit(ForeachLoop& f) override {
    if (f.base && f.base->decl) {
      if (f.base->decl->arity == 0 && f.base->decl->type != Type::Stats) {
        s_.diag.semantic_error("foreach over a non-array", f.base->tok);
      }
      active_.push_back(f.base->decl);
    }
    TraversingVisitor::visit(f);
    if (f.base && f.base->decl) active_.pop_back();
  }
  void modified(Expr* target) {
    VarDecl* d = nullptr;
    const Token* t = nullptr;
    if (target && target->kind == ExprKind::ArrayIndex) {
      auto* a = static_cast<ArrayIndex*>(target);
      if (a->base) {
        d = a->base->decl;
        t = a->base->tok;
      }
    } else if (target && target->kind == ExprKind::Symbol) {
      d = static_cast<Symbol*>(target)->decl;
      t = target->tok;
    }
    for (VarDecl* a : active_) {
      if (a == d && d->type != Type::Stats) {
        s_.diag.semantic_error("variable '" + d->name + "' modified during 'foreach' iteration", t);
        return;
      }
    }
  }
  void visit(Assign& a) override {
    modified(a.left);
    TraversingVisitor::visit(a);
  }
  void visit(Crement& c) override {
    modified(c.operand);
    TraversingVisitor::visit(c);
  }
  void visit(DeleteStmt& d) override {
    modified(d.value);
    TraversingVisitor::visit(d);
  }

 private:
  Session& s_;
  std::vector<VarDecl*> active_;
};

}  // namespace

void check_program(Session& s, Program& p) {
  SemaErrors err(s);
  if (!check_entry(err, p)) return;
  if (!check_sort_aggregates(err, p)) return;
  if (!check_variance_shift(err, p)) return;
  if (!check_histogram_types(err, p)) return;
  ForeachCheck fc(s);
  for (DerivedProbe* d : p.probes) visit_stmt(fc, d->body);
  for (FunctionDecl* f : p.functions) visit_stmt(fc, f->body);
}

}  // namespace stap
