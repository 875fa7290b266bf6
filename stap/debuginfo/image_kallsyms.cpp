#include "stap/debuginfo/image_kallsyms.h"

#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <string_view>

#include "stap/debuginfo/btf_source.h"

namespace stap::debuginfo {

namespace {

// The allocated sections of the image, to read bytes by link-time address.
class ImageMap {
 public:
  explicit ImageMap(const std::string& elf) : elf_(elf) {
    elf_version(EV_CURRENT);
    Elf* e = elf_memory(const_cast<char*>(elf.data()), elf.size());
    if (!e) return;
    size_t shstrndx = 0;
    if (elf_kind(e) == ELF_K_ELF && elf_getshdrstrndx(e, &shstrndx) == 0) {
      for (Elf_Scn* s = elf_nextscn(e, nullptr); s; s = elf_nextscn(e, s)) {
        GElf_Shdr sh;
        if (!gelf_getshdr(s, &sh) || !(sh.sh_flags & SHF_ALLOC) || sh.sh_type == SHT_NOBITS)
          continue;
        if (sh.sh_offset > elf.size() || sh.sh_size > elf.size() - sh.sh_offset) continue;
        const char* n = elf_strptr(e, shstrndx, sh.sh_name);
        sections_.push_back({n ? n : "", sh.sh_addr, sh.sh_offset, sh.sh_size});
      }
    }
    elf_end(e);
  }

  // n bytes at link address addr, or empty when they are not all in one section.
  std::string_view at(uint64_t addr, size_t n) const {
    for (const Section& s : sections_)
      if (s.addr && addr >= s.addr && addr - s.addr <= s.size && n <= s.size - (addr - s.addr))
        return std::string_view(elf_).substr(s.offset + (addr - s.addr), n);
    return {};
  }

  // The contents of a section and its address.
  bool section(const std::string& name, std::string_view* data, uint64_t* addr) const {
    for (const Section& s : sections_)
      if (s.name == name) {
        *data = std::string_view(elf_).substr(s.offset, s.size);
        *addr = s.addr;
        return true;
      }
    return false;
  }

 private:
  struct Section {
    std::string name;
    uint64_t addr, offset, size;
  };
  const std::string& elf_;
  std::vector<Section> sections_;
};

template <typename T>
T load(std::string_view d, size_t off) {
  T v{};
  if (off + sizeof(T) <= d.size()) std::memcpy(&v, d.data() + off, sizeof(T));
  return v;
}

size_t align8(size_t v) { return (v + 7) & ~size_t{7}; }

// scripts/kallsyms writes, each table 8-aligned: kallsyms_num_syms, kallsyms_names
// (per symbol a length, one byte or two when the first has bit 7 set, then that many
// token numbers), kallsyms_markers (the names offset of every 256th symbol),
// kallsyms_token_table (256 NUL-terminated strings) and kallsyms_token_index (their
// u16 offsets), with kallsyms_offsets and kallsyms_relative_base before num_syms (6.1)
// or after the token index (6.2 on).
struct Tables {
  size_t token_table = 0, token_index = 0, names = 0, num = 0, markers = 0;
  size_t next_search = 0;  // where find_tokens goes on
};

// The token table: the digits are one-character tokens numbered by their own codes,
// so "0\0" ... "9\0" is tokens 48..57; the u16 index after it confirms where it starts.
// Other tables of .rodata have the same digits: each candidate is tried in turn (from
// `from`), and one whose names table is not found is passed over.
bool find_tokens(std::string_view ro, size_t from, Tables* t) {
  static const std::string_view kDigits("0\0" "1\0" "2\0" "3\0" "4\0" "5\0" "6\0" "7\0" "8\0" "9\0", 20);
  for (size_t p = ro.find(kDigits, from); p != std::string_view::npos; p = ro.find(kDigits, p + 1)) {
    if (p < t->next_search) continue;
    for (size_t i = align8(p + kDigits.size()); i < p + 8192 && i + 512 <= ro.size(); i += 8) {
      if (load<uint16_t>(ro, i) != 0) continue;
      bool ok = true;
      for (int k = 1; k < 256 && ok; ++k)
        ok = load<uint16_t>(ro, i + 2 * k) > load<uint16_t>(ro, i + 2 * (k - 1));
      for (int k = '0'; k <= '9' && ok; ++k)
        ok = load<uint16_t>(ro, i + 2 * (k + 1)) - load<uint16_t>(ro, i + 2 * k) == 2;
      size_t off48 = load<uint16_t>(ro, i + 2 * '0');
      if (!ok || off48 > p) continue;
      size_t start = p - off48;
      for (int k = 1; k < 256 && ok; ++k) {
        size_t end = start + load<uint16_t>(ro, i + 2 * k) - 1;  // each token's NUL
        ok = end < ro.size() && ro[end] == '\0';
      }
      if (!ok || start + load<uint16_t>(ro, i + 510) >= i) continue;
      t->token_table = start;
      t->token_index = i;
      t->next_search = p + 1;
      return true;
    }
  }
  return false;
}

// Walks n name entries from `at`; the offset after them, or 0 when they run out of
// the data. markers (when not null) are checked on the way.
size_t walk_names(std::string_view ro, size_t at, size_t n, size_t markers) {
  size_t off = at;
  for (size_t i = 0; i < n; ++i) {
    if (markers && i % 256 == 0 && load<uint32_t>(ro, markers + 4 * (i / 256)) != off - at) return 0;
    if (off >= ro.size()) return 0;
    size_t len = static_cast<unsigned char>(ro[off]);
    if (len & 0x80) {
      if (off + 1 >= ro.size()) return 0;
      len = (len & 0x7f) | (static_cast<size_t>(static_cast<unsigned char>(ro[off + 1])) << 7);
      off += 2;
    } else {
      off += 1;
    }
    if (len == 0) return 0;
    off += len;
  }
  return off <= ro.size() ? off : 0;
}

// kallsyms_num_syms and the names after it: the markers must end where the token table
// starts and agree with the names they point into.
bool find_names(std::string_view ro, Tables* t) {
  const size_t limit = t->token_table > (size_t{64} << 20) ? t->token_table - (size_t{64} << 20) : 0;
  for (size_t a = t->token_table & ~size_t{7}; a >= limit + 8;) {
    a -= 8;
    uint32_t n = load<uint32_t>(ro, a);
    if (n < 1000 || n > 4000000 || load<uint32_t>(ro, a + 4) != 0) continue;
    const size_t m = (n + 255) / 256;
    // kallsyms_seqs_of_names (3 bytes a symbol) sits between the markers and the
    // token table in kernels that put the offsets first (6.1's stable updates).
    for (size_t gap : {size_t{0}, align8(3 * size_t{n})}) {
      if (align8(4 * m) + gap > t->token_table) continue;
      size_t markers = t->token_table - gap - align8(4 * m);
      if (markers <= a + 8 || load<uint32_t>(ro, markers) != 0) continue;
      if (load<uint32_t>(ro, markers + 4 * (m - 1)) >= markers - (a + 8)) continue;
      size_t end = walk_names(ro, a + 8, n, markers);
      if (!end || align8(end) != markers) continue;
      t->num = n;
      t->names = a + 8;
      t->markers = markers;
      return true;
    }
  }
  return false;
}

}  // namespace

bool image_kallsyms(const std::string& elf, std::vector<ImageSymbol>* out, std::string* error) {
  ImageMap map(elf);
  std::string_view ro;
  uint64_t ro_addr = 0;
  if (!map.section(".rodata", &ro, &ro_addr)) {
    *error = "no .rodata section";
    return false;
  }
  Tables t;
  bool found_tokens = false, names = false;
  while (!names && find_tokens(ro, t.next_search, &t)) {
    found_tokens = true;
    names = find_names(ro, &t);
  }
  if (!names) {
    *error = found_tokens ? "no kallsyms names table before the token table"
                    : "no kallsyms token table in .rodata (a kernel without CONFIG_KALLSYMS?)";
    return false;
  }
  // The offsets and their base: before num_syms (6.1) or after the token index.
  auto plausible = [](uint64_t base) { return (base >> 32) == 0xffffffffULL; };
  const size_t offsets_size = align8(4 * size_t{t.num});
  size_t offsets = 0;
  uint64_t base = 0;
  size_t before = t.names - 8;
  if (before >= 8 + offsets_size && plausible(load<uint64_t>(ro, before - 8))) {
    base = load<uint64_t>(ro, before - 8);
    offsets = before - 8 - offsets_size;
  } else {
    offsets = align8(t.token_index + 512);
    base = load<uint64_t>(ro, offsets + offsets_size);
    if (!plausible(base) || offsets + offsets_size + 8 > ro.size()) {
      *error = "no kallsyms_relative_base next to the kallsyms tables";
      return false;
    }
  }
  // With absolute per-CPU symbols (x86-64 SMP up to 6.14), a non-negative offset is
  // the address itself and a negative one counts down from base - 1.
  size_t negative = 0;
  for (size_t i = 0; i < t.num; ++i) negative += load<int32_t>(ro, offsets + 4 * i) < 0;
  const bool absolute_percpu = negative > t.num / 2;
  // Everything below is bounds-checked: the image is a file that may be damaged.
  std::vector<std::string> tokens(256);
  for (int k = 0; k < 256; ++k) {
    size_t at = t.token_table + load<uint16_t>(ro, t.token_index + 2 * k);
    size_t nul = at < ro.size() ? ro.find('\0', at) : std::string_view::npos;
    if (nul == std::string_view::npos || offsets + 4 * t.num > ro.size()) {
      *error = "kallsyms token table runs past the image's data";
      return false;
    }
    tokens[k] = std::string(ro.substr(at, nul - at));
  }
  out->clear();
  out->reserve(t.num);
  size_t off = t.names;
  uint64_t last = 0;
  for (size_t i = 0; i < t.num; ++i) {
    if (off + 1 >= ro.size()) {
      *error = "kallsyms names run past the image's data";
      return false;
    }
    size_t len = static_cast<unsigned char>(ro[off]);
    if (len & 0x80) {
      len = (len & 0x7f) | (static_cast<size_t>(static_cast<unsigned char>(ro[off + 1])) << 7);
      off += 2;
    } else {
      off += 1;
    }
    if (len > ro.size() - off) {
      *error = "kallsyms names run past the image's data";
      return false;
    }
    std::string s;
    for (size_t j = 0; j < len; ++j) s += tokens[static_cast<unsigned char>(ro[off + j])];
    off += len;
    int32_t o = load<int32_t>(ro, offsets + 4 * i);
    ImageSymbol sym;
    if (absolute_percpu)
      sym.addr = o >= 0 ? static_cast<uint64_t>(o) : base - 1 - static_cast<uint64_t>(int64_t{o});
    else
      sym.addr = base + static_cast<uint32_t>(o);
    if (s.empty() || sym.addr < last) {
      *error = "kallsyms tables do not decode to sorted symbols";
      return false;
    }
    last = sym.addr;
    sym.type = s[0];
    sym.name = s.substr(1);
    out->push_back(std::move(sym));
  }
  return true;
}

namespace {

int32_t read_s32(std::string_view d) { return load<int32_t>(d, 0); }

}  // namespace

bool image_kprobe_info(const std::string& elf, const std::vector<ImageSymbol>& syms,
                       ImageKprobeInfo* out, std::string* error) {
  ImageMap map(elf);
  std::map<std::string, uint64_t, std::less<>> bound;
  std::vector<uint64_t> text;  // text symbol addresses, for function extents
  std::map<std::string_view, uint64_t> first;  // a text name's lowest address
  for (const ImageSymbol& s : syms) {
    if (s.name.starts_with("__")) bound.emplace(s.name, s.addr);
    if (s.type != 't' && s.type != 'T') continue;
    text.push_back(s.addr);
    first.emplace(s.name, s.addr);  // sorted by address: the first is the lowest
  }
  std::sort(text.begin(), text.end());
  auto b = [&](const char* n) {
    auto it = bound.find(n);
    return it == bound.end() ? uint64_t{0} : it->second;
  };
  std::vector<std::pair<uint64_t, uint64_t>> refused, reserved;
  const char* areas[][2] = {{"__kprobes_text_start", "__kprobes_text_end"},
                            {"__noinstr_text_start", "__noinstr_text_end"},
                            {"__entry_text_start", "__entry_text_end"}};
  for (auto& a : areas)
    if (b(a[0]) && b(a[1]) > b(a[0])) refused.emplace_back(b(a[0]), b(a[1]));
  // NOKPROBE_SYMBOL(f) tables f's address; the function runs to the next text symbol.
  const uint64_t bl = b("__start_kprobe_blacklist"), bl_end = b("__stop_kprobe_blacklist");
  if (!bl || bl_end < bl) {
    *error = "no _kprobe_blacklist bounds in the kallsyms table";
    return false;
  }
  std::string_view table = map.at(bl, bl_end - bl);
  if (table.size() != bl_end - bl) {
    *error = "the _kprobe_blacklist table is not in the image";
    return false;
  }
  for (size_t off = 0; off + 8 <= table.size(); off += 8) {
    uint64_t f = load<uint64_t>(table, off);
    auto next = std::upper_bound(text.begin(), text.end(), f);
    refused.emplace_back(f, next == text.end() ? f + 1 : *next);
  }
  // Jump labels (struct jump_entry: s32 code, s32 target, long key; code relative to
  // itself) and static call sites (s32 addr, s32 key): the patched instructions.
  const uint64_t jt = b("__start___jump_table"), jt_end = b("__stop___jump_table");
  std::string_view jumps = jt && jt_end > jt ? map.at(jt, jt_end - jt) : std::string_view();
  for (size_t off = 0; off + 16 <= jumps.size(); off += 16) {
    uint64_t code = jt + off + static_cast<uint64_t>(int64_t{read_s32(jumps.substr(off))});
    std::string_view insn = map.at(code, 2);
    bool short_insn = insn.size() == 2 && (static_cast<unsigned char>(insn[0]) == 0xeb ||
                                           (static_cast<unsigned char>(insn[0]) == 0x66 &&
                                            static_cast<unsigned char>(insn[1]) == 0x90));
    reserved.emplace_back(code, code + (short_insn ? 2 : 5));
  }
  const uint64_t sc = b("__start_static_call_sites"), sc_end = b("__stop_static_call_sites");
  std::string_view calls = sc && sc_end > sc ? map.at(sc, sc_end - sc) : std::string_view();
  for (size_t off = 0; off + 8 <= calls.size(); off += 8) {
    uint64_t site = sc + off + static_cast<uint64_t>(int64_t{read_s32(calls.substr(off))});
    reserved.emplace_back(site, site + 1);
  }
  std::sort(refused.begin(), refused.end());
  std::sort(reserved.begin(), reserved.end());
  auto refused_at = [&](uint64_t a) {
    const auto key = std::make_pair(a, ~uint64_t{0});
    auto r = std::upper_bound(reserved.begin(), reserved.end(), key);
    if (r != reserved.begin() && a < std::prev(r)->second) return true;
    for (auto it = std::upper_bound(refused.begin(), refused.end(), key); it != refused.begin();) {
      --it;
      if (a < it->second) return true;
    }
    return false;
  };
  std::vector<std::pair<uint64_t, uint64_t>> discarded;
  for (const char* n : {".init.text", ".exit.text"}) {
    std::string_view d;
    uint64_t a = 0;
    if (map.section(n, &d, &a)) discarded.emplace_back(a, a + d.size());
  }
  out->refused.clear();
  out->discarded.clear();
  for (const auto& [name, addr] : first) {
    bool gone = false;
    for (const auto& [lo, hi] : discarded) gone |= addr >= lo && addr < hi;
    // Indirect branch tracking moves a probe on endbr64 to the next instruction.
    bool endbr = map.at(addr, 4) == std::string_view("\xf3\x0f\x1e\xfa", 4);
    if (gone)
      out->discarded.emplace(name);
    else if (refused_at(addr) || (endbr && refused_at(addr + 4)))
      out->refused.emplace(name);
  }
  return true;
}

bool load_image_kprobe_info(const std::string& release, const std::string& cache_dir,
                            ImageKprobeInfo* out, std::string* error) {
  const std::string vmlinuz = "/boot/vmlinuz-" + release;
  std::string key;
  if (!file_key(vmlinuz, &key)) {
    *error = vmlinuz + ": " + std::strerror(errno);
    return false;
  }
  const std::string dir = cache_dir.empty() ? "" : cache_dir + "/btf";
  const std::string stem = "kprobe-refused-" + release;
  const std::string cached = dir.empty() ? "" : dir + "/" + stem + "@" + key + ".btf";
  std::string text, err;
  out->refused.clear();
  out->discarded.clear();
  static const std::string kMagic = "stap-kprobe-info 1\n";
  if (!cached.empty() && read_file(cached, &text, &err) && text.starts_with(kMagic)) {
    for (size_t p = kMagic.size(), nl; p < text.size(); p = nl + 1) {
      nl = text.find('\n', p);
      if (nl == std::string::npos) nl = text.size();
      if (nl < p + 3 || text[p + 1] != ' ') continue;
      (text[p] == 'd' ? out->discarded : out->refused).emplace(text.substr(p + 2, nl - p - 2));
    }
    return true;
  }
  std::string elf;
  std::vector<ImageSymbol> syms;
  if (!vmlinux_from_bzimage(vmlinuz, &elf, error)) return false;
  if (!image_kallsyms(elf, &syms, &err) || !image_kprobe_info(elf, syms, out, &err)) {
    *error = vmlinuz + ": " + err;
    return false;
  }
  if (!cached.empty()) {
    text = kMagic;
    for (const std::string& n : out->refused) text += "r " + n + "\n";
    for (const std::string& n : out->discarded) text += "d " + n + "\n";
    write_file_atomic(cached, text);
    drop_stale(dir, stem, cached);
  }
  return true;
}

}  // namespace stap::debuginfo
