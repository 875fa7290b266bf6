#include "stap/debuginfo/module_tracepoints.h"

#include <fnmatch.h>
#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "stap/debuginfo/btf_source.h"

namespace stap::debuginfo {

namespace {

constexpr std::string_view kTracepointPrefix = "__tracepoint_";
constexpr std::string_view kEventPrefix = "event_";
constexpr std::string_view kClassPrefix = "event_class_";
// struct trace_event_call: list_head list (16 bytes), then `class`, then the union
// whose `tp` points at the struct tracepoint (6.1 and 6.12 alike, x86-64).
constexpr uint64_t kCallClassOffset = 16;
constexpr uint64_t kCallTpOffset = 24;
// The cache file's format; a file of another version is ignored.
constexpr std::string_view kCacheVersion = "stap-module-tracepoints 1";

// A place in the object: section index and offset.
using Place = std::pair<size_t, uint64_t>;

struct Symbol {
  std::string name;
  size_t shndx = 0;
  uint64_t value = 0;
  unsigned type = 0;
};

// The parts of a relocatable ELF image the scan needs: its symbols, the objects by
// place, and where each relocated pointer points.
class RelocatableElf {
 public:
  bool open(std::string& image, std::string* error) {
    elf_version(EV_CURRENT);
    e_ = elf_memory(image.data(), image.size());
    GElf_Ehdr eh;
    if (!e_ || elf_kind(e_) != ELF_K_ELF || !gelf_getehdr(e_, &eh)) {
      *error = "not an ELF file";
      return false;
    }
    if (eh.e_type != ET_REL) {
      *error = "not a relocatable ELF file (a kernel module)";
      return false;
    }
    if (elf_getshdrstrndx(e_, &shstrndx_) != 0) {
      *error = "no section name table";
      return false;
    }
    read_symbols();
    return true;
  }
  ~RelocatableElf() {
    if (e_) elf_end(e_);
  }

  const std::vector<Symbol>& symbols() const { return syms_; }

  // Where the pointer stored at `at` points, from its relocation; false when no
  // relocation is there.
  bool pointer_at(Place at, Place* to) {
    load_relocations(at.first);
    auto it = relocs_.find(at);
    if (it == relocs_.end()) return false;
    *to = it->second;
    return true;
  }

  // The object or function symbol that starts at `p`, or "".
  std::string symbol_at(Place p) const {
    auto it = by_place_.find(p);
    return it == by_place_.end() ? "" : syms_[it->second].name;
  }

  // The NUL-terminated string at `p`, or "" when p is not in a section with data.
  std::string string_at(Place p) {
    Elf_Scn* s = elf_getscn(e_, p.first);
    GElf_Shdr sh;
    if (!s || !gelf_getshdr(s, &sh) || sh.sh_type == SHT_NOBITS) return {};
    Elf_Data* d = elf_getdata(s, nullptr);
    if (!d || !d->d_buf || p.second >= d->d_size) return {};
    const char* b = static_cast<const char*>(d->d_buf) + p.second;
    return std::string(b, strnlen(b, d->d_size - p.second));
  }

 private:
  void read_symbols() {
    for (Elf_Scn* s = elf_nextscn(e_, nullptr); s; s = elf_nextscn(e_, s)) {
      GElf_Shdr sh;
      if (!gelf_getshdr(s, &sh)) continue;
      if (sh.sh_type == SHT_RELA) rela_of_[sh.sh_info].push_back(elf_ndxscn(s));
      if (sh.sh_type != SHT_SYMTAB) continue;
      Elf_Data* d = elf_getdata(s, nullptr);
      if (!d || sh.sh_entsize == 0) continue;
      size_t n = d->d_size / sh.sh_entsize;  // what was read, not what the header claims
      syms_.resize(n);
      for (size_t i = 0; i < n; ++i) {
        GElf_Sym sym;
        if (!gelf_getsym(d, static_cast<int>(i), &sym)) continue;
        const char* nm = elf_strptr(e_, sh.sh_link, sym.st_name);
        Symbol& out = syms_[i];
        out.name = nm ? nm : "";
        out.shndx = sym.st_shndx;
        out.value = sym.st_value;
        out.type = GELF_ST_TYPE(sym.st_info);
        if ((out.type == STT_OBJECT || out.type == STT_FUNC) && sym.st_shndx != SHN_UNDEF &&
            sym.st_shndx < SHN_LORESERVE)
          by_place_.try_emplace({out.shndx, out.value}, i);
      }
    }
  }

  // The relocations that apply to section `target`, read the first time it is asked.
  void load_relocations(size_t target) {
    if (!loaded_.insert(target).second) return;
    auto it = rela_of_.find(target);
    if (it == rela_of_.end()) return;
    for (size_t idx : it->second) {
      Elf_Scn* s = elf_getscn(e_, idx);
      GElf_Shdr sh;
      if (!s || !gelf_getshdr(s, &sh) || sh.sh_entsize == 0) continue;
      Elf_Data* d = elf_getdata(s, nullptr);
      if (!d) continue;
      size_t n = d->d_size / sh.sh_entsize;  // what was read, not what the header claims
      for (size_t i = 0; i < n; ++i) {
        GElf_Rela r;
        if (!gelf_getrela(d, static_cast<int>(i), &r)) continue;
        size_t si = GELF_R_SYM(r.r_info);
        if (si >= syms_.size()) continue;
        const Symbol& sym = syms_[si];
        if (sym.shndx == SHN_UNDEF || sym.shndx >= SHN_LORESERVE) continue;
        // Section symbols have value 0; a symbol's own value is its offset.
        relocs_[{target, r.r_offset}] = {sym.shndx, sym.value + static_cast<uint64_t>(r.r_addend)};
      }
    }
  }

  Elf* e_ = nullptr;
  size_t shstrndx_ = 0;
  std::vector<Symbol> syms_;
  std::map<Place, size_t> by_place_;
  std::map<size_t, std::vector<size_t>> rela_of_;  // target section -> its RELA sections
  std::set<size_t> loaded_;
  std::map<Place, Place> relocs_;
};

bool glob_match(const std::string& glob, const std::string& s) {
  return fnmatch(glob.c_str(), s.c_str(), 0) == 0;
}

// Fields are separated by tabs; "-" stands for an empty one.
std::string field(const std::string& s) { return s.empty() ? "-" : s; }
std::string unfield(const std::string& s) { return s == "-" ? "" : s; }

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t t = line.find('\t', start);
    out.push_back(line.substr(start, t == std::string::npos ? t : t - start));
    if (t == std::string::npos) break;
    start = t + 1;
  }
  return out;
}

}  // namespace

bool scan_module_elf(std::string& image, std::vector<ModuleTracepointDecl>* out,
                     std::string* error) {
  RelocatableElf elf;
  if (!elf.open(image, error)) return false;
  // The tracepoints, by the place of their struct tracepoint.
  std::map<Place, ModuleTracepointDecl> tps;
  for (const Symbol& s : elf.symbols()) {
    if (s.type != STT_OBJECT || !s.name.starts_with(kTracepointPrefix) ||
        s.name.size() == kTracepointPrefix.size() || s.shndx == SHN_UNDEF ||
        s.shndx >= SHN_LORESERVE)
      continue;
    ModuleTracepointDecl d;
    d.name = s.name.substr(kTracepointPrefix.size());
    tps.emplace(Place{s.shndx, s.value}, std::move(d));
  }
  if (tps.empty()) return true;
  // Each trace event: event_<name> -> its class -> the system string, and -> its tracepoint.
  for (const Symbol& s : elf.symbols()) {
    if (s.type != STT_OBJECT || !s.name.starts_with(kEventPrefix) ||
        s.name.starts_with(kClassPrefix) || s.shndx == SHN_UNDEF || s.shndx >= SHN_LORESERVE)
      continue;
    Place tp, cls, sys;
    if (!elf.pointer_at({s.shndx, s.value + kCallTpOffset}, &tp)) continue;
    auto t = tps.find(tp);
    if (t == tps.end()) continue;  // not a trace_event_call of a tracepoint
    if (!elf.pointer_at({s.shndx, s.value + kCallClassOffset}, &cls)) continue;
    if (!elf.pointer_at(cls, &sys)) continue;
    std::string system = elf.string_at(sys);
    if (system.empty()) continue;
    t->second.system = system;
    std::string cname = elf.symbol_at(cls);
    if (cname.starts_with(kClassPrefix)) t->second.tmpl = cname.substr(kClassPrefix.size());
  }
  for (auto& [place, d] : tps) out->push_back(std::move(d));
  std::sort(out->begin(), out->end(),
            [](const ModuleTracepointDecl& a, const ModuleTracepointDecl& b) {
              return a.name < b.name;
            });
  out->erase(std::unique(out->begin(), out->end(),
                         [](const ModuleTracepointDecl& a, const ModuleTracepointDecl& b) {
                           return a.name == b.name;
                         }),
             out->end());
  return true;
}

ModuleTracepointIndex::ModuleTracepointIndex(std::string release, std::string module_root,
                                             std::string cache_dir)
    : release_(std::move(release)), root_(std::move(module_root)),
      cache_dir_(std::move(cache_dir)) {}

std::string ModuleTracepointIndex::cache_file() const {
  if (cache_dir_.empty()) return {};
  return cache_dir_ + "/tracepoints/modules-" + release_ + ".txt";
}

// What changes when modules are installed or removed: depmod's output and the
// folders modules are installed into (a file added or renamed into them).
std::string ModuleTracepointIndex::dep_stamp() const {
  std::string all;
  for (const char* f : {"/modules.dep", "", "/kernel", "/updates", "/extra"}) {
    std::string s;
    all += (file_key(root_ + f, &s) ? s : "-") + ",";
  }
  return all;
}

// The file: a version line, "dep STAMP", then per module "M name path stamp" followed by
// its tracepoints as "T name system template".
bool ModuleTracepointIndex::read_cache() {
  if (cache_read_) return cache_ok_;
  cache_read_ = true;
  std::string path = cache_file();
  if (path.empty()) return false;
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line) || line != kCacheVersion) return false;
  if (!std::getline(in, line) || !line.starts_with("dep\t")) return false;
  cached_dep_stamp_ = line.substr(4);
  while (std::getline(in, line)) {
    std::vector<std::string> f = split_tabs(line);
    if (f[0] == "M" && f.size() == 4) {
      cached_.push_back({f[1], CachedModule{f[2], f[3], {}}});
    } else if (f[0] == "T" && f.size() == 4 && !cached_.empty()) {
      cached_.back().second.decls.push_back({f[1], unfield(f[2]), unfield(f[3])});
    } else {
      cached_.clear();
      return false;  // damaged: scan again
    }
  }
  cache_ok_ = true;
  return true;
}

void ModuleTracepointIndex::write_cache() const {
  std::string path = cache_file();
  if (path.empty()) return;
  std::string s = std::string(kCacheVersion) + "\n";
  s += "dep\t" + cached_dep_stamp_ + "\n";
  for (const auto& [name, m] : cached_) {
    s += "M\t" + name + "\t" + m.path + "\t" + m.stamp + "\n";
    for (const ModuleTracepointDecl& d : m.decls)
      s += "T\t" + d.name + "\t" + field(d.system) + "\t" + field(d.tmpl) + "\n";
  }
  write_file_atomic(path, s);
}

bool ModuleTracepointIndex::may_match(const std::string& system_glob,
                                      const std::string& name_glob) {
  if (done_) {
    for (const ModuleTracepoint& t : all_)
      if (glob_match(system_glob, t.decl.system) && glob_match(name_glob, t.decl.name))
        return true;
    return false;
  }
  if (!read_cache() || cached_dep_stamp_ != dep_stamp()) return true;
  for (const auto& [name, m] : cached_)
    for (const ModuleTracepointDecl& d : m.decls)
      if (glob_match(system_glob, d.system) && glob_match(name_glob, d.name)) return true;
  return false;
}

const std::vector<ModuleTracepoint>& ModuleTracepointIndex::tracepoints() {
  if (done_) return all_;
  done_ = true;
  read_cache();
  std::map<std::string, const CachedModule*> old;
  for (const auto& [name, m] : cached_) old[name] = &m;
  std::vector<std::pair<std::string, CachedModule>> fresh;
  bool changed = !cache_ok_ || cached_.size() == 0;
  std::string dep = dep_stamp();
  if (dep != cached_dep_stamp_) changed = true;
  ModuleFiles files(release_, root_);
  for (const std::string& name : files.names()) {
    std::string path = files.path(name);
    CachedModule m;
    m.path = path;
    if (!file_key(path, &m.stamp)) continue;
    auto o = old.find(name);
    if (o != old.end() && o->second->path == path && o->second->stamp == m.stamp) {
      m.decls = o->second->decls;
    } else {
      changed = true;
      std::string raw, elf, err;
      std::ifstream in(path, std::ios::binary);
      std::ostringstream ss;
      ss << in.rdbuf();
      raw = std::move(ss).str();
      if (!in || !decompress_by_magic(std::move(raw), &elf, &err) ||
          !scan_module_elf(elf, &m.decls, &err)) {
        errors_.push_back(path + ": " + (err.empty() ? "cannot read" : err));
      } else if (!m.decls.empty() && !path.ends_with(".ko")) {
        // The module's BTF will be wanted for the tracepoints' types: keep it now,
        // while the module is decompressed.
        store_module_btf_cache(release_, name, path, cache_dir_, elf);
      }
    }
    fresh.push_back({name, std::move(m)});
  }
  if (fresh.size() != cached_.size()) changed = true;
  cached_ = std::move(fresh);
  cached_dep_stamp_ = dep;
  if (changed) write_cache();
  for (const auto& [name, m] : cached_)
    for (const ModuleTracepointDecl& d : m.decls) all_.push_back({name, d});
  return all_;
}

}  // namespace stap::debuginfo
