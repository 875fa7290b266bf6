// The lexer: characters of one SourceFile to raw tokens, with command-line arguments
// ($1 @1 $# @#) pasted in as text before tokenization, as upstream does.
#pragma once

#include <string>
#include <vector>

#include "stap/parse/token.h"

namespace stap {

struct ScriptArgs {
  std::vector<std::string> values;  // $1.. / @1..
  std::vector<bool> used;           // which were referenced (for the unused warning)
  explicit ScriptArgs(std::vector<std::string> v = {})
      : values(std::move(v)), used(values.size(), false) {}
};

class Lexer {
 public:
  // `args` may be null (tapset files do not see script arguments).
  Lexer(const SourceFile& file, ScriptArgs* args);

  // The next raw token; Eof forever at the end. Lexical errors come back as Junk tokens
  // whose `error` says why.
  Token next();

  static bool is_keyword(const std::string& s);
  // --compatible below 3.0: "private" is an ordinary identifier.
  void set_private_keyword(bool on) { private_keyword_ = on; }

 private:
  int peek(size_t ahead = 0) const;
  void skip_blank();
  int get();
  bool at_end() const;
  bool paste_argument(SourceLoc at, Token* junk);

  const SourceFile& file_;
  ScriptArgs* args_;
  bool private_keyword_ = true;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
  // Pasted argument text, consumed before the file continues at pos_.
  std::string paste_;
  size_t paste_pos_ = 0;
  SourceLoc paste_loc_;
  bool in_paste() const { return paste_pos_ < paste_.size(); }
};

}  // namespace stap
