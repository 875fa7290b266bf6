// What pass 3 tells the runtime about each probe's handler: the locks it takes and
// whether it is "tiny" (no stack test, overload timing, error test or context stores).
#include <gtest/gtest.h>

#include "test_util.h"

namespace {

// The stp_probes[] entry of probe N (in script order) that pass 3 writes for `script`,
// or "error: ..." when it fails.
std::string probe_entry(const std::string& script, int n) {
  StapRun r = run_stap_args({"-p3", "-e", script});
  if (r.rc != 0) return "error: " + r.err;
  const std::string key = ".handler = probe_" + std::to_string(n) + ",";
  size_t at = r.out.find(key);
  if (at == std::string::npos) return "no entry";
  size_t begin = r.out.rfind('\n', at) + 1;
  return r.out.substr(begin, r.out.find('\n', at) - begin);
}

bool locks(const std::string& entry) {
  return entry.find(".nlocks = 0,") == std::string::npos;
}
bool tiny(const std::string& entry) { return entry.find(".tiny = 1") != std::string::npos; }

TEST(ProbeTraits, StatisticOnlyAddedToNeedsNoLock) {
  // Read only by the end probe, which never runs beside another handler.
  std::string e = probe_entry("global n probe timer.ms(1) { n <<< 1 } "
                              "probe end { println(@count(n)) }", 0);
  EXPECT_FALSE(locks(e)) << e;
  EXPECT_TRUE(tiny(e)) << e;
  EXPECT_FALSE(locks(probe_entry("global n probe timer.ms(1) { n <<< 1 } "
                                 "probe end { println(@count(n)) }", 1)));
  // Read by a timer probe, which can run while the first one does: both lock.
  const char* both = "global n probe timer.ms(1) { n <<< 1 } "
                     "probe timer.ms(2) { println(@count(n)) }";
  EXPECT_TRUE(locks(probe_entry(both, 0)));
  EXPECT_TRUE(locks(probe_entry(both, 1)));
  // delete in another probe also takes it exclusively.
  EXPECT_TRUE(locks(probe_entry("global n probe timer.ms(1) { n <<< 1 } "
                                "probe timer.ms(2) { delete n }", 0)));
}

TEST(ProbeTraits, GlobalOnlyReadNeedsNoLock) {
  // Set by begin, only read after: no lock.
  const char* ro = "global lim = 5, seen, twice probe begin { lim = 7 } "
                   "probe timer.ms(1) { if (lim > 3) seen <<< 1 } "
                   "probe timer.ms(2) { twice <<< lim * 2 } "
                   "probe end { println(@count(seen), @sum(twice)) }";
  EXPECT_FALSE(locks(probe_entry(ro, 1)));
  EXPECT_FALSE(locks(probe_entry(ro, 2)));
  // Written by one handler that can run beside the others: all lock it.
  const char* rw = "global g, s probe timer.ms(1) { g++ } probe timer.ms(2) { s <<< g } "
                   "probe end { println(@count(s)) }";
  EXPECT_TRUE(locks(probe_entry(rw, 0)));
  EXPECT_TRUE(locks(probe_entry(rw, 1)));
  // An array only read by handlers: no lock; one a handler adds to: locked.
  EXPECT_FALSE(locks(probe_entry("global a, s probe begin { a[1] = 1 } "
                                 "probe timer.ms(1) { s <<< a[1] } "
                                 "probe end { println(@count(s)) }", 1)));
  EXPECT_TRUE(locks(probe_entry("global a, s probe timer.ms(1) { a[1]++ } "
                                "probe timer.ms(2) { s <<< a[1] } "
                                "probe end { println(@count(s)) }", 1)));
}

TEST(ProbeTraits, TinyHandlers) {
  auto t = [](const std::string& body) {
    return tiny(probe_entry("global n, s, g probe timer.ms(1) { " + body + " } "
                            "probe begin { n = 0; g = 0; s <<< 0 } "
                            "probe end { println(@count(s), n, g) }", 0));
  };
  EXPECT_TRUE(t("n++"));
  EXPECT_TRUE(t("s <<< 1"));
  EXPECT_TRUE(t("x = n * 3 + 1; if (x > 4 && g != 2) s <<< x else n -= 1"));
  EXPECT_TRUE(t("g = n < 3 ? n << 2 : ~n"));
  // What can fail, reads the context, loops, calls or prints is not.
  EXPECT_FALSE(t("x = 10 / (n + 1); s <<< x"));
  EXPECT_FALSE(t("n %= 3"));
  EXPECT_FALSE(t("x = \"a\"; if (x == \"b\") s <<< 1"));
  EXPECT_FALSE(t("s <<< pid()"));
  EXPECT_FALSE(t("while (n < 3) n++"));
  EXPECT_FALSE(t("println(n)"));
  EXPECT_FALSE(t("try { n++ } catch { g++ }"));
}

}  // namespace
