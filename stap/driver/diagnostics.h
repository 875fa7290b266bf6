// Errors and warnings in SystemTap's wording, printed as they occur.
#pragma once

#include <iosfwd>
#include <set>
#include <string>
#include <vector>

#include "stap/parse/token.h"

namespace stap {

class Diagnostics {
 public:
  explicit Diagnostics(std::ostream& err) : err_(err) {}

  // `parse error: MSG` followed by `saw:` (tok is what the parser found) or `at:` (the
  // error is about tok itself) and the source line with a caret.
  void parse_error(const std::string& msg, const Token* tok, bool at_form);
  // `semantic error: MSG: TOKEN` and source line; `chain` adds related tokens.
  void semantic_error(const std::string& msg, const Token* tok);
  // The same with a second token and its source line (e.g. the operand of a bad assignment).
  void semantic_error(const std::string& msg, const Token* tok, const Token* tok2);
  // A follow-on line of the previous semantic error (e.g. "type was first inferred here").
  void semantic_note(const std::string& msg, const Token* tok);
  void warning(const std::string& msg, const Token* tok = nullptr);
  // Free-form line on stderr (pass failure lines, counts).
  void print(const std::string& line);

  int errors() const { return errors_; }
  int parse_errors() const { return parse_errors_; }
  void reset_parse_errors() { parse_errors_ = 0; }

  bool suppress_warnings = false;   // -w
  bool warnings_as_errors = false;  // -W
  int verbose = 0;
  // Print "Number of similar warning messages suppressed" at the end.
  void report_suppressed();

 private:
  void source_lines(const Token* tok, size_t indent);
  std::string token_text(const Token* tok);
  std::ostream& err_;
  int errors_ = 0;
  int parse_errors_ = 0;
  const SourceFile* last_file_ = nullptr;
  std::set<std::string> seen_;
  int suppressed_ = 0;
};

}  // namespace stap
