// kernel_module.h: init_module(2) and delete_module(2) with staprun's
// messages.
#pragma once

#include <string>
#include <vector>

namespace stp {

class ModuleImage;

class KernelModule {
public:
  // Inserts IMAGE with the module parameters PARAMS (already "a=b" words).
  // Prints the error and returns false on failure.
  static bool insert(const ModuleImage &image, const std::vector<std::string> &params);

  // Unloads the systemtap module NAME ("*": every unused one).  Prints
  // errors; returns false when NAME is not a loaded systemtap module or
  // the kernel refuses.
  static bool remove(const std::string &name);

private:
  static bool remove_one(const std::string &name, bool quiet_busy);
};

} // namespace stp
