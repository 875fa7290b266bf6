// staprun: the privileged half of running a SystemTap module.
//
// Checks that the user may load the module, inserts it from an in-memory
// copy, tells it the user's credentials and the time zone,
// then becomes stapio (exec, same pid) with the module's relay folder open
// as -F<fd>.  If anything fails after the insertion the module is removed
// again.  staprun -d MODULE unloads a module.
#include "staprun/ctl_channel.h"
#include "staprun/kernel_module.h"
#include "staprun/module_image.h"
#include "staprun/module_setup.h"
#include "staprun/options.h"
#include "staprun/privilege.h"
#include "staprun/report.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <iterator>
#include <cstdio>
#include <cstdint>
#include <string>
#include <sys/utsname.h>
#include <unistd.h>
#include <vector>

#ifndef PKGLIBEXECDIR
#define PKGLIBEXECDIR "/usr/libexec/systemtap"
#endif

namespace {

using namespace stp;

std::string kernel_release() {
  struct utsname u {};
  if (uname(&u) != 0)
    return {};
  return u.release;
}

// A path (with '/') or a file name ending in .ko is used as given (`staprun foo.ko`
// loads ./foo.ko, as upstream's does); a bare name is an installed module.
// The running kernel's GNU build-id from /sys/kernel/notes, lowercase hex ("" if unknown).
std::string running_build_id() {
  std::ifstream in("/sys/kernel/notes", std::ios::binary);
  std::string notes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t off = 0;
  auto u32 = [&](size_t at) {
    uint32_t v;
    std::memcpy(&v, notes.data() + at, 4);
    return v;
  };
  while (off + 12 <= notes.size()) {
    uint32_t namesz = u32(off), descsz = u32(off + 4), type = u32(off + 8);
    size_t name_at = off + 12, desc_at = name_at + ((namesz + 3) & ~3u);
    if (desc_at > notes.size() || descsz > notes.size() - desc_at)
      break;
    if (type == 3 && namesz == 4 && std::memcmp(notes.data() + name_at, "GNU", 4) == 0) {
      std::string hex;
      char b[3];
      for (uint32_t i = 0; i < descsz; ++i) {
        std::snprintf(b, sizeof b, "%02x", static_cast<unsigned char>(notes[desc_at + i]));
        hex += b;
      }
      return hex;
    }
    off = desc_at + ((descsz + 3) & ~3u);
  }
  return "";
}

// A module built from another kernel's types would read the wrong offsets: refuse it,
// naming the first differing byte as upstream's check does.
bool build_id_matches(const ModuleImage &image) {
  auto want = image.kernel_build_id();
  if (!want || want->empty())
    return true;
  std::string have = running_build_id();
  if (have.empty() || have == *want)
    return true;
  size_t i = 0;
  while (i + 1 < have.size() && i + 1 < want->size() && have.compare(i, 2, *want, i, 2) == 0)
    i += 2;
  report_error("Build-id mismatch [man error::buildid]: \"kernel\" byte " + std::to_string(i / 2) +
               " (0x" + have.substr(i, 2) + ") vs file byte " + std::to_string(i / 2) + " (0x" +
               want->substr(i, 2) + "): module " + image.name() +
               " was built for another kernel than the running one (" + kernel_release() +
               "); run stap again to rebuild it");
  return false;
}

std::string module_path(const Options &opts, const std::string &release) {
  if (opts.module.find('/') != std::string::npos || opts.module.ends_with(".ko"))
    return opts.module;
  return "/lib/modules/" + release + "/systemtap/" + opts.module + ".ko";
}

// kprobes-optimization makes probes on some instructions unsafe to
// remove; staprun has always turned it off unless told not to.
void disable_kprobes_optimization() {
  if (std::getenv("STAP_PR13193_OVERRIDE") != nullptr)
    return;
  const char *knob = "/proc/sys/debug/kprobes-optimization";
  std::ifstream in(knob);
  std::string value;
  if (!(in >> value) || value == "0")
    return;
  std::ofstream out(knob);
  out << "0\n";
  out.flush();
  if (out)
    report_debug(1, std::string("Disabled ") + knob + ".");
  else
    report_debug(1, std::string("Error disabling ") + knob + ".");
}

// The options stapio needs, rebuilt rather than copied so a renamed
// module reaches stapio under its new name.
std::vector<std::string> stapio_args(const Options &o, const std::string &module_name,
                                     int relay_fd) {
  std::vector<std::string> a;
  for (int i = 0; i < o.verbose; ++i)
    a.push_back("-v");
  if (o.suppress_warnings)
    a.push_back("-w");
  if (!o.target_cmd.empty())
    a.insert(a.end(), {"-c", o.target_cmd});
  if (o.target_pid != 0)
    a.insert(a.end(), {"-x", std::to_string(o.target_pid)});
  if (o.namespaces_pid != 0)
    a.insert(a.end(), {"-N", std::to_string(o.namespaces_pid)});
  if (!o.output_file.empty())
    a.insert(a.end(), {"-o", o.output_file});
  if (o.buffer_size_mb != 0)
    a.insert(a.end(), {"-b", std::to_string(o.buffer_size_mb)});
  if (o.load_only)
    a.push_back("-L");
  if (o.attach)
    a.push_back("-A");
  if (o.daemon)
    a.push_back("-D");
  if (o.rotate_size_mb != 0)
    a.insert(a.end(), {"-S", std::to_string(o.rotate_size_mb) + "," +
                                 std::to_string(o.rotate_count)});
  if (o.poll_timeout_ms != 200)
    a.insert(a.end(), {"-T", std::to_string(o.poll_timeout_ms)});
  switch (o.color) {
  case ColorMode::kAlways: a.insert(a.end(), {"-C", "always"}); break;
  case ColorMode::kNever: a.insert(a.end(), {"-C", "never"}); break;
  case ColorMode::kAuto: break;
  }
  if (o.remote_given)
    a.insert(a.end(), {"-r", std::to_string(o.remote_id) + ":" + o.remote_uri});
  a.push_back("-F" + std::to_string(relay_fd));
  a.push_back(module_name);
  return a;
}

std::string stapio_path() {
  // Never trust the environment of a setuid program.
  bool setuid = getuid() != geteuid() || getgid() != getegid();
  if (!setuid) {
    if (const char *env = std::getenv("SYSTEMTAP_STAPIO"); env != nullptr && *env != '\0')
      return env;
  }
  return PKGLIBEXECDIR "/stapio";
}

// Back to the real user for stapio, which needs no privilege.
bool drop_privileges() {
  gid_t gid = getgid();
  uid_t uid = getuid();
  if (setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0) {
    report_error(std::string("Couldn't drop privileges: ") + std::strerror(errno));
    return false;
  }
  return true;
}

// Hands the running module to stapio.  Returns only on failure.
void exec_stapio(const Options &opts, const std::string &module_name, const std::string &dir) {
  int relay_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);  // inherited by stapio
  if (relay_fd < 0) {
    report_error("Couldn't open " + dir + ": " + errno_text(errno));
    return;
  }
  if (!drop_privileges())
    return;
  std::string path = stapio_path();
  std::vector<std::string> args = stapio_args(opts, module_name, relay_fd);
  std::vector<char *> argv;
  argv.push_back(const_cast<char *>(path.c_str()));
  for (auto &s : args)
    argv.push_back(s.data());
  argv.push_back(nullptr);
  report_debug(2, "execing " + path);
  execv(path.c_str(), argv.data());
  report_error("Couldn't exec " + path + ": " + errno_text(errno));
}

int unsupported(const char *what) {
  report_error(std::string("staprun option ") + what + " is not supported yet.");
  return 1;
}

int run(const Options &opts) {
  if (geteuid() != 0) {
    report_error("The effective user ID of staprun must be set to the root user.");
    return 1;
  }
  if (opts.delete_module)
    return KernelModule::remove(opts.module);
  if (opts.load_uprobes)
    return unsupported("-u");
  if (opts.monitor)
    return unsupported("-M");
  if (opts.read_stdin)
    return unsupported("-i");
  if (opts.load_only)
    return unsupported("-L");
  if (opts.attach)
    return unsupported("-A");

  std::string release = kernel_release();
  if (release.empty()) {
    report_error("Unable to determine kernel version, uname failed");
    return 1;
  }
  std::string error, warning;
  int missing = 0;
  std::string path = module_path(opts, release);
  auto image = ModuleImage::load(path, &error, &missing);
  if (!image) {
    report_error(error);
    // staprun has always gone on to report the insertion as failed too.
    if (missing != 0)
      KernelModule::report_insert_error(path, missing);
    return 1;
  }
  int32_t credentials = Privilege::current_credentials();
  if (!Privilege::may_load(*image, credentials, release))
    return 1;
  if (!build_id_matches(*image))
    return 1;
  if (opts.rename) {
    if (!image->rename_for_pid(getpid(), &error, &warning)) {
      report_error(error);
      return 1;
    }
    if (!warning.empty())
      report_warning(warning);
  }
  disable_kprobes_optimization();

  std::vector<std::string> params;
  if (opts.buffer_size_mb != 0)
    params.push_back("_stp_bufsize=" + std::to_string(opts.buffer_size_mb));
  params.insert(params.end(), opts.module_params.begin(), opts.module_params.end());
  setenv("SYSTEMTAP_MODULE", image->name().c_str(), 1);
  if (std::getenv("SYSTEMTAP_SYNC") != nullptr)
    sync();
  if (!KernelModule::insert(*image, params))
    return 1;

  // From here on a failure leaves a module nobody drives: remove it.
  auto dir = ControlChannel::module_dir(image->name());
  if (!dir) {
    report_error("Cannot attach to module " + image->name() + " control channel; not running?");
    KernelModule::remove(image->name());
    return 1;
  }
  {
    ControlChannel ctl;
    if (int err = ctl.open(*dir, false); err != 0) {
      report_error("Cannot attach to module " + image->name() +
                   " control channel; not running?");
      KernelModule::remove(image->name());
      return 1;
    }
    if (!ModuleSetup(ctl, opts).run(credentials)) {
      ctl.close();
      KernelModule::remove(image->name());
      return 1;
    }
  }  // stapio must be the only one holding .cmd
  exec_stapio(opts, image->name(), *dir);
  KernelModule::remove(image->name());
  return 1;
}

} // namespace

int main(int argc, char **argv) {
  ParseResult parsed = parse_options(Program::kStaprun, argc, argv);
  if (!parsed.options)
    return parsed.exit_status;
  configure_reporting(*parsed.options);
  return run(*parsed.options);
}
