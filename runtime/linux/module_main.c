/* module_main.c - module init/exit and the life of a session.
 *
 * Included last by the generated file, after the tables (stp_probes,
 * stp_be_probes, stp_timer_probes and their counts), stp_frame_size,
 * stp_script_init() and stp_script_exit().
 *
 * Module load: output buffers, contexts, /proc/systemtap/MOD with .cmd and
 * trace0..N, then STP_TRANSPORT is queued ("ready for STP_START").
 * STP_START: the script's globals are set up (stp_script_init), begin probes
 * run in state STARTING, the timers are armed and the session goes RUNNING;
 * the reply carries the result, so a failure there makes stapio exit 1.
 * Errors raised by begin probes are not a start failure (as in 4.8): they
 * put the session in ERROR and the usual shutdown follows.
 * exit()/errors set a flag; the 20 ms control timer sends STP_REQUEST_EXIT;
 * stapio answers STP_EXIT, and then (or at rmmod, whichever comes first)
 * probes stop, end probes run in STOPPING or error probes in ERROR, the
 * final report goes out and STP_EXIT is sent back. */

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("systemtap-generated probe");

#ifndef STP_PR_STAPUSR
#define STP_PR_STAPUSR 0x2
#define STP_PR_STAPSYS 0x4
#define STP_PR_STAPDEV 0x8
#endif

static int _stp_script_ready;   /* stp_script_init succeeded */
static atomic_t _stp_start_called = ATOMIC_INIT(0);
static atomic_t _stp_exit_called = ATOMIC_INIT(0);

static void _stp_run_be_probes(int type, int state)
{
  unsigned i;

  for (i = 0; i < stp_n_be_probes; i++)
    if (stp_be_probes[i].type == type)
      _stp_run_probe_in_state(stp_be_probes[i].probe, NULL, state);
}

#ifdef STP_PRIVILEGE
static const char *_stp_privilege_text(int32_t p)
{
  if (p & STP_PR_STAPDEV)
    return "stapdev";
  if (p & STP_PR_STAPSYS)
    return "stapsys";
  if (p & STP_PR_STAPUSR)
    return "stapusr";
  return "none";
}

static int _stp_check_privilege(void)
{
  int32_t have = _stp_privilege_credentials;

  /* staprun always sends its credentials; a module started some other way
     runs with the privilege it was built for. */
  if (have == 0)
    have = STP_PRIVILEGE;
  if ((have & STP_PRIVILEGE) != STP_PRIVILEGE) {
    _stp_error("Your privilege credentials (%s) are insufficient to run this module (%s required).",
               _stp_privilege_text(have), _stp_privilege_text(STP_PRIVILEGE));
    return -EINVAL;
  }
  return 0;
}
#else
static int _stp_check_privilege(void)
{
  return 0;
}
#endif

static void _stp_final_report(void)
{
  int errors = atomic_read(&_stp_error_count);
  int skipped = atomic_read(&_stp_skipped_count);
#ifdef STP_TIMING
  int reentrant = atomic_read(&_stp_skipped_reentrant);
#else
  int reentrant = 0;
#endif

  if (errors || skipped || reentrant) {
    _stp_warn("Number of errors: %d, skipped probes: %d\n", errors, skipped);
#ifdef STP_TIMING
    if (atomic_read(&_stp_skipped_lowstack))
      _stp_warn("Skipped due to low stack: %d\n", atomic_read(&_stp_skipped_lowstack));
    if (reentrant)
      _stp_warn("Skipped due to reentrancy: %d\n", reentrant);
#endif
  }
}

#ifdef STP_TIMING
static void _stp_timing_start(void)
{
  static const struct stp_hist_spec none = { .type = STP_HIST_NONE };
  unsigned i;

  _stp_probe_timing = kcalloc(stp_n_probes ? stp_n_probes : 1, sizeof(*_stp_probe_timing),
                              GFP_KERNEL);
  if (!_stp_probe_timing)
    return;
  for (i = 0; i < stp_n_probes; i++)
    _stp_probe_timing[i] = stp_stat_new(&none);
}

/* stap -t: the per-probe report, after the end probes, in upstream's words.
   Printing goes through this CPU's buffer, so each line is written with
   preemption off. */
static void _stp_timing_report(void)
{
  struct stp_stat **t = _stp_probe_timing;
  struct stp_stat_data *d;
  unsigned i;

  if (!t)
    return;
  _stp_probe_timing = NULL;
  d = kmalloc(sizeof(*d), GFP_KERNEL);
  preempt_disable();
  _stp_printf("----- probe hit report: \n");
  _stp_print_flush();
  preempt_enable();
  for (i = 0; d && i < stp_n_probes; i++) {
    const struct stp_probe *p = &stp_probes[i];

    if (!t[i])
      continue;
    stp_stat_get(t[i], d);
    if (d->count == 0)
      continue;
    preempt_disable();
    _stp_printf("%s, (%s), hits: %lld, cycles: %lldmin/%lldavg/%lldmax, variance: %lld, "
                "from: %s, index: %u\n",
                p->pp, p->location ? p->location : "", (long long)d->count,
                (long long)d->min, (long long)stp_stat_avg(d), (long long)d->max,
                (long long)stp_stat_variance(d, 0), p->derivation ? p->derivation : p->pp,
                p->index);
    _stp_print_flush();
    preempt_enable();
  }
  preempt_disable();
  _stp_printf("----- refresh report:\n");
  _stp_print_flush();
  preempt_enable();
  for (i = 0; i < stp_n_probes; i++)
    if (t[i])
      stp_stat_free(t[i]);
  kfree(d);
  kfree(t);
}
#endif

/* STP_START: 0 or -errno for the reply. */
static int _stp_session_start(void)
{
  int rc;

  rc = _stp_check_privilege();
  if (rc)
    return rc;
  rc = stp_script_init();
  if (rc)
    return rc;
  _stp_script_ready = 1;
#ifdef STP_TIMING
  _stp_timing_start();
#endif
  atomic_set(&_stp_session_state, STAP_SESSION_STARTING);

  _stp_relay_wait_full(STP_BEGIN_OUTPUT_BOUND);
  _stp_run_be_probes(STP_BEGIN, STAP_SESSION_STARTING);

  rc = _stp_timers_start(stp_timer_probes, stp_n_timer_probes);
  if (rc == 0) {
    rc = _stp_perf_start(stp_perf_probes, stp_n_perf_probes);
    if (rc)
      _stp_error("probe %s registration error [man warning::pass5] (rc %d)",
                 stp_perf_probes[0].probe->pp, rc);
  } else {
    _stp_error("probe %s registration error [man warning::pass5] (rc %d)",
               stp_timer_probes[0].probe->pp, rc);
  }
  if (rc == 0)
    rc = _stp_kprobes_start(stp_kprobe_probes, stp_n_kprobe_probes);
  if (rc == 0)
    rc = _stp_tracepoints_start(stp_tracepoint_probes, stp_n_tracepoint_probes);
  if (rc) {
    atomic_set(&_stp_session_state, STAP_SESSION_ERROR);
    _stp_tracepoints_stop();
    _stp_kprobes_stop();
    _stp_perf_stop();
    _stp_timers_stop();
    _stp_relay_wait_full(STP_END_OUTPUT_BOUND);
    _stp_run_be_probes(STP_ERROR, STAP_SESSION_ERROR);
    _stp_contexts_wait();
    atomic_set(&_stp_session_state, STAP_SESSION_STOPPED);
    stp_script_exit();
    _stp_script_ready = 0;
    return rc;
  }
  /* exit() or an error in a begin probe already moved the state on. */
  atomic_cmpxchg(&_stp_session_state, STAP_SESSION_STARTING, STAP_SESSION_RUNNING);
  return 0;
}

static void _stp_session_stop(void)
{
  atomic_cmpxchg(&_stp_session_state, STAP_SESSION_RUNNING, STAP_SESSION_STOPPING);
  atomic_cmpxchg(&_stp_session_state, STAP_SESSION_STARTING, STAP_SESSION_STOPPING);
  _stp_tracepoints_stop();
  _stp_kprobes_stop();
  _stp_perf_stop();
  _stp_timers_stop();
  _stp_contexts_wait();
  /* End and error probes (the global display among them) that may print
     much get the full-size buffers first. */
  _stp_relay_wait_full(STP_END_OUTPUT_BOUND);

  /* Each runs only in its own state: end probes after a normal exit,
     error probes after errors passed MAXERRORS. */
  _stp_run_be_probes(STP_END, STAP_SESSION_STOPPING);
  _stp_run_be_probes(STP_ERROR, STAP_SESSION_ERROR);
#ifdef STP_TIMING
  _stp_timing_report();
#endif
  _stp_contexts_wait();
  atomic_set(&_stp_session_state, STAP_SESSION_STOPPED);

  _stp_final_report();
  if (_stp_script_ready) {
    stp_script_exit();
    _stp_script_ready = 0;
  }
}

static void _stp_handle_start(struct _stp_msg_start *st)
{
  if (atomic_cmpxchg(&_stp_start_called, 0, 1) != 0)
    return;
  _stp_target = st->target;
  st->res = _stp_session_start();
  if (st->res == 0)
    WRITE_ONCE(_stp_probes_started, 1);
  _stp_ctl_send_notify(STP_START, st, sizeof(*st));
  atomic_set(&_stp_start_called, 2);
}

/* STP_EXIT from stapio (send_exit = 1) or module unload (0).  Only after
   STP_START was handled, and only once, as 4.8. */
static void _stp_cleanup_and_exit(int send_exit)
{
  int failures;

  if (atomic_read(&_stp_start_called) != 2 ||
      atomic_cmpxchg(&_stp_exit_called, 0, 1) != 0)
    return;
  WRITE_ONCE(_stp_exit_flag, 1);
  if (_stp_probes_started)
    _stp_session_stop();
  failures = atomic_read(&_stp_transport_failures);
  if (failures)
    _stp_warn("There were %d transport failures. Try stap -s to increase the buffer size from %d.\n",
              failures, _stp_bufsize);
  _stp_relay_wake_readers();
  if (send_exit)
    _stp_ctl_send_notify(STP_EXIT, NULL, 0);
}

static int __init _stp_module_init(void)
{
  int rc;

  rc = _stp_print_init();
  if (rc)
    goto err;
  rc = _stp_contexts_alloc((MAXNESTING + 1) * stp_frame_size);
  if (rc)
    goto err;
  rc = _stp_transport_init();
  if (rc)
    goto err;
  return 0;

err:
  _stp_contexts_free();
  _stp_print_exit();
  return rc;
}

static void __exit _stp_module_exit(void)
{
  /* rmmod without STP_EXIT (stapio killed, staprun -d after -L, or a plain
     rmmod): stop the probes and run the end probes all the same. */
  _stp_cleanup_and_exit(0);
  _stp_transport_exit();
  _stp_contexts_free();
  _stp_print_exit();
}

module_init(_stp_module_init);
module_exit(_stp_module_exit);
