#include "stap/kmod/regex_compile.h"

#include <cstdio>
#include <map>
#include <memory>

namespace stap {

namespace {

// ---------------------------------------------------------------------------------------
// Syntax tree

using ByteSet = std::array<uint32_t, 8>;

struct Node {
  enum Kind { Empty, Byte, Set, Bol, Eol, Cat, Alt, Repeat, Group } kind;
  uint8_t byte = 0;
  ByteSet set{};
  std::vector<std::unique_ptr<Node>> kids;
  int min = 0, max = 0;  // Repeat; max < 0: unbounded
  int group = -1;        // Group: capture index, -1 for (?...)
  explicit Node(Kind k) : kind(k) {}
};
using NodeP = std::unique_ptr<Node>;

void set_bit(ByteSet& s, unsigned b) { s[b >> 5] |= 1u << (b & 31); }

// Thrown inside the parser; compile_regex turns it into the message.
struct Error {
  std::string msg;
  long pos;  // < 0: no position in the message
};

// POSIX bracket class names.
bool class_member(const std::string& name, int c, bool* known) {
  *known = true;
  if (name == "alpha") return isalpha(c);
  if (name == "digit") return isdigit(c);
  if (name == "alnum") return isalnum(c);
  if (name == "upper") return isupper(c);
  if (name == "lower") return islower(c);
  if (name == "space") return isspace(c);
  if (name == "blank") return c == ' ' || c == '\t';
  if (name == "punct") return ispunct(c);
  if (name == "print") return isprint(c);
  if (name == "graph") return isgraph(c);
  if (name == "cntrl") return iscntrl(c);
  if (name == "xdigit") return isxdigit(c);
  *known = false;
  return false;
}

// Recursive descent over the pattern.  Nesting is bounded (kMaxDepth) so that a
// pathological literal cannot exhaust the translator's stack.  Error positions follow
// upstream's parser, whose cursor is sometimes one past the offending byte.
class Parser {
 public:
  explicit Parser(const std::string& re) : s_(re), n_(static_cast<long>(re.size())) {}

  NodeP parse() {
    NodeP r = alternation(0);
    if (i_ < n_) {
      // Only a ')' stops the top level.  Upstream ignores a stray one at the very end.
      if (i_ != n_ - 1) throw Error{"unbalanced ')'", i_ + 1};
    }
    return r;
  }
  int groups() const { return ngroups_; }

 private:
  static constexpr int kMaxDepth = 200;

  bool at_end() const { return i_ >= n_; }
  unsigned char cur() const { return static_cast<unsigned char>(s_[static_cast<size_t>(i_)]); }

  NodeP alternation(int depth) {
    if (depth > kMaxDepth) throw Error{"nesting too deep", i_};
    auto alt = std::make_unique<Node>(Node::Alt);
    alt->kids.push_back(concatenation(depth));
    while (!at_end() && cur() == '|') {
      ++i_;
      alt->kids.push_back(concatenation(depth));
    }
    if (alt->kids.size() == 1) return std::move(alt->kids[0]);
    return alt;
  }

  NodeP concatenation(int depth) {
    auto cat = std::make_unique<Node>(Node::Cat);
    while (!at_end() && cur() != '|' && cur() != ')') cat->kids.push_back(postfix(depth));
    if (cat->kids.empty()) return std::make_unique<Node>(Node::Empty);
    if (cat->kids.size() == 1) return std::move(cat->kids[0]);
    return cat;
  }

  // Digits at the cursor; upstream rejects counts it cannot represent.
  long number(long* value) {
    long v = 0;
    bool big = false;
    std::string digits;
    while (!at_end() && isdigit(cur())) {
      digits += static_cast<char>(cur());
      v = v * 10 + (cur() - '0');
      if (v > 1000000) big = true, v = 1000000;
      ++i_;
    }
    *value = v;
    return big ? -static_cast<long>(digits.size()) : 0;
  }

  NodeP postfix(int depth) {
    NodeP atom_node = atom(depth);
    while (!at_end()) {
      unsigned char c = cur();
      if (c != '*' && c != '+' && c != '?' && c != '{') break;
      if (atom_node->kind == Node::Bol || atom_node->kind == Node::Eol)
        throw Error{std::string("postfix closure '") + static_cast<char>(c) +
                        "' applied to anchoring operator",
                    i_};
      int min = 0, max = -1;
      ++i_;
      if (c == '+') min = 1;
      else if (c == '?') max = 1;
      else if (c == '{') {
        long lo = 0, hi = -1;
        std::string big;
        if (at_end()) throw Error{"expected number", i_};
        if (!isdigit(cur())) throw Error{"expected number", i_ + 1};
        long start = i_;
        if (number(&lo) < 0) big = s_.substr(static_cast<size_t>(start), static_cast<size_t>(i_ - start));
        if (at_end()) throw Error{"unexpected end of regex", i_};
        if (cur() == ',') {
          ++i_;
          if (at_end()) throw Error{"expected '}' or number", i_};
          if (isdigit(cur())) {
            long start2 = i_;
            if (number(&hi) < 0 && big.empty())
              big = s_.substr(static_cast<size_t>(start2), static_cast<size_t>(i_ - start2));
            if (at_end()) throw Error{"unexpected end of regex", i_};
            if (cur() != '}') throw Error{"expected '}'", i_ + 1};
          } else if (cur() != '}') {
            throw Error{"expected '}' or number", i_ + 1};
          }
        } else if (cur() == '}') {
          hi = lo;
        } else {
          throw Error{"expected '}' or ','", i_ + 1};
        }
        ++i_;  // the '}'
        if (!big.empty()) throw Error{big + " is too large", i_};
        min = static_cast<int>(lo);
        max = static_cast<int>(hi);
      }
      auto rep = std::make_unique<Node>(Node::Repeat);
      rep->min = min;
      rep->max = max;
      rep->kids.push_back(std::move(atom_node));
      atom_node = std::move(rep);
    }
    return atom_node;
  }

  NodeP literal(unsigned char b) {
    auto n = std::make_unique<Node>(Node::Byte);
    n->byte = b;
    return n;
  }

  NodeP atom(int depth) {
    unsigned char c = cur();
    switch (c) {
      case '(': {
        long open = i_++;
        (void)open;
        int index = -1;
        if (!at_end() && cur() == '?') {
          // Upstream's only extension: "(?:" opens a group that captures nothing, the ':'
          // being the group's first byte.
          ++i_;
          if (at_end() || cur() != ':') {
            std::string what = "(?";
            if (!at_end()) what += static_cast<char>(cur());
            throw Error{"unexpected '" + what + "'", at_end() ? i_ - 1 : i_};
          }
        } else {
          index = ++ngroups_;
        }
        NodeP body = alternation(depth + 1);
        if (at_end()) throw Error{"expected ), found end of regex", n_ > 0 ? n_ - 1 : 0};
        ++i_;  // ')'
        auto g = std::make_unique<Node>(Node::Group);
        g->group = index;
        g->kids.push_back(std::move(body));
        return g;
      }
      case '[': return bracket();
      case '.': {
        ++i_;
        auto n = std::make_unique<Node>(Node::Set);
        for (unsigned b = 1; b < 256; ++b) set_bit(n->set, b);
        return n;
      }
      case '^': ++i_; return std::make_unique<Node>(Node::Bol);
      case '$': ++i_; return std::make_unique<Node>(Node::Eol);
      case '\\':
        ++i_;
        if (at_end()) throw Error{"unexpected end of regex", i_ + 1};
        return literal(s_[static_cast<size_t>(i_++)]);
      case '*': case '+': case '?': case '{':
        throw Error{std::string("unexpected '") + static_cast<char>(c) + "'", i_};
      default: ++i_; return literal(c);
    }
  }

  NodeP bracket() {
    ++i_;  // '['
    auto n = std::make_unique<Node>(Node::Set);
    bool negate = false;
    if (!at_end() && cur() == '^') {
      negate = true;
      ++i_;
    }
    bool first = true;
    for (;;) {
      if (at_end()) throw Error{"unclosed character class", n_ - 1};
      unsigned char c = cur();
      if (c == ']' && !first) {
        ++i_;
        break;
      }
      first = false;
      if (c == '[' && i_ + 1 < n_ && s_[static_cast<size_t>(i_ + 1)] == ':') {
        size_t close = s_.find(":]", static_cast<size_t>(i_ + 2));
        if (close == std::string::npos) throw Error{"unclosed character class '[:'", n_};
        std::string name = s_.substr(static_cast<size_t>(i_ + 2), close - static_cast<size_t>(i_ + 2));
        bool known = false;
        class_member(name, 'a', &known);
        if (!known) throw Error{"unknown character class '" + name + "'", -1};
        for (int b = 1; b < 256; ++b)
          if (class_member(name, b, &known)) set_bit(n->set, static_cast<unsigned>(b));
        i_ = static_cast<long>(close) + 2;
        continue;
      }
      unsigned char lo = c;
      ++i_;
      if (c == '\\') {
        if (at_end()) throw Error{"unclosed character class", n_ - 1};
        lo = cur();
        ++i_;
      }
      if (!at_end() && cur() == '-' && i_ + 1 < n_ && s_[static_cast<size_t>(i_ + 1)] != ']') {
        ++i_;  // '-'
        unsigned char raw_hi = cur();
        unsigned char hi = raw_hi;
        ++i_;
        if (raw_hi == '\\' && !at_end()) hi = cur(), ++i_;
        if (hi < lo)
          throw Error{std::string("Inverted character range ") + static_cast<char>(lo) + "-" +
                          static_cast<char>(raw_hi),
                      i_};
        for (unsigned b = lo; b <= hi; ++b) set_bit(n->set, b);
      } else {
        set_bit(n->set, lo);
      }
    }
    if (negate)
      for (auto& w : n->set) w = ~w;
    n->set[0] &= ~1u;  // NUL ends the string: never a member
    return n;
  }

  const std::string& s_;
  long n_;
  long i_ = 0;
  int ngroups_ = 0;
};

// ---------------------------------------------------------------------------------------
// Code generation

struct TooLarge {};

class Emitter {
 public:
  explicit Emitter(RegexProgram* p) : p_(p) {}

  void program(const Node& root) {
    emit({RegexOp::Save, 0});
    node(root);
    emit({RegexOp::Save, 1});
    emit({RegexOp::Match});
  }

 private:
  size_t emit(RegexInst in) {
    if (p_->code.size() >= kRegexMaxInsts) throw TooLarge{};
    p_->code.push_back(in);
    return p_->code.size() - 1;
  }
  uint16_t here() const { return static_cast<uint16_t>(p_->code.size()); }

  uint16_t class_index(const ByteSet& s) {
    auto it = class_ids_.find(s);
    if (it != class_ids_.end()) return it->second;
    p_->classes.push_back(s);
    uint16_t id = static_cast<uint16_t>(p_->classes.size() - 1);
    class_ids_[s] = id;
    return id;
  }

  void node(const Node& n) {
    switch (n.kind) {
      case Node::Empty: break;
      case Node::Byte: emit({RegexOp::Char, n.byte}); break;
      case Node::Set: emit({RegexOp::Class, class_index(n.set)}); break;
      case Node::Bol: emit({RegexOp::Bol}); break;
      case Node::Eol: emit({RegexOp::Eol}); break;
      case Node::Cat:
        for (const auto& k : n.kids) node(*k);
        break;
      case Node::Alt: {
        // SPLIT a, next; a; JMP end; next: SPLIT b, next2; b; JMP end; ...; last
        std::vector<size_t> jumps;
        for (size_t k = 0; k < n.kids.size(); ++k) {
          if (k + 1 < n.kids.size()) {
            size_t split = emit({RegexOp::Split});
            p_->code[split].x = here();
            node(*n.kids[k]);
            jumps.push_back(emit({RegexOp::Jmp}));
            p_->code[split].y = here();
          } else {
            node(*n.kids[k]);
          }
        }
        for (size_t j : jumps) p_->code[j].x = here();
        break;
      }
      case Node::Group:
        if (n.group >= 0) emit({RegexOp::Save, static_cast<uint16_t>(2 * n.group)});
        node(*n.kids[0]);
        if (n.group >= 0) emit({RegexOp::Save, static_cast<uint16_t>(2 * n.group + 1)});
        break;
      case Node::Repeat: {
        const Node& body = *n.kids[0];
        // Upstream matches x{m,n} with m > n as the empty string.
        if (n.max >= 0 && n.min > n.max) break;
        for (int k = 0; k < n.min; ++k) node(body);
        if (n.max < 0) {
          // loop: SPLIT body, out; body; SPLIT loop, out.  The second SPLIT lets an
          // iteration that matched nothing leave with its captures (upstream reports
          // "(a*)*" on "b" with group 1 at 0,0), where a plain JMP back to the visited
          // loop head would drop that path.
          size_t loop = emit({RegexOp::Split});
          p_->code[loop].x = here();
          node(body);
          size_t again = emit({RegexOp::Split, 0, static_cast<uint16_t>(loop)});
          p_->code[loop].y = here();
          p_->code[again].y = here();
        } else {
          // Each optional copy: SPLIT body, out; body; ... all exits to the end.
          std::vector<size_t> splits;
          for (int k = n.min; k < n.max; ++k) {
            size_t split = emit({RegexOp::Split});
            p_->code[split].x = here();
            splits.push_back(split);
            node(body);
          }
          for (size_t sidx : splits) p_->code[sidx].y = here();
        }
        break;
      }
    }
  }

  RegexProgram* p_;
  std::map<ByteSet, uint16_t> class_ids_;
};

}  // namespace

size_t regex_scratch_bytes(size_t ninst, unsigned ngroups) {
  // stp_regex.h's STP_REGEX_SCRATCH_FOR with 4-byte positions (the larger case).
  return ninst * 4 + 4 * (2 * ninst * (1 + 2 * static_cast<size_t>(ngroups)) +
                          2 * static_cast<size_t>(ngroups) + 2 * (2 * ninst + 2));
}

bool compile_regex(const std::string& re, RegexProgram* out, std::string* error) {
  *out = RegexProgram{};
  NodeP root;
  Parser parser(re);
  try {
    root = parser.parse();
  } catch (const Error& e) {
    *error = "regex compilation error";
    if (e.pos >= 0) *error += " (at position " + std::to_string(e.pos) + ")";
    *error += ": " + e.msg;
    return false;
  }
  out->ngroups = static_cast<unsigned>(parser.groups()) + 1;
  if (out->ngroups > kRegexMaxGroups) {
    *error = "regex compilation error: more than " + std::to_string(kRegexMaxGroups - 1) +
             " subexpressions";
    return false;
  }
  try {
    Emitter(out).program(*root);
  } catch (const TooLarge&) {
    *error = "regex compilation error: regular expression too large (over " +
             std::to_string(kRegexMaxInsts) + " instructions)";
    return false;
  }
  if (regex_scratch_bytes(out->code.size(), out->ngroups) > kRegexMaxScratch) {
    *error = "regex compilation error: regular expression too large (matching it needs " +
             std::to_string(regex_scratch_bytes(out->code.size(), out->ngroups)) +
             " bytes per CPU)";
    return false;
  }
  return true;
}

std::string regex_program_c(const RegexProgram& p, const std::string& name,
                            const std::string& pattern_comment) {
  static const char* const kOps[] = {"STP_RE_CHAR", "STP_RE_CLASS", "STP_RE_SPLIT", "STP_RE_JMP",
                                     "STP_RE_SAVE", "STP_RE_BOL",   "STP_RE_EOL",   "STP_RE_MATCH"};
  std::string c = "/* regex " + pattern_comment + " */\n";
  c += "static const struct stp_regex_inst " + name + "_code[] = {\n";
  for (const RegexInst& in : p.code) {
    c += "  { " + std::string(kOps[static_cast<int>(in.op)]) + ", " + std::to_string(in.arg) + ", " +
         std::to_string(in.x) + ", " + std::to_string(in.y) + " },\n";
  }
  c += "};\n";
  c += "static const uint32_t " + name + "_classes[][8] = {\n";
  if (p.classes.empty()) c += "  { 0 },\n";
  for (const auto& set : p.classes) {
    c += "  {";
    for (size_t w = 0; w < set.size(); ++w) {
      char buf[16];
      snprintf(buf, sizeof buf, " 0x%08xu", set[w]);
      c += buf;
      if (w + 1 < set.size()) c += ",";
    }
    c += " },\n";
  }
  c += "};\n";
  c += "static const struct stp_regex_prog " + name + " = { " + name + "_code, " +
       std::to_string(p.code.size()) + ", " + name + "_classes, " + std::to_string(p.ngroups) +
       " };\n";
  return c;
}

}  // namespace stap
