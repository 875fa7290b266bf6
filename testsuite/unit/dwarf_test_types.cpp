// TEMPORARY: the least of TypeTable that dwarf_test needs to link until the BTF branch's
// stap/debuginfo/types.cpp is merged. Delete this file (and its Makefile.am line) then.
#include "stap/debuginfo/types.h"

namespace stap::debuginfo {

Type* TypeTable::add(Type t) {
  types_.push_back(std::move(t));
  Type* added = &types_.back();
  if (added->name.empty()) return added;
  std::string key = added->name;
  if (added->kind == TypeKind::Struct) key = "struct " + key;
  if (added->kind == TypeKind::Union) key = "union " + key;
  if (added->kind == TypeKind::Enum) key = "enum " + key;
  by_name_.emplace(key, added);
  return added;
}

const Type* TypeTable::pointer_to(const Type* t) {
  auto it = pointers_.find(t);
  if (it != pointers_.end()) return it->second;
  Type p;
  p.kind = TypeKind::Pointer;
  p.size = 8;
  p.ref = t;
  types_.push_back(std::move(p));
  pointers_.emplace(t, &types_.back());
  return &types_.back();
}

const Type* resolve(const Type* t) {
  while (t && (t->kind == TypeKind::Typedef || t->kind == TypeKind::Const ||
               t->kind == TypeKind::Volatile || t->kind == TypeKind::Restrict))
    t = t->ref;
  return t;
}

bool find_member(const Type* aggregate, const std::string& name, Member* out) {
  const Type* t = resolve(aggregate);
  if (!t || (t->kind != TypeKind::Struct && t->kind != TypeKind::Union)) return false;
  for (const Member& m : t->members) {
    if (m.name == name) {
      *out = m;
      return true;
    }
    Member inner;
    if (m.name.empty() && find_member(m.type, name, &inner)) {
      inner.bit_offset += m.bit_offset;
      *out = inner;
      return true;
    }
  }
  return false;
}

}  // namespace stap::debuginfo
