#include "stap/debuginfo/dwarf.h"

#include "stap/debuginfo/btf_source.h"
#include "stap/debuginfo/line_files.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <gelf.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace stap::debuginfo {
namespace fs = std::filesystem;

namespace {

bool exists_file(const std::string& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec);
}

// True when the ELF file at path has a non-empty .debug_info (a stripped vmlinux in
// the build tree or /boot does not help).
bool has_debug_info(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  elf_version(EV_CURRENT);
  bool found = false;
  if (Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr)) {
    size_t shstrndx = 0;
    if (elf_getshdrstrndx(elf, &shstrndx) == 0) {
      for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf, scn)) != nullptr;) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) continue;
        const char* n = elf_strptr(elf, shstrndx, sh.sh_name);
        if (n && std::strcmp(n, ".debug_info") == 0 && sh.sh_type != SHT_NOBITS &&
            sh.sh_size > 0) {
          found = true;
          break;
        }
      }
    }
    elf_end(elf);
  }
  ::close(fd);
  return found;
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string signed_num(int64_t v) {
  if (v < 0) return "-" + hex(static_cast<uint64_t>(0) - static_cast<uint64_t>(v)) + "L";
  return hex(static_cast<uint64_t>(v)) + "L";
}

bool glob_match(const std::string& glob, const char* name) {
  return fnmatch(glob.c_str(), name, 0) == 0;
}
bool glob_match(const std::string& glob, const std::string& name) {
  return glob_match(glob, name.c_str());
}
bool glob_match(const std::string& glob, std::string_view name) {
  return glob_match(glob, std::string(name));
}

// C's integer spellings as gcc names its DWARF base types: "unsigned long" and
// "long unsigned" are both "long unsigned int". Anything else is returned as is.
std::string gcc_base_name(const std::string& spelling) {
  std::stringstream ss(spelling);
  std::string w;
  int longs = 0, shorts = 0, other = 0;
  bool is_unsigned = false, is_signed = false, is_char = false, words = false;
  while (ss >> w) {
    words = true;
    if (w == "long") ++longs;
    else if (w == "short") ++shorts;
    else if (w == "unsigned") is_unsigned = true;
    else if (w == "signed") is_signed = true;
    else if (w == "char") is_char = true;
    else if (w != "int") ++other;
  }
  if (!words || other || longs > 2 || (longs && shorts) || (is_signed && is_unsigned))
    return spelling;
  if (is_char) {
    if (longs || shorts) return spelling;
    return is_unsigned ? "unsigned char" : is_signed ? "signed char" : "char";
  }
  std::string n = shorts ? "short " : longs == 2 ? "long long " : longs ? "long " : "";
  return n + (is_unsigned ? "unsigned int" : "int");
}

std::string normalize_module_name(std::string n) {
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
}

}  // namespace

bool file_matches(const std::string& want, const std::string& path) {
  if (want.empty()) return true;
  if (path.empty()) return false;
  // As stap 4.8: the whole path, or the path from any directory on ("kernel/*.c"
  // matches arch/x86/kernel/process_64.c, "read_write.c" fs/read_write.c).
  return glob_match(want, path) || glob_match("*/" + want, path);
}

// --- locating debuginfo -------------------------------------------------------

std::vector<std::string> debuginfo_roots() {
  std::vector<std::string> roots;
  const char* env = std::getenv("SYSTEMTAP_DEBUGINFO_PATH");
  if (env && *env) {
    std::stringstream ss(env);
    std::string item;
    while (std::getline(ss, item, ':')) {
      if (!item.empty() && item[0] == '+') item.erase(0, 1);
      if (item.empty() || item == ".debug" || item == "build" || item[0] != '/') continue;
      roots.push_back(item);
    }
  }
  if (roots.empty()) roots.push_back("/usr/lib/debug");
  return roots;
}

DebuginfoSearch find_vmlinux_debuginfo(const std::string& release, const std::string& build_id,
                                       const std::vector<std::string>& roots) {
  DebuginfoSearch s;
  std::vector<std::string> candidates;
  for (const auto& r : roots.empty() ? debuginfo_roots() : roots) {
    candidates.push_back(r + "/boot/vmlinux-" + release);
    candidates.push_back(r + "/lib/modules/" + release + "/vmlinux");
    candidates.push_back(r + "/lib/modules/" + release + "/vmlinux.debug");
    if (build_id.size() > 2)
      candidates.push_back(r + "/.build-id/" + build_id.substr(0, 2) + "/" + build_id.substr(2) +
                           ".debug");
  }
  candidates.push_back("/boot/vmlinux-" + release);
  candidates.push_back("/lib/modules/" + release + "/vmlinux");
  candidates.push_back("/lib/modules/" + release + "/vmlinux.debug");
  candidates.push_back("/lib/modules/" + release + "/build/vmlinux");
  for (const auto& c : candidates) {
    s.tried.push_back(c);
    if (exists_file(c) && has_debug_info(c)) {
      s.found = c;
      break;
    }
  }
  return s;
}

DebuginfoSearch find_module_debuginfo(const std::string& release, const std::string& module,
                                      const std::vector<std::string>& roots) {
  DebuginfoSearch s;
  const std::string want = normalize_module_name(module);
  for (const auto& r : roots.empty() ? debuginfo_roots() : roots) {
    const std::string dir = r + "/lib/modules/" + release;
    s.tried.push_back(dir + "/**/" + module + ".ko");
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string base = it->path().filename().string();
      for (const char* suffix : {".ko.debug", ".ko"}) {
        size_t n = std::strlen(suffix);
        if (base.size() > n && base.compare(base.size() - n, n, suffix) == 0 &&
            normalize_module_name(base.substr(0, base.size() - n)) == want &&
            has_debug_info(it->path().string())) {
          s.found = it->path().string();
          return s;
        }
      }
    }
  }
  return s;
}

std::string build_id_from_notes(const std::string& notes) {
  // A run of Elf64_Nhdr {namesz, descsz, type}, name and desc each padded to 4 bytes.
  size_t pos = 0;
  auto word = [&](size_t at) {
    uint32_t v;
    std::memcpy(&v, notes.data() + at, 4);
    return v;
  };
  while (pos + 12 <= notes.size()) {
    const uint32_t namesz = word(pos), descsz = word(pos + 4), type = word(pos + 8);
    const size_t name_at = pos + 12;
    const size_t desc_at = name_at + ((static_cast<size_t>(namesz) + 3) & ~size_t{3});
    const size_t next = desc_at + ((static_cast<size_t>(descsz) + 3) & ~size_t{3});
    if (namesz > notes.size() || descsz > notes.size() || next > notes.size()) break;
    if (type == NT_GNU_BUILD_ID && namesz == 4 && notes.compare(name_at, 4, std::string("GNU\0", 4)) == 0) {
      std::string hexid;
      char b[3];
      for (size_t i = 0; i < descsz; ++i) {
        std::snprintf(b, sizeof b, "%02x", static_cast<unsigned char>(notes[desc_at + i]));
        hexid += b;
      }
      return hexid;
    }
    pos = next;
  }
  return "";
}

std::string running_kernel_build_id() {
  std::ifstream in("/sys/kernel/notes", std::ios::binary);
  if (!in) return "";
  std::string notes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return build_id_from_notes(notes);
}

std::string debuginfo_hint(const std::string& release, const DebuginfoSearch& search) {
  std::string h = "missing x86_64 kernel/module debuginfo [man warning::debuginfo] under '/lib/modules/" +
                  release + "/build'; install linux-image-" + release +
                  "-dbg (Debian) or point SYSTEMTAP_DEBUGINFO_PATH at its /usr/lib/debug; searched:";
  for (const auto& t : search.tried) h += " " + t;
  return h;
}

// --- location expressions -----------------------------------------------------

Location translate_location(const std::vector<DwarfOp>& ops, const std::string& frame_base,
                            bool at_entry, uint64_t var_size, std::string* reason) {
  Location out;
  auto fail = [&](const std::string& why) {
    if (reason) *reason = why;
    return Location{};
  };
  struct Piece {
    Location loc;
    uint64_t bytes;
  };
  std::vector<Piece> pieces;
  std::vector<std::string> st;
  // Set when the current piece's value is a register or computed value, not an address.
  bool is_value = false;
  auto reg = [](uint64_t n) { return "STP_REG(" + std::to_string(n) + ")"; };
  auto pop = [&](std::string* v) {
    if (st.empty()) return false;
    *v = st.back();
    st.pop_back();
    return true;
  };
  auto binop = [&](const char* op) {
    std::string b, a;
    if (!pop(&b) || !pop(&a)) return false;
    st.push_back("(" + a + " " + op + " " + b + ")");
    return true;
  };
  auto finish_piece = [&](Location* l) {
    if (is_value) {
      l->kind = Location::Value;
    } else {
      if (st.empty()) return false;
      l->kind = Location::Memory;
      l->c = st.back();
    }
    return true;
  };

  for (size_t i = 0; i < ops.size(); ++i) {
    const DwarfOp& op = ops[i];
    const uint8_t a = op.atom;
    if (is_value && a != DW_OP_piece && a != DW_OP_bit_piece)
      return fail("operation after a register or stack value");
    if (a >= DW_OP_reg0 && a <= DW_OP_reg31) {
      out.c = reg(a - DW_OP_reg0);
      is_value = true;
    } else if (a == DW_OP_regx) {
      out.c = reg(op.number);
      is_value = true;
    } else if (a >= DW_OP_breg0 && a <= DW_OP_breg31) {
      st.push_back("(" + reg(a - DW_OP_breg0) + " + " + signed_num(static_cast<int64_t>(op.number)) +
                   ")");
    } else if (a == DW_OP_bregx) {
      st.push_back("(" + reg(op.number) + " + " + signed_num(static_cast<int64_t>(op.number2)) + ")");
    } else if (a == DW_OP_fbreg) {
      if (frame_base.empty()) return fail("no frame base");
      st.push_back("(" + frame_base + " + " + signed_num(static_cast<int64_t>(op.number)) + ")");
    } else if (a == DW_OP_call_frame_cfa) {
      st.push_back("STP_CFA");
    } else if (a == DW_OP_addr) {
      // A link-time address: the runtime adds the kernel's relocation offset.
      st.push_back("STP_RELOC(" + hex(op.number) + "UL)");
    } else if (a >= DW_OP_lit0 && a <= DW_OP_lit31) {
      st.push_back(hex(a - DW_OP_lit0) + "UL");
    } else if (a == DW_OP_const1u || a == DW_OP_const2u || a == DW_OP_const4u ||
               a == DW_OP_const8u || a == DW_OP_constu) {
      st.push_back(hex(op.number) + "UL");
    } else if (a == DW_OP_const1s || a == DW_OP_const2s || a == DW_OP_const4s ||
               a == DW_OP_const8s || a == DW_OP_consts) {
      st.push_back("((unsigned long)" + signed_num(static_cast<int64_t>(op.number)) + ")");
    } else if (a == DW_OP_plus_uconst) {
      std::string v;
      if (!pop(&v)) return fail("stack underflow");
      st.push_back("(" + v + " + " + hex(op.number) + "UL)");
    } else if (a == DW_OP_plus) {
      if (!binop("+")) return fail("stack underflow");
    } else if (a == DW_OP_minus) {
      if (!binop("-")) return fail("stack underflow");
    } else if (a == DW_OP_mul) {
      if (!binop("*")) return fail("stack underflow");
    } else if (a == DW_OP_and) {
      if (!binop("&")) return fail("stack underflow");
    } else if (a == DW_OP_or) {
      if (!binop("|")) return fail("stack underflow");
    } else if (a == DW_OP_xor) {
      if (!binop("^")) return fail("stack underflow");
    } else if (a == DW_OP_shl) {
      if (!binop("<<")) return fail("stack underflow");
    } else if (a == DW_OP_shr) {
      if (!binop(">>")) return fail("stack underflow");
    } else if (a == DW_OP_shra) {
      std::string b, x;
      if (!pop(&b) || !pop(&x)) return fail("stack underflow");
      st.push_back("((unsigned long)((long)" + x + " >> " + b + "))");
    } else if (a == DW_OP_neg) {
      std::string v;
      if (!pop(&v)) return fail("stack underflow");
      st.push_back("(-" + v + ")");
    } else if (a == DW_OP_not) {
      std::string v;
      if (!pop(&v)) return fail("stack underflow");
      st.push_back("(~" + v + ")");
    } else if (a == DW_OP_dup) {
      if (st.empty()) return fail("stack underflow");
      st.push_back(st.back());
    } else if (a == DW_OP_drop) {
      std::string v;
      if (!pop(&v)) return fail("stack underflow");
    } else if (a == DW_OP_swap) {
      if (st.size() < 2) return fail("stack underflow");
      std::swap(st[st.size() - 1], st[st.size() - 2]);
    } else if (a == DW_OP_over) {
      if (st.size() < 2) return fail("stack underflow");
      st.push_back(st[st.size() - 2]);
    } else if (a == DW_OP_deref) {
      std::string v;
      if (!pop(&v)) return fail("stack underflow");
      st.push_back("STP_DEREF(8, " + v + ")");
    } else if (a == DW_OP_deref_size) {
      std::string v;
      if (!pop(&v)) return fail("stack underflow");
      if (op.number != 1 && op.number != 2 && op.number != 4 && op.number != 8)
        return fail("deref_size " + std::to_string(op.number));
      st.push_back("STP_DEREF(" + std::to_string(op.number) + ", " + v + ")");
    } else if (a == DW_OP_stack_value) {
      std::string v;
      if (!pop(&v)) return fail("stack underflow");
      out.c = v;
      is_value = true;
    } else if (a == DW_OP_implicit_value) {
      if (op.block.size() > 8) return fail("implicit value wider than 8 bytes");
      uint64_t v = 0;
      for (size_t k = 0; k < op.block.size(); ++k)
        v |= static_cast<uint64_t>(static_cast<uint8_t>(op.block[k])) << (8 * k);
      out.c = hex(v) + "UL";
      is_value = true;
    } else if (a == DW_OP_entry_value || a == DW_OP_GNU_entry_value) {
      // The value a register had when the function was entered: known only there.
      if (op.inner.size() != 1 ||
          !((op.inner[0].atom >= DW_OP_reg0 && op.inner[0].atom <= DW_OP_reg31) ||
            op.inner[0].atom == DW_OP_regx))
        return fail("entry value of an expression");
      if (!at_entry) return fail("entry value away from the function entry");
      uint64_t r = op.inner[0].atom == DW_OP_regx ? op.inner[0].number
                                                   : op.inner[0].atom - DW_OP_reg0;
      st.push_back(reg(r));
    } else if (a == DW_OP_piece) {
      Piece p{};
      p.bytes = op.number;
      if (is_value) {
        p.loc.kind = Location::Value;
        p.loc.c = out.c;
      } else if (!st.empty()) {
        p.loc.kind = Location::Memory;
        p.loc.c = st.back();
      } else {
        p.loc.kind = Location::Unavailable;  // this piece is optimized out
      }
      pieces.push_back(p);
      st.clear();
      out.c.clear();
      is_value = false;
    } else if (a == DW_OP_implicit_pointer || a == DW_OP_GNU_implicit_pointer) {
      return fail("implicit pointer");
    } else {
      return fail("unsupported DWARF operation 0x" + hex(a).substr(2));
    }
  }

  if (pieces.empty()) {
    if (ops.empty()) return fail("empty location");
    if (!finish_piece(&out)) return fail("empty location stack");
    return out;
  }
  if (!st.empty() || is_value) return fail("location after the last piece");
  // Pieces: the first one alone when it covers the variable; small register/value
  // pieces are joined into one value; anything else is not supported.
  if (pieces[0].bytes >= var_size && pieces[0].loc.kind != Location::Unavailable)
    return pieces[0].loc;
  uint64_t total = 0;
  std::string joined;
  for (const auto& p : pieces) {
    if (p.loc.kind == Location::Unavailable) return fail("part of the value is optimized out");
    if (p.bytes == 0 || p.bytes > 8 || total + p.bytes > 8) return fail("value split in pieces");
    std::string v = p.loc.kind == Location::Value
                        ? p.loc.c
                        : "STP_DEREF(" + std::to_string(p.bytes) + ", " + p.loc.c + ")";
    if (p.bytes < 8) v = "(" + v + " & " + hex((1ULL << (8 * p.bytes)) - 1) + "UL)";
    if (total) v = "(" + v + " << " + std::to_string(8 * total) + ")";
    joined = joined.empty() ? v : "(" + joined + " | " + v + ")";
    total += p.bytes;
  }
  out.kind = Location::Value;
  out.c = joined;
  return out;
}

// --- the opened objects ---------------------------------------------------------

namespace {

enum IndexKind : uint8_t {
  kFunc = 'f',     // subprogram with code (out-of-line copy)
  kAbstract = 'a', // subprogram that is inlined somewhere in its unit
  kVar = 'v',
  kStruct = 's',
  kUnion = 'u',
  kEnum = 'e',
  kTypedef = 't',
  kBase = 'b',
};

// The name points into the DWARF string data or into the Object's copy of the cached
// index, both alive as long as the Object.
struct IndexEntry {
  std::string_view name;
  uint64_t die;
  char kind;
};

// The name index in its cache-file text ("KIND HEXOFFSET NAME" lines sorted by name),
// read lazily: only the line starts are found up front, and an entry is parsed when a
// lookup reaches it.  Parsing vmlinux's 200000 lines into entries cost more than half of
// opening its DWARF for `probe syscall.* {}`.
class NameIndex {
 public:
  // Takes the whole file text; false when its header or lines are malformed.
  bool assign(std::string text, std::string_view magic, std::string_view build_id);
  const std::string& text() const { return text_; }
  size_t size() const { return lines_.size(); }
  IndexEntry operator[](size_t i) const;
  // The first entry whose name is not less than `name`.
  size_t lower_bound(std::string_view name) const;

 private:
  std::string_view line(size_t i) const {
    size_t b = lines_[i];
    size_t e = i + 1 < lines_.size() ? lines_[i + 1] - 1 : text_.size() - 1;
    return std::string_view(text_).substr(b, e - b);
  }
  static std::string_view name_of(std::string_view line) {
    size_t sp = line.find(' ', 2);
    return line.substr(sp + 1);
  }
  std::string text_;
  std::vector<uint32_t> lines_;
};

// The linker symbols bounding where kprobes are refused (kernel/kprobes.c and x86's
// arch_populate_kprobe_blacklist): areas, then the NOKPROBE_SYMBOL() table.
// Then the tables of patched instructions a kprobe may not overlap either
// (check_kprobe_address_safe: jump labels and static calls).
constexpr const char* kRefusedBounds[] = {
    "__kprobes_text_start", "__kprobes_text_end", "__noinstr_text_start",
    "__noinstr_text_end",   "__entry_text_start", "__entry_text_end",
    "__start_kprobe_blacklist", "__stop_kprobe_blacklist",
    "__start___jump_table", "__stop___jump_table",
    "__start_static_call_sites", "__stop_static_call_sites"};
enum : size_t { kAreaBounds = 6, kBlacklistBounds = 6, kJumpBounds = 8, kStaticCallBounds = 10 };
constexpr size_t kRefusedBoundCount = sizeof kRefusedBounds / sizeof kRefusedBounds[0];

// Names point into the ELF's string table, which lives as long as the Object's Dwfl:
// vmlinux has some 200000 symbols, and copying each name cost more than the rest of
// loading them.
struct Sym {
  uint64_t addr;
  uint64_t size;
  std::string_view name;
  bool func;
  unsigned shndx;  // the ELF section: a module's sections are placed apart at load
};

const Dwfl_Callbacks kOfflineCallbacks = {
    dwfl_build_id_find_elf,
    dwfl_standard_find_debuginfo,
    dwfl_offline_section_address,
    nullptr,
};

}  // namespace

struct DwarfKernel::Impl {
  struct Object {
    std::string name;  // "kernel" or the module name
    std::string path;
    std::string build_id;
    Dwfl* dwfl = nullptr;
    Dwfl_Module* mod = nullptr;
    Dwarf* dw = nullptr;
    Dwarf_Addr bias = 0;
    std::vector<Sym> syms;  // sorted by address
    // Hashes of every symbol's name, sorted: a name is unique when its hash occurs once
    // (a collision only makes a probe use another symbol as its base).  Much cheaper
    // to build for vmlinux's 200000 symbols than a map of names to counts.
    std::vector<uint64_t> name_hashes;
    bool unique_name(std::string_view name) const {
      uint64_t h = std::hash<std::string_view>{}(name);
      auto r = std::equal_range(name_hashes.begin(), name_hashes.end(), h);
      return r.second - r.first == 1;
    }
    std::unordered_set<std::string_view> exported;
    NameIndex index;  // sorted by name
    // Link-time [start, end) areas where kprobes are refused, sorted; built on first use.
    std::vector<std::pair<uint64_t, uint64_t>> refused;
    // Patched instructions (jump labels, static calls): [start, end), sorted, disjoint.
    std::vector<std::pair<uint64_t, uint64_t>> reserved;
    bool refused_loaded = false;
    std::optional<uint64_t> fentry;  // __fentry__'s address (0: none), found on first use
    uint64_t refused_bounds[kRefusedBoundCount] = {};  // their addresses (load_symbols)
    std::unordered_map<uint64_t, Type*> type_memo;        // by DIE offset
    std::unordered_map<std::string, Type*> shared_types;  // by name and declaration
    // Line-table file names by .debug_line offset (decl_file); ok false when the header
    // could not be read and libdw must answer.
    struct LineFiles {
      bool ok = false;
      std::vector<std::string> names;
    };
    std::unordered_map<uint64_t, LineFiles> line_files;
    std::optional<LineSections> line_sections;  // found on first use
    ~Object() {
      if (dwfl) dwfl_end(dwfl);
    }
  };

  std::string release;
  std::vector<std::string> roots;  // empty: debuginfo_roots()
  std::string cache_dir;
  TypeTable* types = nullptr;
  std::vector<std::unique_ptr<Object>> objects;
  std::string last_hint;
  DwarfTiming timing;

  Object* object_named(const std::string& module) {
    const std::string want = module == "kernel" ? module : normalize_module_name(module);
    for (auto& o : objects)
      if (o->name == want) return o.get();
    return nullptr;
  }
  int object_index(const Object* o) const {
    for (size_t i = 0; i < objects.size(); ++i)
      if (objects[i].get() == o) return static_cast<int>(i);
    return -1;
  }

  bool open_object(const std::string& name, const std::string& path, std::string* error);
  void load_symbols(Object& o);
  void build_index(Object& o);
  bool load_index_cache(Object& o, const std::string& file);
  void load_refused(Object& o);
  bool refused_at(const Object& k, uint64_t link_addr) const;
  void save_index_cache(const Object& o, const std::string& file) const;

  std::string rel_path(const char* p) const;
  // dwarf_decl_file's answer, from the line header's file table alone (line_files.h).
  const char* decl_file(Object& o, Dwarf_Die* die);
  bool in_discarded_text(const Object& o, uint64_t dwarf_addr) const;
  ProbeAddr probe_addr(const Object& o, uint64_t dwarf_addr, bool want_func) const;
  const Type* type_of(Object& o, Dwarf_Die* die);
  const Type* type_attr(Object& o, Dwarf_Die* die);
  Location locate(Object& o, Dwarf_Die* var, uint64_t pc,
                  const std::function<const std::string&()>& frame_base,
                  bool at_entry, const Type* type, std::string* reason);
  std::string frame_base_of(Object& o, Dwarf_Die* subprogram, uint64_t pc);
  std::string cfa_at(Object& o, uint64_t pc);
  bool entry_pc(Dwarf_Die* die, uint64_t* pc);
  // sub: the out-of-line function holding an inline instance, when the caller knows it
  // (finding it otherwise means walking the unit from its start).
  FunctionSite make_site(Object& o, Dwarf_Die* die, uint64_t entry, bool inlined, bool with_params,
                         Dwarf_Die* sub);
  // Locals: kNoLocals, kOwnLocals (the function's own scope, not its lexical blocks:
  // what stap 4.8 sees at a function's entry) or kAllLocals (every block holding pc).
  enum Locals { kNoLocals, kOwnLocals, kAllLocals };
  // at_entry: pc is still at the function's entry as far as the registers go (see
  // past_fentry), so DW_OP_entry_value reads the register itself.
  std::vector<Variable> variables_at(Object& o, Dwarf_Die* fn, uint64_t pc, Locals locals,
                                     Dwarf_Die* sub = nullptr, bool at_entry = false);
  uint64_t past_fentry(Object& o, uint64_t entry);
  // Replaces *die by the first function of its unit that starts at entry.
  void first_at_entry(Dwarf_Die* die, uint64_t entry) {
    Dwarf_Die cu, c;
    if (!dwarf_diecu(die, &cu, nullptr, nullptr) || dwarf_child(&cu, &c) != 0) return;
    do {
      if (dwarf_dieoffset(&c) >= dwarf_dieoffset(die)) return;
      uint64_t pc = 0;
      if (dwarf_tag(&c) == DW_TAG_subprogram && !dwarf_hasattr(&c, DW_AT_declaration) &&
          entry_pc(&c, &pc) && pc == entry) {
        *die = c;
        return;
      }
    } while (dwarf_siblingof(&c, &c) == 0);
  }
  // Whether the function symbol starting at the DWARF address is a NAME.part.N clone.
  bool part_clone_at(const Object& o, uint64_t dwarf_addr) const {
    const uint64_t a = dwarf_addr + o.bias;
    auto it = std::lower_bound(o.syms.begin(), o.syms.end(), a,
                               [](const Sym& s, uint64_t v) { return s.addr < v; });
    for (; it != o.syms.end() && it->addr == a; ++it)
      if (it->func && it->name.find(".part.") != std::string_view::npos) return true;
    return false;
  }
  // The out-of-line function a DIE is in (the DIE itself for a subprogram); false when
  // none encloses it.
  bool outer_subprogram(Dwarf_Die* die, Dwarf_Die* out);
};

namespace {

std::vector<DwarfOp> convert_ops(Dwarf_Attribute* attr, const Dwarf_Op* ops, size_t n, int depth) {
  std::vector<DwarfOp> out;
  for (size_t i = 0; i < n; ++i) {
    DwarfOp d;
    d.atom = ops[i].atom;
    d.number = ops[i].number;
    d.number2 = ops[i].number2;
    if ((d.atom == DW_OP_entry_value || d.atom == DW_OP_GNU_entry_value) && depth < 2) {
      Dwarf_Attribute inner;
      Dwarf_Op* iops = nullptr;
      size_t ilen = 0;
      if (dwarf_getlocation_attr(attr, &ops[i], &inner) == 0 &&
          dwarf_getlocation(&inner, &iops, &ilen) == 0)
        d.inner = convert_ops(&inner, iops, ilen, depth + 1);
    } else if (d.atom == DW_OP_implicit_value) {
      Dwarf_Block blk;
      if (dwarf_getlocation_implicit_value(attr, &ops[i], &blk) == 0)
        d.block.assign(reinterpret_cast<const char*>(blk.data), blk.length);
    }
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

// Paths as the DWARF gives them, as upstream prints them: gcc names the kernel's C
// files relative to its source tree ("fs/read_write.c"), the assembler absolutely.
// (Not normalized either: upstream prints "lib/zstd/decompress/../common/cpu.h".)
std::string DwarfKernel::Impl::rel_path(const char* p) const { return p ? p : ""; }

namespace {
// The named section's bytes in the debug file; empty when absent.
std::span<const unsigned char> section_bytes(Elf* elf, const char* want) {
  size_t shstrndx = 0;
  if (!elf || elf_getshdrstrndx(elf, &shstrndx) != 0) return {};
  for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf, scn)) != nullptr;) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) continue;
    const char* name = elf_strptr(elf, shstrndx, sh.sh_name);
    if (!name || std::strcmp(name, want) != 0) continue;
    // libdw has already decompressed and (for modules) relocated the section in place.
    Elf_Data* d = elf_getdata(scn, nullptr);
    if (!d || !d->d_buf) return {};
    return {static_cast<const unsigned char*>(d->d_buf), d->d_size};
  }
  return {};
}
}  // namespace

const char* DwarfKernel::Impl::decl_file(Object& o, Dwarf_Die* die) {
  Dwarf_Attribute a;
  Dwarf_Word idx = 0;
  if (!dwarf_attr_integrate(die, DW_AT_decl_file, &a) || dwarf_formudata(&a, &idx) != 0)
    return nullptr;
  Dwarf_Die cu;
  Dwarf_Attribute sl;
  Dwarf_Word off = 0;
  if (!dwarf_cu_die(a.cu, &cu, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr) ||
      !dwarf_attr(&cu, DW_AT_stmt_list, &sl) || dwarf_formudata(&sl, &off) != 0)
    return dwarf_decl_file(die);
  auto [it, fresh] = o.line_files.try_emplace(off);
  if (fresh) {
    if (!o.line_sections) {
      Elf* elf = dwarf_getelf(o.dw);
      o.line_sections = LineSections{section_bytes(elf, ".debug_line"),
                                     section_bytes(elf, ".debug_line_str"),
                                     section_bytes(elf, ".debug_str")};
    }
    Dwarf_Attribute cd;
    const char* comp_dir = dwarf_attr(&cu, DW_AT_comp_dir, &cd) ? dwarf_formstring(&cd) : nullptr;
    it->second.ok = read_line_files(*o.line_sections, off, comp_dir ? comp_dir : "",
                                    comp_dir != nullptr, &it->second.names);
  }
  if (!it->second.ok) return dwarf_decl_file(die);
  if (idx >= it->second.names.size()) return nullptr;
  return it->second.names[idx].c_str();
}

// vmlinux code the kernel frees after boot (.init.text, .exit.text): upstream neither
// lists nor probes functions there.
bool DwarfKernel::Impl::in_discarded_text(const Object& o, uint64_t dwarf_addr) const {
  if (o.name != "kernel") return false;
  Dwarf_Addr a = dwarf_addr + o.bias;
  Dwarf_Addr bias = 0;
  Elf_Scn* scn = dwfl_module_address_section(o.mod, &a, &bias);
  Elf* elf = dwfl_module_getelf(o.mod, &bias);
  size_t shstrndx = 0;
  GElf_Shdr sh;
  if (!scn || !elf || elf_getshdrstrndx(elf, &shstrndx) != 0 || !gelf_getshdr(scn, &sh))
    return false;
  const char* n = elf_strptr(elf, shstrndx, sh.sh_name);
  return n && (std::strncmp(n, ".init.", 6) == 0 || std::strncmp(n, ".exit.", 6) == 0);
}

bool DwarfKernel::Impl::open_object(const std::string& name, const std::string& path,
                                    std::string* error) {
  auto o = std::make_unique<Object>();
  o->name = name;
  o->path = path;
  o->dwfl = dwfl_begin(&kOfflineCallbacks);
  if (!o->dwfl) {
    *error = std::string("libdwfl: ") + dwfl_errmsg(-1);
    return false;
  }
  dwfl_report_begin(o->dwfl);
  o->mod = dwfl_report_offline(o->dwfl, name.c_str(), path.c_str(), -1);
  dwfl_report_end(o->dwfl, nullptr, nullptr);
  if (!o->mod) {
    *error = "cannot read " + path + ": " + dwfl_errmsg(-1);
    return false;
  }
  o->dw = dwfl_module_getdwarf(o->mod, &o->bias);
  if (!o->dw) {
    *error = "no DWARF in " + path + ": " + dwfl_errmsg(-1);
    return false;
  }
  const unsigned char* bits = nullptr;
  GElf_Addr vaddr = 0;
  int n = dwfl_module_build_id(o->mod, &bits, &vaddr);
  for (int i = 0; i < n; ++i) {
    char b[3];
    std::snprintf(b, sizeof b, "%02x", bits[i]);
    o->build_id += b;
  }
  load_symbols(*o);
  objects.push_back(std::move(o));
  return true;
}

namespace {

// Sorts 64-bit keys by four 16-bit LSD radix passes: std::sort of vmlinux's 200000
// name hashes was a tenth of opening its DWARF.
void radix_sort(std::vector<uint64_t>* v) {
  std::vector<uint64_t> tmp(v->size());
  std::vector<uint32_t> count(1u << 16);
  for (unsigned shift = 0; shift < 64; shift += 16) {
    std::fill(count.begin(), count.end(), 0);
    for (uint64_t x : *v) ++count[(x >> shift) & 0xffff];
    uint32_t sum = 0;
    for (uint32_t& c : count) {
      uint32_t n = c;
      c = sum;
      sum += n;
    }
    for (uint64_t x : *v) tmp[count[(x >> shift) & 0xffff]++] = x;
    v->swap(tmp);
  }
}

// Calls f(name, type, shndx, addr, size) for each symbol of an ET_EXEC object's .symtab
// (vmlinux), read straight from the file.  False when the object is not such an ELF64
// file; libdwfl's per-symbol call, needed for modules' section-relative addresses, costs
// some 250 instructions a symbol.
template <typename F>
bool each_exec_symbol(Dwfl_Module* mod, F f) {
  Dwarf_Addr bias = 0;
  Elf* elf = dwfl_module_getelf(mod, &bias);
  GElf_Ehdr eh;
  if (!elf || !gelf_getehdr(elf, &eh) || eh.e_type != ET_EXEC || gelf_getclass(elf) != ELFCLASS64)
    return false;
  for (Elf_Scn* scn = nullptr; (scn = elf_nextscn(elf, scn)) != nullptr;) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB) continue;
    Elf_Data* d = elf_getdata(scn, nullptr);
    Elf_Scn* strscn = elf_getscn(elf, sh.sh_link);
    Elf_Data* sd = strscn ? elf_getdata(strscn, nullptr) : nullptr;
    if (!d || !d->d_buf || !sd || !sd->d_buf || d->d_type != ELF_T_SYM) return false;
    const auto* syms = static_cast<const Elf64_Sym*>(d->d_buf);
    const char* strs = static_cast<const char*>(sd->d_buf);
    const size_t n = d->d_size / sizeof(Elf64_Sym);
    for (size_t i = 1; i < n; ++i) {
      const Elf64_Sym& y = syms[i];
      if (y.st_name >= sd->d_size) continue;
      f(strs + y.st_name, GELF_ST_TYPE(y.st_info), y.st_shndx, y.st_value + bias, y.st_size);
    }
    return true;
  }
  return false;
}

}  // namespace

void DwarfKernel::Impl::load_symbols(Object& o) {
  auto add = [&o](const char* nm, int type, unsigned shndx, uint64_t addr, uint64_t size) {
    if (!nm || !*nm) return;
    if (type == STT_SECTION || type == STT_FILE) return;
    if (shndx == SHN_UNDEF) return;
    o.name_hashes.push_back(std::hash<std::string_view>{}(nm));
    // Only "__ksymtab_*" and the refused-area bounds matter among the many "__" names.
    if (nm[0] == '_' && nm[1] == '_' && (nm[2] == 'k' || nm[2] == 'n' || nm[2] == 'e' || nm[2] == 's')) {
      if (std::strncmp(nm, "__ksymtab_", 10) == 0) o.exported.insert(std::string_view(nm + 10));
      for (size_t b = 0; b < kRefusedBoundCount; ++b)
        if (std::strcmp(nm, kRefusedBounds[b]) == 0) o.refused_bounds[b] = addr;
    }
    if (type == STT_FUNC || type == STT_OBJECT)
      o.syms.push_back(Sym{addr, size, nm, type == STT_FUNC, shndx});
  };
  int n = dwfl_module_getsymtab(o.mod);
  if (n > 0) {
    o.name_hashes.reserve(static_cast<size_t>(n));
    o.syms.reserve(static_cast<size_t>(n) / 2);
  }
  if (!each_exec_symbol(o.mod, add)) {
    o.name_hashes.clear();
    o.syms.clear();
    o.exported.clear();
    for (int i = 0; i < n; ++i) {
      GElf_Sym sym;
      GElf_Addr addr = 0;
      const char* nm = dwfl_module_getsym_info(o.mod, i, &sym, &addr, nullptr, nullptr, nullptr);
      add(nm, GELF_ST_TYPE(sym.st_info), sym.st_shndx, addr, sym.st_size);
    }
  }
  std::sort(o.syms.begin(), o.syms.end(),
            [](const Sym& a, const Sym& b) { return a.addr < b.addr; });
  radix_sort(&o.name_hashes);
}

ProbeAddr DwarfKernel::Impl::probe_addr(const Object& o, uint64_t dwarf_addr, bool want_func) const {
  ProbeAddr p;
  p.addr = dwarf_addr + o.bias;
  auto it = std::upper_bound(o.syms.begin(), o.syms.end(), p.addr,
                             [](uint64_t a, const Sym& s) { return a < s.addr; });
  // Walk back over symbols at or below addr to the nearest one of the wanted kind that
  // covers it; prefer a uniquely named symbol (kallsyms_lookup_name finds the first).
  const Sym* cover = nullptr;
  while (it != o.syms.begin()) {
    --it;
    if (it->func != want_func) continue;
    if (p.addr < it->addr + std::max<uint64_t>(it->size, 1)) {
      if (o.unique_name(it->name)) {
        cover = &*it;
        break;
      }
      if (!cover) cover = &*it;
      continue;
    }
    if (p.addr - it->addr > (1u << 20)) break;
  }
  if (cover) {
    if (o.unique_name(cover->name)) {
      p.symbol = cover->name;
      p.offset = p.addr - cover->addr;
      return p;
    }
  }
  if (o.name == "kernel") {
    for (const auto& s : o.syms)
      if (s.name == "_stext") {
        p.symbol = "_stext";
        p.offset = p.addr - s.addr;
        return p;
      }
  }
  // A module function whose name is not unique: the nearest uniquely named function
  // symbol before it in the same object.
  for (auto r = std::upper_bound(o.syms.begin(), o.syms.end(), p.addr,
                                 [](uint64_t a, const Sym& s) { return a < s.addr; });
       r != o.syms.begin();) {
    --r;
    if (r->func && o.unique_name(r->name)) {
      p.symbol = r->name;
      p.offset = p.addr - r->addr;
      break;
    }
  }
  return p;
}

// --- the name index -------------------------------------------------------------

namespace {
constexpr const char* kIndexMagic = "stap-dwarf-index 2";

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}
}

void DwarfKernel::Impl::build_index(Object& o) {
  std::vector<IndexEntry> index;
  std::set<std::pair<char, std::string>> seen_types;
  Dwarf_CU* cu = nullptr;
  Dwarf_Die cudie, subdie;
  uint8_t unit_type = 0;
  Dwarf_Half version = 0;
  while (dwarf_get_units(o.dw, cu, &cu, &version, &unit_type, &cudie, &subdie) == 0) {
    if (unit_type != DW_UT_compile && unit_type != DW_UT_partial) continue;
    Dwarf_Die child;
    if (dwarf_child(&cudie, &child) != 0) continue;
    do {
      int tag = dwarf_tag(&child);
      char kind = 0;
      switch (tag) {
        case DW_TAG_subprogram: {
          if (dwarf_hasattr(&child, DW_AT_declaration)) break;
          bool code = dwarf_hasattr(&child, DW_AT_low_pc) || dwarf_hasattr(&child, DW_AT_ranges);
          if (code)
            kind = kFunc;
          else if (dwarf_hasattr(&child, DW_AT_inline))
            kind = kAbstract;
          break;
        }
        case DW_TAG_variable:
          if (dwarf_hasattr(&child, DW_AT_location)) kind = kVar;
          break;
        case DW_TAG_structure_type: kind = kStruct; break;
        case DW_TAG_union_type: kind = kUnion; break;
        case DW_TAG_enumeration_type: kind = kEnum; break;
        case DW_TAG_typedef: kind = kTypedef; break;
        case DW_TAG_base_type: kind = kBase; break;
        default: break;
      }
      if (!kind) continue;
      if ((kind == kStruct || kind == kUnion || kind == kEnum) &&
          dwarf_hasattr(&child, DW_AT_declaration))
        continue;
      const char* nm = dwarf_diename(&child);
      if (!nm) continue;
      if (kind != kFunc && kind != kAbstract && kind != kVar) {
        // One definition per type name is enough for lookups by spelling.
        if (!seen_types.insert({kind, nm}).second) continue;
      }
      index.push_back(IndexEntry{nm, dwarf_dieoffset(&child), kind});
    } while (dwarf_siblingof(&child, &child) == 0);
  }
  std::stable_sort(index.begin(), index.end(),
                   [](const IndexEntry& a, const IndexEntry& b) { return a.name < b.name; });
  // The same text the cache holds, so both paths share one representation.
  std::string text = std::string(kIndexMagic) + '\n' + o.build_id + '\n';
  char buf[32];
  for (const auto& e : index) {
    std::snprintf(buf, sizeof buf, "%c %llx ", e.kind, static_cast<unsigned long long>(e.die));
    text += buf;
    text += e.name;
    text += '\n';
  }
  o.index.assign(std::move(text), kIndexMagic, o.build_id);
}

bool DwarfKernel::Impl::load_index_cache(Object& o, const std::string& file) {
  // One read into one string; entries are parsed only when a lookup reaches them.
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) return false;
  std::streamoff size = in.tellg();
  if (size <= 0) return false;
  std::string text(static_cast<size_t>(size), '\0');
  in.seekg(0);
  if (!in.read(text.data(), size)) return false;
  return o.index.assign(std::move(text), kIndexMagic, o.build_id);
}

bool NameIndex::assign(std::string text, std::string_view magic, std::string_view build_id) {
  text_ = std::move(text);
  lines_.clear();
  std::string_view t(text_);
  auto fail = [this] {
    std::string().swap(text_);
    lines_.clear();
    return false;
  };
  if (t.size() >= (uint64_t{1} << 32) || t.empty() || t.back() != '\n') return fail();
  size_t nl = t.find('\n');
  if (t.substr(0, nl) != magic) return fail();
  size_t b = nl + 1;
  nl = t.find('\n', b);
  if (nl == std::string_view::npos || t.substr(b, nl - b) != build_id) return fail();
  for (size_t pos = nl + 1; pos < t.size();) {
    const void* e = std::memchr(t.data() + pos, '\n', t.size() - pos);
    size_t end = static_cast<const char*>(e) - t.data();
    // KIND HEX NAME: checked in full when parsed; here only the shape lookups rely on.
    if (end - pos < 5 || t[pos + 1] != ' ' || t.find(' ', pos + 2) >= end - 1) return fail();
    lines_.push_back(static_cast<uint32_t>(pos));
    pos = end + 1;
  }
  return true;
}

IndexEntry NameIndex::operator[](size_t i) const {
  std::string_view l = line(i);
  uint64_t off = 0;
  size_t k = 2;
  for (; k < l.size() && l[k] != ' '; ++k) {
    int d = hex_digit(l[k]);
    off = off << 4 | static_cast<uint64_t>(d < 0 ? 0 : d);
  }
  return IndexEntry{l.substr(k + 1), off, l[0]};
}

size_t NameIndex::lower_bound(std::string_view name) const {
  size_t lo = 0, hi = lines_.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (name_of(line(mid)) < name)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

void DwarfKernel::Impl::save_index_cache(const Object& o, const std::string& file) const {
  write_file_atomic(file, o.index.text());
}

// --- where kprobes are refused ---------------------------------------------------

namespace {

// The bytes of [lo, hi) as vmlinux stores them, or an empty view.
std::string_view section_bytes(Dwfl_Module* mod, uint64_t lo, uint64_t hi) {
  if (!lo || hi <= lo) return {};
  Dwarf_Addr a = lo;  // becomes the offset in the section
  Dwarf_Addr bias = 0;
  Elf_Scn* scn = dwfl_module_address_section(mod, &a, &bias);
  Elf_Data* data = scn ? elf_getdata(scn, nullptr) : nullptr;
  if (!data || !data->d_buf || a + (hi - lo) > data->d_size) return {};
  return std::string_view(static_cast<const char*>(data->d_buf) + a, hi - lo);
}

// x86-64 is little-endian, as the hosts that build for it.
int32_t read_s32(std::string_view b, size_t off) {
  int32_t v;
  std::memcpy(&v, b.data() + off, 4);
  return v;
}

}  // namespace

void DwarfKernel::Impl::load_refused(Object& o) {
  o.refused_loaded = true;
  const uint64_t* b = o.refused_bounds;
  for (size_t i = 0; i < kAreaBounds; i += 2)
    if (b[i] && b[i + 1] > b[i]) o.refused.emplace_back(b[i], b[i + 1]);
  // NOKPROBE_SYMBOL(f) stores f's address in a table; the whole function is refused.
  std::string_view t = section_bytes(o.mod, b[kBlacklistBounds], b[kBlacklistBounds + 1]);
  for (size_t off = 0; off + 8 <= t.size(); off += 8) {
    uint64_t f = 0;
    std::memcpy(&f, t.data() + off, 8);
    auto it = std::upper_bound(o.syms.begin(), o.syms.end(), f,
                               [](uint64_t v, const Sym& sy) { return v < sy.addr; });
    while (it != o.syms.begin()) {
      --it;
      if (!it->func) continue;
      uint64_t end = it->addr + std::max<uint64_t>(it->size, 1);
      if (f < end) o.refused.emplace_back(it->addr, end);
      break;
    }
  }
  // Jump labels: struct jump_entry { s32 code; s32 target; long key; }, code relative
  // to itself; the patched instruction is a 2-byte or a 5-byte jump or nop.
  t = section_bytes(o.mod, b[kJumpBounds], b[kJumpBounds + 1]);
  for (size_t off = 0; off + 16 <= t.size(); off += 16) {
    uint64_t code = b[kJumpBounds] + off + static_cast<uint64_t>(int64_t{read_s32(t, off)});
    std::string_view insn = section_bytes(o.mod, code, code + 2);
    bool short_insn = insn.size() == 2 && (static_cast<unsigned char>(insn[0]) == 0xeb ||
                                           (static_cast<unsigned char>(insn[0]) == 0x66 &&
                                            static_cast<unsigned char>(insn[1]) == 0x90));
    o.reserved.emplace_back(code, code + (short_insn ? 2 : 5));
  }
  // Static calls: struct static_call_site { s32 addr; s32 key; }; only a probe on the
  // call instruction itself is refused.
  t = section_bytes(o.mod, b[kStaticCallBounds], b[kStaticCallBounds + 1]);
  for (size_t off = 0; off + 8 <= t.size(); off += 8) {
    uint64_t site = b[kStaticCallBounds] + off + static_cast<uint64_t>(int64_t{read_s32(t, off)});
    o.reserved.emplace_back(site, site + 1);
  }
  std::sort(o.refused.begin(), o.refused.end());
  std::sort(o.reserved.begin(), o.reserved.end());
}

// --- types ----------------------------------------------------------------------

const Type* DwarfKernel::Impl::type_attr(Object& o, Dwarf_Die* die) {
  Dwarf_Attribute attr;
  Dwarf_Die t;
  if (!dwarf_attr_integrate(die, DW_AT_type, &attr) || !dwarf_formref_die(&attr, &t))
    return nullptr;
  return type_of(o, &t);
}

const Type* DwarfKernel::Impl::type_of(Object& o, Dwarf_Die* die) {
  const uint64_t off = dwarf_dieoffset(die);
  if (auto it = o.type_memo.find(off); it != o.type_memo.end()) return it->second;
  const int tag = dwarf_tag(die);
  Type t;
  const char* nm = dwarf_diename(die);
  if (nm) t.name = nm;
  Dwarf_Word sz = 0;
  Dwarf_Attribute attr;
  switch (tag) {
    case DW_TAG_base_type: {
      Dwarf_Word enc = 0;
      if (dwarf_attr(die, DW_AT_encoding, &attr)) dwarf_formudata(&attr, &enc);
      t.kind = enc == DW_ATE_float ? TypeKind::Float : TypeKind::Int;
      t.is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
      t.is_char = enc == DW_ATE_signed_char || enc == DW_ATE_unsigned_char;
      t.is_bool = enc == DW_ATE_boolean;
      break;
    }
    case DW_TAG_pointer_type:
    case DW_TAG_reference_type:
    case DW_TAG_rvalue_reference_type:
      t.kind = TypeKind::Pointer;
      t.size = 8;
      break;
    case DW_TAG_structure_type:
    case DW_TAG_class_type:
    case DW_TAG_union_type:
      if (dwarf_hasattr(die, DW_AT_declaration)) {
        t.kind = TypeKind::Fwd;
        t.is_fwd_union = tag == DW_TAG_union_type;
      } else {
        t.kind = tag == DW_TAG_union_type ? TypeKind::Union : TypeKind::Struct;
      }
      break;
    case DW_TAG_enumeration_type: t.kind = TypeKind::Enum; break;
    case DW_TAG_array_type: t.kind = TypeKind::Array; break;
    case DW_TAG_typedef: t.kind = TypeKind::Typedef; break;
    case DW_TAG_const_type: t.kind = TypeKind::Const; break;
    case DW_TAG_volatile_type: t.kind = TypeKind::Volatile; break;
    case DW_TAG_restrict_type: t.kind = TypeKind::Restrict; break;
    case DW_TAG_subroutine_type: t.kind = TypeKind::FuncProto; break;
    case DW_TAG_atomic_type: {
      // _Atomic T reads like T.
      const Type* inner = type_attr(o, die);
      o.type_memo[off] = const_cast<Type*>(inner);
      return inner;
    }
    case DW_TAG_unspecified_type:
    default:
      t.kind = TypeKind::Void;
      break;
  }
  // Each compile unit repeats the kernel's header types; a named type declared at the
  // same place with the same size is the same type, so it is converted once.
  std::string shared_key;
  if (!t.name.empty() && tag != DW_TAG_base_type) {
    int line = 0;
    dwarf_decl_line(die, &line);
    const char* file = decl_file(o, die);
    Dwarf_Word bytes = 0;
    if (dwarf_attr(die, DW_AT_byte_size, &attr)) dwarf_formudata(&attr, &bytes);
    shared_key = std::to_string(tag) + ' ' + t.name + ' ' + (file ? file : "") + ':' +
                 std::to_string(line) + ' ' + std::to_string(bytes);
    if (auto it = o.shared_types.find(shared_key); it != o.shared_types.end()) {
      o.type_memo[off] = it->second;
      return it->second;
    }
  }
  // Register before filling in, so self-referencing structs terminate.
  Type* out = types->add(std::move(t));
  o.type_memo[off] = out;
  if (!shared_key.empty()) o.shared_types.emplace(std::move(shared_key), out);
  if (dwarf_aggregate_size(die, &sz) == 0) out->size = sz;
  else if (dwarf_attr(die, DW_AT_byte_size, &attr) && dwarf_formudata(&attr, &sz) == 0) out->size = sz;
  if (out->kind == TypeKind::Pointer) out->size = 8;

  switch (out->kind) {
    case TypeKind::Pointer:
    case TypeKind::Typedef:
    case TypeKind::Const:
    case TypeKind::Volatile:
    case TypeKind::Restrict:
      out->ref = type_attr(o, die);
      if (out->kind != TypeKind::Pointer && out->ref) out->size = out->ref->size;
      break;
    case TypeKind::Enum: {
      const Type* under = type_attr(o, die);
      out->is_signed = under ? under->is_signed : false;
      Dwarf_Die c;
      if (dwarf_child(die, &c) == 0) do {
          if (dwarf_tag(&c) != DW_TAG_enumerator) continue;
          Enumerator e;
          e.name = dwarf_diename(&c) ? dwarf_diename(&c) : "";
          if (dwarf_attr(&c, DW_AT_const_value, &attr)) {
            Dwarf_Sword sv = 0;
            Dwarf_Word uv = 0;
            if (out->is_signed && dwarf_formsdata(&attr, &sv) == 0) e.value = sv;
            else if (dwarf_formudata(&attr, &uv) == 0) e.value = static_cast<int64_t>(uv);
          }
          out->enumerators.push_back(e);
          if (e.value < 0) out->is_signed = true;
        } while (dwarf_siblingof(&c, &c) == 0);
      break;
    }
    case TypeKind::Array: {
      const Type* elem = type_attr(o, die);
      // Dimensions outermost first; build innermost-out so a[2][3] is Array(2, Array(3, T)).
      std::vector<uint64_t> dims;
      Dwarf_Die c;
      if (dwarf_child(die, &c) == 0) do {
          if (dwarf_tag(&c) != DW_TAG_subrange_type) continue;
          Dwarf_Word n = 0;
          if (dwarf_attr(&c, DW_AT_count, &attr) && dwarf_formudata(&attr, &n) == 0) {
            dims.push_back(n);
          } else if (dwarf_attr(&c, DW_AT_upper_bound, &attr)) {
            Dwarf_Sword ub = 0;
            if (dwarf_formsdata(&attr, &ub) == 0 && ub >= 0) dims.push_back(static_cast<uint64_t>(ub) + 1);
            else dims.push_back(0);
          } else {
            dims.push_back(0);  // flexible
          }
        } while (dwarf_siblingof(&c, &c) == 0);
      if (dims.empty()) dims.push_back(0);
      const Type* cur = elem;
      for (size_t k = dims.size(); k-- > 1;) {
        Type inner;
        inner.kind = TypeKind::Array;
        inner.ref = cur;
        inner.count = dims[k];
        inner.size = cur ? cur->size * dims[k] : 0;
        cur = types->add(std::move(inner));
      }
      out->ref = cur;
      out->count = dims[0];
      out->size = cur ? cur->size * dims[0] : 0;
      break;
    }
    case TypeKind::Struct:
    case TypeKind::Union: {
      Dwarf_Die c;
      if (dwarf_child(die, &c) == 0) do {
          if (dwarf_tag(&c) != DW_TAG_member) continue;
          Member m;
          m.name = dwarf_diename(&c) ? dwarf_diename(&c) : "";
          m.type = type_attr(o, &c);
          uint64_t byte_off = 0;
          if (dwarf_attr(&c, DW_AT_data_member_location, &attr)) {
            Dwarf_Word u = 0;
            if (dwarf_formudata(&attr, &u) == 0) {
              byte_off = u;
            } else {
              Dwarf_Op* ops = nullptr;
              size_t n = 0;
              if (dwarf_getlocation(&attr, &ops, &n) == 0 && n == 1 &&
                  ops[0].atom == DW_OP_plus_uconst)
                byte_off = ops[0].number;
            }
          }
          Dwarf_Word bits = 0;
          if (dwarf_attr(&c, DW_AT_bit_size, &attr)) dwarf_formudata(&attr, &bits);
          m.bit_size = static_cast<uint32_t>(bits);
          m.bit_offset = byte_off * 8;
          Dwarf_Word dbo = 0;
          if (dwarf_attr(&c, DW_AT_data_bit_offset, &attr) && dwarf_formudata(&attr, &dbo) == 0) {
            m.bit_offset = dbo;
          } else if (bits && dwarf_attr(&c, DW_AT_bit_offset, &attr)) {
            // DWARF 2-4 count from the storage unit's most significant bit.
            Dwarf_Word bo = 0, storage = 0;
            dwarf_formudata(&attr, &bo);
            Dwarf_Attribute ba;
            if (dwarf_attr(&c, DW_AT_byte_size, &ba)) dwarf_formudata(&ba, &storage);
            else if (m.type) storage = m.type->size;
            m.bit_offset = byte_off * 8 + storage * 8 - bo - bits;
          }
          out->members.push_back(m);
        } while (dwarf_siblingof(&c, &c) == 0);
      break;
    }
    case TypeKind::FuncProto: {
      out->ref = type_attr(o, die);
      out->size = 0;
      Dwarf_Die c;
      if (dwarf_child(die, &c) == 0) do {
          int ct = dwarf_tag(&c);
          if (ct == DW_TAG_formal_parameter) {
            Param p;
            p.name = dwarf_diename(&c) ? dwarf_diename(&c) : "";
            p.type = type_attr(o, &c);
            out->params.push_back(p);
          } else if (ct == DW_TAG_unspecified_parameters) {
            out->variadic = true;
          }
        } while (dwarf_siblingof(&c, &c) == 0);
      break;
    }
    default:
      break;
  }
  return out;
}

// --- functions, variables, locations --------------------------------------------

bool DwarfKernel::Impl::entry_pc(Dwarf_Die* die, uint64_t* pc) {
  Dwarf_Attribute attr;
  Dwarf_Addr a = 0;
  // The lowest address: low_pc, or the first range (gcc lists a split function's hot
  // part first).
  uint64_t low = 0;
  bool have_low = false;
  if (dwarf_lowpc(die, &a) == 0) {
    low = a;
    have_low = true;
  } else {
    Dwarf_Addr base, start, end;
    if (dwarf_ranges(die, 0, &base, &start, &end) > 0) {
      low = start;
      have_low = true;
    }
  }
  if (dwarf_attr(die, DW_AT_entry_pc, &attr)) {
    if (dwarf_formaddr(&attr, &a) == 0) {
      *pc = a;
      return true;
    }
    // DWARF 5 also allows entry_pc as an offset from the lowest address.
    Dwarf_Word off = 0;
    if (have_low && dwarf_formudata(&attr, &off) == 0) {
      *pc = low + off;
      return true;
    }
  }
  if (have_low) *pc = low;
  return have_low;
}

std::string DwarfKernel::Impl::cfa_at(Object& o, uint64_t pc) {
  Dwarf_Addr cfi_bias = 0;
  Dwarf_CFI* cfi = dwfl_module_dwarf_cfi(o.mod, &cfi_bias);
  if (!cfi) cfi = dwfl_module_eh_cfi(o.mod, &cfi_bias);
  if (!cfi) return "";
  Dwarf_Frame* frame = nullptr;
  if (dwarf_cfi_addrframe(cfi, pc + o.bias - cfi_bias, &frame) != 0) return "";
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  std::string out;
  if (dwarf_frame_cfa(frame, &ops, &n) == 0 && n > 0) {
    std::vector<DwarfOp> conv;
    for (size_t i = 0; i < n; ++i) {
      DwarfOp d;
      d.atom = ops[i].atom;
      d.number = ops[i].number;
      d.number2 = ops[i].number2;
      conv.push_back(d);
    }
    std::string why;
    Location l = translate_location(conv, "", false, 8, &why);
    // The CFA rule "register + offset" arrives as DW_OP_bregx: an address expression.
    if (l.kind == Location::Memory) out = l.c;
  }
  free(frame);
  return out;
}

std::string DwarfKernel::Impl::frame_base_of(Object& o, Dwarf_Die* subprogram, uint64_t pc) {
  Dwarf_Attribute attr;
  if (!dwarf_attr(subprogram, DW_AT_frame_base, &attr)) return "";
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  if (dwarf_getlocation_addr(&attr, pc, &ops, &n, 1) < 1) return "";
  std::string why;
  Location l = translate_location(convert_ops(&attr, ops, n, 0), "", false, 8, &why);
  // A frame base computed as a register's contents (DW_OP_breg) is an address; given
  // as a register (DW_OP_reg) the register holds it. Either way c is its value.
  if (l.kind == Location::Unavailable) return "";
  // The CFA (gcc's usual frame base) from the call frame information at pc, as a
  // register expression, so the runtime need not unwind; STP_CFA when there is none.
  const std::string cfa = cfa_at(o, pc);
  for (size_t at; !cfa.empty() && (at = l.c.find("STP_CFA")) != std::string::npos;)
    l.c.replace(at, 7, cfa);
  return l.c;
}

namespace {
// Why a variable has no location at an address (DWARF says nothing for it there).
constexpr const char* kNoLocation = "no location (optimized out)";
constexpr const char* kNotHere = "not available at this address (optimized out)";
}  // namespace

Location DwarfKernel::Impl::locate(Object& o, Dwarf_Die* var, uint64_t pc,
                                   const std::function<const std::string&()>& frame_base,
                                   bool at_entry, const Type* type, std::string* reason) {
  Dwarf_Attribute attr;
  if (dwarf_attr(var, DW_AT_const_value, &attr)) {
    Dwarf_Sword sv = 0;
    Dwarf_Word uv = 0;
    Location l;
    l.kind = Location::Value;
    if (type && resolve(type) && resolve(type)->is_signed && dwarf_formsdata(&attr, &sv) == 0) {
      l.c = "((unsigned long)" + signed_num(sv) + ")";
      return l;
    }
    if (dwarf_formudata(&attr, &uv) == 0) {
      l.c = hex(uv) + "UL";
      return l;
    }
    *reason = "constant value in a block";
    return Location{};
  }
  if (!dwarf_attr(var, DW_AT_location, &attr)) {
    *reason = kNoLocation;
    return Location{};
  }
  Dwarf_Op* ops = nullptr;
  size_t n = 0;
  int got = dwarf_getlocation_addr(&attr, pc, &ops, &n, 1);
  if (got < 1) {
    *reason = kNotHere;
    return Location{};
  }
  uint64_t size = type && resolve(type) ? resolve(type)->size : 8;
  std::vector<DwarfOp> converted = convert_ops(&attr, ops, n, 0);
  std::function<bool(const std::vector<DwarfOp>&)> uses_fbreg = [&](const std::vector<DwarfOp>& v) {
    for (const DwarfOp& op : v)
      if (op.atom == DW_OP_fbreg || uses_fbreg(op.inner)) return true;
    return false;
  };
  static const std::string kNone;
  Location l = translate_location(converted, uses_fbreg(converted) ? frame_base() : kNone,
                                  at_entry, size, reason);
  // STP_RELOC relocates a vmlinux link-time address; a module's static data would need
  // its section's load address, which nothing provides yet.
  if (o.name != "kernel" && l.c.find("STP_RELOC(") != std::string::npos) {
    *reason = "static address in a module";
    return Location{};
  }
  return l;
}

bool DwarfKernel::Impl::outer_subprogram(Dwarf_Die* die, Dwarf_Die* out) {
  if (dwarf_tag(die) == DW_TAG_subprogram) {
    *out = *die;
    return true;
  }
  Dwarf_Die* scopes = nullptr;
  int n = dwarf_getscopes_die(die, &scopes);
  bool found = false;
  for (int i = 0; i < n && !found; ++i)
    if (dwarf_tag(&scopes[i]) == DW_TAG_subprogram) {
      *out = scopes[i];
      found = true;
    }
  free(scopes);
  return found;
}

std::vector<Variable> DwarfKernel::Impl::variables_at(Object& o, Dwarf_Die* fn, uint64_t pc,
                                                      Locals locals, Dwarf_Die* sub_hint,
                                                      bool at_entry_pc) {
  const bool with_locals = locals != kNoLocals;
  // The frame base and entry come from the out-of-line function containing fn.
  Dwarf_Die sub = sub_hint ? *sub_hint : *fn;
  if (!sub_hint) outer_subprogram(fn, &sub);
  // The frame base needs the call frame information at pc, the slow part of listing a
  // function's variables: found only for a variable whose location uses it.
  std::optional<std::string> fb;
  auto frame_base = [&]() -> const std::string& {
    if (!fb) fb = frame_base_of(o, &sub, pc);
    return *fb;
  };
  uint64_t entry = 0;
  const bool at_entry = at_entry_pc || (entry_pc(&sub, &entry) && entry == pc);

  // Variables by block depth: inner blocks' first, so an inner variable shadows an
  // outer one of the same name for whoever takes the first match; within a scope in
  // declaration order, parameters and locals mixed, as stap 4.8's -L lists them.
  std::vector<std::vector<Variable>> by_depth;
  std::function<void(Dwarf_Die*, size_t)> walk = [&](Dwarf_Die* scope, size_t depth) {
    Dwarf_Die c;
    if (dwarf_child(scope, &c) != 0) return;
    do {
      int tag = dwarf_tag(&c);
      if (tag == DW_TAG_formal_parameter || (tag == DW_TAG_variable && with_locals)) {
        if (tag == DW_TAG_formal_parameter && depth > 0) continue;
        Variable v;
        const char* nm = dwarf_diename(&c);
        if (!nm) continue;
        v.name = nm;
        v.is_param = tag == DW_TAG_formal_parameter;
        v.type = type_attr(o, &c);
        std::string why;
        v.loc = locate(o, &c, pc, frame_base, at_entry, v.type, &why);
        if (v.loc.kind == Location::Unavailable) {
          v.no_location = why == kNoLocation || why == kNotHere;
          v.loc.c = why;
        }
        if (by_depth.size() <= depth) by_depth.resize(depth + 1);
        // GCC may describe one parameter twice (a variadic function's last named one):
        // one entry, the located one.
        auto same = std::find_if(by_depth[depth].begin(), by_depth[depth].end(),
                                 [&](const Variable& w) { return w.name == v.name; });
        if (same == by_depth[depth].end()) by_depth[depth].push_back(std::move(v));
        else if (same->loc.kind == Location::Unavailable && v.loc.kind != Location::Unavailable)
          *same = std::move(v);
      } else if (tag == DW_TAG_lexical_block && locals == kAllLocals) {
        if (dwarf_haspc(&c, pc) == 1) walk(&c, depth + 1);
      }
    } while (dwarf_siblingof(&c, &c) == 0);
  };
  walk(fn, 0);
  std::vector<Variable> out;
  for (size_t d = by_depth.size(); d-- > 0;)
    for (auto& v : by_depth[d]) out.push_back(std::move(v));
  return out;
}

// A traceable kernel function starts with `call __fentry__` (after `endbr64` where IBT is
// on).  The registers are the same after it as at the entry, where the probe fires, and
// the compiler starts the locations of locals set by constants (and of some parameters)
// only there: stap 4.8 reads a function's variables at that address, so its -L lists
// them.  A function without the call (notrace) is read at its entry.
uint64_t DwarfKernel::Impl::past_fentry(Object& o, uint64_t entry) {
  if (!o.fentry) {
    o.fentry = 0;
    for (const Sym& s : o.syms)
      if (s.func && s.name == "__fentry__") o.fentry = s.addr;
  }
  const uint64_t a = entry + o.bias;
  std::string_view b = section_bytes(o.mod, a, a + 9);
  if (b.size() < 9) return entry;
  auto byte = [&](size_t i) { return static_cast<unsigned char>(b[i]); };
  size_t at = 0;
  if (byte(0) == 0xf3 && byte(1) == 0x0f && byte(2) == 0x1e && byte(3) == 0xfa) at = 4;  // endbr64
  if (byte(at) != 0xe8) return entry;
  const int32_t rel = read_s32(b, at + 1);
  // In vmlinux the call is linked to __fentry__; in a module it waits for its
  // relocation (rel32 0).
  const bool to_fentry = *o.fentry ? a + at + 5 + static_cast<uint64_t>(int64_t{rel}) == *o.fentry
                                   : rel == 0;
  return to_fentry ? entry + at + 5 : entry;
}

FunctionSite DwarfKernel::Impl::make_site(Object& o, Dwarf_Die* die, uint64_t entry, bool inlined,
                                          bool with_params, Dwarf_Die* sub) {
  FunctionSite s;
  const char* nm = dwarf_diename(die);
  s.fn.name = nm ? nm : "";
  s.fn.module = o.name;
  s.fn.decl_file = rel_path(decl_file(o, die));
  int line = 0;
  dwarf_decl_line(die, &line);
  s.fn.decl_line = line;
  if (s.fn.decl_file.empty()) {
    // Assembler functions have no declaration: upstream names the line at the entry.
    Dwarf_Die cu;
    if (dwarf_diecu(die, &cu, nullptr, nullptr))
      if (Dwarf_Line* l = dwarf_getsrc_die(&cu, entry)) {
        s.fn.decl_file = rel_path(dwarf_linesrc(l, nullptr, nullptr));
        dwarf_lineno(l, &line);
        s.fn.decl_line = line;
      }
    // No line either: as upstream prints it.
    if (s.fn.decl_file.empty()) s.fn.decl_file = "<unknown source>";
  }
  s.fn.exported = o.exported.count(s.fn.name) > 0;
  s.at = probe_addr(o, entry, true);
  s.fn.probe_offset = s.at.offset;
  s.inlined = inlined;
  s.die = dwarf_dieoffset(die);
  s.object = object_index(&o);
  s.fn.has_proto = with_params;
  if (with_params) {
    s.fn.ret = type_attr(o, die);
    // As stap 4.8, a function's entry sees its parameters and its own locals (an
    // inlined copy's locals sit in a lexical block of their own: not seen).
    // Out of line, where stap 4.8 reads them: past the __fentry__ call (see past_fentry).
    const uint64_t pc = inlined ? entry : past_fentry(o, entry);
    s.fn.params = variables_at(o, die, pc, kOwnLocals, sub, !inlined);
  }
  return s;
}

// --- the public class -------------------------------------------------------------

DwarfKernel::DwarfKernel(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DwarfKernel::~DwarfKernel() = default;

std::unique_ptr<DwarfKernel> DwarfKernel::open(const std::string& release, TypeTable& types,
                                               const std::string& cache_dir, std::string* error,
                                               const std::vector<std::string>& roots) {
  using Clock = std::chrono::steady_clock;
  auto t0 = Clock::now();
  std::string want_id;
  struct utsname u;
  if (uname(&u) == 0 && release == u.release) want_id = running_kernel_build_id();
  DebuginfoSearch s = find_vmlinux_debuginfo(release, want_id, roots);
  if (s.found.empty()) {
    *error = debuginfo_hint(release, s);
    return nullptr;
  }
  auto impl = std::make_unique<Impl>();
  impl->release = release;
  impl->roots = roots;
  impl->cache_dir = cache_dir;
  impl->types = &types;
  if (!impl->open_object("kernel", s.found, error)) return nullptr;
  auto t1 = Clock::now();
  Impl::Object& k = *impl->objects.back();
  std::string cache_file;
  if (!cache_dir.empty() && !k.build_id.empty())
    cache_file = cache_dir + "/dwarf-index/" + k.build_id + ".idx";
  if (!cache_file.empty() && impl->load_index_cache(k, cache_file)) {
    impl->timing.index_from_cache = true;
  } else {
    impl->build_index(k);
    if (!cache_file.empty()) impl->save_index_cache(k, cache_file);
  }
  auto t2 = Clock::now();
  impl->timing.open_ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
  impl->timing.index_ms = std::chrono::duration<double, std::milli>(t2 - t1).count();
  return std::unique_ptr<DwarfKernel>(new DwarfKernel(std::move(impl)));
}

bool DwarfKernel::kprobe_refused(uint64_t link_addr) {
  Impl::Object& k = *impl_->objects[0];
  if (!k.refused_loaded) impl_->load_refused(k);
  // With indirect branch tracking the kernel moves a probe on a function's endbr64 to
  // the instruction after it (arch_adjust_kprobe_addr): check both.
  std::string_view insn = section_bytes(k.mod, link_addr, link_addr + 4);
  if (insn == std::string_view("\xf3\x0f\x1e\xfa", 4) && impl_->refused_at(k, link_addr + 4))
    return true;
  return impl_->refused_at(k, link_addr);
}

bool DwarfKernel::Impl::refused_at(const Object& k, uint64_t link_addr) const {
  const auto key = std::make_pair(link_addr, ~uint64_t{0});
  auto r = std::upper_bound(k.reserved.begin(), k.reserved.end(), key);
  if (r != k.reserved.begin() && link_addr < std::prev(r)->second) return true;
  // Areas hold NOKPROBE functions: look at every range starting before the address
  // (a few hundred at most).
  for (auto it = std::upper_bound(k.refused.begin(), k.refused.end(), key);
       it != k.refused.begin();) {
    --it;
    if (link_addr < it->second) return true;
  }
  return false;
}

const std::string& DwarfKernel::release() const { return impl_->release; }
const std::string& DwarfKernel::vmlinux_path() const { return impl_->objects[0]->path; }
const std::string& DwarfKernel::build_id() const { return impl_->objects[0]->build_id; }
std::string DwarfKernel::build_id(const std::string& module) const {
  const std::string want = module == "kernel" ? module : normalize_module_name(module);
  for (const auto& o : impl_->objects)
    if (o->name == want) return o->build_id;
  return "";
}
const DwarfTiming& DwarfKernel::timing() const { return impl_->timing; }
std::string DwarfKernel::missing_hint() const { return impl_->last_hint; }

bool DwarfKernel::load_module(const std::string& module, std::string* error) {
  if (impl_->object_named(module)) return true;
  DebuginfoSearch s = find_module_debuginfo(impl_->release, module, impl_->roots);
  if (s.found.empty()) {
    *error = debuginfo_hint(impl_->release, s);
    impl_->last_hint = *error;
    return false;
  }
  if (!impl_->open_object(normalize_module_name(module), s.found, error)) return false;
  Impl::Object& m = *impl_->objects.back();
  std::string cache_file;
  if (!impl_->cache_dir.empty() && !m.build_id.empty())
    cache_file = impl_->cache_dir + "/dwarf-index/" + m.build_id + ".idx";
  if (cache_file.empty() || !impl_->load_index_cache(m, cache_file)) {
    impl_->build_index(m);
    if (!cache_file.empty()) impl_->save_index_cache(m, cache_file);
  }
  return true;
}

std::vector<FunctionSite> DwarfKernel::functions(const std::string& glob, const std::string& module,
                                                 bool with_inlines, bool with_params) {
  return find_functions(glob, module, with_inlines, with_params, nullptr);
}

std::vector<FunctionSite> DwarfKernel::find_functions(const std::string& glob,
                                                      const std::string& module, bool with_inlines,
                                                      bool with_params,
                                                      std::vector<uint64_t>* part_entries) {
  std::vector<FunctionSite> out;
  Impl::Object* o = impl_->object_named(module);
  if (!o) {
    std::string err;
    if (module == "kernel" || !load_module(module, &err)) return out;
    o = impl_->object_named(module);
  }
  // Literal prefix of the glob bounds the part of the sorted index to scan.
  const size_t meta = glob.find_first_of("*?[\\");
  const std::string prefix = glob.substr(0, meta);
  std::set<uint64_t> inline_cus;  // units holding an abstract definition that matches
  for (size_t i = o->index.lower_bound(prefix); i < o->index.size(); ++i) {
    const IndexEntry e = o->index[i];
    if (e.name.compare(0, prefix.size(), prefix) != 0) break;
    if (e.kind != kFunc && e.kind != kAbstract) continue;
    if (meta != std::string::npos && !glob_match(glob, e.name)) continue;
    if (meta == std::string::npos && e.name != glob) continue;
    Dwarf_Die die;
    if (!dwarf_offdie(o->dw, e.die, &die)) continue;
    if (e.kind == kFunc) {
      uint64_t entry = 0;
      if (!impl_->entry_pc(&die, &entry) || impl_->in_discarded_text(*o, entry)) continue;
      // A F.part.N clone is the rest of F after its head was inlined into the callers:
      // not where F starts.  stap 4.8 leaves it out, and the inline heads are F's sites.
      if (impl_->part_clone_at(*o, entry)) {
        if (part_entries) part_entries->push_back(entry + o->bias);
        continue;
      }
      // An assembler alias (SYM_FUNC_ALIAS(memmove, __memmove)) is a second function
      // at the same address: stap 4.8 names the first one, whichever was asked for.
      if (!dwarf_hasattr(&die, DW_AT_decl_file)) impl_->first_at_entry(&die, entry);
      out.push_back(impl_->make_site(*o, &die, entry, false, with_params, nullptr));
    } else if (with_inlines) {
      Dwarf_Die cu;
      if (dwarf_diecu(&die, &cu, nullptr, nullptr)) inline_cus.insert(dwarf_dieoffset(&cu));
    }
  }
  for (uint64_t cuoff : inline_cus) {
    Dwarf_Die cu;
    if (!dwarf_offdie(o->dw, cuoff, &cu)) continue;
    std::vector<std::pair<std::string, Dwarf_Die>> callers;
    std::function<void(Dwarf_Die*)> walk = [&](Dwarf_Die* parent) {
      Dwarf_Die c;
      if (dwarf_child(parent, &c) != 0) return;
      do {
        int tag = dwarf_tag(&c);
        if (tag == DW_TAG_subprogram) {
          // Only out-of-line code holds inline instances worth probing.
          if (!dwarf_hasattr(&c, DW_AT_low_pc) && !dwarf_hasattr(&c, DW_AT_ranges)) continue;
          const char* nm = dwarf_diename(&c);
          callers.emplace_back(nm ? nm : "", c);
          walk(&c);
          callers.pop_back();
        } else if (tag == DW_TAG_inlined_subroutine) {
          const char* nm = dwarf_diename(&c);
          if (nm && glob_match(glob, nm)) {
            uint64_t entry = 0;
            if (impl_->entry_pc(&c, &entry) && !impl_->in_discarded_text(*o, entry)) {
              FunctionSite s = impl_->make_site(*o, &c, entry, true, with_params,
                                                callers.empty() ? nullptr : &callers.back().second);
              s.caller = callers.empty() ? "" : callers.front().first;
              out.push_back(std::move(s));
            }
          }
          walk(&c);
        } else if (tag == DW_TAG_lexical_block) {
          walk(&c);
        }
      } while (dwarf_siblingof(&c, &c) == 0);
    };
    walk(&cu);
  }
  // inlined_only: no out-of-line copy shares the name, file and line.
  std::set<std::tuple<std::string, std::string, int>> outlined;
  for (const auto& s : out)
    if (!s.inlined) outlined.insert({s.fn.name, s.fn.decl_file, s.fn.decl_line});
  for (auto& s : out)
    s.inlined_only = s.inlined && !outlined.count({s.fn.name, s.fn.decl_file, s.fn.decl_line});
  std::sort(out.begin(), out.end(), [](const FunctionSite& a, const FunctionSite& b) {
    return std::tie(a.fn.name, a.fn.decl_file, a.fn.decl_line, a.inlined, a.at.addr, a.die) <
           std::tie(b.fn.name, b.fn.decl_file, b.fn.decl_line, b.inlined, b.at.addr, b.die);
  });
  // One site per address: an inline function can be inlined twice at one address
  // (nested inlines), and one probe there is enough: the first in the DWARF, whatever
  // else the pattern matched.
  out.erase(std::unique(out.begin(), out.end(),
                        [](const FunctionSite& a, const FunctionSite& b) {
                          return a.fn.name == b.fn.name && a.fn.decl_file == b.fn.decl_file &&
                                 a.fn.decl_line == b.fn.decl_line && a.inlined == b.inlined &&
                                 a.at.addr == b.at.addr;
                        }),
            out.end());
  return out;
}

std::optional<ProbeAddr> DwarfKernel::prologue_end(const FunctionSite& site) {
  if (site.object < 0 || static_cast<size_t>(site.object) >= impl_->objects.size()) return {};
  Impl::Object& o = *impl_->objects[site.object];
  Dwarf_Die die, cu;
  if (!dwarf_offdie(o.dw, site.die, &die) || !dwarf_diecu(&die, &cu, nullptr, nullptr)) return {};
  uint64_t entry = 0;
  if (!impl_->entry_pc(&die, &entry)) return {};
  Dwarf_Lines* lines = nullptr;
  size_t n = 0;
  if (dwarf_getsrclines(&cu, &lines, &n) != 0) return {};
  // Rows of this function in address order (the table is sorted per sequence).
  int entry_line = -1;
  uint64_t best = 0;
  for (size_t i = 0; i < n; ++i) {
    Dwarf_Line* l = dwarf_onesrcline(lines, i);
    Dwarf_Addr a = 0;
    if (dwarf_lineaddr(l, &a) != 0 || a < entry) continue;
    if (dwarf_haspc(&die, a) != 1) continue;
    int ln = 0;
    dwarf_lineno(l, &ln);
    bool pe = false;
    dwarf_lineprologueend(l, &pe);
    if (pe) {
      best = a;
      break;
    }
    if (a == entry) {
      if (entry_line < 0) entry_line = ln;
      continue;
    }
    bool stmt = false;
    dwarf_linebeginstatement(l, &stmt);
    if (entry_line >= 0 && stmt && ln != entry_line && (!best || a < best)) best = a;
  }
  if (!best) return {};
  return impl_->probe_addr(o, best, true);
}

namespace {

// The scopes holding pc in a unit, outermost first: the out-of-line function, then the
// lexical blocks and inline instances inside it. *hint remembers which top-level DIE
// matched last (line rows come in address order, mostly within one function).
bool chain_for(Dwarf_Die& cu, Dwarf_Addr pc, std::vector<Dwarf_Die>* chain, size_t* hint) {
  chain->clear();
  std::vector<Dwarf_Die> tops;
  Dwarf_Die c;
  size_t i = 0;
  bool found = false;
  // Try the remembered function first, then scan.
  for (int pass = 0; pass < 2 && !found; ++pass) {
    if (dwarf_child(&cu, &c) != 0) return false;
    i = 0;
    do {
      if (pass == 0 && i != *hint) {
        ++i;
        continue;
      }
      if (dwarf_tag(&c) == DW_TAG_subprogram && dwarf_haspc(&c, pc) == 1) {
        found = true;
        *hint = i;
        break;
      }
      if (pass == 0) break;
      ++i;
    } while (dwarf_siblingof(&c, &c) == 0);
  }
  if (!found) return false;
  chain->push_back(c);
  for (;;) {
    Dwarf_Die k;
    if (dwarf_child(&chain->back(), &k) != 0) break;
    bool deeper = false;
    do {
      int tag = dwarf_tag(&k);
      if ((tag == DW_TAG_lexical_block || tag == DW_TAG_inlined_subroutine) &&
          dwarf_haspc(&k, pc) == 1) {
        chain->push_back(k);
        deeper = true;
        break;
      }
    } while (dwarf_siblingof(&k, &k) == 0);
    if (!deeper) break;
  }
  return true;
}

}  // namespace

std::vector<StatementSite> DwarfKernel::statements(const std::string& func_glob,
                                                   const std::string& file, int line,
                                                   const std::string& module) {
  return statements(func_glob, file, line, line, module);
}

std::vector<StatementSite> DwarfKernel::statements(const std::string& func_glob,
                                                   const std::string& file, int line_lo,
                                                   int line_hi, const std::string& module) {
  std::vector<StatementSite> out;
  Impl::Object* o = impl_->object_named(module);
  if (!o) {
    std::string err;
    if (module == "kernel" || !load_module(module, &err)) return out;
    o = impl_->object_named(module);
  }
  const bool any_line = line_lo <= 0;
  // The units to read: those holding functions (or inline instances) that match, or
  // for "*" every unit named like the file (every unit for a header).
  std::set<uint64_t> cus;
  if (func_glob != "*") {
    for (const auto& site : functions(func_glob, module, true, false)) {
      Dwarf_Die die, cu;
      if (dwarf_offdie(o->dw, site.die, &die) && dwarf_diecu(&die, &cu, nullptr, nullptr))
        cus.insert(dwarf_dieoffset(&cu));
    }
  } else {
    const bool header = file.size() > 2 && file.compare(file.size() - 2, 2, ".h") == 0;
    Dwarf_CU* cu = nullptr;
    Dwarf_Die cudie, subdie;
    uint8_t ut = 0;
    Dwarf_Half ver = 0;
    while (dwarf_get_units(o->dw, cu, &cu, &ver, &ut, &cudie, &subdie) == 0) {
      if (ut != DW_UT_compile) continue;
      if (header || file_matches(file, impl_->rel_path(dwarf_diename(&cudie))))
        cus.insert(dwarf_dieoffset(&cudie));
    }
  }
  // Per (function, line, function DIE): the lowest address.
  std::map<std::tuple<std::string, int, uint64_t>, StatementSite> best;
  for (uint64_t cuoff : cus) {
    Dwarf_Die cu;
    if (!dwarf_offdie(o->dw, cuoff, &cu)) continue;
    Dwarf_Lines* lines = nullptr;
    size_t n = 0;
    if (dwarf_getsrclines(&cu, &lines, &n) != 0) continue;
    std::unordered_map<const char*, std::pair<bool, std::string>> files;  // matches, path
    std::vector<Dwarf_Die> chain;  // out-of-line function, then blocks and inlines
    size_t top_hint = 0;
    for (size_t i = 0; i < n; ++i) {
      Dwarf_Line* l = dwarf_onesrcline(lines, i);
      int ln = 0;
      bool end = false;
      dwarf_lineno(l, &ln);
      dwarf_lineendsequence(l, &end);
      // Not only is_stmt rows: gcc leaves many line starts of optimized code without
      // it, and upstream probes those too (vfs_read's line 454 in 6.1).
      if (end || ln == 0 || (!any_line && (ln < line_lo || ln > line_hi))) continue;
      const char* src = dwarf_linesrc(l, nullptr, nullptr);
      auto f = files.find(src);
      if (f == files.end()) {
        std::string path = impl_->rel_path(src);
        bool ok = file_matches(file, path);
        f = files.emplace(src, std::make_pair(ok, std::move(path))).first;
      }
      if (!f->second.first) continue;
      const std::string& path = f->second.second;
      Dwarf_Addr a = 0;
      dwarf_lineaddr(l, &a);
      // The row belongs to the innermost function (out-of-line or inlined) declared
      // in this file above this line: an inlined callee's lines are its own, not its
      // caller's (stap 4.8 lists vfs_read's lines without rw_verify_area's).
      // (dwarf_getscopes continues past an inline instance into its abstract
      // definition, not its caller, so the chain is walked here.)
      if (!chain_for(cu, a, &chain, &top_hint)) continue;
      // An inline instance's call line is also its caller's line (stap 4.8 lists
      // line 470 of vfs_read for new_sync_read inlined there, and for vfs_read).
      std::vector<Dwarf_Die*> owners;
      bool want_outer = true;
      for (size_t k = chain.size(); k-- > 0 && want_outer;) {
        int tag = dwarf_tag(&chain[k]);
        if (tag != DW_TAG_subprogram && tag != DW_TAG_inlined_subroutine) continue;
        int dl = 0;
        dwarf_decl_line(&chain[k], &dl);
        const char* df = dwarf_decl_file(&chain[k]);
        if (df && path == df && dl <= ln) {
          owners.push_back(&chain[k]);
          Dwarf_Attribute cl;
          Dwarf_Word call_line = 0;
          want_outer = tag == DW_TAG_inlined_subroutine && dwarf_attr(&chain[k], DW_AT_call_line, &cl) &&
                       dwarf_formudata(&cl, &call_line) == 0 && static_cast<int>(call_line) == ln;
        }
      }
      for (Dwarf_Die* owner : owners) {
        const char* on = dwarf_diename(owner);
        std::string name = on ? on : "";
        const bool inlined = dwarf_tag(owner) == DW_TAG_inlined_subroutine;
        const uint64_t odie = dwarf_dieoffset(owner);
        if (func_glob != "*" && !glob_match(func_glob, name)) continue;
        if (impl_->in_discarded_text(*o, a)) continue;
        auto key = std::make_tuple(name, ln, odie);
        auto b = best.find(key);
        if (b != best.end() && b->second.at.addr <= a + o->bias) continue;
        StatementSite st;
        st.function = name;
        st.file = path;
        st.line = ln;
        st.inlined = inlined;
        st.at = impl_->probe_addr(*o, a, true);
        st.die = odie;
        st.object = impl_->object_index(o);
        best[key] = st;
      }
    }
  }
  for (auto& [k, v] : best) out.push_back(std::move(v));
  std::sort(out.begin(), out.end(), [](const StatementSite& a, const StatementSite& b) {
    return std::tie(a.function, a.line, a.at.addr) < std::tie(b.function, b.line, b.at.addr);
  });
  return out;
}

namespace {

// Calls visit on each child of scope, looking through its lexical blocks (whose
// children are the scope's too) but not into other children.
void for_each_in_scope(Dwarf_Die* scope, const std::function<void(Dwarf_Die*)>& visit) {
  Dwarf_Die c;
  if (dwarf_child(scope, &c) != 0) return;
  do {
    if (dwarf_tag(&c) == DW_TAG_lexical_block) for_each_in_scope(&c, visit);
    else visit(&c);
  } while (dwarf_siblingof(&c, &c) == 0);
}

}  // namespace

std::vector<LabelSite> DwarfKernel::labels(const std::string& func_glob,
                                           const std::string& label_glob,
                                           const std::string& module) {
  std::vector<LabelSite> out;
  for (const FunctionSite& site : functions(func_glob, module, true, false)) {
    Impl::Object& o = *impl_->objects[site.object];
    Dwarf_Die fn;
    if (!dwarf_offdie(o.dw, site.die, &fn)) continue;
    // A function's own labels sit in its body and lexical blocks; those under an
    // inlined_subroutine belong to the inlined function (its own site, if it matches).
    for_each_in_scope(&fn, [&](Dwarf_Die* c) {
      if (dwarf_tag(c) != DW_TAG_label) return;
      const char* nm = dwarf_diename(c);
      Dwarf_Addr a = 0;
      if (!nm || !glob_match(label_glob, nm) || dwarf_lowpc(c, &a) != 0) return;
      if (impl_->in_discarded_text(o, a)) return;
      LabelSite l;
      l.function = site.fn.name;
      l.label = nm;
      l.inlined = site.inlined;
      l.file = impl_->rel_path(impl_->decl_file(o, c));
      if (l.file.empty()) l.file = site.fn.decl_file;
      int line = 0;
      dwarf_decl_line(c, &line);
      l.line = line;
      l.at = impl_->probe_addr(o, a, true);
      l.die = site.die;
      l.object = site.object;
      out.push_back(std::move(l));
    });
  }
  std::sort(out.begin(), out.end(), [](const LabelSite& a, const LabelSite& b) {
    return std::tie(a.function, a.line, a.label, a.at.addr) <
           std::tie(b.function, b.line, b.label, b.at.addr);
  });
  // An inline function inlined twice at one address (nested inlines) needs one probe.
  out.erase(std::unique(out.begin(), out.end(),
                        [](const LabelSite& a, const LabelSite& b) {
                          return a.function == b.function && a.label == b.label &&
                                 a.at.addr == b.at.addr;
                        }),
            out.end());
  return out;
}

std::vector<CalleeSite> DwarfKernel::callees(const std::string& func_glob,
                                             const std::string& callee_glob, int depth,
                                             const std::string& module) {
  std::vector<CalleeSite> out;
  for (const FunctionSite& site : functions(func_glob, module, true, false)) {
    Impl::Object& o = *impl_->objects[site.object];
    Dwarf_Die fn;
    if (!dwarf_offdie(o.dw, site.die, &fn)) continue;
    // The out-of-line function whose frame the instances' variables live in.
    Dwarf_Die outer;
    if (!impl_->outer_subprogram(&fn, &outer)) continue;
    std::function<void(Dwarf_Die*, const FunctionSite&, int)> walk =
        [&](Dwarf_Die* scope, const FunctionSite& caller, int level) {
          for_each_in_scope(scope, [&](Dwarf_Die* c) {
            if (dwarf_tag(c) != DW_TAG_inlined_subroutine) return;
            const char* nm = dwarf_diename(c);
            uint64_t entry = 0;
            // As stap 4.8: an instance in one piece (DW_AT_low_pc), not one the compiler
            // split into address ranges.
            if (!nm || !dwarf_hasattr(c, DW_AT_low_pc) || !impl_->entry_pc(c, &entry) ||
                impl_->in_discarded_text(o, entry))
              return;
            FunctionSite s = impl_->make_site(o, c, entry, true, true, &outer);
            if (glob_match(callee_glob, nm)) out.push_back({caller, s});
            if (level < depth) walk(c, s, level + 1);
          });
        };
    walk(&fn, site, 1);
  }
  auto key = [](const CalleeSite& s) {
    return std::tie(s.caller.fn.name, s.caller.fn.decl_file, s.caller.fn.decl_line,
                    s.callee.fn.name, s.callee.fn.decl_file, s.callee.fn.decl_line,
                    s.callee.at.addr);
  };
  std::sort(out.begin(), out.end(),
            [&](const CalleeSite& a, const CalleeSite& b) { return key(a) < key(b); });
  // An instance reached twice (a caller matched both out of line and inline) is one site.
  out.erase(std::unique(out.begin(), out.end(),
                        [&](const CalleeSite& a, const CalleeSite& b) { return key(a) == key(b); }),
            out.end());
  return out;
}

std::vector<Variable> DwarfKernel::variables_at(int object, uint64_t die, uint64_t addr,
                                                bool with_locals) {
  if (object < 0 || static_cast<size_t>(object) >= impl_->objects.size()) return {};
  Impl::Object& o = *impl_->objects[object];
  Dwarf_Die d;
  if (!dwarf_offdie(o.dw, die, &d)) return {};
  return impl_->variables_at(o, &d, addr - o.bias,
                             with_locals ? Impl::kAllLocals : Impl::kNoLocals);
}

const Type* DwarfKernel::return_type(int object, uint64_t die, bool* is_void) {
  *is_void = true;
  if (object < 0 || static_cast<size_t>(object) >= impl_->objects.size()) return nullptr;
  Impl::Object& o = *impl_->objects[object];
  Dwarf_Die d;
  if (!dwarf_offdie(o.dw, die, &d)) return nullptr;
  const Type* t = impl_->type_attr(o, &d);
  *is_void = t == nullptr;
  return t;
}

std::optional<GlobalVariable> DwarfKernel::global_variable(const std::string& name,
                                                           const std::string& file,
                                                           const std::string& module) {
  Impl::Object* o = impl_->object_named(module);
  if (!o) {
    std::string err;
    if (module == "kernel" || !load_module(module, &err)) return {};
    o = impl_->object_named(module);
  }
  for (size_t i = o->index.lower_bound(name); i < o->index.size(); ++i) {
    const IndexEntry e = o->index[i];
    if (e.name != name) break;
    if (e.kind != kVar) continue;
    Dwarf_Die die;
    if (!dwarf_offdie(o->dw, e.die, &die)) continue;
    GlobalVariable g;
    g.name = name;
    g.decl_file = impl_->rel_path(impl_->decl_file(*o, &die));
    if (!file_matches(file, g.decl_file)) continue;
    int ln = 0;
    dwarf_decl_line(&die, &ln);
    g.decl_line = ln;
    Dwarf_Attribute attr;
    Dwarf_Op* ops = nullptr;
    size_t n = 0;
    if (!dwarf_attr(&die, DW_AT_location, &attr) || dwarf_getlocation(&attr, &ops, &n) != 0 ||
        n != 1 || ops[0].atom != DW_OP_addr)
      continue;
    g.type = impl_->type_attr(*o, &die);
    g.at = impl_->probe_addr(*o, ops[0].number, false);
    if (o->name != "kernel") {
      // A module is found at run time by its symbol table, so the variable is named
      // from a uniquely named data symbol covering it (probe_addr may fall back to a
      // function), else from the nearest uniquely named symbol of its section: a
      // section keeps its layout when the module loads.  (Two files of a module may
      // each have a static of the variable's name.)
      auto covers = [&](const Sym& s) {
        return g.at.addr >= s.addr && g.at.addr < s.addr + std::max<uint64_t>(s.size, 1);
      };
      const Sym* own = nullptr;
      bool covered = false;
      for (const Sym& s : o->syms) {
        if (!covers(s)) continue;
        if (!own) own = &s;
        if (!s.func && s.name == g.at.symbol) covered = true;
      }
      if (!covered) {
        g.at.symbol.clear();
        const Sym* best = nullptr;
        auto dist = [&](const Sym& s) {
          return s.addr > g.at.addr ? s.addr - g.at.addr : g.at.addr - s.addr;
        };
        for (const Sym& s : o->syms)
          if (own && s.shndx == own->shndx && o->unique_name(s.name) &&
              (!best || dist(s) < dist(*best)))
            best = &s;
        if (best) {
          g.at.symbol = std::string(best->name);
          g.at.offset = g.at.addr - best->addr;  // the runtime adds it modulo 2^64
        }
      }
    }
    return g;
  }
  impl_->last_hint = "no variable '" + name + "'" + (file.empty() ? "" : " in " + file) + " in " +
                     module + " debuginfo (" + o->path + ")";
  return {};
}

uint64_t DwarfKernel::symbol_address(const std::string& name, const std::string& module) {
  Impl::Object* o = impl_->object_named(module);
  if (!o) return 0;
  for (const Sym& s : o->syms)
    if (s.name == name) return s.addr;
  return 0;
}

std::vector<SymbolSite> DwarfKernel::symbols(const std::string& glob, const std::string& module,
                                             bool only_without_dwarf) {
  std::vector<SymbolSite> out;
  Impl::Object* o = impl_->object_named(module);
  if (!o) {
    std::string err;
    if (module == "kernel" || !load_module(module, &err)) return out;
    o = impl_->object_named(module);
  }
  std::unordered_set<uint64_t> dwarf_entries;
  if (only_without_dwarf) {
    // A NAME.part.N clone DWARF names NAME is left out of NAME's sites, not listed.
    std::vector<uint64_t> parts;
    for (const auto& f : find_functions(glob, module, false, false, &parts))
      dwarf_entries.insert(f.at.addr);
    dwarf_entries.insert(parts.begin(), parts.end());
  }
  for (const Sym& s : o->syms) {
    // (A Sym's name ends in the string table's NUL.)
    if (!s.func || !glob_match(glob, s.name.data()) || dwarf_entries.count(s.addr) ||
        impl_->in_discarded_text(*o, s.addr - o->bias))
      continue;
    SymbolSite site;
    site.name = s.name;
    if (o->unique_name(s.name)) {
      site.at.addr = s.addr;
      site.at.symbol = s.name;
    } else {
      site.at = impl_->probe_addr(*o, s.addr - o->bias, true);
    }
    out.push_back(std::move(site));
  }
  std::sort(out.begin(), out.end(), [](const SymbolSite& a, const SymbolSite& b) {
    return std::tie(a.name, a.at.addr) < std::tie(b.name, b.at.addr);
  });
  return out;
}

const Type* DwarfKernel::find_type(const std::string& spelling, const std::string& module) {
  Impl::Object* o = impl_->object_named(module);
  if (!o) {
    std::string err;
    if (module == "kernel" || !load_module(module, &err)) return nullptr;
    o = impl_->object_named(module);
  }
  std::string s = spelling;
  int stars = 0;
  while (!s.empty() && (s.back() == '*' || s.back() == ' ')) {
    if (s.back() == '*') ++stars;
    s.pop_back();
  }
  char kind = 0;
  std::string name = s;
  auto strip = [&](const char* kw, char k) {
    size_t n = std::strlen(kw);
    if (s.compare(0, n, kw) == 0) {
      kind = k;
      name = s.substr(n);
      while (!name.empty() && name[0] == ' ') name.erase(0, 1);
      return true;
    }
    return false;
  };
  if (!strip("struct ", kStruct) && !strip("union ", kUnion) && !strip("enum ", kEnum)) {
    kind = 0;
    name = gcc_base_name(s);
  }
  const Type* t = nullptr;
  for (size_t i = o->index.lower_bound(name); i < o->index.size(); ++i) {
    const IndexEntry e = o->index[i];
    if (e.name != name) break;
    if (kind ? e.kind != kind : (e.kind != kTypedef && e.kind != kBase)) continue;
    Dwarf_Die die;
    if (!dwarf_offdie(o->dw, e.die, &die)) continue;
    t = impl_->type_of(*o, &die);
    break;
  }
  if (!t) {
    impl_->last_hint = "no type '" + spelling + "' in " + module + " debuginfo (" + o->path + ")";
    return nullptr;
  }
  for (int i = 0; i < stars; ++i) t = impl_->types->pointer_to(t);
  return t;
}

}  // namespace stap::debuginfo
