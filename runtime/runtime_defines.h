/* runtime_defines.h - limits of the kernel runtime, each overridable with -D.
 *
 * PLACEHOLDER written by the transport branch so that its files compile on
 * their own; the rtlib branch owns this file and its version replaces this
 * one at merge.  Only the defaults listed in runtime/README.md are here. */
#ifndef STP_RUNTIME_DEFINES_H
#define STP_RUNTIME_DEFINES_H

#ifndef MAXSTRINGLEN
#define MAXSTRINGLEN 512
#endif
#ifndef MAXACTION
#define MAXACTION 1000
#endif
#ifndef MAXMAPENTRIES
#define MAXMAPENTRIES 2048
#endif
#ifndef MAXERRORS
#define MAXERRORS 0
#endif
#ifndef MAXSKIPPED
#define MAXSKIPPED 100
#endif
#ifndef MAXTRYLOCK
#define MAXTRYLOCK 100
#endif
#ifndef TRYLOCKDELAY
#define TRYLOCKDELAY 10
#endif
#ifndef MINSTACKSPACE
#define MINSTACKSPACE 1024
#endif
#ifndef STP_BUFFER_SIZE
#define STP_BUFFER_SIZE 8192
#endif
#ifndef HIST_WIDTH
#define HIST_WIDTH 50
#endif
#ifndef HIST_ELISION
#define HIST_ELISION 2
#endif
#ifndef STP_MAX_BUCKETS
#define STP_MAX_BUCKETS 128
#endif
#ifndef STP_OVERLOAD_THRESHOLD
#define STP_OVERLOAD_THRESHOLD 500000000LL
#endif
#ifndef STP_OVERLOAD_INTERVAL
#define STP_OVERLOAD_INTERVAL 1000000000LL
#endif
#if !defined(STP_NO_OVERLOAD) && !defined(STP_OVERLOAD)
#define STP_OVERLOAD
#endif

#endif /* STP_RUNTIME_DEFINES_H */
