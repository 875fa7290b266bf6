#include <iostream>

#include "stap/driver/passes.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  // The process ends right after: no need to free the session (see run_stap).
  return stap::run_stap(argc, argv, std::cout, std::cerr, /*free_session=*/false);
}
