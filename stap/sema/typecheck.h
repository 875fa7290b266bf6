// Type inference over the resolved program, and the checks that need types.
#pragma once

namespace stap {

struct Session;
struct Program;

// Infers long/string/stats for every variable, array index and function, iterating to a
// fixed point; reports mismatches and unresolved types with upstream's messages.
void infer_types(Session& s, Program& p);

// Structural checks: foreach over arrays, arrays modified during foreach, stats usage.
void check_program(Session& s, Program& p);

}  // namespace stap
