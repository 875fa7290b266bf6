// libFuzzer target over passes 1 and 2: the input is a script; nothing it holds may crash,
// hang or leak the translator.
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <streambuf>
#include <string>
#include <vector>

#include "stap/driver/passes.h"

namespace {

// Messages are formatted as in a real run but not kept: long fuzz inputs make many
// errors, each quoting its source line, and collecting them dominated the run time.
class DiscardBuf : public std::streambuf {
 protected:
  int overflow(int c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize n) override { return n; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string script(reinterpret_cast<const char*>(data), size);
  if (script.find('\0') != std::string::npos) return 0;
  std::vector<std::string> args = {"stap", "-p2", "-g", "-w", "-e", script, "1", "two"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  DiscardBuf buf;
  std::ostream out(&buf), err(&buf);
  stap::run_stap(static_cast<int>(args.size()), argv.data(), out, err);
  return 0;
}
