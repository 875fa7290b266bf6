#include "stap/parse/lexer.h"

#include <cctype>
#include <cstring>
#include <string_view>

namespace stap {

namespace {

// string_views, so a lookup compares lengths before bytes (no strlen per keyword).
constexpr std::string_view kKeywords[] = {
    "probe", "global", "private", "function", "if",     "else",  "for",    "foreach", "in",  "limit",
    "return", "delete", "while",  "break",    "continue", "next", "string", "long",   "try", "catch",
};

// Longest first within each length group; order matters for the prefix scan below.
const char* const kOps3[] = {"<<<", ">>>", "<<=", ">>="};
const char* const kOps2[] = {"==", "!=", "<=", ">=", "=~", "!~", "+=", "-=", "*=", "/=", "%=",
                             "&=", "^=", "|=", ".=", "&&", "||", "++", "--", "->", "<<", ">>",
                             "%(", "%?", "%:", "%)"};

bool ident_start(int c) { return std::isalpha(c) || c == '_' || c == '$' || c == '@'; }
bool ident_char(int c) { return std::isalnum(c) || c == '_' || c == '$'; }

}  // namespace

bool Lexer::is_keyword(const std::string& s) {
  for (std::string_view k : kKeywords)
    if (k == s) return true;
  return false;
}

Lexer::Lexer(const SourceFile& file, ScriptArgs* args) : file_(file), args_(args) {}

bool Lexer::at_end() const { return !in_paste() && pos_ >= file_.text.size(); }

int Lexer::peek(size_t ahead) const {
  if (in_paste()) {
    size_t left = paste_.size() - paste_pos_;
    if (ahead < left) return static_cast<unsigned char>(paste_[paste_pos_ + ahead]);
    ahead -= left;
  }
  size_t p = pos_ + ahead;
  return p < file_.text.size() ? static_cast<unsigned char>(file_.text[p]) : -1;
}

int Lexer::get() {
  if (in_paste()) return static_cast<unsigned char>(paste_[paste_pos_++]);
  if (pos_ >= file_.text.size()) return -1;
  int c = static_cast<unsigned char>(file_.text[pos_++]);
  if (c == '\n') {
    ++line_;
    col_ = 1;
  } else {
    ++col_;
  }
  return c;
}

// Handles $N @N $# @# at the current position (the sigil not yet consumed). Returns
// false if this is not an argument reference. On an error fills *junk.
bool Lexer::paste_argument(SourceLoc at, Token* junk) {
  int sigil = peek(0);
  int c1 = peek(1);
  if (!(sigil == '$' || sigil == '@') || !(std::isdigit(c1) || c1 == '#')) return false;
  if (!args_) return false;  // tapsets: leave $1 alone, the parser will reject it
  bool nested = in_paste();
  get();  // sigil
  std::string text;
  if (c1 == '#') {
    get();
    text = std::to_string(args_->values.size());
  } else {
    std::string digits;
    while (std::isdigit(peek(0))) digits += static_cast<char>(get());
    size_t n = 0;
    bool overflow = digits.size() > 9;
    if (!overflow) n = std::stoul(digits);
    if (nested) {
      junk->kind = TokKind::Junk;
      junk->loc = at;
      junk->error = "invalid nested substitution of command line arguments";
      return true;
    }
    if (overflow || n < 1 || n > args_->values.size()) {
      junk->kind = TokKind::Junk;
      junk->loc = at;
      junk->error = "command line argument out of range [1-" +
                    std::to_string(args_->values.size()) + "]";
      return true;
    }
    args_->used[n - 1] = true;
    text = args_->values[n - 1];
  }
  if (nested) {
    junk->kind = TokKind::Junk;
    junk->loc = at;
    junk->error = "invalid nested substitution of command line arguments";
    return true;
  }
  if (sigil == '@') {
    // A string literal holding the argument, with the characters a C string needs
    // escaped, since string values keep their C escapes.
    std::string q = "\"";
    for (char ch : text) {
      if (ch == '"' || ch == '\\') q += '\\';
      q += ch;
    }
    q += '"';
    text = q;
  }
  paste_ = text;
  paste_pos_ = 0;
  paste_loc_ = at;
  return true;
}

// Skips white space and complete comments straight on the file text (pasted argument
// text goes through the general path in next()); this is most of a tapset's bytes.
void Lexer::skip_blank() {
  const std::string& s = file_.text;
  const size_t n = s.size();
  size_t p = pos_;
  int line = line_, col = col_;
  auto step = [&](size_t to) {  // consume [p, to), tracking lines and columns
    for (; p < to; ++p) {
      if (s[p] == '\n') {
        ++line;
        col = 1;
      } else {
        ++col;
      }
    }
  };
  while (p < n) {
    char c = s[p];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      step(p + 1);
    } else if (c == '#' || (c == '/' && p + 1 < n && s[p + 1] == '/')) {
      size_t e = s.find('\n', p);
      step(e == std::string::npos ? n : e);
    } else if (c == '/' && p + 1 < n && s[p + 1] == '*') {
      size_t e = s.find("*/", p + 2);
      if (e == std::string::npos) break;  // unterminated: the general path handles it
      step(e + 2);
    } else {
      break;
    }
  }
  pos_ = p;
  line_ = line;
  col_ = col;
}

Token Lexer::next() {
  for (;;) {
    if (!in_paste()) skip_blank();
    // Skip white space and comments.
    int c = peek(0);
    if (c == -1) {
      Token t;
      t.kind = TokKind::Eof;
      t.loc = {&file_, line_, col_};
      return t;
    }
    if (std::isspace(c)) {
      get();
      continue;
    }
    SourceLoc loc = in_paste() ? paste_loc_ : SourceLoc{&file_, line_, col_};
    if (c == '$' || c == '@') {
      Token junk;
      if (paste_argument(loc, &junk)) {
        if (junk.kind == TokKind::Junk) return junk;
        continue;
      }
    }
    if (c == '#') {
      while (peek(0) != -1 && peek(0) != '\n') get();
      continue;
    }
    if (c == '/' && peek(1) == '/') {
      while (peek(0) != -1 && peek(0) != '\n') get();
      continue;
    }
    if (c == '/' && peek(1) == '*') {
      get();
      get();
      while (peek(0) != -1 && !(peek(0) == '*' && peek(1) == '/')) get();
      if (peek(0) != -1) {
        get();
        get();
      }
      continue;
    }

    Token t;
    t.loc = loc;
    if (ident_start(c)) {
      t.text += static_cast<char>(get());
      if (!in_paste()) {
        // Identifiers never span lines: take the run at once.
        size_t e = pos_;
        while (e < file_.text.size() && ident_char(static_cast<unsigned char>(file_.text[e]))) ++e;
        t.text.append(file_.text, pos_, e - pos_);
        col_ += static_cast<int>(e - pos_);
        pos_ = e;
      }
      while (ident_char(peek(0))) t.text += static_cast<char>(get());
      if (t.text[0] == '@' && t.text.size() > 1)
        t.kind = TokKind::Operator;  // at-words and macro invocations
      else if (t.text == "@")
        t.kind = TokKind::Operator;
      else if (is_keyword(t.text) && (private_keyword_ || t.text != "private"))
        t.kind = TokKind::Keyword;
      else
        t.kind = TokKind::Identifier;
      return t;
    }
    if (std::isdigit(c)) {
      while (std::isalnum(peek(0))) t.text += static_cast<char>(get());
      t.kind = TokKind::Number;
      return t;
    }
    if (c == '"') {
      get();
      t.kind = TokKind::String;
      for (;;) {
        int d = get();
        if (d == -1 || d == '\n') {
          Token j;
          j.kind = TokKind::Junk;
          j.loc = loc;
          j.error = "Could not find matching closing quote";
          return j;
        }
        if (d == '"') break;
        if (d == '\\') {
          int e = get();
          if (e == -1) continue;
          if (std::strchr("abtnvfr\\\"x01234567", e)) t.text += '\\';
          t.text += static_cast<char>(e);
          continue;
        }
        t.text += static_cast<char>(d);
      }
      return t;
    }
    if (c == '%' && peek(1) == '{') {
      get();
      get();
      t.kind = TokKind::Embedded;
      if (!in_paste()) {
        size_t e = file_.text.find("%}", pos_);
        if (e != std::string::npos) {
          t.text.append(file_.text, pos_, e - pos_);
          for (; pos_ < e; ++pos_) {
            if (file_.text[pos_] == '\n') {
              ++line_;
              col_ = 1;
            } else {
              ++col_;
            }
          }
        }
      }
      for (;;) {
        int d = peek(0);
        if (d == -1) {
          Token j;
          j.kind = TokKind::Junk;
          j.loc = loc;
          j.error = "Could not find matching '%}' to close embedded function block";
          return j;
        }
        if (d == '%' && peek(1) == '}') {
          get();
          get();
          break;
        }
        t.text += static_cast<char>(get());
      }
      return t;
    }
    t.kind = TokKind::Operator;
    const int c1 = peek(1);
    // Only '<' and '>' start three-character operators.
    for (const char* op : kOps3) {
      if ((c == '<' || c == '>') && c == op[0] && c1 == op[1] && peek(2) == op[2]) {
        get();
        get();
        get();
        t.text = op;
        return t;
      }
    }
    for (const char* op : kOps2) {
      if (c == op[0] && c1 == op[1]) {
        get();
        get();
        t.text = op;
        return t;
      }
    }
    t.text = static_cast<char>(get());
    return t;
  }
}

}  // namespace stap
