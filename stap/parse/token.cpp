#include "stap/parse/token.h"

namespace stap {

void SourceFile::index_lines() {
  line_starts.clear();
  line_starts.push_back(0);
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') line_starts.push_back(i + 1);
}

std::string SourceFile::line(int lineno) const {
  if (lineno < 1 || static_cast<size_t>(lineno) > line_starts.size()) return {};
  size_t b = line_starts[lineno - 1];
  size_t e = text.find('\n', b);
  if (e == std::string::npos) e = text.size();
  return text.substr(b, e - b);
}

const char* tok_kind_name(TokKind k) {
  switch (k) {
    case TokKind::Identifier: return "identifier";
    case TokKind::Keyword: return "keyword";
    case TokKind::Operator: return "operator";
    case TokKind::String: return "string";
    case TokKind::Number: return "number";
    case TokKind::Embedded: return "embedded-code";
    case TokKind::Junk: return "junk";
    case TokKind::Eof: return "EOF";
  }
  return "?";
}

std::string describe_token(const Token& t, const SourceFile* prev_file) {
  std::string out;
  if (t.kind == TokKind::Eof) {
    out = (t.loc.file ? t.loc.file->name : std::string()) + " EOF";
    return out;
  }
  out = tok_kind_name(t.kind);
  // Upstream prints no content for keywords and embedded code.
  if (t.kind != TokKind::Keyword && t.kind != TokKind::Embedded) {
    out += " '";
    for (char c : t.text) {
      if (c == '\n') out += "\\n";
      else out += c;
    }
    out += "'";
  }
  out += " at ";
  if (t.loc.file && t.loc.file != prev_file) out += t.loc.file->name;
  out += ":" + std::to_string(t.loc.line) + ":" + std::to_string(t.loc.col);
  return out;
}

}  // namespace stap
