/* rt_all.h: the runtime library as a generated module sees it (one
 * translation unit, runtime.h's order), over the user-space shim. */
#ifndef RT_ALL_H
#define RT_ALL_H

#include "runtime_defines.h"
#include "shim.h"
#include "stp_types.h"
#include "stp_string.h"
#include "stp_stat.h"
#include "stp_map.h"
#include "stp_format.h"
#include "stp_string.c"
#include "stp_stat.c"
#include "stp_map.c"
#include "stp_format.c"

#endif
