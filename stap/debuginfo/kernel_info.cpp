#include "stap/debuginfo/kernel_info.h"

#include "stap/debuginfo/btf_kernel_info.h"
#include "stap/debuginfo/trace_headers.h"

namespace stap::debuginfo {

// The sources in priority order. DWARF (stap/debuginfo/dwarf.h), when the release's
// debuginfo is installed, answers first and knows inlined functions, source lines and
// locals; this function is where it goes in front of BTF. BTF is what every Debian
// kernel ships, so it is always there behind it.
std::unique_ptr<KernelInfo> open_kernel_info(const std::string& release,
                                             const std::string& cache_dir) {
  auto btf = std::make_unique<BtfKernelInfo>(release, cache_dir);
  // Tracepoint argument names and systems come from the build tree's trace headers;
  // BTF says which tracepoints the kernel has and their types.
  std::string tree = "/lib/modules/" + release + "/build";
  btf->set_trace_names_loader([tree, cache_dir] {
    TraceNameMap m;
    for (TraceDecl& d : scan_trace_headers_cached(tree, cache_dir)) {
      if (m.count(d.name)) continue;
      TraceNames& tn = m[d.name];
      tn.system = d.system;
      for (auto& a : d.args) tn.args.push_back(a.second);
    }
    return m;
  });
  return btf;
}

}  // namespace stap::debuginfo
