#include "stap/kmod/output_bound.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "stap/parse/ast.h"
#include "stap/sema/elaborate.h"

namespace stap {

namespace {

constexpr int64_t kUnbounded = -1;
// What one call of an embedded-C function that prints can add (backtraces,
// register dumps): a generous guess, since its C is not analysed.
constexpr int64_t kEmbeddedPrint = 64 * 1024;
// A printed histogram: at most STP_MAX_BUCKETS lines of bar and counts.
constexpr int64_t kHistogram = 128 * 256;
// Wider static fields than this are not worth a bound.
constexpr int64_t kMaxField = 1 << 20;

int64_t add(int64_t a, int64_t b) { return a < 0 || b < 0 ? kUnbounded : a + b; }

class Bound : public TraversingVisitor {
 public:
  Bound(int64_t maxstr, std::map<const FunctionDecl*, int64_t>& memo,
        std::set<const FunctionDecl*>& active, int& recursion_hits)
      : maxstr_(maxstr), memo_(memo), active_(active), recursion_hits_(recursion_hits) {}

  int64_t of(Stmt* s) {
    visit_stmt(*this, s);
    return bytes_;
  }

  void visit(ForLoop& s) override {
    ++loops_;
    TraversingVisitor::visit(s);
    --loops_;
  }
  void visit(ForeachLoop& s) override {
    ++loops_;
    TraversingVisitor::visit(s);
    --loops_;
  }
  void visit(PrintFormat& e) override {
    TraversingVisitor::visit(e);
    if (!e.to_string) count(print_bound(e));
  }
  void visit(FunctionCall& e) override {
    TraversingVisitor::visit(e);
    for (const FunctionDecl* f : e.candidates) count(function_bound(f));
  }

 private:
  void count(int64_t n) {
    if (n == 0) return;
    bytes_ = loops_ > 0 ? kUnbounded : add(bytes_, n);
  }

  int64_t field(const FormatComponent& c) const {
    if (c.width == -2 || c.precision == -2) return kUnbounded;
    int64_t n = std::max<int64_t>(maxstr_, 32);
    if (c.width > 0) n = std::max<int64_t>(n, c.width);
    // %M prints each byte as two hex digits.
    if (c.precision > 0) n = std::max<int64_t>(n, int64_t{c.precision} * 2);
    return n > kMaxField ? kUnbounded : n;
  }

  int64_t print_bound(const PrintFormat& e) const {
    if (e.hist) return kHistogram;
    int64_t n = 0;
    if (e.formatted) {
      for (const FormatComponent& c : e.components)
        n = add(n, c.kind == FormatComponent::Literal ? static_cast<int64_t>(c.literal.size())
                                                      : field(c));
      return n;
    }
    int64_t per_arg = std::max<int64_t>(maxstr_, 32) + static_cast<int64_t>(e.raw_format.size());
    return static_cast<int64_t>(e.args.size()) * per_arg + 1;
  }

  int64_t function_bound(const FunctionDecl* f) {
    auto it = memo_.find(f);
    if (it != memo_.end()) return it->second;
    if (!f->body) return 0;
    if (f->body->kind == StmtKind::Embedded) {
      const std::string& code = static_cast<const EmbeddedStmt*>(f->body)->code;
      return code.find("print") != std::string::npos ? kEmbeddedPrint : 0;
    }
    if (active_.count(f)) {
      // Recursion: fine unless something on the cycle prints (checked
      // when the outermost call of f is done).
      ++recursion_hits_;
      return 0;
    }
    active_.insert(f);
    int hits_before = recursion_hits_;
    Bound inner(maxstr_, memo_, active_, recursion_hits_);
    int64_t n = inner.of(f->body);
    active_.erase(f);
    bool recursed = recursion_hits_ != hits_before;
    if (recursed && n != 0) n = kUnbounded;
    // A result computed while a caller's cycle is still open may miss what
    // the rest of the cycle prints: keep only complete ones.
    if (!recursed || active_.empty()) memo_[f] = n;
    return n;
  }

  int64_t maxstr_;
  std::map<const FunctionDecl*, int64_t>& memo_;
  std::set<const FunctionDecl*>& active_;
  int& recursion_hits_;
  int loops_ = 0;
  int64_t bytes_ = 0;
};

int64_t max_string_len(const std::vector<std::string>& defines) {
  int64_t n = 512;  // runtime_defines.h
  for (const std::string& d : defines) {
    if (d.rfind("MAXSTRINGLEN=", 0) == 0) {
      char* end = nullptr;
      long long v = std::strtoll(d.c_str() + 13, &end, 0);
      n = end && *end == '\0' && v > 0 ? v : kMaxField;
    }
  }
  return n;
}

}  // namespace

int64_t output_bound(const Program& p, const std::vector<std::string>& defines,
                     const std::vector<std::string>& families) {
  int64_t maxstr = max_string_len(defines);
  std::map<const FunctionDecl*, int64_t> memo;
  std::set<const FunctionDecl*> active;
  int recursion_hits = 0;
  int64_t total = 0;
  for (const DerivedProbe* d : p.probes) {
    if (std::find(families.begin(), families.end(), d->match.family) == families.end()) continue;
    Bound b(maxstr, memo, active, recursion_hits);
    visit_expr(b, d->condition);  // (a condition may call a function that prints)
    total = add(total, b.of(d->body));
  }
  return total;
}

}  // namespace stap
