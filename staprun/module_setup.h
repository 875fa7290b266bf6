// module_setup.h: the messages staprun sends a freshly inserted module
// before handing over to stapio: the user's privilege credentials, the
// kernel's and the other modules' addresses, the time zone and the remote
// id.  Only root may send relocations (the module refuses others).
#pragma once

#include <cstdint>
#include <string>

namespace stp {

class ControlChannel;
struct Options;

class ModuleSetup {
public:
  ModuleSetup(ControlChannel &ctl, const Options &opts) : ctl_(ctl), opts_(opts) {}

  // Sends everything; prints what failed and returns false.
  bool run(int32_t credentials);

private:
  bool send_kernel_relocations();
  bool send_module_sections();
  bool send_relocation(const std::string &module, const std::string &reloc, uint64_t address);
  bool send_tzinfo();

  ControlChannel &ctl_;
  const Options &opts_;
};

} // namespace stp
