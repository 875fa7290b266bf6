#include "stap/debuginfo/line_files.h"

#include <dwarf.h>

#include <cstring>

namespace stap::debuginfo {
namespace {

// A bounds-checked cursor over one section; every read fails once it would pass `end`.
class Cursor {
 public:
  Cursor(std::span<const unsigned char> data, size_t pos, size_t end)
      : data_(data), pos_(pos), end_(end < data.size() ? end : data.size()) {
    if (pos_ > end_) {  // a start past the end (or an end that wrapped): nothing to read
      pos_ = end_;
      ok_ = false;
    }
  }

  bool ok() const { return ok_; }
  size_t pos() const { return pos_; }

  uint64_t fixed(unsigned bytes) {
    if (!ok_ || end_ - pos_ < bytes) return fail();
    uint64_t v = 0;
    for (unsigned i = 0; i < bytes; i++) v |= uint64_t{data_[pos_ + i]} << (8 * i);  // x86-64: little-endian
    pos_ += bytes;
    return v;
  }

  uint64_t uleb() {
    uint64_t v = 0;
    for (unsigned shift = 0; ok_ && pos_ < end_; shift += 7) {
      unsigned char b = data_[pos_++];
      if (shift < 64) v |= uint64_t{b & 0x7fu} << shift;
      if (!(b & 0x80)) return v;
    }
    return fail();
  }

  // A NUL-terminated string in place.
  std::string_view cstr() {
    if (!ok_) return {};
    const void* nul = std::memchr(data_.data() + pos_, 0, end_ - pos_);
    if (!nul) {
      fail();
      return {};
    }
    size_t len = static_cast<const unsigned char*>(nul) - (data_.data() + pos_);
    std::string_view s(reinterpret_cast<const char*>(data_.data() + pos_), len);
    pos_ += len + 1;
    return s;
  }

  void skip(uint64_t bytes) {
    if (!ok_ || end_ - pos_ < bytes) {
      fail();
      return;
    }
    pos_ += bytes;
  }

 private:
  uint64_t fail() {
    ok_ = false;
    return 0;
  }
  std::span<const unsigned char> data_;
  size_t pos_, end_;
  bool ok_ = true;
};

// A string at `off` in a string section, or nullopt-like failure.
bool string_at(std::span<const unsigned char> sec, uint64_t off, std::string_view* out) {
  if (off >= sec.size()) return false;
  const void* nul = std::memchr(sec.data() + off, 0, sec.size() - off);
  if (!nul) return false;
  *out = std::string_view(reinterpret_cast<const char*>(sec.data() + off),
                          static_cast<const unsigned char*>(nul) - (sec.data() + off));
  return true;
}

struct Field {
  uint64_t content;
  uint64_t form;
};

// Reads one attribute value of a version-5 entry: a string for DW_LNCT_path, a number for
// DW_LNCT_directory_index; anything else is skipped.
bool read_value(Cursor& c, const LineSections& sec, uint64_t form, unsigned offset_size,
                std::string_view* str, uint64_t* num) {
  switch (form) {
    case DW_FORM_string: *str = c.cstr(); break;
    case DW_FORM_line_strp:
      if (!string_at(sec.line_str, c.fixed(offset_size), str)) return false;
      break;
    case DW_FORM_strp:
      if (!string_at(sec.str, c.fixed(offset_size), str)) return false;
      break;
    case DW_FORM_udata: *num = c.uleb(); break;
    case DW_FORM_data1: *num = c.fixed(1); break;
    case DW_FORM_data2: *num = c.fixed(2); break;
    case DW_FORM_data4: *num = c.fixed(4); break;
    case DW_FORM_data8: *num = c.fixed(8); break;
    case DW_FORM_data16: c.skip(16); break;
    case DW_FORM_block: c.skip(c.uleb()); break;
    default: return false;  // strx and the like need .debug_str_offsets: not in line tables here
  }
  return c.ok();
}

// Reads a version-5 entry-format list and its entries: each entry's path and directory
// index.
bool read_v5_table(Cursor& c, const LineSections& sec, unsigned offset_size,
                   std::vector<std::pair<std::string_view, uint64_t>>* out) {
  unsigned nformat = static_cast<unsigned>(c.fixed(1));
  std::vector<Field> format(nformat);
  for (auto& f : format) {
    f.content = c.uleb();
    f.form = c.uleb();
  }
  uint64_t count = c.uleb();
  if (!c.ok()) return false;
  for (uint64_t i = 0; i < count; i++) {
    std::string_view path;
    uint64_t dir = 0;
    for (const auto& f : format) {
      std::string_view s;
      uint64_t n = 0;
      if (!read_value(c, sec, f.form, offset_size, &s, &n)) return false;
      if (f.content == DW_LNCT_path) path = s;
      if (f.content == DW_LNCT_directory_index) dir = n;
    }
    out->emplace_back(path, dir);
  }
  return c.ok();
}

struct Dir {
  std::string_view name;
  bool present;
};

std::string join(const std::vector<Dir>& dirs, std::string_view name, uint64_t dir) {
  if (!name.empty() && name[0] == '/') return std::string(name);
  std::string out;
  if (dirs[dir].present) {
    out.reserve(dirs[dir].name.size() + 1 + name.size());
    out.append(dirs[dir].name);
    out.push_back('/');
  }
  out.append(name);
  return out;
}

}  // namespace

bool read_line_files(const LineSections& sec, uint64_t offset, std::string_view comp_dir,
                     bool have_comp_dir, std::vector<std::string>* files) {
  files->clear();
  Cursor c(sec.line, offset, sec.line.size());
  unsigned offset_size = 4;
  uint64_t length = c.fixed(4);
  if (length == 0xffffffffu) {
    offset_size = 8;
    length = c.fixed(8);
  }
  if (!c.ok() || offset >= sec.line.size() || length > sec.line.size() - c.pos()) return false;
  Cursor h(sec.line, c.pos(), c.pos() + length);
  unsigned version = static_cast<unsigned>(h.fixed(2));
  if (version < 2 || version > 5) return false;
  if (version >= 5) h.skip(2);  // address_size, segment_selector_size
  uint64_t header_length = h.fixed(offset_size);
  if (!h.ok()) return false;
  Cursor t(sec.line, h.pos(), h.pos() + header_length);
  t.skip(version >= 4 ? 5 : 4);  // instruction lengths, is_stmt, line base and range
  unsigned opcode_base = static_cast<unsigned>(t.fixed(1));
  t.skip(opcode_base > 0 ? opcode_base - 1 : 0);
  if (!t.ok()) return false;

  std::vector<Dir> dirs;
  if (version < 5) {
    dirs.push_back({comp_dir, have_comp_dir});
    for (;;) {
      std::string_view d = t.cstr();
      if (!t.ok()) return false;
      if (d.empty()) break;
      dirs.push_back({d, true});
    }
    files->push_back("???");
    for (;;) {
      std::string_view name = t.cstr();
      if (!t.ok()) return false;
      if (name.empty()) break;
      uint64_t dir = t.uleb();
      t.uleb();  // modification time
      t.uleb();  // length
      if (!t.ok() || dir >= dirs.size()) return false;
      files->push_back(join(dirs, name, dir));
    }
    return true;
  }

  std::vector<std::pair<std::string_view, uint64_t>> dir_entries, file_entries;
  if (!read_v5_table(t, sec, offset_size, &dir_entries)) return false;
  for (const auto& d : dir_entries) dirs.push_back({d.first, true});
  if (!read_v5_table(t, sec, offset_size, &file_entries)) return false;
  for (const auto& f : file_entries) {
    if (f.second >= dirs.size()) return false;
    files->push_back(join(dirs, f.first, f.second));
  }
  return true;
}

}  // namespace stap::debuginfo
