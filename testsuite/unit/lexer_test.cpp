#include <gtest/gtest.h>

#include "stap/parse/lexer.h"

namespace stap {
namespace {

std::vector<Token> lex_all(const std::string& text, ScriptArgs* args = nullptr) {
  SourceFile f;
  f.name = "<input>";
  f.text = text;
  f.index_lines();
  Lexer lx(f, args);
  std::vector<Token> out;
  for (;;) {
    Token t = lx.next();
    if (t.kind == TokKind::Eof) break;
    out.push_back(t);
    if (t.kind == TokKind::Junk) break;
  }
  return out;
}

TEST(Lexer, OperatorsLongestFirst) {
  auto t = lex_all("a <<<= b >>> c .= d");
  ASSERT_EQ(t.size(), 8u);
  EXPECT_EQ(t[1].text, "<<<");
  EXPECT_EQ(t[2].text, "=");
  EXPECT_EQ(t[4].text, ">>>");
  EXPECT_EQ(t[6].text, ".=");
}

TEST(Lexer, CommentsAllThreeStyles) {
  auto t = lex_all("# one\nx // two\n/* three\n */ y");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].text, "x");
  EXPECT_EQ(t[1].text, "y");
  EXPECT_EQ(t[1].loc.line, 4);
  EXPECT_EQ(t[1].loc.col, 5);
}

TEST(Lexer, KeywordsAtWordsAndTargets) {
  auto t = lex_all("foreach @count $var $$parms");
  EXPECT_EQ(t[0].kind, TokKind::Keyword);
  EXPECT_EQ(t[1].kind, TokKind::Operator);
  EXPECT_EQ(t[2].kind, TokKind::Identifier);
  EXPECT_EQ(t[3].text, "$$parms");
}

TEST(Lexer, StringEscapesKeptAsC) {
  auto t = lex_all(R"("a\n\q\"b")");
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].text, R"(a\nq\"b)");
}

TEST(Lexer, UnterminatedStringIsJunk) {
  auto t = lex_all("x = \"abc\n");
  ASSERT_EQ(t.back().kind, TokKind::Junk);
  EXPECT_EQ(t.back().error, "Could not find matching closing quote");
}

TEST(Lexer, ArgumentsArePastedAsText) {
  ScriptArgs args({"a b", "7"});
  auto t = lex_all("$1 @2 $# @#", &args);
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].text, "a");
  EXPECT_EQ(t[1].text, "b");
  EXPECT_EQ(t[2].kind, TokKind::String);
  EXPECT_EQ(t[2].text, "7");
  EXPECT_EQ(t[3].text, "2");
  EXPECT_EQ(t[4].kind, TokKind::String);
  EXPECT_TRUE(args.used[0]);
  EXPECT_TRUE(args.used[1]);
}

TEST(Lexer, ArgumentOutOfRange) {
  ScriptArgs args;
  auto t = lex_all("$1", &args);
  ASSERT_EQ(t.back().kind, TokKind::Junk);
  EXPECT_EQ(t.back().error, "command line argument out of range [1-0]");
}

TEST(Lexer, PreprocessorMarkers) {
  auto t = lex_all("%( %? %: %) %{ x %}");
  ASSERT_EQ(t.size(), 5u);
  EXPECT_EQ(t[0].text, "%(");
  EXPECT_EQ(t[1].text, "%?");
  EXPECT_EQ(t[2].text, "%:");
  EXPECT_EQ(t[3].text, "%)");
  EXPECT_EQ(t[4].kind, TokKind::Embedded);
}

TEST(Lexer, PrivateIsAKeywordOnlySince30) {
  SourceFile f;
  f.name = "<input>";
  f.text = "private global";
  f.index_lines();
  Lexer on(f, nullptr);
  EXPECT_EQ(on.next().kind, TokKind::Keyword);
  Lexer off(f, nullptr);
  off.set_private_keyword(false);
  EXPECT_EQ(off.next().kind, TokKind::Identifier);
  EXPECT_EQ(off.next().kind, TokKind::Keyword);
}

TEST(Lexer, EmbeddedCode) {
  auto t = lex_all("%{ int x; %} y");
  ASSERT_EQ(t.size(), 2u);
  EXPECT_EQ(t[0].kind, TokKind::Embedded);
  EXPECT_EQ(t[0].text, " int x; ");
}

}  // namespace
}  // namespace stap
