/* timer.c - timer.{ns,us,ms,s,hz}(N) on hrtimers, timer.jiffies(N) and
 * timer.N on timer_list, each optionally .randomize(R).
 *
 * One kernel timer per probe, as upstream: it fires on the CPU that armed
 * it.  Each expiry re-arms the timer first (interval + a uniform random
 * value in [-R, R]) and then runs the handler, while the session is
 * STARTING or RUNNING; at exit the state has left those, so a callback that
 * is running cannot re-arm, and the _sync cancels wait for it. */

#include <linux/random.h>

struct _stp_timer {
  const struct stp_timer_probe *tp;
  struct hrtimer hr;
  struct timer_list tl;
  int armed;
};

static struct _stp_timer *_stp_timers;
static unsigned _stp_ntimers;

/* x mod d for 64-bit d. */
static uint64_t div64_u64_rem_u(uint64_t x, uint64_t d)
{
  uint64_t rem;
  div64_u64_rem(x, d, &rem);
  return rem;
}

/* Uniform in [-r, r]. */
static int64_t _stp_random_pm(uint64_t r)
{
  uint64_t span = 2 * r + 1;
  uint64_t x = ((uint64_t) get_random_u32() << 32) | get_random_u32();

  return (int64_t) div64_u64_rem_u(x, span) - (int64_t) r;
}

static int _stp_timers_may_run(void)
{
  int s = atomic_read(&_stp_session_state);
  return s == STAP_SESSION_STARTING || s == STAP_SESSION_RUNNING;
}

static ktime_t _stp_hrtimer_interval(const struct stp_timer_probe *tp)
{
  int64_t ns = (int64_t) tp->interval;

  if (tp->randomize)
    ns += _stp_random_pm(tp->randomize);
  /* No shorter than the clock can resolve. */
  if (ns < (int64_t) hrtimer_resolution)
    ns = hrtimer_resolution;
  return ns_to_ktime(ns);
}

static unsigned long _stp_jiffies_interval(const struct stp_timer_probe *tp)
{
  int64_t j = (int64_t) tp->interval;

  if (tp->randomize)
    j += _stp_random_pm(tp->randomize);
  return j < 1 ? 1 : (unsigned long) j;
}

static enum hrtimer_restart _stp_hrtimer_fn(struct hrtimer *hr)
{
  struct _stp_timer *t = container_of(hr, struct _stp_timer, hr);
  enum hrtimer_restart ret = HRTIMER_NORESTART;

  if (_stp_timers_may_run()) {
    hrtimer_forward_now(hr, _stp_hrtimer_interval(t->tp));
    ret = HRTIMER_RESTART;
  }
  stp_run_probe(t->tp->probe, get_irq_regs());
  return ret;
}

static void _stp_jiffies_fn(struct timer_list *tl)
{
  struct _stp_timer *t = container_of(tl, struct _stp_timer, tl);

  if (_stp_timers_may_run())
    mod_timer(tl, jiffies + _stp_jiffies_interval(t->tp));
  /* Softirq: there are no interrupted registers to report. */
  stp_run_probe(t->tp->probe, NULL);
}

/* Arms every timer probe of the table; 0 or -errno. */
static int _stp_timers_start(const struct stp_timer_probe *table, unsigned n)
{
  unsigned i;

  if (n == 0)
    return 0;
  _stp_timers = kcalloc(n, sizeof(*_stp_timers), GFP_KERNEL);
  if (!_stp_timers)
    return -ENOMEM;
  _stp_ntimers = n;
  for (i = 0; i < n; i++) {
    struct _stp_timer *t = &_stp_timers[i];
    t->tp = &table[i];
    if (t->tp->kind == STP_TIMER_HR) {
      stp_hrtimer_setup(&t->hr, _stp_hrtimer_fn, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
      hrtimer_start(&t->hr, _stp_hrtimer_interval(t->tp), HRTIMER_MODE_REL);
    } else {
      timer_setup(&t->tl, _stp_jiffies_fn, 0);
      t->tl.expires = jiffies + _stp_jiffies_interval(t->tp);
      add_timer(&t->tl);
    }
    t->armed = 1;
  }
  return 0;
}

/* Cancels every timer and waits for running callbacks; the session state
   must already be past RUNNING. */
static void _stp_timers_stop(void)
{
  unsigned i;

  for (i = 0; i < _stp_ntimers; i++) {
    struct _stp_timer *t = &_stp_timers[i];
    if (!t->armed)
      continue;
    if (t->tp->kind == STP_TIMER_HR)
      hrtimer_cancel(&t->hr);
    else
      stp_timer_delete_sync(&t->tl);
    t->armed = 0;
  }
  kfree(_stp_timers);
  _stp_timers = NULL;
  _stp_ntimers = 0;
}
