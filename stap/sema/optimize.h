// Pass-2 clean-ups SystemTap performs unless -u, with the warnings its users know:
//   never-assigned local/global variables (warned even with -u),
//   "Eliding assignment to 'x'" for stores to locals nobody reads,
//   "Eliding side-effect-free expression " for statements that do nothing,
//   "Probe 'NAME' has been elided" for probes left with an empty body.
#pragma once

#include <set>

namespace stap {

struct Session;
struct Program;
struct FunctionDecl;

// `functions` is the set of functions reachable from the probes; it is recomputed
// after elision (a call that was elided may leave a function unused).
void optimize_program(Session& s, Program& p, std::set<FunctionDecl*>& functions);

}  // namespace stap
