// target_command.cpp: fork, hold, exec.
#include "stapio/target_command.h"

#include "staprun/report.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <unistd.h>
#include <vector>
#include <wordexp.h>

namespace stp {
namespace {

// Runs in the child: never returns.
[[noreturn]] void exec_command(const std::string &command) {
  wordexp_t words{};
  int rc = wordexp(command.c_str(), &words, WRDE_NOCMD | WRDE_UNDEF);
  if (rc == WRDE_BADCHAR) {
    // Shell syntax: let the shell have it.
    execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char *>(nullptr));
    std::fprintf(stderr, "ERROR: execl /bin/sh: %s\n", std::strerror(errno));
    _exit(1);
  }
  if (rc != 0) {
    std::fprintf(stderr, "ERROR: wordexp: parsing error (%d)\n", rc);
    _exit(1);
  }
  if (words.we_wordc < 1) {
    std::fprintf(stderr, "ERROR: empty target command\n");
    _exit(1);
  }
  execvp(words.we_wordv[0], words.we_wordv);
  std::fprintf(stderr, "ERROR: %s: %s\n", words.we_wordv[0], std::strerror(errno));
  _exit(1);
}

} // namespace

TargetCommand::~TargetCommand() { abandon(); }

bool TargetCommand::prepare(const std::string &command) {
  // The child waits for SIGUSR1; block it first so it cannot arrive before
  // sigwait and be lost.
  sigset_t usr1, old;
  sigemptyset(&usr1);
  sigaddset(&usr1, SIGUSR1);
  sigprocmask(SIG_BLOCK, &usr1, &old);
  pid_t pid = fork();
  if (pid < 0) {
    report_error("fork: " + errno_text(errno));
    sigprocmask(SIG_SETMASK, &old, nullptr);
    return false;
  }
  if (pid == 0) {
    // Back to default dispositions and the caller's mask, except USR1.
    for (int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR2, SIGPIPE})
      signal(s, SIG_DFL);
    int sig = 0;
    while (sigwait(&usr1, &sig) != 0 || sig != SIGUSR1) {
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // The command sees only stdin, stdout and stderr, as upstream's: not the control
    // channel or the relay folder staprun passed down (its first open() gets fd 3).
    close_range(3, ~0U, 0);
    exec_command(command);
  }
  sigprocmask(SIG_SETMASK, &old, nullptr);
  pid_ = pid;
  report_debug(1, "execing target_cmd " + command);
  return true;
}

void TargetCommand::release() {
  if (pid_ > 0 && !released_ && !exited_) {
    released_ = true;
    kill(pid_, SIGUSR1);
  }
}

void TargetCommand::abandon() {
  if (pid_ > 0 && !released_ && !exited_) {
    kill(pid_, SIGKILL);
    exited_ = true;
  }
}

bool TargetCommand::note_exit(pid_t pid, int status) {
  if (pid != pid_ || pid_ <= 0)
    return false;
  exited_ = true;
  status_ = status;
  return true;
}

} // namespace stp
