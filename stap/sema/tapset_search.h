// Where tapsets live, and pulling tapset files in on demand.
//
// Parsing the whole library on every run is what makes upstream's pass 1 slow. Instead we
// scan each tapset file's tokens once for the names it declares at top level (functions,
// globals, probe alias names) and parse a file only when a script needs one of them.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "stap/parse/ast.h"

namespace stap {

struct Session;

// Default dir ($SYSTEMTAP_TAPSET or PKGDATADIR/tapset), then -I dirs, each expanded into
// its runtime/version/arch subfolders in upstream's order.
std::vector<std::string> tapset_search_dirs(const Session& s);

// Parses every .stpm file (macros are global to all scripts); returns how many.
int load_library_macros(Session& s);

class TapsetIndex {
 public:
  explicit TapsetIndex(Session& s);

  // Files that may declare a function, a global, or an alias whose first component
  // matches `functor` (which may contain wildcards).
  std::vector<std::string> files_for_function(const std::string& name) const;
  std::vector<std::string> files_for_global(const std::string& name) const;
  std::vector<std::string> files_for_alias(const std::string& first_functor) const;

  // Parses `path` if not done yet; returns the file, or null if it was parsed already
  // or failed to parse (a broken tapset is reported and skipped).
  StapFile* load(const std::string& path);
  // Every function name / first alias component the library declares (for "similar:").
  std::vector<std::string> function_names() const;
  std::vector<std::string> alias_names() const;
  int files_parsed() const { return parsed_count_; }

 private:
  void scan(const std::string& path, int rank);
  bool read_cache(const std::string& cache, const std::vector<std::string>& files);
  void write_cache(const std::string& cache, const std::vector<std::string>& files);

  Session& s_;
  std::map<std::string, std::vector<std::string>> functions_, globals_, aliases_;
  std::set<std::string> loaded_;
  int parsed_count_ = 0;
};

}  // namespace stap
