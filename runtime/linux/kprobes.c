/* kprobes.c - kernel.function, module().function and kprobe.* probes: a kprobe (or a
 * kretprobe for .return) per table entry, registered by symbol name so no address
 * needs relocating.  A probe that cannot be registered (a blacklisted or missing
 * symbol) is reported as a warning and the others run, as upstream does.
 *
 * A module's probes follow the module: those of a module that is not loaded wait
 * for it, a module notifier registers them when it comes (before its init runs) and
 * unregisters them when it goes, as often as it is loaded again. */
#include <linux/kprobes.h>
#include <linux/module.h>

struct _stp_kprobe {
  union {
    struct kprobe kp;
    struct kretprobe rp;
  } u;
  const struct stp_kprobe_probe *kpp;
  int registered;
  int rc; /* registration result, reported after all are registered */
};

static struct _stp_kprobe *_stp_kprobes;
static unsigned _stp_nkprobes;

#ifndef KRETACTIVE
#define KRETACTIVE (max(15, 6 * (int) num_possible_cpus()))
#endif

/* The handlers the kernel calls.  Pass 3 gives every probe its own three-line
   entry function calling one of these with the probe's constants, so the
   probe's handler and lock table fold into it (see _stp_probe_run).  The
   kernel calls kprobe and kretprobe handlers, entry and return alike, with
   preemption disabled. */
static __always_inline int _stp_kprobe_pre_run(struct kprobe *kp, struct pt_regs *regs,
                                               const struct stp_probe *p)
{
  unsigned long hit_ip = instruction_pointer(regs);

  /* The kernel leaves the ip just past its breakpoint (int3 or the
     ftrace call); the handler sees the probed address itself, as upstream
     shows it in addr(), probefunc() and backtraces.  The kernel's value
     is put back for the single-step or ftrace return that follows. */
  instruction_pointer_set(regs, (unsigned long) kp->addr);
  _stp_probe_run(p, regs, STAP_SESSION_RUNNING, NULL, STP_RUN_ATOMIC | STP_RUN_NODATA);
  instruction_pointer_set(regs, hit_ip);
  return 0;
}

/* The function-entry half of a .return probe that saves values (@entry,
   parameters) in the instance's data_size bytes. */
static __always_inline int _stp_kretprobe_entry_run(struct kretprobe_instance *ri,
                                                    struct pt_regs *regs,
                                                    const struct stp_probe *entry,
                                                    size_t data_size)
{
  memset(ri->data, 0, data_size);
  _stp_probe_run(entry, regs, STAP_SESSION_RUNNING, ri->data, STP_RUN_ATOMIC);
  return 0;
}

static __always_inline int _stp_kretprobe_ret_run(struct kretprobe_instance *ri,
                                                  struct pt_regs *regs,
                                                  const struct stp_probe *p, size_t data_size)
{
  _stp_probe_run(p, regs, STAP_SESSION_RUNNING, data_size ? ri->data : NULL,
                 STP_RUN_ATOMIC);
  return 0;
}

/* Serializes the module notifier with start and stop. */
static DEFINE_MUTEX(_stp_kprobes_mutex);
static int _stp_kprobes_notifier_on;

static int _stp_kprobe_register(struct _stp_kprobe *k)
{
  const struct stp_kprobe_probe *p = k->kpp;
  struct kprobe *kp = p->is_return ? &k->u.rp.kp : &k->u.kp;
  int rc;

  /* A kprobe may be registered again only from a clean state. */
  memset(&k->u, 0, sizeof(k->u));
  if (p->symbol) {
    kp->symbol_name = p->symbol;
    kp->offset = p->offset;
  } else {
    kp->addr = (kprobe_opcode_t *) p->address;
  }
  if (p->is_return) {
    k->u.rp.handler = p->ret;
    k->u.rp.entry_handler = p->entry ? p->entry_fn : NULL;
    k->u.rp.data_size = p->data_size;
    k->u.rp.maxactive = p->maxactive >= 0 ? p->maxactive : KRETACTIVE;
    rc = register_kretprobe(&k->u.rp);
  } else {
    k->u.kp.pre_handler = p->pre;
    rc = register_kprobe(&k->u.kp);
  }
  k->rc = rc;
  k->registered = rc == 0;
  return rc;
}

static void _stp_kprobe_unregister(struct _stp_kprobe *k)
{
  if (k->kpp->is_return)
    unregister_kretprobe(&k->u.rp);
  else
    unregister_kprobe(&k->u.kp);
  k->registered = 0;
}

static void _stp_kprobe_report(struct _stp_kprobe *k)
{
  struct kprobe *kp = k->kpp->is_return ? &k->u.rp.kp : &k->u.kp;

  _stp_warn("probe %s (address 0x%lx) registration error [man warning::pass5] (rc %d)",
            k->kpp->probe->pp, (unsigned long) kp->addr, k->rc);
}

static int _stp_kprobes_module_notify(struct notifier_block *nb, unsigned long state,
                                      void *data)
{
  struct module *mod = data;
  unsigned i;

  if (state != MODULE_STATE_COMING && state != MODULE_STATE_GOING)
    return NOTIFY_DONE;
  mutex_lock(&_stp_kprobes_mutex);
  /* Last to first, for the handler order of probes sharing an address. */
  for (i = _stp_nkprobes; i-- > 0;) {
    struct _stp_kprobe *k = &_stp_kprobes[i];
    if (!k->kpp->module || strcmp(k->kpp->module, mod->name) != 0)
      continue;
    if (state == MODULE_STATE_COMING && !k->registered) {
      if (_stp_kprobe_register(k))
        _stp_kprobe_report(k);
    } else if (state == MODULE_STATE_GOING && k->registered) {
      _stp_kprobe_unregister(k);
    }
  }
  mutex_unlock(&_stp_kprobes_mutex);
  return NOTIFY_DONE;
}

static struct notifier_block _stp_kprobes_module_nb = {
  .notifier_call = _stp_kprobes_module_notify,
};

static int _stp_kprobes_start(const struct stp_kprobe_probe *table, unsigned n)
{
  unsigned i;
  int modules = 0;
  if (n == 0)
    return 0;
  _stp_kprobes = kcalloc(n, sizeof(*_stp_kprobes), GFP_KERNEL);
  if (!_stp_kprobes)
    return -ENOMEM;
  for (i = 0; i < n; i++) {
    _stp_kprobes[i].kpp = &table[i];
    modules |= table[i].module != NULL;
  }
  /* First, so no module can come between the registrations below and the
     notifier; it does nothing until the table is published under the mutex.
     (Not under the mutex: a running notifier call holds the chain's lock and
     waits for the mutex.) */
  if (modules && register_module_notifier(&_stp_kprobes_module_nb) == 0)
    _stp_kprobes_notifier_on = 1;
  mutex_lock(&_stp_kprobes_mutex);
  _stp_nkprobes = n;
  /* The kernel runs the handlers of probes sharing an address newest first;
     registering from the last probe back makes them run in script order, as
     upstream's do.  Failures are reported afterwards, in script order. */
  for (i = n; i-- > 0;)
    _stp_kprobe_register(&_stp_kprobes[i]);
  for (i = 0; i < n; i++) {
    struct _stp_kprobe *k = &_stp_kprobes[i];
    if (k->registered)
      continue;
    /* A module that is not loaded: its probes wait for it. */
    if (k->kpp->module && k->rc == -ENOENT && _stp_kprobes_notifier_on)
      continue;
    _stp_kprobe_report(k);
  }
  mutex_unlock(&_stp_kprobes_mutex);
  return 0;
}

/* Unregisters in two batches, so the RCU grace period is waited for twice, not once
   per probe. */
static void _stp_kprobes_stop(void)
{
  struct kprobe **kps;
  struct kretprobe **rps;
  unsigned i, nk = 0, nr = 0;
  if (!_stp_kprobes)
    return;
  /* Waits for a notifier call in progress; none comes after. */
  if (_stp_kprobes_notifier_on) {
    unregister_module_notifier(&_stp_kprobes_module_nb);
    _stp_kprobes_notifier_on = 0;
  }
  kps = kcalloc(_stp_nkprobes, sizeof(*kps), GFP_KERNEL);
  rps = kcalloc(_stp_nkprobes, sizeof(*rps), GFP_KERNEL);
  for (i = 0; i < _stp_nkprobes; i++) {
    struct _stp_kprobe *k = &_stp_kprobes[i];
    if (!k->registered)
      continue;
    if (!kps || !rps) {
      _stp_kprobe_unregister(k);  /* no memory for the batches: one by one */
      continue;
    }
    if (k->kpp->is_return)
      rps[nr++] = &k->u.rp;
    else
      kps[nk++] = &k->u.kp;
    k->registered = 0;
  }
  if (nk)
    unregister_kprobes(kps, nk);
  if (nr)
    unregister_kretprobes(rps, nr);
  kfree(kps);
  kfree(rps);
  kfree(_stp_kprobes);
  _stp_kprobes = NULL;
  _stp_nkprobes = 0;
}
