// Tokens and source locations shared by the lexer, parser and diagnostics.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace stap {

// One input: a script file, an -e/-E text, stdin or a tapset file.
struct SourceFile {
  std::string name;     // as printed in messages ("<input>", "/path/x.stp")
  std::string text;     // whole content
  bool is_tapset = false;
  std::vector<size_t> line_starts;  // offsets of each line's first byte

  void index_lines();
  std::string line(int lineno) const;  // 1-based, without the newline
};

struct SourceLoc {
  const SourceFile* file = nullptr;
  int line = 0;
  int col = 0;
};

enum class TokKind { Identifier, Keyword, Operator, String, Number, Embedded, Junk, Eof };

struct Token {
  TokKind kind = TokKind::Eof;
  std::string text;   // identifier/operator text, string value (C escapes kept), number digits
  SourceLoc loc;
  // Set on a token that came out of a macro expansion: the @name token it was expanded from.
  const Token* expanded_from = nullptr;
  std::string error;  // Junk tokens: why the lexer rejected the input here

  // The parser asks these at every precedence level of every expression; the first
  // character decides nearly all of them without a strlen.
  bool is(TokKind k, const char* t) const { return kind == k && same_text(t); }
  bool is_op(const char* t) const { return kind == TokKind::Operator && same_text(t); }
  bool is_kw(const char* t) const { return kind == TokKind::Keyword && same_text(t); }
  bool same_text(const char* t) const {
    return (text.empty() ? *t == '\0' : text[0] == *t) && text == t;
  }
};

// Upstream's token description: "identifier 'x' at FILE:L:C".
// `prev_file` lets a caller omit the file name when it repeats.
std::string describe_token(const Token& t, const SourceFile* prev_file = nullptr);
const char* tok_kind_name(TokKind k);

}  // namespace stap
