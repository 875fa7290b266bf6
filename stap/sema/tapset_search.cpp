#include "stap/sema/tapset_search.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <optional>

#include "stap/debuginfo/btf_source.h"
#include "stap/driver/session.h"
#include "stap/parse/lexer.h"
#include "stap/parse/parser.h"

#ifndef PKGDATADIR
#define PKGDATADIR "/usr/local/share/systemtap"
#endif

namespace stap {

namespace {

bool is_dir(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::vector<std::string> list_files(const std::string& dir, const char* ext) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  while (struct dirent* e = readdir(d)) {
    std::string n = e->d_name;
    size_t el = std::char_traits<char>::length(ext);
    if (n.size() > el && n.compare(n.size() - el, el, ext) == 0) out.push_back(dir + "/" + n);
  }
  closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::vector<std::string> tapset_roots(const Session& s) {
  std::vector<std::string> roots;
  const char* env = getenv("SYSTEMTAP_TAPSET");
  roots.push_back(env && *env ? env : PKGDATADIR "/tapset");
  for (const auto& d : s.opts.include_dirs) roots.push_back(d);
  return roots;
}

// The part of a search dir below the root it was derived from ("/linux/6.1", "").
std::string relative_dir(const std::vector<std::string>& roots, const std::string& dir) {
  size_t best = std::string::npos;
  for (const std::string& r : roots) {
    if (dir.compare(0, r.size(), r) == 0 && (dir.size() == r.size() || dir[r.size()] == '/') &&
        (best == std::string::npos || r.size() > best))
      best = r.size();
  }
  return best == std::string::npos ? dir : dir.substr(best);
}

// Files of every search dir, earlier dirs winning for the same relative name.
std::vector<std::string> library_files(const Session& s, const char* ext) {
  std::vector<std::string> roots = tapset_roots(s);
  std::vector<std::string> out;
  std::set<std::string> seen_rel;
  for (const std::string& dir : s.tapset_dirs) {
    for (const std::string& f : list_files(dir, ext)) {
      std::string base = f.substr(f.rfind('/') + 1);
      // The relative name is the path below the root include dir; the dir list holds
      // subfolders, so compare on the file name within the same subfolder suffix.
      if (!seen_rel.insert(relative_dir(roots, dir) + "/" + base).second) continue;
      out.push_back(f);
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> tapset_search_dirs(const Session& s) {
  std::vector<std::string> roots = tapset_roots(s);

  std::string kvr = s.kernel_release;
  std::string kv = kvr.substr(0, kvr.find('-'));
  std::string majmin = kv.substr(0, kv.find('.', kv.find('.') + 1));
  std::vector<std::string> versions = {kvr, kv, majmin, ""};
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const std::string& root : roots) {
    for (const char* prefix : {"/linux", ""}) {
      for (const std::string& v : versions) {
        for (const std::string& a : {s.arch, std::string()}) {
          std::string d = root + prefix;
          if (!v.empty()) d += "/" + v;
          if (!a.empty()) d += "/" + a;
          if (!seen.insert(d).second) continue;
          if (is_dir(d)) out.push_back(d);
        }
      }
    }
  }
  return out;
}

int load_library_macros(Session& s) {
  int n = 0;
  for (const std::string& path : library_files(s, ".stpm")) {
    const SourceFile* src = s.add_source(path, read_file(path), true);
    ParseOptions po;
    po.privileged = true;
    po.is_tapset = true;
    po.macros_only = true;
    po.compatible = s.pp.systemtap_v;
    parse_source(*src, s.arena, s.diag, s.pp, po, nullptr, s.library_macros);
    ++n;
  }
  return n;
}

namespace {

// The index of a library depends only on its files' contents, so it is cached under
// $SYSTEMTAP_DIR/cache/tapset-index, in a file named by a hash of every file's path,
// size and modification time: lexing all ~150 tapset files cost about a tenth of a
// `stap -p2 -e 'probe syscall.* {}'`.  A stale or unreadable cache is only a rescan.
constexpr const char kIndexMagic[] = "stap-tapset-index 1\n";

std::string index_cache_dir() { return systemtap_dir() + "/cache/tapset-index"; }

// "" when some file cannot be stat'ed (the scan will say nothing either; no caching).
std::string index_cache_key(const std::vector<std::string>& files) {
  std::string all = kIndexMagic;
  for (const std::string& f : files) {
    struct stat st;
    if (stat(f.c_str(), &st) != 0) return "";
    all += f + '\t' + std::to_string(st.st_size) + '\t' + std::to_string(st.st_mtim.tv_sec) + '.' +
           std::to_string(st.st_mtim.tv_nsec) + '\n';
  }
  char buf[32];
  snprintf(buf, sizeof buf, "%016zx", std::hash<std::string>{}(all));
  return buf;
}

}  // namespace

TapsetIndex::TapsetIndex(Session& s) : s_(s) {
  std::vector<std::string> files = library_files(s, ".stp");
  std::string key = index_cache_key(files);
  std::string cache = key.empty() ? "" : index_cache_dir() + "/" + key;
  if (!cache.empty() && read_cache(cache, files)) return;
  int rank = 0;
  for (const std::string& path : files) scan(path, rank++);
  if (!cache.empty()) write_cache(cache, files);
}

// Lines "KIND FILE NAME" in scan order (KIND f, g or a; FILE an index into `files`),
// after the magic line and the file count.
bool TapsetIndex::read_cache(const std::string& cache, const std::vector<std::string>& files) {
  std::string text = read_file(cache);
  std::string head = kIndexMagic + std::to_string(files.size()) + '\n';
  if (text.compare(0, head.size(), head) != 0) return false;
  std::map<std::string, std::vector<std::string>> fn, gl, al;
  size_t pos = head.size();
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos || nl - pos < 5 || text[pos + 1] != ' ') return false;
    char kind = text[pos];
    size_t sp = text.find(' ', pos + 2);
    if (sp == std::string::npos || sp >= nl) return false;
    char* end = nullptr;
    unsigned long idx = strtoul(text.c_str() + pos + 2, &end, 10);
    if (end != text.c_str() + sp || idx >= files.size()) return false;
    std::string name = text.substr(sp + 1, nl - sp - 1);
    auto* m = kind == 'f' ? &fn : kind == 'g' ? &gl : kind == 'a' ? &al : nullptr;
    if (!m || name.empty()) return false;
    (*m)[name].push_back(files[idx]);
    pos = nl + 1;
  }
  functions_ = std::move(fn);
  globals_ = std::move(gl);
  aliases_ = std::move(al);
  return true;
}

void TapsetIndex::write_cache(const std::string& cache, const std::vector<std::string>& files) {
  std::map<std::string, size_t> index_of;
  for (size_t i = 0; i < files.size(); i++) index_of[files[i]] = i;
  std::string out = kIndexMagic + std::to_string(files.size()) + '\n';
  // Each name's files keep their scan (rank) order, which is all lookups depend on.
  for (auto [kind, m] : {std::pair{'f', &functions_}, {'g', &globals_}, {'a', &aliases_}})
    for (const auto& [name, paths] : *m)
      for (const std::string& p : paths) {
        if (name.find('\n') != std::string::npos || name.empty()) return;
        out += std::string(1, kind) + ' ' + std::to_string(index_of[p]) + ' ' + name + '\n';
      }
  debuginfo::write_file_atomic(cache, out);
}

// Records the names a file declares at brace depth 0. Conditionals are ignored, so the
// index may name a file that, once parsed, turns out not to declare the name; callers
// then try the next file.
void TapsetIndex::scan(const std::string& path, int rank) {
  (void)rank;
  SourceFile f;
  f.name = path;
  f.text = read_file(path);
  Lexer lex(f, nullptr);
  // One token of lookahead: the end of a global list is the next declaration's keyword.
  std::optional<Token> pushed;
  auto next = [&]() {
    if (pushed) {
      Token t = std::move(*pushed);
      pushed.reset();
      return t;
    }
    return lex.next();
  };
  int depth = 0;
  for (;;) {
    Token t = next();
    if (t.kind == TokKind::Eof) break;
    if (t.kind == TokKind::Junk) continue;
    if (t.is_op("{")) ++depth;
    else if (t.is_op("}")) --depth;
    else if (depth == 0 && t.kind == TokKind::Keyword) {
      if (t.text == "function") {
        Token n = next();
        functions_[n.text].push_back(path);
      } else if (t.text == "global" || (t.text == "private" && false)) {
        // global a, b[10], c = 1: every identifier up to the end of the list
        for (;;) {
          Token n = next();
          if (n.kind != TokKind::Identifier) break;
          globals_[n.text].push_back(path);
          Token sep = next();
          while (sep.kind != TokKind::Eof && !sep.is_op(",") &&
                 (sep.is_op("%") || sep.is_op("[") || sep.kind == TokKind::Number ||
                  sep.is_op("]") || sep.is_op("=") || sep.is_op("-") ||
                  sep.kind == TokKind::String))
            sep = next();
          if (!sep.is_op(",")) {
            pushed = std::move(sep);
            break;
          }
        }
      } else if (t.text == "probe") {
        // Only aliases ("probe NAME... =" / "+=") are indexed; plain probes come along
        // with the file when something else pulls it in.
        Token n = next();
        std::string name = n.text;
        int d = 0;
        for (;;) {
          Token x = next();
          if (x.kind == TokKind::Eof) break;
          if (x.is_op("(")) ++d;
          if (x.is_op(")")) --d;
          if (d == 0 && (x.is_op("=") || x.is_op("+="))) {
            aliases_[name].push_back(path);
            break;
          }
          if (d == 0 && x.is_op("{")) {
            ++depth;
            break;
          }
        }
      }
    }
  }
}

std::vector<std::string> TapsetIndex::files_for_function(const std::string& name) const {
  auto it = functions_.find(name);
  return it == functions_.end() ? std::vector<std::string>{} : it->second;
}

std::vector<std::string> TapsetIndex::files_for_global(const std::string& name) const {
  auto it = globals_.find(name);
  return it == globals_.end() ? std::vector<std::string>{} : it->second;
}

std::vector<std::string> TapsetIndex::files_for_alias(const std::string& functor) const {
  std::vector<std::string> out;
  for (const auto& [name, files] : aliases_) {
    if (fnmatch(functor.c_str(), name.c_str(), 0) == 0 || functor.find("**") == 0)
      out.insert(out.end(), files.begin(), files.end());
  }
  return out;
}

std::vector<std::string> TapsetIndex::function_names() const {
  std::vector<std::string> out;
  for (const auto& [name, files] : functions_) out.push_back(name);
  return out;
}

std::vector<std::string> TapsetIndex::alias_names() const {
  std::vector<std::string> out;
  for (const auto& [name, files] : aliases_) out.push_back(name);
  return out;
}

StapFile* TapsetIndex::load(const std::string& path) {
  if (!loaded_.insert(path).second) return nullptr;
  const SourceFile* src = s_.add_source(path, read_file(path), true);
  ParseOptions po;
  po.privileged = true;
  po.is_tapset = true;
  po.compatible = s_.pp.systemtap_v;
  ParseResult r = parse_source(*src, s_.arena, s_.diag, s_.pp, po, &s_.args, s_.library_macros);
  ++parsed_count_;
  if (r.errors > 0) {
    s_.diag.warning("tapset '" + path + "' has errors, and will be skipped");
    return nullptr;
  }
  return r.file;
}

}  // namespace stap
