#include "stap/driver/passes.h"

#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

#include "stap/driver/listing.h"
#include "stap/kmod/build.h"
#include "stap/kmod/translate.h"
#include "stap/parse/ast_printer.h"
#include "stap/parse/lexer.h"
#include "stap/parse/parser.h"
#include "stap/sema/elaborate.h"
#include "stap/sema/sema_printer.h"
#include "stap/sema/tapset_search.h"

namespace stap {

namespace {

// Upstream's resource line: "using Vvirt/Rres/Sshr/Ddata kb, in Uusr/Ssys/Rreal ms."
class PassTimer {
 public:
  PassTimer() { reset(); }
  void reset() {
    start_ = std::chrono::steady_clock::now();
    getrusage(RUSAGE_SELF, &ru_);
  }
  std::string report() const {
    struct rusage now;
    getrusage(RUSAGE_SELF, &now);
    auto ms = [](const timeval& a, const timeval& b) {
      return (b.tv_sec - a.tv_sec) * 1000L + (b.tv_usec - a.tv_usec) / 1000L;
    };
    long real = std::chrono::duration_cast<std::chrono::milliseconds>(
                    std::chrono::steady_clock::now() - start_)
                    .count();
    long pages[7] = {0, 0, 0, 0, 0, 0, 0};
    if (FILE* f = fopen("/proc/self/statm", "r")) {
      if (fscanf(f, "%ld %ld %ld %ld %ld %ld %ld", &pages[0], &pages[1], &pages[2], &pages[3],
                 &pages[4], &pages[5], &pages[6]) != 7) {
        pages[0] = pages[1] = pages[2] = pages[5] = 0;
      }
      fclose(f);
    }
    long kb = sysconf(_SC_PAGESIZE) / 1024;
    std::ostringstream o;
    o << "using " << pages[0] * kb << "virt/" << pages[1] * kb << "res/" << pages[2] * kb
      << "shr/" << pages[5] * kb << "data kb, in " << ms(ru_.ru_utime, now.ru_utime) << "usr/"
      << ms(ru_.ru_stime, now.ru_stime) << "sys/" << real << "real ms.";
    return o.str();
  }

 private:
  std::chrono::steady_clock::time_point start_;
  struct rusage ru_;
};

bool parse_one(Session& s, const SourceFile* src, StapFile** out) {
  ParseOptions po;
  po.privileged = s.opts.guru;
  po.compatible = s.pp.systemtap_v;
  SourceFile probe_copy = *src;
  Lexer probe_lexer(probe_copy, nullptr);
  bool blank = probe_lexer.next().kind == TokKind::Eof;
  if (blank) {
    s.diag.print("Input file '" + src->name + "' is empty.");
    return false;
  }
  ParseResult r = parse_source(*src, s.arena, s.diag, s.pp, po, &s.args, s.library_macros);
  *out = r.file;
  if (r.empty) {
    s.diag.print("Input file '" + src->name + "' is empty after preprocessing.");
    return false;
  }
  if (r.errors > 0) {
    s.diag.print(std::to_string(r.errors) + " parse error" + (r.errors == 1 ? "" : "s") + ".");
    return false;
  }
  return true;
}


bool copy_to_cwd(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  if (!in) return false;
  std::ofstream o(to, std::ios::binary | std::ios::trunc);
  o << in.rdbuf();
  return static_cast<bool>(o.flush());
}

void remove_tree(const std::string& path) {
  DIR* d = opendir(path.c_str());
  if (d) {
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n == "." || n == "..") continue;
      std::string p = path + "/" + n;
      struct stat st;
      if (lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) remove_tree(p);
      else unlink(p.c_str());
    }
    closedir(d);
  }
  rmdir(path.c_str());
}

void cleanup_tmpdir(Session& s) {
  if (s.tmpdir.empty()) return;
  if (s.opts.keep_tmpdir) {
    s.diag.print("Keeping temporary directory \"" + s.tmpdir + "\"");
    return;
  }
  remove_tree(s.tmpdir);
}

// Pass 5: staprun loads the module and becomes stapio; its exit status is ours.
int run_pass5(Session& s, const std::string& module) {
  std::string staprun = getenv("SYSTEMTAP_STAPRUN") ? getenv("SYSTEMTAP_STAPRUN")
                                                     : std::string(BINDIR) + "/staprun";
  std::vector<std::string> argv = {staprun};
  for (int i = 1; i < s.verbose(5); ++i) argv.push_back("-v");
  if (s.opts.suppress_warnings) argv.push_back("-w");
  if (!s.opts.output_file.empty()) argv.insert(argv.end(), {"-o", s.opts.output_file});
  if (!s.opts.target_command.empty()) argv.insert(argv.end(), {"-c", s.opts.target_command});
  if (s.opts.target_pid) argv.insert(argv.end(), {"-x", std::to_string(s.opts.target_pid)});
  if (s.opts.buffer_mb) argv.insert(argv.end(), {"-b", std::to_string(s.opts.buffer_mb)});
  // A cached module may already be loaded by another stap: rename on insertion.
  if (s.opts.module_name.empty()) argv.push_back("-R");
  argv.push_back(module);
  for (const std::string& g : s.opts.global_settings) argv.push_back(g);
  if (s.verbose(5) > 0) s.diag.print("Pass 5: starting run.");
  PassTimer timer;
  std::cout.flush();
  pid_t pid = fork();
  if (pid < 0) {
    s.diag.print("ERROR: fork: " + std::string(strerror(errno)));
    return 1;
  }
  if (pid == 0) {
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    fprintf(stderr, "ERROR: Couldn't run %s: %s\n", args[0], strerror(errno));
    _exit(1);
  }
  // Signals reach staprun through the process group; stap itself just waits.
  signal(SIGINT, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  signal(SIGHUP, SIG_IGN);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  if (s.verbose(5) > 0) s.diag.print("Pass 5: run completed " + timer.report());
  if (rc != 0) s.diag.print("Pass 5: run failed.  [man error::pass5]");
  return rc;
}

}  // namespace

bool load_user_script(Session& s) {
  if (s.opts.have_script_text) {
    s.add_source("<input>", s.opts.script_text, false);
    return true;
  }
  std::string text;
  std::string name = s.opts.script_file;
  if (name == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    name = "<input>";
  } else {
    std::ifstream in(name, std::ios::binary);
    if (!in) {
      s.diag.print("Input file '" + name + "' is missing.");
      return false;
    }
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  s.add_source(name, std::move(text), false);
  return true;
}

bool run_pass1(Session& s) {
  PassTimer timer;
  s.tapset_dirs = tapset_search_dirs(s);
  int library_files = load_library_macros(s);
  bool ok = load_user_script(s);
  if (ok) {
    const SourceFile* user = s.sources.back().get();
    ok = parse_one(s, user, &s.user_file);
  }
  for (size_t i = 0; ok && i < s.opts.extra_scripts.size(); ++i) {
    std::string name = s.opts.have_script_text || !s.opts.script_file.empty()
                           ? "<input" + std::to_string(i + 1) + ">"
                           : "<input>";
    const SourceFile* src = s.add_source(name, s.opts.extra_scripts[i], false);
    StapFile* f = nullptr;
    ok = parse_one(s, src, &f);
    if (f) s.extra_files.push_back(f);
  }
  if (ok && s.verbose(1) > 0) {
    s.diag.print("Pass 1: parsed user script and " + std::to_string(library_files) +
                 " library scripts " + timer.report());
  }
  if (!ok) {
    // A listing only says why with -v; the parse errors themselves are printed.
    if (s.opts.listing == Options::Listing::None || s.verbose(1) > 0)
      s.diag.print("Pass 1: parse failed.  [man error::pass1]");
    s.diag.report_suppressed();
  }
  return ok;
}

bool run_pass2(Session& s) {
  PassTimer timer;
  bool ok = elaborate(s);
  if (ok) {
    for (size_t i = 0; i < s.args.used.size(); ++i) {
      if (s.args.used[i]) continue;
      std::string n = std::to_string(i + 1);
      s.diag.warning("unused command line option $" + n + "/@" + n);
    }
  }
  if (!ok) {
    s.diag.print("Pass 2: analysis failed.  [man error::pass2]");
    s.diag.report_suppressed();
    return false;
  }
  return true;
}

namespace {

// -l/-L: pass 2 over "probe PATTERN {}", quiet about what does not resolve, then the
// listing. Success means something was listed.
int run_listing(Session& s, std::ostream& out) {
  PassTimer timer;
  s.diag.quiet_semantic_errors = true;
  int parse_errors = s.diag.parse_errors();
  elaborate(s);
  int lines = 0;
  // A tapset that does not parse spoils the listing, as it would any script.
  if (s.diag.parse_errors() == parse_errors) lines = print_listing(s, out);
  out.flush();
  if (s.verbose(2) > 0) {
    s.diag.print("Pass 2: analyzed script: " + program_summary(*s.program) + " " +
                 timer.report());
  }
  s.diag.report_suppressed();
  return lines > 0 ? 0 : 1;
}

}  // namespace

namespace {

int run_session(Session& s, int argc, char** argv, std::ostream& out) {
  int rc = 0;
  if (!parse_options(argc, argv, &s.opts, &rc)) return rc;
  s.diag.suppress_warnings = s.opts.suppress_warnings;
  s.diag.warnings_as_errors = s.opts.warnings_as_errors;
  s.diag.verbose = s.opts.verbose[1];
  setup_target(s);

  if (!run_pass1(s)) return 1;
  if (s.opts.last_pass == 1) {
    out << "# parse tree dump\n";
    print_file(out, *s.user_file);
    for (StapFile* f : s.extra_files) print_file(out, *f);
    out.flush();
    s.diag.report_suppressed();
    return 0;
  }
  PassTimer timer;
  if (s.opts.listing != Options::Listing::None) return run_listing(s, out);
  if (!run_pass2(s)) return 1;
  if (s.opts.last_pass == 2) {
    print_program(out, *s.program, s.verbose(2) > 0);
    out.flush();
  }
  if (s.verbose(2) > 0) {
    s.diag.print("Pass 2: analyzed script: " + program_summary(*s.program) + " " +
                 timer.report());
  }
  s.diag.report_suppressed();
  if (s.opts.last_pass == 2) return 0;

  timer.reset();
  std::string source;
  if (!translate_program(s, &source)) {
    s.diag.print("Pass 3: translation failed.  [man error::pass3]");
    return 1;
  }
  if (s.opts.last_pass == 3) {
    out << source;
    out.flush();
    return 0;
  }
  // Said by pass 4 once the C file has its folder (or the cache had the module).
  BuildResult built = build_module(s, source, timer.report());
  rc = 0;
  if (!built.ok) {
    s.diag.print("Pass 4: compilation failed.  [man error::pass4]");
    rc = 1;
  } else if (s.opts.last_pass == 4) {
    // -m (or a build outside the cache) leaves the module in the current folder.
    std::string path = built.module_path;
    if (!s.opts.module_name.empty() || (!built.cached && path.rfind(s.tmpdir, 0) == 0)) {
      std::string name = path.substr(path.rfind('/') + 1);
      if (!copy_to_cwd(path, name)) {
        s.diag.print("ERROR: Couldn't copy module to " + name + ": " + strerror(errno));
        rc = 1;
      }
      path = name;
    }
    if (rc == 0) out << path << "\n";
    out.flush();
  } else {
    rc = run_pass5(s, built.module_path);
  }
  cleanup_tmpdir(s);
  return rc;
}

// A session kept for the rest of the process (reachable, so leak checkers stay quiet).
Session* g_kept_session = nullptr;

}  // namespace

int run_stap(int argc, char** argv, std::ostream& out, std::ostream& err, bool free_session) {
  auto s = std::make_unique<Session>(err);
  int rc = run_session(*s, argc, argv, out);
  // The command-line tool exits right after: freeing the kernel's symbol tables, DWARF
  // caches and syntax trees one node at a time cost about a sixth of a -p2 run, and the
  // kernel takes the memory back at once anyway (clang's -disable-free, for the same
  // reason).
  if (!free_session) g_kept_session = s.release();
  return rc;
}

}  // namespace stap
