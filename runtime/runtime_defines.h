/* runtime_defines.h: limits of the kernel runtime.
 *
 * Every value can be overridden with -DNAME=VALUE on the stap command line;
 * pass 3 puts those definitions before this file.  The defaults are
 * SystemTap 4.8's, so scripts hit the same limits as with upstream.
 *
 * This file is included first, before any kernel header, so it may use only
 * the compiler's own predefined macros.
 */
#ifndef STP_RUNTIME_DEFINES_H
#define STP_RUNTIME_DEFINES_H

/* Longest string a script value can hold, including the terminating NUL. */
#ifndef MAXSTRINGLEN
#if defined(__SIZEOF_LONG__) && __SIZEOF_LONG__ == 4
#define MAXSTRINGLEN 256
#else
#define MAXSTRINGLEN 512
#endif
#endif

/* Statements one handler may run before "MAXACTION exceeded". */
#ifndef MAXACTION
#define MAXACTION 1000
#endif
#ifndef MAXACTION_INTERRUPTIBLE
#define MAXACTION_INTERRUPTIBLE (MAXACTION * 10)
#endif
#ifndef INTERRUPTIBLE
#define INTERRUPTIBLE 1
#endif

/* Default number of entries of an array declared without a size. */
#ifndef MAXMAPENTRIES
#define MAXMAPENTRIES 2048
#endif

/* The session ends once more than MAXERRORS errors were reported. */
#ifndef MAXERRORS
#define MAXERRORS 0
#endif
#ifndef MAXSKIPPED
#define MAXSKIPPED 100
#endif

/* Global locks: MAXTRYLOCK attempts, TRYLOCKDELAY microseconds apart. */
#ifndef MAXTRYLOCK
#define MAXTRYLOCK 100
#endif
#ifndef TRYLOCKDELAY
#define TRYLOCKDELAY 10
#endif

#ifndef MINSTACKSPACE
#define MINSTACKSPACE 1024
#endif

/* Pass 3 bounds the bytes the begin probes, and the end and error probes, can
   print (-1: no bound); those that may not fit the first, small output buffers
   get the full-size ones first (linux/transport.c). */
#ifndef STP_BEGIN_OUTPUT_BOUND
#define STP_BEGIN_OUTPUT_BOUND -1LL
#endif
#ifndef STP_END_OUTPUT_BOUND
#define STP_END_OUTPUT_BOUND -1LL
#endif

/* Pass 3 computes the real value from the call graph. */
#ifndef MAXNESTING
#define MAXNESTING 10
#endif

#ifndef MAXBACKTRACE
#define MAXBACKTRACE 20
#endif

/* Size of one CPU's print buffer, and so the most one printf can emit. */
#ifndef STP_BUFFER_SIZE
#define STP_BUFFER_SIZE 8192
#endif

#ifndef STP_PROCFS_BUFSIZE
#define STP_PROCFS_BUFSIZE MAXSTRINGLEN
#endif

/* Overload detection, in cycles. */
#ifndef STP_OVERLOAD_INTERVAL
#define STP_OVERLOAD_INTERVAL 1000000000LL
#endif
#ifndef STP_OVERLOAD_THRESHOLD
#define STP_OVERLOAD_THRESHOLD 500000000LL
#endif
#if !defined(STP_NO_OVERLOAD) && !defined(STAP_NO_OVERLOAD) && \
    !defined(STAP_SUPPRESS_TIME_LIMITS_ENABLE) && !defined(STP_OVERLOAD)
#define STP_OVERLOAD
#endif

/* Histograms: bar width, zero rows kept next to data (negative: never
   elide), and the most buckets one histogram may have. */
#ifndef HIST_WIDTH
#define HIST_WIDTH 50
#endif
#ifndef HIST_ELISION
#define HIST_ELISION 2
#endif
#ifndef STP_MAX_BUCKETS
#define STP_MAX_BUCKETS 128
#endif
/* A log histogram always has 128 buckets; bucket 64 counts zeros. */
#define HIST_LOG_BUCKETS 128
#define HIST_LOG_BUCKET0 64
#if STP_MAX_BUCKETS < HIST_LOG_BUCKETS
#error "STP_MAX_BUCKETS must be at least 128: a log histogram has 128 buckets"
#endif

#endif /* STP_RUNTIME_DEFINES_H */
