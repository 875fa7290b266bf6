#include "stap/sema/probe_registry.h"

#include <fnmatch.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <set>

#include "stap/debuginfo/kernel_info.h"
#include "stap/driver/session.h"
#include "stap/probes/families.h"

namespace stap {

void register_probe_families(ProbeRegistry& r) {
  register_begin_end_families(r);
  register_timer_families(r);
  register_perf_families(r);
  register_kernel_families(r);
}

bool ProbeRegistry::kernel_exports(const std::string& symbol) const {
  if (!exports_) {
    exports_.emplace();
    // Module.symvers: CRC <tab> SYMBOL <tab> MODULE <tab> EXPORT_TYPE [<tab> NAMESPACE]
    std::ifstream in(kernel_build_tree + "/Module.symvers");
    std::string line;
    while (std::getline(in, line)) {
      size_t a = line.find('\t');
      if (a == std::string::npos) continue;
      size_t b = line.find('\t', a + 1);
      exports_->insert(line.substr(a + 1, b == std::string::npos ? b : b - a - 1));
    }
  }
  return exports_->count(symbol) > 0;
}

ProbeRegistry::ProbeRegistry() = default;
ProbeRegistry::~ProbeRegistry() = default;

debuginfo::KernelInfo* ProbeRegistry::kernel_info() const {
  if (!kernel_info_opened_) {
    kernel_info_opened_ = true;
    kernel_info_ = debuginfo::open_kernel_info(kernel_release, systemtap_dir() + "/cache");
  }
  return kernel_info_.get();
}

std::unique_ptr<debuginfo::KernelInfo> ProbeRegistry::release_kernel_info() {
  return std::move(kernel_info_);
}

void ProbeRegistry::add(ProbeFamilyPattern p) {
  owned_.push_back(std::make_unique<ProbeFamilyPattern>(std::move(p)));
  const ProbeFamilyPattern* pat = owned_.back().get();
  patterns_.push_back(*pat);
  Node* n = &root_;
  for (const auto& c : pat->pattern) {
    auto& child = n->children[{c.functor, c.arg}];
    if (!child) child = std::make_unique<Node>();
    n = child.get();
  }
  n->terminals.push_back(pat);
}

namespace {

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t sub = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, sub});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

bool arg_fits(const ProbePointComponent& c, ArgKind k) {
  if (!c.arg) return k == ArgKind::None;
  if (k == ArgKind::Number) return !c.arg->is_string;
  if (k == ArgKind::String) return c.arg->is_string;
  return false;
}

}  // namespace

std::string similar_names(const std::string& name, const std::vector<std::string>& candidates) {
  // Closest first; among equally close names the shorter, then alphabetical order.
  std::vector<std::pair<size_t, std::string>> scored;
  std::set<std::string> seen;
  for (const auto& c : candidates) {
    if (c.empty() || !seen.insert(c).second) continue;
    size_t d = edit_distance(name, c);
    if (d <= std::max<size_t>(5, name.size() / 2)) scored.push_back({d, c});
  }
  std::sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    if (a.second.size() != b.second.size()) return a.second.size() < b.second.size();
    return a.second < b.second;
  });
  std::string out;
  for (size_t i = 0; i < scored.size() && i < 5; ++i) {
    if (i) out += ", ";
    out += scored[i].second;
  }
  return out;
}

void ProbeRegistry::walk(const Node& n, const ProbePoint& pp, size_t i, FamilyMatch& cur,
                         Result& r, size_t& deepest, const Node** deepest_node) const {
  if (i > deepest || (i == deepest && !*deepest_node)) {
    deepest = i;
    *deepest_node = &n;
  }
  if (i == pp.components.size()) {
    for (const ProbeFamilyPattern* p : n.terminals) {
      FamilyMatch m = cur;
      m.family = p->family;
      m.pattern = p;
      if (p->validate) {
        std::string err = p->validate(m);
        if (!err.empty()) {
          r.validation_error = err;
          continue;
        }
      }
      r.matches.push_back(m);
    }
    return;
  }
  const ProbePointComponent& c = pp.components[i];
  if (c.functor == "**") {
    // Any number of components, including none.
    walk(n, pp, i + 1, cur, r, deepest, deepest_node);
    for (const auto& [key, child] : n.children) {
      ProbePointComponent concrete = c;
      concrete.functor = key.first;
      concrete.arg = nullptr;
      if (key.second != ArgKind::None) continue;
      cur.components.push_back(concrete);
      ProbePoint sub = pp;
      walk(*child, pp, i, cur, r, deepest, deepest_node);
      cur.components.pop_back();
    }
    return;
  }
  for (const auto& [key, child] : n.children) {
    if (fnmatch(c.functor.c_str(), key.first.c_str(), 0) != 0) continue;
    if (!arg_fits(c, key.second)) continue;
    ProbePointComponent concrete = c;
    concrete.functor = key.first;
    cur.components.push_back(concrete);
    if (c.arg) cur.args[key.first] = c.arg;
    walk(*child, pp, i + 1, cur, r, deepest, deepest_node);
    cur.components.pop_back();
    if (c.arg) cur.args.erase(key.first);
  }
}

ProbeRegistry::Result ProbeRegistry::match(const ProbePoint& pp, size_t first,
                                           const std::vector<std::string>& root_extra) const {
  Result r;
  FamilyMatch cur;
  size_t deepest = 0;
  const Node* deepest_node = nullptr;
  walk(root_, pp, first, cur, r, deepest, &deepest_node);
  if (!r.matches.empty() || !r.validation_error.empty()) return r;
  if (deepest >= pp.components.size() && deepest_node && deepest_node->terminals.empty() &&
      !deepest_node->children.empty()) {
    // Every component matched, but the point stops short of a complete probe.
    std::string follow;
    for (const auto& [key, child] : deepest_node->children) {
      if (follow.find(" " + key.first + ",") != std::string::npos) continue;
      follow += (follow.empty() ? " " : ", ") + key.first;
    }
    r.error = "probe point truncated (follow: " + follow + ")";
    r.error_tok = pp.components.back().tok;
    return r;
  }
  if (deepest >= pp.components.size()) deepest = pp.components.size() - 1;
  const ProbePointComponent& bad = pp.components[deepest];
  r.error_tok = bad.tok;
  if (deepest_node && deepest_node->children.empty() && !deepest_node->terminals.empty()) {
    r.error = "invalid suffix for probe";
    return r;
  }

  std::vector<std::string> names;
  if (deepest_node) {
    for (const auto& [key, child] : deepest_node->children)
      if (std::find(names.begin(), names.end(), key.first) == names.end())
        names.push_back(key.first);
  }
  if (deepest_node == &root_) names.insert(names.end(), root_extra.begin(), root_extra.end());
  std::string sim = similar_names(bad.functor, names);
  bool wildcard = bad.functor.find_first_of("*?[") != std::string::npos;
  r.error = wildcard ? "probe point mismatch: didn't find any wildcard matches"
                     : "probe point mismatch";
  if (!sim.empty()) r.error += " (similar: " + sim + ")";
  return r;
}

}  // namespace stap
