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
  // `key` (default: msg) identifies repeats, which are counted instead of printed.
  void parse_error(const std::string& msg, const Token* tok, bool at_form,
                   const std::string& key = {});
  // `semantic error: MSG: TOKEN` and source line; `chain` adds related tokens.
  // `also` adds a second token line with its source (e.g. the function an arity mismatch
  // is about).
  void semantic_error(const std::string& msg, const Token* tok, const Token* also = nullptr);
  // An error raised while handling another, printed as the pair upstream prints
  // ("while resolving probe point: ..." then the cause); repeats count by both texts.
  void semantic_error_chain(const std::string& msg, const Token* tok, const std::string& cause,
                            const Token* cause_tok);
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
  // -l/-L: semantic errors still count (so later analyses stop as they would) but are not
  // printed; a listing shows what resolves and stays quiet about the rest.
  bool quiet_semantic_errors = false;
  int verbose = 0;
  // Print "Number of similar warning/error messages suppressed" at the end.
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
  std::set<std::string> seen_errors_;  // error messages already printed
  bool last_error_suppressed_ = false;  // so its notes are dropped too
  int suppressed_errors_ = 0;
};

}  // namespace stap
