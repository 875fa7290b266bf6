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

// The untaken branch is skipped token by token: its @define is not processed, so the
// same macro may be defined in both branches.
TEST(Parser, ConditionalUntakenBranchKeepsItsDefines) {
  auto r = run_stap_args({"-p1", "-e",
                          "%( 1 == 2 %? @define W %( 32 %) %: @define W %( 64 %) %)\n"
                          "probe begin { x = @W }"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("(x) = (64);"), std::string::npos);
}

// Conditionals nested in an untaken branch are balanced, not evaluated.
TEST(Parser, ConditionalNestedInUntakenBranch) {
  auto r = run_stap_args({"-p1", "-e",
                          "%( 1 == 2 %? %( no_such_thing %? probe a {} %: probe b {} %) "
                          "%: probe c {} %)"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("probe c{"), std::string::npos);
  EXPECT_EQ(r.out.find("probe a{"), std::string::npos);
  EXPECT_EQ(r.out.find("probe b{"), std::string::npos);
}

// The taken branch is passed on as it is read: what precedes an error still parses,
// and a duplicate %: is reported only when it is reached.
TEST(Parser, ConditionalDuplicateElseReportedWhenReached) {
  auto r = run_stap_args(
      {"-p1", "-e", "%( 1 == 1 %? probe a {} %: probe b {} %: probe c {} %)"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("parse error: invalid conditional - duplicate '%:'\n"
                       "         at: operator '%:' at <input>:1:39\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("\n1 parse error.\n"), std::string::npos) << r.err;
}

TEST(Parser, ConditionalStrayMarkers) {
  for (const char* s : {"probe begin {} %)", "probe begin {} %:", "probe begin {} %?"}) {
    auto r = run_stap_args({"-p1", "-e", s});
    EXPECT_EQ(r.rc, 1) << s;
    EXPECT_NE(r.err.find("parse error: incomplete conditional - missing '%('"),
              std::string::npos)
        << s << r.err;
  }
}

TEST(Parser, ConditionalUnclosedAtEndOfFile) {
  auto r = run_stap_args({"-p1", "-e", "%( 1 == 1 %?\nprobe begin {}"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("parse error: incomplete conditional at end of file\n"
                       "         at: operator '%(' at <input>:1:1\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("\n1 parse error.\n"), std::string::npos) << r.err;
  r = run_stap_args({"-p1", "-e", "%( arch =="});
  EXPECT_NE(r.err.find("parse error: incomplete condition after '%('"), std::string::npos)
      << r.err;
}

// Every term of a condition is evaluated, even after the result is known.
TEST(Parser, ConditionalEvaluatesEveryTerm) {
  auto r = run_stap_args({"-p1", "-e", "%( 1 == 1 || foo == 1 %? probe a {} %)"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("comparison between strings or integers\n"
                       "         at: identifier 'foo' at <input>:1:14\n"),
            std::string::npos)
      << r.err;
}

// An unclosed string is one error; recovery drops the junk that follows silently.
TEST(Parser, JunkReportedOnceThenSkipped) {
  auto r = run_stap_args({"-p1", "-e", "probe begin {\n s = \"one\ntwo\"\n}"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("parse error: Could not find matching closing quote\n"
                       "         at: junk '' at <input>:2:6\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("\n1 parse error.\n"), std::string::npos) << r.err;
}

TEST(Parser, RepeatedErrorMessagesSuppressed) {
  auto r = run_stap_args({"-p1", "-e", "probe a { x = ; }\nprobe b { y = ; }"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("2 parse errors.\nPass 1: parse failed.  [man error::pass1]\n"
                       "Number of similar error messages suppressed: 1.\n"
                       "Rerun with -v to see them.\n"),
            std::string::npos)
      << r.err;
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
