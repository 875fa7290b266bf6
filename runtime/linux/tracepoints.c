/* tracepoints.c - kernel.trace("SYSTEM:NAME") probes: each table entry's callback is
 * registered on the tracepoint of that name.  vmlinux's are found by walking the
 * kernel's tracepoints once.  A module's follow the module, as module kprobes do
 * (kprobes.c): the tracepoint module notifier, which also replays the modules already
 * loaded when it is registered, registers them when the module comes and unregisters
 * them when it goes, as often as it is loaded again; until then they wait quietly. */
#include <linux/module.h>
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
    if (!l->table[i].module && !l->found[i] && strcmp(tp->name, l->table[i].name) == 0)
      l->found[i] = tp;
}

/* Per table entry: the tracepoint it is registered on, or NULL. */
static struct tracepoint **_stp_tracepoints;
static const struct stp_tracepoint_probe *_stp_tp_table;
static unsigned _stp_ntracepoints;
static int _stp_tp_notifier_on;

static void _stp_tp_report(unsigned i, int rc)
{
  _stp_warn("probe %s registration error [man warning::pass5] (rc %d)",
            _stp_tp_table[i].probe->pp, rc);
}

#ifdef CONFIG_MODULES
/* The tracepoint named `name` among a module's. */
static struct tracepoint *_stp_tp_in_module(struct module *mod, const char *name)
{
  unsigned k;
  for (k = 0; k < mod->num_tracepoints; k++) {
    struct tracepoint *tp = tracepoint_ptr_deref(&mod->tracepoints_ptrs[k]);
    if (tp && strcmp(tp->name, name) == 0)
      return tp;
  }
  return NULL;
}

/* Runs under the kernel's tracepoint module list mutex, so calls never overlap, and
   none comes after unregister_tracepoint_module_notifier returns. */
static int _stp_tp_module_notify(struct notifier_block *nb, unsigned long state, void *data)
{
  struct tp_module *tpm = data;
  struct module *mod = tpm->mod;
  unsigned i;
  int any = 0;

  for (i = 0; i < _stp_ntracepoints; i++) {
    const struct stp_tracepoint_probe *p = &_stp_tp_table[i];
    if (!p->module || strcmp(p->module, mod->name) != 0)
      continue;
    if (state == MODULE_STATE_COMING && !_stp_tracepoints[i]) {
      struct tracepoint *tp = _stp_tp_in_module(mod, p->name);
      int rc = tp ? tracepoint_probe_register(tp, p->callback, NULL) : -ENOENT;
      if (rc)
        _stp_tp_report(i, rc);
      else
        _stp_tracepoints[i] = tp;
    } else if (state == MODULE_STATE_GOING && _stp_tracepoints[i]) {
      tracepoint_probe_unregister(_stp_tracepoints[i], p->callback, NULL);
      _stp_tracepoints[i] = NULL;
      any = 1;
    }
  }
  /* The module's tracepoints go with it: no callback may still be on its way. */
  if (any)
    tracepoint_synchronize_unregister();
  return NOTIFY_OK;
}

static struct notifier_block _stp_tp_module_nb = {
  .notifier_call = _stp_tp_module_notify,
};
#endif

static int _stp_tracepoints_start(const struct stp_tracepoint_probe *table, unsigned n)
{
  struct _stp_tp_lookup l;
  struct tracepoint **vmlinux_tp;
  unsigned i;
  int modules = 0;
  if (n == 0)
    return 0;
  _stp_tracepoints = kcalloc(n, sizeof(*_stp_tracepoints), GFP_KERNEL);
  vmlinux_tp = kcalloc(n, sizeof(*vmlinux_tp), GFP_KERNEL);
  if (!_stp_tracepoints || !vmlinux_tp) {
    kfree(_stp_tracepoints);
    kfree(vmlinux_tp);
    _stp_tracepoints = NULL;
    return -ENOMEM;
  }
  l.table = table;
  l.n = n;
  l.found = vmlinux_tp;
  for_each_kernel_tracepoint(_stp_tp_match, &l);
  _stp_tp_table = table;
  _stp_ntracepoints = n;
  for (i = 0; i < n; i++) {
    int rc = -ENOENT;
    if (table[i].module) {
      modules = 1;
      continue;
    }
    if (vmlinux_tp[i])
      rc = tracepoint_probe_register(vmlinux_tp[i], table[i].callback, NULL);
    if (rc)
      _stp_tp_report(i, rc);
    else
      _stp_tracepoints[i] = vmlinux_tp[i];
  }
  kfree(vmlinux_tp);
#ifdef CONFIG_MODULES
  /* Registers the probes of the modules already loaded before it returns. */
  if (modules) {
    int rc = register_tracepoint_module_notifier(&_stp_tp_module_nb);
    if (rc == 0)
      _stp_tp_notifier_on = 1;
    else
      for (i = 0; i < n; i++)
        if (table[i].module)
          _stp_tp_report(i, rc);
  }
#endif
  return 0;
}

static void _stp_tracepoints_stop(void)
{
  unsigned i;
  int any = 0;
  if (!_stp_tracepoints)
    return;
#ifdef CONFIG_MODULES
  /* Replays MODULE_STATE_GOING for every loaded module: their probes go first. */
  if (_stp_tp_notifier_on) {
    unregister_tracepoint_module_notifier(&_stp_tp_module_nb);
    _stp_tp_notifier_on = 0;
  }
#endif
  for (i = 0; i < _stp_ntracepoints; i++) {
    if (!_stp_tracepoints[i])
      continue;
    tracepoint_probe_unregister(_stp_tracepoints[i], _stp_tp_table[i].callback, NULL);
    _stp_tracepoints[i] = NULL;
    any = 1;
  }
  /* No callback may still be running when the module's text goes away. */
  if (any)
    tracepoint_synchronize_unregister();
  kfree(_stp_tracepoints);
  _stp_tracepoints = NULL;
  _stp_ntracepoints = 0;
}
