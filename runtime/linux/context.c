/* context.c - per-CPU contexts, running a probe handler, errors and exit.
 *
 * A handler runs with preemption disabled (interrupts too with
 * -DINTERRUPTIBLE=0) and owns its CPU's struct context.  Everything around
 * the handler -- reentrancy, session-state gating, global locks, error
 * reporting and counting, overload detection, flushing the output -- is
 * here, so generated code only emits the handler body. */

#ifndef INTERRUPTIBLE
#define INTERRUPTIBLE 1
#endif
#ifndef MAXACTION_INTERRUPTIBLE
#define MAXACTION_INTERRUPTIBLE (MAXACTION * 10)
#endif
/* The statements a handler may run. */
#define STP_MAXACTION_NOW (INTERRUPTIBLE ? MAXACTION_INTERRUPTIBLE : MAXACTION)

static struct context __percpu *_stp_contexts;
static void *_stp_frames_mem[NR_CPUS];
static void _stp_overload_init(void);
static void _stp_overload_open(struct context *c);

/* frame_bytes: (MAXNESTING + 1) * stp_frame_size, known only to generated
   code. */
static int _stp_contexts_alloc(size_t frame_bytes)
{
  unsigned cpu;

  _stp_contexts = alloc_percpu(struct context);
  if (!_stp_contexts)
    return -ENOMEM;
  _stp_context_frame_bytes = frame_bytes;
  _stp_overload_init();
  for_each_possible_cpu(cpu) {
    struct context *c = per_cpu_ptr(_stp_contexts, cpu);
    atomic_set(&c->busy, 0);
    c->kstack_n = -1;
    _stp_overload_open(c);
    /* The regex matcher's scratch (stp_regex.h) follows the frames. */
    _stp_frames_mem[cpu] = vzalloc(ALIGN(frame_bytes, 8) + STP_REGEX_SCRATCH_BYTES + 1);
    if (!_stp_frames_mem[cpu])
      return -ENOMEM;
    c->frames = _stp_frames_mem[cpu];
    c->regex_scratch = STP_REGEX_SCRATCH_BYTES ?
      (char *)_stp_frames_mem[cpu] + ALIGN(frame_bytes, 8) : NULL;
  }
  return 0;
}

static void _stp_contexts_free(void)
{
  unsigned cpu;

  for_each_possible_cpu(cpu) {
    vfree(_stp_frames_mem[cpu]);
    _stp_frames_mem[cpu] = NULL;
  }
  free_percpu(_stp_contexts);
  _stp_contexts = NULL;
}

/* Waits until no handler is running on any CPU.  Handlers run with
   preemption off, so one RCU grace period covers those that started before
   the call; the busy flags catch anything else. */
static void _stp_contexts_wait(void)
{
  unsigned cpu;

  synchronize_rcu();
  if (!_stp_contexts)
    return;
  for_each_possible_cpu(cpu) {
    struct context *c = per_cpu_ptr(_stp_contexts, cpu);
    while (atomic_read(&c->busy))
      msleep(1);
  }
}

/* ---- messages, exit ---- */

static void _stp_warn(const char *fmt, ...)
{
  va_list args;
  va_start(args, fmt);
  _stp_ctl_log("WARNING: ", fmt, args);
  va_end(args);
}

/* An error that does not by itself end the session (handler errors are
   counted against MAXERRORS by the caller). */
static void _stp_softerror(const char *fmt, ...)
{
  va_list args;
  va_start(args, fmt);
  _stp_ctl_log("ERROR: ", fmt, args);
  va_end(args);
}

/* A runtime-internal error: reported and the session is asked to end. */
static void _stp_error(const char *fmt, ...)
{
  va_list args;
  va_start(args, fmt);
  _stp_ctl_log("ERROR: ", fmt, args);
  va_end(args);
  WRITE_ONCE(_stp_exit_flag, 1);
}

/* exit(): no probe but end probes starts from now on; the running handler
   finishes.  The control timer notices the flag and asks stapio to stop. */
static void _stp_exit(void)
{
  atomic_cmpxchg(&_stp_session_state, STAP_SESSION_RUNNING, STAP_SESSION_STOPPING);
  atomic_cmpxchg(&_stp_session_state, STAP_SESSION_STARTING, STAP_SESSION_STOPPING);
  WRITE_ONCE(_stp_exit_flag, 1);
}

/* The unwinding marker of abort(): generated code leaves the handler when
   last_error is set, and stp_run_probe does not report it because aborted
   is set too. */
static const char _stp_abort_marker[] = "abort";

static void _stp_abort(struct context *c)
{
  _stp_exit();
  c->aborted = 1;
  c->last_error = _stp_abort_marker;
}

/* ---- global locks ---- */

/* Handlers run with preemption disabled, so a handler takes a global's lock
   word itself: what read_trylock() does once it has disabled preemption,
   inline instead of a call into the kernel.  Kernels whose locks carry
   debugging or lockdep state get the kernel's full calls.  Every taker of a
   stp_global_lock goes through these two, so the pairs always match. */
#if !defined(CONFIG_DEBUG_SPINLOCK) && !defined(CONFIG_DEBUG_LOCK_ALLOC) && \
    !defined(CONFIG_PREEMPT_RT)
static __always_inline int _stp_read_trylock_raw(rwlock_t *l)
{
#if defined(CONFIG_QUEUED_RWLOCKS) && defined(_QR_BIAS) && defined(_QW_WMASK)
  /* queued_read_trylock() without its first look at the word: the add is the
     test, as in queued_read_lock()'s fast path. */
  if (likely(!((u32) atomic_add_return_acquire(_QR_BIAS, &l->raw_lock.cnts) & _QW_WMASK)))
    return 1;
  atomic_sub(_QR_BIAS, &l->raw_lock.cnts);
  return 0;
#else
  return do_raw_read_trylock(l);
#endif
}

static __always_inline int _stp_trylock_one(const struct stp_lock_req *r)
{
  return r->write ? do_raw_write_trylock(&r->lock->lock) : _stp_read_trylock_raw(&r->lock->lock);
}

static __always_inline void _stp_unlock_one(const struct stp_lock_req *r)
{
  if (r->write)
    do_raw_write_unlock(&r->lock->lock);
  else
    do_raw_read_unlock(&r->lock->lock);
}
#else
static int _stp_trylock_one(const struct stp_lock_req *r)
{
  return r->write ? write_trylock(&r->lock->lock) : read_trylock(&r->lock->lock);
}

static void _stp_unlock_one(const struct stp_lock_req *r)
{
  if (r->write)
    write_unlock(&r->lock->lock);
  else
    read_unlock(&r->lock->lock);
}
#endif

/* A lock another CPU holds: MAXTRYLOCK tries TRYLOCKDELAY microseconds apart, as
   upstream; but most holders (another CPU's handler updating the same global) are
   done within a few hundred cycles, so the first wait spins briefly instead of
   sleeping a whole delay. */
#ifndef STP_LOCK_SPINS
#define STP_LOCK_SPINS 64
#endif
static noinline int _stp_lock_wait(const struct stp_lock_req *r)
{
  int tries, spin;

  atomic_inc(&r->lock->contention);
  for (spin = 0; spin < STP_LOCK_SPINS; spin++) {
    cpu_relax();
    if (_stp_trylock_one(r))
      return 1;
  }
  for (tries = 1; tries < MAXTRYLOCK; tries++) {
    udelay(TRYLOCKDELAY);
    if (_stp_trylock_one(r))
      return 1;
  }
  return 0;
}

/* Takes p's locks in table order; on failure releases what it took.  Inline,
   so a probe's constant lock table folds into its entry. */
static __always_inline int _stp_lock_probe(const struct stp_probe *p)
{
  unsigned i;

  for (i = 0; i < p->nlocks; i++) {
    if (likely(_stp_trylock_one(&p->locks[i])) || _stp_lock_wait(&p->locks[i]))
      continue;
    while (i-- > 0)
      _stp_unlock_one(&p->locks[i]);
    return 0;
  }
  return 1;
}

static __always_inline void _stp_unlock_probe(const struct stp_probe *p)
{
  unsigned i = p->nlocks;

  while (i-- > 0)
    _stp_unlock_one(&p->locks[i]);
}

/* ---- running a handler ---- */

/* Overload detection: each CPU sums its handlers' cycles over windows of
   STP_OVERLOAD_INTERVAL cycles and ends the session when a window's sum
   passes STP_OVERLOAD_THRESHOLD.  The per-hit part is inline; closing a
   window is not.

   On x86 a window of at least 100M cycles (the default is 1G) is timed in
   jiffies, the same length at the TSC's rate: the hit then reads only the
   clock's low half, and a clock that jumps back (a TSC reset on resume)
   cannot hold a window open.  Shorter windows are timed in cycles. */
#if defined(STP_OVERLOAD) && defined(CONFIG_X86_64) && STP_OVERLOAD_INTERVAL >= 100000000LL
#define STP_OVERLOAD_JIFFIES 1
static unsigned long _stp_overload_jiffies = HZ;

static void _stp_overload_init(void)
{
  u64 per_jiffy = div_u64((u64) tsc_khz * 1000, HZ);

  if (per_jiffy)
    _stp_overload_jiffies = max_t(u64, 1, div64_u64(STP_OVERLOAD_INTERVAL, per_jiffy));
}
#else
static void _stp_overload_init(void)
{
}
#endif

static void _stp_overload_open(struct context *c)
{
#ifdef STP_OVERLOAD_JIFFIES
  c->cycles_base = jiffies + _stp_overload_jiffies;   /* the window's end */
#else
  c->cycles_base = get_cycles();                      /* the window's start */
#endif
  c->cycles_sum = 0;
}

static noinline void _stp_overload_window(struct context *c)
{
#ifdef STP_OVERLOAD
  if (c->cycles_sum > STP_OVERLOAD_THRESHOLD) {
    _stp_error("probe overhead (%lld cycles) exceeded threshold (%lld cycles) in last %lld cycles",
               (long long) c->cycles_sum, (long long) STP_OVERLOAD_THRESHOLD,
               (long long) STP_OVERLOAD_INTERVAL);
    atomic_set(&_stp_session_state, STAP_SESSION_ERROR);
    atomic_inc(&_stp_error_count);
  }
  _stp_overload_open(c);
#endif
}

/* The clock's low half: enough for one handler's length (compilers do not
   drop get_cycles()'s shift and or of the high half by themselves). */
static __always_inline u32 _stp_cycles_lo(void)
{
#if defined(CONFIG_X86_64)
  u32 lo;

  asm volatile("rdtsc" : "=a" (lo) : : "edx");
  return lo;
#else
  return (u32) get_cycles();
#endif
}

static __always_inline u32 _stp_overload_start(void)
{
#ifdef STP_OVERLOAD
  return _stp_cycles_lo();
#else
  return 0;
#endif
}

static __always_inline void _stp_check_overload(struct context *c, u32 start)
{
#ifdef STP_OVERLOAD_JIFFIES
  c->cycles_sum += (u32) (_stp_cycles_lo() - start);
  if (unlikely((long) (jiffies - (unsigned long) c->cycles_base) >= 0))
    _stp_overload_window(c);
#elif defined(STP_OVERLOAD)
  cycles_t end = get_cycles();

  c->cycles_sum += (u32) ((u32) end - start);
  /* A clock that went backwards wraps to a huge interval, which also
     closes the window. */
  if (unlikely(end - c->cycles_base > STP_OVERLOAD_INTERVAL))
    _stp_overload_window(c);
#endif
}

/* A probe that did not run: counted, and too many end the session. */
static noinline void _stp_probe_skipped(atomic_t *why, int counts)
{
  if (why)
    atomic_inc(why);
  if (!counts)
    return;
  if (atomic_inc_return(&_stp_skipped_count) > MAXSKIPPED &&
      atomic_cmpxchg(&_stp_session_state, STAP_SESSION_RUNNING, STAP_SESSION_ERROR) ==
      STAP_SESSION_RUNNING)
    _stp_error("Skipped too many probes, check MAXSKIPPED or try again with stap -t for more details.");
}

/* The handler left an error (or abort()'s marker) in c: report the error and
   count it against MAXERRORS.  Clears the error state, which every handler
   starts without: the fast path does not reset it. */
static noinline void _stp_probe_error(struct context *c)
{
  if (!c->aborted) {
    if (c->last_stmt)
      _stp_softerror("%s near %s", c->last_error, c->last_stmt);
    else
      _stp_softerror("%s", c->last_error);
    atomic_inc(&_stp_error_count);
    if (atomic_read(&_stp_error_count) > MAXERRORS) {
      atomic_set(&_stp_session_state, STAP_SESSION_ERROR);
      WRITE_ONCE(_stp_exit_flag, 1);
    }
  }
  c->last_error = NULL;
  c->last_stmt = NULL;
  c->aborted = 0;
}

#ifdef STP_TIMING
/* stap -t: handler cycles of each probe, indexed by stp_probe.index. */
static struct stp_stat **_stp_probe_timing;
#endif

/* A function with no buffer a handler could overrun (a tracepoint callback's
   argument array) need not pay for a stack canary. */
#if defined(__has_attribute)
#if __has_attribute(__no_stack_protector__)
#define STP_NO_CANARY __attribute__((__no_stack_protector__))
#endif
#endif
#ifndef STP_NO_CANARY
#define STP_NO_CANARY
#endif

/* _stp_probe_run's flags. */
#define STP_RUN_ATOMIC 1  /* the caller already runs with preemption disabled */
#define STP_RUN_NODATA 2  /* the handler reads no probe_data (a kprobe, or a tracepoint
                             probe that reads no argument) */
/* Tracepoint callbacks run with preemption disabled up to 6.12; later kernels
   may call system-call tracepoints where faults are allowed. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#define STP_RUN_TRACEPOINT STP_RUN_ATOMIC
#else
#define STP_RUN_TRACEPOINT 0
#endif

/* Runs p's handler if the session is in `state` (begin: STARTING, end:
   STOPPING, error: ERROR, every other probe: RUNNING).  Inline: pass 3 gives
   each kprobe, kretprobe and tracepoint probe its own entry function calling
   this with constants, so the probe's handler, lock table and flags fold in and
   the hit costs no indirect call.

   A handler starts with nesting 0 and no error, abort or "near" location, and
   leaves them so (function calls restore nesting; _stp_probe_error clears the
   rest), so only what differs between hits is set here. */
static __always_inline void _stp_probe_run(const struct stp_probe *p, struct pt_regs *regs,
                                           int state, void *data, unsigned flags)
{
  struct context *c;
  u32 start;
#ifdef STP_TIMING
  /* -t times the whole probe entry, context and locks included, as upstream does. */
  cycles_t entry = get_cycles();
#endif
#if !INTERRUPTIBLE
  unsigned long irqflags;
  local_irq_save(irqflags);
#endif
  if (!(flags & STP_RUN_ATOMIC))
    preempt_disable();

  /* Too little stack left to run script code safely.  (The stack pointer
     register, not a local's address: that would cost a stack canary.) */
  if (!p->tiny && unlikely((current_stack_pointer & (THREAD_SIZE - 1)) < MINSTACKSPACE)) {
    _stp_probe_skipped(&_stp_skipped_lowstack, 1);
    goto out;
  }
  /* One plain read (no reload is possible here), compared in memory. */
  if (_stp_session_state.counter != state)
    goto out;
  c = this_cpu_ptr(_stp_contexts);
  if (unlikely(c->busy.counter)) {
    /* A probe fired inside another handler on this CPU.  As in upstream,
       this counts as skipped only when interrupts are off during handlers
       (-DINTERRUPTIBLE=0); otherwise it is only visible with -t. */
    _stp_probe_skipped(&_stp_skipped_reentrant, !INTERRUPTIBLE);
    goto out;
  }
  /* Only this CPU sets and clears its flag, and no locked operation is needed
     for that: whatever interrupts it between the test and the store (an
     interrupt, an NMI and the probes they hit) has finished with the context
     before this handler goes on. */
  atomic_set(&c->busy, 1);
  barrier();

  if (!p->tiny) {
    c->probe = p;
    c->kregs = regs;
#ifdef STP_NEED_KSTACK
    c->kstack_n = -1;
#endif
  }
  if (!p->no_actions)
    c->actionremaining = STP_MAXACTION_NOW;
  if (!(flags & STP_RUN_NODATA))
    c->probe_data = data;
#if STP_REGEX_MAXINST > 0
  c->regex.matched = 0;
  c->regex.ngroups = 0;
#endif

  if (unlikely(!_stp_lock_probe(p))) {
    _stp_probe_skipped(NULL, 1);
    goto put;
  }
  start = p->tiny ? 0 : _stp_overload_start();
  p->handler(c);
  _stp_unlock_probe(p);
#ifdef STP_TIMING
  if (_stp_probe_timing && _stp_probe_timing[p->index])
    stp_stat_add(_stp_probe_timing[p->index], (int64_t)(get_cycles() - entry));
#endif
  /* begin, end and error probes run once each and are not held to the budget. */
  if (state == STAP_SESSION_RUNNING && !p->tiny)
    _stp_check_overload(c, start);

  if (!p->tiny && unlikely(c->last_error))
    _stp_probe_error(c);
put:
  /* The buffers exist from before the first probe to after the last. */
  if (!p->no_print && this_cpu_read(_stp_print_bufs->len))
    _stp_print_flush_now();
  barrier();
  atomic_set(&c->busy, 0);
out:
  if (!(flags & STP_RUN_ATOMIC))
    preempt_enable();
#if !INTERRUPTIBLE
  local_irq_restore(irqflags);
#endif
}

/* For the probes that are not worth an entry of their own (begin, end, error,
   timers, perf): one out-of-line copy. */
static noinline void _stp_run_probe_full(const struct stp_probe *p, struct pt_regs *regs,
                                         int state, void *data)
{
  _stp_probe_run(p, regs, state, data, 0);
}

static void _stp_run_probe_in_state(const struct stp_probe *p, struct pt_regs *regs, int state)
{
  _stp_run_probe_full(p, regs, state, NULL);
}

static void stp_run_probe(const struct stp_probe *p, struct pt_regs *regs)
{
  _stp_run_probe_in_state(p, regs, STAP_SESSION_RUNNING);
}

/* ---- tapset helpers that belong to the session ---- */

static const char *_stp_probe_point(struct context *c)
{
  return c->probe ? c->probe->pp : "";
}

static const char *_stp_probe_name(struct context *c)
{
  return c->probe ? c->probe->pn : "";
}

static int _stp_probe_is_return(struct context *c)
{
  return c->probe ? c->probe->is_return : 0;
}

static int _stp_probe_user_mode(struct context *c)
{
  return c->kregs ? user_mode(c->kregs) : 0;
}

static struct pt_regs *_stp_probe_kregs(struct context *c)
{
  return c->kregs;
}

/* Wall-clock time that is safe in any context, NMI included. */
static u64 _stp_gettimeofday_ns(void)
{
  return ktime_get_real_fast_ns();
}
