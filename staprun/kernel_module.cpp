// kernel_module.cpp: the two system calls, with retries and wording.
#include "staprun/kernel_module.h"

#include "staprun/ctl_channel.h"
#include "staprun/module_image.h"
#include "staprun/report.h"

#include <cerrno>
#include <cstdio>
#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace stp {
namespace {

// The texts staprun has always printed for the common failures, which
// are clearer than strerror's ("No such file or directory" for a
// missing symbol).
std::string insert_error_text(int err) {
  switch (err) {
  case ENOEXEC: return "Invalid module format";
  case ENOENT: return "Unknown symbol in module";
  case ESRCH: return "Module has wrong symbol version";
  case EINVAL: return "Invalid parameters";
  default: return errno_text(err);
  }
}

} // namespace

void KernelModule::report_insert_error(const std::string &path, int err) {
  report_error("Couldn't insert module '" + path + "': " + insert_error_text(err));
  if (err == EEXIST)
    report_error("Rerun with staprun option '-R' to rename this module.");
}

bool KernelModule::insert(const ModuleImage &image, const std::vector<std::string> &params) {
  std::string args;
  for (const auto &p : params) {
    if (!args.empty())
      args += ' ';
    args += p;
  }
  report_debug(1, "inserting module " + image.path());
  if (!args.empty())
    report_debug(2, "module options: " + args);
  const auto &b = image.bytes();
  if (syscall(SYS_init_module, b.data(), b.size(), args.c_str()) != 0) {
    report_insert_error(image.path(), errno);
    return false;
  }
  report_debug(1, "Module " + image.name() + " inserted from file " + image.path());
  return true;
}

int KernelModule::remove_one(const std::string &name, bool quiet) {
  // A module someone is attached to must stay: the control channel admits
  // one user, so opening it tells.
  auto dir = ControlChannel::module_dir(name);
  ControlChannel probe;
  if (!dir || probe.open(*dir, true) != 0) {
    if (!quiet) {
      report_error("Cannot attach to module " + name + " control channel; not running?");
      report_error("'" + name + "' is not a zombie systemtap module.");
    }
    return 234;
  }
  probe.close();
  report_debug(2, "removing module " + name);
  // The module may still be draining its last messages: retry a few times
  // when a signal interrupts the call.
  for (int attempt = 0;; ++attempt) {
    if (syscall(SYS_delete_module, name.c_str(), O_NONBLOCK) == 0)
      break;
    int err = errno;
    if (err == EINTR && attempt < 5)
      continue;
    if (!quiet)
      report_error("Couldn't remove module '" + name + "': " + errno_text(err) + ".");
    return 1;
  }
  report_debug(1, "Module " + name + " removed.");
  return 0;
}

int KernelModule::remove(const std::string &name) {
  if (name != "*")
    return remove_one(name, false);
  // Every systemtap module nobody is attached to.
  for (const char *base : {"/proc/systemtap", "/sys/kernel/debug/systemtap"}) {
    DIR *d = opendir(base);
    if (d == nullptr)
      continue;
    while (struct dirent *e = readdir(d)) {
      std::string n = e->d_name;
      if (n == "." || n == "..")
        continue;
      remove_one(n, true);
    }
    closedir(d);
  }
  return 0;
}

} // namespace stp
