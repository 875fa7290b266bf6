#include "stap/driver/hash.h"

#include <cstdio>

namespace stap {

namespace {

uint64_t avalanche(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

}  // namespace

void Hash128::add(const void* data, size_t n) {
  const auto* p = static_cast<const unsigned char*>(data);
  // Two FNV-1a lanes with different primes; the second also mixes in the position.
  for (size_t i = 0; i < n; ++i) {
    a_ = (a_ ^ p[i]) * 0x100000001b3ULL;
    b_ = (b_ ^ (p[i] + (n_ + i))) * 0x1000000001b3ULL + 0x9e3779b97f4a7c15ULL;
  }
  n_ += n;
}

std::string Hash128::hex() const {
  char buf[40];
  snprintf(buf, sizeof buf, "%016llx%016llx",
           static_cast<unsigned long long>(avalanche(a_ ^ avalanche(b_))),
           static_cast<unsigned long long>(avalanche(b_ + a_)));
  return buf;
}

}  // namespace stap
