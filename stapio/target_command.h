// target_command.h: the -c command.
//
// Forked before the probes start so its pid can be the module's target(),
// held back until STP_START succeeded, then released to exec.  Words are
// split as a shell would (wordexp, no command substitution, undefined
// variables are errors); a command with shell syntax (; | & < > ...) runs
// under /bin/sh -c.
#pragma once

#include <string>
#include <sys/types.h>

namespace stp {

class TargetCommand {
public:
  TargetCommand() = default;
  ~TargetCommand();
  TargetCommand(const TargetCommand &) = delete;
  TargetCommand &operator=(const TargetCommand &) = delete;

  // Forks the waiting child.  Prints the error and returns false.
  bool prepare(const std::string &command);
  // Lets the child exec.
  void release();
  // Kills a child that never got to run (startup failed).
  void abandon();

  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0 && !exited_; }
  // Records the wait status of our child; true if PID was it.
  bool note_exit(pid_t pid, int status);
  bool exited() const { return exited_; }
  int status() const { return status_; }

private:
  pid_t pid_ = -1;
  bool released_ = false;
  bool exited_ = false;
  int status_ = 0;
};

} // namespace stp
