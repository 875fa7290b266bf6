#include "stap/sema/optimize.h"

#include <algorithm>
#include <map>
#include <vector>

#include "stap/driver/session.h"
#include "stap/sema/elaborate.h"
#include "stap/sema/probe_registry.h"

namespace stap {

namespace {

// One body with its locals: a derived probe or a function.
struct Scope {
  Stmt* body = nullptr;
  std::vector<VarDecl*>* locals = nullptr;
  const std::vector<VarDecl*>* formals = nullptr;
};

// Who reads and who writes each variable, in source order of first use.
struct Uses : TraversingVisitor {
  using TraversingVisitor::visit;
  std::map<VarDecl*, const Token*> first_read;
  std::set<VarDecl*> written;
  std::vector<VarDecl*> read_order;

  void read(Symbol& s) {
    if (!s.decl) return;
    if (first_read.emplace(s.decl, s.tok).second) read_order.push_back(s.decl);
  }
  void write_target(Expr* e) {
    if (auto* sym = dynamic_cast<Symbol*>(e)) {
      if (sym->decl) written.insert(sym->decl);
    } else if (auto* ai = dynamic_cast<ArrayIndex*>(e)) {
      if (ai->base && ai->base->decl) written.insert(ai->base->decl);
    }
  }
  void visit(Symbol& s) override { read(s); }
  void visit(Assign& a) override {
    write_target(a.left);
    if (a.op == "=" || a.op == "<<<") {
      // A plain store does not read its target (array indexes are read).
      if (auto* ai = dynamic_cast<ArrayIndex*>(a.left)) {
        for (Expr* i : ai->indexes) visit_expr(*this, i);
      } else if (!dynamic_cast<Symbol*>(a.left)) {
        visit_expr(*this, a.left);
      }
    } else {
      visit_expr(*this, a.left);
    }
    visit_expr(*this, a.right);
  }
  void visit(Crement& c) override {
    write_target(c.operand);
    TraversingVisitor::visit(c);
  }
  void visit(ForeachLoop& f) override {
    for (Symbol* i : f.indexes)
      if (i->decl) written.insert(i->decl);
    if (f.value && f.value->decl) written.insert(f.value->decl);
    visit_expr(*this, f.base);
    visit_expr(*this, f.hist);
    for (Expr* e : f.slice) visit_expr(*this, e);
    visit_expr(*this, f.limit);
    visit_stmt(*this, f.body);
  }
  void visit(TryBlock& t) override {
    if (t.catch_var && t.catch_var->decl) written.insert(t.catch_var->decl);
    visit_stmt(*this, t.try_block);
    visit_stmt(*this, t.catch_block);
  }
  void visit(DeleteStmt& d) override {
    write_target(d.value);
    TraversingVisitor::visit(d);
  }
};

class Optimizer {
 public:
  Optimizer(Session& s, Program& p, std::set<FunctionDecl*>& fns) : s_(s), p_(p), fns_(fns) {
    for (DerivedProbe* d : p_.probes) scopes_.push_back({d->body, &d->locals, nullptr});
    for (FunctionDecl* f : sorted_functions())
      if (f->body && f->body->kind == StmtKind::Block)
        scopes_.push_back({f->body, &f->locals, &f->formals});
  }

  void run() {
    warn_never_assigned();
    if (s_.opts.unoptimized) return;
    compute_purity();
    elide_dead_assignments();
    elide_pure_statements();
    elide_empty_probes();
    drop_unused_locals();
    recompute_functions();
  }

 private:
  std::vector<FunctionDecl*> sorted_functions() const {
    std::vector<FunctionDecl*> v(fns_.begin(), fns_.end());
    std::sort(v.begin(), v.end(), function_listing_less);
    return v;
  }

  static bool is_formal(const Scope& sc, VarDecl* v) {
    return sc.formals && std::find(sc.formals->begin(), sc.formals->end(), v) != sc.formals->end();
  }

  // "never-assigned local variable 'b' (similar: ...)" and the same for globals.
  void warn_never_assigned() {
    Uses all;
    // A local named in a probe condition is an error reported by the condition check.
    Uses in_conditions;
    for (DerivedProbe* d : p_.probes) visit_expr(in_conditions, d->condition);
    for (const Scope& sc : scopes_) {
      Uses u;
      visit_stmt(u, sc.body);
      visit_stmt(all, sc.body);
      for (VarDecl* v : u.read_order) {
        if (v->is_global || is_formal(sc, v) || u.written.count(v)) continue;
        if (in_conditions.first_read.count(v)) continue;
        if (std::find(sc.locals->begin(), sc.locals->end(), v) == sc.locals->end()) continue;
        std::vector<std::string> names;
        for (VarDecl* l : *sc.locals)
          if (l != v) names.push_back(l->name);
        std::string sim = similar_names(v->name, names);
        s_.diag.warning("never-assigned local variable '" + v->name + "'" +
                            (sim.empty() ? "" : " (similar: " + sim + ")"),
                        u.first_read[v]);
      }
    }
    for (DerivedProbe* d : p_.probes) visit_expr(all, d->condition);
    std::vector<std::string> gnames;
    for (VarDecl* g : all.read_order)
      if (g->is_global) gnames.push_back(g->name);
    std::set<std::string> set_by_option;  // -G NAME=VALUE counts as an assignment
    for (const std::string& kv : s_.opts.global_settings) set_by_option.insert(kv.substr(0, kv.find('=')));
    for (VarDecl* g : all.read_order) {
      if (!g->is_global || g->synthetic || g->init || all.written.count(g)) continue;
      if (set_by_option.count(g->name)) continue;
      // Statistics and arrays are read through operators that also count as use.
      if (g->arity > 0 || g->type == Type::Stats) continue;
      std::string sim = similar_names(g->name, gnames);
      s_.diag.warning("never-assigned global variable '" + g->name + "'" +
                          (sim.empty() ? "" : " (similar: " + sim + ")"),
                      g->tok);
    }
  }

  // A function is pure when it changes nothing outside its own locals and prints
  // nothing; embedded-C functions only when they say /* pure */.
  void compute_purity() {
    std::vector<FunctionDecl*> fs = sorted_functions();
    for (FunctionDecl* f : fs) pure_fn_[f] = true;
    bool changed = true;
    while (changed) {
      changed = false;
      for (FunctionDecl* f : fs) {
        if (!pure_fn_[f]) continue;
        bool pure;
        if (!f->body) {
          pure = false;
        } else if (f->body->kind == StmtKind::Embedded) {
          pure = static_cast<EmbeddedStmt*>(f->body)->code.find("/* pure */") != std::string::npos;
        } else {
          pure = stmt_is_pure(f->body);
        }
        if (!pure) {
          pure_fn_[f] = false;
          changed = true;
        }
      }
    }
  }

  bool call_is_pure(const FunctionCall& c) const {
    if (c.candidates.empty()) return false;
    for (FunctionDecl* f : c.candidates) {
      auto it = pure_fn_.find(f);
      if (it == pure_fn_.end() || !it->second) return false;
    }
    return true;
  }

  // True when evaluating e has no effect beyond producing its value.
  bool expr_is_pure(Expr* e) const {
    if (!e) return true;
    if (dynamic_cast<Literal*>(e) || dynamic_cast<Symbol*>(e) || dynamic_cast<StatOp*>(e))
      return true;
    if (auto* b = dynamic_cast<Binary*>(e)) return expr_is_pure(b->left) && expr_is_pure(b->right);
    if (auto* b = dynamic_cast<BinaryLike*>(e)) {
      if (e->kind == ExprKind::Assign) return false;
      return expr_is_pure(b->left) && expr_is_pure(b->right);
    }
    if (auto* u = dynamic_cast<Unary*>(e)) return expr_is_pure(u->operand);
    if (auto* t = dynamic_cast<Ternary*>(e))
      return expr_is_pure(t->cond) && expr_is_pure(t->yes) && expr_is_pure(t->no);
    if (auto* a = dynamic_cast<ArrayIndex*>(e)) {
      if (a->hist) return false;
      for (Expr* i : a->indexes)
        if (!expr_is_pure(i)) return false;
      return true;
    }
    if (auto* a = dynamic_cast<ArrayIn*>(e)) {
      for (Expr* i : a->operand->indexes)
        if (!expr_is_pure(i)) return false;
      return true;
    }
    if (auto* c = dynamic_cast<FunctionCall*>(e)) {
      for (Expr* a : c->args)
        if (!expr_is_pure(a)) return false;
      return call_is_pure(*c);
    }
    return false;
  }

  // For function purity: does the statement change anything but locals?
  bool stmt_is_pure(Stmt* st) const {
    struct Check : TraversingVisitor {
      using TraversingVisitor::visit;
      const Optimizer* o;
      bool pure = true;
      void target(Expr* e) {
        auto* sym = dynamic_cast<Symbol*>(e);
        if (!sym || !sym->decl || sym->decl->is_global) pure = false;
      }
      void visit(Assign& a) override {
        target(a.left);
        TraversingVisitor::visit(a);
      }
      void visit(Crement& c) override {
        target(c.operand);
        TraversingVisitor::visit(c);
      }
      void visit(PrintFormat&) override { pure = false; }
      void visit(EmbeddedExpr&) override { pure = false; }
      void visit(DeleteStmt&) override { pure = false; }
      void visit(TargetSymbol&) override { pure = false; }
      void visit(FunctionCall& c) override {
        if (!o->call_is_pure(c)) pure = false;
        TraversingVisitor::visit(c);
      }
    } check;
    check.o = this;
    visit_stmt(check, st);
    return check.pure;
  }

  // `x = EXPR` where the local x is never read becomes `EXPR`.
  void elide_dead_assignments() {
    for (const Scope& sc : scopes_) {
      Uses u;
      visit_stmt(u, sc.body);
      struct Dead : TraversingVisitor {
        using TraversingVisitor::visit;
        Optimizer* o;
        const Scope* sc;
        const Uses* u;
        void visit(ExprStmt& es) override {
          auto* a = dynamic_cast<Assign*>(es.value);
          if (!a || a->op != "=") return;
          auto* sym = dynamic_cast<Symbol*>(a->left);
          if (!sym || !sym->decl || sym->decl->is_global || u->first_read.count(sym->decl)) return;
          if (std::find(sc->locals->begin(), sc->locals->end(), sym->decl) == sc->locals->end())
            return;
          // Tapset aliases set variables a probe may not use: upstream elides quietly.
          if (!(a->tok && a->tok->loc.file && a->tok->loc.file->is_tapset))
            o->s_.diag.warning("Eliding assignment to '" + sym->name + "'", a->tok);
          es.value = a->right;
        }
      } dead;
      dead.o = this;
      dead.sc = &sc;
      dead.u = &u;
      visit_stmt(dead, sc.body);
    }
  }

  // Removes a statement slot's pure expression statements; returns true if `st` itself
  // should go.
  bool reduce(Stmt*& st) {
    if (!st) return false;
    switch (st->kind) {
      case StmtKind::Block: {
        auto& v = static_cast<Block*>(st)->stmts;
        std::vector<Stmt*> kept;
        for (Stmt* c : v) {
          if (!reduce(c)) kept.push_back(c);
        }
        v = std::move(kept);
        return false;
      }
      case StmtKind::Try: {
        auto* t = static_cast<TryBlock*>(st);
        reduce_slot(t->try_block);
        reduce_slot(t->catch_block);
        return false;
      }
      case StmtKind::If: {
        auto* i = static_cast<IfStmt*>(st);
        reduce_slot(i->then_stmt);
        reduce_slot(i->else_stmt);
        return false;
      }
      case StmtKind::For: {
        auto* f = static_cast<ForLoop*>(st);
        if (reduce(f->init)) f->init = nullptr;
        if (reduce(f->incr)) f->incr = nullptr;
        reduce_slot(f->body);
        return false;
      }
      case StmtKind::Foreach:
        reduce_slot(static_cast<ForeachLoop*>(st)->body);
        return false;
      case StmtKind::ExprStmt: {
        auto& es = *static_cast<ExprStmt*>(st);
        if (!expr_is_pure(es.value)) return false;
        if (!(es.tok && es.tok->loc.file && es.tok->loc.file->is_tapset))
          s_.diag.warning("Eliding side-effect-free expression ", es.tok);
        return true;
      }
      default:
        return false;
    }
  }
  // A slot that must hold a statement gets an empty one.
  void reduce_slot(Stmt*& slot) {
    if (reduce(slot)) slot = s_.arena.make<NullStmt>(slot->tok);
  }

  void elide_pure_statements() {
    for (Scope& sc : scopes_) reduce(sc.body);
  }

  static bool is_empty(Stmt* st) {
    if (!st) return true;
    if (st->kind == StmtKind::Null) return true;
    if (st->kind != StmtKind::Block) return false;
    for (Stmt* c : static_cast<Block*>(st)->stmts)
      if (!is_empty(c)) return false;
    return true;
  }

  void elide_empty_probes() {
    std::vector<DerivedProbe*> kept;
    for (DerivedProbe* d : p_.probes) {
      if (!d->synthetic && is_empty(d->body) && !d->condition) {
        std::string name = d->match.components.empty() ? d->name : d->match.components[0].functor;
        if (d->user && !d->user->locations.empty() &&
            !d->user->locations[0]->components.empty())
          name = d->user->locations[0]->components[0].functor;
        s_.diag.warning("Probe '" + name + "' has been elided", d->tok);
        continue;
      }
      kept.push_back(d);
    }
    p_.probes = std::move(kept);
  }

  void drop_unused_locals() {
    struct Refs : TraversingVisitor {
      using TraversingVisitor::visit;
      std::set<VarDecl*> seen;
      void visit(Symbol& s) override {
        if (s.decl) seen.insert(s.decl);
      }
    };
    for (DerivedProbe* d : p_.probes) {
      Refs r;
      visit_stmt(r, d->body);
      visit_expr(r, d->condition);
      std::vector<VarDecl*> kept;
      for (VarDecl* v : d->locals)
        if (r.seen.count(v)) kept.push_back(v);
      d->locals = std::move(kept);
    }
    for (FunctionDecl* f : fns_) {
      if (!f->body || f->body->kind != StmtKind::Block) continue;
      Refs r;
      visit_stmt(r, f->body);
      std::vector<VarDecl*> kept;
      for (VarDecl* v : f->locals)
        if (r.seen.count(v) || std::find(f->formals.begin(), f->formals.end(), v) != f->formals.end())
          kept.push_back(v);
      f->locals = std::move(kept);
    }
  }

  void recompute_functions() {
    struct Calls : TraversingVisitor {
      using TraversingVisitor::visit;
      std::set<FunctionDecl*>* out;
      std::vector<FunctionDecl*> work;
      void visit(FunctionCall& c) override {
        TraversingVisitor::visit(c);
        for (FunctionDecl* f : c.candidates)
          if (out->insert(f).second) work.push_back(f);
      }
    } calls;
    std::set<FunctionDecl*> reach;
    calls.out = &reach;
    for (DerivedProbe* d : p_.probes) {
      visit_stmt(calls, d->body);
      visit_expr(calls, d->condition);
    }
    while (!calls.work.empty()) {
      FunctionDecl* f = calls.work.back();
      calls.work.pop_back();
      visit_stmt(calls, f->body);
    }
    fns_ = std::move(reach);
  }

  Session& s_;
  Program& p_;
  std::set<FunctionDecl*>& fns_;
  std::vector<Scope> scopes_;
  std::map<FunctionDecl*, bool> pure_fn_;
};

}  // namespace

void optimize_program(Session& s, Program& p, std::set<FunctionDecl*>& functions) {
  Optimizer(s, p, functions).run();
}

}  // namespace stap
