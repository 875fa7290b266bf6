// Pass 2: resolve symbols and probe points (pulling tapsets in on demand), expand
// aliases, infer types and check the program. The result is a typed Program that later
// backends consume.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "stap/parse/ast.h"
#include "stap/sema/probe_registry.h"

namespace stap {

struct Session;
namespace debuginfo {
class KernelInfo;
}

struct DerivedProbe {
  const Token* tok = nullptr;        // the user's "probe" keyword
  std::string name;                  // concrete probe point, e.g. "timer.s(1)"
  std::string chain;                 // what it was derived from, for the -p2 comment
  FamilyMatch match;
  Block* body = nullptr;
  Expr* condition = nullptr;
  std::vector<VarDecl*> locals;
  bool synthetic = false;
  const Probe* user = nullptr;       // the script's probe it came from
  int entry_slots = 0;               // .return: values saved at function entry (@entry)
  // -l/-L: the point as listed, the first-level alias name when it came through one
  // ("syscall.write", not what that expands to).
  std::string listed_as;
};

struct Program {
  std::vector<VarDecl*> globals;
  std::vector<FunctionDecl*> functions;  // reachable ones, sorted by name
  std::vector<DerivedProbe*> probes;
  std::vector<EmbeddedStmt*> embeds;
  // The target kernel's data, when pass 2 opened it: owns the types and functions the
  // probes' KernelProbe records point to, which later passes and -L read.
  std::shared_ptr<debuginfo::KernelInfo> kernel_info;
};

bool elaborate(Session& s);

// -p2 order of functions: by name, overloads of one name in the order written.
bool function_listing_less(const FunctionDecl* a, const FunctionDecl* b);

}  // namespace stap
