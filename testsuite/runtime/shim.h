/* shim.h: the few kernel interfaces the runtime library uses, mapped to
 * libc so testsuite/runtime can unit test runtime/stp_*.c in user space.
 *
 * CPUs are simulated: shim_ncpus possible CPUs (set before creating maps or
 * statistics) and a settable current CPU, so per-CPU accumulation and
 * aggregation really run over several copies.  The print buffer is one
 * STP_BUFFER_SIZE buffer whose flushed contents collect in a capture string.
 * Memory reads below SHIM_FAULT_LIMIT fault, so %m/%M error paths can be
 * tested.  Allocation counters let tests check that *_free releases all.
 */
#ifndef SHIM_H
#define SHIM_H

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define __maybe_unused __attribute__((unused))
#define __percpu
#define __user
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define PAGE_SIZE 4096UL
#define GFP_KERNEL 0

typedef struct { int counter; } atomic_t;
typedef struct { int locked; } rwlock_t;
typedef struct { int locked; } raw_spinlock_t;
typedef unsigned long long cycles_t;
struct pt_regs;

/* --- memory --------------------------------------------------------------- */
extern long shim_live_allocs;       /* allocations not yet freed */
extern int shim_fail_alloc_after;   /* >= 0: that many more succeed, then ENOMEM */

static inline void *shim_alloc(size_t n)
{
  void *p;
  if (shim_fail_alloc_after == 0)
    return NULL;
  if (shim_fail_alloc_after > 0)
    shim_fail_alloc_after--;
  p = calloc(1, n ? n : 1);
  if (p)
    shim_live_allocs++;
  return p;
}
static inline void shim_free(void *p)
{
  if (p) {
    shim_live_allocs--;
    free(p);
  }
}
#define kmalloc(n, gfp) shim_alloc(n)
#define kzalloc(n, gfp) shim_alloc(n)
#define kcalloc(n, size, gfp) shim_alloc((size_t)(n) * (size))
#define vmalloc(n) shim_alloc(n)
#define vzalloc(n) shim_alloc(n)
#define kfree(p) shim_free(p)
#define vfree(p) shim_free(p)

/* --- CPUs ----------------------------------------------------------------- */
extern int shim_ncpus;
extern int shim_cpu;
#define nr_cpu_ids ((unsigned)shim_ncpus)
#define for_each_possible_cpu(cpu) for ((cpu) = 0; (cpu) < shim_ncpus; (cpu)++)
#define smp_processor_id() (shim_cpu)

/* Per-CPU areas: a header with the element size, then one copy per CPU. */
struct shim_percpu { size_t size; int ncpus; long pad; };
static inline void *__alloc_percpu(size_t size, size_t align)
{
  struct shim_percpu *h;
  size = (size + align - 1) / align * align;
  h = shim_alloc(sizeof(*h) + size * (size_t)shim_ncpus);
  if (!h)
    return NULL;
  h->size = size;
  h->ncpus = shim_ncpus;
  return h + 1;
}
static inline void free_percpu(void *p)
{
  if (p)
    shim_free((struct shim_percpu *)p - 1);
}
static inline void *shim_per_cpu_ptr(void *p, int cpu)
{
  struct shim_percpu *h = (struct shim_percpu *)p - 1;
  if (cpu < 0 || cpu >= h->ncpus)
    abort();
  return (char *)p + h->size * (size_t)cpu;
}
#define per_cpu_ptr(p, cpu) shim_per_cpu_ptr((p), (cpu))
#define this_cpu_ptr(p) shim_per_cpu_ptr((p), shim_cpu)

/* --- locks (tests are single-threaded; nesting is checked) ---------------- */
#define raw_spin_lock_init(l) ((l)->locked = 0)
#define raw_spin_lock_irqsave(l, flags) \
  do { if ((l)->locked++) abort(); (flags) = 0; } while (0)
#define raw_spin_unlock_irqrestore(l, flags) \
  do { (void)(flags); if (--(l)->locked) abort(); } while (0)

/* --- arithmetic ----------------------------------------------------------- */
#define do_div(n, base) ({                                   \
  uint32_t __base = (base);                                  \
  uint32_t __rem = (uint32_t)((uint64_t)(n) % __base);       \
  (n) = (uint64_t)(n) / __base;                              \
  __rem; })
static inline int64_t div64_s64(int64_t a, int64_t b) { return a / b; }
static inline uint64_t div64_u64(uint64_t a, uint64_t b) { return a / b; }

/* --- fault-safe reads ----------------------------------------------------- */
#define SHIM_FAULT_LIMIT 65536UL
static inline long copy_from_kernel_nofault(void *dst, const void *src, size_t n)
{
  if ((uintptr_t)src < SHIM_FAULT_LIMIT)
    return -EFAULT;
  memcpy(dst, src, n);
  return 0;
}
static inline long copy_from_user_nofault(void *dst, const void *src, size_t n)
{
  return copy_from_kernel_nofault(dst, src, n);
}

/* --- the transport's print buffer ----------------------------------------- */
/* One CPU's buffer of STP_BUFFER_SIZE bytes; a flush moves it to the capture. */
char *shim_print_reserve(size_t *avail);
void shim_print_commit(size_t n);
void shim_print_flush(void);
/* Everything printed so far, flushed or not (NULs included; len is set). */
const char *shim_output(size_t *len);
void shim_output_reset(void);
extern int shim_flushes;

static inline __maybe_unused char *_stp_print_reserve(size_t *avail) { return shim_print_reserve(avail); }
static inline __maybe_unused void _stp_print_commit(size_t n) { shim_print_commit(n); }
static inline __maybe_unused void _stp_print_flush(void) { shim_print_flush(); }
static inline __maybe_unused void _stp_print(const char *s)
{
  size_t avail, n = strlen(s);
  char *p = shim_print_reserve(&avail);
  if (avail < n) {
    shim_print_flush();
    p = shim_print_reserve(&avail);
  }
  if (n > avail)
    n = avail;
  memcpy(p, s, n);
  shim_print_commit(n);
}

#endif /* SHIM_H */
