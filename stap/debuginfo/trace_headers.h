// Tracepoint names and argument names read from a kernel build tree's trace headers
// (include/trace/events/*.h and friends), so kernel.trace("SYS:NAME") and -L need no
// compiled query module. Argument types come from BTF; the spellings here are what the
// header wrote, for messages and for when BTF is missing.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace stap::debuginfo {

struct TraceDecl {
  std::string system;  // TRACE_SYSTEM in force where the event was declared: "sched"
  std::string name;    // "sched_switch"
  // TP_PROTO's parameters as (C type spelling, name): ("struct task_struct *", "prev").
  // A function pointer keeps its shape without the name: "void (*)(void *, int)".
  std::vector<std::pair<std::string, std::string>> args;
  std::string header;  // relative to the kernel tree: "include/trace/events/sched.h"
};

// The folders the headers are read from: the build tree and the source tree it points
// at (Debian splits them: /lib/modules/R/build has only generated files and includes the
// -common tree's Makefile; /lib/modules/R/source links to that tree). Canonical paths,
// build tree first, no duplicates; empty when build_tree is not a folder.
std::vector<std::string> trace_header_roots(const std::string& build_tree);

// Every tracepoint the headers declare, events (TRACE_EVENT and DEFINE_EVENT families)
// and bare tracepoints (DECLARE_TRACE), sorted by system then name, each (system, name)
// once. Headers for other architectures than the tree's are skipped, and the tree's
// .config decides the conditionals that test only config options. A tracepoint of a
// module, or one whose header needs a condition we cannot decide, is listed whether or
// not the kernel has it: the caller checks against BTF. Empty when the tree has no
// trace headers.
std::vector<TraceDecl> scan_trace_headers(const std::string& build_tree);

// As scan_trace_headers, but kept in CACHE_DIR/tracepoints/<key>.txt, where the key
// hashes the roots and every scanned header's path, size and mtime, so an unchanged
// tree costs a folder listing and a file read. An unwritable cache is not an error.
std::vector<TraceDecl> scan_trace_headers_cached(const std::string& build_tree,
                                                 const std::string& cache_dir);

// A kernel .config as the preprocessor sees it (autoconf.h): CONFIG_X=y gives
// {"CONFIG_X", "1"}, CONFIG_X=m gives {"CONFIG_X_MODULE", "1"}, other values as written;
// unset options are absent.
using KernelConfig = std::map<std::string, std::string>;
// Empty when the file cannot be read.
KernelConfig read_kernel_config(const std::string& dot_config_path);

// The declarations in one header's text (header is only copied into the results), in
// the order they appear, each (system, name) once. With a config, conditionals that
// test only CONFIG_ options are evaluated; without one, every branch is read.
std::vector<TraceDecl> scan_trace_header_text(const std::string& text,
                                              const std::string& header,
                                              const KernelConfig* config = nullptr);

}  // namespace stap::debuginfo
