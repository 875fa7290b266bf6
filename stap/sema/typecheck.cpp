#include "stap/sema/typecheck.h"

#include <set>
#include <string>

#include "stap/driver/session.h"
#include "stap/parse/format.h"
#include "stap/sema/elaborate.h"

namespace stap {

namespace {

class TypeInfer : public TraversingVisitor {
 public:
  using TraversingVisitor::visit;
  explicit TypeInfer(Session& s) : s_(s) {}

  bool changed = false;
  FunctionDecl* fn = nullptr;

  void error(const std::string& msg, const Token* tok) {
    std::string key = msg + "@" + (tok ? describe_token(*tok) : "");
    if (!reported_.insert(key).second) return;
    s_.diag.semantic_error(msg, tok);
  }
  void mismatch(Type now, const Token* tok, Type first, const Token* first_tok) {
    std::string key = std::string("mm@") + (tok ? describe_token(*tok) : "");
    if (!reported_.insert(key).second) return;
    s_.diag.semantic_error(std::string("type mismatch (") + type_name(now) + ")", tok);
    if (first_tok)
      s_.diag.semantic_note(std::string("type was first inferred here (") + type_name(first) + ")",
                            first_tok);
  }

  void unify_decl(VarDecl* d, Type t, const Token* tok) {
    if (!d || t == Type::Unknown) return;
    if (d->type == Type::Unknown) {
      d->type = t;
      if (!d->type_tok) d->type_tok = tok;
      changed = true;
    } else if (d->type != t) {
      mismatch(t, tok, d->type, d->type_tok ? d->type_tok : d->tok);
    }
  }
  void unify_fn(FunctionDecl* f, Type t, const Token* tok) {
    if (!f || t == Type::Unknown) return;
    if (f->type == Type::Unknown) {
      f->type = t;
      if (!f->type_tok) f->type_tok = tok;
      changed = true;
    } else if (f->type != t) {
      mismatch(t, tok, f->type, f->type_tok ? f->type_tok : f->tok);
    }
  }

  // Pushes an expected type down into an expression.
  void expect(Expr* e, Type t) {
    if (!e || t == Type::Unknown) return;
    switch (e->kind) {
      case ExprKind::Symbol: {
        auto* s = static_cast<Symbol*>(e);
        if (s->decl && s->decl->type == Type::Stats && t != Type::Stats) {
          mismatch(t, s->tok, Type::Stats, s->decl->type_tok);
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
        if (e->type != Type::Unknown && e->type != t) {
          std::string key = std::string("lit@") + describe_token(*e->tok);
          if (reported_.insert(key).second)
            s_.diag.semantic_error(std::string("type mismatch: expected ") + type_name(t) +
                                       " but found " + type_name(e->type),
                                   e->tok);
        }
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
      mismatch(Type::Stats, s->tok, s->decl->type, s->decl->type_tok);
    }
    e->type = Type::Stats;
  }

  void arity(VarDecl* d, size_t n, const Token* tok, const std::vector<Expr*>& idx) {
    if (!d) return;
    if (d->arity < 0 || (d->arity == 0 && d->is_global && d->type == Type::Unknown &&
                         !d->init && d->index_types.empty() && !d->type_tok)) {
      d->arity = static_cast<int>(n);
      d->index_types.assign(n, Type::Unknown);
      d->arity_tok = tok;
      changed = true;
    } else if (d->arity != static_cast<int>(n)) {
      std::string key = "arity@" + describe_token(*tok);
      if (reported_.insert(key).second) {
        s_.diag.semantic_error("inconsistent arity (" + std::to_string(d->arity) + " vs " +
                                   std::to_string(n) + ")",
                               tok);
        if (d->arity_tok)
          s_.diag.semantic_note("arity " + std::to_string(d->arity) + " first inferred here",
                                d->arity_tok);
      }
      return;
    }
    for (size_t i = 0; i < n && i < idx.size(); ++i) {
      Expr* x = idx[i];
      if (!x) continue;
      Type& it = d->index_types[i];
      if (x->type != Type::Unknown) {
        if (it == Type::Unknown) {
          it = x->type;
          changed = true;
        } else if (it != x->type) {
          mismatch(x->type, x->tok, it, d->arity_tok);
        }
      } else if (it != Type::Unknown) {
        expect(x, it);
      }
    }
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
    if (e.right->type != Type::Unknown) expect(e.left, e.right->type);
    else if (e.left->type != Type::Unknown) expect(e.right, e.left->type);
    set(e, e.left->type != Type::Unknown ? e.left->type : e.right->type);
  }
  void visit(Symbol& e) override {
    if (e.decl && e.decl->type != Type::Unknown) e.type = e.decl->type;
    if (e.decl && e.decl->arity > 0) {
      std::string key = "arr@" + describe_token(*e.tok);
      if (reported_.insert(key).second)
        s_.diag.semantic_error("array used as scalar", e.tok);
    }
  }
  void visit(TargetSymbol& e) override {
    TraversingVisitor::visit(e);
    set(e, Type::Long);
  }
  void visit(Cast& e) override {
    TraversingVisitor::visit(e);
    set(e, Type::Long);
  }
  void visit(AtVar& e) override {
    TraversingVisitor::visit(e);
    set(e, Type::Long);
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
        if (a->type != Type::Unknown) {
          if (formal->type == Type::Unknown) {
            unify_decl(formal, a->type, a->tok);
          } else if (formal->type != a->type) {
            mismatch(a->type, a->tok, formal->type, formal->type_tok ? formal->type_tok : formal->tok);
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
    } else {
      for (Expr* a : e.args)
        if (a->type == Type::Stats) error("cannot print a statistics value", a->tok);
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
      if (d->arity == static_cast<int>(s.indexes.size())) {
        for (size_t i = 0; i < s.indexes.size(); ++i) {
          Symbol* k = s.indexes[i];
          if (d->index_types[i] != Type::Unknown) unify_decl(k->decl, d->index_types[i], k->tok);
          else if (k->decl && k->decl->type != Type::Unknown) {
            d->index_types[i] = k->decl->type;
            changed = true;
          }
          if (i < s.slice.size() && s.slice[i]) {
            if (d->index_types[i] != Type::Unknown) expect(s.slice[i], d->index_types[i]);
          }
        }
      }
      if (s.value) {
        Type vt = d->type == Type::Stats ? Type::Long : d->type;
        if (d->type == Type::Stats && s.sort_aggregate.empty()) vt = Type::Long;
        unify_decl(s.value->decl, vt, s.value->tok);
      }
    }
    for (Symbol* i : s.indexes) visit(*i);
    visit_stmt(*this, s.body);
  }
  void visit(ReturnStmt& r) override {
    visit_expr(*this, r.value);
    if (!fn || !r.value) return;
    if (r.value->type != Type::Unknown) {
      if (fn->type == Type::Unknown) unify_fn(fn, r.value->type, r.value->tok);
      else if (fn->type != r.value->type) mismatch(r.value->type, r.value->tok, fn->type, fn->type_tok);
    } else if (fn->type != Type::Unknown) {
      expect(r.value, fn->type);
    }
  }
  void visit(TryBlock& t) override {
    TraversingVisitor::visit(t);
    if (t.catch_var) unify_decl(t.catch_var->decl, Type::String, t.catch_var->tok);
  }

 private:
  void set(Expr& e, Type t) {
    if (t != Type::Unknown && e.type != t) {
      e.type = t;
      changed = true;
    }
  }
  Session& s_;
  std::set<std::string> reported_;
};

}  // namespace

void infer_types(Session& s, Program& p) {
  TypeInfer ti(s);
  for (FunctionDecl* f : p.functions) {
    if (f->declared_type && !f->type_tok) f->type_tok = f->tok;
  }
  for (int iter = 0; iter < 50; ++iter) {
    ti.changed = false;
    for (DerivedProbe* d : p.probes) {
      ti.fn = nullptr;
      visit_expr(ti, d->condition);
      visit_stmt(ti, d->body);
    }
    for (FunctionDecl* f : p.functions) {
      ti.fn = f;
      visit_stmt(ti, f->body);
    }
    if (!ti.changed) break;
  }
  // Anything still untyped is an error.
  auto check_locals = [&](const std::vector<VarDecl*>& locals) {
    for (VarDecl* v : locals)
      if (v->type == Type::Unknown) ti.error("unresolved type ", v->tok);
  };
  for (DerivedProbe* d : p.probes) check_locals(d->locals);
  for (FunctionDecl* f : p.functions) check_locals(f->locals);
  for (VarDecl* g : p.globals) {
    if (g->init && g->type == Type::Unknown) g->type = g->init->type;
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
  ForeachCheck fc(s);
  for (DerivedProbe* d : p.probes) visit_stmt(fc, d->body);
  for (FunctionDecl* f : p.functions) visit_stmt(fc, f->body);
}

}  // namespace stap
