#include "stap/debuginfo/btf_kernel_info.h"

#include <set>

#include <fnmatch.h>

#include <algorithm>
#include <fstream>
#include <sstream>

namespace stap::debuginfo {

namespace {

// rdi, rsi, rdx, rcx, r8, r9 in DWARF register numbers.
constexpr int kArgRegs[] = {5, 4, 1, 2, 8, 9};

bool glob_match(const std::string& glob, const std::string& s) {
  return fnmatch(glob.c_str(), s.c_str(), 0) == 0;
}

}  // namespace

std::vector<Location> sysv_entry_locations(const std::vector<const Type*>& param_types) {
  std::vector<Location> locs;
  size_t next_reg = 0;
  bool lost = false;  // a by-value aggregate made the rest uncertain
  for (const Type* declared : param_types) {
    Location loc;
    const Type* t = resolve(declared);
    TypeKind k = t ? t->kind : TypeKind::Void;
    bool integer_class = (k == TypeKind::Int || k == TypeKind::Enum || k == TypeKind::Pointer) &&
                         t->size >= 1 && t->size <= 8;
    if (k == TypeKind::Struct || k == TypeKind::Union || k == TypeKind::Fwd ||
        k == TypeKind::Array || (k == TypeKind::Int && t->size > 8)) {
      // Small aggregates may go in one or two registers, big ones on the stack, and
      // __int128 in a register pair: the rest's registers depend on rules not applied here.
      lost = true;
    } else if (integer_class && !lost && next_reg < std::size(kArgRegs)) {
      loc.kind = Location::Value;
      loc.c = "STP_REG(" + std::to_string(kArgRegs[next_reg]) + ")";
      ++next_reg;
    } else if (integer_class) {
      ++next_reg;  // on the stack, or after an aggregate: not located
    }
    locs.push_back(std::move(loc));
  }
  return locs;
}

BtfKernelInfo::BtfKernelInfo(std::string release, std::string cache_dir)
    : release_(std::move(release)),
      cache_dir_(std::move(cache_dir)),
      module_files_(release_),
      module_tps_(release_, "/lib/modules/" + release_, cache_dir_) {}

Btf* BtfKernelInfo::vmlinux() {
  if (!vmlinux_tried_) {
    vmlinux_tried_ = true;
    BtfBlob blob;
    std::string err;
    if (load_vmlinux_btf(release_, cache_dir_, &blob, &err)) {
      vmlinux_build_id_ = blob.build_id;
      vmlinux_ = Btf::parse(std::move(blob.data), nullptr, &table_, &err);
      if (vmlinux_) vmlinux_origin_ = blob.origin;
      else err = blob.origin + ": " + err;
    }
    if (!vmlinux_) vmlinux_error_ = err;
  }
  if (!vmlinux_) {
    hint_ = "no BTF for kernel " + release_ + " (" + vmlinux_error_ + "): install linux-image-" +
            release_ + " for /boot/vmlinuz-" + release_ + ", or linux-image-" + release_ +
            "-dbg for its DWARF";
  }
  return vmlinux_.get();
}

Btf* BtfKernelInfo::module(const std::string& name) {
  auto it = modules_.find(name);
  if (it == modules_.end()) {
    std::unique_ptr<Btf> m;
    std::string err;
    if (Btf* base = vmlinux()) {
      BtfBlob blob;
      if (load_module_btf(release_, name, module_files_.path(name), cache_dir_, &blob, &err)) {
        m = Btf::parse(std::move(blob.data), base, &table_, &err);
        if (!m) err = blob.origin + ": " + err;
      }
    } else {
      err = vmlinux_error_;
    }
    if (!m) module_errors_[name] = err;
    it = modules_.emplace(name, std::move(m)).first;
  }
  if (!it->second) {
    hint_ = "no BTF for module " + name + " (" + module_errors_[name] + "): install linux-image-" +
            release_ + " for /lib/modules/" + release_ + "/kernel, or linux-image-" + release_ +
            "-dbg for its DWARF";
  }
  return it->second.get();
}

void BtfKernelInfo::load_exports() {
  if (exports_loaded_) return;
  exports_loaded_ = true;
  // The headers package's Module.symvers lists every EXPORT_SYMBOL: "crc name module kind".
  std::ifstream in("/lib/modules/" + release_ + "/build/Module.symvers", std::ios::binary);
  if (!in) return;
  std::ostringstream ss;
  ss << in.rdbuf();
  symvers_ = std::move(ss).str();
  std::string_view all(symvers_);
  while (!all.empty()) {
    size_t eol = all.find('\n');
    std::string_view line = all.substr(0, eol);
    all = eol == std::string_view::npos ? std::string_view() : all.substr(eol + 1);
    size_t t1 = line.find('\t');
    if (t1 == std::string_view::npos) continue;
    size_t t2 = line.find('\t', t1 + 1);
    if (t2 == std::string_view::npos) continue;
    size_t t3 = line.find('\t', t2 + 1);
    exports_.emplace(line.substr(t1 + 1, t2 - t1 - 1),
                     line.substr(t2 + 1, t3 == std::string_view::npos ? t3 : t3 - t2 - 1));
  }
}

Function BtfKernelInfo::make_function(Btf& btf, const BtfFunc& f, const std::string& module) {
  Function fn;
  fn.name = std::string(f.name);
  fn.module = module;
  fn.has_proto = btf.kind(f.proto) == BtfKind::FuncProto;
  if (fn.has_proto) {
    fn.ret = btf.type(btf.ref(f.proto));
    std::vector<BtfParam> ps = btf.params(f.proto);
    std::vector<const Type*> types;
    for (const BtfParam& p : ps) types.push_back(btf.type(p.type));
    std::vector<Location> locs = sysv_entry_locations(types);
    for (size_t i = 0; i < ps.size(); ++i) {
      Variable v;
      v.name = std::string(ps[i].name);
      v.type = types[i];
      v.loc = std::move(locs[i]);
      v.is_param = true;
      fn.params.push_back(std::move(v));
    }
  }
  // Not gated on BTF's linkage: pahole records most functions as static.
  load_exports();
  auto e = exports_.find(f.name);
  fn.exported = e != exports_.end() &&
                (module == "kernel" ? e->second == "vmlinux" : e->second.ends_with(module));
  return fn;
}

std::vector<Function> BtfKernelInfo::functions(const std::string& glob,
                                               const std::string& module) {
  hint_.clear();
  std::vector<Function> out;
  auto from = [&](Btf* btf, const std::string& mod) {
    for (const BtfFunc& f : btf->funcs_matching(glob)) {
      // The padding before each function that -fpatchable-function-entry (call depth
      // tracking) adds gets a symbol of its own; it is not a function to probe.
      if (f.name.starts_with("__pfx_")) continue;
      out.push_back(make_function(*btf, f, mod));
    }
  };
  if (module.empty() || module == "kernel") {
    if (Btf* v = vmlinux()) {
      from(v, "kernel");
      add_syscall_wrappers(*v, glob, &out);
      // As with DWARF, the functions the kernel refuses to kprobe are marked, so a
      // wildcard leaves them out instead of warning per probe at registration.
      // Functions in the text freed after boot are not listed, as with DWARF.
      if (const ImageKprobeInfo* k = image_kprobe_info()) {
        std::erase_if(out, [&](const Function& f) { return k->discarded.count(f.name) > 0; });
        for (Function& f : out) f.kprobe_refused = k->refused.count(f.name) > 0;
      }
    }
  } else if (module.find_first_of("*?[") == std::string::npos) {
    if (Btf* m = this->module(module)) from(m, module_name_of(module));
  } else {
    for (const std::string& name : module_files_.names())
      if (glob_match(module, name))
        if (Btf* m = this->module(name)) from(m, name);
  }
  std::stable_sort(out.begin(), out.end(), [](const Function& a, const Function& b) {
    return a.name < b.name;
  });
  if (out.empty() && hint_.empty())
    hint_ = "no function matching " + glob + " in the BTF of " +
            (module.empty() || module == "kernel" ? vmlinux_origin_ : module) +
            "; inlined functions are only in the DWARF of linux-image-" + release_ + "-dbg";
  return out;
}

const ImageKprobeInfo* BtfKernelInfo::image_kprobe_info() {
  if (!kprobe_info_tried_) {
    kprobe_info_tried_ = true;
    std::string err;
    // Without the image (or with a kernel whose tables are not found) nothing is left
    // out: the kernel's registration warnings still say which probes it refused.
    kprobe_info_loaded_ = load_image_kprobe_info(release_, cache_dir_, &kprobe_info_, &err);
  }
  return kprobe_info_loaded_ ? &kprobe_info_ : nullptr;
}

std::string BtfKernelInfo::build_id(const std::string& module) {
  if (!module.empty() && module != "kernel") return {};
  vmlinux();
  return vmlinux_build_id_;
}

// pahole leaves some syscall wrappers out of BTF (those of argument-less calls, like
// __x64_sys_getpid), but the build tree's syscall table names every one, and all have
// the same prototype: long __x64_sys_X(const struct pt_regs *regs).
void BtfKernelInfo::add_syscall_wrappers(Btf& v, const std::string& glob,
                                         std::vector<Function>* out) {
  // Only globs that can name a wrapper ("*", "__x64_sys_*", "*getpid") look.
  if (glob.find_first_of("*?[") == std::string::npos && !glob.starts_with("__x64_sys_")) return;
  if (!syscall_wrappers_read_) {
    // Read once: `probe syscall.*` asks for twenty argument-less wrappers one by one.
    syscall_wrappers_read_ = true;
    std::ifstream in("/lib/modules/" + release_ +
                     "/build/arch/x86/include/generated/asm/syscalls_64.h");
    std::string line;
    while (std::getline(in, line)) {
      // __SYSCALL(39, sys_getpid)
      size_t a = line.find(", sys_");
      size_t b = line.find(')', a == std::string::npos ? 0 : a);
      if (!line.starts_with("__SYSCALL(") || a == std::string::npos || b == std::string::npos)
        continue;
      syscall_wrappers_.push_back("__x64_" + line.substr(a + 2, b - a - 2));
    }
  }
  if (syscall_wrappers_.empty()) return;
  std::set<std::string> have;
  for (const Function& f : *out) have.insert(f.name);
  const Type* regs = v.find_type("struct pt_regs");
  const Type* lng = v.find_type("long int");
  if (!regs || !lng) return;
  if (!syscall_regs_type_) {
    Type c;
    c.kind = TypeKind::Const;
    c.ref = regs;
    syscall_regs_type_ = table_.pointer_to(table_.add(c));
  }
  const bool literal = glob.find_first_of("*?[\\") == std::string::npos;
  for (const std::string& name : syscall_wrappers_) {
    if (literal ? name != glob : !glob_match(glob, name)) continue;
    if (have.count(name)) continue;
    have.insert(name);
    Function f;
    f.name = name;
    f.module = "kernel";
    f.has_proto = true;
    f.ret = lng;
    Variable v;
    v.name = "regs";
    v.type = syscall_regs_type_;
    v.loc.kind = Location::Value;
    v.loc.c = "STP_REG(5)";
    v.is_param = true;
    f.params.push_back(v);
    out->push_back(std::move(f));
  }
}

std::vector<Tracepoint> BtfKernelInfo::tracepoints(const std::string& system_glob,
                                                   const std::string& name_glob) {
  if (trace_loader_) {
    trace_names_ = trace_loader_();
    trace_loader_ = nullptr;
  }
  hint_.clear();
  std::vector<Tracepoint> out;
  Btf* v = vmlinux();
  if (!v) return out;
  for (const BtfTracepoint& tp : v->tracepoints()) {
    std::string name(tp.name);
    if (!glob_match(name_glob, name)) continue;
    auto known = trace_names_.find(name);
    const TraceNames* tn = known == trace_names_.end() ? nullptr : &known->second;
    std::string system = tn ? tn->system : "";
    if (!glob_match(system_glob, system)) continue;
    Tracepoint t;
    t.system = system;
    t.name = name;
    t.module = "kernel";
    std::vector<BtfParam> ps = v->params(tp.proto);
    // The first parameter is the probe's private data pointer, not a tracepoint argument.
    for (size_t i = 1; i < ps.size(); ++i) {
      Param p;
      p.type = v->type(ps[i].type);
      if (tn && i - 1 < tn->args.size()) p.name = tn->args[i - 1];
      else p.name = "arg" + std::to_string(i);
      t.args.push_back(std::move(p));
    }
    out.push_back(std::move(t));
  }
  add_module_tracepoints(system_glob, name_glob, &out);
  std::stable_sort(out.begin(), out.end(), [](const Tracepoint& a, const Tracepoint& b) {
    return a.system != b.system ? a.system < b.system : a.name < b.name;
  });
  if (out.empty() && hint_.empty())
    hint_ = "no tracepoint matching " + system_glob + ":" + name_glob + " in the BTF of " +
            vmlinux_origin_;
  return out;
}

// Module tracepoints are looked for only when the scan's cache says one may match, so a
// vmlinux tracepoint's lookup reads no module.
void BtfKernelInfo::add_module_tracepoints(const std::string& system_glob,
                                           const std::string& name_glob,
                                           std::vector<Tracepoint>* out) {
  std::set<std::string> in_vmlinux;
  for (const BtfTracepoint& tp : vmlinux()->tracepoints()) in_vmlinux.emplace(tp.name);
  // A literal name vmlinux has can only be vmlinux's (below): no module needs reading,
  // not even to build the scan's cache the first time (1.3 s on 6.12's .ko.xz files).
  if (name_glob.find_first_of("*?[\\") == std::string::npos && in_vmlinux.count(name_glob)) return;
  if (!module_tps_.may_match(system_glob, name_glob)) return;
  std::set<std::string> seen;
  for (const ModuleTracepoint& mt : module_tps_.tracepoints()) {
    const ModuleTracepointDecl& d = mt.decl;
    if (!glob_match(name_glob, d.name)) continue;
    auto known = trace_names_.find(d.name);
    const TraceNames* tn = known == trace_names_.end() ? nullptr : &known->second;
    // A bare tracepoint (no trace event) takes its system from the headers, if any.
    std::string system = !d.system.empty() ? d.system : tn ? tn->system : "";
    if (!glob_match(system_glob, system)) continue;
    // The kernel finds tracepoints by name: one of vmlinux's, or another module's of
    // the same name, would be the one registered.
    if (in_vmlinux.count(d.name) || !seen.insert(d.name).second) continue;
    Btf* m = module(mt.module);
    if (!m) continue;
    const std::vector<BtfTracepoint>& tps = m->tracepoints();
    auto it = std::lower_bound(tps.begin(), tps.end(), d.name,
                               [](const BtfTracepoint& t, const std::string& n) { return t.name < n; });
    if (it == tps.end() || it->name != d.name) continue;  // no prototype: no arguments known
    std::vector<BtfParam> ps = m->params(it->proto);
    // The TP_PROTO names, from the probe function the event's class defines.
    std::vector<BtfParam> named;
    if (!d.tmpl.empty()) {
      for (const BtfFunc& f : m->funcs_matching("__bpf_trace_" + d.tmpl)) {
        if (f.name.substr(12) != d.tmpl || m->kind(f.proto) != BtfKind::FuncProto) continue;
        named = m->params(f.proto);
      }
    }
    if (named.size() != ps.size()) named.clear();
    // The headers' names win where they describe this event: a DEFINE_EVENT may rename
    // its class's arguments (libata's ata_sff_hsm_state calls `status` `state`).
    bool header_names = tn && tn->system == system && tn->args.size() + 1 == ps.size();
    Tracepoint t;
    t.system = system;
    t.name = d.name;
    t.module = mt.module;
    for (size_t i = 1; i < ps.size(); ++i) {
      Param p;
      p.type = m->type(ps[i].type);
      if (header_names) p.name = tn->args[i - 1];
      else if (!named.empty() && !named[i].name.empty()) p.name = std::string(named[i].name);
      else p.name = "arg" + std::to_string(i);
      t.args.push_back(std::move(p));
    }
    out->push_back(std::move(t));
  }
  hint_.clear();
}

const Type* BtfKernelInfo::find_type(const std::string& spelling, const std::string& module) {
  hint_.clear();
  if (Btf* v = vmlinux()) {
    if (const Type* t = v->find_type(spelling)) return t;
    if (!module.empty() && module != "kernel") {
      if (Btf* m = this->module(module)) {
        if (const Type* t = m->find_type(spelling)) return t;
      }
    }
    hint_ = "type " + spelling + " is not in the BTF of " +
            (module.empty() || module == "kernel" ? vmlinux_origin_ : module);
  }
  return nullptr;
}

}  // namespace stap::debuginfo
