#include <iostream>

#include "stap/driver/passes.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return stap::run_stap(argc, argv, std::cout, std::cerr);
}
