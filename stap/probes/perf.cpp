// perf.type(T).config(C)[.sample(N)|.hz(N)][.process[("PATH")]]: perf events.
// -p2 lists them with the sampling period spelled out, as upstream does.
#include <string>

#include "stap/probes/families.h"

namespace stap {

namespace {

constexpr int64_t kDefaultSample = 1000000;

std::string perf_name(const FamilyMatch& m) {
  std::string out = "perf.type(" + std::to_string(m.args.at("type")->num) + ").config(" +
                    std::to_string(m.args.at("config")->num) + ")";
  int64_t period = kDefaultSample;
  if (auto it = m.args.find("sample"); it != m.args.end()) period = it->second->num;
  if (auto it = m.args.find("hz"); it != m.args.end()) period = it->second->num;
  out += ".sample(" + std::to_string(period) + ")";
  for (const ProbePointComponent& c : m.components) {
    if (c.functor != "process") continue;
    out += ".process";
    if (c.arg) out += "(\"" + c.arg->str + "\")";
  }
  return out;
}

std::string perf_check(const FamilyMatch& m) {
  for (const char* k : {"sample", "hz"}) {
    auto it = m.args.find(k);
    if (it != m.args.end() && it->second->num <= 0)
      return std::string(k) == "hz" ? "invalid perf frequency" : "invalid perf sample period";
  }
  return {};
}

}  // namespace

void register_perf_families(ProbeRegistry& r) {
  const std::vector<PatternComponent> base = {
      {"perf"}, {"type", ArgKind::Number}, {"config", ArgKind::Number}};
  for (const char* rate : {"", "sample", "hz"}) {
    std::vector<PatternComponent> p = base;
    if (*rate) p.push_back({rate, ArgKind::Number});
    r.add({"perf", p, perf_check, false, perf_name});
    // Counting in one process is open to unprivileged users.
    for (ArgKind k : {ArgKind::None, ArgKind::String}) {
      std::vector<PatternComponent> q = p;
      q.push_back({"process", k});
      r.add({"perf", q, perf_check, true, perf_name});
    }
  }
}

}  // namespace stap
