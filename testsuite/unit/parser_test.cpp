#include <gtest/gtest.h>

#include "test_util.h"

namespace {

TEST(Parser, DumpFormat) {
  auto r = run_stap_args({"-p1", "-e", "probe begin { x = 1 + 2 * 3; if (x) next }"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_EQ(r.out,
            "# parse tree dump\n# file <input>\nprobe begin{\n(x) = ((1) + ((2) * (3)));\n"
            "if (x) next\n;\n}\n");
}

TEST(Parser, ErrorFormat) {
  auto r = run_stap_args({"-p1", "-e", "probe begin { x = ; }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_EQ(r.err,
            "parse error: expected literal string or number\n"
            "        saw: operator ';' at <input>:1:19\n"
            "     source: probe begin { x = ; }\n"
            "                               ^\n\n"
            "1 parse error.\nPass 1: parse failed.  [man error::pass1]\n");
}

TEST(Parser, RecoversAndReportsSeveralErrors) {
  auto r = run_stap_args({"-p1", "-e", "probe begin { x = ; }\nprobe end { y = ) }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("2 parse errors."), std::string::npos);
}

TEST(Parser, BraceExpansionAndFlags) {
  auto r = run_stap_args({"-p1", "-e", "probe {a,b}.c? {}"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("probe a.c?,b.c?{"), std::string::npos);
}

TEST(Parser, ConditionalsSelectBranch) {
  auto r = run_stap_args(
      {"-p1", "-e", "%( 1 == 1 && \"a\" < \"b\" %? probe begin {x=1} %: probe end {x=2} %)"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("probe begin{"), std::string::npos);
  EXPECT_EQ(r.out.find("probe end{"), std::string::npos);
}

TEST(Parser, MacrosExpandWithParameters) {
  auto r = run_stap_args({"-p1", "-e", "@define add(a,b) %( @a + @b %) probe begin { x = @add(1, 2) }"});
  EXPECT_EQ(r.rc, 0);
  EXPECT_NE(r.out.find("(x) = ((1) + (2));"), std::string::npos);
}

TEST(Parser, EmbeddedCodeNeedsGuru) {
  auto r = run_stap_args({"-p1", "-e", "function f() %{ %} probe begin {}"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("embedded code in unprivileged script; need stap -g"), std::string::npos);
  r = run_stap_args({"-g", "-p1", "-e", "function f() %{ %} probe begin {}"});
  EXPECT_EQ(r.rc, 0);
}

TEST(Parser, RoundTrip) {
  const char* script =
      "global a[10], s = \"x\"\n"
      "function f:long (x:long) { foreach ([k, v-] in a limit 3) { x += k } return x }\n"
      "probe begin, timer.s(1).randomize(2) ? { a[1, \"b\"] <<< 2; delete a[*, \"b\"];\n"
      " try { print(@hist_log(a[1, \"b\"])) } catch (e) { println(e) } s = x ? \"a\" : \"b\" }\n";
  auto r1 = run_stap_args({"-p1", "-e", script});
  ASSERT_EQ(r1.rc, 0) << r1.err;
  std::string dump = r1.out.substr(r1.out.find('\n', r1.out.find("# file")) + 1);
  auto r2 = run_stap_args({"-p1", "-e", dump});
  ASSERT_EQ(r2.rc, 0) << r2.err;
  EXPECT_EQ(r1.out, r2.out);
}

TEST(Parser, NeverCrashesOnGarbage) {
  for (const char* s : {"probe", "probe begin {", "%(", "@define", "function", "global",
                        "probe a = ", "probe begin { foreach (", "probe b { x = [1,", "}}}}"}) {
    auto r = run_stap_args({"-p1", "-e", s});
    EXPECT_EQ(r.rc, 1) << s;
    EXPECT_NE(r.err.find("Pass 1: parse failed."), std::string::npos) << s;
  }
}

}  // namespace
