#include "stap/kmod/build.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <sstream>
#include <vector>

#include "stap/driver/hash.h"
#include "stap/driver/session.h"
#include "stap/driver/version.h"

namespace stap {

namespace {

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream o(path, std::ios::binary | std::ios::trunc);
  o << text;
  return static_cast<bool>(o.flush());
}

bool copy_file(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  if (!in) return false;
  std::string tmp = to + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << in.rdbuf();
    if (!out.flush()) {
      unlink(tmp.c_str());
      return false;
    }
  }
  // Readers of the cache never see a half-written module.
  if (rename(tmp.c_str(), to.c_str()) != 0) {
    unlink(tmp.c_str());
    return false;
  }
  return true;
}

bool make_dirs(const std::string& path) {
  std::string cur;
  std::stringstream ss(path);
  std::string part;
  if (!path.empty() && path[0] == '/') cur = "/";
  while (std::getline(ss, part, '/')) {
    if (part.empty()) continue;
    cur += part + "/";
    if (mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) return false;
  }
  return true;
}

// Path, size and mtime: enough to notice a changed file without reading it.
void hash_stat(Hash128& h, const std::string& path) {
  struct stat st;
  h.add(path);
  if (stat(path.c_str(), &st) == 0) {
    h.add(static_cast<int64_t>(st.st_size));
    h.add(static_cast<int64_t>(st.st_mtim.tv_sec));
    h.add(static_cast<int64_t>(st.st_mtim.tv_nsec));
  } else {
    h.add("missing");
  }
}

void hash_tree(Hash128& h, const std::string& dir, int depth = 0) {
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] == '.') continue;
    names.push_back(e->d_name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& n : names) {
    std::string p = dir + "/" + n;
    struct stat st;
    if (stat(p.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (depth < 4) hash_tree(h, p, depth + 1);
    } else {
      hash_stat(h, p);
    }
  }
}

std::string systemtap_dir() {
  if (const char* d = getenv("SYSTEMTAP_DIR")) return d;
  const char* home = getenv("HOME");
  return std::string(home ? home : "/root") + "/.systemtap";
}

// Runs argv with stdout and stderr sent to log_fd (or inherited when -1); returns the
// exit status, or -1 when it could not run.
int run_command(const std::vector<std::string>& argv, const std::vector<std::string>& env_unset,
                int log_fd) {
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (log_fd >= 0) {
      dup2(log_fd, 1);
      dup2(log_fd, 2);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    for (const std::string& v : env_unset) unsetenv(v.c_str());
    std::string path = "/usr/bin:/bin";
    if (const char* p = getenv("PATH")) path += std::string(":") + p;
    setenv("PATH", path.c_str(), 1);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string cpu_ms(const struct timespec& a, const struct timespec& b) {
  long ms = (b.tv_sec - a.tv_sec) * 1000L + (b.tv_nsec - a.tv_nsec) / 1000000L;
  return std::to_string(ms);
}


// The kernel feature header: STAPCONF_<NAME> for each runtime/linux/autoconf/NAME.c that
// compiles against this build tree. Built once per kernel and runtime, then cached.
std::string ensure_stapconf(Session& s, const std::string& runtime, const std::string& tmp) {
  std::string tests = runtime + "/linux/autoconf";
  std::vector<std::string> names;
  if (DIR* d = opendir(tests.c_str())) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n.size() > 2 && n.compare(n.size() - 2, 2, ".c") == 0) names.push_back(n.substr(0, n.size() - 2));
    }
    closedir(d);
  }
  std::sort(names.begin(), names.end());
  Hash128 h;
  h.add(s.kernel_release);
  h.add(s.kernel_build_tree);
  for (const char* f : {"/.config", "/include/generated/autoconf.h", "/include/generated/utsrelease.h"})
    hash_stat(h, s.kernel_build_tree + f);
  hash_tree(h, tests);
  std::string dir = systemtap_dir() + "/cache/stapconf";
  std::string path = dir + "/stapconf_" + h.hex() + ".h";
  if (access(path.c_str(), R_OK) == 0) return path;

  std::string work = tmp + "/autoconf";
  mkdir(work.c_str(), 0755);
  std::string kbuild = "obj-m :=";
  std::vector<std::string> argv = {"make", "-k", "-s", "-j2", "-C", s.kernel_build_tree,
                                   "M=" + work, "CONFIG_DEBUG_INFO="};
  for (const std::string& n : names) {
    copy_file(tests + "/" + n + ".c", work + "/" + n + ".c");
    kbuild += " " + n + ".o";
    argv.push_back(n + ".o");
  }
  write_file(work + "/Kbuild", kbuild + "\n");
  int log_fd = open((work + "/make.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  run_command(argv, {"ARCH", "KBUILD_EXTMOD", "CROSS_COMPILE", "KCONFIG_CONFIG"}, log_fd);
  if (log_fd >= 0) close(log_fd);
  std::string header = "/* Kernel features of " + s.kernel_release + " (" + s.kernel_build_tree +
                       "), found by runtime/linux/autoconf. */\n#define STAPCONF_DONE 1\n";
  for (const std::string& n : names) {
    std::string upper;
    for (char ch : n) upper += static_cast<char>(toupper(static_cast<unsigned char>(ch)));
    bool have = access((work + "/" + n + ".o").c_str(), R_OK) == 0;
    header += (have ? "#define STAPCONF_" + upper + " 1\n" : "/* #undef STAPCONF_" + upper + " */\n");
  }
  if (s.verbose(4) > 0) s.diag.print("Pass 4: kernel feature tests: " + std::to_string(names.size()) + " run");
  if (!make_dirs(dir)) return work + "/stapconf.h";
  std::string tmpfile = path + ".tmp" + std::to_string(getpid());
  write_file(tmpfile, header);
  rename(tmpfile.c_str(), path.c_str());
  return path;
}

}  // namespace

std::string runtime_directory(const Session& s) {
  if (!s.opts.runtime_dir.empty()) return s.opts.runtime_dir;
  if (const char* r = getenv("SYSTEMTAP_RUNTIME")) return r;
  return std::string(PKGDATADIR) + "/runtime";
}

BuildResult build_module(Session& s, const std::string& source) {
  BuildResult r;
  std::string runtime = runtime_directory(s);
  bool use_cache = s.opts.module_name.empty() && !s.opts.keep_tmpdir && !s.opts.disable_cache;

  // The key covers everything that changes the module: the source, the runtime, the
  // kernel build tree, and the compiler settings.
  Hash128 h;
  h.add(kStapVersion);
  h.add(s.kernel_release);
  h.add(s.kernel_build_tree);
  for (const char* f : {"/.config", "/Module.symvers", "/include/generated/utsrelease.h",
                        "/include/generated/autoconf.h"})
    hash_stat(h, s.kernel_build_tree + f);
  h.add(runtime);
  hash_tree(h, runtime);
  for (const std::string& d : s.opts.defines) h.add("-D" + d);
  for (const std::string& b : s.opts.kbuild_args) h.add("-B" + b);
  h.add(source);
  std::string hex = h.hex();
  std::string cache_dir = systemtap_dir() + "/cache/" + hex.substr(0, 2);
  std::string name = !s.opts.module_name.empty() ? s.opts.module_name
                     : use_cache                 ? "stap_" + hex
                                                 : "stap_" + std::to_string(getpid());
  if (name.size() > 55) name.resize(55);
  std::string cached_ko = cache_dir + "/" + name + ".ko";
  if (use_cache && access(cached_ko.c_str(), R_OK) == 0) {
    if (s.verbose(3) > 0) s.diag.print("Pass 3: using cached " + cache_dir + "/" + name + ".c");
    if (s.verbose(4) > 0) s.diag.print("Pass 4: using cached " + cached_ko);
    r.ok = true;
    r.cached = true;
    r.module_path = cached_ko;
    return r;
  }

  std::string base = !s.opts.tmpdir.empty() ? s.opts.tmpdir
                     : getenv("TMPDIR")      ? getenv("TMPDIR")
                                             : "/tmp";
  std::string tmpl = base + "/stapXXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data())) {
    s.diag.print("ERROR: Couldn't create temporary directory " + tmpl + ": " + strerror(errno));
    return r;
  }
  s.tmpdir = buf.data();
  std::string dir = s.tmpdir;
  std::string src = name + "_src.c";
  if (!write_file(dir + "/" + src, source)) {
    s.diag.print("ERROR: Couldn't write " + dir + "/" + src);
    return r;
  }
  std::string stapconf = ensure_stapconf(s, runtime, dir);
  std::string cflags = "-I" + runtime + " -include " + stapconf + " -Werror -Wno-unused";
  for (const std::string& d : s.opts.defines) {
    size_t eq = d.find('=');
    cflags += " -D" + (eq == std::string::npos ? d : d.substr(0, eq) + "=" + d.substr(eq + 1));
  }
  std::string kbuild = "obj-m := " + name + ".o\n" + name + "-y := " + name + "_src.o\n" +
                       "ccflags-y := " + cflags + "\n";
  write_file(dir + "/Kbuild", kbuild);
  write_file(dir + "/Makefile", kbuild);

  std::vector<std::string> argv = {"make", "-C", s.kernel_build_tree, "M=" + dir, "modules",
                                   "CONFIG_DEBUG_INFO=", "CONFIG_DEBUG_INFO_BTF_MODULES=",
                                   "KBUILD_MODPOST_WARN=1"};
  if (s.verbose(4) < 2) argv.push_back("-s");
  else argv.push_back("V=1");
  for (const std::string& b : s.opts.kbuild_args) argv.push_back(b);
  std::string log = dir + "/make.log";
  int log_fd = -1;
  if (s.verbose(4) < 2) log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct rusage ru0;
  getrusage(RUSAGE_CHILDREN, &ru0);
  int rc = run_command(argv,
                       {"ARCH", "KBUILD_EXTMOD", "CROSS_COMPILE", "KBUILD_IMAGE",
                        "KCONFIG_CONFIG", "INSTALL_PATH", "LD_LIBRARY_PATH"},
                       log_fd);
  if (log_fd >= 0) close(log_fd);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  std::string ko = dir + "/" + name + ".ko";
  if (rc != 0 || access(ko.c_str(), R_OK) != 0) {
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!text.empty()) s.diag.print(text.back() == '\n' ? text.substr(0, text.size() - 1) : text);
    if (rc < 0) s.diag.print("ERROR: couldn't run make: " + std::string(strerror(errno)));
    return r;
  }
  if (s.verbose(4) > 0) {
    struct rusage ru1;
    getrusage(RUSAGE_CHILDREN, &ru1);
    auto ms = [](const timeval& a, const timeval& b) {
      return std::to_string((b.tv_sec - a.tv_sec) * 1000L + (b.tv_usec - a.tv_usec) / 1000L);
    };
    s.diag.print("Pass 4: compiled C into \"" + name + ".ko\" in " +
                 ms(ru0.ru_utime, ru1.ru_utime) + "usr/" + ms(ru0.ru_stime, ru1.ru_stime) +
                 "sys/" + cpu_ms(t0, t1) + "real ms.");
  }
  r.ok = true;
  r.module_path = ko;
  if (use_cache && make_dirs(cache_dir)) {
    if (copy_file(ko, cached_ko)) {
      copy_file(dir + "/" + src, cache_dir + "/" + name + ".c");
      r.module_path = cached_ko;
    }
  }
  return r;
}

}  // namespace stap
