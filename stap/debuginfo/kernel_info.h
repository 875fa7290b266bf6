// What pass 2 may ask about the target kernel: its functions, tracepoints and types,
// whichever source provides them (DWARF debuginfo, BTF, symbol tables, trace headers).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "stap/debuginfo/types.h"

namespace stap::debuginfo {

// Where a variable lives at the probe address, as a C expression the runtime evaluates
// in probe context. The expression may use these macros (runtime/linux/kderef.h):
//   STP_REG(N)            DWARF register N (x86-64 numbering: 0 ax, 1 dx, 2 cx, 3 bx,
//                         4 si, 5 di, 6 bp, 7 sp, 8-15 r8-r15, 16 ip) of the probe's
//                         pt_regs, as unsigned long
//   STP_DEREF(SIZE, ADDR) fault-safe kernel read of SIZE (1, 2, 4, 8) bytes at ADDR,
//                         zero-extended to unsigned long; a fault ends the probe with
//                         upstream's read-fault error
//   STP_CFA               the canonical frame address at the probe point
struct Location {
  enum Kind {
    Unavailable,  // optimized out here
    Value,        // c is the variable's value (a register, a constant, a computation)
    Memory,       // c is the variable's address
  } kind = Unavailable;
  std::string c;
};

struct Variable {
  std::string name;
  const Type* type = nullptr;
  Location loc;
  bool is_param = false;
  // DWARF gives it no location at this address (as opposed to one we cannot translate):
  // stap 4.8's -L leaves such a variable out of a .label's list.
  bool no_location = false;
};

struct Function {
  std::string name;            // the function's name as the source spells it
  std::string module;          // "kernel" or a module name
  std::string decl_file;       // "fs/sync.c"; empty without DWARF
  int decl_line = 0;
  bool has_proto = false;      // params and ret are known (BTF or DWARF)
  const Type* ret = nullptr;   // null: void (or unknown without a prototype)
  std::vector<Variable> params;  // as at the function's entry
  std::string symbol;          // the symbol the kprobe goes on; empty: name
  uint64_t probe_offset = 0;   // the probe goes on symbol+probe_offset
  bool exported = false;       // EXPORT_SYMBOL'd
  bool inlined = false;        // an inlined instance (DWARF only)
  bool kprobe_refused = false; // the kernel refuses kprobes there (DWARF only; see
                               // DwarfKernel::kprobe_refused)
  std::string statement_file;  // statements and labels: where the probe is ("fs/read_write.c")
  int statement_line = 0;
  std::string label;           // labels: the C label the probe is at
  std::string caller_name;     // callees: the function this one is called from
  std::string caller_file;
  int caller_line = 0;
};

struct Tracepoint {
  std::string system;  // "sched"
  std::string name;    // "sched_switch"
  std::string module;  // "kernel" or a module name
  std::vector<Param> args;  // the TP_PROTO arguments, named
};

class KernelInfo {
 public:
  virtual ~KernelInfo() = default;
  // Functions whose names match the glob, in name order. Module "kernel" is vmlinux.
  virtual std::vector<Function> functions(const std::string& glob,
                                          const std::string& module) = 0;
  // Tracepoints whose system and name match the globs, sorted by system then name.
  virtual std::vector<Tracepoint> tracepoints(const std::string& system_glob,
                                              const std::string& name_glob) = 0;
  // A type by spelling ("struct task_struct", "pid_t"), for @cast; null when unknown.
  virtual const Type* find_type(const std::string& spelling, const std::string& module) = 0;
  virtual TypeTable& types() = 0;
  // Why the last lookup found nothing: which file or package would provide the data.
  virtual std::string missing_hint() const = 0;

  // What only debuginfo (DWARF) knows; sources without it answer nothing.
  // Inlined instances of the functions matching glob.
  virtual std::vector<Function> inline_functions(const std::string& glob,
                                                 const std::string& module) {
    (void)glob;
    (void)module;
    return {};
  }
  // Probe sites at source lines line_lo..line_hi of file (0, 0: every line) inside the
  // functions matching func_glob; params include the locals in scope there.
  virtual std::vector<Function> statements(const std::string& func_glob,
                                           const std::string& file, int line_lo,
                                           int line_hi, const std::string& module) {
    (void)func_glob;
    (void)file;
    (void)line_lo;
    (void)line_hi;
    (void)module;
    return {};
  }
  // Probe sites at the C labels matching label_glob of the functions matching
  // func_glob, each at the label's address; params include the locals in scope there.
  // Kprobe-refused addresses are left out.
  virtual std::vector<Function> labels(const std::string& func_glob,
                                       const std::string& label_glob,
                                       const std::string& module) {
    (void)func_glob;
    (void)label_glob;
    (void)module;
    return {};
  }
  // The functions matching callee_glob called from the functions matching func_glob,
  // and what those call, up to depth levels; each with caller_* set (DWARF only).
  virtual std::vector<Function> callees(const std::string& func_glob,
                                        const std::string& callee_glob, int depth,
                                        const std::string& module) {
    (void)func_glob;
    (void)callee_glob;
    (void)depth;
    (void)module;
    return {};
  }
  // A global variable for @var("name@file"): its type and a Memory location; false
  // when unknown. The location may use STP_RELOC(link-time address) (vmlinux) or
  // STP_MODSYM (a module's; see module_symbol_location).
  virtual bool global_variable(const std::string& name, const std::string& file,
                               const std::string& module, Variable* out) {
    (void)name;
    (void)file;
    (void)module;
    (void)out;
    return false;
  }
  // The link-time address of a vmlinux function or data symbol (0: unknown), to
  // relocate STP_RELOC and find the module list for STP_MODSYM.
  virtual uint64_t link_address(const std::string& symbol) {
    (void)symbol;
    return 0;
  }
  // The kernel's (or a module's) build-id as lowercase hex, when known.
  virtual std::string build_id(const std::string& module) {
    (void)module;
    return {};
  }
};

// Whether an @FILE pattern (globs allowed; empty: any) matches a source path:
// "fs/read_write.c", "read_write.c" and "kernel/*.c" match as stap 4.8's do.
bool file_matches(const std::string& want, const std::string& path);

// The C location of a module's data at `offset` bytes into its ELF symbol `symbol`:
// STP_MODSYM("module", "symbol", offset), which the runtime (linux/kderef.h) resolves
// in the loaded module's symbol table when read; '-' in the module name becomes '_'.
std::string module_symbol_location(const std::string& module, const std::string& symbol,
                                   uint64_t offset);

// The kernel `release` (as in /lib/modules/RELEASE), its data looked up as
// systemtap-facts.md section 7 says, with extracted BTF cached under cache_dir.
std::unique_ptr<KernelInfo> open_kernel_info(const std::string& release,
                                             const std::string& cache_dir);

}  // namespace stap::debuginfo
