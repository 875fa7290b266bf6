// begin, end, error (each with an optional sequence number) and never.
#include "stap/probes/families.h"

namespace stap {

void register_begin_end_families(ProbeRegistry& r) {
  for (const char* name : {"begin", "end", "error"}) {
    r.add({name, {{name, ArgKind::None}}, nullptr, true});
    r.add({name, {{name, ArgKind::Number}}, nullptr, true});
  }
  r.add({"never", {{"never", ArgKind::None}}, nullptr, true});
}

}  // namespace stap
