// Pass 2 for target variables: $var, $var->a[i]->b, &$var, $var$, $$parms/$$locals/$$vars/
// $$return, $return, @cast, @defined and @entry in kernel probes. Each resolved node gets
// a TargetCode (stap/parse/ast.h): C that reads (and in guru mode writes) the value with
// the runtime's fault-safe accessors, which pass 3 pastes in.
#pragma once

#include <functional>

namespace stap {

struct Session;
struct DerivedProbe;
struct FunctionDecl;
namespace debuginfo {
class KernelInfo;
}

// `kernel` opens the target kernel's type information on demand (for @cast in any probe).
void resolve_target_vars(Session& s, DerivedProbe& d,
                         const std::function<debuginfo::KernelInfo*()>& kernel);

// The same for a script function's body (tapset helpers built on @cast).
void resolve_function_target_vars(Session& s, FunctionDecl& f,
                                  const std::function<debuginfo::KernelInfo*()>& kernel);

}  // namespace stap
