// stapio_session.cpp: the control loop.
#include "stapio/stapio_session.h"

#include "staprun/kernel_module.h"
#include "staprun/module_image.h"
#include "staprun/protocol.h"
#include "staprun/report.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef BINDIR
#define BINDIR "/usr/bin"
#endif

namespace stp {
namespace {

// Signal flags: the handlers only count; the loop acts.
volatile std::sig_atomic_t g_interrupts = 0;
volatile std::sig_atomic_t g_quit = 0;
volatile std::sig_atomic_t g_child = 0;
volatile std::sig_atomic_t g_switch_file = 0;

void on_signal(int sig) {
  switch (sig) {
  case SIGINT:
  case SIGTERM:
  case SIGHUP: g_interrupts = g_interrupts + 1; break;
  case SIGQUIT: g_quit = 1; break;
  case SIGCHLD: g_child = 1; break;
  case SIGUSR2: g_switch_file = 1; break;
  default: break;
  }
}

constexpr int kHandled[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR2};

// Blocks our signals in this thread and every thread started later; the
// main loop unblocks them only inside ppoll, so no wakeup is missed.
sigset_t install_signal_handlers() {
  sigset_t set, old;
  sigemptyset(&set);
  for (int s : kHandled)
    sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, &old);
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int s : kHandled)
    sigaction(s, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  for (int s : kHandled)
    sigdelset(&old, s);
  return old;
}

constexpr int kCtlPollMs = 500;

} // namespace

StapioSession::StapioSession(const Options &opts)
    : opts_(opts), module_(ModuleImage::name_from_path(opts.module)),
      relay_dir_fd_(opts.relay_dir_fd) {}

StapioSession::~StapioSession() {
  if (relay_dir_fd_ >= 0)
    ::close(relay_dir_fd_);
}

bool StapioSession::open_channel() {
  std::string dir;
  if (relay_dir_fd_ >= 0) {
    dir = "/proc/self/fd/" + std::to_string(relay_dir_fd_);
  } else {
    auto d = ControlChannel::module_dir(module_);
    if (!d) {
      report_error("Cannot attach to module " + module_ + " control channel; not running?");
      return false;
    }
    dir = *d;
    relay_dir_fd_ = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (relay_dir_fd_ < 0) {
      report_error("Couldn't open " + dir + ": " + errno_text(errno));
      return false;
    }
  }
  fcntl(relay_dir_fd_, F_SETFD, FD_CLOEXEC);  // not for -c or system() children
  if (ctl_.open(dir, true) != 0) {
    report_error("Cannot attach to module " + module_ + " control channel; not running?");
    return false;
  }
  return true;
}

int StapioSession::run() {
  sigset_t loop_mask = install_signal_handlers();
  if (!sink_.open(opts_))
    return 1;
  if (!open_channel()) {
    // Started by staprun (-F): the module is ours and nobody else will
    // drive it.  Started by hand: it may be someone else's; leave it.
    if (opts_.relay_dir_fd >= 0)
      unload_module();
    return 1;
  }
  if (opts_.target_pid != 0 && kill(opts_.target_pid, 0) != 0 && errno == ESRCH) {
    report_error("cannot probe pid " + std::to_string(opts_.target_pid) + ": Invalid pid");
    return finish(true);
  }
  if (!opts_.target_cmd.empty() && !target_.prepare(opts_.target_cmd))
    return finish(true);

  if (ctl_.send(kMsgReady, nullptr, 0) != 0) {
    report_error("Couldn't write to the control channel of module " + module_ + ".");
    return finish(true);
  }

  while (phase_ != Phase::kDone) {
    struct pollfd pfd = {ctl_.fd(), POLLIN, 0};
    struct timespec ts = {kCtlPollMs / 1000, (kCtlPollMs % 1000) * 1000000L};
    int rc = ppoll(&pfd, 1, &ts, &loop_mask);
    if (rc < 0 && errno != EINTR) {
      report_error("ppoll: " + errno_text(errno));
      break;
    }
    handle_signals();
    if (detached_)
      return finish(false);
    if (phase_ == Phase::kDone)
      break;
    // Every waiting message, so a burst is not paced by the poll timeout.
    for (;;) {
      int err = 0;
      auto m = ctl_.receive(&err);
      if (!m) {
        if (err != EAGAIN) {
          // The module went away under us (rmmod): nothing left to drive.
          if (err != 0)
            report_error("Couldn't read the control channel: " + errno_text(err));
          phase_ = Phase::kDone;
        }
        break;
      }
      handle(*m);
      if (phase_ == Phase::kDone)
        break;
    }
  }
  return finish(true);
}

void StapioSession::handle(const CtlMessage &m) {
  switch (m.type) {
  case kMsgTransport:
    on_transport();
    break;
  case kMsgStart:
    on_start_reply(m);
    break;
  case kMsgOobData: {
    std::string text(m.payload.begin(), m.payload.end());
    while (!text.empty() && text.back() == '\0')
      text.pop_back();
    if (text.starts_with("ERROR:"))
      error_seen_ = true;
    report_module_message(text);
    break;
  }
  case kMsgSystem:
    run_system(m);
    break;
  case kMsgRequestExit:
    request_exit();
    break;
  case kMsgExit:
    phase_ = Phase::kDone;
    break;
  default:
    report_debug(1, "Ignored message of type " + std::to_string(m.type));
    break;
  }
}

void StapioSession::on_transport() {
  if (phase_ != Phase::kWaitTransport)
    return;
  relay_ = std::make_unique<RelayTransport>(sink_, opts_.poll_timeout_ms);
  if (!relay_->start(relay_dir_fd_, module_)) {
    startup_failed_ = true;
    phase_ = Phase::kDone;
    return;
  }
  if (opts_.namespaces_pid != 0) {
    MsgNamespacesPid ns{opts_.namespaces_pid};
    ctl_.send(kMsgNamespacesPid, ns);
  }
  MsgStart start{};
  start.target = target_.pid() > 0 ? target_.pid() : opts_.target_pid;
  if (ctl_.send(kMsgStart, start) != 0) {
    report_error("Couldn't start the probes of module " + module_ + ".");
    startup_failed_ = true;
    phase_ = Phase::kDone;
    return;
  }
  phase_ = Phase::kWaitStart;
}

void StapioSession::on_start_reply(const CtlMessage &m) {
  MsgStart reply{};
  if (m.payload.size() >= sizeof reply)
    std::memcpy(&reply, m.payload.data(), sizeof reply);
  if (reply.res != 0) {
    // The module has already said why (OOB); it unregistered everything.
    report_debug(1, "systemtap_module_init() returned " + std::to_string(reply.res));
    startup_failed_ = true;
    phase_ = Phase::kDone;
    return;
  }
  phase_ = Phase::kRunning;
  target_.release();
  // Signals that came during startup were only counted: act on them now.
  handle_signals();
}

void StapioSession::run_system(const CtlMessage &m) {
  MsgSystem cmd{};
  std::memcpy(&cmd, m.payload.data(), std::min(m.payload.size(), sizeof cmd));
  cmd.cmd[sizeof cmd.cmd - 1] = '\0';
  std::string line = std::string(cmd.cmd) + " < /dev/null";
  report_debug(2, std::string("system ") + cmd.cmd);
  // Asynchronous: a long command must not stall the control loop; the
  // child is reaped on SIGCHLD.
  pid_t pid = fork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    for (int s : kHandled)
      signal(s, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execl("/bin/sh", "sh", "-c", line.c_str(), static_cast<char *>(nullptr));
    _exit(127);
  }
  if (pid < 0)
    report_error(std::string("Couldn't run system(\"") + cmd.cmd + "\"): " + errno_text(errno));
}

void StapioSession::request_exit() {
  if (exit_sent_)
    return;
  exit_sent_ = true;
  ctl_.send(kMsgExit, nullptr, 0);
}

void StapioSession::reap_children() {
  for (;;) {
    int status = 0;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0)
      return;
    if (!target_.note_exit(pid, status))
      continue;  // a system() command
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
      report_warning("Child process exited with status " + std::to_string(WEXITSTATUS(status)));
    else if (WIFSIGNALED(status))
      report_warning("Child process exited with signal " + std::to_string(WTERMSIG(status)) +
                     " (" + strsignal(WTERMSIG(status)) + ")");
    // The script ends with its command.
    if (phase_ == Phase::kRunning)
      request_exit();
  }
}

void StapioSession::detach() {
  std::fprintf(stderr, "\nDisconnecting from systemtap module.\n"
                       "To reconnect, type \"staprun -A %s\"\n",
               module_.c_str());
  detached_ = true;
}

void StapioSession::handle_signals() {
  if (g_child) {
    g_child = 0;
    reap_children();
  }
  if (g_switch_file) {
    g_switch_file = 0;
    sink_.switch_file();
  }
  if (g_quit) {
    g_quit = 0;
    detach();
    return;
  }
  int n = g_interrupts;
  if (n > interrupts_) {
    interrupts_ = n;
    // Before the probes started the module cannot run end probes yet:
    // wait for its STP_START answer, then ask it to stop.
    if (phase_ == Phase::kRunning)
      request_exit();
    else if (phase_ == Phase::kWaitTransport)
      phase_ = Phase::kDone;
    // A third interrupt means the module does not answer: stop waiting.
    if (interrupts_ >= 3)
      phase_ = Phase::kDone;
  }
}

bool StapioSession::unload_module() {
  ctl_.close();
  if (relay_dir_fd_ >= 0) {
    ::close(relay_dir_fd_);
    relay_dir_fd_ = -1;
  }
  if (geteuid() == 0)
    return KernelModule::remove(module_) == 0;
  // Unprivileged: the setuid staprun does it.
  const char *env = std::getenv("SYSTEMTAP_STAPRUN");
  std::string staprun = env != nullptr && *env != '\0' ? env : BINDIR "/staprun";
  pid_t pid = fork();
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execl(staprun.c_str(), "staprun", "-d", module_.c_str(), static_cast<char *>(nullptr));
    _exit(127);
  }
  if (pid < 0)
    return false;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int StapioSession::finish(bool unload) {
  if (!target_.exited())
    target_.abandon();
  LossReport loss;
  if (relay_)
    loss = relay_->stop();
  relay_.reset();
  sink_.close();
  if (loss.lost_messages != 0 || loss.lost_bytes != 0 || loss.unexpected_sequences != 0)
    report_warning("There were " + std::to_string(loss.lost_messages) + " lost messages, " +
                   std::to_string(loss.lost_bytes) + " lost bytes, and " +
                   std::to_string(loss.unexpected_sequences) + " unexpected sequences.");
  bool unloaded = true;
  if (unload)
    unloaded = unload_module();
  else
    ctl_.close();
  if (detached_)
    return 0;
  bool child_failed = target_.exited() && !(WIFEXITED(target_.status()) &&
                                            WEXITSTATUS(target_.status()) == 0);
  return (error_seen_ || startup_failed_ || child_failed || !unloaded) ? 1 : 0;
}

} // namespace stp
