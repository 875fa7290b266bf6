// timer.{s,sec,ms,msec,us,usec,ns,nsec}(N)[.randomize(M)], timer.hz(N),
// timer.jiffies(N)[.randomize(M)], timer.profile, timer.profile.tick,
// timer.profile.freq.hz(N).
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
    {"jiffies", 1, 1000000},
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
  r.add({"timer",
         {{"timer"}, {"hz", ArgKind::Number}},
         [](const FamilyMatch& m) -> std::string {
           int64_t v = m.args.at("hz")->num;
           if (v < 1 || v > 1000000000) return range_error("frequency", 1, 1000000000);
           return {};
         },
         true});
  r.add({"profile", {{"timer"}, {"profile"}}, nullptr, false});
  r.add({"profile", {{"timer"}, {"profile"}, {"tick"}}, nullptr, false});
  r.add({"profile",
         {{"timer"}, {"profile"}, {"freq"}, {"hz", ArgKind::Number}},
         [](const FamilyMatch& m) -> std::string {
           int64_t v = m.args.at("hz")->num;
           if (v < 1 || v > 1000000) return range_error("frequency", 1, 1000000);
           return {};
         },
         false});
}

}  // namespace stap
