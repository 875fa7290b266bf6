#include "stap/driver/diagnostics.h"

#include <ostream>

namespace stap {

namespace {

// Continuation lines of a multi-line message line up under its first line.
std::string indent_continuations(const std::string& msg, size_t indent) {
  std::string out;
  for (char c : msg) {
    out += c;
    if (c == '\n') out += std::string(indent, ' ');
  }
  return out;
}

}  // namespace

std::string Diagnostics::token_text(const Token* tok) {
  std::string s = describe_token(*tok, last_file_);
  if (tok->loc.file) last_file_ = tok->loc.file;
  return s;
}

void Diagnostics::source_lines(const Token* tok, size_t indent) {
  if (!tok || !tok->loc.file || tok->kind == TokKind::Eof) return;
  std::string line = tok->loc.file->line(tok->loc.line);
  std::string label = "source: ";
  err_ << std::string(indent - label.size(), ' ') << label << line << "\n";
  std::string caret(indent, ' ');
  for (int i = 0; i + 1 < tok->loc.col && i < static_cast<int>(line.size()); ++i)
    caret += line[i] == '\t' ? '\t' : ' ';
  err_ << caret << "^\n";
}

void Diagnostics::parse_error(const std::string& msg, const Token* tok, bool at_form) {
  ++errors_;
  ++parse_errors_;
  const std::string prefix = "parse error: ";
  err_ << prefix << indent_continuations(msg, prefix.size()) << "\n";
  if (tok) {
    // Parse errors always name the file.
    err_ << (at_form ? "         at: " : "        saw: ") << describe_token(*tok) << "\n";
    if (tok->loc.file) last_file_ = tok->loc.file;
    source_lines(tok, prefix.size());
    for (const Token* m = tok->expanded_from; m; m = m->expanded_from) {
      err_ << "\tin expansion of macro: " << describe_token(*m) << "\n";
      source_lines(m, prefix.size());
    }
  }
  err_ << "\n";
}

void Diagnostics::semantic_error(const std::string& msg, const Token* tok) {
  ++errors_;
  const std::string prefix = "semantic error: ";
  err_ << prefix << msg;
  if (tok) err_ << ": " << token_text(tok);
  err_ << "\n";
  source_lines(tok, prefix.size());
  err_ << "\n";
}

void Diagnostics::semantic_error(const std::string& msg, const Token* tok, const Token* tok2) {
  ++errors_;
  const std::string prefix = "semantic error: ";
  err_ << prefix << msg;
  if (tok) err_ << ": " << token_text(tok);
  err_ << "\n";
  source_lines(tok, prefix.size());
  if (tok2) {
    err_ << token_text(tok2) << "\n";
    source_lines(tok2, prefix.size());
  }
  err_ << "\n";
}

void Diagnostics::semantic_note(const std::string& msg, const Token* tok) {
  const std::string prefix = "semantic error: ";
  err_ << prefix << msg;
  if (tok) err_ << ": " << token_text(tok);
  err_ << "\n";
  source_lines(tok, prefix.size());
  err_ << "\n";
}

void Diagnostics::warning(const std::string& msg, const Token* tok) {
  if (suppress_warnings) return;
  // Upstream prints each distinct message once unless -v.
  if (verbose == 0 && !seen_.insert(msg).second) {
    ++suppressed_;
    return;
  }
  if (warnings_as_errors) ++errors_;
  const std::string prefix = "WARNING: ";
  err_ << prefix << msg;
  if (tok) err_ << ": " << token_text(tok);
  err_ << "\n";
  source_lines(tok, prefix.size());
}

void Diagnostics::print(const std::string& line) { err_ << line << "\n"; }

void Diagnostics::report_suppressed() {
  if (suppressed_ > 0 && verbose == 0) {
    err_ << "Number of similar warning messages suppressed: " << suppressed_ << ".\n"
         << "Rerun with -v to see them.\n";
  }
  suppressed_ = 0;
}

}  // namespace stap
