#include "stap/kmod/translate.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "stap/debuginfo/kernel_info.h"
#include "stap/driver/session.h"
#include "stap/kmod/output_bound.h"
#include "stap/kmod/regex_compile.h"
#include "stap/probes/kernel_probe.h"
#include "stap/sema/elaborate.h"

namespace stap {

namespace {

// ---------------------------------------------------------------------------------------
// C text helpers

// The bytes a script string literal stands for (its C escapes resolved).
std::string unescape(const std::string& s) {
  std::string r;
  for (size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    if (ch != '\\' || i + 1 >= s.size()) {
      r += ch;
      continue;
    }
    char e = s[++i];
    switch (e) {
      case 'n': r += '\n'; break;
      case 't': r += '\t'; break;
      case 'r': r += '\r'; break;
      case 'a': r += '\a'; break;
      case 'b': r += '\b'; break;
      case 'f': r += '\f'; break;
      case 'v': r += '\v'; break;
      case 'x': {
        int v = 0, n = 0;
        while (n < 2 && i + 1 < s.size() && isxdigit(static_cast<unsigned char>(s[i + 1]))) {
          char d = s[++i];
          v = v * 16 + (isdigit(static_cast<unsigned char>(d)) ? d - '0' : (tolower(d) - 'a' + 10));
          ++n;
        }
        r += static_cast<char>(v);
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          int v = e - '0', n = 1;
          while (n < 3 && i + 1 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '7') {
            v = v * 8 + (s[++i] - '0');
            ++n;
          }
          r += static_cast<char>(v);
        } else {
          r += e;  // \\ \" \' and unknown escapes stand for the character itself
        }
    }
  }
  return r;
}

// A C string literal holding exactly `bytes`.
std::string c_string(const std::string& bytes) {
  std::string r = "\"";
  for (unsigned char ch : bytes) {
    switch (ch) {
      case '"': r += "\\\""; break;
      case '\\': r += "\\\\"; break;
      case '\n': r += "\\n"; break;
      case '\t': r += "\\t"; break;
      case '?': r += "\\?"; break;  // no trigraphs
      default:
        if (ch < 32 || ch >= 127) {
          char buf[8];
          snprintf(buf, sizeof buf, "\\%03o", ch);
          r += buf;
        } else {
          r += static_cast<char>(ch);
        }
    }
  }
  return r + "\"";
}

std::string c_long(int64_t v) {
  if (v == INT64_MIN) return "((int64_t)(-9223372036854775807LL - 1))";
  return "((int64_t)" + std::to_string(v) + "LL)";
}

// A C identifier fragment from a script name (private names may carry other characters).
std::string ident(const std::string& n) {
  std::string r;
  for (char ch : n) r += (isalnum(static_cast<unsigned char>(ch)) || ch == '_') ? ch : '_';
  return r;
}

// Escape a byte string for use inside a printf-engine format as literal text.
std::string format_literal(const std::string& bytes) {
  std::string r;
  for (char ch : bytes) {
    if (ch == '%') r += '%';
    r += ch;
  }
  return r;
}

// ---------------------------------------------------------------------------------------
// Which globals a body touches, for the handler's locks.

struct GlobalUse {
  bool read = false;
  bool write = false;
  bool stat_add_only = true;  // stats touched only by <<< (per-CPU): a shared lock suffices
};
using UseMap = std::map<const VarDecl*, GlobalUse>;

class UseCollector : public TraversingVisitor {
 public:
  using TraversingVisitor::visit;
  UseMap uses;
  std::set<FunctionDecl*> calls;

  void note(VarDecl* d, bool write, bool stat_add) {
    if (!d || !d->is_global) return;
    GlobalUse& u = uses[d];
    if (write) u.write = true; else u.read = true;
    if (!stat_add) u.stat_add_only = false;
  }
  VarDecl* base_decl(Expr* e) {
    if (!e) return nullptr;
    if (e->kind == ExprKind::Symbol) return static_cast<Symbol*>(e)->decl;
    if (e->kind == ExprKind::ArrayIndex) {
      auto* a = static_cast<ArrayIndex*>(e);
      return a->base ? a->base->decl : nullptr;
    }
    return nullptr;
  }
  void visit(Symbol& e) override { note(e.decl, false, false); }
  void visit(ArrayIndex& e) override {
    if (e.base) note(e.base->decl, false, false);
    for (Expr* i : e.indexes) visit_expr(*this, i);
    if (e.hist) e.hist->accept(*this);
  }
  void visit(Assign& e) override {
    VarDecl* d = base_decl(e.left);
    bool stat_add = e.op == "<<<";
    note(d, true, stat_add);
    if (e.left->kind == ExprKind::ArrayIndex) {
      for (Expr* i : static_cast<ArrayIndex*>(e.left)->indexes) visit_expr(*this, i);
    }
    visit_expr(*this, e.right);
  }
  void visit(Crement& e) override {
    note(base_decl(e.operand), true, false);
    if (e.operand->kind == ExprKind::ArrayIndex) {
      for (Expr* i : static_cast<ArrayIndex*>(e.operand)->indexes) visit_expr(*this, i);
    }
  }
  void visit(DeleteStmt& s) override {
    note(base_decl(s.value), true, false);
    if (s.value->kind == ExprKind::ArrayIndex) {
      for (Expr* i : static_cast<ArrayIndex*>(s.value)->indexes) visit_expr(*this, i);
    }
  }
  void visit(ForeachLoop& s) override {
    if (s.base) note(s.base->decl, false, false);
    for (Symbol* i : s.indexes) note(i->decl, true, false);
    if (s.value) note(s.value->decl, true, false);
    TraversingVisitor::visit(s);
  }
  void visit(FunctionCall& e) override {
    for (FunctionDecl* f : e.candidates) calls.insert(f);
    TraversingVisitor::visit(e);
  }
};

// ---------------------------------------------------------------------------------------

struct Val {
  std::string c;        // C expression: int64_t, or const char * for strings
  Type type = Type::Long;
};

// A failure to translate: reported once, located at `tok`.
struct Unsupported {
  std::string msg;
  const Token* tok;
};

class Translator {
 public:
  Translator(Session& s) : s_(s), p_(*s.program) {}

  bool run(std::string* out);

 private:
  // Per-body state: the frame being filled and the code being written.
  struct Body {
    std::string member;                 // union member name of the frame
    std::vector<std::string> fields;    // frame struct fields
    std::string code;
    int indent = 1;
    int ntemps = 0;
    std::vector<std::string> unwind;    // labels to jump to on error (innermost last)
    std::vector<std::string> breaks;
    std::vector<std::string> continues;
    std::string out_label = "out";
    const FunctionDecl* fn = nullptr;
    std::map<const VarDecl*, std::string> locals;  // local -> C lvalue
    bool bounded = false;               // a probe body without loops or script calls
  };

  void line(const std::string& l) {
    body_->code.append(static_cast<size_t>(body_->indent) * 2, ' ');
    body_->code += l;
    body_->code += '\n';
  }
  std::string temp(Type t) {
    std::string name = "t" + std::to_string(body_->ntemps++);
    switch (t) {
      case Type::String: body_->fields.push_back("char " + name + "[MAXSTRINGLEN];"); break;
      default: body_->fields.push_back("int64_t " + name + ";"); break;
    }
    return "l->" + name;
  }
  std::string temp_raw(const std::string& decl_type, const std::string& suffix = "") {
    std::string name = "t" + std::to_string(body_->ntemps++);
    body_->fields.push_back(decl_type + " " + name + suffix + ";");
    return "l->" + name;
  }
  std::string label(const std::string& base) { return base + std::to_string(labels_++); }
  const std::string& unwind() const { return body_->unwind.back(); }
  std::string where(const Token* t) {
    if (!t) return "NULL";
    auto it = where_.find(t);
    if (it != where_.end()) return it->second;
    std::string name = "stp_where_" + std::to_string(where_.size());
    where_[t] = name;
    wheres_ += "static const char " + name + "[] = " + c_string(describe_token(*t)) + ";\n";
    return name;
  }
  void check(const Token*) { line("STP_CHECK(c, " + unwind() + ");"); }
  void raise(const std::string& msg_c, const Token* t) {
    line("STP_RAISE(c, " + msg_c + ", " + where(t) + ", " + unwind() + ");");
  }
  [[noreturn]] void unsupported(const std::string& what, const Token* t) {
    throw Unsupported{what + " is not supported yet", t};
  }

  // Declarations
  void declare_globals();
  void declare_function(FunctionDecl* f);
  void emit_function(FunctionDecl* f);
  void emit_probe(size_t i, DerivedProbe* p);
  void emit_tables();
  void compute_uses();
  std::string global_c(const VarDecl* d) const { return globals_.at(d); }
  std::string map_spec(const VarDecl* d);
  std::string hist_spec_of(const VarDecl* d);

  // Statements
  void stmt(Stmt* s);
  void block(Block& b);
  void foreach_loop(ForeachLoop& f);
  void foreach_hist(ForeachLoop& f);
  std::string foreach_limit(ForeachLoop& f);
  void foreach_body(Stmt* body, const std::string& cont, const std::string& brk);
  void delete_stmt(DeleteStmt& d);
  void try_block(TryBlock& t);

  // Expressions
  Val expr(Expr* e);
  Val stable(Expr* e, bool later_side_effects);
  Val literal(Literal& l);
  Val binary(Binary& b);
  Val logical(Logical& l);
  Val comparison(Comparison& c);
  Val concat(Concat& c);
  Val unary(Unary& u);
  Val ternary(Ternary& t);
  Val symbol(Symbol& s);
  Val assign(Assign& a);
  Val target_read(TargetCode* code, const Token* tok, const std::string& what);
  void target_write(TargetCode* code, const Val& v, const Token* tok);
  std::string target_text(const std::string& tmpl, const std::string& result,
                          const std::vector<std::string>& inputs, const std::string& value);
  Val entry_slot(int slot, Type t);
  void emit_entry_handler(size_t i, DerivedProbe* p);
  void finish_probe_handler(Body& b);
  std::string tracepoint_callback(size_t i, DerivedProbe* p);
  Val crement(Crement& c);
  Val array_get(ArrayIndex& a);
  Val array_in(ArrayIn& a);
  Val call(FunctionCall& f);
  Val print_format(PrintFormat& p);
  Val stat_op(StatOp& s);
  Val regex_match(Regex& r);
  std::string keys(ArrayIndex& a, unsigned* wild);
  std::string stat_data(Expr* stat_expr, const Token* tok);
  std::string arith(const std::string& op, const std::string& l, const std::string& r,
                    const Token* tok);
  std::string lvalue_scalar(Symbol& s);
  void store_scalar(Symbol& s, const Val& v);
  bool has_side_effects(Expr* e);

  Session& s_;
  const Program& p_;
  Body* body_ = nullptr;
  int labels_ = 0;
  std::map<const Token*, std::string> where_;
  std::string wheres_;
  std::map<const VarDecl*, std::string> globals_;
  std::map<const VarDecl*, size_t> global_index_;
  std::multimap<const VarDecl*, const HistOp*> hist_ops_;  // the histogram each stat keeps
  std::map<const VarDecl*, int> variance_shift_;            // @variance(x, N)
  std::set<const VarDecl*> variance_used_;                  // read with @variance somewhere
  std::set<const VarDecl*> sum_used_;                       // read with @sum or @avg
  std::set<const VarDecl*> minmax_used_;                    // read with @min or @max
  std::map<const FunctionDecl*, std::string> fn_names_;
  std::map<const FunctionDecl*, UseMap> fn_uses_;
  std::set<const FunctionDecl*> uses_next_;  // functions with a `next` statement
  std::vector<UseMap> probe_uses_;
  std::string frames_;     // frame struct definitions
  std::vector<std::string> union_members_;
  std::string globals_c_;  // global definitions
  std::string init_c_, exit_c_;
  std::string fn_protos_, fn_code_, probe_code_, tables_;
  // =~ patterns compiled so far (pattern bytes -> C name), their tables, and the limits
  // the runtime's per-CPU match state must cover.
  std::map<std::string, std::string> regex_names_;
  std::string regex_c_;
  size_t regex_max_insts_ = 0;
  unsigned regex_max_groups_ = 1;
  // Kernel probes: the probe being emitted, and whether its function-entry part is.
  size_t cur_probe_ = 0;
  bool in_entry_ = false;
  std::map<size_t, std::string> entry_structs_;  // probe index -> saved-values struct
  std::map<size_t, std::string> probe_fields_;   // probe index -> its traits' stp_probe fields
  std::set<size_t> reads_tpargs_;                 // tracepoint probes whose handler reads arguments
};

// ---------------------------------------------------------------------------------------
// Globals

std::string Translator::hist_spec_of(const VarDecl* d) {
  // @variance(x, N) scales values by 2^N as they are added, so the shift is part of the
  // statistic's definition.
  int shift = 0;
  auto vr = variance_shift_.find(d);
  if (vr != variance_shift_.end()) shift = vr->second;
  // Only a statistic read with @variance pays for the running variance on every <<<.
  // Nor do the sum, minimum and maximum cost anything when nothing reads them.
  std::string tail = ", .bit_shift = " + std::to_string(shift) +
                     (variance_used_.count(d) ? "" : ", .no_variance = 1") +
                     (sum_used_.count(d) ? "" : ", .no_sum = 1") +
                     (minmax_used_.count(d) ? "" : ", .no_minmax = 1") + " }";
  auto range = hist_ops_.equal_range(d);
  for (auto it = range.first; it != range.second; ++it) {
    const HistOp* h = it->second;
    if (h->linear && h->params.size() == 3) {
      int64_t lo = h->params[0], hi = h->params[1], step = h->params[2];
      int64_t buckets = step > 0 ? (hi - lo) / step + 1 : 1;
      return "{ .type = STP_HIST_LINEAR, .start = " + c_long(lo) + ", .stop = " + c_long(hi) +
             ", .interval = " + c_long(step) + ", .buckets = " + std::to_string(buckets + 2) + tail;
    }
    if (!h->linear) return "{ .type = STP_HIST_LOG, .buckets = STP_MAX_BUCKETS" + tail;
  }
  return "{ .type = STP_HIST_NONE" + tail;
}

std::string Translator::map_spec(const VarDecl* d) {
  std::string name = "stp_spec_" + ident(d->name);
  std::string keys;
  for (size_t i = 0; i < d->index_types.size(); ++i) {
    if (i) keys += ", ";
    keys += d->index_types[i] == Type::String ? "STP_STRING" : "STP_LONG";
  }
  std::string vt = d->type == Type::String ? "STP_STRING"
                   : d->type == Type::Stats ? "STP_STAT"
                                            : "STP_LONG";
  std::string max = d->maxsize > 0 ? std::to_string(d->maxsize) : "MAXMAPENTRIES";
  globals_c_ += "static const struct stp_map_spec " + name + " = {\n  .name = " +
                c_string(d->name) + ",\n  .nkeys = " + std::to_string(d->index_types.size()) +
                ",\n  .key_types = { " + keys + " },\n  .value_type = " + vt +
                ",\n  .max_entries = " + max + ",\n  .wrap = " + (d->wrap ? "1" : "0") +
                ",\n  .hist = " + hist_spec_of(d) + ",\n};\n";
  return name;
}

void Translator::declare_globals() {
  size_t i = 0;
  for (const VarDecl* d : p_.globals) {
    std::string c = "g_" + ident(d->name);
    globals_[d] = c;
    global_index_[d] = i;
    init_c_ += "  rwlock_init(&stp_glock[" + std::to_string(i) + "].lock);\n";
    init_c_ += "  stp_glock[" + std::to_string(i) + "].name = " + c_string(d->name) + ";\n";
    if (d->arity > 0) {
      std::string spec = map_spec(d);
      globals_c_ += "static struct stp_map *" + c + ";\n";
      init_c_ += "  " + c + " = stp_map_new(&" + spec + ");\n  if (!" + c +
                 ") goto fail;\n";
      exit_c_ += "  if (" + c + ") stp_map_free(" + c + ");\n  " + c + " = NULL;\n";
    } else if (d->type == Type::Stats) {
      std::string spec = "stp_hspec_" + ident(d->name);
      globals_c_ += "static const struct stp_hist_spec " + spec + " = " + hist_spec_of(d) + ";\n";
      globals_c_ += "static struct stp_stat *" + c + ";\n";
      globals_c_ += "static void __percpu *" + c + "_pcpu;\n";
      init_c_ += "  " + c + " = stp_stat_new(&" + spec + ");\n  if (!" + c + ") goto fail;\n";
      init_c_ += "  " + c + "_pcpu = stp_stat_percpu(" + c + ");\n";
      exit_c_ += "  if (" + c + ") stp_stat_free(" + c + ");\n  " + c + " = NULL;\n";
    } else if (d->type == Type::String) {
      std::string init = d->init && d->init->is_string ? c_string(unescape(d->init->str)) : "\"\"";
      globals_c_ += "static char " + c + "[MAXSTRINGLEN] = " + init + ";\n";
      if (!d->synthetic)
        globals_c_ += "module_param_string(" + ident(d->name) + ", " + c + ", MAXSTRINGLEN, 0);\n";
    } else {
      std::string init = d->init && !d->init->is_string ? c_long(d->init->num) : "0";
      globals_c_ += "static int64_t " + c + " = " + init + ";\n";
      if (!d->synthetic)
        globals_c_ += "module_param_named(" + ident(d->name) + ", " + c + ", int64_t, 0);\n";
    }
    ++i;
  }
  size_t n = std::max<size_t>(p_.globals.size(), 1);
  globals_c_ = "static struct stp_global_lock stp_glock[" + std::to_string(n) + "];\n" + globals_c_;
}

// ---------------------------------------------------------------------------------------
// Lock sets: a handler locks every global it or its callees touch.

void Translator::compute_uses() {
  std::map<const FunctionDecl*, std::set<FunctionDecl*>> calls;
  for (FunctionDecl* f : p_.functions) {
    UseCollector u;
    if (f->body) f->body->accept(u);
    fn_uses_[f] = u.uses;
    calls[f] = u.calls;
  }
  // Close over calls until nothing changes.
  for (bool changed = true; changed;) {
    changed = false;
    for (FunctionDecl* f : p_.functions) {
      UseMap& mine = fn_uses_[f];
      for (FunctionDecl* g : calls[f]) {
        for (const auto& [d, u] : fn_uses_[g]) {
          GlobalUse& m = mine[d];
          GlobalUse before = m;
          m.read |= u.read;
          m.write |= u.write;
          m.stat_add_only &= u.stat_add_only;
          if (m.read != before.read || m.write != before.write ||
              m.stat_add_only != before.stat_add_only)
            changed = true;
        }
      }
    }
  }
  for (DerivedProbe* p : p_.probes) {
    UseCollector u;
    if (p->body) p->body->accept(u);
    UseMap uses = u.uses;
    for (FunctionDecl* f : u.calls) {
      for (const auto& [d, gu] : fn_uses_[f]) {
        GlobalUse& m = uses[d];
        m.read |= gu.read;
        m.write |= gu.write;
        m.stat_add_only &= gu.stat_add_only;
      }
    }
    probe_uses_.push_back(uses);
  }
}

// ---------------------------------------------------------------------------------------
// Functions

void Translator::declare_function(FunctionDecl* f) {
  std::string name = "stp_fn_" + ident(f->name);
  std::string base = name;
  for (int n = 1; std::any_of(fn_names_.begin(), fn_names_.end(),
                              [&](const auto& kv) { return kv.second == name; });
       ++n)
    name = base + "_" + std::to_string(n);
  fn_names_[f] = name;
  fn_protos_ += "static void " + name + "(struct context *c);\n";
}

void Translator::emit_function(FunctionDecl* f) {
  Body b;
  b.fn = f;
  b.member = fn_names_[f];
  b.unwind.push_back("out");
  body_ = &b;
  for (VarDecl* v : f->formals) {
    b.locals[v] = "l->l_" + ident(v->name);
    b.fields.push_back(v->type == Type::String ? "char l_" + ident(v->name) + "[MAXSTRINGLEN];"
                                               : "int64_t l_" + ident(v->name) + ";");
  }
  for (VarDecl* v : f->locals) {
    if (b.locals.count(v)) continue;
    b.locals[v] = "l->l_" + ident(v->name);
    b.fields.push_back(v->type == Type::String ? "char l_" + ident(v->name) + "[MAXSTRINGLEN];"
                                               : "int64_t l_" + ident(v->name) + ";");
  }
  if (f->type == Type::String) b.fields.push_back("char retval[MAXSTRINGLEN];");
  else if (f->type == Type::Long) b.fields.push_back("int64_t retval;");
  if (uses_next_.count(f)) b.fields.push_back("int stp_next;");

  std::string head = "static void " + b.member + "(struct context *c)\n{\n  struct stp_frame_" +
                     b.member + " *l = STP_FRAME(c, " + b.member + ");\n  (void)l;\n";
  if (f->body && f->body->kind == StmtKind::Embedded) {
    auto* em = static_cast<EmbeddedStmt*>(f->body);
    std::string defs = "#undef STP_FN_WHERE\n#define STP_FN_WHERE " + where(f->tok) + "\n";
    std::string undefs = "#undef STP_FN_WHERE\n#define STP_FN_WHERE NULL\n";
    for (VarDecl* v : f->formals) {
      defs += "#define STAP_ARG_" + v->name + " (l->l_" + ident(v->name) + ")\n";
      undefs += "#undef STAP_ARG_" + v->name + "\n";
    }
    if (f->type == Type::String) {
      defs += "#define STAP_RETVALUE (l->retval)\n";
      defs += "#define STAP_RETURN(v) do { strscpy(l->retval, (v), MAXSTRINGLEN); goto out; } while (0)\n";
    } else if (f->type == Type::Long) {
      defs += "#define STAP_RETVALUE (l->retval)\n";
      defs += "#define STAP_RETURN(v) do { l->retval = (v); goto out; } while (0)\n";
    } else {
      defs += "#define STAP_RETURN(...) goto out\n";
    }
    undefs += "#undef STAP_RETURN\n";
    if (f->type != Type::Unknown) undefs += "#undef STAP_RETVALUE\n";
    std::string init = f->type == Type::String ? "  l->retval[0] = '\\0';\n"
                       : f->type == Type::Long ? "  l->retval = 0;\n"
                                               : "";
    b.code = defs + init + "  {\n" + em->code + "\n  }\n" + undefs;
  } else {
    if (f->type == Type::String) line("l->retval[0] = '\\0';");
    else if (f->type == Type::Long) line("l->retval = 0;");
    for (VarDecl* v : f->locals) {
      bool formal = std::find(f->formals.begin(), f->formals.end(), v) != f->formals.end();
      if (formal) continue;
      if (v->type == Type::String) line(b.locals[v] + "[0] = '\\0';");
      else line(b.locals[v] + " = 0;");
    }
    stmt(f->body);
  }
  frames_ += "struct stp_frame_" + b.member + " {\n";
  for (const std::string& fl : b.fields) frames_ += "  " + fl + "\n";
  if (b.fields.empty()) frames_ += "  char unused;\n";
  frames_ += "};\n";
  union_members_.push_back("struct stp_frame_" + b.member + " " + b.member + ";");
  fn_code_ += head + b.code + "out: __attribute__((unused));\n}\n\n";
  body_ = nullptr;
}

// ---------------------------------------------------------------------------------------
// Probes

// A probe handler's frame struct, its union member and its function, from its body.
void Translator::finish_probe_handler(Body& b) {
  frames_ += "struct stp_frame_" + b.member + " {\n";
  for (const std::string& fl : b.fields) frames_ += "  " + fl + "\n";
  if (b.fields.empty()) frames_ += "  char unused;\n";
  frames_ += "};\n";
  union_members_.push_back("struct stp_frame_" + b.member + " " + b.member + ";");
  probe_code_ += "static void " + b.member + "(struct context *c)\n{\n  struct stp_frame_" +
                 b.member + " *l = STP_FRAME(c, " + b.member + ");\n  (void)l;\n" + b.code +
                 "out: __attribute__((unused));\n}\n\n";
  body_ = nullptr;
}

namespace {

// What pass 3 can promise the runtime about a probe's handler, for the fields of its
// stp_probe: whether it can print (else nothing is flushed after it), and whether it is
// straight-line code (no loops, no script functions), which MAXACTION never stops.
struct HandlerTraits : TraversingVisitor {
  using TraversingVisitor::visit;
  bool may_print = false;
  bool unbounded = false;
  std::set<const FunctionDecl*> seen;
  // Embedded C that prints goes through the runtime's print functions, and every one
  // of them has "print" in its name (_stp_printf, _stp_print_regs, STAP_PRINTF, ...).
  void embedded(const std::string& code) {
    static const std::string kWord = "print";
    auto same = [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; };
    if (std::search(code.begin(), code.end(), kWord.begin(), kWord.end(), same) != code.end())
      may_print = true;
  }
  void visit(PrintFormat& e) override {
    if (!e.to_string) may_print = true;
    TraversingVisitor::visit(e);
  }
  void visit(ForLoop& s) override {
    unbounded = true;
    TraversingVisitor::visit(s);
  }
  void visit(ForeachLoop& s) override {
    unbounded = true;
    TraversingVisitor::visit(s);
  }
  void visit(EmbeddedStmt& s) override { embedded(s.code); }
  void visit(EmbeddedExpr& e) override { embedded(e.code); }
  void visit(FunctionCall& e) override {
    for (FunctionDecl* f : e.candidates) {
      if (!f || !f->body) continue;
      if (f->body->kind != StmtKind::Embedded) unbounded = true;
      if (seen.insert(f).second) visit_stmt(*this, f->body);
    }
    TraversingVisitor::visit(e);
  }
};

// A handler so small that what stap wraps around it would cost more than it does:
// scalar arithmetic on long locals and globals, `<<<` into a global statistic,
// conditionals and a tracepoint's own arguments, with nothing that can fail (no
// division, no map, no string, no call, no loop, no dereference).  Its probe skips the
// stack-space test, the overload timing and the error test, and stores neither the probe
// nor the registers in the context: such a handler costs less than the kernel spends
// delivering the event, so it cannot take the share of a CPU that overload detection
// looks for, and it reads nothing those stores would serve.
struct TinyHandler : TraversingVisitor {
  using TraversingVisitor::visit;
  bool tiny = true;
  bool scalar(const Expr& e) { return e.type == Type::Long; }
  void no() { tiny = false; }
  void visit(Literal& e) override {
    if (e.is_string) no();
  }
  void visit(Binary& e) override {
    if (e.op == "/" || e.op == "%" || !scalar(e)) return no();
    TraversingVisitor::visit(e);
  }
  void visit(Logical& e) override { TraversingVisitor::visit(e); }
  void visit(Comparison& e) override {
    if (!scalar(*e.left) || !scalar(*e.right)) return no();
    TraversingVisitor::visit(e);
  }
  void visit(Assign& e) override {
    if (!e.left || e.left->kind != ExprKind::Symbol) return no();
    const VarDecl* d = static_cast<Symbol*>(e.left)->decl;
    if (!d) return no();
    if (d->type == Type::Stats ? e.op != "<<<" : (d->type != Type::Long || e.op == "/=" ||
                                                 e.op == "%=" || e.op == "<<<"))
      return no();
    if (!scalar(*e.right)) return no();
    e.right->accept(*this);
  }
  void visit(Unary& e) override {
    if (!scalar(e)) return no();
    TraversingVisitor::visit(e);
  }
  void visit(Crement& e) override {
    if (!e.operand || e.operand->kind != ExprKind::Symbol || !scalar(*e.operand)) return no();
  }
  void visit(Ternary& e) override {
    if (!scalar(e)) return no();
    TraversingVisitor::visit(e);
  }
  void visit(Symbol& e) override {
    if (!scalar(e)) no();
  }
  void visit(TargetSymbol& e) override {
    // Only a tracepoint argument itself: a register-sized value the callback was passed.
    if (!scalar(e) || !e.code || !e.components.empty() || e.addressof ||
        !e.code->inputs.empty() || !plain_argument(e.code->read))
      no();
  }
  // `@R@ = (int64_t)(STP_TPARG(1));`: one argument and integer casts, nothing else.
  static bool plain_argument(const std::string& read) {
    static const std::set<std::string> kWords = {
        "R",      "STP_TPARG", "int8_t",   "int16_t", "int32_t", "int64_t", "uint8_t", "uint16_t",
        "uint32_t", "uint64_t", "long",    "unsigned", "int",    "short",   "char",    "signed"};
    int args = 0;
    for (size_t i = 0; i < read.size();) {
      unsigned char ch = static_cast<unsigned char>(read[i]);
      if (std::isalpha(ch) || ch == '_') {
        size_t j = i;
        while (j < read.size() && (std::isalnum(static_cast<unsigned char>(read[j])) || read[j] == '_'))
          ++j;
        std::string w = read.substr(i, j - i);
        if (!kWords.count(w)) return false;
        if (w == "STP_TPARG") ++args;
        i = j;
      } else if (std::isdigit(ch) || std::strchr("@()=; \t\n", ch)) {
        ++i;
      } else {
        return false;
      }
    }
    return args == 1;
  }
  void visit(Concat&) override { no(); }
  void visit(Regex&) override { no(); }
  void visit(Cast&) override { no(); }
  void visit(AtVar&) override { no(); }
  void visit(Autocast&) override { no(); }
  void visit(Entry&) override { no(); }
  void visit(Defined&) override { no(); }
  void visit(Probewrite&) override { no(); }
  void visit(Perf&) override { no(); }
  void visit(Register&) override { no(); }
  void visit(Deref&) override { no(); }
  void visit(ArrayIndex&) override { no(); }
  void visit(ArrayIn&) override { no(); }
  void visit(FunctionCall&) override { no(); }
  void visit(PrintFormat&) override { no(); }
  void visit(StatOp&) override { no(); }
  void visit(HistOp&) override { no(); }
  void visit(EmbeddedExpr&) override { no(); }
  void visit(TryBlock&) override { no(); }
  void visit(EmbeddedStmt&) override { no(); }
  void visit(ForLoop&) override { no(); }
  void visit(ForeachLoop&) override { no(); }
  void visit(ReturnStmt&) override { no(); }
  void visit(DeleteStmt&) override { no(); }
  void visit(BreakStmt&) override { no(); }
  void visit(ContinueStmt&) override { no(); }
};

// What a .return probe saves at function entry, by slot: an @entry operand or a target
// variable read there.
struct EntrySlots : TraversingVisitor {
  using TraversingVisitor::visit;
  std::map<int, Expr*> slots;
  void visit(Entry& e) override {
    if (e.slot >= 0) slots[e.slot] = &e;
  }
  void visit(TargetSymbol& e) override {
    if (e.code && e.code->entry_slot >= 0) slots[e.code->entry_slot] = &e;
    TraversingVisitor::visit(e);
  }
  void visit(Cast& e) override {
    if (e.code && e.code->entry_slot >= 0) slots[e.code->entry_slot] = &e;
    TraversingVisitor::visit(e);
  }
  void visit(Defined&) override {}
};

}  // namespace

void Translator::emit_entry_handler(size_t i, DerivedProbe* p) {
  EntrySlots es;
  visit_stmt(es, p->body);
  std::string st = "struct stp_entry_" + std::to_string(i) + " {\n";
  Body b;
  b.member = "probe_" + std::to_string(i) + "_entry";
  b.unwind.push_back("out");
  body_ = &b;
  in_entry_ = true;
  for (auto& [slot, e] : es.slots) {
    Val v;
    bool str;
    if (e->kind == ExprKind::Entry) {
      v = expr(static_cast<Entry*>(e)->operand);
      str = v.type == Type::String;
    } else {
      TargetCode* code = e->kind == ExprKind::TargetSymbol ? static_cast<TargetSymbol*>(e)->code
                                                           : static_cast<Cast*>(e)->code;
      v = target_read(code, e->tok, "target variable");
      str = code->is_string;
    }
    std::string dst = entry_slot(slot, Type::Long).c;
    st += str ? "  char s" + std::to_string(slot) + "[MAXSTRINGLEN];\n"
              : "  int64_t s" + std::to_string(slot) + ";\n";
    if (str) line("stp_lang_strcpy(" + dst + ", " + v.c + ");");
    else line(dst + " = " + v.c + ";");
  }
  in_entry_ = false;
  st += "  char unused;\n};\n";
  frames_ += st;
  finish_probe_handler(b);
}

// A function with the tracepoint's calling convention (each argument in its own
// register or stack slot, as unsigned long) that hands the arguments to the probe.
std::string Translator::tracepoint_callback(size_t i, DerivedProbe* p) {
  const KernelProbe& kp = *p->match.kernel;
  std::string n = std::to_string(i);
  std::string params = "void *data";
  std::string args;
  for (size_t k = 0; k < kp.vars.size(); ++k) {
    params += ", unsigned long a" + std::to_string(k);
    args += (k ? ", a" : "a") + std::to_string(k);
  }
  // The arguments' array is the only thing on its stack, read at indexes pass 3 made:
  // no canary to set and check on every hit.
  std::string code = "static STP_NO_CANARY void stp_tp_callback_" + n + "(" + params + ")\n{\n";
  code += "  (void)data;\n";
  if (!reads_tpargs_.count(i)) {
    // A handler that reads no argument gets none (and no array to fill on each hit).
    code += "  _stp_probe_run(&stp_probes[" + n +
            "], NULL, STAP_SESSION_RUNNING, NULL, STP_RUN_TRACEPOINT | STP_RUN_NODATA);\n}\n";
    return code;
  }
  code += "  unsigned long args[] = { " + (args.empty() ? std::string("0") : args) + " };\n";
  code += "  _stp_probe_run(&stp_probes[" + n +
          "], NULL, STAP_SESSION_RUNNING, args, STP_RUN_TRACEPOINT);\n}\n";
  return code;
}

void Translator::emit_probe(size_t i, DerivedProbe* p) {
  cur_probe_ = i;
  if (p->entry_slots > 0) emit_entry_handler(i, p);
  Body b;
  b.member = "probe_" + std::to_string(i);
  b.unwind.push_back("out");
  HandlerTraits traits;
  visit_stmt(traits, p->body);
  b.bounded = !traits.unbounded;
  body_ = &b;
  for (VarDecl* v : p->locals) {
    b.locals[v] = "l->l_" + ident(v->name);
    b.fields.push_back(v->type == Type::String ? "char l_" + ident(v->name) + "[MAXSTRINGLEN];"
                                               : "int64_t l_" + ident(v->name) + ";");
    if (v->type == Type::String) line(b.locals[v] + "[0] = '\\0';");
    else line(b.locals[v] + " = 0;");
  }
  if (p->body) stmt(p->body);
  if (b.code.find("STP_TPARG") != std::string::npos) reads_tpargs_.insert(i);
  std::string& f = probe_fields_[i];
  if (b.bounded) f += ", .no_actions = 1";
  if (!traits.may_print) f += ", .no_print = 1";
  TinyHandler tiny;  // (loops, calls and printing are not tiny: bounded, no_print)
  visit_stmt(tiny, p->body);
  if (tiny.tiny) f += ", .tiny = 1";
  if (p->match.kernel && p->match.kernel->kind == KernelProbe::Kretprobe) f += ", .is_return = 1";
  finish_probe_handler(b);
}

void Translator::emit_tables() {
  std::string probes = "static const struct stp_probe stp_probes[] = {\n";
  std::string locks;
  std::vector<std::pair<std::pair<int, int64_t>, std::string>> be;
  std::string timers, perfs, kprobes, tracepoints, tp_callbacks, entry_probes, kp_entries;
  size_t ntimers = 0, nperfs = 0, nkprobes = 0, ntracepoints = 0;
  // Locks guard a global against handlers running at the same time on other CPUs.
  // begin, end and error probes never do: begin probes run before any other probe is
  // registered, end and error probes after all are gone and the last handler finished.
  // Among the others, a global that no handler takes exclusively (one only read, or a
  // statistic only added to, each CPU into its own part) needs no lock at all.
  auto lock_mode = [](const VarDecl* d, const GlobalUse& u) {
    bool write = u.write || (d->type == Type::Stats && u.read && !u.stat_add_only);
    if (d->type == Type::Stats && u.stat_add_only && !u.read) write = false;
    return write;
  };
  auto concurrent = [](const DerivedProbe* p) {
    const std::string& fam = p->match.family;
    return fam != "begin" && fam != "end" && fam != "error" && fam != "never";
  };
  std::set<const VarDecl*> contended;
  for (size_t i = 0; i < p_.probes.size(); ++i) {
    if (!concurrent(p_.probes[i])) continue;
    for (const auto& [d, u] : probe_uses_[i])
      if (lock_mode(d, u)) contended.insert(d);
  }
  for (size_t i = 0; i < p_.probes.size(); ++i) {
    DerivedProbe* p = p_.probes[i];
    // Lock requests in global declaration order.
    std::vector<std::pair<size_t, bool>> reqs;
    if (concurrent(p)) {
      for (const auto& [d, u] : probe_uses_[i])
        if (contended.count(d)) reqs.push_back({global_index_.at(d), lock_mode(d, u)});
    }
    std::sort(reqs.begin(), reqs.end());
    std::string lk = "NULL";
    if (!reqs.empty()) {
      lk = "stp_locks_" + std::to_string(i);
      locks += "static const struct stp_lock_req " + lk + "[] = {";
      for (auto& [gi, w] : reqs)
        locks += " { &stp_glock[" + std::to_string(gi) + "], " + (w ? "1" : "0") + " },";
      locks += " };\n";
    }
    std::string pn = p->user && !p->user->locations.empty() ? p->user->locations[0]->str(false)
                                                            : p->name;
    // A .label probe: stap 4.8's pn() is the resolved function with the label, and
    // pnlabel() the label.
    std::string label_field;
    if (p->match.kernel && !p->match.kernel->label.empty()) {
      pn = p->name;
      std::string mark;  // an optional (?) or sufficient (!) point keeps its mark last
      if (!pn.empty() && (pn.back() == '?' || pn.back() == '!')) {
        mark = pn.substr(pn.size() - 1);
        pn.pop_back();
      }
      pn += ".label(\"" + p->match.kernel->label + "\")" + mark;
      label_field = ", .label = " + c_string(p->match.kernel->label);
    }
    std::string timing;
    if (s_.opts.timing) {
      // The -t report names where the probe was written and what it was derived from.
      std::string loc;
      if (p->tok && p->tok->loc.file)
        loc = p->tok->loc.file->name + ":" + std::to_string(p->tok->loc.line) + ":" +
              std::to_string(p->tok->loc.col);
      std::string from = p->name;
      if (pn != p->name) from += " from: " + pn;
      timing = ", .location = " + c_string(loc) + ", .derivation = " + c_string(from);
    }
    probes += "  { .pp = " + c_string(p->name) + ", .pn = " + c_string(pn) +
              ", .handler = probe_" + std::to_string(i) + ", .locks = " + lk +
              ", .nlocks = " + std::to_string(reqs.size()) + ", .index = " + std::to_string(i) +
              timing + label_field + probe_fields_[i] + " },\n";
    const std::string& fam = p->match.family;
    auto arg = [&](const std::string& k) -> const Literal* {
      auto it = p->match.args.find(k);
      return it == p->match.args.end() ? nullptr : it->second;
    };
    if (fam == "begin" || fam == "end" || fam == "error") {
      int type = fam == "begin" ? 0 : fam == "end" ? 1 : 2;
      const Literal* seq = arg(fam);
      be.push_back({{type, seq ? seq->num : 0},
                    "  { &stp_probes[" + std::to_string(i) + "], " +
                        (type == 0 ? "STP_BEGIN" : type == 1 ? "STP_END" : "STP_ERROR") + ", " +
                        c_long(seq ? seq->num : 0) + " },\n"});
    } else if (fam == "timer") {
      const std::string unit = p->match.components.size() > 1 ? p->match.components[1].functor : "";
      const Literal* v = arg(unit);
      const Literal* rnd = arg("randomize");
      int64_t n = v ? v->num : 0, r = rnd ? rnd->num : 0;
      std::string kind = "STP_TIMER_HR";
      int64_t scale = 1;
      if (unit == "s" || unit == "sec") scale = 1000000000LL;
      else if (unit == "ms" || unit == "msec") scale = 1000000LL;
      else if (unit == "us" || unit == "usec") scale = 1000LL;
      else if (unit == "jiffies") kind = "STP_TIMER_JIFFIES";
      if (unit == "hz") {
        n = 1000000000LL / n;
        r = 0;
      } else {
        n *= scale;
        r *= scale;
      }
      timers += "  { &stp_probes[" + std::to_string(i) + "], " + kind + ", " + std::to_string(n) +
                "ULL, " + std::to_string(r) + "ULL },\n";
      ++ntimers;
    } else if (fam == "perf") {
      for (const ProbePointComponent& c : p->match.components)
        if (c.functor == "process") throw Unsupported{"perf probes of a process are not supported yet", p->tok};
      const Literal* type = arg("type");
      const Literal* config = arg("config");
      const Literal* sample = arg("sample");
      const Literal* hz = arg("hz");
      int64_t period = hz ? hz->num : sample ? sample->num : 1000000;
      perfs += "  { &stp_probes[" + std::to_string(i) + "], " + std::to_string(type ? type->num : 0) +
               ", " + std::to_string(config ? config->num : 0) + "ULL, " + std::to_string(period) +
               "ULL, " + (hz ? "1" : "0") + " },\n";
      ++nperfs;
    } else if (fam == "kprobe" && p->match.kernel) {
      const KernelProbe& kp = *p->match.kernel;
      std::string n = std::to_string(i);
      std::string entry = "NULL", size = "0";
      if (p->entry_slots > 0) {
        entry = "&stp_entry_probe_" + n;
        size = "sizeof(struct stp_entry_" + n + ")";
        entry_probes += "static const struct stp_probe stp_entry_probe_" + n + " = { .pp = " +
                        c_string(p->name) + ", .pn = " + c_string(pn) + ", .handler = probe_" + n +
                        "_entry, .index = " + n + " };\n";
      }
      // The probe's own entry functions: its handler and locks fold into them.
      bool ret = kp.kind == KernelProbe::Kretprobe;
      std::string fns;
      if (!ret) {
        kp_entries += "static int stp_kprobe_pre_" + n +
                      "(struct kprobe *kp, struct pt_regs *regs)\n{\n  return _stp_kprobe_pre_run(kp, "
                      "regs, &stp_probes[" + n + "]);\n}\n";
        fns = "stp_kprobe_pre_" + n + ", NULL, NULL";
      } else {
        kp_entries += "static int stp_kretprobe_ret_" + n +
                      "(struct kretprobe_instance *ri, struct pt_regs *regs)\n{\n  return "
                      "_stp_kretprobe_ret_run(ri, regs, &stp_probes[" + n + "], " + size + ");\n}\n";
        fns = "NULL, stp_kretprobe_ret_" + n + ", ";
        if (p->entry_slots > 0) {
          kp_entries += "static int stp_kretprobe_entry_" + n +
                        "(struct kretprobe_instance *ri, struct pt_regs *regs)\n{\n  return "
                        "_stp_kretprobe_entry_run(ri, regs, &stp_entry_probe_" + n + ", " + size +
                        ");\n}\n";
          fns += "stp_kretprobe_entry_" + n;
        } else {
          fns += "NULL";
        }
      }
      kprobes += "  { &stp_probes[" + n + "], " +
                 (kp.address ? std::string("NULL") : c_string(kp.symbol)) + ", " +
                 std::to_string(kp.offset) + "UL, " + std::to_string(kp.address) + "UL, " +
                 (kp.kind == KernelProbe::Kretprobe ? "1" : "0") + ", " +
                 std::to_string(kp.maxactive) + ", " + entry + ", " + size + ", " +
                 (kp.module == "kernel" || kp.address ? std::string("NULL") : c_string(kp.module)) +
                 ", " + fns + " },\n";
      ++nkprobes;
    } else if (fam == "tracepoint" && p->match.kernel) {
      tp_callbacks += tracepoint_callback(i, p);
      const KernelProbe& kp = *p->match.kernel;
      tracepoints += "  { &stp_probes[" + std::to_string(i) + "], " + c_string(kp.tp_name) +
                     ", (void *)stp_tp_callback_" + std::to_string(i) + ", " +
                     (kp.module.empty() || kp.module == "kernel" ? std::string("NULL")
                                                                : c_string(kp.module)) +
                     " },\n";
      ++ntracepoints;
    } else if (fam == "never") {
      // compiled and checked, never registered
    } else {
      throw Unsupported{"probe point '" + p->name + "' is not supported yet", p->tok};
    }
  }
  if (p_.probes.empty()) probes += "  { 0 },\n";
  probes += "};\n";
  std::stable_sort(be.begin(), be.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  tables_ += locks + probes;
  tables_ += "static const struct stp_be_probe stp_be_probes[] = {\n";
  for (auto& e : be) tables_ += e.second;
  if (be.empty()) tables_ += "  { 0 },\n";
  tables_ += "};\n";
  tables_ += "static const struct stp_timer_probe stp_timer_probes[] = {\n" + timers;
  if (ntimers == 0) tables_ += "  { 0 },\n";
  tables_ += "};\n";
  tables_ += "static const struct stp_perf_probe stp_perf_probes[] = {\n" + perfs;
  if (nperfs == 0) tables_ += "  { 0 },\n";
  tables_ += "};\n";
  tables_ += entry_probes;
  tables_ += kp_entries;
  tables_ += "static const struct stp_kprobe_probe stp_kprobe_probes[] = {\n" + kprobes;
  if (nkprobes == 0) tables_ += "  { 0 },\n";
  tables_ += "};\n";
  tables_ += tp_callbacks;
  tables_ += "static const struct stp_tracepoint_probe stp_tracepoint_probes[] = {\n" + tracepoints;
  if (ntracepoints == 0) tables_ += "  { 0 },\n";
  tables_ += "};\n";
  // The kernel whose types and offsets the probes were built from: staprun refuses to
  // load the module into another (its build-id is in /sys/kernel/notes).
  if (p_.kernel_info) {
    std::string id = p_.kernel_info->build_id("kernel");
    if (!id.empty())
      tables_ += "static const char stp_kernel_build_id[] "
                 "__attribute__((section(\".stap_kernel_build_id\"), used)) = \"" + id + "\";\n";
  }
  tables_ += "static const unsigned stp_n_probes = " + std::to_string(p_.probes.size()) +
             ", stp_n_be_probes = " + std::to_string(be.size()) +
             ", stp_n_timer_probes = " + std::to_string(ntimers) +
             ", stp_n_perf_probes = " + std::to_string(nperfs) +
             ", stp_n_kprobe_probes = " + std::to_string(nkprobes) +
             ", stp_n_tracepoint_probes = " + std::to_string(ntracepoints) + ";\n";
}

// ---------------------------------------------------------------------------------------
// Statements

void Translator::stmt(Stmt* s) {
  if (!s) return;
  // A handler without loops or script functions counts nothing: stap 4.8 checks
  // MAXACTION only where code can repeat, so straight-line code never fails it.
  if (s->kind != StmtKind::Block && s->kind != StmtKind::Null && !body_->bounded)
    line("STP_ACTION(c, " + where(s->tok) + ", " + unwind() + ");");
  switch (s->kind) {
    case StmtKind::Block:
      block(*static_cast<Block*>(s));
      break;
    case StmtKind::Null:
      break;
    case StmtKind::ExprStmt: {
      // Side effects become statements of their own; what is left of the value is pure,
      // except embedded C.
      auto* es = static_cast<ExprStmt*>(s);
      Val v = expr(es->value);
      if (es->value->kind == ExprKind::Embedded) line("(void)" + v.c + ";");
      break;
    }
    case StmtKind::If: {
      auto* i = static_cast<IfStmt*>(s);
      Val c = expr(i->cond);
      line(std::string("if (") + c.c + ") {");
      ++body_->indent;
      stmt(i->then_stmt);
      --body_->indent;
      if (i->else_stmt) {
        line("} else {");
        ++body_->indent;
        stmt(i->else_stmt);
        --body_->indent;
      }
      line("}");
      break;
    }
    case StmtKind::For: {
      auto* f = static_cast<ForLoop*>(s);
      std::string top = label("loop_top_"), cont = label("loop_cont_"), brk = label("loop_brk_");
      if (f->init) stmt(f->init);
      line(top + ":");
      Val c = expr(f->cond);
      line("if (!(" + c.c + ")) goto " + brk + ";");
      body_->breaks.push_back(brk);
      body_->continues.push_back(cont);
      stmt(f->body);
      body_->breaks.pop_back();
      body_->continues.pop_back();
      line(cont + ": __attribute__((unused));");
      if (f->incr) stmt(f->incr);
      line("goto " + top + ";");
      line(brk + ": ;");
      break;
    }
    case StmtKind::Foreach:
      foreach_loop(*static_cast<ForeachLoop*>(s));
      break;
    case StmtKind::Return: {
      auto* r = static_cast<ReturnStmt*>(s);
      if (r->value) {
        Val v = expr(r->value);
        if (body_->fn && body_->fn->type == Type::String)
          line("stp_lang_strcpy(l->retval, " + v.c + ");");
        else if (body_->fn && body_->fn->type == Type::Long)
          line("l->retval = " + v.c + ";");
      }
      line("goto out;");
      break;
    }
    case StmtKind::Next:
      // In a function, `next` hands the call to the next overload (the caller looks).
      if (body_->fn) line("l->stp_next = 1;");
      line("goto out;");
      break;
    case StmtKind::Break:
      line("goto " + body_->breaks.back() + ";");
      break;
    case StmtKind::Continue:
      line("goto " + body_->continues.back() + ";");
      break;
    case StmtKind::Delete:
      delete_stmt(*static_cast<DeleteStmt*>(s));
      break;
    case StmtKind::Try:
      try_block(*static_cast<TryBlock*>(s));
      break;
    case StmtKind::Embedded:
      line("{");
      body_->code += static_cast<EmbeddedStmt*>(s)->code + "\n";
      line("}");
      break;
  }
}

void Translator::block(Block& b) {
  for (Stmt* s : b.stmts) stmt(s);
}

void Translator::try_block(TryBlock& t) {
  std::string catch_l = label("catch_"), end_l = label("try_end_");
  body_->unwind.push_back(catch_l);
  stmt(t.try_block);
  body_->unwind.pop_back();
  line("goto " + end_l + ";");
  line(catch_l + ":");
  // abort() unwinds through every catch.
  line("if (c->aborted) goto " + unwind() + ";");
  if (t.catch_var) {
    Val err{"c->last_error", Type::String};
    store_scalar(*t.catch_var, err);
  }
  line("c->last_error = NULL;");
  line("c->last_stmt = NULL;");
  stmt(t.catch_block);
  line(end_l + ": ;");
}

void Translator::delete_stmt(DeleteStmt& d) {
  Expr* e = d.value;
  if (e->kind == ExprKind::Symbol) {
    auto& sym = *static_cast<Symbol*>(e);
    VarDecl* decl = sym.decl;
    if (decl && decl->is_global && decl->arity > 0) {
      line("stp_map_clear(" + global_c(decl) + ");");
    } else if (decl && decl->is_global && decl->type == Type::Stats) {
      line("stp_stat_clear(" + global_c(decl) + ");");
    } else if (decl && decl->type == Type::String) {
      line(lvalue_scalar(sym) + "[0] = '\\0';");
    } else {
      line(lvalue_scalar(sym) + " = 0;");
    }
    return;
  }
  if (e->kind == ExprKind::ArrayIndex) {
    auto& a = *static_cast<ArrayIndex*>(e);
    if (!a.base) unsupported("delete of a histogram bucket", e->tok);
    unsigned wild = 0;
    std::string k = keys(a, &wild);
    if (wild)
      line("stp_map_delete_slice(" + global_c(a.base->decl) + ", " + k + ", " +
           std::to_string(wild) + "U);");
    else
      line("stp_map_delete(" + global_c(a.base->decl) + ", " + k + ");");
    return;
  }
  unsupported("this form of delete", d.tok);
}

// The limit of a foreach, evaluated once before the walk ("" when there is none).
std::string Translator::foreach_limit(ForeachLoop& f) {
  if (!f.limit) return "";
  Val lv = expr(f.limit);
  std::string limit = temp(Type::Long);
  line(limit + " = " + lv.c + ";");
  return limit;
}

// The body of a foreach walk and the end of its C loop, with break/continue targets.
void Translator::foreach_body(Stmt* body, const std::string& cont, const std::string& brk) {
  body_->breaks.push_back(brk);
  body_->continues.push_back(cont);
  stmt(body);
  body_->breaks.pop_back();
  body_->continues.pop_back();
  line(cont + ": __attribute__((unused));");
  --body_->indent;
  line("}");
  line(brk + ": __attribute__((unused));");
}

// foreach (b in @hist_log(s)): b walks the raw bucket indexes, as upstream's does.
void Translator::foreach_hist(ForeachLoop& f) {
  if (f.sort_direction != 0) unsupported("a sorted foreach over a histogram", f.tok);
  HistOp& h = *f.hist;
  std::string d = stat_data(h.stat, h.tok);
  VarDecl* sd = nullptr;
  if (h.stat->kind == ExprKind::Symbol) sd = static_cast<Symbol*>(h.stat)->decl;
  else if (h.stat->kind == ExprKind::ArrayIndex) sd = static_cast<ArrayIndex*>(h.stat)->base->decl;
  if (!sd) unsupported("this histogram", f.tok);
  std::string spec = sd->arity > 0 ? "stp_spec_" + ident(sd->name) + ".hist"
                                   : "stp_hspec_" + ident(sd->name);
  std::string limit = foreach_limit(f);
  std::string i = temp(Type::Long);
  std::string cont = label("fe_cont_"), brk = label("fe_brk_");
  line("for (" + i + " = 0; " + i + " < stp_hist_nbuckets(&" + spec + "); " + i + "++) {");
  ++body_->indent;
  if (!limit.empty()) line("if (" + i + " >= " + limit + ") break;");
  if (!f.indexes.empty()) store_scalar(*f.indexes[0], {i, Type::Long});
  if (f.value) store_scalar(*f.value, {d + ".histogram[" + i + "]", Type::Long});
  foreach_body(f.body, cont, brk);
}

void Translator::foreach_loop(ForeachLoop& f) {
  if (!f.base) {
    foreach_hist(f);
    return;
  }
  VarDecl* arr = f.base->decl;
  std::string m = global_c(arr);
  std::string limit = foreach_limit(f);
  // Slice values are computed once, before the walk.
  std::vector<std::string> slice;
  for (Expr* se : f.slice) {
    if (!se) {
      slice.push_back("");
      continue;
    }
    Val v = expr(se);
    std::string t = temp(v.type);
    if (v.type == Type::String) line("stp_lang_strcpy(" + t + ", " + v.c + ");");
    else line(t + " = " + v.c + ";");
    slice.push_back(t);
  }
  std::string agg = "STP_AGG_COUNT";
  if (!f.sort_aggregate.empty()) {
    static const std::map<std::string, std::string> kAgg = {
        {"@count", "STP_AGG_COUNT"}, {"@sum", "STP_AGG_SUM"}, {"@min", "STP_AGG_MIN"},
        {"@max", "STP_AGG_MAX"},     {"@avg", "STP_AGG_AVG"}};
    auto it = kAgg.find(f.sort_aggregate);
    if (it != kAgg.end()) agg = it->second;
  }
  line("stp_map_sort(" + m + ", " + std::to_string(f.sort_column) + ", " +
       std::to_string(f.sort_direction) + ", " + agg + ");");
  std::string e = temp_raw("struct stp_map_entry *");
  std::string count;
  if (!limit.empty()) {
    count = temp(Type::Long);
    line(count + " = 0;");
  }
  std::string cont = label("fe_cont_"), brk = label("fe_brk_");
  line("for (" + e + " = stp_map_first(" + m + "); " + e + "; " + e + " = stp_map_next(" + m +
       ", " + e + ")) {");
  ++body_->indent;
  if (!limit.empty()) line("if (" + count + "++ >= " + limit + ") break;");
  for (size_t i = 0; i < slice.size(); ++i) {
    if (slice[i].empty()) continue;
    bool str = arr->index_types[i] == Type::String;
    if (str)
      line("if (strcmp(stp_entry_key_str(" + e + ", " + std::to_string(i) + "), " + slice[i] +
           ") != 0) continue;");
    else
      line("if (stp_entry_key_long(" + e + ", " + std::to_string(i) + ") != " + slice[i] +
           ") continue;");
  }
  for (size_t i = 0; i < f.indexes.size(); ++i) {
    Symbol& sym = *f.indexes[i];
    bool str = arr->index_types[i] == Type::String;
    Val v{str ? "stp_entry_key_str(" + e + ", " + std::to_string(i) + ")"
              : "stp_entry_key_long(" + e + ", " + std::to_string(i) + ")",
          str ? Type::String : Type::Long};
    store_scalar(sym, v);
  }
  if (f.value) {
    if (arr->type == Type::Stats) unsupported("a value variable in foreach over statistics", f.tok);
    bool str = arr->type == Type::String;
    Val v{str ? "stp_entry_str(" + e + ")" : "stp_entry_long(" + e + ")",
          str ? Type::String : Type::Long};
    store_scalar(*f.value, v);
  }
  foreach_body(f.body, cont, brk);
}

// ---------------------------------------------------------------------------------------
// Expressions

bool Translator::has_side_effects(Expr* e) {
  struct Finder : TraversingVisitor {
    using TraversingVisitor::visit;
    bool found = false;
    void visit(Assign& e) override { found = true; TraversingVisitor::visit(e); }
    void visit(Crement& e) override { found = true; TraversingVisitor::visit(e); }
    void visit(FunctionCall& e) override { found = true; TraversingVisitor::visit(e); }
    void visit(PrintFormat& e) override { found = true; TraversingVisitor::visit(e); }
  } f;
  visit_expr(f, e);
  return f.found;
}

// Evaluates e into a value that later statements cannot change.
Val Translator::stable(Expr* e, bool later_side_effects) {
  Val v = expr(e);
  if (!later_side_effects) return v;
  if (v.c.rfind("l->t", 0) == 0 || v.c.rfind("((int64_t)", 0) == 0 || v.c.rfind("\"", 0) == 0)
    return v;
  std::string t = temp(v.type);
  if (v.type == Type::String) line("stp_lang_strcpy(" + t + ", " + v.c + ");");
  else line(t + " = " + v.c + ";");
  return {t, v.type};
}

Val Translator::expr(Expr* e) {
  switch (e->kind) {
    case ExprKind::Literal: return literal(*static_cast<Literal*>(e));
    case ExprKind::Binary: return binary(*static_cast<Binary*>(e));
    case ExprKind::Logical: return logical(*static_cast<Logical*>(e));
    case ExprKind::Comparison: return comparison(*static_cast<Comparison*>(e));
    case ExprKind::Concat: return concat(*static_cast<Concat*>(e));
    case ExprKind::Unary: return unary(*static_cast<Unary*>(e));
    case ExprKind::Ternary: return ternary(*static_cast<Ternary*>(e));
    case ExprKind::Symbol: return symbol(*static_cast<Symbol*>(e));
    case ExprKind::Assign: return assign(*static_cast<Assign*>(e));
    case ExprKind::PreCrement:
    case ExprKind::PostCrement: return crement(*static_cast<Crement*>(e));
    case ExprKind::ArrayIndex: return array_get(*static_cast<ArrayIndex*>(e));
    case ExprKind::ArrayIn: return array_in(*static_cast<ArrayIn*>(e));
    case ExprKind::FunctionCall: return call(*static_cast<FunctionCall*>(e));
    case ExprKind::PrintFormat: return print_format(*static_cast<PrintFormat*>(e));
    case ExprKind::StatOp: return stat_op(*static_cast<StatOp*>(e));
    case ExprKind::Embedded: {
      auto* em = static_cast<EmbeddedExpr*>(e);
      if (e->type == Type::String) return {"((const char *)(" + em->code + "))", Type::String};
      return {"((int64_t)(" + em->code + "))", Type::Long};
    }
    case ExprKind::Regex: return regex_match(*static_cast<Regex*>(e));
    case ExprKind::TargetSymbol:
      return target_read(static_cast<TargetSymbol*>(e)->code, e->tok, "target variable");
    case ExprKind::Cast: return target_read(static_cast<Cast*>(e)->code, e->tok, "@cast");
    case ExprKind::AtVar: return target_read(static_cast<AtVar*>(e)->code, e->tok, "@var");
    case ExprKind::Autocast: unsupported("autocast", e->tok);
    case ExprKind::Entry: {
      auto* en = static_cast<Entry*>(e);
      if (in_entry_ || en->slot < 0) return expr(en->operand);
      return entry_slot(en->slot, en->operand->type == Type::String ? Type::String : Type::Long);
    }
    case ExprKind::Defined:
      return {static_cast<Defined*>(e)->value > 0 ? "((int64_t)1)" : "((int64_t)0)", Type::Long};
    case ExprKind::Probewrite: unsupported("@probewrite", e->tok);
    case ExprKind::Perf: unsupported("@perf", e->tok);
    case ExprKind::Register: unsupported("register access", e->tok);
    case ExprKind::Deref: unsupported("@kderef/@uderef", e->tok);
    case ExprKind::HistOp: unsupported("this use of a histogram", e->tok);
  }
  unsupported("this expression", e->tok);
}

Val Translator::literal(Literal& l) {
  if (l.is_string) return {c_string(unescape(l.str)), Type::String};
  return {c_long(l.num), Type::Long};
}

std::string Translator::arith(const std::string& op, const std::string& l, const std::string& r,
                              const Token* tok) {
  if (op == "/" || op == "%") {
    // The divisor is used twice: keep it in a temporary.
    std::string d = r;
    if (r.rfind("l->t", 0) != 0 && r.rfind("((int64_t)", 0) != 0) {
      d = temp(Type::Long);
      line(d + " = " + r + ";");
    }
    line("if (unlikely(" + d + " == 0))");
    ++body_->indent;
    raise("\"division by 0\"", tok);
    --body_->indent;
    return std::string(op == "/" ? "stp_lang_div(" : "stp_lang_mod(") + l + ", " + d + ")";
  }
  if (op == "<<") return "stp_lang_shl(" + l + ", " + r + ")";
  if (op == ">>") return "stp_lang_shr(" + l + ", " + r + ")";
  if (op == ">>>") return "stp_lang_lshr(" + l + ", " + r + ")";
  if (op == "+" || op == "-" || op == "*")
    return "((int64_t)((uint64_t)(" + l + ") " + op + " (uint64_t)(" + r + ")))";
  return "((" + l + ") " + op + " (" + r + "))";
}

Val Translator::binary(Binary& b) {
  Val l = stable(b.left, has_side_effects(b.right));
  Val r = expr(b.right);
  return {arith(b.op, l.c, r.c, b.tok), Type::Long};
}

Val Translator::logical(Logical& lg) {
  std::string t = temp(Type::Long);
  Val l = expr(lg.left);
  if (lg.op == "&&") {
    line(t + " = 0;");
    line("if (" + l.c + ") {");
  } else {
    line(t + " = 1;");
    line("if (!(" + l.c + ")) {");
  }
  ++body_->indent;
  Val r = expr(lg.right);
  line(t + " = (" + r.c + ") != 0;");
  --body_->indent;
  line("}");
  return {t, Type::Long};
}

Val Translator::comparison(Comparison& cmp) {
  Val l = stable(cmp.left, has_side_effects(cmp.right));
  Val r = expr(cmp.right);
  if (l.type == Type::String || r.type == Type::String)
    return {"((int64_t)(strcmp(" + l.c + ", " + r.c + ") " + cmp.op + " 0))", Type::Long};
  return {"((int64_t)((" + l.c + ") " + cmp.op + " (" + r.c + ")))", Type::Long};
}

Val Translator::concat(Concat& cc) {
  Val l = stable(cc.left, has_side_effects(cc.right));
  Val r = expr(cc.right);
  std::string t = temp(Type::String);
  line("stp_lang_concat(" + t + ", " + l.c + ", " + r.c + ");");
  return {t, Type::String};
}

Val Translator::unary(Unary& u) {
  Val v = expr(u.operand);
  if (u.op == "-") return {"((int64_t)(0ULL - (uint64_t)(" + v.c + ")))", Type::Long};
  if (u.op == "!") return {"((int64_t)!(" + v.c + "))", Type::Long};
  if (u.op == "~") return {"((int64_t)~(" + v.c + "))", Type::Long};
  return v;
}

Val Translator::ternary(Ternary& t) {
  Type ty = t.type == Type::String ? Type::String : Type::Long;
  std::string r = temp(ty);
  Val c = expr(t.cond);
  line("if (" + c.c + ") {");
  ++body_->indent;
  Val a = expr(t.yes);
  line(ty == Type::String ? "stp_lang_strcpy(" + r + ", " + a.c + ");" : r + " = " + a.c + ";");
  --body_->indent;
  line("} else {");
  ++body_->indent;
  Val b = expr(t.no);
  line(ty == Type::String ? "stp_lang_strcpy(" + r + ", " + b.c + ");" : r + " = " + b.c + ";");
  --body_->indent;
  line("}");
  return {r, ty};
}

std::string Translator::lvalue_scalar(Symbol& s) {
  VarDecl* d = s.decl;
  if (!d) unsupported("an unresolved symbol", s.tok);
  if (d->is_global) return global_c(d);
  auto it = body_->locals.find(d);
  if (it == body_->locals.end()) {
    // A local pass 2 did not list (e.g. a foreach index): give it a frame slot.
    std::string n = "l_" + ident(d->name);
    body_->fields.push_back(d->type == Type::String ? "char " + n + "[MAXSTRINGLEN];"
                                                    : "int64_t " + n + ";");
    it = body_->locals.emplace(d, "l->" + n).first;
  }
  return it->second;
}

Val Translator::symbol(Symbol& s) {
  VarDecl* d = s.decl;
  if (d && d->is_global && d->arity > 0) unsupported("an array used as a scalar", s.tok);
  if (d && d->type == Type::Stats) unsupported("a statistic used as a value", s.tok);
  return {lvalue_scalar(s), s.type == Type::String ? Type::String : Type::Long};
}

void Translator::store_scalar(Symbol& s, const Val& v) {
  std::string lv = lvalue_scalar(s);
  if (v.type == Type::String) line("stp_lang_strcpy(" + lv + ", " + v.c + ");");
  else line(lv + " = " + v.c + ";");
}

// Fills a key array for a[i, j...]; wildcards (`*`) set bits in *wild.
std::string Translator::keys(ArrayIndex& a, unsigned* wild) {
  std::vector<Val> vals;
  for (size_t i = 0; i < a.indexes.size(); ++i) {
    Expr* ix = a.indexes[i];
    if (!ix) {
      *wild |= 1u << i;
      vals.push_back({"", Type::Long});
      continue;
    }
    bool later = false;
    for (size_t j = i + 1; j < a.indexes.size(); ++j) later |= has_side_effects(a.indexes[j]);
    vals.push_back(stable(ix, later));
  }
  std::string k = temp_raw("union stp_key", "[" + std::to_string(std::max<size_t>(vals.size(), 1)) + "]");
  for (size_t i = 0; i < vals.size(); ++i) {
    if (*wild & (1u << i)) continue;
    line(k + "[" + std::to_string(i) + "]." + (vals[i].type == Type::String ? "s" : "n") + " = " +
         vals[i].c + ";");
  }
  return k;
}

Val Translator::array_get(ArrayIndex& a) {
  if (a.hist) {
    std::string d = stat_data(a.hist->stat, a.tok);
    if (a.indexes.size() != 1 || !a.indexes[0]) unsupported("this histogram index", a.tok);
    Val ix = expr(a.indexes[0]);
    std::string t = temp(Type::Long);
    VarDecl* sd = nullptr;
    Expr* se = a.hist->stat;
    if (se->kind == ExprKind::Symbol) sd = static_cast<Symbol*>(se)->decl;
    else if (se->kind == ExprKind::ArrayIndex) sd = static_cast<ArrayIndex*>(se)->base->decl;
    if (!sd) unsupported("this histogram", a.tok);
    std::string spec = sd->arity > 0 ? "stp_spec_" + ident(sd->name) + ".hist"
                                     : "stp_hspec_" + ident(sd->name);
    line("if (stp_hist_bucket(&" + d + ", &" + spec + ", " + ix.c + ", &" + t + ") != 0)");
    ++body_->indent;
    raise("\"histogram index out of range\"", a.tok);
    --body_->indent;
    return {t, Type::Long};
  }
  VarDecl* d = a.base->decl;
  if (d->type == Type::Stats) unsupported("a statistic used as a value", a.tok);
  unsigned wild = 0;
  std::string k = keys(a, &wild);
  if (d->type == Type::String) {
    std::string t = temp(Type::String);
    line("stp_lang_strcpy(" + t + ", stp_map_get_str(" + global_c(d) + ", " + k + "));");
    return {t, Type::String};
  }
  std::string t = temp(Type::Long);
  line(t + " = stp_map_get_long(" + global_c(d) + ", " + k + ");");
  return {t, Type::Long};
}

Val Translator::array_in(ArrayIn& a) {
  ArrayIndex& ai = *a.operand;
  if (!ai.base) unsupported("'in' on a histogram", a.tok);
  unsigned wild = 0;
  std::string k = keys(ai, &wild);
  std::string m = global_c(ai.base->decl);
  if (wild)
    return {"((int64_t)stp_map_exists_slice(" + m + ", " + k + ", " + std::to_string(wild) + "U))",
            Type::Long};
  return {"((int64_t)stp_map_exists(" + m + ", " + k + "))", Type::Long};
}

// Overflow errors point at the array, as upstream's do.
static const Token* array_tok(ArrayIndex& a) { return a.base ? a.base->tok : a.tok; }

static std::string overflow_msg(const VarDecl* d) {
  if (d->maxsize > 0)
    return c_string("Array overflow, check size limit (" + std::to_string(d->maxsize) + ")");
  return "\"Array overflow, check MAXMAPENTRIES\"";
}

std::string Translator::target_text(const std::string& tmpl, const std::string& result,
                                    const std::vector<std::string>& inputs,
                                    const std::string& value) {
  std::string out;
  for (size_t i = 0; i < tmpl.size(); ++i) {
    if (tmpl[i] == '@') {
      size_t end = tmpl.find('@', i + 1);
      if (end != std::string::npos) {
        std::string key = tmpl.substr(i + 1, end - i - 1);
        if (key == "R") { out += result; i = end; continue; }
        if (key == "V") { out += value; i = end; continue; }
        if (key.size() > 1 && key[0] == 'I') {
          out += inputs.at(std::stoul(key.substr(1)));
          i = end;
          continue;
        }
      }
    }
    out += tmpl[i];
  }
  return out;
}

Val Translator::entry_slot(int slot, Type t) {
  return {"((struct stp_entry_" + std::to_string(cur_probe_) + " *)c->probe_data)->s" +
              std::to_string(slot),
          t};
}

Val Translator::target_read(TargetCode* code, const Token* tok, const std::string& what) {
  if (!code) unsupported(what, tok);
  Type rt = code->is_string ? Type::String : Type::Long;
  if (code->entry_slot >= 0 && !in_entry_) return entry_slot(code->entry_slot, rt);
  std::vector<std::string> ins;
  for (Expr* in : code->inputs) ins.push_back(stable(in, true).c);
  std::string r = temp(rt);
  line("{");
  std::string text = target_text(code->read, r, ins, "");
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    if (nl > pos) line("  " + text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  line("}");
  // A fault names the target expression, as upstream does.
  line("if (unlikely(c->last_error)) { if (!c->last_stmt) c->last_stmt = " + where(tok) +
       "; goto " + unwind() + "; }");
  return {r, rt};
}

void Translator::target_write(TargetCode* code, const Val& v, const Token* tok) {
  if (!code || code->write.empty()) unsupported("writing this target variable", tok);
  std::vector<std::string> ins;
  for (Expr* in : code->inputs) ins.push_back(stable(in, true).c);
  line(target_text(code->write, "", ins, "(int64_t)(" + v.c + ")"));
  line("if (unlikely(c->last_error)) { if (!c->last_stmt) c->last_stmt = " + where(tok) +
       "; goto " + unwind() + "; }");
}

Val Translator::assign(Assign& a) {
  Expr* lhs = a.left;
  const std::string& op = a.op;
  if (lhs->kind == ExprKind::TargetSymbol || lhs->kind == ExprKind::Cast) {
    TargetCode* code = lhs->kind == ExprKind::TargetSymbol ? static_cast<TargetSymbol*>(lhs)->code
                                                           : static_cast<Cast*>(lhs)->code;
    Val r = expr(a.right);
    if (op != "=") {
      Val old = target_read(code, lhs->tok, "target variable");
      std::string t = temp(Type::Long);
      line(t + " = " + arith(op.substr(0, op.size() - 1), old.c, r.c, a.tok) + ";");
      r = {t, Type::Long};
    }
    target_write(code, r, lhs->tok);
    return r;
  }
  if (op == "<<<" && lhs->kind == ExprKind::Symbol) {
    VarDecl* d = static_cast<Symbol*>(lhs)->decl;
    Val rv = expr(a.right);
    // The constant spec lets the compiler drop what no extractor reads.
    line("stp_stat_add_spec(" + global_c(d) + "_pcpu, " + rv.c + ", &stp_hspec_" +
         ident(d->name) + ");");
    return rv;
  }
  if (lhs->kind == ExprKind::Symbol) {
    Symbol& sym = *static_cast<Symbol*>(lhs);
    Val r = expr(a.right);
    std::string lv = lvalue_scalar(sym);
    if (sym.type == Type::String || r.type == Type::String) {
      if (op == "=") {
        line("stp_lang_strcpy(" + lv + ", " + r.c + ");");
      } else if (op == ".=") {
        line("stp_lang_concat(" + lv + ", " + lv + ", " + r.c + ");");
      } else {
        unsupported("operator " + op + " on strings", a.tok);
      }
      return {lv, Type::String};
    }
    if (op == "=") {
      line(lv + " = " + r.c + ";");
    } else {
      std::string bop = op.substr(0, op.size() - 1);
      std::string rr = r.c;
      line(lv + " = " + arith(bop, lv, rr, a.tok) + ";");
    }
    return {lv, Type::Long};
  }
  if (lhs->kind == ExprKind::ArrayIndex) {
    auto& ai = *static_cast<ArrayIndex*>(lhs);
    if (!ai.base) unsupported("assignment to a histogram bucket", a.tok);
    VarDecl* d = ai.base->decl;
    std::string m = global_c(d);
    // Upstream evaluates the index before the value.
    unsigned wild = 0;
    std::string k = keys(ai, &wild);
    Val r = expr(a.right);
    if (d->type == Type::Stats) {
      line("if (stp_map_add_stat(" + m + ", " + k + ", " + r.c + ") != 0)");
      ++body_->indent;
      raise(overflow_msg(d), array_tok(ai));
      --body_->indent;
      return r;
    }
    if (d->type == Type::String) {
      std::string t = temp(Type::String);
      if (op == "=") {
        line("stp_lang_strcpy(" + t + ", " + r.c + ");");
      } else if (op == ".=") {
        line("stp_lang_concat(" + t + ", stp_map_get_str(" + m + ", " + k + "), " + r.c + ");");
      } else {
        unsupported("operator " + op + " on strings", a.tok);
      }
      line("if (stp_map_set_str(" + m + ", " + k + ", " + t + ") != 0)");
      ++body_->indent;
      raise(overflow_msg(d), array_tok(ai));
      --body_->indent;
      return {t, Type::String};
    }
    std::string t = temp(Type::Long);
    if (op == "=") {
      line(t + " = " + r.c + ";");
      line("if (stp_map_set_long(" + m + ", " + k + ", " + t + ") != 0)");
      ++body_->indent;
      raise(overflow_msg(d), array_tok(ai));
      --body_->indent;
      return {t, Type::Long};
    }
    std::string rv = temp(Type::Long);
    line(rv + " = " + r.c + ";");
    std::string bop = op.substr(0, op.size() - 1);
    std::string cur = temp(Type::Long);
    line(cur + " = stp_map_get_long(" + m + ", " + k + ");");
    line(t + " = " + arith(bop, cur, rv, a.tok) + ";");
    line("if (stp_map_set_long(" + m + ", " + k + ", " + t + ") != 0)");
    ++body_->indent;
    raise(overflow_msg(d), array_tok(ai));
    --body_->indent;
    return {t, Type::Long};
  }
  unsupported("assignment to this expression", a.tok);
}

Val Translator::crement(Crement& cr) {
  bool pre = cr.kind == ExprKind::PreCrement;
  std::string delta = cr.op == "++" ? "1" : "-1";
  std::string t = temp(Type::Long);
  if (cr.operand->kind == ExprKind::Symbol) {
    std::string lv = lvalue_scalar(*static_cast<Symbol*>(cr.operand));
    if (pre) {
      line(lv + " = (int64_t)((uint64_t)" + lv + " + (uint64_t)" + delta + ");");
      line(t + " = " + lv + ";");
    } else {
      line(t + " = " + lv + ";");
      line(lv + " = (int64_t)((uint64_t)" + lv + " + (uint64_t)" + delta + ");");
    }
    return {t, Type::Long};
  }
  if (cr.operand->kind == ExprKind::ArrayIndex) {
    auto& ai = *static_cast<ArrayIndex*>(cr.operand);
    if (!ai.base) unsupported("++/-- on a histogram bucket", cr.tok);
    VarDecl* d = ai.base->decl;
    unsigned wild = 0;
    std::string k = keys(ai, &wild);
    std::string p = temp_raw("int64_t *");
    line(p + " = stp_map_ref_long(" + global_c(d) + ", " + k + ");");
    line("if (unlikely(" + p + " == NULL))");
    ++body_->indent;
    raise(overflow_msg(d), array_tok(ai));
    --body_->indent;
    if (pre) {
      line("*" + p + " = (int64_t)((uint64_t)*" + p + " + (uint64_t)" + delta + ");");
      line(t + " = *" + p + ";");
    } else {
      line(t + " = *" + p + ";");
      line("*" + p + " = (int64_t)((uint64_t)*" + p + " + (uint64_t)" + delta + ");");
    }
    return {t, Type::Long};
  }
  unsupported("++/-- on this expression", cr.tok);
}

Val Translator::call(FunctionCall& f) {
  if (f.candidates.empty()) unsupported("a call to an unresolved function", f.tok);
  // Arguments are evaluated into this frame first: evaluating one may itself make calls
  // that use the callee's frame.
  std::vector<Val> args;
  for (size_t i = 0; i < f.args.size(); ++i) {
    bool later = false;
    for (size_t j = i + 1; j < f.args.size(); ++j) later |= has_side_effects(f.args[j]);
    Val v = stable(f.args[i], later || true);
    args.push_back(v);
  }
  FunctionDecl* first = f.candidates[0];
  Type rt = first->type == Type::String ? Type::String : Type::Long;
  bool has_value = first->type == Type::String || first->type == Type::Long;
  std::string result = has_value ? temp(rt) : "";
  if (has_value) line(rt == Type::String ? result + "[0] = '\\0';" : result + " = 0;");
  // Overloads run in priority order; one that says `next` passes the call on to the
  // following one.
  std::string done = label("call_done_");
  for (size_t ci = 0; ci < f.candidates.size(); ++ci) {
    FunctionDecl* fn = f.candidates[ci];
    const std::string& name = fn_names_.at(fn);
    line("if (unlikely(c->nesting + 1 > MAXNESTING))");
    ++body_->indent;
    raise("\"MAXNESTING exceeded\"", fn->tok);  // upstream names the callee
    --body_->indent;
    line("{");
    ++body_->indent;
    line("struct stp_frame_" + name + " *callee = STP_NEXT_FRAME(c, " + name + ");");
    line("(void)callee;");
    for (size_t i = 0; i < args.size() && i < fn->formals.size(); ++i) {
      std::string dst = "callee->l_" + ident(fn->formals[i]->name);
      if (fn->formals[i]->type == Type::String) line("stp_lang_strcpy(" + dst + ", " + args[i].c + ");");
      else line(dst + " = " + args[i].c + ";");
    }
    if (uses_next_.count(fn)) line("callee->stp_next = 0;");
    line("c->nesting++;");
    line(name + "(c);");
    line("c->nesting--;");
    bool more = ci + 1 < f.candidates.size() && uses_next_.count(fn);
    if (has_value && (fn->type == Type::String || fn->type == Type::Long)) {
      std::string copy = rt == Type::String ? "stp_lang_strcpy(" + result + ", callee->retval);"
                                            : result + " = callee->retval;";
      if (uses_next_.count(fn)) line("if (!callee->stp_next) " + copy);
      else line(copy);
    }
    if (more) line("if (!callee->stp_next || c->last_error) goto " + done + ";");
    --body_->indent;
    line("}");
    if (!more) break;
  }
  line(done + ": __attribute__((unused));");
  check(f.tok);
  if (!has_value) return {"((int64_t)0)", Type::Long};
  return {result, rt};
}

// The aggregated data of a statistic expression (a global or an array element).
std::string Translator::stat_data(Expr* se, const Token* tok) {
  std::string d = temp_raw("struct stp_stat_data");
  if (se->kind == ExprKind::Symbol) {
    VarDecl* decl = static_cast<Symbol*>(se)->decl;
    line("stp_stat_get(" + global_c(decl) + ", &" + d + ");");
    return d;
  }
  if (se->kind == ExprKind::ArrayIndex) {
    auto& ai = *static_cast<ArrayIndex*>(se);
    unsigned wild = 0;
    std::string k = keys(ai, &wild);
    line("if (stp_map_get_stat(" + global_c(ai.base->decl) + ", " + k + ", &" + d + ") != 0)");
    line("  memset(&" + d + ", 0, sizeof(" + d + "));");
    return d;
  }
  unsupported("this statistic", tok);
}

Val Translator::stat_op(StatOp& s) {
  std::string d = stat_data(s.stat, s.tok);
  if (s.op == "@count") return {d + ".count", Type::Long};
  line("if (unlikely(" + d + ".count == 0))");
  ++body_->indent;
  raise("\"empty aggregate\"", s.tok);
  --body_->indent;
  if (s.op == "@sum") return {d + ".sum", Type::Long};
  if (s.op == "@min") return {d + ".min", Type::Long};
  if (s.op == "@max") return {d + ".max", Type::Long};
  if (s.op == "@avg") return {"stp_stat_avg(&" + d + ")", Type::Long};
  if (s.op == "@variance") {
    // The shift belongs to the statistic (values were scaled as they were added), whatever
    // this particular call says.
    int shift = 0;
    const VarDecl* sd = nullptr;
    if (s.stat->kind == ExprKind::Symbol) sd = static_cast<Symbol*>(s.stat)->decl;
    else if (s.stat->kind == ExprKind::ArrayIndex) sd = static_cast<ArrayIndex*>(s.stat)->base->decl;
    auto it = variance_shift_.find(sd);
    if (it != variance_shift_.end()) shift = it->second;
    return {"stp_stat_variance(&" + d + ", " + std::to_string(shift) + ")", Type::Long};
  }
  unsupported("operator " + s.op, s.tok);
}

Val Translator::print_format(PrintFormat& p) {
  if (p.hist) {
    HistOp& h = *p.hist;
    std::string d = stat_data(h.stat, h.tok);
    VarDecl* sd = nullptr;
    if (h.stat->kind == ExprKind::Symbol) sd = static_cast<Symbol*>(h.stat)->decl;
    else if (h.stat->kind == ExprKind::ArrayIndex) sd = static_cast<ArrayIndex*>(h.stat)->base->decl;
    std::string spec = sd->arity > 0 ? "stp_spec_" + ident(sd->name) + ".hist"
                                     : "stp_hspec_" + ident(sd->name);
    if (p.to_string) {
      std::string t = temp(Type::String);
      line("stp_hist_sprint(" + t + ", MAXSTRINGLEN, &" + d + ", &" + spec + ");");
      return {t, Type::String};
    }
    line("stp_hist_print(&" + d + ", &" + spec + ");");
    return {"((int64_t)0)", Type::Long};
  }
  std::string fmt;
  std::vector<Val> args;
  for (size_t i = 0; i < p.args.size(); ++i) {
    bool later = false;
    for (size_t j = i + 1; j < p.args.size(); ++j) later |= has_side_effects(p.args[j]);
    args.push_back(stable(p.args[i], later));
  }
  if (p.formatted) {
    for (const FormatComponent& fc : p.components) {
      if (fc.kind == FormatComponent::Literal) {
        fmt += unescape(fc.literal);  // already has its %% escapes
        continue;
      }
      if (fc.conv == '%') {
        fmt += "%%";
        continue;
      }
      fmt += '%';
      // Upstream takes one flag character; a 0 after it starts the width ("%+06d" is
      // "+" with width 6, not zero-padded), which pass 1 records as a second flag.
      std::string flags = fc.flags;
      if (flags.size() > 1 && flags.back() == '0') flags.pop_back();
      fmt += flags;
      if (fc.width == -2) fmt += '*';
      else if (fc.width >= 0) fmt += std::to_string(fc.width);
      if (fc.precision == -2) fmt += ".*";
      else if (fc.precision >= 0) fmt += "." + std::to_string(fc.precision);
      fmt += fc.conv;
    }
  } else {
    std::string delim = p.delimited ? format_literal(unescape(p.raw_format)) : "";
    size_t first = 0;
    for (size_t i = first; i < args.size(); ++i) {
      if (i > first && p.delimited) fmt += delim;
      fmt += args[i].type == Type::String ? "%s" : "%d";
    }
    if (p.newline) fmt += "\n";
  }
  // %m and %M read memory, which may fault.
  bool reads_memory = false;
  for (const FormatComponent& fc : p.components)
    if (fc.kind == FormatComponent::Conversion && (fc.conv == 'm' || fc.conv == 'M')) reads_memory = true;
  std::string arr = "NULL";
  if (!args.empty()) {
    arr = temp_raw("union stp_arg", "[" + std::to_string(args.size()) + "]");
    for (size_t i = 0; i < args.size(); ++i)
      line(arr + "[" + std::to_string(i) + "]." + (args[i].type == Type::String ? "s" : "n") +
           " = " + args[i].c + ";");
  }
  if (p.to_string) {
    std::string t = temp(Type::String);
    line("stp_format(c, " + t + ", MAXSTRINGLEN, " + c_string(fmt) + ", " + arr + ", " +
         std::to_string(args.size()) + ");");
    if (reads_memory) check(p.tok);
    return {t, Type::String};
  }
  line("stp_print_format(c, " + c_string(fmt) + ", " + arr + ", " + std::to_string(args.size()) +
       ");");
  if (reads_memory) check(p.tok);
  return {"((int64_t)0)", Type::Long};
}

// ---------------------------------------------------------------------------------------
// s =~ "RE", s !~ "RE": the pattern becomes a static program (stap/kmod/regex_compile.h)
// that the runtime's matcher runs; the result stays in the context for matched().

Val Translator::regex_match(Regex& r) {
  std::string pattern = unescape(r.re->str);
  auto it = regex_names_.find(pattern);
  if (it == regex_names_.end()) {
    RegexProgram prog;
    std::string error;
    if (!compile_regex(pattern, &prog, &error)) throw Unsupported{error, r.re->tok};
    std::string name = "stp_regex_" + std::to_string(regex_names_.size());
    std::string comment = c_string(pattern);
    for (size_t p = comment.find("*/"); p != std::string::npos; p = comment.find("*/"))
      comment.replace(p, 2, "*\\/");
    regex_c_ += regex_program_c(prog, name, comment);
    regex_max_insts_ = std::max(regex_max_insts_, prog.code.size());
    regex_max_groups_ = std::max(regex_max_groups_, prog.ngroups);
    it = regex_names_.emplace(pattern, name).first;
  }
  Val s = expr(r.left);
  std::string call = "stp_regex_match(c, &" + it->second + ", " + s.c + ")";
  return {"((int64_t)" + std::string(r.op == "!~" ? "!" : "") + call + ")", Type::Long};
}

// ---------------------------------------------------------------------------------------

bool Translator::run(std::string* out) {
  struct HistFinder : TraversingVisitor {
    using TraversingVisitor::visit;
    std::multimap<const VarDecl*, const HistOp*>* out;
    std::map<const VarDecl*, int>* shifts;
    static const VarDecl* stat_decl(Expr* e) {
      if (e->kind == ExprKind::Symbol) return static_cast<Symbol*>(e)->decl;
      if (e->kind == ExprKind::ArrayIndex && static_cast<ArrayIndex*>(e)->base)
        return static_cast<ArrayIndex*>(e)->base->decl;
      return nullptr;
    }
    std::set<const VarDecl*>* variance;
    std::set<const VarDecl*>* sum;
    std::set<const VarDecl*>* minmax;
    void note(const VarDecl* d, const std::string& op) {
      if (!d) return;
      if (op == "@variance") variance->insert(d);
      else if (op == "@sum" || op == "@avg") sum->insert(d);
      else if (op == "@min" || op == "@max") minmax->insert(d);
    }
    void visit(StatOp& s) override {
      const VarDecl* d = stat_decl(s.stat);
      if (d && s.op == "@variance" && s.bit_shift > 0) (*shifts)[d] = static_cast<int>(s.bit_shift);
      note(d, s.op);
      TraversingVisitor::visit(s);
    }
    void visit(ForeachLoop& f) override {
      if (f.base) note(f.base->decl, f.sort_aggregate);
      TraversingVisitor::visit(f);
    }
    void visit(HistOp& h) override {
      const VarDecl* d = nullptr;
      if (h.stat->kind == ExprKind::Symbol) d = static_cast<Symbol*>(h.stat)->decl;
      else if (h.stat->kind == ExprKind::ArrayIndex && static_cast<ArrayIndex*>(h.stat)->base)
        d = static_cast<ArrayIndex*>(h.stat)->base->decl;
      if (d) out->emplace(d, &h);
      TraversingVisitor::visit(h);
    }
  } hf;
  hf.out = &hist_ops_;
  hf.shifts = &variance_shift_;
  hf.variance = &variance_used_;
  hf.sum = &sum_used_;
  hf.minmax = &minmax_used_;
  for (FunctionDecl* f : p_.functions) visit_stmt(hf, f->body);
  for (DerivedProbe* p : p_.probes) visit_stmt(hf, p->body);
  try {
    declare_globals();
    compute_uses();
    struct NextFinder : TraversingVisitor {
      using TraversingVisitor::visit;
      bool found = false;
      void visit(NextStmt&) override { found = true; }
    };
    for (FunctionDecl* f : p_.functions) {
      NextFinder nf;
      visit_stmt(nf, f->body);
      if (nf.found) uses_next_.insert(f);
    }
    for (FunctionDecl* f : p_.functions) declare_function(f);
    for (FunctionDecl* f : p_.functions) emit_function(f);
    for (size_t i = 0; i < p_.probes.size(); ++i) emit_probe(i, p_.probes[i]);
    emit_tables();
  } catch (const Unsupported& u) {
    s_.diag.semantic_error(u.msg, u.tok);
    return false;
  }
  std::ostringstream o;
  o << "/* Generated by stap pass 3; see runtime/README.md for its shape. */\n";
  o << "#ifndef MAXNESTING\n#define MAXNESTING " << program_max_nesting(s_) << "\n#endif\n";
  if (s_.opts.timing) o << "#define STP_TIMING 1\n";
  // The runtime starts with small output buffers: what the begin, end and error probes
  // can print decides whether they need the full-size ones first (linux/transport.c).
  o << "#define STP_BEGIN_OUTPUT_BOUND " << output_bound(p_, s_.opts.defines, {"begin"})
    << "LL\n#define STP_END_OUTPUT_BOUND " << output_bound(p_, s_.opts.defines, {"end", "error"})
    << "LL\n";
  // Link-time addresses from the debuginfo (@var, DW_OP_addr) move with KASLR: the
  // runtime measures the shift on an exported function whose link address is known.
  // A module's data (STP_MODSYM) is found through the kernel's list of modules, whose
  // head is a vmlinux variable relocated the same way.
  const std::string code = probe_code_ + fn_code_;
  const bool modsym = code.find("STP_MODSYM(") != std::string::npos;
  // Defines MACRO as the link address of `symbol`, or reports `why` and fails.
  auto link_define = [&](const char* macro, const char* symbol, const char* why) {
    uint64_t addr = p_.kernel_info ? p_.kernel_info->link_address(symbol) : 0;
    if (!addr) {
      s_.diag.semantic_error(why, nullptr);
      return false;
    }
    char buf[64];
    snprintf(buf, sizeof buf, "0x%llxUL", static_cast<unsigned long long>(addr));
    o << "#define " << macro << " " << buf << "\n";
    return true;
  };
  if ((modsym || code.find("STP_RELOC(") != std::string::npos) &&
      !link_define("STP_RELOC_ANCHOR_LINK", "snprintf",
                   "cannot relocate kernel addresses: snprintf is not in the kernel's symbol table"))
    return false;
  if (modsym &&
      !link_define("STP_MODULES_LINK", "modules",
                   "cannot locate module data: the kernel's symbol table has no 'modules' list"))
    return false;
  // The kernel backtrace cache is reset for each hit only in a script whose embedded C
  // reads it (_stp_kstack_addr, _stp_snprint_kstack, _stp_print_kstack).
  bool kstack = code.find("kstack") != std::string::npos;
  for (EmbeddedStmt* e : p_.embeds) kstack = kstack || e->code.find("kstack") != std::string::npos;
  if (kstack) o << "#define STP_NEED_KSTACK 1\n";
  if (!regex_names_.empty())
    o << "#define STP_REGEX_MAXINST " << regex_max_insts_ << "\n#define STP_REGEX_MAXGROUPS "
      << regex_max_groups_ << "\n";
  o << "#include \"runtime.h\"\n#include \"stp_lang.h\"\n\n";
  for (EmbeddedStmt* e : p_.embeds) o << e->code << "\n";
  o << "\n/* frames */\n" << frames_;
  o << "union stp_frame {\n";
  for (const std::string& m : union_members_) o << "  " << m << "\n";
  if (union_members_.empty()) o << "  char unused;\n";
  o << "};\nstatic const size_t stp_frame_size = sizeof(union stp_frame);\n\n";
  o << "/* globals */\n" << globals_c_ << "\n";
  o << regex_c_;
  o << "/* where runtime errors happen */\n" << wheres_ << "\n";
  o << fn_protos_ << "\n" << fn_code_ << probe_code_;
  o << "/* tables */\n" << tables_ << "\n";
  o << "static int stp_script_init(void)\n{\n" << init_c_
    << "  return 0;\nfail: __attribute__((unused));\n" << exit_c_ << "  return -ENOMEM;\n}\n\n";
  o << "static void stp_script_exit(void)\n{\n" << exit_c_ << "}\n\n";
  o << "#include \"linux/module_main.c\"\n";
  *out = o.str();
  return true;
}

}  // namespace

int program_max_nesting(Session& s) {
  const Program& p = *s.program;
  std::map<const FunctionDecl*, std::set<FunctionDecl*>> calls;
  for (FunctionDecl* f : p.functions) {
    UseCollector u;
    if (f->body) f->body->accept(u);
    calls[f] = u.calls;
  }
  // Depth of the deepest call chain; a cycle means recursion.
  std::map<const FunctionDecl*, int> depth;
  bool recursive = false;
  std::set<const FunctionDecl*> on_stack;
  std::function<int(const FunctionDecl*)> walk = [&](const FunctionDecl* f) -> int {
    auto it = depth.find(f);
    if (it != depth.end()) return it->second;
    if (on_stack.count(f)) {
      recursive = true;
      return 0;
    }
    on_stack.insert(f);
    int d = 1;
    for (FunctionDecl* g : calls[f]) d = std::max(d, 1 + walk(g));
    on_stack.erase(f);
    depth[f] = d;
    return d;
  };
  int max = 0;
  for (FunctionDecl* f : p.functions) max = std::max(max, walk(f));
  return max + 1 + (recursive ? 10 : 0);
}

bool translate_program(Session& s, std::string* out) {
  Translator t(s);
  return t.run(out);
}

}  // namespace stap
