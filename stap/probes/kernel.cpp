// kernel.function("PAT[@FILE[:LINE]]") and module("M").function(...) with .call, .return,
// .return.maxactive(N), .exported, .inline; kprobe.function("F")[.return],
// kprobe.module("M").function("F")[.return], kprobe.statement(ADDR).absolute;
// kernel.trace("SYSTEM:EVENT").
//
// Each wildcard expands here, against what the kernel provides (debuginfo, BTF), into one
// derived probe per function or tracepoint, carrying a KernelProbe for pass 3.
#include <fnmatch.h>

#include <memory>
#include <string>

#include "stap/debuginfo/kernel_info.h"
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

// kernel.function and module().function.
std::vector<FamilyMatch> expand_function(const ProbeRegistry* reg, const FamilyMatch& m,
                                         std::string* error) {
  const bool is_module = m.components[0].functor == "module";
  const std::string module = is_module ? string_arg(m, "module") : "kernel";
  std::string spec = string_arg(m, "function");
  std::string pattern = spec, file;
  size_t at = spec.find('@');
  if (at != std::string::npos) {
    pattern = spec.substr(0, at);
    file = spec.substr(at + 1);
  }
  debuginfo::KernelInfo* info = reg->kernel_info();
  if (!info) {
    *error = missing_data_error(reg);
    return {};
  }
  const bool ret = has_component(m, "return");
  const bool exported = has_component(m, "exported");
  const bool inlined = has_component(m, "inline");
  std::vector<FamilyMatch> out;
  for (debuginfo::Function& fn : info->functions(pattern, module)) {
    if (!file.empty()) {
      std::string want = file.substr(0, file.find(':'));
      if (fn.decl_file.empty() || fnmatch(want.c_str(), fn.decl_file.c_str(), 0) != 0) continue;
    }
    if (exported && !(fn.exported || reg->kernel_exports(fn.name))) continue;
    if (inlined) continue;  // inline instances need DWARF, which lists them separately
    auto kp = std::make_shared<KernelProbe>();
    kp->kind = ret ? KernelProbe::Kretprobe : KernelProbe::Kprobe;
    kp->symbol = module == "kernel" ? fn.name : module + ":" + fn.name;
    kp->offset = fn.probe_offset;
    kp->maxactive = static_cast<int>(number_arg(m, "maxactive", -1));
    kp->target_vars = true;
    kp->vars = fn.params;
    kp->return_type = fn.ret;
    kp->has_return = ret && fn.has_proto && fn.ret != nullptr;
    kp->function = fn.name;
    kp->info = info;
    kp->module = module;
    FamilyMatch c = m;
    std::string where = fn.name;
    if (!fn.decl_file.empty())
      where += "@" + fn.decl_file + ":" + std::to_string(fn.decl_line);
    c.name = (is_module ? quoted_call("module", module) + "." : std::string("kernel.")) +
             quoted_call("function", where) + suffix_str(m, is_module ? 2 : 2);
    c.kernel = std::move(kp);
    out.push_back(std::move(c));
  }
  if (out.empty()) *error = "no match";
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
  ProbeFamilyPattern tr{"tracepoint", {{"kernel"}, {"trace", ArgKind::String}}, nullptr, false};
  tr.expand = [reg](const FamilyMatch& m, std::string* e) { return expand_trace(reg, m, e); };
  r.add(tr);
}

}  // namespace stap
