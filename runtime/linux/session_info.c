/* session_info.c - session facts and small services for the tapsets:
 * is_myproc(), module_size(), switch_file(), ftrace() and randomness. */

#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/sched/clock.h>

/* The current process runs with the effective user of whoever loaded the
   module (staprun runs as that user; upstream compares the same ids). */
static int _stp_is_myproc(void)
{
  return uid_eq(current_euid(), _stp_owner_uid);
}

/* "Ndata/Ntext/Nctx kb": the module's resident data and code, and the
   per-CPU probe contexts with their frames and output buffers.  (Upstream
   adds net/alloc counters of its own allocator, which this runtime does
   not have: its maps allocate once, at start.) */
static void _stp_module_size_str(char *buf, size_t len)
{
  unsigned long text, data, ctx;

#ifdef STAPCONF_MODULE_MEMORY
  text = THIS_MODULE->mem[MOD_TEXT].size;
  data = THIS_MODULE->mem[MOD_DATA].size + THIS_MODULE->mem[MOD_RODATA].size +
         THIS_MODULE->mem[MOD_RO_AFTER_INIT].size;
#else
  text = THIS_MODULE->core_layout.text_size;
  data = THIS_MODULE->core_layout.size - THIS_MODULE->core_layout.text_size;
#endif
  ctx = num_possible_cpus() * (sizeof(struct context) + _stp_context_frame_bytes +
                               sizeof(struct _stp_print_buf));
  snprintf(buf, len, "%ludata/%lutext/%luctx kb", data / 1024, text / 1024, ctx / 1024);
}

/* stapio rotates its output file (-o with -S) on SIGUSR2; as upstream, the
   signal is sent by a command stapio runs, after this handler. */
static void _stp_switch_file(void)
{
  char cmd[32];

  if (_stp_pid == 0)
    return;
  snprintf(cmd, sizeof(cmd), "kill -USR2 %ld", _stp_pid);
  _stp_system(cmd);
}

/* One line in the ftrace ring buffer (__trace_puts appends the newline).
   Nothing is written when tracing is not built in or trace_printk output
   is switched off. */
static void _stp_ftrace(const char *msg)
{
#ifdef CONFIG_TRACING
  size_t n = strlen(msg);

  if (n > 0)
    __trace_puts(_THIS_IP_, msg, n);
#endif
}

/* A per-CPU generator: get_random_u32() is not safe in NMI context, and a
   handler owns its CPU.  Seeded on first use from the kernel's entropy
   (or, in an NMI, from the clock). */
struct _stp_rnd {
  struct rnd_state state;
  int seeded;
};
static DEFINE_PER_CPU(struct _stp_rnd, _stp_rnd_cpu);

static u32 _stp_random_u32(void)
{
  struct _stp_rnd *r = get_cpu_ptr(&_stp_rnd_cpu);
  u32 v;

  if (unlikely(!r->seeded)) {
    u64 seed = in_nmi() ? local_clock() ^ ((u64) smp_processor_id() << 40) : get_random_u64();
    prandom_seed_state(&r->state, seed);
    r->seeded = 1;
  }
  v = prandom_u32_state(&r->state);
  put_cpu_ptr(&_stp_rnd_cpu);
  return v;
}
