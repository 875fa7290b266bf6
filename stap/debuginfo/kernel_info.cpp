#include "stap/debuginfo/kernel_info.h"

#include <cstdio>
#include <optional>
#include <set>

#include "stap/debuginfo/btf_kernel_info.h"
#include "stap/debuginfo/dwarf.h"
#include "stap/debuginfo/trace_headers.h"

namespace stap::debuginfo {

namespace {

// The sources in priority order. DWARF, when the release's debuginfo is installed,
// answers first: it knows source files and lines, inlined functions, statements and
// locals, and spells probe points as upstream does. BTF, which every Debian kernel
// ships, answers the rest (tracepoints, and everything when there is no debuginfo).
class CombinedKernelInfo : public KernelInfo {
 public:
  CombinedKernelInfo(std::string release, std::string cache_dir)
      : release_(std::move(release)),
        cache_dir_(std::move(cache_dir)),
        btf_(release_, cache_dir_) {
    // Tracepoint argument names and systems come from the build tree's trace headers;
    // BTF says which tracepoints the kernel has and their types.
    std::string tree = "/lib/modules/" + release_ + "/build";
    std::string dir = cache_dir_;
    btf_.set_trace_names_loader([tree, dir] {
      TraceNameMap m;
      for (TraceDecl& d : scan_trace_headers_cached(tree, dir)) {
        if (m.count(d.name)) continue;
        TraceNames& tn = m[d.name];
        tn.system = d.system;
        for (auto& a : d.args) tn.args.push_back(a.second);
      }
      return m;
    });
  }

  std::vector<Function> functions(const std::string& glob, const std::string& module) override {
    hint_.clear();
    if (DwarfKernel* dw = dwarf(module)) {
      // A symbol DWARF does not describe (an alias such as __x64_sys_getpid, which is
      // __do_sys_getpid's address) is still a function BTF and the syscall table know.
      std::vector<Function> out = from_sites(dw->functions(glob, module, false), dw, false);
      // The cold parts GCC splits off functions (isofs_lookup.cold) have a symbol but no
      // DWARF function: stap 4.8 lists and probes them by the symbol's name.
      add_cold_parts(dw, glob, module, &out);
      if (!out.empty()) return out;
    }
    std::vector<Function> out = btf_.functions(glob, module);
    if (out.empty()) hint_ = btf_.missing_hint();
    return out;
  }

  std::vector<Function> inline_functions(const std::string& glob,
                                         const std::string& module) override {
    DwarfKernel* dw = dwarf(module);
    if (!dw) return {};
    std::vector<FunctionSite> sites;
    for (FunctionSite& s : dw->functions(glob, module, true))
      if (s.inlined) sites.push_back(std::move(s));
    return from_sites(std::move(sites), dw, true);
  }

  std::vector<Function> statements(const std::string& func_glob, const std::string& file,
                                   int line_lo, int line_hi, const std::string& module) override {
    hint_.clear();
    DwarfKernel* dw = dwarf(module);
    if (!dw) {
      hint_ = dwarf_hint_;
      return {};
    }
    std::vector<StatementSite> sites =
        line_lo ? dw->statements(func_glob, file, line_lo, line_hi, module)
                : dw->statements(func_glob, file, 0, module);
    std::vector<Function> out;
    for (StatementSite& s : sites)
      out.push_back(at_line(dw, s.function, module, s.at, s.inlined, s.file, s.line, s.object, s.die));
    return out;
  }

  std::vector<Function> labels(const std::string& func_glob, const std::string& label_glob,
                               const std::string& module) override {
    hint_.clear();
    DwarfKernel* dw = dwarf(module);
    if (!dw) {
      hint_ = dwarf_hint_;
      return {};
    }
    const bool vmlinux = module.empty() || module == "kernel";
    std::vector<Function> out;
    for (LabelSite& s : dw->labels(func_glob, label_glob, module)) {
      // A wildcard would otherwise give a registration failure per refused label.
      if (vmlinux && dw->kprobe_refused(s.at.addr)) continue;
      out.push_back(at_line(dw, s.function, module, s.at, s.inlined, s.file, s.line, s.object, s.die));
      out.back().label = s.label;
    }
    return out;
  }

  std::vector<Function> callees(const std::string& func_glob, const std::string& callee_glob,
                                int depth, const std::string& module) override {
    hint_.clear();
    DwarfKernel* dw = dwarf(module);
    if (!dw) {
      hint_ = dwarf_hint_;
      return {};
    }
    std::vector<Function> out;
    for (CalleeSite& s : dw->callees(func_glob, callee_glob, depth, module)) {
      Function f = from_site(std::move(s.callee), dw);
      if (f.kprobe_refused) continue;
      f.caller_name = s.caller.fn.name;
      f.caller_file = s.caller.fn.decl_file;
      f.caller_line = s.caller.fn.decl_line;
      out.push_back(std::move(f));
    }
    return out;
  }

  std::vector<Tracepoint> tracepoints(const std::string& system_glob,
                                      const std::string& name_glob) override {
    hint_.clear();
    std::vector<Tracepoint> out = btf_.tracepoints(system_glob, name_glob);
    if (out.empty()) hint_ = btf_.missing_hint();
    return out;
  }

  const Type* find_type(const std::string& spelling, const std::string& module) override {
    if (const Type* t = btf_.find_type(spelling, module)) return t;
    if (DwarfKernel* dw = dwarf(module)) return dw->find_type(spelling, module);
    return nullptr;
  }

  TypeTable& types() override { return btf_.types(); }

  std::string missing_hint() const override { return hint_; }

  bool global_variable(const std::string& name, const std::string& file,
                       const std::string& module, Variable* out) override {
    hint_.clear();
    DwarfKernel* dw = dwarf(module);
    if (!dw) {
      hint_ = dwarf_hint_;
      return false;
    }
    std::optional<GlobalVariable> g = dw->global_variable(name, file, module);
    if (!g || !g->type) return false;
    out->name = g->name;
    out->type = g->type;
    out->loc.kind = Location::Memory;
    if (module.empty() || module == "kernel") {
      char buf[64];
      snprintf(buf, sizeof buf, "STP_RELOC(0x%llxULL)", static_cast<unsigned long long>(g->at.addr));
      out->loc.c = buf;
      return true;
    }
    // A module's load address is known only at run time, and it may come and go: the
    // runtime looks the symbol up in the loaded module's own symbol table at each read.
    if (g->at.symbol.empty()) {
      hint_ = "no uniquely named symbol of " + module + " holds it, so it cannot be found at run time";
      return false;
    }
    out->loc.c = module_symbol_location(module, g->at.symbol, g->at.offset);
    return true;
  }

  uint64_t link_address(const std::string& symbol) override {
    DwarfKernel* dw = dwarf("kernel");
    return dw ? dw->symbol_address(symbol, "kernel") : 0;
  }

  std::string build_id(const std::string& module) override {
    if (module.empty() || module == "kernel") {
      if (dwarf_ && !dwarf_->build_id().empty()) return dwarf_->build_id();
      return btf_.build_id(module);
    }
    return dwarf_ ? dwarf_->build_id(module) : std::string();
  }

 private:
  // vmlinux's DWARF, opened on first use; a module's is loaded into it on demand.
  DwarfKernel* dwarf(const std::string& module) {
    if (!dwarf_tried_) {
      dwarf_tried_ = true;
      std::string err;
      dwarf_ = DwarfKernel::open(release_, dwarf_types_, cache_dir_, &err);
      if (!dwarf_) dwarf_hint_ = err;
    }
    if (!dwarf_) return nullptr;
    if (module.empty() || module == "kernel") return dwarf_.get();
    if (module.find_first_of("*?[") != std::string::npos) return nullptr;
    auto it = modules_.find(module);
    if (it == modules_.end()) {
      std::string err;
      it = modules_.emplace(module, dwarf_->load_module(module, &err)).first;
    }
    return it->second ? dwarf_.get() : nullptr;
  }

  static void add_cold_parts(DwarfKernel* dw, const std::string& glob, const std::string& module,
                             std::vector<Function>* out) {
    const std::string_view kCold = ".cold";
    auto cold = [&](std::string_view n) {
      return n.size() > kCold.size() && n.substr(n.size() - kCold.size()) == kCold;
    };
    // Only a wildcard or a name ending in .cold can match one: the rest (every
    // syscall of the tapset, say) need not go through the symbol table.  No DWARF
    // function starts at a cold part.
    if (glob.find_first_of("*?[") == std::string::npos && !cold(glob)) return;
    const bool vmlinux = module.empty() || module == "kernel";
    for (SymbolSite& s : dw->symbols(glob, module, false)) {
      if (!cold(s.name)) continue;
      Function f;
      f.name = s.name;
      f.module = vmlinux ? "kernel" : module;
      f.symbol = s.at.symbol;
      f.probe_offset = s.at.offset;
      f.kprobe_refused = vmlinux && dw->kprobe_refused(s.at.addr);
      out->push_back(std::move(f));
    }
  }

  // A probe site inside a function (a statement or a label) at file:line, with the
  // variables in scope at its address.
  static Function at_line(DwarfKernel* dw, const std::string& function, const std::string& module,
                          const ProbeAddr& at, bool inlined, const std::string& file, int line,
                          int object, uint64_t die) {
    Function f;
    f.name = function;
    f.module = module;
    f.symbol = at.symbol;
    f.probe_offset = at.offset;
    f.inlined = inlined;
    f.statement_file = file;
    f.statement_line = line;
    f.decl_file = file;
    f.decl_line = line;
    f.has_proto = true;
    f.params = dw->variables_at(object, die, at.addr, true);
    return f;
  }

  static Function from_site(FunctionSite&& s, DwarfKernel* dw) {
    Function f = std::move(s.fn);
    f.symbol = s.at.symbol;
    f.probe_offset = s.at.offset;
    f.inlined = s.inlined;
    // Only vmlinux has the refused areas and table read here.
    if (f.module.empty() || f.module == "kernel") f.kprobe_refused = dw->kprobe_refused(s.at.addr);
    return f;
  }

  std::vector<Function> from_sites(std::vector<FunctionSite> sites, DwarfKernel* dw,
                                   bool inlined) {
    std::vector<Function> out;
    for (FunctionSite& s : sites)
      if (s.inlined == inlined) out.push_back(from_site(std::move(s), dw));
    return out;
  }

  std::string release_, cache_dir_;
  BtfKernelInfo btf_;
  TypeTable dwarf_types_;
  std::unique_ptr<DwarfKernel> dwarf_;
  bool dwarf_tried_ = false;
  std::string dwarf_hint_;
  std::map<std::string, bool> modules_;
  std::string hint_;
};

}  // namespace

std::string module_symbol_location(const std::string& module, const std::string& symbol,
                                   uint64_t offset) {
  // The kernel keeps module names with '_' where the file name may have '-'.
  std::string name = module;
  for (char& ch : name)
    if (ch == '-') ch = '_';
  char off[32];
  snprintf(off, sizeof off, "0x%llxUL", static_cast<unsigned long long>(offset));
  return "STP_MODSYM(\"" + name + "\", \"" + symbol + "\", " + off + ")";
}

std::unique_ptr<KernelInfo> open_kernel_info(const std::string& release,
                                             const std::string& cache_dir) {
  return std::make_unique<CombinedKernelInfo>(release, cache_dir);
}

}  // namespace stap::debuginfo
