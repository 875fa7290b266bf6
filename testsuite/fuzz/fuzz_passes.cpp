// libFuzzer target over passes 1 and 2: the input is a script; nothing it holds may crash,
// hang or leak the translator.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "stap/driver/passes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string script(reinterpret_cast<const char*>(data), size);
  if (script.find('\0') != std::string::npos) return 0;
  std::vector<std::string> args = {"stap", "-p2", "-g", "-w", "-e", script, "1", "two"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::ostringstream out, err;
  stap::run_stap(static_cast<int>(args.size()), argv.data(), out, err);
  return 0;
}
