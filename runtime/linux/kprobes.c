/* kprobes.c - kernel.function, module().function and kprobe.* probes: a kprobe (or a
 * kretprobe for .return) per table entry, registered by symbol name so no address
 * needs relocating.  A probe that cannot be registered (a blacklisted or missing
 * symbol) is reported as a warning and the others run, as upstream does. */
#include <linux/kprobes.h>

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

static int _stp_kprobe_pre(struct kprobe *kp, struct pt_regs *regs)
{
  struct _stp_kprobe *k = container_of(kp, struct _stp_kprobe, u.kp);
  unsigned long hit_ip = instruction_pointer(regs);

  /* The kernel leaves the ip just past its breakpoint (int3 or the
     ftrace call); the handler sees the probed address itself, as upstream
     shows it in addr(), probefunc() and backtraces.  The kernel's value
     is put back for the single-step or ftrace return that follows. */
  instruction_pointer_set(regs, (unsigned long) kp->addr);
  _stp_run_probe_full(k->kpp->probe, regs, STAP_SESSION_RUNNING, 0, NULL);
  instruction_pointer_set(regs, hit_ip);
  return 0;
}

static struct _stp_kprobe *_stp_kretprobe_of(struct kretprobe_instance *ri)
{
  struct kretprobe *rp = get_kretprobe(ri);
  return rp ? container_of(rp, struct _stp_kprobe, u.rp) : NULL;
}

static int _stp_kretprobe_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
  struct _stp_kprobe *k = _stp_kretprobe_of(ri);
  if (k && k->kpp->entry) {
    memset(ri->data, 0, k->kpp->data_size);
    _stp_run_probe_full(k->kpp->entry, regs, STAP_SESSION_RUNNING, 0, ri->data);
  }
  return 0;
}

static int _stp_kretprobe_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
  struct _stp_kprobe *k = _stp_kretprobe_of(ri);
  if (k)
    _stp_run_probe_full(k->kpp->probe, regs, STAP_SESSION_RUNNING, 1,
                        k->kpp->data_size ? ri->data : NULL);
  return 0;
}

static void _stp_kprobes_stop(void);

static int _stp_kprobes_start(const struct stp_kprobe_probe *table, unsigned n)
{
  unsigned i;
  if (n == 0)
    return 0;
  _stp_kprobes = kcalloc(n, sizeof(*_stp_kprobes), GFP_KERNEL);
  if (!_stp_kprobes)
    return -ENOMEM;
  _stp_nkprobes = n;
  /* The kernel runs the handlers of probes sharing an address newest first;
     registering from the last probe back makes them run in script order, as
     upstream's do.  Failures are reported afterwards, in script order. */
  for (i = n; i-- > 0;) {
    struct _stp_kprobe *k = &_stp_kprobes[i];
    const struct stp_kprobe_probe *p = &table[i];
    struct kprobe *kp = p->is_return ? &k->u.rp.kp : &k->u.kp;
    int rc;
    k->kpp = p;
    if (p->symbol) {
      kp->symbol_name = p->symbol;
      kp->offset = p->offset;
    } else {
      kp->addr = (kprobe_opcode_t *) p->address;
    }
    if (p->is_return) {
      k->u.rp.handler = _stp_kretprobe_ret;
      k->u.rp.entry_handler = p->entry ? _stp_kretprobe_entry : NULL;
      k->u.rp.data_size = p->data_size;
      k->u.rp.maxactive = p->maxactive >= 0 ? p->maxactive : KRETACTIVE;
      rc = register_kretprobe(&k->u.rp);
    } else {
      k->u.kp.pre_handler = _stp_kprobe_pre;
      rc = register_kprobe(&k->u.kp);
    }
    k->rc = rc;
    k->registered = rc == 0;
  }
  for (i = 0; i < n; i++) {
    struct _stp_kprobe *k = &_stp_kprobes[i];
    struct kprobe *kp = k->kpp->is_return ? &k->u.rp.kp : &k->u.kp;
    if (k->rc)
      _stp_warn("probe %s (address 0x%lx) registration error [man warning::pass5] (rc %d)",
                k->kpp->probe->pp, (unsigned long) kp->addr, k->rc);
  }
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
  kps = kcalloc(_stp_nkprobes, sizeof(*kps), GFP_KERNEL);
  rps = kcalloc(_stp_nkprobes, sizeof(*rps), GFP_KERNEL);
  for (i = 0; i < _stp_nkprobes; i++) {
    struct _stp_kprobe *k = &_stp_kprobes[i];
    if (!k->registered)
      continue;
    if (k->kpp->is_return) {
      if (rps) rps[nr++] = &k->u.rp;
      else unregister_kretprobe(&k->u.rp);
    } else {
      if (kps) kps[nk++] = &k->u.kp;
      else unregister_kprobe(&k->u.kp);
    }
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
