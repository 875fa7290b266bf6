#include "stap/sema/elaborate.h"
#include "stap/sema/optimize.h"

#include <fnmatch.h>

#include <algorithm>
#include <tuple>
#include <map>
#include <set>

#include "stap/debuginfo/kernel_info.h"
#include "stap/driver/session.h"
#include "stap/parse/ast_printer.h"
#include "stap/parse/format.h"
#include "stap/probes/target_vars.h"
#include "stap/sema/tapset_search.h"
#include "stap/sema/typecheck.h"

namespace stap {

namespace {

constexpr int kMaxAliasDepth = 64;

std::string location_list(const std::vector<ProbePoint*>& pps, const char* sep) {
  PrintOptions po;
  po.mangle_all_symbols = true;
  std::string s;
  for (size_t i = 0; i < pps.size(); ++i) {
    if (i) s += sep;
    s += probe_point_str(*pps[i], po);
  }
  return s;
}

std::string alias_str(const ProbeAlias& a) {
  std::string s;
  for (size_t i = 0; i < a.alias_names.size(); ++i) {
    if (i) s += " = ";
    s += probe_point_str(*a.alias_names[i]);
  }
  s += a.epilogue_style ? " += " : " = ";
  s += location_list(a.locations, ", ");
  return s;
}

bool literal_equal(const Literal* a, const Literal* b) {
  if (!a || !b) return a == b;
  if (a->is_string != b->is_string) return false;
  return a->is_string ? a->str == b->str : a->num == b->num;
}

class Elaborator {
 public:
  explicit Elaborator(Session& s) : s_(s), index_(s) {
    registry_.kernel_build_tree = s.kernel_build_tree;
    registry_.kernel_release = s.kernel_release;
    register_probe_families(registry_);
  }

  bool run();

 private:
  // Files and their declarations ---------------------------------------------------------
  void add_file(StapFile* f);
  const std::vector<FunctionDecl*>* find_functions(const std::string& name);
  VarDecl* find_global(const std::string& name, const SourceFile* from);
  void load_aliases_for(const std::string& functor);
  // True when a built-in family or an alias covers all of pp's components.
  bool whole_point_known(const ProbePoint& pp);

  // Probes -------------------------------------------------------------------------------
  void derive_user_probe(Probe* p);
  int derive_point(const ProbePoint& pp, Probe* user, Block* body, const std::string& chain,
                   int depth, bool report);

  // Symbols ------------------------------------------------------------------------------
  friend class Resolver;
  void resolve_body(Stmt* body, std::vector<VarDecl*>* locals, FunctionDecl* fn,
                    const SourceFile* file);
  void need_function(FunctionDecl* f);

  void add_global_display();

  Session& s_;
  TapsetIndex index_;
  ProbeRegistry registry_;
  std::vector<StapFile*> files_;
  std::set<StapFile*> file_set_;
  std::map<std::string, std::vector<FunctionDecl*>> functions_;
  std::set<std::string> function_lookups_done_;
  std::map<std::string, VarDecl*> globals_;           // public globals
  std::vector<VarDecl*> global_order_;
  std::set<std::string> global_lookups_done_;
  std::vector<ProbeAlias*> aliases_;
  std::vector<ProbeAlias*> alias_stack_;  // aliases being expanded, innermost last
  std::string listed_alias_;  // -l/-L: the first-level alias being expanded (see listed_as)
  bool no_match_reported_ = false;
  bool has_conditions_ = false;
  std::set<std::string> alias_lookups_done_;
  std::vector<Probe*> pending_probes_;
  std::vector<FunctionDecl*> pending_functions_;
  std::set<FunctionDecl*> used_functions_;
  Program* prog_ = nullptr;
};

void Elaborator::add_file(StapFile* f) {
  if (!f || !file_set_.insert(f).second) return;
  files_.push_back(f);
  for (VarDecl* g : f->globals) {
    if (g->is_private) continue;
    auto it = globals_.find(g->name);
    if (it != globals_.end()) {
      if (it->second->tok->loc.file == g->tok->loc.file)
        s_.diag.semantic_error("duplicate global variable '" + g->name + "'", g->tok);
      continue;  // earlier (user) declaration wins
    }
    globals_[g->name] = g;
  }
  for (FunctionDecl* fn : f->functions) functions_[fn->name].push_back(fn);
  for (ProbeAlias* a : f->aliases) aliases_.push_back(a);
  for (Probe* p : f->probes) pending_probes_.push_back(p);
  for (EmbeddedStmt* e : f->embeds) prog_->embeds.push_back(e);
}

const std::vector<FunctionDecl*>* Elaborator::find_functions(const std::string& name) {
  if (function_lookups_done_.insert(name).second) {
    for (const std::string& path : index_.files_for_function(name)) add_file(index_.load(path));
  }
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : &it->second;
}

VarDecl* Elaborator::find_global(const std::string& name, const SourceFile* from) {
  // A private global is visible only in its own file.
  for (StapFile* f : files_) {
    if (f->source != from) continue;
    for (VarDecl* g : f->globals)
      if (g->is_private && g->name == name) return g;
  }
  auto it = globals_.find(name);
  if (it != globals_.end()) return it->second;
  if (global_lookups_done_.insert(name).second) {
    for (const std::string& path : index_.files_for_global(name)) add_file(index_.load(path));
    it = globals_.find(name);
    if (it != globals_.end()) return it->second;
  }
  return nullptr;
}

void Elaborator::load_aliases_for(const std::string& functor) {
  if (!alias_lookups_done_.insert(functor).second) return;
  for (const std::string& path : index_.files_for_alias(functor)) add_file(index_.load(path));
}

// Expands one probe point: through aliases (recursively) or into built-in families.
// Returns how many derived probes it produced.
// Does the alias name match the first components of pp (wildcards in pp allowed)?
bool alias_name_matches(const ProbePoint& pp, const ProbePoint& name) {
  if (name.components.size() > pp.components.size()) return false;
  for (size_t i = 0; i < name.components.size(); ++i) {
    const auto& want = pp.components[i];
    const auto& have = name.components[i];
    if (fnmatch(want.functor.c_str(), have.functor.c_str(), 0) != 0) return false;
    if ((want.arg == nullptr) != (have.arg == nullptr)) return false;
    if (want.arg && !literal_equal(want.arg, have.arg)) return false;
  }
  return true;
}

// -l/-L list a point that came through an alias by the alias's first name plus the
// suffix the user gave, as upstream does; a suffix with wildcards lists what it expanded
// to instead (empty result).
std::string alias_listing_name(const ProbeAlias& a, const ProbePoint& pp, size_t k) {
  ProbePoint shown;
  shown.components = a.alias_names[0]->components;
  for (size_t i = k; i < pp.components.size(); ++i) {
    if (pp.components[i].functor.find_first_of("*?[") != std::string::npos) return {};
    shown.components.push_back(pp.components[i]);
  }
  return probe_point_str(shown);
}

bool Elaborator::whole_point_known(const ProbePoint& pp) {
  ProbeRegistry::Result r = registry_.match(pp);
  if (!r.matches.empty() || !r.validation_error.empty()) return true;
  for (ProbeAlias* a : aliases_) {
    for (ProbePoint* name : a->alias_names) {
      if (name->components.size() == pp.components.size() && alias_name_matches(pp, *name))
        return true;
    }
  }
  return false;
}

int Elaborator::derive_point(const ProbePoint& pp, Probe* user, Block* body,
                             const std::string& chain, int depth, bool report) {
  if (pp.components.empty()) return 0;
  if (depth > kMaxAliasDepth) {
    s_.diag.semantic_error("recursive loop in alias expansion", pp.tok);
    return 0;
  }
  // '!' makes a point optional as well as sufficient.
  const bool loud = report && !pp.optional && !pp.sufficient;
  load_aliases_for(pp.components[0].functor);
  int made = 0;
  bool alias_matched = false;
  bool inner_no_match = false;  // a nested expansion already said "no match"
  bool suffix_reported = false;
  const Token* bad_suffix = nullptr;  // first suffix an alias could not take
  // Aliases whose name matches a prefix of the point; the rest is a suffix passed on.
  // Every point an alias derives (a kernel.function(...) per system call, say) is
  // checked against every alias name: a literal first component rules most out without
  // fnmatch.
  const std::string& first = pp.components[0].functor;
  const bool first_literal = first.find_first_of("*?[\\") == std::string::npos;
  for (ProbeAlias* a : std::vector<ProbeAlias*>(aliases_)) {
    for (ProbePoint* name : a->alias_names) {
      size_t k = name->components.size();
      if (first_literal && !name->components.empty() && name->components[0].functor != first)
        continue;
      if (!alias_name_matches(pp, *name)) continue;
      // A built-in or a longer alias naming the whole point wins over a suffixed alias.
      if (k < pp.components.size() && whole_point_known(pp)) continue;
      alias_matched = true;
      if (std::find(alias_stack_.begin(), alias_stack_.end(), a) != alias_stack_.end()) {
        if (loud) {
          const Token* t = pp.components[0].tok;
          std::string where;
          if (t && t->loc.file)
            where = " at " + t->loc.file->name + ":" + std::to_string(t->loc.line) + ":" +
                    std::to_string(t->loc.col);
          s_.diag.semantic_error_chain("while resolving probe point", t,
                                       "recursive loop in alias expansion of " +
                                           probe_point_str(pp) + where,
                                       nullptr);
        }
        continue;
      }
      // A suffix the alias's locations cannot take is reported once, on the suffix.
      const bool has_suffix = k < pp.components.size();
      int made_here = 0;
      std::string new_chain = alias_str(*a) + " <- " + chain;
      if (depth == 0) listed_alias_ = alias_listing_name(*a, pp, k);
      alias_stack_.push_back(a);
      for (ProbePoint* loc : a->locations) {
        ProbePoint expanded = *loc;
        expanded.components.insert(expanded.components.end(), pp.components.begin() + k,
                                   pp.components.end());
        expanded.optional = loc->optional || pp.optional;
        expanded.sufficient = loc->sufficient;
        if (pp.condition && !expanded.condition) expanded.condition = pp.condition;
        auto* combined = s_.arena.make<Block>(a->body->tok);
        Block* alias_body = clone_block(s_.arena, a->body);
        Block* user_body = clone_block(s_.arena, body);
        if (a->epilogue_style) {
          combined->stmts.push_back(user_body);
          combined->stmts.push_back(alias_body);
        } else {
          combined->stmts.push_back(alias_body);
          combined->stmts.push_back(user_body);
          if (a->epilogue_body) combined->stmts.push_back(clone_block(s_.arena, a->epilogue_body));
        }
        no_match_reported_ = false;
        int n = derive_point(expanded, user, combined, new_chain, depth + 1,
                             report && !has_suffix);
        if (no_match_reported_) inner_no_match = true;
        made_here += n;
        if (n > 0 && loc->sufficient) break;
      }
      alias_stack_.pop_back();
      if (depth == 0) listed_alias_.clear();
      made += made_here;
      if (made_here == 0 && has_suffix && !bad_suffix) bad_suffix = pp.components[k].tok;
    }
  }
  no_match_reported_ = false;
  if (made > 0) return made;
  // Reported only when no other alias (e.g. a longer name) took the whole point.
  if (bad_suffix && loud) {
    s_.diag.semantic_error_chain("while resolving probe point", pp.components[0].tok,
                                 "invalid suffix for probe", bad_suffix);
    suffix_reported = true;
  }
  if (alias_matched) {
    if (loud && !suffix_reported && !inner_no_match) {
      s_.diag.semantic_error_chain("while resolving probe point", pp.components[0].tok,
                                   "no match", nullptr);
    }
    no_match_reported_ = loud || inner_no_match;
    return 0;
  }

  ProbeRegistry::Result r = registry_.match(pp);
  // Only a mismatch needs the alias names, as more "similar:" candidates.
  if (r.matches.empty() && r.validation_error.empty() && loud)
    r = registry_.match(pp, 0, index_.alias_names());
  if (!r.matches.empty() && s_.opts.privilege != "stapdev") {
    // Only families marked safe may be used without full privilege.
    for (const FamilyMatch& m : r.matches) {
      if (m.pattern && !m.pattern->unprivileged_ok) {
        if (loud)
          s_.diag.semantic_error_chain(
              "while resolving probe point", pp.components[0].tok,
              "probe point is not allowed for --privilege=" + s_.opts.privilege,
              pp.components.back().tok);
        return 0;
      }
    }
  }
  if (!r.matches.empty()) {
    // Families over kernel symbols expand a wildcard into one probe per match.
    std::vector<FamilyMatch> expanded;
    std::string expand_error;
    for (const FamilyMatch& m : r.matches) {
      if (!m.pattern || !m.pattern->expand) {
        expanded.push_back(m);
        continue;
      }
      if (m.pattern->guru_only && !s_.opts.guru) {
        if (loud)
          s_.diag.semantic_error_chain("while resolving probe point", pp.components[0].tok,
                                       "absolute statement probe in unprivileged script; need stap -g",
                                       nullptr);
        return 0;
      }
      std::string err;
      std::vector<FamilyMatch> more = m.pattern->expand(m, &err);
      if (more.empty() && expand_error.empty()) expand_error = err;
      for (FamilyMatch& x : more) expanded.push_back(std::move(x));
    }
    if (expanded.empty()) {
      if (loud)
        s_.diag.semantic_error_chain("while resolving probe point", pp.components[0].tok,
                                     expand_error.empty() ? "no match" : expand_error, nullptr);
      no_match_reported_ = loud;
      return 0;
    }
    r.matches = std::move(expanded);
    for (const FamilyMatch& m : r.matches) {
      auto* d = s_.arena.make<DerivedProbe>();
      d->tok = user->tok;
      ProbePoint concrete;
      concrete.components = m.components;
      const ProbeFamilyPattern* fam = m.pattern;
      d->name = !m.name.empty()        ? m.name
                : fam && fam->namer ? fam->namer(m)
                                    : probe_point_str(concrete);
      if (pp.sufficient) d->name += "!";
      else if (pp.optional) d->name += "?";
      d->chain = chain;
      d->match = m;
      // Each derived probe owns its copy: locals and types are per probe.
      d->body = clone_block(s_.arena, body);
      d->condition = pp.condition ? clone_expr(s_.arena, pp.condition) : nullptr;
      if (d->condition) {
        // The condition is also checked on each hit: `if (!(COND)) next`.
        auto* guard = s_.arena.make<IfStmt>(d->condition->tok);
        guard->cond = s_.arena.make<Unary>(d->condition->tok, "!",
                                           clone_expr(s_.arena, pp.condition));
        guard->then_stmt = s_.arena.make<NextStmt>(d->condition->tok);
        Block* target = d->body;
        if (!target->stmts.empty() && target->stmts[0]->kind == StmtKind::Block)
          target = static_cast<Block*>(target->stmts[0]);
        target->stmts.insert(target->stmts.begin(), guard);
        has_conditions_ = true;
      }
      d->synthetic = user->synthetic;
      d->user = user;
      // -l lists a built-in point as matched (wildcards resolved), not as -p2 spells it.
      d->listed_as = listed_alias_;
      if (d->listed_as.empty()) {
        d->listed_as = !m.listed_name.empty() ? m.listed_name
                       : !m.name.empty()        ? m.name
                                                : probe_point_str(concrete);
        d->listed_as += pp.sufficient ? "!" : pp.optional ? "?" : "";
        if (pp.condition) d->listed_as += " if (" + expr_str(pp.condition) + ")";
      }
      resolve_target_vars(s_, *d, [this] { return registry_.kernel_info(); });
      resolve_body(d->body, &d->locals, nullptr, user->file);
      if (d->condition)
        resolve_body(s_.arena.make<ExprStmt>(d->condition->tok, d->condition), &d->locals, nullptr,
                     user->file);
      prog_->probes.push_back(d);
      ++made;
    }
    return made;
  }
  if (!loud) return 0;
  if (!r.validation_error.empty())
    s_.diag.semantic_error_chain("while resolving probe point", pp.components[0].tok,
                                 r.validation_error, nullptr);
  else
    s_.diag.semantic_error_chain("while resolving probe point", pp.components[0].tok, r.error,
                                 r.error_tok);
  return 0;
}

void Elaborator::derive_user_probe(Probe* p) {
  std::string chain = location_list(p->locations, ",");
  for (ProbePoint* loc : p->locations) {
    int n = derive_point(*loc, p, p->body, chain, 0, true);
    if (n > 0 && loc->sufficient) break;
  }
}

// ---------------------------------------------------------------------------------------
// Symbol resolution

class Resolver : public TraversingVisitor {
 public:
  using TraversingVisitor::visit;
  Resolver(Elaborator& e, std::vector<VarDecl*>* locals, FunctionDecl* fn, const SourceFile* file)
      : e_(e), locals_(locals), fn_(fn), file_(file) {}

  VarDecl* local(const std::string& name) {
    for (VarDecl* v : *locals_)
      if (v->name == name) return v;
    return nullptr;
  }
  VarDecl* add_local(const Token* tok, const std::string& name) {
    auto* v = e_.s_.arena.make<VarDecl>();
    v->tok = tok;
    v->name = name;
    v->arity = 0;
    locals_->push_back(v);
    return v;
  }

  void visit(Symbol& s) override {
    if (s.decl) return;
    if (VarDecl* v = local(s.name)) {
      s.decl = v;
      return;
    }
    if (VarDecl* g = e_.find_global(s.name, file_)) {
      s.decl = g;
      return;
    }
    s.decl = add_local(s.tok, s.name);
  }

  void array_base(Symbol* base, size_t arity) {
    if (base->decl) return;
    if (VarDecl* g = e_.find_global(base->name, file_)) {
      base->decl = g;
      return;
    }
    // A local (not a formal) used as an array: the arity check reports it.
    if (VarDecl* v = local(base->name)) {
      if (!fn_ || std::find(fn_->formals.begin(), fn_->formals.end(), v) == fn_->formals.end()) {
        base->decl = v;
        return;
      }
    }
    e_.s_.diag.semantic_error("unresolved arity-" + std::to_string(arity) + " global array " +
                                  base->name + ", missing global declaration?",
                              base->tok);
  }

  void visit(ArrayIndex& a) override {
    for (Expr* i : a.indexes) visit_expr(*this, i);
    if (a.base) array_base(a.base, a.indexes.size());
    if (a.hist) a.hist->accept(*this);
  }

  void visit(FunctionCall& c) override {
    for (Expr* a : c.args) visit_expr(*this, a);
    if (!c.name.empty() && c.name[0] == '@') {
      // @enum / @enumname need the kernel's type information (DWARF or BTF).
      e_.s_.diag.semantic_error("operator " + c.name + " is not supported yet", c.tok);
      return;
    }
    const std::vector<FunctionDecl*>* fs = e_.find_functions(c.name);
    std::vector<FunctionDecl*> cands;
    if (fs) {
      for (FunctionDecl* f : *fs) {
        if (f->is_private && f->file != file_) continue;
        if (f->formals.size() == c.args.size()) cands.push_back(f);
      }
    }
    if (cands.empty()) {
      if (fs) {
        for (FunctionDecl* f : *fs) {
          if (f->is_private && f->file != file_) continue;
          e_.s_.diag.semantic_error("arity mismatch found (function '" + c.name + "' takes " +
                                        std::to_string(f->formals.size()) + " args)",
                                    c.tok, f->tok);
          return;
        }
      }
      // Upstream suggests from the library's functions only.
      std::string sim = similar_names(c.name, e_.index_.function_names());
      e_.s_.diag.semantic_error("unresolved function " + c.name +
                                    (sim.empty() ? "" : " (similar: " + sim + ")"),
                                c.tok);
      return;
    }
    // Overloads of one arity run in priority order (lower first); a script's own
    // definitions come before the library's at equal priority.
    std::stable_sort(cands.begin(), cands.end(), [](FunctionDecl* a, FunctionDecl* b) {
      return a->priority < b->priority;
    });
    for (size_t i = 1; i < cands.size(); ++i) {
      if (cands[i]->priority == cands[i - 1]->priority && cands[i]->file == cands[i - 1]->file &&
          cands[i]->file && !cands[i]->file->is_tapset) {
        e_.s_.diag.semantic_error("function '" + c.name + "' has the same priority (" +
                                      std::to_string(cands[i]->priority) +
                                      ") as another overload",
                                  cands[i]->tok);
      }
    }
    c.candidates = cands;
    for (FunctionDecl* f : cands) e_.need_function(f);
  }

  void visit(ForeachLoop& f) override {
    for (Expr* x : f.slice) visit_expr(*this, x);
    visit_expr(*this, f.limit);
    if (f.base) array_base(f.base, f.indexes.size());
    if (f.hist) f.hist->accept(*this);
    for (Symbol* i : f.indexes) visit(*i);
    if (f.value) visit(*f.value);
    visit_stmt(*this, f.body);
  }

  void visit(TryBlock& t) override {
    visit_stmt(*this, t.try_block);
    if (t.catch_var) visit(*t.catch_var);
    visit_stmt(*this, t.catch_block);
  }

  void visit(ReturnStmt& r) override {
    visit_expr(*this, r.value);
  }

  // Target symbols stay unresolved without debuginfo; type checking reports them.

 private:
  Elaborator& e_;
  std::vector<VarDecl*>* locals_;
  FunctionDecl* fn_;
  const SourceFile* file_;
};

void Elaborator::resolve_body(Stmt* body, std::vector<VarDecl*>* locals, FunctionDecl* fn,
                              const SourceFile* file) {
  if (!body) return;
  Resolver r(*this, locals, fn, file);
  body->accept(r);
}

void Elaborator::need_function(FunctionDecl* f) {
  if (!used_functions_.insert(f).second) return;
  // Unprivileged scripts may call embedded-C functions only if they say they are safe.
  if (s_.opts.privilege != "stapdev" && f->body && f->body->kind == StmtKind::Embedded) {
    const std::string& code = static_cast<EmbeddedStmt*>(f->body)->code;
    if (code.find("/* unprivileged */") == std::string::npos &&
        code.find("/* myproc-unprivileged */") == std::string::npos)
      s_.diag.semantic_error(
          "function may not be used when --privilege=" + s_.opts.privilege + " is specified",
          f->tok);
  }
  pending_functions_.push_back(f);
}

// Globals written but never read are printed when the script ends, as upstream does.
void Elaborator::add_global_display() {
  if (s_.opts.no_global_var_display) return;
  struct Usage : TraversingVisitor {
    using TraversingVisitor::visit;
    std::set<VarDecl*> read, written;
    // An update whose value is thrown away (`n++;`, `n += 2;`, or `x = n++` once the
    // optimizer dropped the dead x) only writes n, so n is displayed; `if (++n == 10)`
    // reads it.  Upstream draws the same line.
    void visit(ExprStmt& st) override {
      if (auto* c = dynamic_cast<Crement*>(st.value)) {
        note_write(c->operand);
        return;
      }
      if (auto* a = dynamic_cast<Assign*>(st.value)) {
        note_write(a->left);
        visit_expr(*this, a->right);
        return;
      }
      visit_expr(*this, st.value);
    }
    void note_write(Expr* target) {
      if (auto* sym = dynamic_cast<Symbol*>(target)) {
        if (sym->decl) written.insert(sym->decl);
      } else if (auto* ai = dynamic_cast<ArrayIndex*>(target)) {
        if (ai->base && ai->base->decl) written.insert(ai->base->decl);
        for (Expr* i : ai->indexes) visit_expr(*this, i);
      } else {
        visit_expr(*this, target);
      }
    }
    void visit(Assign& a) override {
      note_write(a.left);
      if (a.op != "=" && a.op != "<<<") visit_expr(*this, a.left);  // its value is used
      visit_expr(*this, a.right);
    }
    void visit(Symbol& s) override {
      if (s.decl) read.insert(s.decl);
    }
    void visit(Crement& c) override {
      note_write(c.operand);
      visit_expr(*this, c.operand);  // its value is used
    }
  } u;
  for (DerivedProbe* d : prog_->probes) {
    visit_stmt(u, d->body);
    visit_expr(u, d->condition);
  }
  for (FunctionDecl* f : used_functions_) visit_stmt(u, f->body);
  std::vector<VarDecl*> show;
  for (VarDecl* g : global_order_)
    if (u.written.count(g) && !u.read.count(g) && !g->synthetic) show.push_back(g);
  if (show.empty()) return;
  const Token* tok = s_.arena.make_token(Token{TokKind::Keyword, "probe", {}, nullptr, {}});
  // One end probe per global, as upstream lists them.
  for (VarDecl* g : show) {
    auto* body = s_.arena.make<Block>(tok);
    // Upstream's shapes: scalars print NAME=VALUE, arrays one line per element in
    // descending value order, statistics their five aggregates (or @count=0x0 when empty).
    auto sym_of = [&](const std::string& n) {
      auto* x = s_.arena.make<Symbol>(g->tok, n);
      return x;
    };
    auto printf_of = [&](const std::string& fmt, std::vector<Expr*> args) {
      auto* pf = s_.arena.make<PrintFormat>(g->tok, "printf");
      pf->formatted = true;
      pf->raw_format = fmt;
      pf->args = std::move(args);
      return s_.arena.make<ExprStmt>(g->tok, pf);
    };
    const char* aggs[] = {"@count", "@min", "@max", "@sum", "@avg"};
    const std::string agg_fmt = " @count=%#d @min=%#d @max=%#d @sum=%#d @avg=%#d\\n";
    if (g->arity > 0) {
      auto* loop = s_.arena.make<ForeachLoop>(tok);
      loop->base = sym_of(g->name);
      loop->sort_direction = -1;
      loop->sort_column = 0;
      std::string fmt = g->name + "[";
      std::vector<Expr*> keys;
      for (int i = 0; i < g->arity; ++i) {
        std::string kn = "__idx" + std::to_string(i);
        loop->indexes.push_back(sym_of(kn));
        fmt += i ? "," : "";
        Type it = i < static_cast<int>(g->index_types.size()) ? g->index_types[i] : Type::Long;
        fmt += it == Type::String ? "\\\"%#s\\\"" : "%#d";
        keys.push_back(sym_of(kn));
      }
      fmt += "]";
      std::vector<Expr*> args = keys;
      if (g->type == Type::Stats) {
        for (const char* op : aggs) {
          auto* elem = s_.arena.make<ArrayIndex>(g->tok);
          elem->base = sym_of(g->name);
          for (int i = 0; i < g->arity; ++i) elem->indexes.push_back(sym_of("__idx" + std::to_string(i)));
          args.push_back(s_.arena.make<StatOp>(g->tok, op, elem));
        }
        loop->body = printf_of(fmt + agg_fmt, args);
      } else {
        loop->value = sym_of("__val");
        args.push_back(sym_of("__val"));
        fmt += g->type == Type::String ? "=\\\"%#s\\\"\\n" : "=%d\\n";
        loop->body = printf_of(fmt, args);
      }
      body->stmts.push_back(loop);
    } else if (g->type == Type::Stats) {
      auto* iff = s_.arena.make<IfStmt>(tok);
      auto* cnt = s_.arena.make<StatOp>(g->tok, "@count", sym_of(g->name));
      iff->cond = s_.arena.make<Comparison>(g->tok, "==", cnt, s_.arena.make<Literal>(g->tok, int64_t{0}));
      iff->then_stmt = printf_of(g->name + " @count=0x0\\n", {});
      std::vector<Expr*> args;
      for (const char* op : aggs) args.push_back(s_.arena.make<StatOp>(g->tok, op, sym_of(g->name)));
      iff->else_stmt = printf_of(g->name + agg_fmt, args);
      body->stmts.push_back(iff);
    } else {
      std::string fmt = g->name + (g->type == Type::String ? "=\\\"%#s\\\"\\n" : "=%d\\n");
      body->stmts.push_back(printf_of(fmt, {sym_of(g->name)}));
    }
    auto* d = s_.arena.make<DerivedProbe>();
    d->tok = tok;
    d->name = "end";
    d->chain = "end";
    d->body = body;
    d->synthetic = true;
    FamilyMatch m;
    m.family = "end";
    d->match = m;
    resolve_body(body, &d->locals, nullptr, nullptr);
    // Types are already known: this runs after inference.
    for (VarDecl* v : d->locals) {
      if (v->name == "__val") {
        v->type = g->type;
      } else if (v->name.rfind("__idx", 0) == 0) {
        size_t i = std::stoul(v->name.substr(5));
        v->type = i < g->index_types.size() ? g->index_types[i] : Type::Long;
      }
    }
    struct Formats : TraversingVisitor {
      using TraversingVisitor::visit;
      void visit(PrintFormat& pf) override {
        TraversingVisitor::visit(pf);
        if (pf.components.empty()) parse_format(pf.raw_format, &pf.components, nullptr);
      }
    } formats;
    visit_stmt(formats, body);
    prog_->probes.push_back(d);
  }
}

bool Elaborator::run() {
  auto* prog = new Program();
  s_.program.reset(prog);
  prog_ = prog;
  int errors_before = s_.diag.errors();
  add_file(s_.user_file);
  for (StapFile* f : s_.extra_files) add_file(f);
  // Probes from pulled-in tapset files join the worklist as files load; function
  // bodies may pull in more files, so drain both lists together.
  size_t pi = 0, fi = 0;
  while (pi < pending_probes_.size() || fi < pending_functions_.size()) {
    if (pi < pending_probes_.size()) {
      derive_user_probe(pending_probes_[pi++]);
      continue;
    }
    FunctionDecl* f = pending_functions_[fi++];
    for (VarDecl* formal : f->formals)
      if (std::find(f->locals.begin(), f->locals.end(), formal) == f->locals.end())
        f->locals.push_back(formal);
    if (f->body && f->body->kind == StmtKind::Block) {
      resolve_function_target_vars(s_, *f, [this] { return registry_.kernel_info(); });
      resolve_body(f->body, &f->locals, f, f->file);
    }
  }

  // A listing shows every local an alias sets, also the ones optimization would drop.
  const bool listing = s_.opts.listing != Options::Listing::None;
  if (s_.diag.errors() == errors_before && !listing)
    optimize_program(s_, *prog_, used_functions_);

  // Upstream adds an empty begin probe when any probe has a condition.
  if (has_conditions_) {
    const Token* tok = s_.arena.make_token(Token{TokKind::Keyword, "probe", {}, nullptr, {}});
    auto* d = s_.arena.make<DerivedProbe>();
    d->tok = tok;
    d->name = "begin";
    d->chain = "begin";
    auto* body = s_.arena.make<Block>(tok);
    body->stmts.push_back(s_.arena.make<NullStmt>(tok));
    d->body = body;
    d->synthetic = true;
    d->match.family = "begin";
    prog_->probes.push_back(d);
  }

  // Globals: every referenced one, in declaration order (script first).
  std::set<VarDecl*> used_globals;
  struct GlobalUse : TraversingVisitor {
    using TraversingVisitor::visit;
    std::set<VarDecl*>* out;
    void visit(Symbol& s) override {
      if (s.decl && s.decl->is_global) out->insert(s.decl);
    }
  } gu;
  gu.out = &used_globals;
  for (DerivedProbe* d : prog_->probes) {
    visit_stmt(gu, d->body);
    visit_expr(gu, d->condition);
  }
  for (FunctionDecl* f : used_functions_) visit_stmt(gu, f->body);
  for (StapFile* f : files_)
    for (VarDecl* g : f->globals)
      if (used_globals.count(g)) global_order_.push_back(g);
  prog_->globals = global_order_;

  for (FunctionDecl* f : used_functions_) prog_->functions.push_back(f);
  std::sort(prog_->functions.begin(), prog_->functions.end(), function_listing_less);

  if (s_.diag.errors() == errors_before) infer_types(s_, *prog_);
  if (s_.diag.errors() == errors_before) check_program(s_, *prog_);
  if (s_.diag.errors() == errors_before && !listing) {
    size_t n = prog_->probes.size();
    add_global_display();
    // Type the display code like the rest (its globals' types are known by now).
    if (prog_->probes.size() != n) infer_types(s_, *prog_);
  }
  if (s_.diag.errors() == errors_before && prog_->probes.empty())
    s_.diag.semantic_error("no probes found", nullptr);
  prog_->kernel_info = registry_.release_kernel_info();
  return s_.diag.errors() == errors_before;
}

}  // namespace

bool function_listing_less(const FunctionDecl* a, const FunctionDecl* b) {
  if (a->name != b->name) return a->name < b->name;
  auto where = [](const FunctionDecl* f) {
    return std::make_tuple(f->tok && f->tok->loc.file ? f->tok->loc.file->name : std::string(),
                           f->tok ? f->tok->loc.line : 0, f->tok ? f->tok->loc.col : 0);
  };
  return where(a) < where(b);
}

bool elaborate(Session& s) {
  Elaborator e(s);
  return e.run();
}

}  // namespace stap
