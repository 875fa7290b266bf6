#include "stap/debuginfo/types.h"

#include <cctype>

namespace stap::debuginfo {

namespace {

// The lookup key of a named type: tags get their keyword so "struct x" and a typedef x
// can both exist, as in C.
std::string key_of(const Type& t) {
  switch (t.kind) {
    case TypeKind::Struct:
      return "struct " + t.name;
    case TypeKind::Union:
      return "union " + t.name;
    case TypeKind::Enum:
      return "enum " + t.name;
    case TypeKind::Fwd:
      return (t.is_fwd_union ? "union " : "struct ") + t.name;
    default:
      return t.name;
  }
}

bool is_alias(TypeKind k) {
  return k == TypeKind::Typedef || k == TypeKind::Const || k == TypeKind::Volatile ||
         k == TypeKind::Restrict;
}

// C lets the integer types be spelled several ways; compilers (and so DWARF and BTF) use
// one. Keyed by the words sorted, so "long unsigned" and "unsigned long" agree.
std::string canonical_int(std::vector<std::string> words) {
  int longs = 0, shorts = 0;
  bool is_unsigned = false, is_signed = false, has_int = false, has_char = false;
  for (const auto& w : words) {
    if (w == "long") ++longs;
    else if (w == "short") ++shorts;
    else if (w == "unsigned") is_unsigned = true;
    else if (w == "signed") is_signed = true;
    else if (w == "int") has_int = true;
    else if (w == "char") has_char = true;
    else return {};
  }
  if (has_char) {
    if (longs || shorts || has_int) return {};
    return is_unsigned ? "unsigned char" : is_signed ? "signed char" : "char";
  }
  if (longs > 2 || (longs && shorts) || (is_signed && is_unsigned)) return {};
  (void)has_int;
  std::string base = shorts ? "short " : longs == 2 ? "long long " : longs ? "long " : "";
  if (is_unsigned) return base + "unsigned int";
  return base + "int";
}

}  // namespace

Type* TypeTable::add(Type t) {
  types_.push_back(std::move(t));
  Type* added = &types_.back();
  if (added->name.empty()) return added;
  switch (added->kind) {
    case TypeKind::Struct:
    case TypeKind::Union:
    case TypeKind::Enum:
    case TypeKind::Int:
    case TypeKind::Float:
    case TypeKind::Typedef: {
      std::string key = key_of(*added);
      auto it = by_name_.find(key);
      if (it == by_name_.end()) {
        by_name_.emplace(key, added);
      } else if (it->second->kind == TypeKind::Fwd) {
        it->second = added;
      }
      if (added->kind == TypeKind::Struct || added->kind == TypeKind::Union) {
        auto range = pending_fwds_.equal_range(key);
        for (auto f = range.first; f != range.second; ++f) f->second->definition = added;
        pending_fwds_.erase(range.first, range.second);
      }
      break;
    }
    case TypeKind::Fwd: {
      std::string key = key_of(*added);
      auto it = by_name_.find(key);
      if (it == by_name_.end()) {
        by_name_.emplace(key, added);
        pending_fwds_.emplace(key, added);
      } else if (it->second->kind == TypeKind::Fwd) {
        pending_fwds_.emplace(key, added);
      } else {
        added->definition = it->second;
      }
      break;
    }
    default:
      break;
  }
  return added;
}

const Type* TypeTable::void_type() const {
  if (!void_) {
    types_.push_back(Type{});
    void_ = &types_.back();
  }
  return void_;
}

const Type* TypeTable::pointer_to(const Type* t) const {
  if (!t) t = void_type();
  auto it = pointers_.find(t);
  if (it != pointers_.end()) return it->second;
  Type p;
  p.kind = TypeKind::Pointer;
  p.size = 8;
  p.ref = t;
  types_.push_back(std::move(p));
  const Type* made = &types_.back();
  pointers_.emplace(t, made);
  return made;
}

bool parse_type_spelling(const std::string& spelling, std::string* key, int* stars) {
  // Words, and the '*'s that must all come at the end.
  std::vector<std::string> words;
  int n = 0;
  size_t i = 0;
  while (i < spelling.size()) {
    char c = spelling[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '*') {
      ++n;
      ++i;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
      if (n) return false;  // "struct x * y"
      size_t j = i;
      while (j < spelling.size() &&
             (std::isalnum(static_cast<unsigned char>(spelling[j])) || spelling[j] == '_'))
        ++j;
      words.push_back(spelling.substr(i, j - i));
      i = j;
    } else {
      return false;
    }
  }
  if (words.empty()) return false;
  const std::string& first = words[0];
  if (first == "struct" || first == "union" || first == "enum") {
    if (words.size() != 2) return false;
    *key = first + " " + words[1];
  } else if (words.size() == 1 && (first == "void" || first == "_Bool" || first == "float" ||
                                   first == "double")) {
    *key = first;
  } else {
    std::string canon = canonical_int(words);
    if (!canon.empty()) {
      *key = canon;
    } else if (words.size() == 1) {
      *key = first;  // a typedef name
    } else {
      return false;
    }
  }
  *stars = n;
  return true;
}

const Type* TypeTable::find(const std::string& spelling) const {
  std::string key;
  int stars = 0;
  if (!parse_type_spelling(spelling, &key, &stars)) return nullptr;
  const Type* t = nullptr;
  if (key == "void") {
    t = void_type();
  } else {
    auto it = by_name_.find(key);
    if (it == by_name_.end()) return nullptr;
    t = it->second;
  }
  for (int i = 0; i < stars; ++i) t = pointer_to(t);
  return t;
}

const Type* resolve(const Type* t) {
  while (t) {
    if (is_alias(t->kind)) {
      t = t->ref;
    } else if (t->kind == TypeKind::Fwd && t->definition) {
      t = t->definition;
    } else {
      break;
    }
  }
  return t;
}

bool find_member(const Type* aggregate, const std::string& name, Member* out) {
  const Type* t = resolve(aggregate);
  if (!t || (t->kind != TypeKind::Struct && t->kind != TypeKind::Union)) return false;
  for (const Member& m : t->members) {
    if (!m.name.empty()) {
      if (m.name == name) {
        *out = m;
        return true;
      }
      continue;
    }
    Member inner;
    if (find_member(m.type, name, &inner)) {
      inner.bit_offset += m.bit_offset;
      *out = inner;
      return true;
    }
  }
  return false;
}

namespace {

std::string proto_params(const Type* proto) {
  std::string s = "(";
  for (size_t i = 0; i < proto->params.size(); ++i) {
    if (i) s += ", ";
    s += type_name(proto->params[i].type);
  }
  if (proto->variadic) s += proto->params.empty() ? "..." : ", ...";
  // The kernel's C is all prototyped: no parameters is (void), as upstream prints it.
  else if (proto->params.empty()) s += "void";
  return s + ")";
}

}  // namespace

std::string type_name(const Type* t) {
  if (!t) return "void";
  switch (t->kind) {
    case TypeKind::Void:
      return "void";
    case TypeKind::Int:
    case TypeKind::Float:
    case TypeKind::Typedef:
      return t->name;
    case TypeKind::Enum:
      return t->name.empty() ? "enum {...}" : "enum " + t->name;
    case TypeKind::Struct:
      return t->name.empty() ? "struct {...}" : "struct " + t->name;
    case TypeKind::Union:
      return t->name.empty() ? "union {...}" : "union " + t->name;
    case TypeKind::Fwd:
      return (t->is_fwd_union ? "union " : "struct ") + t->name;
    case TypeKind::Pointer:
      // A function pointer reads "int (*) (void*)", as upstream prints it.
      if (t->ref && t->ref->kind == TypeKind::FuncProto)
        return type_name(t->ref->ref) + " (*) " + proto_params(t->ref);
      // A va_list parameter arrives as a pointer to the array's element: upstream, as
      // the source, calls it va_list.
      if (t->ref && t->ref->kind == TypeKind::Struct && t->ref->name == "__va_list_tag")
        return "va_list";
      return type_name(t->ref) + "*";
    case TypeKind::Array:
      return type_name(t->ref) + "[]";
    case TypeKind::Const:
      return type_name(t->ref) + " const";
    case TypeKind::Volatile:
      return type_name(t->ref) + " volatile";
    case TypeKind::Restrict:
      return type_name(t->ref) + " restrict";
    case TypeKind::FuncProto:
      return type_name(t->ref) + " " + proto_params(t);
  }
  return "void";
}

}  // namespace stap::debuginfo
