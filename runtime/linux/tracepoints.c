/* tracepoints.c - kernel.trace("SYSTEM:NAME") probes: each table entry's callback is
 * registered on the kernel tracepoint of that name, found by walking the kernel's
 * tracepoints once (module tracepoints are not probed yet). */
#include <linux/tracepoint.h>

struct _stp_tp_lookup {
  const struct stp_tracepoint_probe *table;
  unsigned n;
  struct tracepoint **found;
};

static void _stp_tp_match(struct tracepoint *tp, void *priv)
{
  struct _stp_tp_lookup *l = priv;
  unsigned i;
  for (i = 0; i < l->n; i++)
    if (!l->found[i] && strcmp(tp->name, l->table[i].name) == 0)
      l->found[i] = tp;
}

static struct tracepoint **_stp_tracepoints;
static const struct stp_tracepoint_probe *_stp_tp_table;
static unsigned _stp_ntracepoints;

static int _stp_tracepoints_start(const struct stp_tracepoint_probe *table, unsigned n)
{
  struct _stp_tp_lookup l;
  unsigned i;
  if (n == 0)
    return 0;
  _stp_tracepoints = kcalloc(n, sizeof(*_stp_tracepoints), GFP_KERNEL);
  if (!_stp_tracepoints)
    return -ENOMEM;
  l.table = table;
  l.n = n;
  l.found = _stp_tracepoints;
  for_each_kernel_tracepoint(_stp_tp_match, &l);
  _stp_tp_table = table;
  _stp_ntracepoints = n;
  for (i = 0; i < n; i++) {
    int rc = -ENOENT;
    if (_stp_tracepoints[i])
      rc = tracepoint_probe_register(_stp_tracepoints[i], table[i].callback, NULL);
    if (rc) {
      _stp_warn("probe %s registration error [man warning::pass5] (rc %d)",
                table[i].probe->pp, rc);
      _stp_tracepoints[i] = NULL;
    }
  }
  return 0;
}

static void _stp_tracepoints_stop(void)
{
  unsigned i;
  int any = 0;
  if (!_stp_tracepoints)
    return;
  for (i = 0; i < _stp_ntracepoints; i++) {
    if (!_stp_tracepoints[i])
      continue;
    tracepoint_probe_unregister(_stp_tracepoints[i], _stp_tp_table[i].callback, NULL);
    any = 1;
  }
  /* No callback may still be running when the module's text goes away. */
  if (any)
    tracepoint_synchronize_unregister();
  kfree(_stp_tracepoints);
  _stp_tracepoints = NULL;
  _stp_ntracepoints = 0;
}
