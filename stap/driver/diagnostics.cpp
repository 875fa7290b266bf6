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

void Diagnostics::parse_error(const std::string& msg, const Token* tok, bool at_form,
                              const std::string& key) {
  ++errors_;
  ++parse_errors_;
  // Upstream prints each distinct error once unless -v.
  if (verbose == 0 && !seen_errors_.insert(key.empty() ? msg : key).second) {
    ++suppressed_errors_;
    return;
  }
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

void Diagnostics::semantic_error(const std::string& msg, const Token* tok, const Token* also) {
  ++errors_;
  if (quiet_semantic_errors) {
    last_error_suppressed_ = true;
    return;
  }
  // Upstream prints each distinct message once unless -v, wherever it occurs.
  last_error_suppressed_ = verbose == 0 && !seen_errors_.insert("semantic:" + msg).second;
  if (last_error_suppressed_) {
    ++suppressed_errors_;
    return;
  }
  const std::string prefix = "semantic error: ";
  err_ << prefix << msg;
  if (tok) err_ << ": " << token_text(tok);
  err_ << "\n";
  source_lines(tok, prefix.size());
  if (also) {
    err_ << token_text(also) << "\n";
    source_lines(also, prefix.size());
  }
  err_ << "\n";
}

void Diagnostics::semantic_error_chain(const std::string& msg, const Token* tok,
                                       const std::string& cause, const Token* cause_tok) {
  if (quiet_semantic_errors) {
    errors_ += 2;
    last_error_suppressed_ = true;
    return;
  }
  if (verbose == 0 && !seen_errors_.insert("chain:" + msg + "\n" + cause).second) {
    errors_ += 2;
    ++suppressed_errors_;
    last_error_suppressed_ = true;
    return;
  }
  // Printed in full even if each half was seen alone before.
  int v = verbose;
  verbose = 1;
  semantic_error(msg, tok);
  semantic_error(cause, cause_tok);
  verbose = v;
}

void Diagnostics::semantic_note(const std::string& msg, const Token* tok) {
  if (last_error_suppressed_) return;
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
  if (verbose == 0) {
    if (suppressed_errors_ > 0)
      err_ << "Number of similar error messages suppressed: " << suppressed_errors_ << ".\n";
    if (suppressed_ > 0)
      err_ << "Number of similar warning messages suppressed: " << suppressed_ << ".\n";
    if (suppressed_ > 0 || suppressed_errors_ > 0) err_ << "Rerun with -v to see them.\n";
  }
  suppressed_ = 0;
  suppressed_errors_ = 0;
}

}  // namespace stap
