// The probe-family registry: which concrete probe points exist, as a tree of components
// (upstream's match_node). Each family registers its patterns and a validator.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "stap/parse/ast.h"

namespace stap {

namespace debuginfo {
class KernelInfo;
}
struct KernelProbe;  // stap/probes/kernel_probe.h

enum class ArgKind { None, Number, String };

// One registered pattern component: "timer", "s"(number) ...
struct PatternComponent {
  std::string functor;
  ArgKind arg = ArgKind::None;
};

// A concrete match of a user probe point against a family pattern.
struct FamilyMatch {
  std::string family;                          // "begin", "timer", ...
  std::vector<ProbePointComponent> components; // concrete (wildcards resolved)
  std::map<std::string, Literal*> args;        // functor -> argument
  const struct ProbeFamilyPattern* pattern = nullptr;
  std::string name;  // the derived probe's name when the family spells it (expansions)
  std::string listed_name;  // -l/-L's name when it differs from `name` (.label)
  std::shared_ptr<const KernelProbe> kernel;  // kernel.function/trace/kprobe targets
};

// Checks a match's arguments; returns an error message (no token) or empty.
using FamilyValidator = std::function<std::string(const FamilyMatch&)>;

// Spells a match the way -p2 lists it, when that differs from the components as written.
using FamilyNamer = std::function<std::string(const FamilyMatch&)>;

// Turns one match into the concrete probes it stands for (a wildcard over kernel
// functions); none, with *error set, when nothing matches.
using FamilyExpander =
    std::function<std::vector<FamilyMatch>(const FamilyMatch&, std::string* error)>;

struct ProbeFamilyPattern {
  std::string family;
  std::vector<PatternComponent> pattern;
  FamilyValidator validate;
  bool unprivileged_ok = false;
  FamilyNamer namer = nullptr;
  FamilyExpander expand = nullptr;
  bool guru_only = false;
};

class ProbeRegistry {
 public:
  ProbeRegistry();
  ~ProbeRegistry();
  void add(ProbeFamilyPattern p);

  struct Result {
    std::vector<FamilyMatch> matches;
    // On no match: the failing component and upstream's message.
    std::string error;
    const Token* error_tok = nullptr;
    std::string validation_error;  // an argument out of range, reported without a token
  };
  // `root_extra` names more candidates for a mismatch on the first component (aliases).
  Result match(const ProbePoint& pp, size_t first_component = 0,
               const std::vector<std::string>& root_extra = {}) const;
  const std::vector<ProbeFamilyPattern>& patterns() const { return patterns_; }

  // The kernel build tree, for families that depend on what the kernel exports.
  std::string kernel_build_tree;
  std::string kernel_release;
  bool kernel_exports(const std::string& symbol) const;
  // The target kernel's functions, tracepoints and types, opened on first use.
  debuginfo::KernelInfo* kernel_info() const;
  // Hands the kernel data (and so every debuginfo::Type a KernelProbe points to) to the
  // caller, so it outlives the registry; null if it was never opened.
  std::unique_ptr<debuginfo::KernelInfo> release_kernel_info();

 private:
  struct Node {
    std::map<std::pair<std::string, ArgKind>, std::unique_ptr<Node>> children;
    std::vector<const ProbeFamilyPattern*> terminals;
  };
  void walk(const Node& n, const ProbePoint& pp, size_t i, FamilyMatch& cur, Result& r,
            size_t& deepest, const Node** deepest_node) const;
  std::vector<ProbeFamilyPattern> patterns_;
  std::vector<std::unique_ptr<ProbeFamilyPattern>> owned_;
  Node root_;
  mutable std::optional<std::set<std::string>> exports_;
  mutable std::unique_ptr<debuginfo::KernelInfo> kernel_info_;
  mutable bool kernel_info_opened_ = false;
};

// Registers every built-in family (stap/probes/*.cpp).
void register_probe_families(ProbeRegistry& r);

// Up to five names from `candidates` closest to `name` (upstream's "similar:" list).
std::string similar_names(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace stap
