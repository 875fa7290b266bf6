// Kernel and module DWARF through elfutils: where the debuginfo is, which functions,
// statements and variables it describes, and how to reach them from a probe.
//
// Addresses: `addr` fields are link-time addresses (vmlinux's own, or for a module the
// layout libdwfl gives its sections). The runtime registers kprobes by symbol, so every
// probe address also comes as `symbol` + `offset`, where `symbol` is an ELF function
// symbol whose name is unique in that object (kallsyms_lookup_name finds the right one).
// For vmlinux an address inside a function whose symbol name is not unique falls back to
// "_stext" + offset, as upstream does.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stap/debuginfo/kernel_info.h"
#include "stap/debuginfo/types.h"

namespace stap::debuginfo {

// Where debuginfo for one object was looked for, and what was found.
struct DebuginfoSearch {
  std::string found;               // empty when nothing usable was found
  std::vector<std::string> tried;  // every path checked, in order
};

// Debuginfo roots: the directories of SYSTEMTAP_DEBUGINFO_PATH (upstream's syntax,
// ':'-separated; "+", ".debug" and "build" entries are upstream's own keywords and
// skipped) or, when unset, /usr/lib/debug.
std::vector<std::string> debuginfo_roots();

// vmlinux with DWARF for `release`: under each root boot/vmlinux-REL,
// lib/modules/REL/vmlinux[.debug], .build-id/XX/YYYY.debug (when build_id is known;
// DwarfKernel::open passes the running kernel's when release is uname -r),
// then /boot/vmlinux-REL, /lib/modules/REL/vmlinux[.debug], /lib/modules/REL/build/vmlinux.
// A file without .debug_info does not count.
// roots: empty means debuginfo_roots().
DebuginfoSearch find_vmlinux_debuginfo(const std::string& release,
                                       const std::string& build_id = "",
                                       const std::vector<std::string>& roots = {});
// A module's debuginfo: ROOT/lib/modules/REL/**/NAME.ko[.debug] ('-' and '_' alike).
DebuginfoSearch find_module_debuginfo(const std::string& release, const std::string& module,
                                      const std::vector<std::string>& roots = {});

// The build-id (lowercase hex) in an ELF notes blob such as /sys/kernel/notes or
// /sys/module/NAME/notes/.note.gnu.build-id; empty when there is none.
std::string build_id_from_notes(const std::string& notes);
// The running kernel's build-id from /sys/kernel/notes (empty if unreadable).
std::string running_kernel_build_id();

// The advice shown when DWARF is missing: the Debian package and the paths searched.
std::string debuginfo_hint(const std::string& release, const DebuginfoSearch& search);

// An address the runtime can find: symbol + offset (see the note at the top).
struct ProbeAddr {
  uint64_t addr = 0;    // link-time
  std::string symbol;   // unique ELF symbol, or "_stext"
  uint64_t offset = 0;  // addr - symbol's link-time value
};

// One place a function runs: an out-of-line copy or an inlined instance. A name may
// have several (static functions in headers, .isra/.constprop clones, inlines).
struct FunctionSite {
  Function fn;          // name = DWARF name; fn.probe_offset = at.offset (fn.name is the
                        // source name: use `at.symbol` to register the kprobe)
  ProbeAddr at;         // entry (out-of-line: low_pc/entry_pc; inline: its entry pc)
  bool inlined = false; // an inline instance (kernel.function(...).inline)
  std::string caller;   // inline: the out-of-line function it was inlined into
  bool inlined_only = false;  // no out-of-line copy of this name/file/line exists
  uint64_t die = 0;     // DIE offset of the subprogram / inlined_subroutine (internal)
  int object = 0;       // which opened object the DIE is in (internal)
};

// A line-table address in a function.
struct StatementSite {
  std::string function;  // the function whose line it is (an inlined one's own name)
  bool inlined = false;  // the line is in an inline instance of `function`
  std::string file;      // relative to the source root: "fs/read_write.c"
  int line = 0;
  ProbeAddr at;
  uint64_t die = 0;      // the owning subprogram / inlined_subroutine DIE (internal)
  int object = 0;
};

// A C label of a function (kernel.function("F").label("L")).
struct LabelSite {
  std::string function;  // the function the label is in (an inlined one's own name)
  std::string label;
  bool inlined = false;  // in an inline instance of `function`
  std::string file;      // the label's declaration: "mm/filemap.c"
  int line = 0;
  ProbeAddr at;          // the label's DW_AT_low_pc
  uint64_t die = 0;      // the owning subprogram / inlined_subroutine DIE (internal)
  int object = 0;
};

// A function called from another (kernel.function("F").callee("G")): as stap 4.8 finds
// them in these kernels' DWARF, an inline instance of G inside F's code.
struct CalleeSite {
  FunctionSite caller;  // F: an out-of-line function or, deeper, an inline instance
  FunctionSite callee;  // G's inline instance in it, with its parameters
};

// A global (or file-static) variable for @var("name@file").
struct GlobalVariable {
  std::string name;
  std::string decl_file;
  int decl_line = 0;
  const Type* type = nullptr;
  // Link-time address; `symbol` is the ELF object symbol when one with a unique name
  // covers it (offset from it), else empty: then relocate `addr` at run time (vmlinux:
  // addr - _stext's link address + _stext's kallsyms address). In a module `symbol` is
  // always a data symbol (or empty): the runtime finds it in the loaded module's table.
  ProbeAddr at;
};

// An ELF function symbol (kprobe.function, and the symbol-only names upstream lists
// beside DWARF functions, such as "isofs_lookup.cold").
struct SymbolSite {
  std::string name;
  ProbeAddr at;  // at.symbol == name unless the name is not unique
};

struct DwarfTiming {
  double open_ms = 0;   // ELF/DWARF open and symbol table
  double index_ms = 0;  // name index (built or loaded)
  bool index_from_cache = false;
};

class DwarfKernel {
 public:
  // Opens vmlinux's DWARF for `release`. cache_dir (may be empty) holds a name index per
  // build-id so later opens skip the full DWARF walk. Null with *error set (the hint)
  // when no debuginfo is found or it cannot be read. roots: the debuginfo roots to
  // search (empty: debuginfo_roots(), i.e. SYSTEMTAP_DEBUGINFO_PATH or /usr/lib/debug).
  static std::unique_ptr<DwarfKernel> open(const std::string& release, TypeTable& types,
                                           const std::string& cache_dir, std::string* error,
                                           const std::vector<std::string>& roots = {});
  ~DwarfKernel();
  DwarfKernel(const DwarfKernel&) = delete;
  DwarfKernel& operator=(const DwarfKernel&) = delete;

  const std::string& release() const;
  const std::string& vmlinux_path() const;
  // vmlinux's NT_GNU_BUILD_ID as lowercase hex (compare with /sys/kernel/notes).
  const std::string& build_id() const;
  // A loaded object's build-id ("kernel" or a module loaded by load_module); empty if
  // it is not loaded or has none.
  std::string build_id(const std::string& module) const;
  const DwarfTiming& timing() const;

  // Opens a module's DWARF ("ext4"). False with *error set when it is missing.
  bool load_module(const std::string& module, std::string* error);

  // Sites of functions whose names match the glob in module ("kernel" = vmlinux),
  // sorted by name, decl_file, address. Out-of-line copies always; inline instances
  // too when with_inlines (a deeper walk of the compile units that inline them).
  // Without with_params (enough for -l) fn.params stay empty and fn.has_proto false:
  // the locations and types are the expensive part.
  std::vector<FunctionSite> functions(const std::string& glob, const std::string& module,
                                      bool with_inlines, bool with_params = true);
  // Line-table addresses of `file`:`line` (line 0: every line) inside functions matching
  // func_glob ("*" for any), one per line and function instance (the lowest address of
  // the line's rows, is_stmt or not, as upstream). A row belongs to the innermost
  // function, inline or not, declared in its file at or above its line. file matches
  // the tail of the source path ("read_write.c" or "fs/read_write.c") or is a glob.
  std::vector<StatementSite> statements(const std::string& func_glob, const std::string& file,
                                        int line, const std::string& module);
  // Lines line_lo..line_hi ("FILE:470-475").
  std::vector<StatementSite> statements(const std::string& func_glob, const std::string& file,
                                        int line_lo, int line_hi, const std::string& module);
  // The labels matching label_glob of the functions matching func_glob, out-of-line
  // copies and inline instances alike; labels the compiler left without an address
  // (unreachable, or merged away) are not sites. Sorted by function, line, address.
  std::vector<LabelSite> labels(const std::string& func_glob, const std::string& label_glob,
                                const std::string& module);
  // The functions matching callee_glob that the functions matching func_glob call, and
  // up to `depth` levels of what those call in turn (each with its own caller): the
  // inline instances in each caller's body (lexical blocks included, not inside other
  // inline instances, which are callers one level down), those in one piece as 4.8
  // finds them (not split into address ranges). Sorted by caller, callee, address.
  std::vector<CalleeSite> callees(const std::string& func_glob, const std::string& callee_glob,
                                  int depth, const std::string& module);
  // The address after the prologue, from the line table (the second row of the function
  // or a prologue_end flag); upstream probes optimized kernels at the entry instead.
  std::optional<ProbeAddr> prologue_end(const FunctionSite& site);
  // Parameters and, when with_locals, locals in scope at addr inside the function or
  // inline instance, located at addr: inner blocks' variables first, each scope in
  // declaration order (stap 4.8's -L order). An Unavailable location's `c` says why
  // ("no location (optimized out)", "not available at this address ...", ...).
  std::vector<Variable> variables_at(int object, uint64_t die, uint64_t addr, bool with_locals);
  // The return type of the function (null: void) for $return.
  const Type* return_type(int object, uint64_t die, bool* is_void);
  // @var("name@file"): file may be empty (any file) or match a path tail.
  std::optional<GlobalVariable> global_variable(const std::string& name, const std::string& file,
                                                const std::string& module);
  // Function symbols of the object's symbol table matching the glob, by name. With
  // only_without_dwarf, those upstream adds to a DWARF listing: symbols where no DWARF
  // function matching the glob starts ("isofs_lookup.cold", or "X.part.0" for the glob
  // "*.part.0", but not "vfs_kern_mount.part.0" for "vfs_*", which DWARF lists as
  // vfs_kern_mount).
  std::vector<SymbolSite> symbols(const std::string& glob, const std::string& module,
                                  bool only_without_dwarf = false);
  // The link-time address of a function or data symbol of a loaded object ("kernel"
  // or a module loaded by load_module); 0 when it has none of that name.
  uint64_t symbol_address(const std::string& name, const std::string& module);
  // A named type's definition ("struct file", "pid_t"), converted into the TypeTable.
  const Type* find_type(const std::string& spelling, const std::string& module);
  // True when vmlinux refuses a kprobe at this link-time address: the __kprobes_text,
  // noinstr and entry text areas, and the functions NOKPROBE_SYMBOL() put in the
  // _kprobe_blacklist table (kernel/kprobes.c and x86's populate functions).
  bool kprobe_refused(uint64_t link_addr);
  // Why the last failed lookup failed (package and paths).
  std::string missing_hint() const;

  struct Impl;

 private:
  explicit DwarfKernel(std::unique_ptr<Impl> impl);
  // functions(), also giving the link addresses of the NAME.part.N clones it leaves out
  // of NAME's sites (when part_entries is not null).
  std::vector<FunctionSite> find_functions(const std::string& glob, const std::string& module,
                                           bool with_inlines, bool with_params,
                                           std::vector<uint64_t>* part_entries);
  std::unique_ptr<Impl> impl_;
};

// Location expressions use kernel_info.h's macros, plus STP_RELOC(ADDR): a vmlinux
// link-time address (DW_OP_addr, static locals) the runtime must relocate (add the
// running kernel's _stext minus vmlinux's). STP_CFA appears only where the call frame
// information does not give the CFA as a register expression at the probe address.
//
// Translates one DWARF location expression (ops as libdw gives them) into a Location.
// frame_base: the C expression of DW_AT_frame_base (empty: none); at_entry: pc is the
// function's entry, where DW_OP_entry_value(reg) is the register itself. Exposed for tests.
struct DwarfOp {
  uint8_t atom = 0;
  uint64_t number = 0;
  uint64_t number2 = 0;
  std::vector<DwarfOp> inner;  // DW_OP_entry_value's expression
  std::string block;           // DW_OP_implicit_value's bytes
};
Location translate_location(const std::vector<DwarfOp>& ops, const std::string& frame_base,
                            bool at_entry, uint64_t var_size, std::string* reason);

}  // namespace stap::debuginfo
