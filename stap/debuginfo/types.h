// The C type model that target variables, @cast and -L listings work on. BTF and DWARF
// readers both fill it, so pass 2 and pass 3 do not care where a type came from.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

namespace stap::debuginfo {

enum class TypeKind {
  Void,
  Int,       // integers, _Bool and char; size and is_signed say which
  Float,
  Enum,
  Pointer,
  Array,
  Struct,
  Union,
  Typedef,
  Const,
  Volatile,
  Restrict,
  FuncProto,  // what a function pointer points to
  Fwd,        // a struct/union known only by name
};

struct Type;

struct Member {
  std::string name;  // empty for an anonymous struct/union, whose members are searched too
  const Type* type = nullptr;
  uint64_t bit_offset = 0;  // from the start of the enclosing struct
  uint32_t bit_size = 0;    // nonzero only for bit fields
};

struct Enumerator {
  std::string name;
  int64_t value = 0;
};

struct Param {
  std::string name;  // may be empty (BTF function-pointer prototypes have none)
  const Type* type = nullptr;
};

struct Type {
  TypeKind kind = TypeKind::Void;
  std::string name;  // tag or typedef or base name; empty when anonymous
  uint64_t size = 0; // bytes: Int, Float, Enum, Pointer (8), Struct, Union, Array (total)
  bool is_signed = false;  // Int, Enum
  bool is_char = false;    // Int spelled char/signed char/unsigned char (strings)
  bool is_bool = false;    // _Bool
  const Type* ref = nullptr;  // Pointer/Array/Typedef/cv target; FuncProto return (null = void)
  uint64_t count = 0;         // Array elements; 0 when unknown or flexible
  bool is_fwd_union = false;  // Fwd: union rather than struct
  // Fwd: the full struct/union of the same name once the table has one; resolve()
  // follows it. Set by TypeTable::add, so a reader may fill the definition's members
  // after adding it (recursive types).
  const Type* definition = nullptr;
  std::vector<Member> members;
  std::vector<Enumerator> enumerators;
  std::vector<Param> params;  // FuncProto
  bool variadic = false;      // FuncProto
};

// Owns types; readers append, lookups find named ones. Pointers stay valid (deque).
class TypeTable {
 public:
  Type* add(Type t);
  // "struct foo", "union foo", "enum foo", a typedef or base name ("pid_t", "long int"),
  // each optionally followed by '*'s: "struct task_struct *". Fwd declarations are
  // replaced by the full definition when one exists. Null when unknown.
  const Type* find(const std::string& spelling) const;
  // A pointer to t, made on demand and kept. Null t: void.
  const Type* pointer_to(const Type* t) const;
  // The one void type (what find("void") returns).
  const Type* void_type() const;
  size_t size() const { return types_.size(); }

 private:
  // Pointer and void types made on demand by the const lookups are a cache of the
  // table's contents, hence mutable.
  mutable std::deque<Type> types_;
  std::map<std::string, const Type*> by_name_;  // "struct x", "union x", "enum x", "x"
  std::multimap<std::string, Type*> pending_fwds_;  // "struct x" Fwds with no definition yet
  mutable std::map<const Type*, const Type*> pointers_;
  mutable const Type* void_ = nullptr;
};

// The key find() looks a spelling's base up by ("struct x", "long unsigned int"), and
// how many '*' follow it; false when the spelling is malformed. C's other spellings of
// the integer types ("unsigned long") become the compilers' ("long unsigned int").
bool parse_type_spelling(const std::string& spelling, std::string* key, int* stars);

// Strips typedefs and cv-qualifiers (and type tags), and turns a Fwd into its definition
// when the table has one.
const Type* resolve(const Type* t);
// Member lookup through anonymous structs/unions; adds their offsets. False if absent.
bool find_member(const Type* aggregate, const std::string& name, Member* out);
// The type as upstream's -L listing spells it: "struct task_struct*", "long int",
// "char const*", "unsigned int", "size_t".
std::string type_name(const Type* t);

}  // namespace stap::debuginfo
