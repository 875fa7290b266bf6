// One registration function per probe family; register_probe_families calls them all.
#pragma once

#include "stap/sema/probe_registry.h"

namespace stap {

void register_begin_end_families(ProbeRegistry& r);
void register_timer_families(ProbeRegistry& r);
void register_perf_families(ProbeRegistry& r);
void register_kernel_families(ProbeRegistry& r);

}  // namespace stap
