/* Hand-written module in the shape pass 3 generates (runtime/README.md),
 * equivalent to hello.stp:
 *   global n
 *   probe begin(2) { printf("begin2\n") }
 *   probe begin(1) { printf("begin1\n") }
 *   probe timer.ms(100) { n++; printf("tick %d\n", n); if (n == 5) exit() }
 *   probe end { printf("end n=%d\n", n) }
 *   probe error { printf("error probe\n") }
 */
#define STP_MODULE_NAME_DEFAULT "hello"
#define MAXNESTING 1
#include "runtime.h"

struct stp_frame_probe_0 { int unused; };
union stp_frame { struct stp_frame_probe_0 probe_0; };
static const size_t stp_frame_size = sizeof(union stp_frame);

static struct stp_global_lock stp_glock[1];
static int64_t g_n;

static void probe_begin2(struct context *c) { _stp_print("begin2\n"); }
static void probe_begin1(struct context *c) { _stp_print("begin1\n"); }
static void probe_tick(struct context *c)
{
  g_n++;
  _stp_printf("tick %lld\n", (long long) g_n);
  if (g_n == 5)
    _stp_exit();
}
static void probe_end(struct context *c) { _stp_printf("end n=%lld\n", (long long) g_n); }
static void probe_error(struct context *c) { _stp_print("error probe\n"); }

static const struct stp_lock_req locks_n_w[] = { { &stp_glock[0], 1 } };
static const struct stp_lock_req locks_n_r[] = { { &stp_glock[0], 0 } };

static const struct stp_probe stp_probes[] = {
  { "begin(2)", "begin(2)", probe_begin2, NULL, 0 },
  { "begin(1)", "begin(1)", probe_begin1, NULL, 0 },
  { "timer.ms(100)", "timer.ms(100)", probe_tick, locks_n_w, 1 },
  { "end", "end", probe_end, locks_n_r, 1 },
  { "error", "error", probe_error, NULL, 0 },
};
static const struct stp_be_probe stp_be_probes[] = {
  { &stp_probes[1], STP_BEGIN, 1 },
  { &stp_probes[0], STP_BEGIN, 2 },
  { &stp_probes[3], STP_END, 0 },
  { &stp_probes[4], STP_ERROR, 0 },
};
static const struct stp_timer_probe stp_timer_probes[] = {
  { &stp_probes[2], STP_TIMER_HR, 100000000ULL, 0 },
};
static const unsigned stp_n_probes = 5, stp_n_be_probes = 4, stp_n_timer_probes = 1;

static int stp_script_init(void)
{
  rwlock_init(&stp_glock[0].lock);
  stp_glock[0].name = "n";
  atomic_set(&stp_glock[0].contention, 0);
  g_n = 0;
  return 0;
}
static void stp_script_exit(void) { }

#include "linux/module_main.c"
