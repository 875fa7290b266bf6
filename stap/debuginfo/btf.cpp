#include "stap/debuginfo/btf.h"

#include <fnmatch.h>

#include <algorithm>
#include <cstring>

namespace stap::debuginfo {

namespace {

constexpr uint16_t kBtfMagic = 0xeB9F;
constexpr size_t kHeaderMin = 24;  // magic, version, flags, hdr_len, 4 section fields
// Chains of pointers, typedefs and qualifiers are a few links long in real BTF; a longer
// one is malformed data, and recursing on it could exhaust the stack.
constexpr int kMaxDepth = 512;

uint32_t u32_at(const char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

BtfKind kind_of(uint32_t info) { return static_cast<BtfKind>((info >> 24) & 0x1f); }
uint32_t vlen_of(uint32_t info) { return info & 0xffff; }
bool kflag_of(uint32_t info) { return info >> 31; }

// Bytes that follow a type's 12-byte common part; -1 for an unknown kind.
long extra_size(BtfKind k, uint32_t vlen) {
  switch (k) {
    case BtfKind::Int:
    case BtfKind::Var:
    case BtfKind::DeclTag:
      return 4;
    case BtfKind::Ptr:
    case BtfKind::Fwd:
    case BtfKind::Typedef:
    case BtfKind::Volatile:
    case BtfKind::Const:
    case BtfKind::Restrict:
    case BtfKind::Func:
    case BtfKind::Float:
    case BtfKind::TypeTag:
      return 0;
    case BtfKind::Array:
      return 12;
    case BtfKind::Struct:
    case BtfKind::Union:
    case BtfKind::DataSec:
    case BtfKind::Enum64:
      return 12L * vlen;
    case BtfKind::Enum:
    case BtfKind::FuncProto:
      return 8L * vlen;
    case BtfKind::Unknown:
      break;
  }
  return -1;
}

bool is_char_name(std::string_view n) {
  return n == "char" || n == "signed char" || n == "unsigned char";
}

uint64_t size_of(const Type* t) {
  t = resolve(t);
  return t ? t->size : 0;
}

}  // namespace

std::unique_ptr<Btf> Btf::parse(std::string data, Btf* base, TypeTable* table,
                                std::string* error) {
  std::unique_ptr<Btf> b(new Btf);
  b->data_ = std::move(data);
  b->base_ = base;
  b->table_ = table;
  const std::string& d = b->data_;
  auto fail = [&](const std::string& why) {
    *error = "invalid BTF: " + why;
    return nullptr;
  };
  if (d.size() < kHeaderMin) return fail("shorter than its header");
  uint16_t magic;
  std::memcpy(&magic, d.data(), 2);
  if (magic != kBtfMagic) {
    if (magic == 0x9FeB) return fail("big-endian BTF is not supported");
    return fail("bad magic");
  }
  if (static_cast<uint8_t>(d[2]) != 1)
    return fail("version " + std::to_string(static_cast<uint8_t>(d[2])) + " is not 1");
  uint32_t hdr_len = u32_at(d.data() + 4);
  uint32_t type_off = u32_at(d.data() + 8), type_len = u32_at(d.data() + 12);
  uint32_t str_off = u32_at(d.data() + 16), str_len = u32_at(d.data() + 20);
  if (hdr_len < kHeaderMin || hdr_len > d.size()) return fail("bad header length");
  uint64_t body = d.size() - hdr_len;
  if (uint64_t{type_off} + type_len > body || uint64_t{str_off} + str_len > body)
    return fail("a section lies outside the data");
  if (type_off % 4) return fail("misaligned type section");
  if (str_len == 0 || d[hdr_len + str_off + str_len - 1] != '\0')
    return fail("string section is not NUL-terminated");
  if (!base && d[hdr_len + str_off] != '\0') return fail("string section does not start with \"\"");
  b->types_ = d.data() + hdr_len + type_off;
  b->types_len_ = type_len;
  b->strs_ = d.data() + hdr_len + str_off;
  b->strs_len_ = str_len;
  if (base) {
    b->first_id_ = base->end_id();
    b->str_base_ = base->str_base_ + static_cast<uint32_t>(base->strs_len_);
  }
  size_t off = 0;
  while (off < type_len) {
    if (type_len - off < 12) return fail("truncated type record");
    uint32_t info = u32_at(b->types_ + off + 4);
    long extra = extra_size(kind_of(info), vlen_of(info));
    if (extra < 0)
      return fail("unknown kind " + std::to_string(static_cast<int>(kind_of(info))) +
                  " at type id " + std::to_string(b->end_id()));
    if (type_len - off - 12 < static_cast<size_t>(extra)) return fail("truncated type record");
    b->offsets_.push_back(static_cast<uint32_t>(off));
    off += 12 + static_cast<size_t>(extra);
  }
  b->converted_.assign(b->offsets_.size(), nullptr);
  b->state_.assign(b->offsets_.size(), 0);
  return b;
}

const Btf* Btf::owner(uint32_t id) const {
  const Btf* b = this;
  while (b && id < b->first_id_) b = b->base_;
  if (!b || id >= b->end_id() || id == 0) return nullptr;
  return b;
}

const char* Btf::raw(uint32_t id) const {
  const Btf* b = owner(id);
  if (!b) return nullptr;
  return b->types_ + b->offsets_[id - b->first_id_];
}

std::string_view Btf::str(uint32_t off) const {
  if (off < str_base_) return base_ ? base_->str(off) : std::string_view();
  off -= str_base_;
  if (off >= strs_len_) return {};
  return std::string_view(strs_ + off);  // the section ends in a NUL, so this stops
}

BtfKind Btf::kind(uint32_t id) const {
  const char* r = raw(id);
  return r ? kind_of(u32_at(r + 4)) : BtfKind::Unknown;
}

std::string_view Btf::name(uint32_t id) const {
  const char* r = raw(id);
  if (!r) return {};
  // The record's owner resolves the offset: a module's str() also reaches the base's.
  return owner(id)->str(u32_at(r));
}

uint32_t Btf::ref(uint32_t id) const {
  const char* r = raw(id);
  return r ? u32_at(r + 8) : 0;
}

std::vector<BtfParam> Btf::params(uint32_t proto) const {
  std::vector<BtfParam> out;
  const char* r = raw(proto);
  if (!r || kind(proto) != BtfKind::FuncProto) return out;
  const Btf* o = owner(proto);
  uint32_t vlen = vlen_of(u32_at(r + 4));
  const char* p = r + 12;
  for (uint32_t i = 0; i < vlen; ++i, p += 8) {
    uint32_t name_off = u32_at(p), type = u32_at(p + 4);
    if (type == 0 && name_off == 0 && i + 1 == vlen) break;  // "..."
    out.push_back({o->str(name_off), type});
  }
  return out;
}

const Type* Btf::type(uint32_t id) {
  const Type* t = convert(id, 0);
  // Members are filled after the aggregate itself exists, so recursive types terminate
  // and the recursion stays as deep as one pointer/qualifier chain.
  while (drain_pending()) {
  }
  return t;
}

bool Btf::drain_pending() {
  bool any = false;
  for (Btf* b = this; b; b = b->base_) {
    while (!b->pending_.empty()) {
      auto [id, t] = b->pending_.back();
      b->pending_.pop_back();
      b->fill_aggregate(id, t);
      any = true;
    }
  }
  return any;
}

const Type* Btf::convert(uint32_t id, int depth) {
  if (id == 0) return nullptr;
  if (id < first_id_) return base_ ? base_->convert(id, depth) : nullptr;
  if (id >= end_id() || depth > kMaxDepth) return nullptr;
  size_t i = id - first_id_;
  if (state_[i] == 2) return converted_[i];
  if (state_[i] == 1) return nullptr;  // a cycle not through a struct: malformed
  const char* rec = types_ + offsets_[i];
  uint32_t name_off = u32_at(rec), info = u32_at(rec + 4), st = u32_at(rec + 8);
  BtfKind k = kind_of(info);
  uint32_t vlen = vlen_of(info);
  std::string_view nm = str(name_off);
  state_[i] = 1;
  const Type* out = nullptr;
  Type t;
  t.name = std::string(nm);
  switch (k) {
    case BtfKind::Int: {
      uint32_t enc = u32_at(rec + 12);
      uint32_t encoding = (enc >> 24) & 0xf;
      t.kind = TypeKind::Int;
      t.size = st;
      t.is_signed = encoding & 1;
      t.is_char = (encoding & 2) || is_char_name(nm);
      t.is_bool = (encoding & 4) || nm == "_Bool";
      out = table_->add(std::move(t));
      break;
    }
    case BtfKind::Float:
      t.kind = TypeKind::Float;
      t.size = st;
      out = table_->add(std::move(t));
      break;
    case BtfKind::Ptr:
      out = table_->pointer_to(convert(st, depth + 1));
      break;
    case BtfKind::Array: {
      uint32_t elem = u32_at(rec + 12), nelems = u32_at(rec + 20);
      t.kind = TypeKind::Array;
      t.ref = convert(elem, depth + 1);
      t.count = nelems;
      t.size = nelems * size_of(t.ref);
      out = table_->add(std::move(t));
      break;
    }
    case BtfKind::Struct:
    case BtfKind::Union: {
      t.kind = k == BtfKind::Struct ? TypeKind::Struct : TypeKind::Union;
      t.size = st;
      Type* shell = table_->add(std::move(t));
      pending_.emplace_back(id, shell);
      out = shell;
      break;
    }
    case BtfKind::Enum:
    case BtfKind::Enum64: {
      t.kind = TypeKind::Enum;
      t.size = st;
      t.is_signed = kflag_of(info);
      const char* p = rec + 12;
      for (uint32_t j = 0; j < vlen; ++j) {
        Enumerator e;
        e.name = std::string(str(u32_at(p)));
        if (k == BtfKind::Enum) {
          uint32_t v = u32_at(p + 4);
          e.value = t.is_signed ? int64_t{static_cast<int32_t>(v)} : int64_t{v};
          p += 8;
        } else {
          uint64_t v = u32_at(p + 4) | (uint64_t{u32_at(p + 8)} << 32);
          e.value = static_cast<int64_t>(v);
          p += 12;
        }
        t.enumerators.push_back(std::move(e));
      }
      out = table_->add(std::move(t));
      break;
    }
    case BtfKind::Fwd:
      t.kind = TypeKind::Fwd;
      t.is_fwd_union = kflag_of(info);
      out = table_->add(std::move(t));
      break;
    case BtfKind::Typedef:
    case BtfKind::Volatile:
    case BtfKind::Const:
    case BtfKind::Restrict:
      t.kind = k == BtfKind::Typedef    ? TypeKind::Typedef
               : k == BtfKind::Volatile ? TypeKind::Volatile
               : k == BtfKind::Const    ? TypeKind::Const
                                        : TypeKind::Restrict;
      if (k != BtfKind::Typedef) t.name.clear();
      t.ref = convert(st, depth + 1);
      out = table_->add(std::move(t));
      break;
    case BtfKind::TypeTag:  // __user, __rcu and friends: not part of the C type
      out = convert(st, depth + 1);
      break;
    case BtfKind::Func:  // a function "is" its prototype here
      out = convert(st, depth + 1);
      break;
    case BtfKind::FuncProto: {
      t.kind = TypeKind::FuncProto;
      t.name.clear();
      t.ref = convert(st, depth + 1);
      const char* p = rec + 12;
      for (uint32_t j = 0; j < vlen; ++j, p += 8) {
        uint32_t pn = u32_at(p), pt = u32_at(p + 4);
        if (pt == 0 && pn == 0 && j + 1 == vlen) {
          t.variadic = true;
          break;
        }
        t.params.push_back({std::string(str(pn)), convert(pt, depth + 1)});
      }
      out = table_->add(std::move(t));
      break;
    }
    case BtfKind::Var:
    case BtfKind::DataSec:
    case BtfKind::DeclTag:
    case BtfKind::Unknown:
      out = nullptr;  // not types a C expression can have
      break;
  }
  converted_[i] = out;
  state_[i] = 2;
  return out;
}

void Btf::fill_aggregate(uint32_t id, Type* t) {
  const char* rec = types_ + offsets_[id - first_id_];
  uint32_t info = u32_at(rec + 4);
  bool kflag = kflag_of(info);
  uint32_t vlen = vlen_of(info);
  const char* p = rec + 12;
  t->members.reserve(vlen);
  for (uint32_t j = 0; j < vlen; ++j, p += 12) {
    uint32_t mname = u32_at(p), mtype = u32_at(p + 4), moff = u32_at(p + 8);
    Member m;
    m.name = std::string(str(mname));
    m.type = convert(mtype, 0);
    if (kflag) {
      m.bit_offset = moff & 0xffffff;
      m.bit_size = moff >> 24;
    } else {
      m.bit_offset = moff;
      // Older BTF says a member is a bit field in its INT type's encoding instead.
      if (kind(mtype) == BtfKind::Int) {
        const char* ir = raw(mtype);
        uint32_t enc = u32_at(ir + 12), isize = u32_at(ir + 8);
        uint32_t nbits = enc & 0xff, ioff = (enc >> 16) & 0xff;
        if (ioff || nbits != isize * 8) {
          m.bit_offset += ioff;
          m.bit_size = nbits;
        }
      }
    }
    t->members.push_back(std::move(m));
  }
}

void Btf::build_name_index() {
  if (indexed_) return;
  indexed_ = true;
  for (uint32_t id = first_id_; id < end_id(); ++id) {
    const char* rec = types_ + offsets_[id - first_id_];
    uint32_t info = u32_at(rec + 4);
    std::string_view nm = str(u32_at(rec));
    if (nm.empty()) continue;
    switch (kind_of(info)) {
      case BtfKind::Int:
      case BtfKind::Float:
      case BtfKind::Typedef:
        plain_.try_emplace(nm, id);
        break;
      case BtfKind::Struct:
        structs_.try_emplace(nm, id);
        break;
      case BtfKind::Union:
        unions_.try_emplace(nm, id);
        break;
      case BtfKind::Enum:
      case BtfKind::Enum64:
        enums_.try_emplace(nm, id);
        break;
      default:
        break;
    }
  }
  // Forward declarations only where nothing defines the name.
  for (uint32_t id = first_id_; id < end_id(); ++id) {
    const char* rec = types_ + offsets_[id - first_id_];
    uint32_t info = u32_at(rec + 4);
    if (kind_of(info) != BtfKind::Fwd) continue;
    std::string_view nm = str(u32_at(rec));
    if (!nm.empty()) (kflag_of(info) ? unions_ : structs_).try_emplace(nm, id);
  }
}

uint32_t Btf::find(std::string_view key) {
  uint32_t from_base = base_ ? base_->find(key) : 0;
  if (from_base && kind(from_base) != BtfKind::Fwd) return from_base;
  build_name_index();
  const std::unordered_map<std::string_view, uint32_t>* map = &plain_;
  std::string_view nm = key;
  for (auto [prefix, m] : {std::pair{std::string_view("struct "), &structs_},
                           std::pair{std::string_view("union "), &unions_},
                           std::pair{std::string_view("enum "), &enums_}}) {
    if (key.starts_with(prefix)) {
      map = m;
      nm = key.substr(prefix.size());
      break;
    }
  }
  auto it = map->find(nm);
  if (it == map->end()) return from_base;
  if (from_base && kind(it->second) == BtfKind::Fwd) return from_base;
  return it->second;
}

const Type* Btf::find_type(const std::string& spelling) {
  std::string key;
  int stars = 0;
  if (!parse_type_spelling(spelling, &key, &stars)) return nullptr;
  const Type* t;
  if (key == "void") {
    t = table_->void_type();
  } else {
    uint32_t id = find(key);
    if (!id) return nullptr;
    t = type(id);
    if (!t) return nullptr;
  }
  for (int i = 0; i < stars; ++i) t = table_->pointer_to(t);
  return t;
}

// Every named FUNC record, in type-id order.
template <typename F>
void Btf::each_func(F f) const {
  for (uint32_t id = first_id_; id < end_id(); ++id) {
    const char* rec = types_ + offsets_[id - first_id_];
    uint32_t info = u32_at(rec + 4);
    if (kind_of(info) != BtfKind::Func) continue;
    std::string_view nm = str(u32_at(rec));
    if (nm.empty()) continue;
    f(BtfFunc{nm, id, u32_at(rec + 8), static_cast<BtfLinkage>(vlen_of(info) & 3)});
  }
}

const std::vector<BtfFunc>& Btf::funcs() {
  if (funcs_done_) return funcs_;
  funcs_done_ = true;
  each_func([this](const BtfFunc& f) { funcs_.push_back(f); });
  std::stable_sort(funcs_.begin(), funcs_.end(),
                   [](const BtfFunc& a, const BtfFunc& b) { return a.name < b.name; });
  funcs_.erase(std::unique(funcs_.begin(), funcs_.end(),
                           [](const BtfFunc& a, const BtfFunc& b) { return a.name == b.name; }),
               funcs_.end());
  return funcs_;
}

std::vector<BtfFunc> Btf::funcs_matching(const std::string& glob) {
  std::string_view prefix(glob.data(), std::min(glob.size(), glob.find_first_of("*?[\\")));
  if (prefix.size() == glob.size()) {
    if (!func_names_done_) {
      func_names_done_ = true;
      each_func([this](const BtfFunc& f) { func_names_.try_emplace(f.name, f); });
    }
    auto it = func_names_.find(prefix);
    if (it == func_names_.end()) return {};
    return {it->second};
  }
  const auto& all = funcs();
  auto it = std::lower_bound(all.begin(), all.end(), prefix,
                             [](const BtfFunc& f, std::string_view p) { return f.name < p; });
  std::vector<BtfFunc> out;
  for (; it != all.end() && it->name.starts_with(prefix); ++it)
    if (fnmatch(glob.c_str(), it->name.data(), 0) == 0) out.push_back(*it);
  return out;
}

const std::vector<BtfTracepoint>& Btf::tracepoints() {
  if (tps_done_) return tps_;
  tps_done_ = true;
  constexpr std::string_view kPrefix = "btf_trace_";
  for (uint32_t id = first_id_; id < end_id(); ++id) {
    const char* rec = types_ + offsets_[id - first_id_];
    if (kind_of(u32_at(rec + 4)) != BtfKind::Typedef) continue;
    std::string_view nm = str(u32_at(rec));
    if (!nm.starts_with(kPrefix) || nm.size() == kPrefix.size()) continue;
    uint32_t ptr = u32_at(rec + 8);
    if (kind(ptr) != BtfKind::Ptr || kind(ref(ptr)) != BtfKind::FuncProto) continue;
    tps_.push_back({nm.substr(kPrefix.size()), ref(ptr)});
  }
  std::sort(tps_.begin(), tps_.end(),
            [](const BtfTracepoint& a, const BtfTracepoint& b) { return a.name < b.name; });
  return tps_;
}

}  // namespace stap::debuginfo
