#include "stap/parse/ast_printer.h"

#include <ostream>
#include <sstream>

namespace stap {

namespace {

class Printer : public Visitor {
 public:
  Printer(std::string& out, const PrintOptions& o) : out_(out), o_(o) {}

  void expr(Expr* e) {
    if (e) e->accept(*this);
  }
  void paren(Expr* e) {
    out_ += "(";
    expr(e);
    out_ += ")";
  }
  void stmt(Stmt* s) {
    if (s) s->accept(*this);
  }
  void binary(const std::string& op, Expr* l, Expr* r) {
    paren(l);
    out_ += " " + op + " ";
    paren(r);
  }
  void components(const std::vector<Component>& cs) {
    for (const auto& c : cs) {
      switch (c.kind) {
        case Component::Member: out_ += "->" + c.member; break;
        case Component::PrettyPrint: out_ += "->" + c.member; break;
        case Component::Index:
          out_ += "[";
          expr(c.index);
          out_ += "]";
          break;
      }
    }
  }
  void list(const std::vector<Expr*>& xs) {
    for (size_t i = 0; i < xs.size(); ++i) {
      if (i) out_ += ", ";
      if (xs[i]) expr(xs[i]);
      else out_ += "*";
    }
  }
  std::string var_name(Symbol& s) {
    if ((o_.mangle_globals && s.decl && s.decl->is_global) || o_.mangle_all_symbols)
      return "__global_" + s.name;
    return s.name;
  }

  void visit(Literal& e) override { out_ += literal_str(e); }
  void visit(Binary& e) override { binary(e.op, e.left, e.right); }
  void visit(Logical& e) override { binary(e.op, e.left, e.right); }
  void visit(Comparison& e) override { binary(e.op, e.left, e.right); }
  void visit(Concat& e) override { binary(e.op, e.left, e.right); }
  void visit(Assign& e) override { binary(e.op, e.left, e.right); }
  void visit(Regex& e) override {
    paren(e.left);
    out_ += " " + e.op + " ";
    expr(e.re);
  }
  void visit(Unary& e) override {
    out_ += e.op;
    paren(e.operand);
  }
  void visit(Crement& e) override {
    if (e.kind == ExprKind::PreCrement) {
      out_ += e.op;
      paren(e.operand);
    } else {
      paren(e.operand);
      out_ += e.op;
    }
  }
  void visit(Ternary& e) override {
    paren(e.cond);
    out_ += "?";
    paren(e.yes);
    out_ += ":";
    paren(e.no);
  }
  void visit(Symbol& e) override { out_ += var_name(e); }
  void visit(TargetSymbol& e) override {
    if (e.addressof) out_ += "&";
    out_ += e.name;
    components(e.components);
  }
  void visit(Cast& e) override {
    if (e.addressof) out_ += "&";
    out_ += "@cast(";
    expr(e.operand);
    out_ += ", \"" + e.type_name + "\"";
    if (!e.module.empty()) out_ += ", \"" + e.module + "\"";
    out_ += ")";
    components(e.components);
  }
  void visit(AtVar& e) override {
    if (e.addressof) out_ += "&";
    out_ += "@var(\"" + e.target_name;
    if (!e.cu.empty()) out_ += "@" + e.cu;
    out_ += "\"";
    if (!e.module.empty()) out_ += ", \"" + e.module + "\"";
    out_ += ")";
    components(e.components);
  }
  void visit(Autocast& e) override {
    paren(e.operand);
    components(e.components);
  }
  void visit(Entry& e) override {
    out_ += "@entry(";
    expr(e.operand);
    out_ += ")";
  }
  void visit(Defined& e) override {
    out_ += "@defined(";
    expr(e.operand);
    out_ += ")";
  }
  void visit(Probewrite& e) override {
    out_ += "@probewrite(";
    expr(e.var);
    out_ += ")";
  }
  void visit(Perf& e) override {
    out_ += "@perf(";
    expr(e.counter);
    out_ += ")";
  }
  void visit(Register& e) override {
    out_ += e.userspace ? "@uregister(" : "@kregister(";
    out_ += std::to_string(e.regno) + ")";
  }
  void visit(Deref& e) override {
    out_ += e.userspace ? "@uderef(" : "@kderef(";
    out_ += std::to_string(e.size) + ", ";
    expr(e.addr);
    out_ += ")";
  }
  void visit(ArrayIndex& e) override {
    if (e.base) expr(e.base);
    else expr(e.hist);
    out_ += "[";
    list(e.indexes);
    out_ += "]";
  }
  void visit(ArrayIn& e) override {
    out_ += "[";
    list(e.operand->indexes);
    out_ += "] in ";
    if (e.operand->base) expr(e.operand->base);
    else expr(e.operand->hist);
  }
  void visit(FunctionCall& e) override {
    out_ += e.name;
    if (o_.mangle_globals && !e.candidates.empty()) out_.insert(out_.size() - e.name.size(), "");
    out_ += "(";
    list(e.args);
    out_ += ")";
  }
  void visit(PrintFormat& e) override {
    out_ += e.name + "(";
    bool first = true;
    if (e.formatted || e.delimited) {
      out_ += "\"" + e.raw_format + "\"";
      first = false;
    }
    if (e.hist) {
      expr(e.hist);
      first = false;
    }
    for (Expr* a : e.args) {
      if (!first) out_ += ", ";
      first = false;
      expr(a);
    }
    out_ += ")";
  }
  void visit(StatOp& e) override {
    out_ += e.op + "(";
    expr(e.stat);
    if (e.bit_shift >= 0) out_ += ", " + std::to_string(e.bit_shift);
    out_ += ")";
  }
  void visit(HistOp& e) override {
    out_ += e.linear ? "@hist_linear(" : "@hist_log(";
    expr(e.stat);
    for (int64_t p : e.params) out_ += ", " + std::to_string(p);
    out_ += ")";
  }
  void visit(EmbeddedExpr& e) override { out_ += "%{ " + e.code + " %}"; }

  void visit(Block& s) override {
    out_ += "{\n";
    for (Stmt* c : s.stmts) {
      stmt(c);
      out_ += ";\n";
    }
    out_ += "}";
  }
  void visit(TryBlock& s) override {
    out_ += "try {\n";
    stmt(s.try_block);
    out_ += "\n} catch";
    if (s.catch_var) {
      out_ += " (";
      expr(s.catch_var);
      out_ += ")";
    }
    out_ += " {\n";
    stmt(s.catch_block);
    out_ += "\n}\n";
  }
  void visit(EmbeddedStmt& s) override { out_ += "%{" + s.code + "%}"; }
  void visit(NullStmt&) override { out_ += ";"; }
  void visit(ExprStmt& s) override { expr(s.value); }
  void visit(IfStmt& s) override {
    out_ += "if (";
    expr(s.cond);
    out_ += ") ";
    stmt(s.then_stmt);
    out_ += "\n";
    if (s.else_stmt) {
      out_ += "else ";
      stmt(s.else_stmt);
      out_ += "\n";
    }
  }
  void visit(ForLoop& s) override {
    out_ += "for (";
    stmt(s.init);
    out_ += "; ";
    expr(s.cond);
    out_ += "; ";
    stmt(s.incr);
    out_ += ") ";
    stmt(s.body);
  }
  void visit(ForeachLoop& s) override {
    out_ += "foreach (";
    auto sort_mark = [&](int col) {
      if (s.sort_direction != 0 && s.sort_column == col) out_ += s.sort_direction > 0 ? "+" : "-";
    };
    if (s.value) {
      expr(s.value);
      out_ += " = ";
    }
    out_ += "[";
    for (size_t i = 0; i < s.indexes.size(); ++i) {
      if (i) out_ += ", ";
      expr(s.indexes[i]);
      sort_mark(static_cast<int>(i + 1));
    }
    out_ += "] in ";
    if (s.base) expr(s.base);
    else expr(s.hist);
    if (!s.slice.empty()) {
      out_ += "[";
      list(s.slice);
      out_ += "]";
    }
    if (!s.sort_aggregate.empty()) out_ += " " + s.sort_aggregate;
    sort_mark(0);
    if (s.limit) {
      out_ += " limit ";
      expr(s.limit);
    }
    out_ += ") ";
    stmt(s.body);
  }
  void visit(ReturnStmt& s) override {
    out_ += "return";
    if (s.value) {
      out_ += " ";
      expr(s.value);
    }
  }
  void visit(DeleteStmt& s) override {
    out_ += "delete ";
    expr(s.value);
  }
  void visit(NextStmt&) override { out_ += "next"; }
  void visit(BreakStmt&) override { out_ += "break"; }
  void visit(ContinueStmt&) override { out_ += "continue"; }

 private:
  std::string& out_;
  const PrintOptions& o_;
};

}  // namespace

std::string literal_str(const Literal& l) {
  if (l.is_string) return "\"" + l.str + "\"";
  return std::to_string(l.num);
}

std::string expr_str(Expr* e, const PrintOptions& o) {
  std::string s;
  Printer p(s, o);
  p.expr(e);
  return s;
}

std::string stmt_str(Stmt* st, const PrintOptions& o) {
  std::string s;
  Printer p(s, o);
  p.stmt(st);
  return s;
}

std::string probe_point_str(const ProbePoint& pp, const PrintOptions& o) {
  std::string s;
  for (size_t i = 0; i < pp.components.size(); ++i) {
    if (i) s += ".";
    s += pp.components[i].functor;
    if (pp.components[i].arg) s += "(" + literal_str(*pp.components[i].arg) + ")";
  }
  if (pp.sufficient) s += "!";
  else if (pp.optional) s += "?";
  if (pp.condition) s += " if (" + expr_str(pp.condition, o) + ")";
  return s;
}

void print_file(std::ostream& out, const StapFile& f) {
  out << "# file " << f.source->name << "\n";
  for (EmbeddedStmt* e : f.embeds) out << stmt_str(e);
  for (VarDecl* g : f.globals) {
    out << "global " << g->name;
    if (g->wrap) out << "%";
    if (g->maxsize > 0) out << "[" << g->maxsize << "]";
    if (g->init) out << " = " << literal_str(*g->init);
    out << "\n";
  }
  for (ProbeAlias* a : f.aliases) {
    out << "probe ";
    for (size_t i = 0; i < a->alias_names.size(); ++i) {
      if (i) out << " = ";
      out << probe_point_str(*a->alias_names[i]);
    }
    out << (a->epilogue_style ? " += " : " = ");
    for (size_t i = 0; i < a->locations.size(); ++i) {
      if (i) out << ", ";
      out << probe_point_str(*a->locations[i]);
    }
    out << stmt_str(a->body);
    if (a->epilogue_body) out << ", " << stmt_str(a->epilogue_body);
    out << "\n";
  }
  for (Probe* p : f.probes) {
    out << "probe ";
    for (size_t i = 0; i < p->locations.size(); ++i) {
      if (i) out << ",";
      out << probe_point_str(*p->locations[i]);
    }
    out << stmt_str(p->body) << "\n";
  }
  for (FunctionDecl* fn : f.functions) {
    out << "function " << fn->name << " (";
    for (size_t i = 0; i < fn->formals.size(); ++i) {
      if (i) out << ", ";
      out << fn->formals[i]->name;
    }
    out << ")\n" << stmt_str(fn->body) << "\n";
  }
}

}  // namespace stap
