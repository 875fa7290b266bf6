#pragma once

namespace stap {
// The language level we implement: what `systemtap_v` and `--compatible` compare with.
constexpr const char* kStapVersion = "5.6";
}  // namespace stap
