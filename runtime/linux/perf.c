/* perf.* probes (and timer.profile, the tapset alias on the cpu-clock
 * software event): one kernel counter per online CPU, whose overflow
 * handler runs the probe with the interrupted registers. */

struct _stp_perf_counter {
  const struct stp_perf_probe *pp;
  struct perf_event *event;
};

static struct _stp_perf_counter *_stp_perf_counters;
static unsigned _stp_n_perf_counters;

static void _stp_perf_overflow(struct perf_event *event, struct perf_sample_data *data,
                               struct pt_regs *regs)
{
  const struct stp_perf_probe *pp = event->overflow_handler_context;

  stp_run_probe(pp->probe, regs);
}

static void _stp_perf_stop(void)
{
  unsigned i;

  for (i = 0; i < _stp_n_perf_counters; i++) {
    if (_stp_perf_counters[i].event)
      perf_event_release_kernel(_stp_perf_counters[i].event);
  }
  kfree(_stp_perf_counters);
  _stp_perf_counters = NULL;
  _stp_n_perf_counters = 0;
}

/* Creates every counter; 0 or -errno (and nothing left registered). */
static int _stp_perf_start(const struct stp_perf_probe *table, unsigned n)
{
  unsigned i, k = 0;
  int cpu;

  if (n == 0)
    return 0;
  cpus_read_lock();
  _stp_perf_counters = kcalloc((size_t)n * num_online_cpus(), sizeof(*_stp_perf_counters),
                               GFP_KERNEL);
  if (!_stp_perf_counters) {
    cpus_read_unlock();
    return -ENOMEM;
  }
  for (i = 0; i < n; i++) {
    for_each_online_cpu(cpu) {
      struct perf_event_attr attr;
      struct perf_event *ev;

      memset(&attr, 0, sizeof(attr));
      attr.size = sizeof(attr);
      attr.type = table[i].type;
      attr.config = table[i].config;
      attr.freq = table[i].freq ? 1 : 0;
      attr.sample_period = table[i].period;
      attr.pinned = 1;
      ev = perf_event_create_kernel_counter(&attr, cpu, NULL, _stp_perf_overflow,
                                            (void *)&table[i]);
      if (IS_ERR(ev)) {
        int rc = (int)PTR_ERR(ev);
        _stp_n_perf_counters = k;
        cpus_read_unlock();
        _stp_perf_stop();
        return rc;
      }
      _stp_perf_counters[k].pp = &table[i];
      _stp_perf_counters[k].event = ev;
      k++;
    }
  }
  _stp_n_perf_counters = k;
  cpus_read_unlock();
  return 0;
}
