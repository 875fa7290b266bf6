// Pass-2 checks around type inference, in the order upstream runs them:
//   before types: arity of every variable, probe conditions, assignment targets and
//                 delete operands;
//   after types:  @entry placement, foreach sort aggregates, @variance shifts and
//                 histogram kinds.
// Each returns false when it reported an error; the caller stops at the first failing step.
#pragma once

#include <set>
#include <string>

namespace stap {

struct Session;
struct Program;
struct Token;

// Reports each kind of semantic error once, as upstream does: a later error of the same
// kind (`key`, by default the message itself) is suppressed even when its text differs,
// e.g. a second "type mismatch" about another variable. A note follows only the error it
// belongs to.
class SemaErrors {
 public:
  explicit SemaErrors(Session& s) : s_(s) {}
  // Returns false when an error of this kind was already reported (nothing is printed).
  bool error(const std::string& msg, const Token* tok, const Token* tok2 = nullptr,
             const std::string& key = "");
  void note(const std::string& msg, const Token* tok);
  Session& session() { return s_; }

 private:
  Session& s_;
  std::set<std::string> seen_;
  bool last_printed_ = false;
};

// Infers the arity of every variable in resolution order (probes, then functions by name)
// and reports "inconsistent arity" uses; one error per probe or function body.
bool check_arity(SemaErrors& err, Program& p);
// Probe conditions may read globals only, and call no functions.
bool check_conditions(SemaErrors& err, Program& p);
// Assignment and increment targets must be lvalues; stops at the first bad one.
bool check_lvalues(SemaErrors& err, Program& p);
// `delete` takes a variable or an array element; stops at the first bad one.
bool check_delete_operands(SemaErrors& err, Program& p);

// @entry only in .return probes.
bool check_entry(SemaErrors& err, Program& p);
// foreach (... in a @sum+) needs a statistics array.
bool check_sort_aggregates(SemaErrors& err, Program& p);
// @variance(s, N) needs 0 <= N <= 62.
bool check_variance_shift(SemaErrors& err, Program& p);
// A statistics variable is printed with one histogram kind only.
bool check_histogram_types(SemaErrors& err, Program& p);

}  // namespace stap
