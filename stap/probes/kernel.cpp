// kernel.function("PAT[@FILE[:LINE]]") and module("M").function(...) with .call, .return,
// .return.maxactive(N), .exported, .inline, .label("L"); kprobe.function("F")[.return],
// kprobe.module("M").function("F")[.return], kprobe.statement(ADDR).absolute;
// kernel.trace("SYSTEM:EVENT").
//
// Each wildcard expands here, against what the kernel provides (debuginfo, BTF), into one
// derived probe per function or tracepoint, carrying a KernelProbe for pass 3.

#include <memory>
#include <set>
#include <string>

#include "stap/debuginfo/kernel_info.h"
#include "stap/probes/blocklist.h"
#include "stap/probes/families.h"
#include "stap/probes/kernel_probe.h"

namespace stap {

namespace {

// "kernel.function(\"x\")" and the like.
std::string quoted_call(const std::string& functor, const std::string& arg) {
  return functor + "(\"" + arg + "\")";
}

// The suffix components after the function(...) one, as -p2 and pp() spell them.
std::string suffix_str(const FamilyMatch& m, size_t from) {
  std::string s;
  for (size_t i = from; i < m.components.size(); ++i) {
    const ProbePointComponent& c = m.components[i];
    s += "." + c.functor;
    if (c.arg) s += "(" + (c.arg->is_string ? "\"" + c.arg->str + "\"" : std::to_string(c.arg->num)) + ")";
  }
  return s;
}

bool has_component(const FamilyMatch& m, const char* functor) {
  for (const ProbePointComponent& c : m.components)
    if (c.functor == functor) return true;
  return false;
}

int64_t number_arg(const FamilyMatch& m, const char* functor, int64_t dflt) {
  auto it = m.args.find(functor);
  return it == m.args.end() || it->second->is_string ? dflt : it->second->num;
}

std::string string_arg(const FamilyMatch& m, const char* functor) {
  auto it = m.args.find(functor);
  return it == m.args.end() ? std::string() : it->second->str;
}

std::string missing_data_error(const ProbeRegistry* reg) {
  debuginfo::KernelInfo* info = reg->kernel_info();
  std::string hint = info ? info->missing_hint() : std::string();
  return hint.empty() ? "no match" : hint;
}

// "PATTERN[@FILE[:LINE]]" with LINE one number, "N-M" or "*".
struct FunctionSpec {
  std::string pattern, file;
  int line_lo = 0, line_hi = 0;  // 0: any
  bool ok = true;
};

FunctionSpec parse_spec(const std::string& spec) {
  FunctionSpec f;
  size_t at = spec.find('@');
  f.pattern = spec.substr(0, at);
  if (at == std::string::npos) return f;
  std::string rest = spec.substr(at + 1);
  size_t colon = rest.rfind(':');
  f.file = rest.substr(0, colon);
  if (colon == std::string::npos) return f;
  std::string lines = rest.substr(colon + 1);
  if (lines == "*" || lines.empty()) return f;
  size_t dash = lines.find('-');
  try {
    f.line_lo = std::stoi(lines.substr(0, dash));
    f.line_hi = dash == std::string::npos ? f.line_lo : std::stoi(lines.substr(dash + 1));
  } catch (...) {
    f.ok = false;
  }
  return f;
}

using debuginfo::file_matches;

std::shared_ptr<KernelProbe> make_probe(const debuginfo::Function& fn, const std::string& module,
                                        bool ret, debuginfo::KernelInfo* info, const FamilyMatch& m) {
  auto kp = std::make_shared<KernelProbe>();
  kp->kind = ret ? KernelProbe::Kretprobe : KernelProbe::Kprobe;
  const std::string& sym = fn.symbol.empty() ? fn.name : fn.symbol;
  kp->symbol = module == "kernel" ? sym : module + ":" + sym;
  kp->offset = fn.probe_offset;
  kp->maxactive = static_cast<int>(number_arg(m, "maxactive", -1));
  kp->target_vars = true;
  kp->vars = fn.params;
  kp->return_type = fn.ret;
  kp->has_return = ret && fn.has_proto && fn.ret != nullptr;
  kp->function = fn.name;
  kp->info = info;
  kp->module = module;
  return kp;
}

std::string where_str(const std::string& name, const std::string& file, int line) {
  std::string w = name;
  if (!file.empty()) w += "@" + file;
  if (!file.empty() && line > 0) w += ":" + std::to_string(line);
  return w;
}

// What kernel.function("SPEC") and module("M").function("SPEC") ask about.
struct FunctionQuery {
  bool is_module = false;
  std::string module;  // "kernel" for vmlinux
  FunctionSpec spec;
  debuginfo::KernelInfo* info = nullptr;
};

// False with *error set when SPEC is malformed or the kernel cannot be asked.
bool function_query(const ProbeRegistry* reg, const FamilyMatch& m, FunctionQuery* q,
                    std::string* error) {
  q->is_module = m.components[0].functor == "module";
  q->module = q->is_module ? string_arg(m, "module") : "kernel";
  q->spec = parse_spec(string_arg(m, "function"));
  q->info = reg->kernel_info();
  if (q->info && q->spec.ok) return true;
  *error = q->spec.ok ? missing_data_error(reg) : "no match";
  return false;
}

// kernel.function and module().function.
std::vector<FamilyMatch> expand_function(const ProbeRegistry* reg, const FamilyMatch& m,
                                         std::string* error) {
  FunctionQuery q;
  if (!function_query(reg, m, &q, error)) return {};
  const bool is_module = q.is_module;
  const std::string& module = q.module;
  const FunctionSpec& spec = q.spec;
  debuginfo::KernelInfo* info = q.info;
  const bool ret = has_component(m, "return");
  const bool call = has_component(m, "call");
  const bool exported = has_component(m, "exported");
  const bool inlined = has_component(m, "inline");
  std::vector<debuginfo::Function> fns;
  if (!inlined) fns = info->functions(spec.pattern, module);
  // Inline instances count as the function too, except where a call or a return
  // is asked for.
  if (!ret && !call && !exported) {
    for (debuginfo::Function& f : info->inline_functions(spec.pattern, module))
      fns.push_back(std::move(f));
  }
  std::vector<FamilyMatch> out;
  std::string refused, blocked;
  for (debuginfo::Function& fn : fns) {
    if (!file_matches(spec.file, fn.decl_file)) continue;
    if (spec.line_lo && (fn.decl_line < spec.line_lo || fn.decl_line > spec.line_hi)) continue;
    if (exported && !fn.exported) continue;  // both sources read Module.symvers
    if (function_blocklisted(fn.name, fn.decl_file)) {
      if (blocked.empty()) blocked = fn.name;
      continue;
    }
    // As upstream, a kprobe the kernel would refuse is not a match (a wildcard would
    // otherwise give a registration warning per function at run time).
    if (fn.kprobe_refused) {
      if (refused.empty()) refused = fn.name;
      continue;
    }
    FamilyMatch c = m;
    c.name = (is_module ? quoted_call("module", module) + "." : std::string("kernel.")) +
             quoted_call("function", where_str(fn.name, fn.decl_file, fn.decl_line)) +
             suffix_str(m, 2);
    c.kernel = make_probe(fn, module, ret, info, m);
    out.push_back(std::move(c));
  }
  if (out.empty()) {
    std::string hint = info->missing_hint();
    *error = !spec.file.empty() && hint.find("-dbg") != std::string::npos ? hint : "no match";
    if (!refused.empty())
      *error = "no match (the kernel refuses kprobes on " + refused +
               ": it is blacklisted or starts with a patched instruction)";
    else if (!blocked.empty())
      *error = "no match (" + blocked +
               " is one of the functions stap does not probe: probe handlers or the "
               "kprobe code use it themselves)";
  }
  return out;
}

// kernel.statement("FUNC@FILE:LINE"), ("*@FILE:LINE"), module("M").statement(...).
std::vector<FamilyMatch> expand_statement(const ProbeRegistry* reg, const FamilyMatch& m,
                                          std::string* error) {
  const bool is_module = m.components[0].functor == "module";
  const std::string module = is_module ? string_arg(m, "module") : "kernel";
  FunctionSpec spec = parse_spec(string_arg(m, "statement"));
  debuginfo::KernelInfo* info = reg->kernel_info();
  if (!info || !spec.ok || spec.file.empty()) {
    *error = "no match";
    return {};
  }
  std::vector<FamilyMatch> out;
  auto add_lines = [&](int lo, int hi) {
    for (debuginfo::Function& fn : info->statements(spec.pattern, spec.file, lo, hi, module)) {
      FamilyMatch c = m;
      // (.nearest is how the line was found, not part of where the probe is: upstream
      // leaves it out too.)
      c.name = (is_module ? quoted_call("module", module) + "." : std::string("kernel.")) +
               quoted_call("statement",
                           where_str(fn.name, fn.statement_file, fn.statement_line));
      c.kernel = make_probe(fn, module, false, info, m);
      out.push_back(std::move(c));
    }
  };
  add_lines(spec.line_lo, spec.line_hi);
  if (out.empty() && spec.line_lo && spec.line_lo == spec.line_hi) {
    // A line without code of its own: the lines around it that have some, in the
    // same functions; .nearest probes the closer one (the later on a tie), else the
    // error names them, as upstream's does.
    std::set<int> lines;
    for (const debuginfo::Function& fn : info->statements(spec.pattern, spec.file, 0, 0, module))
      lines.insert(fn.statement_line);
    auto after = lines.upper_bound(spec.line_lo);
    int lo = after != lines.begin() ? *std::prev(after) : 0;
    int hi = after != lines.end() ? *after : 0;
    if (has_component(m, "nearest") && (lo || hi)) {
      int pick = !lo ? hi : !hi ? lo : (hi - spec.line_lo <= spec.line_lo - lo ? hi : lo);
      add_lines(pick, pick);
    } else if (lo || hi) {
      std::string advice = lo && hi ? ":" + std::to_string(lo) + " or :" + std::to_string(hi)
                                    : ":" + std::to_string(lo ? lo : hi);
      *error = "no line records for " + spec.file + ":" + std::to_string(spec.line_lo) +
               " [man error::dwarf] (try " + advice + ")";
      return out;
    }
  }
  if (out.empty()) {
    std::string hint = info->missing_hint();
    *error = hint.find("-dbg") != std::string::npos ? hint : "no match";
  }
  return out;
}

// kernel.function("F[@FILE[:LINE]]").label("L") and module("M").function(...).label(...):
// a kprobe at each matching C label, with the variables in scope there. FILE and LINE
// select by where the label is, so a name -l prints finds its label again.
std::vector<FamilyMatch> expand_label(const ProbeRegistry* reg, const FamilyMatch& m,
                                      std::string* error) {
  FunctionQuery q;
  if (!function_query(reg, m, &q, error)) return {};
  std::vector<FamilyMatch> out;
  for (debuginfo::Function& fn : q.info->labels(q.spec.pattern, string_arg(m, "label"), q.module)) {
    if (!file_matches(q.spec.file, fn.statement_file)) continue;
    if (q.spec.line_lo &&
        (fn.statement_line < q.spec.line_lo || fn.statement_line > q.spec.line_hi))
      continue;
    FamilyMatch c = m;
    // As stap 4.8: pp() and -p2 name the function and line, -l and pn() add the label.
    c.name = (q.is_module ? quoted_call("module", q.module) + "." : std::string("kernel.")) +
             quoted_call("function", where_str(fn.name, fn.statement_file, fn.statement_line));
    c.listed_name = c.name + "." + quoted_call("label", fn.label);
    auto kp = make_probe(fn, q.module, false, q.info, m);
    kp->label = fn.label;
    c.kernel = std::move(kp);
    out.push_back(std::move(c));
  }
  if (out.empty()) {
    // Labels are known only from DWARF: without it, say which package has it.
    std::string hint = q.info->missing_hint();
    *error = hint.find("-dbg") != std::string::npos ? hint : "no match";
  }
  return out;
}

// kernel.function("F").callee("G"), .callees and .callees(N), and module("M")'s: the
// functions F calls, as stap 4.8 finds them in these kernels' DWARF: G's inline
// instances in F, each probed at its entry (so only calls from F fire). pp() names G,
// as -p2 does; -l and -L name both, F with .callee(G).
std::vector<FamilyMatch> expand_callee(const ProbeRegistry* reg, const FamilyMatch& m,
                                       std::string* error) {
  FunctionQuery q;
  if (!function_query(reg, m, &q, error)) return {};
  const bool callees = has_component(m, "callees");
  FunctionSpec cspec = parse_spec(callees ? std::string("*") : string_arg(m, "callee"));
  const int depth = callees ? static_cast<int>(number_arg(m, "callees", 1)) : 1;
  if (!cspec.ok || depth < 1) {
    *error = "no match";
    return {};
  }
  const std::string prefix =
      q.is_module ? quoted_call("module", q.module) + "." : std::string("kernel.");
  std::vector<FamilyMatch> out;
  for (debuginfo::Function& fn : q.info->callees(q.spec.pattern, cspec.pattern, depth, q.module)) {
    if (!file_matches(q.spec.file, fn.caller_file) || !file_matches(cspec.file, fn.decl_file))
      continue;
    if (q.spec.line_lo &&
        (fn.caller_line < q.spec.line_lo || fn.caller_line > q.spec.line_hi))
      continue;
    if (cspec.line_lo && (fn.decl_line < cspec.line_lo || fn.decl_line > cspec.line_hi))
      continue;
    if (function_blocklisted(fn.name, fn.decl_file)) continue;
    FamilyMatch c = m;
    const std::string callee = where_str(fn.name, fn.decl_file, fn.decl_line);
    c.name = prefix + quoted_call("function", callee);
    c.listed_name = prefix +
                    quoted_call("function", where_str(fn.caller_name, fn.caller_file,
                                                      fn.caller_line)) +
                    "." + quoted_call("callee", callee);
    c.kernel = make_probe(fn, q.module, false, q.info, m);
    out.push_back(std::move(c));
  }
  if (out.empty()) {
    // Callees are known only from DWARF: without it, say which package has it.
    std::string hint = q.info->missing_hint();
    *error = hint.find("-dbg") != std::string::npos ? hint : "no match";
  }
  return out;
}

// kprobe.function("F") and kprobe.module("M").function("F"): by symbol name, no
// target variables, no debuginfo needed.
std::vector<FamilyMatch> expand_kprobe(const FamilyMatch& m, std::string* error) {
  const bool is_module = m.components.size() > 1 && m.components[1].functor == "module";
  std::string fn = string_arg(m, "function");
  if (fn.empty() || fn.find_first_of("*?[") != std::string::npos) {
    *error = "no match";
    return {};
  }
  auto kp = std::make_shared<KernelProbe>();
  kp->kind = has_component(m, "return") ? KernelProbe::Kretprobe : KernelProbe::Kprobe;
  kp->module = is_module ? string_arg(m, "module") : "kernel";
  kp->symbol = is_module ? kp->module + ":" + fn : fn;
  kp->maxactive = static_cast<int>(number_arg(m, "maxactive", -1));
  kp->function = fn;
  FamilyMatch c = m;
  c.kernel = std::move(kp);
  return {c};
}

// kprobe.statement(ADDR).absolute (guru mode).
std::vector<FamilyMatch> expand_absolute(const FamilyMatch& m, std::string*) {
  auto kp = std::make_shared<KernelProbe>();
  kp->kind = KernelProbe::Kprobe;
  kp->address = static_cast<uint64_t>(number_arg(m, "statement", 0));
  FamilyMatch c = m;
  c.kernel = std::move(kp);
  return {c};
}

// kernel.trace("SYSTEM:EVENT") and kernel.trace("EVENT").
std::vector<FamilyMatch> expand_trace(const ProbeRegistry* reg, const FamilyMatch& m,
                                      std::string* error) {
  std::string spec = string_arg(m, "trace");
  std::string sys = "*", name = spec;
  size_t colon = spec.find(':');
  if (colon != std::string::npos) {
    sys = spec.substr(0, colon);
    name = spec.substr(colon + 1);
  }
  debuginfo::KernelInfo* info = reg->kernel_info();
  if (!info) {
    *error = missing_data_error(reg);
    return {};
  }
  std::vector<FamilyMatch> out;
  for (debuginfo::Tracepoint& tp : info->tracepoints(sys, name)) {
    auto kp = std::make_shared<KernelProbe>();
    kp->kind = KernelProbe::Tracepoint;
    kp->tp_system = tp.system;
    kp->tp_name = tp.name;
    kp->target_vars = true;
    kp->function = tp.name;
    kp->info = info;
    kp->module = tp.module;
    for (size_t i = 0; i < tp.args.size(); ++i) {
      debuginfo::Variable v;
      v.name = tp.args[i].name;
      v.type = tp.args[i].type;
      v.loc.kind = debuginfo::Location::Value;
      v.loc.c = "STP_TPARG(" + std::to_string(i) + ")";
      v.is_param = true;
      kp->vars.push_back(std::move(v));
    }
    FamilyMatch c = m;
    c.name = "kernel." + quoted_call("trace", tp.system.empty() ? tp.name : tp.system + ":" + tp.name);
    c.kernel = std::move(kp);
    out.push_back(std::move(c));
  }
  if (out.empty()) *error = "no match";
  return out;
}

}  // namespace

void register_kernel_families(ProbeRegistry& r) {
  const ProbeRegistry* reg = &r;
  auto fn_expand = [reg](const FamilyMatch& m, std::string* e) {
    return expand_function(reg, m, e);
  };
  using S = std::vector<PatternComponent>;
  const std::vector<S> fn_suffixes = {
      {},
      {{"call"}},
      {{"return"}},
      {{"return"}, {"maxactive", ArgKind::Number}},
      {{"exported"}},
      {{"inline"}},
      {{"call"}, {"exported"}},
      {{"exported"}, {"return"}},
  };
  for (const S& suf : fn_suffixes) {
    S k = {{"kernel"}, {"function", ArgKind::String}};
    k.insert(k.end(), suf.begin(), suf.end());
    ProbeFamilyPattern p{"kprobe", k, nullptr, false};
    p.expand = fn_expand;
    r.add(p);
    S mod = {{"module", ArgKind::String}, {"function", ArgKind::String}};
    mod.insert(mod.end(), suf.begin(), suf.end());
    ProbeFamilyPattern pm{"kprobe", mod, nullptr, false};
    pm.expand = fn_expand;
    r.add(pm);
  }
  const std::vector<S> kp_suffixes = {
      {},
      {{"call"}},
      {{"return"}},
      {{"return"}, {"maxactive", ArgKind::Number}},
  };
  for (const S& suf : kp_suffixes) {
    for (bool module : {false, true}) {
      S k = {{"kprobe"}};
      if (module) k.push_back({"module", ArgKind::String});
      k.push_back({"function", ArgKind::String});
      k.insert(k.end(), suf.begin(), suf.end());
      ProbeFamilyPattern p{"kprobe", k, nullptr, false};
      p.expand = expand_kprobe;
      r.add(p);
    }
  }
  ProbeFamilyPattern abs{"kprobe",
                         {{"kprobe"}, {"statement", ArgKind::Number}, {"absolute"}},
                         nullptr,
                         false};
  abs.expand = expand_absolute;
  abs.guru_only = true;
  r.add(abs);
  auto st_expand = [reg](const FamilyMatch& m, std::string* e) {
    return expand_statement(reg, m, e);
  };
  for (bool nearest : {false, true}) {
    S k = {{"kernel"}, {"statement", ArgKind::String}};
    S mod = {{"module", ArgKind::String}, {"statement", ArgKind::String}};
    if (nearest) {
      k.push_back({"nearest"});
      mod.push_back({"nearest"});
    }
    ProbeFamilyPattern p{"kprobe", k, nullptr, false};
    p.expand = st_expand;
    r.add(p);
    ProbeFamilyPattern pm{"kprobe", mod, nullptr, false};
    pm.expand = st_expand;
    r.add(pm);
  }
  auto label_expand = [reg](const FamilyMatch& m, std::string* e) {
    return expand_label(reg, m, e);
  };
  ProbeFamilyPattern kl{"kprobe",
                        {{"kernel"}, {"function", ArgKind::String}, {"label", ArgKind::String}},
                        nullptr,
                        false};
  kl.expand = label_expand;
  r.add(kl);
  auto callee_expand = [reg](const FamilyMatch& m, std::string* e) {
    return expand_callee(reg, m, e);
  };
  const std::vector<S> callee_suffixes = {
      {{"callee", ArgKind::String}},
      {{"callees"}},
      {{"callees", ArgKind::Number}},
  };
  for (const S& suf : callee_suffixes) {
    for (bool module : {false, true}) {
      S k = module ? S{{"module", ArgKind::String}, {"function", ArgKind::String}}
                   : S{{"kernel"}, {"function", ArgKind::String}};
      k.insert(k.end(), suf.begin(), suf.end());
      ProbeFamilyPattern p{"kprobe", k, nullptr, false};
      p.expand = callee_expand;
      r.add(p);
    }
  }
  ProbeFamilyPattern ml{"kprobe",
                        {{"module", ArgKind::String},
                         {"function", ArgKind::String},
                         {"label", ArgKind::String}},
                        nullptr,
                        false};
  ml.expand = label_expand;
  r.add(ml);
  ProbeFamilyPattern kabs{"kprobe",
                          {{"kernel"}, {"statement", ArgKind::Number}, {"absolute"}},
                          nullptr,
                          false};
  kabs.expand = expand_absolute;
  kabs.guru_only = true;
  r.add(kabs);
  ProbeFamilyPattern tr{"tracepoint", {{"kernel"}, {"trace", ArgKind::String}}, nullptr, false};
  tr.expand = [reg](const FamilyMatch& m, std::string* e) { return expand_trace(reg, m, e); };
  r.add(tr);
}

}  // namespace stap
