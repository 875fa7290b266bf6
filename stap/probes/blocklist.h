// blocklist.h - the kernel functions stap does not probe although the kernel would
// let it: those a probe handler or the kprobe machinery runs itself (locks, atomics,
// the local APIC, softirq and preemption bookkeeping, page-table helpers, the kprobe
// and seq_file code, paravirt and I/O accessors), where a probe would recurse or
// stall. The set is stap 4.8's, as its -l and "is blocklisted" warnings show it on
// Debian's kernels; what the kernel itself refuses is filtered elsewhere
// (kprobe_refused).
#pragma once

#include <string>

namespace stap {

// True when a function named `name`, declared in `decl_file` ("kernel/kprobes.c"; empty
// when unknown), is not to be probed.
bool function_blocklisted(const std::string& name, const std::string& decl_file);

}  // namespace stap
