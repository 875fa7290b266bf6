// Pass 3 helper: compiles the regular expression of `s =~ "RE"` into a program for the
// runtime's bounded Pike VM (runtime/stp_regex.{h,c}), and writes that program as static
// C tables.  The syntax is POSIX ERE as upstream SystemTap accepts it (no back-references;
// `\x` is the character x, inside brackets too; `.` matches any byte, newline included).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace stap {

// Instruction codes; runtime/stp_regex.h has the same numbers (STP_RE_*).
enum class RegexOp : uint8_t {
  Char = 0,   // the byte `arg`
  Class = 1,  // a byte in classes[arg]
  Split = 2,  // try x, then y (x has priority)
  Jmp = 3,    // go to x
  Save = 4,   // capture slot arg := position
  Bol = 5,    // position 0
  Eol = 6,    // end of the string
  Match = 7,
};

struct RegexInst {
  RegexOp op;
  uint16_t arg = 0;  // byte, class index or slot
  uint16_t x = 0, y = 0;
};

struct RegexProgram {
  std::vector<RegexInst> code;
  std::vector<std::array<uint32_t, 8>> classes;  // 256-bit byte sets
  unsigned ngroups = 1;                           // subexpressions including the whole match
};

// Limits that keep the runtime's per-CPU scratch small (see RegexProgram's scratch size).
inline constexpr size_t kRegexMaxInsts = 4096;
inline constexpr unsigned kRegexMaxGroups = 64;  // including group 0
inline constexpr size_t kRegexMaxScratch = 256 * 1024;  // also bounds the work per byte

// Compiles `re` (the bytes of the script literal, escapes resolved).  On failure returns
// false with *error set to upstream's wording, e.g.
// "regex compilation error (at position 0): expected ), found end of regex".
bool compile_regex(const std::string& re, RegexProgram* out, std::string* error);

// Bytes of per-CPU scratch the runtime needs to run `p` (stp_regex.h's
// STP_REGEX_SCRATCH_BYTES for the largest program of a module).
size_t regex_scratch_bytes(size_t ninst, unsigned ngroups);

// C definitions of `p` as `static const struct stp_regex_prog NAME`.
std::string regex_program_c(const RegexProgram& p, const std::string& name,
                            const std::string& pattern_comment);

}  // namespace stap
