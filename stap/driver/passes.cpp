#include "stap/driver/passes.h"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

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

int run_stap(int argc, char** argv, std::ostream& out, std::ostream& err) {
  Session s(err);
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
  err << "ERROR: pass 3 (translation to C) is not supported yet; stop with -p1 or -p2\n";
  return 1;
}

}  // namespace stap
