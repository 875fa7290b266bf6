// stapio_session.h: stapio's life with one module.
//
// Opens the control channel, starts the relay readers when the module says
// STP_TRANSPORT, starts the probes (STP_START), runs the -c command, reacts
// to the module's messages and to signals, and when the module reports
// STP_EXIT drains the output, unloads the module and returns the exit
// status.
#pragma once

#include <memory>
#include <string>

#include "stapio/output_sink.h"
#include "stapio/relay_transport.h"
#include "stapio/target_command.h"
#include "staprun/ctl_channel.h"
#include "staprun/options.h"

namespace stp {

struct CtlMessage;

class StapioSession {
public:
  explicit StapioSession(const Options &opts);
  ~StapioSession();

  int run();

private:
  enum class Phase { kWaitTransport, kWaitStart, kRunning, kDone };

  bool open_channel();
  void handle(const CtlMessage &m);
  void on_transport();
  void on_start_reply(const CtlMessage &m);
  void run_system(const CtlMessage &m);
  void handle_signals();
  void reap_children();
  void request_exit();
  void detach();
  // Stops output, closes the module's files, unloads it; the exit status.
  int finish(bool unload);
  bool unload_module();

  const Options &opts_;
  std::string module_;
  int relay_dir_fd_ = -1;
  ControlChannel ctl_;
  OutputSink sink_;
  std::unique_ptr<RelayTransport> relay_;
  TargetCommand target_;
  Phase phase_ = Phase::kWaitTransport;
  bool exit_sent_ = false;
  bool error_seen_ = false;
  bool startup_failed_ = false;
  bool detached_ = false;
  int interrupts_ = 0;
};

} // namespace stp
