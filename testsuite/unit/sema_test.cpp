#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

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

// Arity is settled before types: "inconsistent arity", with where it was first inferred.
TEST(Sema, InconsistentArity) {
  auto r = run_stap_args({"-p2", "-e", "global a probe begin { a[1] = 1; println(a) }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("semantic error: inconsistent arity (1 vs 0): identifier 'a' at <input>:1:42"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("semantic error: arity 1 first inferred here: identifier 'a' at :1:24"),
            std::string::npos)
      << r.err;
  // `delete a` fixes no arity.
  r = run_stap_args({"-p2", "-e", "global a probe begin { delete a; a[1] = 1; println(a[1]) }"});
  EXPECT_EQ(r.rc, 0) << r.err;
}

TEST(Sema, IndexAndDeclaredTypeMismatch) {
  auto r = run_stap_args({"-p2", "-e", "global a probe begin { a[1] = 1; a[\"x\"] = 2 }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("semantic error: index 0 type mismatch (string): string 'x'"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("semantic error: type of index 0 was first inferred here (long): number '1'"),
            std::string::npos)
      << r.err;
  r = run_stap_args({"-p2", "-e", "function f(s:string) { return s } probe begin { println(f(5)) }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("semantic error: type mismatch: expected long but found string: number '5'"),
            std::string::npos)
      << r.err;
}

// Upstream prints one error of each kind: a second mismatch elsewhere is suppressed.
TEST(Sema, OneErrorPerKind) {
  auto r = run_stap_args({"-p2", "-e",
                          "probe begin { x = \"a\"; x = 1; println(x) } "
                          "probe end { y = 1; y = \"a\"; println(y) }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("type mismatch (long): identifier 'x'"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("identifier 'y'"), std::string::npos) << r.err;
}

TEST(Sema, LvalueAndDeleteOperands) {
  auto r = run_stap_args({"-p2", "-e", "probe begin { 1 = 2 }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("semantic error: Expecting lvalue for assignment: operator '=' at "
                       "<input>:1:17\n        source: probe begin { 1 = 2 }\n"
                       "                                ^\nnumber '1' at :1:15\n"),
            std::string::npos)
      << r.err;
  r = run_stap_args({"-p2", "-e", "probe begin { delete 5 }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("semantic error: invalid operand of delete expression: number '5'"),
            std::string::npos)
      << r.err;
}

TEST(Sema, ProbeConditions) {
  auto r = run_stap_args({"-p2", "-e", "probe timer.s(1) if (loc) { println(1) }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("probe condition must not reference undeclared global: identifier 'loc'"),
            std::string::npos)
      << r.err;
  r = run_stap_args({"-p2", "-e", "global on = 1 probe timer.s(1) if (on) { println(1) }"});
  EXPECT_EQ(r.rc, 0) << r.err;
}

TEST(Sema, TargetSymbolsUnresolved) {
  auto r = run_stap_args({"-p2", "-e", "probe begin { println($foo) }"});
  EXPECT_EQ(r.rc, 1);
  auto a = r.err.find("semantic error: unresolved target-symbol expression: identifier '$foo'");
  auto b = r.err.find("semantic error: unresolved type : identifier '$foo'");
  EXPECT_NE(a, std::string::npos) << r.err;
  EXPECT_NE(b, std::string::npos) << r.err;
  EXPECT_LT(a, b);
  r = run_stap_args({"-p2", "-e", "probe begin { if (@defined($foo)) println(1) }"});
  EXPECT_EQ(r.rc, 0) << r.err;
}

// The tapset library index is cached under $SYSTEMTAP_DIR/cache/tapset-index by the
// library files' names, sizes and times: a changed file is indexed again, and a damaged
// cache is only a rescan.
TEST(Sema, TapsetIndexCache) {
  char lib_t[] = "/tmp/stap-tapset-XXXXXX";
  char dir_t[] = "/tmp/stap-dir-XXXXXX";
  ASSERT_NE(mkdtemp(lib_t), nullptr);
  ASSERT_NE(mkdtemp(dir_t), nullptr);
  std::string lib = lib_t, dir = dir_t;
  const char* old_tapset = getenv("SYSTEMTAP_TAPSET");
  const char* old_dir = getenv("SYSTEMTAP_DIR");
  std::string saved_tapset = old_tapset ? old_tapset : "", saved_dir = old_dir ? old_dir : "";
  setenv("SYSTEMTAP_TAPSET", lib.c_str(), 1);
  setenv("SYSTEMTAP_DIR", dir.c_str(), 1);
  auto write = [&](const std::string& text) {
    std::ofstream(lib + "/lib.stp") << text;
  };
  write("function f1:long () { return 1 }\nprobe one = begin { }\n");
  auto r = run_stap_args({"-p2", "-e", "probe one { println(f1()) }"});
  EXPECT_EQ(r.rc, 0) << r.err;
  std::vector<std::string> caches;
  for (auto& e : std::filesystem::directory_iterator(dir + "/cache/tapset-index"))
    caches.push_back(e.path());
  ASSERT_EQ(caches.size(), 1u);
  // From the cache.
  r = run_stap_args({"-p2", "-e", "probe one { println(f1()) }"});
  EXPECT_EQ(r.rc, 0) << r.err;
  // Another size: indexed again, and the old name is gone.
  write("function f2:long () { return 22 }\nprobe two = begin { }\n");
  r = run_stap_args({"-p2", "-e", "probe two { println(f2()) }"});
  EXPECT_EQ(r.rc, 0) << r.err;
  r = run_stap_args({"-p2", "-e", "probe two { println(f1()) }"});
  EXPECT_NE(r.rc, 0);
  // A damaged cache file for the current library.
  for (auto& e : std::filesystem::directory_iterator(dir + "/cache/tapset-index"))
    std::ofstream(e.path()) << "stap-tapset-index 1\n1\nf 7 nonsense\n";
  r = run_stap_args({"-p2", "-e", "probe two { println(f2()) }"});
  EXPECT_EQ(r.rc, 0) << r.err;
  if (old_tapset) setenv("SYSTEMTAP_TAPSET", saved_tapset.c_str(), 1); else unsetenv("SYSTEMTAP_TAPSET");
  if (old_dir) setenv("SYSTEMTAP_DIR", saved_dir.c_str(), 1); else unsetenv("SYSTEMTAP_DIR");
  std::filesystem::remove_all(lib);
  std::filesystem::remove_all(dir);
}

}  // namespace
