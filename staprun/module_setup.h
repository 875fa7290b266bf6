// module_setup.h: the messages staprun sends a freshly inserted module
// before handing over to stapio: the user's privilege credentials, the
// time zone and the remote id.
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
  bool send_tzinfo();

  ControlChannel &ctl_;
  const Options &opts_;
};

} // namespace stp
