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
#include <map>
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


// ---- Pass 4 fast path: replaying kbuild's recorded commands ----
//
// make spends most of an empty module's build deciding what to do (reading the kernel's
// Makefiles, checking dependencies), not compiling. The commands kbuild runs for a
// one-source external module are the same each time apart from the folder, the module
// name and our ccflags, so they are recorded once per kernel build tree (make V=1 on a
// template module) and then run directly. Anything unexpected leaves the make path in
// charge.

constexpr const char* kTemplateName = "stap_kbuild_template";
constexpr const char* kCcflagsMark = "-DSTAP_KBUILD_CCFLAGS_MARK";
constexpr const char* kReplayFormat = "stap-kbuild-replay 1";

// Environment variables the kbuild children must not inherit from the user.
const std::vector<std::string> kKbuildUnset = {"ARCH",         "KBUILD_EXTMOD", "CROSS_COMPILE",
                                               "KBUILD_IMAGE", "KCONFIG_CONFIG", "INSTALL_PATH",
                                               "LD_LIBRARY_PATH"};

// Make arguments shared by the make path and the recording, so both build alike.
std::vector<std::string> kbuild_make_argv(const std::string& tree, const std::string& dir) {
  return {"make", "-C", tree, "M=" + dir, "modules", "CONFIG_DEBUG_INFO=",
          "CONFIG_DEBUG_INFO_BTF_MODULES=", "KBUILD_MODPOST_WARN=1"};
}

struct ShellWord {
  std::string text;
  bool op = false;        // an operator: ; | > >> < && || & ( ) 2> newline
  bool quoted = false;    // some part was quoted (so `{` or `if` is not a keyword)
  bool expands = false;   // an unquoted or double-quoted $ or backquote
};

// Splits shell text into words and operators, the subset kbuild's V=1 echo shows. Returns
// false on text this does not understand (an unterminated quote).
bool shell_split(const std::string& t, std::vector<ShellWord>& out) {
  size_t i = 0;
  ShellWord cur;
  bool in_word = false;
  auto flush = [&] {
    if (in_word) out.push_back(cur);
    cur = ShellWord();
    in_word = false;
  };
  while (i < t.size()) {
    char c = t[i];
    if (c == '\\' && i + 1 < t.size() && t[i + 1] == '\n') {
      i += 2;
      continue;
    }
    if (c == ' ' || c == '\t') {
      flush();
      ++i;
      continue;
    }
    if (c == '#' && !in_word) {
      while (i < t.size() && t[i] != '\n') ++i;
      continue;
    }
    if (c == '\n' || c == ';' || c == '|' || c == '&' || c == '<' || c == '>' || c == '(' ||
        c == ')') {
      std::string op(1, c);
      if (in_word && !cur.quoted && c == '>' && cur.text == "2") {  // 2> redirection
        cur = ShellWord();
        in_word = false;
        op = "2>";
      }
      flush();
      if ((c == '|' || c == '&' || c == '>') && i + 1 < t.size() && t[i + 1] == c) {
        op += c;
        ++i;
      }
      ShellWord w;
      w.text = op;
      w.op = true;
      out.push_back(w);
      ++i;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      size_t e = t.find('\'', i + 1);
      if (e == std::string::npos) return false;
      cur.text += t.substr(i + 1, e - i - 1);
      cur.quoted = true;
      i = e + 1;
    } else if (c == '"') {
      cur.quoted = true;
      ++i;
      while (i < t.size() && t[i] != '"') {
        if (t[i] == '\\' && i + 1 < t.size() && strchr("$`\"\\\n", t[i + 1])) {
          if (t[i + 1] != '\n') cur.text += t[i + 1];
          i += 2;
          continue;
        }
        if (t[i] == '$' || t[i] == '`') cur.expands = true;
        cur.text += t[i++];
      }
      if (i >= t.size()) return false;
      ++i;
    } else if (c == '\\') {
      if (i + 1 >= t.size()) return false;
      cur.text += t[i + 1];
      i += 2;
    } else {
      if (c == '$' || c == '`' || c == '*' || c == '?' || c == '[' || c == '~') cur.expands = true;
      cur.text += c;
      ++i;
    }
  }
  flush();
  return true;
}

struct ReplayStep {
  enum Kind { kWrite, kAppend, kRun, kNoExport } kind = kRun;
  std::vector<std::string> args;  // kWrite, kAppend: path, text; kRun: argv; kNoExport: pattern, nm argv
  bool has_stdin = false;         // kRun: stdin_text goes to the command's standard input
  std::string stdin_text;
};

struct ReplayScript {
  std::string cwd;
  std::vector<std::string> env;  // NAME=VALUE that kbuild's make exports to its commands
  std::vector<ReplayStep> steps;
};

std::string base_name(const std::string& p) {
  size_t s = p.rfind('/');
  return s == std::string::npos ? p : p.substr(s + 1);
}

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// Programs kbuild runs for a one-source module on the kernels we know; anything else
// (BTF generation, signing, stripping) means the recording is not trusted.
bool known_program(const std::vector<std::string>& argv) {
  std::string b = base_name(argv[0]);
  if (b == "gcc" || b == "cc" || b.find("gcc-") != std::string::npos || ends_with(b, "-gcc") ||
      b.find("clang") != std::string::npos)
    return true;
  if (b == "ld" || ends_with(b, "-ld") || b == "ld.bfd" || b == "ld.lld" || ends_with(b, "-ld.bfd"))
    return true;
  if (b == "objtool" || b == "check-local-export" || b == "modpost" || b == "true") return true;
  if (b == "sh" && argv.size() == 3 && base_name(argv[1]) == "modules-check.sh") return true;
  return false;
}

bool plain_words(const std::vector<ShellWord>& ws, size_t from, size_t to) {
  for (size_t k = from; k < to; ++k)
    if (ws[k].op || ws[k].expands) return false;
  return true;
}

std::vector<std::string> texts(const std::vector<ShellWord>& ws, size_t from, size_t to) {
  std::vector<std::string> v;
  for (size_t k = from; k < to; ++k) v.push_back(ws[k].text);
  return v;
}

// Turns one V=1 command line into steps. Returns false (with why) on anything unexpected.
bool classify(const std::vector<ShellWord>& ws, std::map<std::string, std::string>& written,
              std::vector<ReplayStep>& steps, std::string& why) {
  auto fail = [&](const std::string& m) {
    why = m;
    return false;
  };
  auto is_op = [&](size_t k, const char* o) { return k < ws.size() && ws[k].op && ws[k].text == o; };
  auto is_kw = [&](size_t k, const char* o) {
    return k < ws.size() && !ws[k].op && !ws[k].quoted && ws[k].text == o;
  };
  std::string line;
  for (const ShellWord& w : ws) line += (line.empty() ? "" : " ") + w.text;
  const std::string& first = ws[0].text;
  if (!ws[0].op && (first == "make" || first.rfind("make:", 0) == 0 || first.rfind("make[", 0) == 0))
    return true;  // make's own messages and recursion
  if (is_kw(0, "if")) {
    // if NM OBJ 2>/dev/null | grep -q PATTERN; then (genksyms) >> .cmd; fi
    size_t p = 1;
    while (p < ws.size() && !ws[p].op) ++p;
    std::vector<std::string> nm = texts(ws, 1, p);
    if (nm.empty() || !plain_words(ws, 1, p) || !is_op(p, "2>") || p + 1 >= ws.size() ||
        ws.size() < p + 12 || ws[p + 1].text != "/dev/null" || !is_op(p + 2, "|") || !is_kw(p + 3, "grep") ||
        ws[p + 4].text != "-q" || !is_op(p + 6, ";") || !is_kw(p + 7, "then") ||
        !is_kw(ws.size() - 1, "fi") || !is_op(ws.size() - 2, ";") || !is_op(ws.size() - 4, ">>") ||
        !ends_with(ws[ws.size() - 3].text, ".cmd") || base_name(nm[0]).find("nm") == std::string::npos)
      return fail("unrecognised conditional: " + line);
    ReplayStep s;
    s.kind = ReplayStep::kNoExport;
    s.args.push_back(ws[p + 5].text);
    for (const std::string& a : nm) s.args.push_back(a);
    steps.push_back(s);
    return true;
  }
  if (is_kw(0, "{")) {
    size_t close = 1;
    while (close < ws.size() && !is_kw(close, "}")) ++close;
    if (close >= ws.size() || close + 3 != ws.size() || !(is_op(close + 1, ">") || is_op(close + 1, ">>")))
      return fail("unrecognised group: " + line);
    // { echo ...; ...; :; } > FILE or >> FILE. 6.1's modpost reads the objects' .cmd files
    // (for genksyms' CRCs), so they must exist even though make's own notes are not needed.
    const std::string& target = ws[close + 2].text;
    bool append = is_op(close + 1, ">>");
    std::string text;
    size_t start = 1;
    for (size_t k = 1; k <= close; ++k) {
      if (k < close && !is_op(k, ";")) continue;
      if (k > start) {
        if (is_kw(start, "echo") && plain_words(ws, start + 1, k)) {
          for (size_t j = start + 1; j < k; ++j) text += (j > start + 1 ? " " : "") + ws[j].text;
          text += "\n";
        } else if (!(is_kw(start, ":") && k == start + 1)) {
          return fail("unrecognised group: " + line);
        }
      }
      start = k + 1;
    }
    if (append) {
      written[target] += text;
      steps.push_back({ReplayStep::kAppend, {target, text}, false, ""});
    } else {
      written[target] = text;
      steps.push_back({ReplayStep::kWrite, {target, text}, false, ""});
    }
    return true;
  }
  if (is_kw(0, "printf")) {
    // printf '%s\n' OBJS | awk '!x[$0]++ { print("DIR/"$0) }' > NAME.mod
    size_t bar = 1;
    while (bar < ws.size() && !ws[bar].op) ++bar;
    const std::string kPre = "!x[$0]++ { print(\"", kPost = "\"$0) }";
    if (bar < 3 || ws[1].text != "%s\n" || !plain_words(ws, 2, bar) || !is_op(bar, "|") ||
        !is_kw(bar + 1, "awk") || bar + 5 != ws.size() || !is_op(bar + 3, ">") ||
        !ends_with(ws[bar + 4].text, ".mod"))
      return fail("unrecognised printf: " + line);
    const std::string& prog = ws[bar + 2].text;
    if (prog.rfind(kPre, 0) != 0 || !ends_with(prog, kPost) || prog.size() < kPre.size() + kPost.size())
      return fail("unrecognised awk program: " + prog);
    std::string prefix = prog.substr(kPre.size(), prog.size() - kPre.size() - kPost.size());
    std::string text;
    std::vector<std::string> seen;
    for (size_t k = 2; k < bar; ++k) {
      if (std::find(seen.begin(), seen.end(), ws[k].text) != seen.end()) continue;
      seen.push_back(ws[k].text);
      text += prefix + ws[k].text + "\n";
    }
    written[ws[bar + 4].text] = text;
    steps.push_back({ReplayStep::kWrite, {ws[bar + 4].text, text}, false, ""});
    // modpost reads each object's .cmd file (for genksyms' CRC lines), which make writes
    // itself without echoing a command; an empty one says "no exports".
    for (const std::string& o : seen) {
      std::string obj = prefix + o;
      size_t slash = obj.rfind('/');
      std::string cmd = obj.substr(0, slash + 1) + "." + obj.substr(slash + 1) + ".cmd";
      steps.push_back({ReplayStep::kAppend, {cmd, ""}, false, ""});
    }
    return true;
  }
  if (is_kw(0, "sed")) {
    // sed 's/ko$/o/' modules.order | modpost ... -T -   (6.1: the object list on stdin)
    if (ws.size() < 5 || ws[1].text != "s/ko$/o/" || !is_op(3, "|") || !plain_words(ws, 4, ws.size()) ||
        base_name(ws[4].text) != "modpost" || !written.count(ws[2].text))
      return fail("unrecognised pipeline: " + line);
    std::string in, lines = written[ws[2].text];
    std::stringstream ss(lines);
    std::string l;
    while (std::getline(ss, l)) in += (ends_with(l, "ko") ? l.substr(0, l.size() - 2) + "o" : l) + "\n";
    ReplayStep s{ReplayStep::kRun, texts(ws, 4, ws.size()), true, in};
    steps.push_back(s);
    return true;
  }
  // A list of simple commands joined by `;` (kbuild runs it under set -e).
  size_t start = 0;
  for (size_t k = 0; k <= ws.size(); ++k) {
    if (k < ws.size() && !is_op(k, ";")) {
      if (ws[k].op || ws[k].expands) return fail("unrecognised shell syntax: " + line);
      continue;
    }
    if (k > start) {
      std::vector<std::string> argv = texts(ws, start, k);
      if (argv[0] == ":") {
      } else if (!known_program(argv)) {
        return fail("unrecognised command: " + argv[0]);
      } else {
        steps.push_back({ReplayStep::kRun, argv, false, ""});
      }
    }
    start = k + 1;
  }
  return true;
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  if (from.empty()) return s;
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size()))
    s.replace(p, from.size(), to);
  return s;
}

// Reads make's V=1 log into a script with @DIR@ and @NAME@ in place of the recording's
// folder and module name and @CCFLAGS@ in place of the marker flag.
bool parse_recording(const std::string& log, const std::string& dir, ReplayScript& sc,
                     std::string& why) {
  std::vector<ShellWord> ws;
  if (!shell_split(log, ws)) {
    why = "unbalanced quotes in make's output";
    return false;
  }
  std::map<std::string, std::string> written;
  std::vector<ShellWord> cmd;
  for (size_t k = 0; k <= ws.size(); ++k) {
    if (k < ws.size() && !(ws[k].op && ws[k].text == "\n")) {
      cmd.push_back(ws[k]);
      continue;
    }
    if (cmd.empty()) continue;
    // make: Entering directory 'TREE' says where the commands run.
    if (cmd.size() == 4 && cmd[0].text.rfind("make", 0) == 0 && cmd[1].text == "Entering" &&
        cmd[2].text == "directory") {
      if (!sc.cwd.empty() && sc.cwd != cmd[3].text) {
        why = "commands run in two folders";
        return false;
      }
      sc.cwd = cmd[3].text;
    } else if (!classify(cmd, written, sc.steps, why)) {
      return false;
    }
    cmd.clear();
  }
  if (sc.cwd.empty()) {
    why = "no working folder in make's output";
    return false;
  }
  int marks = 0;
  bool compiles = false, links = false;
  std::string stamp = base_name(dir);
  auto tmpl = [&](std::string& s) {
    s = replace_all(replace_all(s, dir, "@DIR@"), kTemplateName, "@NAME@");
    return s.find(stamp) == std::string::npos && s.find("STAP_KBUILD_CCFLAGS") == std::string::npos;
  };
  for (ReplayStep& st : sc.steps) {
    for (std::string& a : st.args) {
      if (a == kCcflagsMark && st.kind == ReplayStep::kRun) {
        a = "@CCFLAGS@";
        ++marks;
        continue;
      }
      if (!tmpl(a)) {
        why = "a per-run path is left in: " + a;
        return false;
      }
    }
    if (!tmpl(st.stdin_text)) {
      why = "a per-run path is left in modpost's input";
      return false;
    }
    if (st.kind == ReplayStep::kRun &&
        std::find(st.args.begin(), st.args.end(), "@DIR@/@NAME@_src.c") != st.args.end())
      compiles = true;
    if (st.kind == ReplayStep::kRun &&
        std::find(st.args.begin(), st.args.end(), "@DIR@/@NAME@.ko") != st.args.end())
      links = true;
  }
  if (marks != 1 || !compiles || !links) {
    why = "the recording lacks the module's compile or link";
    return false;
  }
  return true;
}

std::string escape_field(const std::string& s) {
  std::string o;
  for (char c : s) {
    if (c == '%' || c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      char b[4];
      snprintf(b, sizeof b, "%%%02X", static_cast<unsigned char>(c));
      o += b;
    } else {
      o += c;
    }
  }
  return o.empty() ? "%" : o;  // a lone % is the empty field
}

std::string unescape_field(const std::string& s) {
  if (s == "%") return "";
  std::string o;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      o += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      o += s[i];
    }
  }
  return o;
}

std::string serialize(const ReplayScript& sc) {
  std::string o = std::string(kReplayFormat) + "\ncwd " + escape_field(sc.cwd) + "\n";
  for (const std::string& e : sc.env) o += "env " + escape_field(e) + "\n";
  for (const ReplayStep& st : sc.steps) {
    o += st.kind == ReplayStep::kWrite    ? "write"
         : st.kind == ReplayStep::kAppend   ? "append"
         : st.kind == ReplayStep::kNoExport ? "noexport"
         : st.has_stdin                     ? "runin " + escape_field(st.stdin_text)
                                            : "run";
    for (const std::string& a : st.args) o += " " + escape_field(a);
    o += "\n";
  }
  return o;
}

bool deserialize(const std::string& text, ReplayScript& sc) {
  std::stringstream ss(text);
  std::string line;
  if (!std::getline(ss, line) || line != kReplayFormat) return false;
  while (std::getline(ss, line)) {
    std::stringstream ls(line);
    std::string kind, f;
    ls >> kind;
    std::vector<std::string> fields;
    while (ls >> f) fields.push_back(unescape_field(f));
    if (kind == "cwd" && fields.size() == 1) {
      sc.cwd = fields[0];
    } else if (kind == "env" && fields.size() == 1) {
      sc.env.push_back(fields[0]);
    } else if (kind == "write" && fields.size() == 2) {
      sc.steps.push_back({ReplayStep::kWrite, fields, false, ""});
    } else if (kind == "append" && fields.size() == 2) {
      sc.steps.push_back({ReplayStep::kAppend, fields, false, ""});
    } else if (kind == "noexport" && fields.size() >= 2) {
      sc.steps.push_back({ReplayStep::kNoExport, fields, false, ""});
    } else if (kind == "run" && !fields.empty()) {
      sc.steps.push_back({ReplayStep::kRun, fields, false, ""});
    } else if (kind == "runin" && fields.size() >= 2) {
      std::string in = fields[0];
      fields.erase(fields.begin());
      sc.steps.push_back({ReplayStep::kRun, fields, true, in});
    } else {
      return false;
    }
  }
  return !sc.cwd.empty() && !sc.steps.empty();
}

// Runs argv in cwd with kbuild's environment; stdin from `in` (or /dev/null), stdout and
// stderr to out_fd. Returns the exit status, or -1 when it could not run.
int run_replayed(const std::vector<std::string>& argv, const ReplayScript& sc,
                 const std::string* in, int out_fd) {
  int pipefd[2] = {-1, -1};
  if (in && pipe(pipefd) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (in) {
      dup2(pipefd[0], 0);
      close(pipefd[0]);
      close(pipefd[1]);
    } else {
      int devnull = open("/dev/null", O_RDONLY);
      if (devnull >= 0) dup2(devnull, 0);
    }
    if (out_fd >= 0) {
      dup2(out_fd, 1);
      dup2(out_fd, 2);
    }
    for (const std::string& v : kKbuildUnset) unsetenv(v.c_str());
    std::string path = "/usr/bin:/bin";
    if (const char* p = getenv("PATH")) path += std::string(":") + p;
    setenv("PATH", path.c_str(), 1);
    for (const std::string& e : sc.env) {
      size_t eq = e.find('=');
      setenv(e.substr(0, eq).c_str(), e.substr(eq + 1).c_str(), 1);
    }
    if (chdir(sc.cwd.c_str()) != 0) _exit(127);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  if (in) {
    close(pipefd[0]);
    // The object list is a few dozen bytes, far below the pipe's capacity.
    ssize_t n = write(pipefd[1], in->data(), in->size());
    (void)n;
    close(pipefd[1]);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

enum class ReplayResult { kBuilt, kSourceFailed, kFailed };

// Runs the script for module `name` in `dir`. kSourceFailed: the compile of the
// generated C failed (make would fail the same way); kFailed: anything else.
ReplayResult replay(Session& s, const ReplayScript& sc, const std::string& dir,
                    const std::string& name, const std::vector<std::string>& cflags, int log_fd,
                    std::string& why) {
  auto subst = [&](const std::string& a) {
    return replace_all(replace_all(a, "@DIR@", dir), "@NAME@", name);
  };
  ReplayScript local;
  local.cwd = sc.cwd;
  for (const std::string& e : sc.env) local.env.push_back(subst(e));
  for (const ReplayStep& st : sc.steps) {
    std::vector<std::string> args;
    bool source_compile = false;
    for (const std::string& a : st.args) {
      if (a == "@CCFLAGS@" && st.kind == ReplayStep::kRun) {
        args.insert(args.end(), cflags.begin(), cflags.end());
        source_compile = true;
      } else {
        args.push_back(subst(a));
      }
    }
    if (st.kind == ReplayStep::kWrite || st.kind == ReplayStep::kAppend) {
      std::ofstream o(args[0], std::ios::binary | (st.kind == ReplayStep::kAppend ? std::ios::app : std::ios::trunc));
      o << args[1];
      if (!o.flush()) {
        why = "couldn't write " + args[0];
        return ReplayResult::kFailed;
      }
      continue;
    }
    if (st.kind == ReplayStep::kNoExport) {
      // Exported symbols need genksyms' CRCs, which only make produces.
      std::string out = dir + "/.nm.out";
      int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      std::vector<std::string> nm(args.begin() + 1, args.end());
      int rc = run_replayed(nm, local, nullptr, fd);
      if (fd >= 0) close(fd);
      std::ifstream f(out);
      std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
      if (rc != 0 || text.find(args[0]) != std::string::npos) {
        why = rc != 0 ? "nm failed" : "the module exports symbols";
        return ReplayResult::kFailed;
      }
      continue;
    }
    if (s.verbose(4) >= 2) {
      std::string line;
      for (const std::string& a : args) line += (line.empty() ? "" : " ") + a;
      s.diag.print("  " + line);
    }
    std::string in = subst(st.stdin_text);
    int rc = run_replayed(args, local, st.has_stdin ? &in : nullptr, log_fd);
    if (rc != 0) {
      why = args[0] + " exited with status " + std::to_string(rc);
      return source_compile && rc > 0 && rc != 127 ? ReplayResult::kSourceFailed : ReplayResult::kFailed;
    }
  }
  if (access((dir + "/" + name + ".ko").c_str(), R_OK) != 0) {
    why = "no module came out";
    return ReplayResult::kFailed;
  }
  return ReplayResult::kBuilt;
}

const char* kTemplateSource =
    "#include <linux/module.h>\n"
    "#include <linux/kernel.h>\n"
    "static int __init stap_kbuild_template_init(void) { pr_info(\"template\\n\"); return 0; }\n"
    "static void __exit stap_kbuild_template_exit(void) {}\n"
    "module_init(stap_kbuild_template_init);\n"
    "module_exit(stap_kbuild_template_exit);\n"
    "MODULE_LICENSE(\"GPL\");\n";

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The recorded commands for this kernel build tree: read from the cache, else recorded
// now (make V=1 on a template module), checked by replaying them, and cached. False when
// there is no trustworthy recording; `why` says why.
bool ensure_replay_script(Session& s, const std::string& tmp, ReplayScript& sc, std::string& why) {
  Hash128 h;
  h.add(kReplayFormat);
  h.add(kStapVersion);
  h.add(s.kernel_release);
  h.add(s.kernel_build_tree);
  for (const char* f : {"/.config", "/include/generated/autoconf.h", "/include/generated/utsrelease.h",
                        "/Module.symvers", "/Makefile"})
    hash_stat(h, s.kernel_build_tree + f);
  // Variables kbuild reads from the environment into its commands.
  for (const char* v : {"KCFLAGS", "KCPPFLAGS", "KAFLAGS", "LLVM", "LLVM_IAS", "KBUILD_EXTRA_SYMBOLS"}) {
    const char* val = getenv(v);
    h.add(std::string(v) + "=" + (val ? val : "\x01unset"));
  }
  std::string cache = systemtap_dir() + "/cache/kbuild";
  std::string path = cache + "/" + h.hex() + ".cmds";
  std::string bad = path + ".failed";
  if (access(path.c_str(), R_OK) == 0) {
    if (deserialize(read_all(path), sc)) return true;
    why = "unreadable " + path;
    return false;
  }
  if (access(bad.c_str(), R_OK) == 0) {
    why = "recording failed before (" + bad + ")";
    return false;
  }
  auto give_up = [&](const std::string& m) {
    why = m;
    // Remember the failure so that every build does not pay for a new attempt.
    if (make_dirs(cache)) write_file(bad, m + "\n");
    return false;
  };
  std::string rec = tmp + "/kbuild-record";
  std::string chk = tmp + "/kbuild-check";
  if (mkdir(rec.c_str(), 0755) != 0 || mkdir(chk.c_str(), 0755) != 0) {
    why = "couldn't create " + rec;
    return false;
  }
  std::string name = kTemplateName;
  write_file(rec + "/" + name + "_src.c", kTemplateSource);
  std::string kb = "obj-m := " + name + ".o\n" + name + "-y := " + name + "_src.o\nccflags-y := " +
                   kCcflagsMark + "\n";
  write_file(rec + "/Kbuild", kb);
  write_file(rec + "/Makefile", kb);
  // A SHELL wrapper saves the environment make gives the module's compile, which the
  // scripts kbuild runs rely on (NM, AWK, srctree, ...).
  std::string envfile = rec + "/env.rec";
  std::string wrapper = rec + "/record-sh";
  write_file(wrapper, "#!/bin/sh\ncase \"$*\" in *" + name + "_src.c*) [ -e '" + envfile +
                          "' ] || env -0 > '" + envfile + "';; esac\nexec /bin/sh \"$@\"\n");
  chmod(wrapper.c_str(), 0755);
  std::vector<std::string> argv = kbuild_make_argv(s.kernel_build_tree, rec);
  argv.push_back("V=1");
  argv.push_back("SHELL=" + wrapper);
  int out_fd = open((rec + "/make.out").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  int err_fd = open((rec + "/make.err").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_fd, 1);
    dup2(err_fd, 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    for (const std::string& v : kKbuildUnset) unsetenv(v.c_str());
    std::string p = "/usr/bin:/bin";
    if (const char* e = getenv("PATH")) p += std::string(":") + e;
    setenv("PATH", p.c_str(), 1);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out_fd);
  close(err_fd);
  int status = 0;
  while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (pid < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return give_up("make on the template module failed (see " + rec + ")");
  std::string made_ko = rec + "/" + name + ".ko";
  if (access(made_ko.c_str(), R_OK) != 0) return give_up("make made no template module");
  if (!read_all(rec + "/make.err").empty()) return give_up("make on the template module printed warnings");
  if (!parse_recording(read_all(rec + "/make.out"), rec, sc, why)) return give_up(why);

  // Keep only what make added to the environment (ours is used again at replay time).
  std::string envtext = read_all(envfile);
  if (envtext.empty()) return give_up("the template's compile environment was not captured");
  std::map<std::string, std::string> ours;
  for (char** e = environ; *e; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) ours[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const std::string& v : kKbuildUnset) ours.erase(v);
  const std::vector<std::string> skip = {"PATH", "PWD", "OLDPWD", "SHELL", "SHLVL", "_", "MAKEFLAGS",
                                         "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "MAKE_TERMOUT",
                                         "MAKE_TERMERR", "V"};
  size_t at = 0;
  while (at < envtext.size()) {
    size_t end = envtext.find('\0', at);
    if (end == std::string::npos) end = envtext.size();
    std::string kv = envtext.substr(at, end - at);
    at = end + 1;
    size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    std::string k = kv.substr(0, eq), v = kv.substr(eq + 1);
    if (std::find(skip.begin(), skip.end(), k) != skip.end()) continue;
    auto it = ours.find(k);
    if (it != ours.end() && it->second == v) continue;
    if (v.find('\n') != std::string::npos) return give_up("a multi-line variable in make's environment");
    v = replace_all(replace_all(v, rec, "@DIR@"), name, "@NAME@");
    if (v.find(base_name(tmp)) != std::string::npos) return give_up("a per-run path in variable " + k);
    sc.env.push_back(k + "=" + v);
  }
  // Replay the recording in a fresh folder and compare with make's module.
  ReplayScript loaded;
  std::string text = serialize(sc);
  if (!deserialize(text, loaded)) return give_up("the recording does not read back");
  write_file(chk + "/" + name + "_src.c", kTemplateSource);
  int log_fd = open((chk + "/replay.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  ReplayResult rr = replay(s, loaded, chk, name, {}, log_fd, why);
  if (log_fd >= 0) close(log_fd);
  if (rr != ReplayResult::kBuilt) return give_up("replaying the template failed: " + why);
  if (!read_all(chk + "/replay.log").empty()) return give_up("replaying the template printed warnings");
  // The folder never reaches the module, so a faithful replay gives make's bytes.
  if (read_all(chk + "/" + name + ".ko") != read_all(made_ko))
    return give_up("the replayed template module differs from make's");
  if (!make_dirs(cache)) {
    why = "couldn't create " + cache;
    return false;
  }
  std::string tmpfile = path + ".tmp" + std::to_string(getpid());
  if (!write_file(tmpfile, text) || rename(tmpfile.c_str(), path.c_str()) != 0) {
    unlink(tmpfile.c_str());
    why = "couldn't write " + path;
    return false;
  }
  if (s.verbose(4) > 0) s.diag.print("Pass 4: recorded kbuild's commands in " + path);
  return true;
}

}  // namespace

std::string runtime_directory(const Session& s) {
  if (!s.opts.runtime_dir.empty()) return s.opts.runtime_dir;
  if (const char* r = getenv("SYSTEMTAP_RUNTIME")) return r;
  return std::string(PKGDATADIR) + "/runtime";
}

BuildResult build_module(Session& s, const std::string& source, const std::string& pass3_report) {
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
  if (s.verbose(3) > 0)
    s.diag.print("Pass 3: translated to C into \"" + dir + "/" + src + "\" " + pass3_report);
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

  std::string log = dir + "/make.log";
  std::string ko = dir + "/" + name + ".ko";
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct rusage ru0;
  getrusage(RUSAGE_CHILDREN, &ru0);
  auto show_log = [&] {
    std::string text = read_all(log);
    if (!text.empty()) s.diag.print(text.back() == '\n' ? text.substr(0, text.size() - 1) : text);
  };

  // The fast path: kbuild's recorded commands, run directly. -B's arguments only mean
  // something to make, and STAP_KBUILD=make asks for make.
  const char* mode = getenv("STAP_KBUILD");
  std::string why;
  bool replayed = false;
  std::vector<ShellWord> flag_words;
  if (mode && std::string(mode) == "make") {
    why = "STAP_KBUILD=make";
  } else if (!s.opts.kbuild_args.empty()) {
    why = "-B was given";
  } else if (name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") !=
             std::string::npos) {
    why = "the module name needs kbuild's own spelling rules";
  } else if (!shell_split(cflags, flag_words) ||
             std::any_of(flag_words.begin(), flag_words.end(),
                         [](const ShellWord& w) { return w.op || w.expands; })) {
    why = "the compiler flags need a shell";
  } else {
    ReplayScript sc;
    if (ensure_replay_script(s, dir, sc, why)) {
      std::vector<std::string> flags;
      for (const ShellWord& w : flag_words) flags.push_back(w.text);
      int log_fd = s.verbose(4) < 2 ? open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644) : -1;
      ReplayResult rr = replay(s, sc, dir, name, flags, log_fd, why);
      if (log_fd >= 0) close(log_fd);
      if (rr == ReplayResult::kSourceFailed) {
        show_log();
        return r;
      }
      replayed = rr == ReplayResult::kBuilt;
      if (replayed && s.verbose(4) > 0) s.diag.print("Pass 4: built by replaying kbuild's recorded commands");
      if (!replayed && s.verbose(4) > 0) show_log();
    }
  }
  if (!replayed) {
    if (s.verbose(4) > 0) s.diag.print("Pass 4: building with make (" + why + ")");
    std::vector<std::string> argv = kbuild_make_argv(s.kernel_build_tree, dir);
    if (s.verbose(4) < 2) argv.push_back("-s");
    else argv.push_back("V=1");
    for (const std::string& b : s.opts.kbuild_args) argv.push_back(b);
    int log_fd = -1;
    if (s.verbose(4) < 2) log_fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = run_command(argv, kKbuildUnset, log_fd);
    if (log_fd >= 0) close(log_fd);
    if (rc != 0 || access(ko.c_str(), R_OK) != 0) {
      show_log();
      if (rc < 0) s.diag.print("ERROR: couldn't run make: " + std::string(strerror(errno)));
      return r;
    }
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
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
