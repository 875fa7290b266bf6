// Runs the stap front end in-process and captures what it prints.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "stap/driver/passes.h"

struct StapRun {
  int rc;
  std::string out;
  std::string err;
};

inline StapRun run_stap_args(std::vector<std::string> args) {
  args.insert(args.begin(), "stap");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  int rc = stap::run_stap(static_cast<int>(args.size()), argv.data(), out, err);
  return {rc, out.str(), err.str()};
}
