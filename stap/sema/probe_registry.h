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
};

// Checks a match's arguments; returns an error message (no token) or empty.
using FamilyValidator = std::function<std::string(const FamilyMatch&)>;

// Spells a match the way -p2 lists it, when that differs from the components as written.
using FamilyNamer = std::function<std::string(const FamilyMatch&)>;

struct ProbeFamilyPattern {
  std::string family;
  std::vector<PatternComponent> pattern;
  FamilyValidator validate;
  bool unprivileged_ok = false;
  FamilyNamer namer = nullptr;
};

class ProbeRegistry {
 public:
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
  bool kernel_exports(const std::string& symbol) const;

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
};

// Registers every built-in family (stap/probes/*.cpp).
void register_probe_families(ProbeRegistry& r);

// Up to five names from `candidates` closest to `name` (upstream's "similar:" list).
std::string similar_names(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace stap
