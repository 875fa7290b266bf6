/* runtime.h - everything a generated module includes before its own code.
 *
 * Order (runtime/README.md): limits, kernel headers, the shared types, then
 * every runtime header and source except linux/module_main.c, which the
 * generated file includes last, after its tables. */
#ifndef STP_RUNTIME_H
#define STP_RUNTIME_H

#include "runtime_defines.h"

#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/init.h>
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/rwlock.h>
#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/timex.h>
#include <linux/timekeeping.h>
#include <linux/math64.h>
#include <linux/uaccess.h>
#include <linux/ptrace.h>
#include <linux/hardirq.h>
#include <asm/irq_regs.h>
#include <linux/perf_event.h>

#include "stp_types.h"

#include "linux/compat.h"
#include "linux/session.h"
#include "linux/transport.h"
#include "linux/print.h"
#include "linux/runtime_api.h"
#include "linux/kderef.h"
#include "stp_regex.h"

/* The data-structure library (rtlib); its headers are optional until the
   branches are merged. */
#if __has_include("stp_string.h")
#include "stp_string.h"
#endif
#if __has_include("stp_map.h")
#include "stp_map.h"
#endif
#if __has_include("stp_stat.h")
#include "stp_stat.h"
#endif
#if __has_include("stp_format.h")
#include "stp_format.h"
#endif

#include "stp_regex.c"
#include "linux/transport.c"
#include "linux/print.c"
#include "linux/context.c"
#include "linux/memory.c"
#include "linux/probe_info.c"
#include "linux/session_info.c"
#include "linux/symbols.c"
#include "linux/timer.c"
#include "linux/perf.c"
#include "linux/kprobes.c"
#include "linux/tracepoints.c"

#if __has_include("stp_string.c")
#include "stp_string.c"
#endif
#if __has_include("stp_stat.c")
#include "stp_stat.c"
#endif
#if __has_include("stp_map.c")
#include "stp_map.c"
#endif
#if __has_include("stp_format.c")
#include "stp_format.c"
#endif

#endif /* STP_RUNTIME_H */
