// KernelInfo from BTF alone: what a kernel without its debuginfo package still tells.
// Module tracepoints are found by scanning the module files (module_tracepoints.h);
// their argument names come from the module's BTF (the __bpf_trace_<template> function).
//
// Functions come from BTF's FUNC records (every function the compiler emitted out of
// line, static or global, with its prototype); parameters are located at the function's
// entry by the x86-64 SysV calling convention. Tracepoints come from the btf_trace_<name>
// typedefs (the argument types); their argument names and event system are not in BTF
// and come from the kernel's trace headers through set_trace_names().
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stap/debuginfo/btf.h"
#include "stap/debuginfo/btf_source.h"
#include "stap/debuginfo/image_kallsyms.h"
#include "stap/debuginfo/kernel_info.h"
#include "stap/debuginfo/module_tracepoints.h"

namespace stap::debuginfo {

// What the trace headers say about one tracepoint.
struct TraceNames {
  std::string system;              // "sched"
  std::vector<std::string> args;   // TP_PROTO argument names, in order
};
// By tracepoint name ("sched_switch").
using TraceNameMap = std::map<std::string, TraceNames>;

// Where each parameter of a prototype is at the function's entry on x86-64: the first
// six integer or pointer arguments of at most 8 bytes in rdi, rsi, rdx, rcx, r8, r9
// (STP_REG(5), (4), (1), (2), (8), (9)); anything else, and every argument after a
// struct/union passed by value, is Unavailable rather than guessed. Float arguments
// travel in SSE registers (Unavailable) and do not use up an integer register.
std::vector<Location> sysv_entry_locations(const std::vector<const Type*>& param_types);

class BtfKernelInfo : public KernelInfo {
 public:
  BtfKernelInfo(std::string release, std::string cache_dir);

  // Names tracepoint arguments and systems (from the trace headers). Without an entry a
  // tracepoint's arguments are arg1..argN and its system is "".
  void set_trace_names(TraceNameMap names) { trace_names_ = std::move(names); }
  // The same, computed on the first tracepoint lookup (scanning headers costs time).
  void set_trace_names_loader(std::function<TraceNameMap()> f) { trace_loader_ = std::move(f); }

  // Where the module tracepoint scan looks and caches (tests point it elsewhere).
  ModuleTracepointIndex& module_tracepoints() { return module_tps_; }

  std::vector<Function> functions(const std::string& glob, const std::string& module) override;
  std::vector<Tracepoint> tracepoints(const std::string& system_glob,
                                      const std::string& name_glob) override;
  const Type* find_type(const std::string& spelling, const std::string& module) override;
  TypeTable& types() override { return table_; }
  std::string build_id(const std::string& module) override;
  std::string missing_hint() const override { return hint_; }

  // vmlinux's BTF, loaded on first use; null (and missing_hint() set) when there is none.
  Btf* vmlinux();
  // A module's BTF (split on vmlinux's), loaded on first use; null when unavailable.
  Btf* module(const std::string& name);
  // Which vmlinux functions the kernel refuses to kprobe or has freed, found in
  // /boot/vmlinuz-REL (image_kallsyms.h) on first use and cached; null when the image
  // cannot tell.
  const ImageKprobeInfo* image_kprobe_info();
  // Where vmlinux's BTF was read from ("" before it is loaded).
  const std::string& vmlinux_origin() const { return vmlinux_origin_; }

 private:
  Function make_function(Btf& btf, const BtfFunc& f, const std::string& module);
  void add_module_tracepoints(const std::string& system_glob, const std::string& name_glob,
                              std::vector<Tracepoint>* out);
  void load_exports();
  std::string release_;
  std::string cache_dir_;
  TypeTable table_;
  bool vmlinux_tried_ = false;
  std::unique_ptr<Btf> vmlinux_;
  std::string vmlinux_origin_;
  std::string vmlinux_error_;
  ModuleFiles module_files_;
  ModuleTracepointIndex module_tps_;
  std::map<std::string, std::unique_ptr<Btf>> modules_;  // null: tried, unavailable
  std::map<std::string, std::string> module_errors_;
  void add_syscall_wrappers(Btf& v, const std::string& glob, std::vector<Function>* out);
  const Type* syscall_regs_type_ = nullptr;
  bool syscall_wrappers_read_ = false;
  std::vector<std::string> syscall_wrappers_;  // "__x64_sys_X" from the build tree's table
  std::string vmlinux_build_id_;
  TraceNameMap trace_names_;
  std::function<TraceNameMap()> trace_loader_;
  bool exports_loaded_ = false;
  std::string symvers_;  // Module.symvers, which exports_ points into
  std::unordered_map<std::string_view, std::string_view> exports_;  // symbol -> "vmlinux"/module
  std::string hint_;
  bool kprobe_info_tried_ = false, kprobe_info_loaded_ = false;
  ImageKprobeInfo kprobe_info_;
};

}  // namespace stap::debuginfo
