// A reader of the kernel's raw BTF (include/uapi/linux/btf.h: a header, a type section,
// a string section), as /sys/kernel/btf/vmlinux and the .BTF ELF sections hold it.
//
// Parsing only indexes where each type record starts; model types (types.h) are made on
// first use, so a lookup of one function costs what its prototype reaches, not the
// ~100k types of a whole kernel. Module BTF is "split": its type ids and string offsets
// continue those of vmlinux's BTF, which is passed as the base.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "stap/debuginfo/types.h"

namespace stap::debuginfo {

// BTF_KIND_* values.
enum class BtfKind : uint8_t {
  Unknown = 0,
  Int = 1,
  Ptr = 2,
  Array = 3,
  Struct = 4,
  Union = 5,
  Enum = 6,
  Fwd = 7,
  Typedef = 8,
  Volatile = 9,
  Const = 10,
  Restrict = 11,
  Func = 12,
  FuncProto = 13,
  Var = 14,
  DataSec = 15,
  Float = 16,
  DeclTag = 17,
  TypeTag = 18,
  Enum64 = 19,
};

// BTF_FUNC_STATIC / GLOBAL / EXTERN.
enum class BtfLinkage : uint8_t { Static = 0, Global = 1, Extern = 2 };

struct BtfFunc {
  std::string_view name;
  uint32_t id = 0;     // the FUNC
  uint32_t proto = 0;  // its FUNC_PROTO
  BtfLinkage linkage = BtfLinkage::Static;
};

struct BtfParam {
  std::string_view name;  // empty for unnamed (function-pointer and tracepoint protos)
  uint32_t type = 0;      // 0: void
};

// A `btf_trace_<name>` typedef: the tracepoint's probe prototype.
struct BtfTracepoint {
  std::string_view name;  // without the btf_trace_ prefix
  uint32_t proto = 0;     // FUNC_PROTO whose first param is the probe's void* data
};

class Btf {
 public:
  // Checks and indexes `data`. `base` is vmlinux's BTF when `data` is a module's split
  // BTF (else null); it must outlive this object. Converted types go into `table`, which
  // base and modules share. Null with *error set when the data is not valid BTF.
  static std::unique_ptr<Btf> parse(std::string data, Btf* base, TypeTable* table,
                                    std::string* error);

  Btf(const Btf&) = delete;
  Btf& operator=(const Btf&) = delete;

  uint32_t first_id() const { return first_id_; }  // 1, or the base's end_id()
  uint32_t end_id() const { return first_id_ + static_cast<uint32_t>(offsets_.size()); }
  const Btf* base() const { return base_; }

  // Raw access by type id (of this BTF or its base); Unknown/empty/0 for a bad id.
  BtfKind kind(uint32_t id) const;
  std::string_view name(uint32_t id) const;
  uint32_t ref(uint32_t id) const;  // the `type` field of PTR, TYPEDEF, cv, FUNC, ...
  std::vector<BtfParam> params(uint32_t proto) const;  // FUNC_PROTO's params, variadic dropped

  // The model type of id (0: null, which is void), made on first use.
  const Type* type(uint32_t id);

  // The id of a named type by the key parse_type_spelling() gives ("struct task_struct",
  // "long unsigned int", "pid_t"), definitions before Fwds, the base first; 0 if none.
  uint32_t find(std::string_view key);
  // find() then type(), with the spelling's trailing '*'s applied. Null when unknown.
  const Type* find_type(const std::string& spelling);

  // This BTF's FUNC entries (not the base's), sorted by name, one per name.
  const std::vector<BtfFunc>& funcs();
  // FUNCs whose names match the glob (fnmatch), found by the glob's literal prefix.
  std::vector<BtfFunc> funcs_matching(const std::string& glob);
  // This BTF's btf_trace_* typedefs that point to a FUNC_PROTO, sorted by name.
  const std::vector<BtfTracepoint>& tracepoints();

 private:
  Btf() = default;
  // A type record: name_off, info, size_or_type, then the kind's extra data. Null for a
  // bad id.
  const char* raw(uint32_t id) const;
  const Btf* owner(uint32_t id) const;
  std::string_view str(uint32_t off) const;
  const Type* convert(uint32_t id, int depth);
  void fill_aggregate(uint32_t id, Type* t);
  bool drain_pending();
  void build_name_index();

  std::string data_;
  Btf* base_ = nullptr;
  TypeTable* table_ = nullptr;
  const char* types_ = nullptr;
  size_t types_len_ = 0;
  const char* strs_ = nullptr;
  size_t strs_len_ = 0;
  uint32_t str_base_ = 0;  // string offsets below this are the base's
  uint32_t first_id_ = 1;
  std::vector<uint32_t> offsets_;         // id - first_id_ -> record offset in types_
  std::vector<const Type*> converted_;    // id - first_id_ -> model type (or null)
  std::vector<uint8_t> state_;            // 0 not yet, 1 converting, 2 done
  std::vector<std::pair<uint32_t, Type*>> pending_;  // structs/unions to fill members of
  bool indexed_ = false;
  // Named types by kind class, views into data_.
  std::unordered_map<std::string_view, uint32_t> plain_, structs_, unions_, enums_;
  template <typename F>
  void each_func(F f) const;
  bool funcs_done_ = false;
  std::vector<BtfFunc> funcs_;
  // By name, the first definition of each (as funcs_ keeps): a literal name is looked up
  // here without sorting every function name first.
  bool func_names_done_ = false;
  std::unordered_map<std::string_view, BtfFunc> func_names_;
  bool tps_done_ = false;
  std::vector<BtfTracepoint> tps_;
};

}  // namespace stap::debuginfo
