// kernel_module.h: init_module(2) and delete_module(2) with staprun's
// messages.
#pragma once

#include <string>
#include <vector>

namespace stp {

class ModuleImage;

class KernelModule {
public:
  // The message for a failed insertion of PATH with errno ERR.
  static void report_insert_error(const std::string &path, int err);

  // Inserts IMAGE with the module parameters PARAMS (already "a=b" words).
  // Prints the error and returns false on failure.
  static bool insert(const ModuleImage &image, const std::vector<std::string> &params);

  // Unloads the systemtap module NAME ("*": every unused one).  Prints
  // errors; returns the exit status for staprun -d: 0 when done, 1 when the
  // kernel refuses, 234 (upstream's -EINVAL) when NAME is not a loaded
  // systemtap module.
  static int remove(const std::string &name);

private:
  static int remove_one(const std::string &name, bool quiet);
};

} // namespace stp
