#include "stap/driver/session.h"

#include <sys/utsname.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "stap/driver/version.h"
#include "stap/sema/elaborate.h"

namespace stap {

Session::Session(std::ostream& err) : diag(err) {}
Session::~Session() = default;

const SourceFile* Session::add_source(std::string name, std::string text, bool is_tapset) {
  auto f = std::make_unique<SourceFile>();
  f->name = std::move(name);
  f->text = std::move(text);
  f->is_tapset = is_tapset;
  f->index_lines();
  sources.push_back(std::move(f));
  return sources.back().get();
}

namespace {

std::string read_first_line(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

void read_kconfig(const std::string& path, std::map<std::string, std::string>* out) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("CONFIG_", 0) != 0) continue;
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string v = line.substr(eq + 1);
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    (*out)[line.substr(0, eq)] = v;
  }
}

}  // namespace

void setup_target(Session& s) {
  struct utsname u;
  uname(&u);
  const char* env_release = getenv("SYSTEMTAP_RELEASE");
  if (!s.opts.kernel_build_tree.empty()) {
    s.kernel_build_tree = s.opts.kernel_build_tree;
    s.kernel_release = read_first_line(s.kernel_build_tree + "/include/config/kernel.release");
    if (s.kernel_release.empty()) s.kernel_release = u.release;
  } else {
    s.kernel_release = !s.opts.kernel_release.empty() ? s.opts.kernel_release
                       : env_release                  ? env_release
                                                      : u.release;
    s.kernel_build_tree = "/lib/modules/" + s.kernel_release + "/build";
  }
  s.arch = s.opts.arch;
  if (s.arch.empty()) {
    std::string m = u.machine;
    if (m == "i386" || m == "i486" || m == "i586" || m == "i686") m = "i386";
    else if (m == "aarch64") m = "arm64";
    s.arch = m;
  }
  read_kconfig(s.kernel_build_tree + "/.config", &s.kconfig);

  s.pp.kernel_vr = s.kernel_release;
  s.pp.kernel_v = s.kernel_release.substr(0, s.kernel_release.find('-'));
  s.pp.arch = s.arch;
  s.pp.runtime = "kernel";
  s.pp.privilege = s.opts.privilege;
  s.pp.guru = s.opts.guru;
  s.pp.systemtap_v = s.opts.compatible.empty() ? kStapVersion : s.opts.compatible;
  s.pp.kconfig = &s.kconfig;
  s.args = ScriptArgs(s.opts.args);
}

std::string systemtap_dir() {
  if (const char* d = getenv("SYSTEMTAP_DIR"); d && *d) return d;
  const char* home = getenv("HOME");
  return std::string(home ? home : "/root") + "/.systemtap";
}

}  // namespace stap
