#include <gtest/gtest.h>

#include "test_util.h"

namespace {

TEST(Sema, ListingFormat) {
  auto r = run_stap_args({"-p2", "-e",
                          "global a, b[10]\nfunction f:long (x:long, y) { return x * y }\n"
                          "probe begin { a = f(1, 2); b[1, \"x\"] = a }\n"
                          "probe timer.s(1), end { q = a; println(q, b[1, \"x\"]) }"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out,
            "# globals\na:long\nb[10]:long [long, string]\n# functions\n"
            "f:long (x:long, y:long)\n# probes\nbegin /* <- begin */\n"
            "timer.s(1) /* <- timer.s(1),end */\n  # locals\n  q:long\n"
            "end /* <- timer.s(1),end */\n  # locals\n  q:long\n");
}

TEST(Sema, TypeMismatch) {
  auto r = run_stap_args({"-p2", "-e", "global x probe begin { x = 1; x = \"s\" }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("semantic error: type mismatch (string): identifier 'x' at <input>:1:31"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("semantic error: type was first inferred here (long): identifier 'x' at :1:24"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("Pass 2: analysis failed.  [man error::pass2]"), std::string::npos);
}

TEST(Sema, AliasChain) {
  auto r = run_stap_args({"-p2", "-e", "probe foo = begin { x = 1 } probe foo { println(x) }"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("begin /* <- foo = begin <- foo */"), std::string::npos) << r.out;
}

TEST(Sema, TimerRanges) {
  auto r = run_stap_args({"-p2", "-e", "probe timer.s(0) { println(1) }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("semantic error: interval value out of range (1, 86400)"),
            std::string::npos);
  r = run_stap_args({"-p2", "-e", "probe timer.ms(100).randomize(10), timer.hz(100), timer.jiffies(5) { println(1) }"});
  EXPECT_EQ(r.rc, 0) << r.err;
}

TEST(Sema, UnknownProbePoint) {
  auto r = run_stap_args({"-p2", "-e", "probe nosuch { println(1) }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("semantic error: while resolving probe point: identifier 'nosuch'"),
            std::string::npos);
  r = run_stap_args({"-p2", "-e", "probe nosuch? { println(1) }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("semantic error: no probes found"), std::string::npos);
}

TEST(Sema, ForeachModification) {
  auto r = run_stap_args({"-p2", "-e", "global a probe begin { a[1] = 1; foreach (k in a) a[k] = 2 }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("modified during 'foreach' iteration"), std::string::npos) << r.err;
}

TEST(Sema, StatsAndHistograms) {
  auto r = run_stap_args({"-p2", "-e",
                          "global s probe begin { s <<< 1; print(@hist_log(s)); "
                          "println(@count(s), @avg(s)) }"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("s:stats"), std::string::npos);
}

}  // namespace
