// Which tracepoints the loadable modules of a kernel release define, read from the
// module files themselves (so only tracepoints that really exist are listed, and
// modules whose trace headers are not in the headers package are covered too).
//
// A module's ELF symbol table names each tracepoint (`__tracepoint_<name>`, an object in
// section __tracepoints). A tracepoint with a trace event also has an `event_<name>`
// object (struct trace_event_call) whose `class` member points at the event class
// `event_class_<template>`, whose first member `system` points at the TRACE_SYSTEM
// string. A module is relocatable, so those pointers are relocation entries: following
// them gives each tracepoint's system and template. The template names the BTF function
// `__bpf_trace_<template>`, whose parameters are the TP_PROTO arguments, named.
//
// Scanning every module costs seconds (most are compressed), so the result is kept per
// release in CACHE_DIR/tracepoints/modules-<release>.txt, with each module's file size
// and mtime so a changed module tree rescans only the modules that changed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace stap::debuginfo {

struct ModuleTracepointDecl {
  std::string name;      // "svc_xprt_enqueue"
  std::string system;    // "sunrpc"; "" for a tracepoint with no trace event
  std::string tmpl;      // the event's class template ("svc_xprt_event"); "" if none
};

// The tracepoints an ELF relocatable object (a .ko, decompressed) defines, sorted by
// name. False with *error when the image is not a relocatable ELF file; a module with
// no tracepoints gives true and nothing.
bool scan_module_elf(std::string& elf, std::vector<ModuleTracepointDecl>* out,
                     std::string* error);

struct ModuleTracepoint {
  std::string module;  // "sunrpc"
  ModuleTracepointDecl decl;
};

// The module tracepoints of one release, scanned once and cached.
class ModuleTracepointIndex {
 public:
  // module_root: the folder holding the release's modules (/lib/modules/REL); an empty
  // cache_dir disables caching.
  ModuleTracepointIndex(std::string release, std::string module_root, std::string cache_dir);

  // Whether some module tracepoint's system and name may match the globs. Answered from
  // the cache without looking at the module tree when the cache is there and depmod has
  // not run since it was written (modules.dep is unchanged); otherwise true, and
  // tracepoints() finds out.
  bool may_match(const std::string& system_glob, const std::string& name_glob);

  // Every module tracepoint, by module then name. Checks each module file against the
  // cache and rescans the ones that changed.
  const std::vector<ModuleTracepoint>& tracepoints();

  // Modules whose files could not be read or parsed, with why (for -v diagnostics).
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  struct CachedModule {
    std::string path;
    std::string stamp;  // "SIZE-MTIME"
    std::vector<ModuleTracepointDecl> decls;
  };
  bool read_cache();
  void write_cache() const;
  std::string cache_file() const;
  std::string dep_stamp() const;

  std::string release_;
  std::string root_;
  std::string cache_dir_;
  bool cache_read_ = false;
  bool cache_ok_ = false;
  std::string cached_dep_stamp_;
  std::vector<std::pair<std::string, CachedModule>> cached_;  // by module name
  bool done_ = false;
  std::vector<ModuleTracepoint> all_;
  std::vector<std::string> errors_;
};

}  // namespace stap::debuginfo
