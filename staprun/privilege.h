// privilege.h: who may load which module.
//
// root may load anything.  Otherwise membership in stapdev, stapsys and
// stapusr decides: stapdev may load any module; stapsys and stapusr only
// unsigned modules installed by root under /lib/modules/REL/systemtap
// (module signing is not supported), and only if the module's
// .stap_privilege asks for no more than the user has.
#pragma once

#include <cstdint>
#include <string>

namespace stp {

class ModuleImage;

class Privilege {
public:
  // The credentials of the real user: a mask of kPrivStap* bits.
  static int32_t current_credentials();

  // "stapusr", "stapsys", "stapdev" for the highest bit in MASK.
  static std::string name(int32_t mask);

  // Prints the reason and returns false when CREDENTIALS may not load
  // IMAGE.
  static bool may_load(const ModuleImage &image, int32_t credentials,
                       const std::string &kernel_release);
};

} // namespace stp
