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

static struct context __percpu *_stp_contexts;
static void *_stp_frames_mem[NR_CPUS];

/* frame_bytes: (MAXNESTING + 1) * stp_frame_size, known only to generated
   code. */
static int _stp_contexts_alloc(size_t frame_bytes)
{
  unsigned cpu;

  _stp_contexts = alloc_percpu(struct context);
  if (!_stp_contexts)
    return -ENOMEM;
  _stp_context_frame_bytes = frame_bytes;
  for_each_possible_cpu(cpu) {
    struct context *c = per_cpu_ptr(_stp_contexts, cpu);
    atomic_set(&c->busy, 0);
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

static int _stp_trylock_one(const struct stp_lock_req *r)
{
  return r->write ? write_trylock(&r->lock->lock) : read_trylock(&r->lock->lock);
}

/* MAXTRYLOCK tries TRYLOCKDELAY microseconds apart, as upstream; but most holders
   (another CPU's handler updating the same global) are done within a few hundred
   cycles, so the first wait spins briefly instead of sleeping a whole delay. */
#ifndef STP_LOCK_SPINS
#define STP_LOCK_SPINS 64
#endif
static int _stp_lock_one(const struct stp_lock_req *r)
{
  int tries, spin;

  for (tries = 0; tries < MAXTRYLOCK; tries++) {
    if (_stp_trylock_one(r))
      return 1;
    if (tries == 0) {
      atomic_inc(&r->lock->contention);
      for (spin = 0; spin < STP_LOCK_SPINS; spin++) {
        cpu_relax();
        if (_stp_trylock_one(r))
          return 1;
      }
    }
    udelay(TRYLOCKDELAY);
  }
  return 0;
}

static void _stp_unlock_one(const struct stp_lock_req *r)
{
  if (r->write)
    write_unlock(&r->lock->lock);
  else
    read_unlock(&r->lock->lock);
}

/* Takes p's locks in table order; on failure releases what it took. */
static int _stp_lock_probe(const struct stp_probe *p)
{
  unsigned i;

  for (i = 0; i < p->nlocks; i++) {
    if (!_stp_lock_one(&p->locks[i])) {
      while (i-- > 0)
        _stp_unlock_one(&p->locks[i]);
      return 0;
    }
  }
  return 1;
}

static void _stp_unlock_probe(const struct stp_probe *p)
{
  unsigned i = p->nlocks;

  while (i-- > 0)
    _stp_unlock_one(&p->locks[i]);
}

/* ---- running a handler ---- */

static void _stp_check_overload(struct context *c, cycles_t start)
{
#ifdef STP_OVERLOAD
  cycles_t end = get_cycles();
  cycles_t interval;

  /* The first handler on this CPU opens its first window. */
  if (c->cycles_base == 0)
    c->cycles_base = start;
  interval = end > c->cycles_base ? end - c->cycles_base : STP_OVERLOAD_INTERVAL + 1;
  c->cycles_sum += end - start;
  if (interval > STP_OVERLOAD_INTERVAL) {
    if (c->cycles_sum > STP_OVERLOAD_THRESHOLD) {
      _stp_error("probe overhead (%lld cycles) exceeded threshold (%lld cycles) in last %lld cycles",
                 (long long) c->cycles_sum, (long long) STP_OVERLOAD_THRESHOLD,
                 (long long) STP_OVERLOAD_INTERVAL);
      atomic_set(&_stp_session_state, STAP_SESSION_ERROR);
      atomic_inc(&_stp_error_count);
    }
    c->cycles_base = end;
    c->cycles_sum = 0;
  }
#endif
}

/* Runs p's handler if the session is in `state` (begin: STARTING, end:
   STOPPING, error: ERROR, every other probe: RUNNING). */
#ifdef STP_TIMING
/* stap -t: handler cycles of each probe, indexed by stp_probe.index. */
static struct stp_stat **_stp_probe_timing;
#endif

static void _stp_run_probe_full(const struct stp_probe *p, struct pt_regs *regs, int state,
                                int is_return, void *data)
{
  struct context *c;
  cycles_t start;
#ifdef STP_TIMING
  /* -t times the whole probe entry, context and locks included, as upstream does. */
  cycles_t entry = get_cycles();
#endif
#if !INTERRUPTIBLE
  unsigned long flags;
  local_irq_save(flags);
#endif
  preempt_disable();

  /* Too little stack left to run script code safely. */
  if ((((unsigned long) &c) & (THREAD_SIZE - 1)) < MINSTACKSPACE) {
    atomic_inc(&_stp_skipped_count);
    atomic_inc(&_stp_skipped_lowstack);
    goto out;
  }
  if (atomic_read(&_stp_session_state) != state || !_stp_contexts)
    goto out;
  c = this_cpu_ptr(_stp_contexts);
  if (atomic_inc_return(&c->busy) != 1) {
    /* A probe fired inside another handler on this CPU.  As in upstream,
       this counts as skipped only when interrupts are off during handlers
       (-DINTERRUPTIBLE=0); otherwise it is only visible with -t. */
    atomic_dec(&c->busy);
    atomic_inc(&_stp_skipped_reentrant);
#if !INTERRUPTIBLE
    atomic_inc(&_stp_skipped_count);
#endif
    goto out;
  }

  c->probe = p;
  c->nesting = 0;
  c->actionremaining = INTERRUPTIBLE ? MAXACTION_INTERRUPTIBLE : MAXACTION;
  c->last_error = NULL;
  c->last_stmt = NULL;
  c->aborted = 0;
  c->regex.matched = 0;
  c->regex.ngroups = 0;
  c->kstack_n = -1;
  c->kregs = regs;
  c->uregs = NULL;
  c->user_mode = regs ? user_mode(regs) : 0;
  c->is_return = is_return;
  c->probe_data = data;

  if (!_stp_lock_probe(p)) {
    atomic_inc(&_stp_skipped_count);
    goto put;
  }
  start = get_cycles();
  p->handler(c);
  _stp_unlock_probe(p);
#ifdef STP_TIMING
  if (_stp_probe_timing && _stp_probe_timing[p->index])
    stp_stat_add(_stp_probe_timing[p->index], (int64_t)(get_cycles() - entry));
#endif
  /* begin, end and error probes run once each and are not held to the budget. */
  if (state == STAP_SESSION_RUNNING)
    _stp_check_overload(c, start);

  if (unlikely(c->last_error && !c->aborted)) {
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
put:
  _stp_print_flush();
  c->probe = NULL;
  atomic_dec(&c->busy);
out:
  if (unlikely(atomic_read(&_stp_skipped_count) > MAXSKIPPED)) {
    if (atomic_cmpxchg(&_stp_session_state, STAP_SESSION_RUNNING, STAP_SESSION_ERROR) ==
        STAP_SESSION_RUNNING)
      _stp_error("Skipped too many probes, check MAXSKIPPED or try again with stap -t for more details.");
  }
  preempt_enable();
#if !INTERRUPTIBLE
  local_irq_restore(flags);
#endif
}

static void _stp_run_probe_in_state(const struct stp_probe *p, struct pt_regs *regs, int state)
{
  _stp_run_probe_full(p, regs, state, 0, NULL);
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
  return c->is_return;
}

static int _stp_probe_user_mode(struct context *c)
{
  return c->user_mode;
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
