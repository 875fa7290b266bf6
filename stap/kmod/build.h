// Pass 4: kbuild turns the generated C into a kernel module, reusing the module cache
// when the same source was already built for the same kernel and runtime.
#pragma once

#include <string>

namespace stap {

struct Session;

struct BuildResult {
  bool ok = false;
  std::string module_path;  // the .ko pass 5 loads
  bool cached = false;      // taken from the cache without building
};

// Where pass 4 finds the runtime: -R, then $SYSTEMTAP_RUNTIME, then the installed one.
std::string runtime_directory(const Session& s);

// Builds `source` (pass 3's output) into a module. The module name is -m's, else
// stap_<hash> when the cache is used, else stap_<pid>.
// pass3_report: the "using ... kb, in ... ms." part of pass 3's -v line, which is
// printed here once the C file has its place ("translated to C into PATH"), or replaced
// by "using cached" when the module cache has the module.
BuildResult build_module(Session& s, const std::string& source,
                         const std::string& pass3_report = "");

}  // namespace stap
