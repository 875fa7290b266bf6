#include "stap/probes/target_vars.h"

#include <string>
#include <vector>

#include "stap/debuginfo/kernel_info.h"
#include "stap/driver/session.h"
#include "stap/probes/kernel_probe.h"
#include "stap/sema/elaborate.h"

namespace stap {

namespace {

using debuginfo::Location;
using debuginfo::Type;
using debuginfo::TypeKind;

// Depth limit of $$ pretty printing, so self-referencing structs end.
constexpr int kPrettyDepth = 2;

// A place being walked: a value in a C expression, or an object at an address.
struct Place {
  bool in_memory = false;
  std::string c;  // the value (unsigned long) or the address
  const Type* type = nullptr;
  uint32_t bit_size = 0, bit_offset = 0;  // bit fields: within the byte at c
};

// Reads a scalar place as a signed 64-bit C value.
std::string scalar_value(const Place& p) {
  const Type* t = debuginfo::resolve(p.type);
  uint64_t size = t->kind == TypeKind::Pointer ? 8 : t->size;
  if (size == 0 || size > 8) size = 8;
  std::string raw;
  if (p.bit_size) {
    // A bit field: load the bytes that hold it, shift and mask.
    uint32_t bytes = (p.bit_offset + p.bit_size + 7) / 8;
    uint32_t load = bytes <= 1 ? 1 : bytes <= 2 ? 2 : bytes <= 4 ? 4 : 8;
    std::string v = "(STP_DEREF(" + std::to_string(load) + ", " + p.c + ") >> " +
                    std::to_string(p.bit_offset) + ")";
    std::string mask = "((1UL << " + std::to_string(p.bit_size) + ") - 1)";
    if (p.bit_size >= 64) mask = "~0UL";
    std::string u = "(" + v + " & " + mask + ")";
    if (t->is_signed && p.bit_size < 64)
      return "((int64_t)(" + u + " << " + std::to_string(64 - p.bit_size) + ") >> " +
             std::to_string(64 - p.bit_size) + ")";
    return "(int64_t)" + u;
  }
  raw = p.in_memory ? "STP_DEREF(" + std::to_string(size) + ", " + p.c + ")" : "(" + p.c + ")";
  if (t->kind == TypeKind::Pointer || size == 8) return "(int64_t)" + raw;
  std::string bits = std::to_string(size * 8);
  return std::string("(int64_t)(") + (t->is_signed ? "int" : "uint") + bits + "_t)" + raw;
}

bool is_scalar(const Type* t) {
  t = debuginfo::resolve(t);
  if (!t) return false;
  return t->kind == TypeKind::Int || t->kind == TypeKind::Enum ||
         t->kind == TypeKind::Pointer;
}

std::string aggregate_name(const Type* t) {
  t = debuginfo::resolve(t);
  if (!t) return "?";
  std::string kw = t->kind == TypeKind::Union ? "union " : "struct ";
  return kw + (t->name.empty() ? "{...}" : t->name);
}

std::string alternatives(const Type* agg) {
  std::string s;
  for (const debuginfo::Member& m : debuginfo::resolve(agg)->members) {
    if (m.name.empty()) continue;
    if (!s.empty()) s += " ";
    s += m.name;
  }
  return s;
}

// C statements that append the pretty form of place p (its type already known) to the
// string at `out`, limited by MAXSTRINGLEN.
void pretty(const Place& p, int depth, bool deep, std::string* code, std::string* err);

void append_fmt(std::string* code, const std::string& fmt, const std::string& arg) {
  *code += "stp_tv_append(o, " + fmt + (arg.empty() ? "" : ", " + arg) + ");\n";
}

void pretty_aggregate(const Place& p, int depth, bool deep, std::string* code, std::string* err) {
  const Type* t = debuginfo::resolve(p.type);
  append_fmt(code, "\"{\"", "");
  bool first = true;
  for (const debuginfo::Member& m : t->members) {
    if (!first) append_fmt(code, "\", \"", "");
    first = false;
    Place mp;
    mp.in_memory = true;
    mp.c = "(" + p.c + " + " + std::to_string(m.bit_offset / 8) + ")";
    mp.type = m.type;
    if (m.bit_size) {
      mp.bit_size = m.bit_size;
      mp.bit_offset = m.bit_offset % 8;
    }
    if (!m.name.empty()) append_fmt(code, "\"." + m.name + "=\"", "");
    pretty(mp, depth + 1, deep, code, err);
  }
  append_fmt(code, "\"}\"", "");
}

void pretty(const Place& p, int depth, bool deep, std::string* code, std::string* err) {
  const Type* t = debuginfo::resolve(p.type);
  if (!t) {
    append_fmt(code, "\"?\"", "");
    return;
  }
  switch (t->kind) {
    case TypeKind::Int:
    case TypeKind::Enum:
      if (t->is_char && !p.bit_size)
        append_fmt(code, "\"'%c'\"", "(int)" + scalar_value(p));
      else
        append_fmt(code, t->is_signed ? "\"%lld\"" : "\"%llu\"",
                   "(long long)" + scalar_value(p));
      return;
    case TypeKind::Pointer: {
      const Type* to = debuginfo::resolve(t->ref);
      if (to && to->kind == TypeKind::Int && to->is_char) {
        // char *: the string it points to, quoted, or the pointer when unreadable.
        *code += "stp_tv_append_kstring(c, o, " + scalar_value(p) + ");\n";
        return;
      }
      append_fmt(code, "\"0x%llx\"", "(unsigned long long)" + scalar_value(p));
      return;
    }
    case TypeKind::Array: {
      const Type* el = debuginfo::resolve(t->ref);
      if (el && el->kind == TypeKind::Int && el->is_char) {
        *code += "stp_tv_append_kstring(c, o, (int64_t)(" + p.c + "));\n";
        return;
      }
      if (depth >= kPrettyDepth || !deep || !el || t->count == 0 || t->count > 16) {
        append_fmt(code, "\"[...]\"", "");
        return;
      }
      append_fmt(code, "\"[\"", "");
      for (uint64_t i = 0; i < t->count; ++i) {
        if (i) append_fmt(code, "\", \"", "");
        Place e;
        e.in_memory = true;
        e.c = "(" + p.c + " + " + std::to_string(i * el->size) + ")";
        e.type = t->ref;
        pretty(e, depth + 1, deep, code, err);
      }
      append_fmt(code, "\"]\"", "");
      return;
    }
    case TypeKind::Struct:
    case TypeKind::Union:
      if (depth > 0 && (!deep || depth >= kPrettyDepth)) {
        append_fmt(code, "\"{...}\"", "");
        return;
      }
      if (!p.in_memory) {
        append_fmt(code, "\"{...}\"", "");
        return;
      }
      pretty_aggregate(p, depth, deep, code, err);
      return;
    default:
      append_fmt(code, "\"?\"", "");
      return;
  }
}

class Resolver : public TraversingVisitor {
 public:
  using TraversingVisitor::visit;
  Resolver(Session& s, DerivedProbe& d, const std::function<debuginfo::KernelInfo*()>& kernel)
      : s_(s), kernel_(kernel), kp_(d.match.kernel.get()) {}

  void visit(TargetSymbol& e) override {
    TraversingVisitor::visit(e);
    std::string why;
    e.code = resolve_symbol(e, &why);
    if (!e.code) e.unresolved = why;
  }

  void visit(Cast& e) override {
    TraversingVisitor::visit(e);
    std::string why;
    e.code = resolve_cast(e, &why);
    if (!e.code) e.unresolved = why;
  }

  void visit(AtVar& e) override {
    TraversingVisitor::visit(e);
    std::string why;
    e.code = resolve_atvar(e, &why);
    if (!e.code) e.unresolved = why;
  }

  void visit(Defined& e) override {
    // Resolve the operand quietly: @defined is how a script asks.
    ++in_defined_;
    TraversingVisitor::visit(e);
    --in_defined_;
    e.value = defined(e.operand) ? 1 : 0;
  }

  void visit(Entry& e) override {
    // What @entry's operand reads is read at entry anyway: no slots of its own.
    ++in_entry_;
    TraversingVisitor::visit(e);
    --in_entry_;
    if (kp_ && kp_->kind == KernelProbe::Kretprobe) e.slot = next_slot_++;
  }

  void visit(Assign& a) override {
    TraversingVisitor::visit(a);
    TargetCode* code = nullptr;
    if (a.left->kind == ExprKind::TargetSymbol) code = static_cast<TargetSymbol*>(a.left)->code;
    if (a.left->kind == ExprKind::Cast) code = static_cast<Cast*>(a.left)->code;
    if (!code) return;
    if (!s_.opts.guru) {
      s_.diag.semantic_error("write to target variable not permitted; need stap -g", a.left->tok);
      return;
    }
    if (code->write.empty() || code->entry_slot >= 0)
      s_.diag.semantic_error("target variable cannot be written here", a.left->tok);
  }

  void visit(Ternary& e) override {
    TraversingVisitor::visit(e);
    // A branch @defined rules out is never taken; keep it typeable but unreachable.
    int v = defined_value(e.cond);
    if (v == 1) e.no = e.yes;
    if (v == 0) e.yes = e.no;
  }

  void visit(IfStmt& st) override {
    TraversingVisitor::visit(st);
    int v = defined_value(st.cond);
    if (v == 1) st.else_stmt = nullptr;
    if (v == 0) st.then_stmt = s_.arena.make<NullStmt>(st.tok);
  }

 private:
  static int defined_value(Expr* e) {
    if (!e) return -1;
    if (e->kind == ExprKind::Defined) return static_cast<Defined*>(e)->value;
    if (e->kind == ExprKind::Unary && static_cast<Unary*>(e)->op == "!") {
      int v = defined_value(static_cast<Unary*>(e)->operand);
      return v < 0 ? -1 : !v;
    }
    return -1;
  }

  static bool defined(Expr* e) {
    if (!e) return false;
    switch (e->kind) {
      case ExprKind::TargetSymbol: return static_cast<TargetSymbol*>(e)->code != nullptr;
      case ExprKind::Cast: return static_cast<Cast*>(e)->code != nullptr;
      case ExprKind::AtVar: return static_cast<AtVar*>(e)->code != nullptr;
      default: return true;
    }
  }

  bool return_probe() const { return kp_ && kp_->kind == KernelProbe::Kretprobe; }

  // Walks the components from a starting place into a TargetCode.
  TargetCode* access(Place p, std::vector<Component>& comps, bool addressof, bool writable,
                     const std::string& name, std::string* why, std::vector<Expr*> inputs = {}) {
    auto* code = s_.arena.make<TargetCode>();
    code->inputs = std::move(inputs);
    std::string reg_write;  // a value in a register: how to store to it
    if (!p.in_memory && p.c.rfind("STP_REG(", 0) == 0) reg_write = "STP_SET_REG(" + p.c.substr(8);
    for (Component& comp : comps) {
      const Type* t = debuginfo::resolve(p.type);
      if (!t) {
        *why = "unknown type of " + name;
        return nullptr;
      }
      reg_write.clear();
      if (comp.kind == Component::PrettyPrint) {
        *why = "pretty printing must come last";
        return nullptr;
      }
      if (comp.kind == Component::Member) {
        if (t->kind == TypeKind::Pointer) {
          const Type* to = debuginfo::resolve(t->ref);
          if (!to || (to->kind != TypeKind::Struct && to->kind != TypeKind::Union)) {
            *why = "member '" + comp.member + "' of a pointer to a non-struct";
            return nullptr;
          }
          p.c = "(unsigned long)" + scalar_value(p);
          p.in_memory = true;
          p.type = t->ref;
          t = to;
        }
        if (t->kind != TypeKind::Struct && t->kind != TypeKind::Union) {
          *why = "'" + comp.member + "' is not a member of a struct or union";
          return nullptr;
        }
        if (!p.in_memory) {
          *why = "a struct held in registers cannot be dereferenced";
          return nullptr;
        }
        debuginfo::Member m;
        if (!debuginfo::find_member(t, comp.member, &m)) {
          *why = "unable to find member '" + comp.member + "' for " + aggregate_name(t) +
                 " (alternatives: " + alternatives(t) + ")";
          return nullptr;
        }
        p.c = "(" + p.c + " + " + std::to_string(m.bit_offset / 8) + ")";
        p.type = m.type;
        p.bit_size = m.bit_size;
        p.bit_offset = m.bit_size ? m.bit_offset % 8 : 0;
        continue;
      }
      // Index
      std::string idx;
      if (comp.index && comp.index->kind == ExprKind::Literal &&
          !static_cast<Literal*>(comp.index)->is_string) {
        idx = std::to_string(static_cast<Literal*>(comp.index)->num);
      } else {
        idx = "(int64_t)@I" + std::to_string(code->inputs.size()) + "@";
        code->inputs.push_back(comp.index);
      }
      const Type* el = nullptr;
      std::string base;
      if (t->kind == TypeKind::Pointer) {
        el = t->ref;
        base = "(unsigned long)" + scalar_value(p);
      } else if (t->kind == TypeKind::Array && p.in_memory) {
        el = t->ref;
        base = p.c;
      } else {
        *why = "cannot index " + debuginfo::type_name(p.type);
        return nullptr;
      }
      const Type* rel = debuginfo::resolve(el);
      uint64_t esize = rel ? (rel->kind == TypeKind::Pointer ? 8 : rel->size) : 0;
      if (esize == 0) {
        *why = "cannot index an array of unknown element size";
        return nullptr;
      }
      p.c = "(" + base + " + " + idx + " * " + std::to_string(esize) + ")";
      p.in_memory = true;
      p.type = el;
      p.bit_size = 0;
    }
    const Type* t = debuginfo::resolve(p.type);
    if (addressof) {
      if (!p.in_memory || p.bit_size) {
        *why = "cannot take the address of " + name;
        return nullptr;
      }
      code->read = "@R@ = (int64_t)(" + p.c + ");";
      return code;
    }
    if (!t) {
      *why = "unknown type of " + name;
      return nullptr;
    }
    if (t->kind == TypeKind::Array) {
      // An array reads as its address, as a pointer would.
      if (!p.in_memory) {
        *why = "an array held in registers";
        return nullptr;
      }
      code->read = "@R@ = (int64_t)(" + p.c + ");";
      return code;
    }
    if (t->kind == TypeKind::Struct || t->kind == TypeKind::Union) {
      *why = aggregate_name(t) + " '" + name + "' is being accessed instead of a member";
      return nullptr;
    }
    if (!is_scalar(t)) {
      *why = "type of " + name + " is not supported (" + debuginfo::type_name(p.type) + ")";
      return nullptr;
    }
    code->read = "@R@ = " + scalar_value(p) + ";";
    if (writable) {
      uint64_t size = t->kind == TypeKind::Pointer ? 8 : t->size;
      if (p.in_memory && !p.bit_size)
        code->write = "STP_WRITE(" + std::to_string(size) + ", " + p.c + ", @V@);";
      else if (!reg_write.empty())
        code->write = reg_write.substr(0, reg_write.size() - 1) + ", @V@);";
    }
    return code;
  }

  // $name$ / $name$$: the value pretty printed as a string.
  TargetCode* pretty_access(Place p, std::vector<Component>& comps, const std::string& name,
                            std::string* why) {
    bool deep = comps.back().member == "$$";
    std::vector<Component> walk(comps.begin(), comps.end() - 1);
    // Walk to the place first (reusing the scalar walker's logic for the path).
    TargetCode* path = nullptr;
    Place end = p;
    if (!walk.empty()) {
      path = access(p, walk, true, false, name, why);
      if (!path) {
        // The last component may be a struct value held in memory: walk again for it.
        return nullptr;
      }
      // access() with addressof gives "@R@ = (int64_t)(ADDR);"
      std::string r = path->read;
      end.in_memory = true;
      end.c = r.substr(std::string("@R@ = (int64_t)(").size(),
                       r.size() - std::string("@R@ = (int64_t)(").size() - 2);
      end.type = find_type_after(p.type, walk);
    }
    auto* code = s_.arena.make<TargetCode>();
    if (path) code->inputs = path->inputs;
    code->is_string = true;
    std::string body;
    const Type* t = debuginfo::resolve(end.type);
    Place target = end;
    if (t && t->kind == TypeKind::Pointer) {
      const Type* to = debuginfo::resolve(t->ref);
      if (to && (to->kind == TypeKind::Struct || to->kind == TypeKind::Union)) {
        target.c = "(unsigned long)" + scalar_value(end);
        target.in_memory = true;
        target.type = t->ref;
      }
    }
    pretty(target, 0, deep, &body, why);
    code->read = "{ struct stp_tv_out o_, *o = &o_; stp_tv_begin(o, @R@);\n" + body + "}";
    return code;
  }

  // The type reached by walking comps from t (only used after a successful walk).
  static const Type* find_type_after(const Type* t, const std::vector<Component>& comps) {
    for (const Component& c : comps) {
      const Type* r = debuginfo::resolve(t);
      if (!r) return nullptr;
      if (c.kind == Component::Member) {
        if (r->kind == TypeKind::Pointer) r = debuginfo::resolve(r->ref);
        debuginfo::Member m;
        if (!r || !debuginfo::find_member(r, c.member, &m)) return nullptr;
        t = m.type;
      } else {
        t = r->ref;
      }
    }
    return t;
  }

  // $$parms, $$locals, $$vars, $$return (with an optional $ or $$ suffix).
  TargetCode* multi(TargetSymbol& e, std::string* why) {
    std::string base = e.name;
    bool pretty_each = false, deep = false;
    if (!e.components.empty()) {
      if (e.components.size() != 1 || e.components[0].kind != Component::PrettyPrint) {
        *why = "invalid use of " + e.name;
        return nullptr;
      }
      pretty_each = true;
      deep = e.components[0].member == "$$";
    }
    auto* code = s_.arena.make<TargetCode>();
    code->is_string = true;
    std::string body;
    bool first = true;
    auto add = [&](const std::string& nm, const Place& p, bool available) {
      append_fmt(&body, std::string("\"") + (first ? "" : " ") + nm + "=\"", "");
      first = false;
      if (!available) {
        append_fmt(&body, "\"?\"", "");
        return;
      }
      const Type* t = debuginfo::resolve(p.type);
      if (pretty_each) {
        Place target = p;
        if (t && t->kind == TypeKind::Pointer) {
          const Type* to = debuginfo::resolve(t->ref);
          if (to && (to->kind == TypeKind::Struct || to->kind == TypeKind::Union)) {
            target.c = "(unsigned long)" + scalar_value(p);
            target.in_memory = true;
            target.type = t->ref;
          }
        }
        pretty(target, 0, deep, &body, why);
        return;
      }
      if (!t || !is_scalar(t)) {
        append_fmt(&body, "\"{...}\"", "");
        return;
      }
      if (kp_ && kp_->kind == KernelProbe::Tracepoint && t->kind == TypeKind::Pointer)
        append_fmt(&body, "\"%p\"", "(void *)(unsigned long)" + scalar_value(p));
      else
        append_fmt(&body, "\"0x%llx\"", "(unsigned long long)" + scalar_value(p));
    };
    const bool want_parms = base == "$$parms" || base == "$$vars";
    const bool want_locals = base == "$$locals" || base == "$$vars";
    if (base == "$$return") {
      if (!return_probe()) {
        *why = "$$return is only available in .return probes";
        return nullptr;
      }
      if (kp_->has_return) {
        Place p;
        p.c = "STP_REG(0)";
        p.type = kp_->return_type;
        add("return", p, true);
      }
    } else if (want_parms || want_locals) {
      for (const debuginfo::Variable& v : kp_->vars) {
        if (v.is_param ? !want_parms : !want_locals) continue;
        Place p;
        p.in_memory = v.loc.kind == Location::Memory;
        p.c = v.loc.c;
        p.type = v.type;
        add(v.name, p, v.loc.kind != Location::Unavailable && v.type);
      }
    } else {
      *why = "unknown target variable " + base;
      return nullptr;
    }
    code->read = "{ struct stp_tv_out o_, *o = &o_; stp_tv_begin(o, @R@);\n" + body + "}";
    if (return_probe() && base != "$$return") code_at_entry(code, e);
    return code;
  }

  // In a .return probe, parameters are read when the function is entered.
  void code_at_entry(TargetCode* code, const TargetSymbol& e) {
    if (in_entry_ > 0 || in_defined_ > 0) return;
    if (!code->inputs.empty()) return;  // an index computed in the handler: read it there
    code->entry_slot = next_slot_++;
    s_.diag.warning("confusing usage, value is captured as @entry(" + e.name +
                        ") in .return probe [man stapprobes] RETURN PROBES",
                    e.tok);
  }

  TargetCode* resolve_symbol(TargetSymbol& e, std::string* why) {
    if (!kp_ || !kp_->target_vars) {
      *why = "";
      return nullptr;
    }
    if (e.name == "$$name" || e.name == "$$system") {
      if (kp_->kind != KernelProbe::Tracepoint) {
        *why = "";
        return nullptr;
      }
      auto* code = s_.arena.make<TargetCode>();
      code->is_string = true;
      std::string v = e.name == "$$name" ? kp_->tp_name : kp_->tp_system;
      code->read = "stp_lang_strcpy(@R@, \"" + v + "\");";
      return code;
    }
    if (e.name.rfind("$$", 0) == 0) return multi(e, why);
    std::string nm = e.name.substr(1);
    Place p;
    if (nm == "return") {
      if (!return_probe() || !kp_->has_return) {
        *why = "";
        return nullptr;
      }
      p.c = "STP_REG(0)";
      p.type = kp_->return_type;
    } else {
      const debuginfo::Variable* var = nullptr;
      for (const debuginfo::Variable& v : kp_->vars)
        if (v.name == nm) var = &v;
      if (!var) {
        std::string alts;
        for (const debuginfo::Variable& v : kp_->vars) alts += (alts.empty() ? "$" : ", $") + v.name;
        *why = "unable to find local '" + nm + "', [man error::dwarf] in " + kp_->function +
               (alts.empty() ? "" : " (alternatives: " + alts + ")");
        return nullptr;
      }
      if (var->loc.kind == Location::Unavailable || !var->type) {
        *why = "not accessible at this address [man error::dwarf] ('" + nm + "' in " +
               kp_->function + ")";
        return nullptr;
      }
      p.in_memory = var->loc.kind == Location::Memory;
      p.c = var->loc.c;
      p.type = var->type;
    }
    TargetCode* code;
    if (!e.components.empty() && e.components.back().kind == Component::PrettyPrint)
      code = pretty_access(p, e.components, e.name, why);
    else
      code = access(p, e.components, e.addressof, kp_->kind != KernelProbe::Tracepoint, e.name,
                    why);
    if (code && return_probe() && nm != "return") code_at_entry(code, e);
    return code;
  }

  // @var("name@file"[, "module"]): a global variable, found in the debuginfo.
  TargetCode* resolve_atvar(AtVar& e, std::string* why) {
    debuginfo::KernelInfo* info = kp_ && kp_->info ? kp_->info : kernel_();
    std::string module = e.module.empty() ? (kp_ ? kp_->module : "kernel") : e.module;
    debuginfo::Variable v;
    if (!info || !info->global_variable(e.target_name, e.cu, module, &v)) {
      std::string hint = info ? info->missing_hint() : std::string();
      *why = "unable to find global '" + e.target_name + "' in " + module +
             (e.cu.empty() ? "" : ", in " + e.cu) + (hint.empty() ? "" : ": " + hint);
      return nullptr;
    }
    Place p;
    p.in_memory = true;
    p.c = v.loc.c;
    p.type = v.type;
    std::string name = "@var(\"" + e.target_name + "\")";
    if (!e.components.empty() && e.components.back().kind == Component::PrettyPrint)
      return pretty_access(p, e.components, name, why);
    return access(p, e.components, e.addressof, true, name, why);
  }

  TargetCode* resolve_cast(Cast& e, std::string* why) {
    debuginfo::KernelInfo* info = kp_ && kp_->info ? kp_->info : kernel_();
    if (!info) {
      *why = "type information for '" + e.type_name + "' is not available";
      return nullptr;
    }
    std::string module = e.module;
    // "kernel<linux/sched.h>" and "<header>" name headers; the kernel's own types cover
    // what they declare.
    size_t lt = module.find('<');
    if (lt != std::string::npos) module = module.substr(0, lt);
    if (module.empty()) module = kp_ ? kp_->module : "kernel";
    std::string spelling = e.type_name;
    const Type* t = info->find_type(spelling, module);
    if (!t && spelling.find(' ') == std::string::npos) t = info->find_type("struct " + spelling, module);
    if (!t) {
      *why = "type definition '" + e.type_name + "' not found in '" + (e.module.empty() ? "kernel" : e.module) + "'";
      return nullptr;
    }
    // The operand is an address of an object of type t.
    Place p;
    p.in_memory = true;
    p.c = "(unsigned long)@I0@";
    p.type = t;
    std::vector<Expr*> inputs = {e.operand};
    if (!e.components.empty() && e.components.back().kind == Component::PrettyPrint) {
      TargetCode* c = pretty_access(p, e.components, "@cast", why);
      if (c) c->inputs.insert(c->inputs.begin(), e.operand);
      return c;
    }
    if (e.components.empty() && !e.addressof) {
      *why = aggregate_name(t) + " '@cast' is being accessed instead of a member";
      return nullptr;
    }
    return access(p, e.components, e.addressof, true, "@cast", why, inputs);
  }

 public:
  int next_slot_ = 0;
  int in_entry_ = 0, in_defined_ = 0;

 private:
  Session& s_;
  const std::function<debuginfo::KernelInfo*()>& kernel_;
  const KernelProbe* kp_;
};

}  // namespace

void resolve_target_vars(Session& s, DerivedProbe& d,
                         const std::function<debuginfo::KernelInfo*()>& kernel) {
  Resolver r(s, d, kernel);
  visit_stmt(r, d.body);
  if (d.condition) visit_expr(r, d.condition);
  d.entry_slots = r.next_slot_;
}

void resolve_function_target_vars(Session& s, FunctionDecl& f,
                                  const std::function<debuginfo::KernelInfo*()>& kernel) {
  // A function has no probe context: only @cast (and @defined over it) can resolve,
  // against the kernel's types; a $var stays unresolved and is reported when used.
  DerivedProbe none;
  Resolver r(s, none, kernel);
  visit_stmt(r, f.body);
}

}  // namespace stap
