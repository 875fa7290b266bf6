#include "stap/driver/listing.h"

#include <algorithm>
#include <map>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "stap/debuginfo/types.h"
#include "stap/driver/session.h"
#include "stap/probes/kernel_probe.h"
#include "stap/sema/elaborate.h"

namespace stap {

namespace {

// What -L shows after a point's name: the locals its alias bodies set, in the order they
// first appear, then the target variables ($return first, then parameters or
// tracepoint arguments).
std::vector<std::string> variables_of(const DerivedProbe& d) {
  std::vector<std::string> vars;
  for (const VarDecl* v : d.locals) vars.push_back(v->name + ":" + type_name(v->type));
  const KernelProbe* k = d.match.kernel.get();
  if (k && k->target_vars) {
    if (k->has_return) vars.push_back("$return:" + debuginfo::type_name(k->return_type));
    for (const debuginfo::Variable& v : k->vars) {
      if (v.name.empty()) continue;
      // As 4.8, only the variables DWARF locates at the probe's address (a function's
      // entry sees few of its locals, a statement only the live ones).
      if (v.no_location) continue;
      vars.push_back("$" + v.name + ":" + debuginfo::type_name(v.type));
    }
  }
  return vars;
}

}  // namespace

int print_listing(const Session& s, std::ostream& out) {
  if (!s.program || !s.user_file) return 0;
  const bool with_vars = s.opts.listing == Options::Listing::PointsAndVars;
  std::set<const Probe*> listed(s.user_file->probes.begin(), s.user_file->probes.end());
  // One entry per listed name. Several probes under one name (an alias over several
  // functions) keep only the variables every one of them has, in the first one's
  // order: those are what a script using that name can rely on.
  std::map<std::string, std::vector<std::string>> by_name;
  for (const DerivedProbe* d : s.program->probes) {
    if (d->synthetic || !listed.count(d->user)) continue;
    const std::string& name = d->listed_as.empty() ? d->name : d->listed_as;
    std::vector<std::string> vars;
    if (with_vars) vars = variables_of(*d);
    auto [it, fresh] = by_name.emplace(name, std::move(vars));
    if (fresh || !with_vars) continue;
    std::vector<std::string> mine = variables_of(*d);
    std::set<std::string> have(mine.begin(), mine.end());
    std::vector<std::string>& common = it->second;
    common.erase(std::remove_if(common.begin(), common.end(),
                                [&](const std::string& v) { return !have.count(v); }),
                 common.end());
  }
  // std::map keeps names in byte order, as upstream sorts its listing.
  for (const auto& [name, vars] : by_name) {
    out << name;
    for (const std::string& v : vars) out << " " << v;
    out << "\n";
  }
  return static_cast<int>(by_name.size());
}

}  // namespace stap
