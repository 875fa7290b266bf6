// What a kernel probe family (kernel.function, module().function, kprobe.*, kernel.trace)
// resolved a probe point to: where the runtime registers it and what its target
// variables are.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stap/debuginfo/kernel_info.h"

namespace stap {

struct KernelProbe {
  enum Kind { Kprobe, Kretprobe, Tracepoint } kind = Kprobe;
  std::string symbol;      // what register_kprobe looks up: "vfs_read", "ext4:ext4_sync_fs"
  uint64_t offset = 0;     // from the symbol
  uint64_t address = 0;    // kprobe.statement(ADDR).absolute: a raw address instead
  int maxactive = -1;      // kretprobes; -1: the runtime's default
  std::string tp_system;   // tracepoints: "sched"
  std::string tp_name;     // tracepoints: "sched_switch"
  bool target_vars = false;  // kprobe.* has none
  std::vector<debuginfo::Variable> vars;  // what $NAME may name here
  const debuginfo::Type* return_type = nullptr;  // .return: the type of $return
  bool has_return = false;                       // .return of a non-void function
  std::string label;       // .label("L"): the C label (pnlabel(); pn() names it too)
  std::string function;    // for diagnostics: the function or tracepoint name
  debuginfo::KernelInfo* info = nullptr;  // for @cast in the probe's module
  std::string module = "kernel";
};

}  // namespace stap
