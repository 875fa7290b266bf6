// A 128-bit non-cryptographic hash for cache keys, printed as 32 hex digits.
#pragma once

#include <cstdint>
#include <string>

namespace stap {

class Hash128 {
 public:
  void add(const void* data, size_t n);
  void add(const std::string& s) {
    add(s.data(), s.size());
    add_sep();
  }
  void add(int64_t v) { add(std::to_string(v)); }
  std::string hex() const;
  uint64_t bytes() const { return n_; }

 private:
  void add_sep() { add("\0", 1); }
  uint64_t a_ = 0xcbf29ce484222325ULL;
  uint64_t b_ = 0x84222325cbf29ce4ULL;
  uint64_t n_ = 0;
};

}  // namespace stap
