// timer.{s,sec,ms,msec,us,usec,ns,nsec}(N)[.randomize(M)], timer.hz(N),
// timer.jiffies(N)[.randomize(M)], timer.profile, timer.profile.tick.
#include <string>

#include "stap/probes/families.h"

namespace stap {

namespace {

struct Unit {
  const char* name;
  int64_t min;
  int64_t max;
};

// Bounds keep every interval between 100 microseconds and one day, as upstream does.
const Unit kUnits[] = {
    {"s", 1, 86400},
    {"sec", 1, 86400},
    {"ms", 1, 86400LL * 1000},
    {"msec", 1, 86400LL * 1000},
    {"us", 100, 86400LL * 1000 * 1000},
    {"usec", 100, 86400LL * 1000 * 1000},
    {"ns", 100000, 86400LL * 1000 * 1000 * 1000},
    {"nsec", 100000, 86400LL * 1000 * 1000 * 1000},
};

std::string range_error(const char* what, int64_t lo, int64_t hi) {
  return std::string(what) + " value out of range (" + std::to_string(lo) + ", " +
         std::to_string(hi) + ")";
}

}  // namespace

void register_timer_families(ProbeRegistry& r) {
  for (const Unit& u : kUnits) {
    Unit unit = u;
    auto check = [unit](const FamilyMatch& m) -> std::string {
      int64_t v = m.args.at(unit.name)->num;
      if (v < unit.min || v > unit.max) return range_error("interval", unit.min, unit.max);
      auto rit = m.args.find("randomize");
      if (rit != m.args.end()) {
        int64_t rnd = rit->second->num;
        if (rnd < 0 || rnd > v) return "randomization value out of range";
      }
      return {};
    };
    r.add({"timer", {{"timer"}, {u.name, ArgKind::Number}}, check, true});
    r.add({"timer", {{"timer"}, {u.name, ArgKind::Number}, {"randomize", ArgKind::Number}}, check,
           true});
  }
  // Jiffies are checked in their own words.
  auto jiffies = [](const FamilyMatch& m) -> std::string {
    int64_t v = m.args.at("jiffies")->num;
    if (v < 1 || v > 1000000) return "invalid interval for jiffies timer";
    auto rit = m.args.find("randomize");
    if (rit != m.args.end() && (rit->second->num < 0 || rit->second->num > v))
      return "invalid randomize for jiffies timer";
    return {};
  };
  r.add({"timer", {{"timer"}, {"jiffies", ArgKind::Number}}, jiffies, true});
  r.add({"timer",
         {{"timer"}, {"jiffies", ArgKind::Number}, {"randomize", ArgKind::Number}},
         jiffies,
         true});
  // A frequency becomes a nanosecond interval, which must be in the ns range.
  r.add({"timer",
         {{"timer"}, {"hz", ArgKind::Number}},
         [](const FamilyMatch& m) -> std::string {
           int64_t v = m.args.at("hz")->num;
           if (v <= 0) return "frequency must be greater than 0";
           int64_t ns = 1000000000LL / v;
           const int64_t lo = 100000, hi = 86400LL * 1000 * 1000 * 1000;
           if (ns < lo || ns > hi) return range_error("interval", lo, hi);
           return {};
         },
         true});
  // timer.profile itself is a tapset alias with a perf fallback; the tick hook is gone
  // from current kernels, which pass 2 sees in the build tree's exports.
  const ProbeRegistry* reg = &r;
  r.add({"profile",
         {{"timer"}, {"profile"}, {"tick"}},
         [reg](const FamilyMatch&) -> std::string {
           if (!reg->kernel_exports("register_timer_hook"))
             return "profiling timer support (register_timer_hook) not found in kernel!";
           return {};
         },
         false});
}

}  // namespace stap
