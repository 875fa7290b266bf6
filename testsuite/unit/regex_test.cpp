// The =~ pattern compiler (stap/kmod/regex_compile.h) and the kernel runtime's matcher
// (runtime/stp_regex.c, compiled here in user space) together.  Expected results come
// from Debian's stap 4.8: its generated matcher was run on the same strings.

#include <gtest/gtest.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "stap/kmod/regex_compile.h"
#include "test_util.h"

// The runtime's view: stp_types.h wants a few kernel types.
#define __maybe_unused __attribute__((unused))
typedef struct { int counter; } atomic_t;
typedef struct { int locked; } rwlock_t;
typedef unsigned long long cycles_t;
struct pt_regs;
#define STP_REGEX_MAXGROUPS 64
#define STP_REGEX_MAXINST 4096
#include "runtime/runtime_defines.h"
#include "runtime/stp_types.h"
#include "runtime/stp_regex.h"
#include "runtime/stp_regex.c"

static_assert(stap::kRegexMaxGroups <= STP_REGEX_MAXGROUPS);
static_assert(stap::kRegexMaxInsts <= STP_REGEX_MAXINST);

namespace {

// The program as the generated C would hold it.
struct Loaded {
  std::vector<stp_regex_inst> code;
  std::vector<uint32_t> classes;
  stp_regex_prog prog{};
};

void load(const stap::RegexProgram& p, Loaded* l) {
  for (const auto& in : p.code)
    l->code.push_back({static_cast<unsigned char>(in.op), in.arg, in.x, in.y});
  for (const auto& c : p.classes) l->classes.insert(l->classes.end(), c.begin(), c.end());
  l->classes.resize(l->classes.size() + 8);
  l->prog = {l->code.data(), static_cast<unsigned>(l->code.size()),
             reinterpret_cast<const uint32_t(*)[8]>(l->classes.data()), p.ngroups};
}

// "no match", or the groups as "[text]" / "[-]" (did not take part), space separated.
std::string run(const std::string& re, const std::string& s) {
  stap::RegexProgram p;
  std::string err;
  if (!stap::compile_regex(re, &p, &err)) return "error: " + err;
  Loaded l;
  load(p, &l);
  static std::vector<char> scratch(STP_REGEX_SCRATCH_BYTES);
  int caps[2 * STP_REGEX_MAXGROUPS];
  int r = stp_regex_exec(&l.prog, s.c_str(), scratch.data(), scratch.size(), caps);
  if (r < 0) return "exec error";
  if (r == 0) return "no match";
  std::string out;
  for (unsigned g = 0; g < p.ngroups; ++g) {
    int a = caps[2 * g], b = caps[2 * g + 1];
    if (!out.empty()) out += ' ';
    if (a < 0 || b < 0) out += "[-]";
    else out += "[" + s.substr(static_cast<size_t>(a), static_cast<size_t>(b - a)) + "]";
  }
  return out;
}

std::string error_of(const std::string& re) {
  stap::RegexProgram p;
  std::string err;
  if (stap::compile_regex(re, &p, &err)) return "ok";
  return err;
}

TEST(Regex, LiteralsAreUnanchored) {
  EXPECT_EQ(run("a(b)c", "abc"), "[abc] [b]");
  EXPECT_EQ(run("a(b)c", "xabcx"), "[abc] [b]");
  EXPECT_EQ(run("a(b)c", "ab"), "no match");
  EXPECT_EQ(run("", "xyz"), "[]");
}

TEST(Regex, FirstEndingThenLongest) {
  EXPECT_EQ(run("b|bc", "abcd"), "[bc]");
  EXPECT_EQ(run("a+", "xaaay"), "[aaa]");
  EXPECT_EQ(run("a*", "baa"), "[]");
  // As 4.8: the first match to end fixes the start, then it grows.
  EXPECT_EQ(run("abcd|b", "abcd"), "[b]");
  EXPECT_EQ(run("abcd|bc", "abcd"), "[bc]");
  EXPECT_EQ(run("ab|b", "abcd"), "[ab]");
  EXPECT_EQ(run("ab(cd)?|b", "abcd"), "[abcd] [cd]");
  EXPECT_EQ(run("ab(cd)?|b", "abcx"), "[ab] [-]");
  EXPECT_EQ(run("a{1,2}b", "aaab"), "[aab]");
}

TEST(Regex, SubexpressionsAsStap48) {
  EXPECT_EQ(run("(a|ab)(c|bcd)(d*)", "abcd"), "[abcd] [a] [bcd] []");
  EXPECT_EQ(run("(a|b)*", "ab"), "[ab] [b]");
  EXPECT_EQ(run("(a*)(a*)", "aa"), "[aa] [aa] []");
  EXPECT_EQ(run("(a)|(b)", "b"), "[b] [-] [b]");
  EXPECT_EQ(run("(a|b)+c", "xxababcx"), "[ababc] [b]");
  EXPECT_EQ(run("(a*)*", "b"), "[] []");
  EXPECT_EQ(run("(a*)+", "b"), "[] []");
  EXPECT_EQ(run("()", "a"), "[] []");
  EXPECT_EQ(run("str(ing)", "an example string"), "[string] [ing]");
}

TEST(Regex, Anchors) {
  EXPECT_EQ(run("^a", "ba"), "no match");
  EXPECT_EQ(run("(^a)", "a"), "[a] [a]");
  EXPECT_EQ(run("x|^b", "ab"), "no match");
  EXPECT_EQ(run("a$|b", "ab"), "[b]");
  EXPECT_EQ(run("^$", ""), "[]");
  EXPECT_EQ(run("^$", "a"), "no match");
  EXPECT_EQ(run("$a^", "a"), "no match");
  EXPECT_EQ(run("a($)", "a"), "[a] []");
  // Upstream's `$` consumes the string's end: a second one cannot match.
  EXPECT_EQ(run("a$$", "a"), "no match");
  EXPECT_EQ(run("$", "ab"), "[]");
}

TEST(Regex, DotAndClasses) {
  EXPECT_EQ(run(".", "\n"), "[\n]");
  EXPECT_EQ(run("[^a]", "a\n"), "[\n]");
  EXPECT_EQ(run(".", "x"), "[x]");
  EXPECT_EQ(run("[[:digit:]]+", "ab123c"), "[123]");
  EXPECT_EQ(run("[[:alpha:][:digit:]_-]+", "  a_1-b  "), "[a_1-b]");
  EXPECT_EQ(run("[^]a]", "]"), "no match");
  EXPECT_EQ(run("[^]a]", "b"), "[b]");
  EXPECT_EQ(run("[]a]", "]"), "[]]");
  EXPECT_EQ(run("[a-]", "-"), "[-]");
  EXPECT_EQ(run("[.]", "a"), "no match");
  EXPECT_EQ(run("[a\\]]", "]"), "[]]");
  EXPECT_EQ(run("[a\\]]", "\\"), "no match");
  EXPECT_EQ(run("[a-c]+", "xxbcay"), "[bca]");
  EXPECT_EQ(run("A", "a"), "no match");
  // Collating elements are not supported upstream either: "[[.a.]]" is "[[.a.]" then "]".
  EXPECT_EQ(run("[[.a.]]", "a"), "no match");
  EXPECT_EQ(run("[[.a.]]", "a]"), "[a]]");
}

TEST(Regex, EscapesStandForTheCharacter) {
  EXPECT_EQ(run("\\d", "1"), "no match");
  EXPECT_EQ(run("\\d", "d"), "[d]");
  EXPECT_EQ(run("\\.", "a"), "no match");
  EXPECT_EQ(run("\\.", "."), "[.]");
  EXPECT_EQ(run("a\\*", "aa*"), "[a*]");
}

TEST(Regex, Repetition) {
  EXPECT_EQ(run("a{0}", "a"), "[]");
  EXPECT_EQ(run("a{2,}", "aaaaa"), "[aaaaa]");
  EXPECT_EQ(run("x{2}{3}", "xxxxxx"), "[xxxxxx]");
  EXPECT_EQ(run("x{2}{3}", "xxxxx"), "no match");
  EXPECT_EQ(run("a**", "aa"), "[aa]");
  EXPECT_EQ(run("a{3,1}", "aaa"), "[]");
  EXPECT_EQ(run("colou?r", "color colour"), "[color]");
  EXPECT_EQ(run("a||b", "x"), "[]");
  EXPECT_EQ(run("(?:a)", "?:a"), "[:a]");
}

TEST(Regex, ErrorsUseUpstreamWording) {
  EXPECT_EQ(error_of("("), "regex compilation error (at position 0): expected ), found end of regex");
  EXPECT_EQ(error_of("x(ab"), "regex compilation error (at position 3): expected ), found end of regex");
  EXPECT_EQ(error_of("a{"), "regex compilation error (at position 2): expected number");
  EXPECT_EQ(error_of("a{x}"), "regex compilation error (at position 3): expected number");
  EXPECT_EQ(error_of("*"), "regex compilation error (at position 0): unexpected '*'");
  EXPECT_EQ(error_of("a|+"), "regex compilation error (at position 2): unexpected '+'");
  EXPECT_EQ(error_of("[a"), "regex compilation error (at position 1): unclosed character class");
  EXPECT_EQ(error_of("[^]"), "regex compilation error (at position 2): unclosed character class");
  EXPECT_EQ(error_of("\\"), "regex compilation error (at position 2): unexpected end of regex");
  EXPECT_EQ(error_of("[[:foo:]]"), "regex compilation error: unknown character class 'foo'");
  EXPECT_EQ(error_of("[b-a]"), "regex compilation error (at position 4): Inverted character range b-a");
  EXPECT_EQ(error_of("^*"),
            "regex compilation error (at position 1): postfix closure '*' applied to anchoring operator");
  EXPECT_EQ(error_of("a{1"), "regex compilation error (at position 3): unexpected end of regex");
  EXPECT_EQ(error_of("a{2,"), "regex compilation error (at position 4): expected '}' or number");
  EXPECT_EQ(error_of("a{99999999999}"), "regex compilation error (at position 14): 99999999999 is too large");
  EXPECT_EQ(error_of("a)b"), "regex compilation error (at position 2): unbalanced ')'");
  EXPECT_EQ(error_of("(a))"), "ok");  // upstream ignores one stray ')' at the very end
  EXPECT_EQ(error_of("{"), "regex compilation error (at position 0): unexpected '{'");
}

TEST(Regex, LimitsAreErrorsNotCrashes) {
  EXPECT_EQ(error_of(std::string(5000, '(') + std::string(5000, ')')).rfind("regex compilation error", 0), 0u);
  EXPECT_EQ(error_of("(a{100}){100}").rfind("regex compilation error: regular expression too large", 0), 0u);
  std::string many;
  for (int i = 0; i < 70; ++i) many += "(a)";
  EXPECT_EQ(error_of(many), "regex compilation error: more than 63 subexpressions");
  EXPECT_EQ(run("a{1000}", std::string(999, 'a')), "no match");
}

TEST(Regex, ScratchTooSmallIsReported) {
  stap::RegexProgram p;
  std::string err;
  ASSERT_TRUE(stap::compile_regex("(a)(b)", &p, &err));
  Loaded l;
  load(p, &l);
  char small[16];
  int caps[6];
  EXPECT_EQ(stp_regex_exec(&l.prog, "ab", small, sizeof small, caps), -E2BIG);
}

TEST(Regex, ContextKeepsTheLastMatch) {
  stap::RegexProgram p1, p2;
  std::string err;
  ASSERT_TRUE(stap::compile_regex("a(b)(x)?", &p1, &err));
  ASSERT_TRUE(stap::compile_regex("q", &p2, &err));
  Loaded l1, l2;
  load(p1, &l1);
  load(p2, &l2);
  static std::vector<char> scratch(STP_REGEX_SCRATCH_BYTES);
  static struct context c;
  c.regex_scratch = scratch.data();
  char out[MAXSTRINGLEN];
  EXPECT_EQ(_stp_regex_ngroups(&c), 0);
  EXPECT_EQ(stp_regex_match(&c, &l1.prog, "zabc"), 1);
  EXPECT_EQ(_stp_regex_matched(&c), 1);
  EXPECT_EQ(_stp_regex_ngroups(&c), 3);
  EXPECT_EQ(_stp_regex_group(&c, 0, out, sizeof out), 2);
  EXPECT_STREQ(out, "ab");
  EXPECT_EQ(_stp_regex_group(&c, 1, out, sizeof out), 1);
  EXPECT_STREQ(out, "b");
  EXPECT_EQ(_stp_regex_group(&c, 2, out, sizeof out), 0);  // took no part
  EXPECT_STREQ(out, "");
  EXPECT_EQ(_stp_regex_group(&c, 3, out, sizeof out), -1);
  EXPECT_EQ(_stp_regex_group(&c, 0, out, 2), 1);  // cut to the buffer
  EXPECT_STREQ(out, "a");
  // A failure clears the match but keeps the last successful pattern's group count.
  EXPECT_EQ(stp_regex_match(&c, &l2.prog, "zabc"), 0);
  EXPECT_EQ(_stp_regex_matched(&c), 0);
  EXPECT_EQ(_stp_regex_ngroups(&c), 3);
  EXPECT_EQ(_stp_regex_group(&c, 0, out, sizeof out), -1);
}

TEST(Regex, CTablesNameTheProgram) {
  stap::RegexProgram p;
  std::string err;
  ASSERT_TRUE(stap::compile_regex("[0-9]+", &p, &err));
  std::string c = stap::regex_program_c(p, "stp_regex_0", "\"[0-9]+\"");
  EXPECT_NE(c.find("static const struct stp_regex_inst stp_regex_0_code[] = {"), std::string::npos);
  EXPECT_NE(c.find("STP_RE_CLASS"), std::string::npos);
  EXPECT_NE(c.find("0x03ff0000u"), std::string::npos);  // '0'..'9' in the second word
  EXPECT_NE(c.find("static const struct stp_regex_prog stp_regex_0 = { stp_regex_0_code, " +
                   std::to_string(p.code.size()) + ", stp_regex_0_classes, 1 };"),
            std::string::npos);
}

TEST(Regex, TranslatorReportsBadPatternsAtTheLiteral) {
  StapRun r = run_stap_args({"-p3", "-e", "probe begin { if (\"a\" =~ \"(\") println(1) }"});
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("semantic error: regex compilation error (at position 0): expected ), found "
                       "end of regex: string '(' at <input>:1:26"),
            std::string::npos)
      << r.err;
}

TEST(Regex, TranslatorEmitsTheMatcherCall) {
  StapRun r = run_stap_args(
      {"-p3", "-e", "probe begin { if (\"abc\" =~ \"a(b)c\" && \"x\" !~ \"y\") println(1) }"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("#define STP_REGEX_MAXGROUPS 2"), std::string::npos);
  EXPECT_NE(r.out.find("stp_regex_match(c, &stp_regex_0, "), std::string::npos);
  EXPECT_NE(r.out.find("!stp_regex_match(c, &stp_regex_1, "), std::string::npos);
}

}  // namespace
