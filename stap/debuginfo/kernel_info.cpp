#include "stap/debuginfo/kernel_info.h"

#include "stap/debuginfo/btf_kernel_info.h"

namespace stap::debuginfo {

// The sources in priority order. DWARF (stap/debuginfo/dwarf.h), when the release's
// debuginfo is installed, answers first and knows inlined functions, source lines and
// locals; this function is where it goes in front of BTF. BTF is what every Debian
// kernel ships, so it is always there behind it.
std::unique_ptr<KernelInfo> open_kernel_info(const std::string& release,
                                             const std::string& cache_dir) {
  auto btf = std::make_unique<BtfKernelInfo>(release, cache_dir);
  return btf;
}

}  // namespace stap::debuginfo
