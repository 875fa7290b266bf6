// Pass 3's bound of what the begin probes can print (STP_BEGIN_OUTPUT_BOUND),
// which decides whether they wait for the full-size output buffers.
#include <gtest/gtest.h>

#include "test_util.h"

namespace {

// The bound pass 3 writes for `script`, or "error: ..." when it fails.
std::string bound_of(const std::string& script, std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"-p3"};
  args.insert(args.end(), extra.begin(), extra.end());
  args.push_back("-e");
  args.push_back(script);
  StapRun r = run_stap_args(args);
  if (r.rc != 0) return "error: " + r.err;
  const std::string key = "#define STP_BEGIN_OUTPUT_BOUND ";
  size_t at = r.out.find(key);
  if (at == std::string::npos) return "no bound";
  size_t end = r.out.find('\n', at);
  return r.out.substr(at + key.size(), end - at - key.size());
}

TEST(OutputBound, StraightLinePrints) {
  // The literal text as written (escapes count 2) + one string field of
  // MAXSTRINGLEN (512 unless -D says otherwise).
  EXPECT_EQ(bound_of("probe begin { printf(\"a %s\\n\", \"x\") }"), "516LL");
  EXPECT_EQ(bound_of("probe begin { printf(\"a %s\\n\", \"x\") }", {"-DMAXSTRINGLEN=64"}), "68LL");
  // print/println: each argument as a string, plus the line end.
  EXPECT_EQ(bound_of("probe begin { println(1) println(\"x\") }"), "1026LL");
  // Output only from other probes: nothing to wait for.
  EXPECT_EQ(bound_of("probe timer.s(1) { for (i = 0; i < 3; i++) println(i) }"), "0LL");
  // sprintf prints nothing.
  EXPECT_EQ(bound_of("global s probe begin { s = sprintf(\"%d\", 1) }"), "0LL");
}

TEST(OutputBound, LoopsRecursionAndDynamicFields) {
  EXPECT_EQ(bound_of("probe begin { for (i = 0; i < 3; i++) println(i) }"), "-1LL");
  EXPECT_EQ(bound_of("global a probe begin { a[1] = 1; foreach (k in a) println(k) }"), "-1LL");
  EXPECT_EQ(bound_of("probe begin { printf(\"%*d\\n\", 5, 1) }"), "-1LL");
  // A printing function called in a loop, or printing on a recursive cycle.
  EXPECT_EQ(bound_of("function p() { println(1) } probe begin { while (1) { p(); break } }"),
            "-1LL");
  EXPECT_EQ(bound_of("function f(n) { println(n); if (n > 0) f(n - 1) } probe begin { f(3) }"),
            "-1LL");
  // Recursion that prints nothing, and a loop that prints nothing, are fine.
  EXPECT_EQ(bound_of("function f(n) { if (n > 0) return f(n - 1); return 0 } "
                     "probe begin { x = f(3); for (i = 0; i < 3; i++) x++; println(x) }"),
            "513LL");
}

}  // namespace
