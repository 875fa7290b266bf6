/* Hand-written module equivalent to err.stp: a runtime error (division by 0)
 * in the third timer hit; the session goes to ERROR, error probes run
 * instead of end probes, stapio prints "ERROR: ... near ..." and exits 1.
 *   global n
 *   probe begin { printf("begin\n") }
 *   probe timer.ms(50) { n++; printf("tick %d\n", n); if (n == 3) printf("%d\n", n / (n - n)) }
 *   probe end { printf("end\n") }
 *   probe error { printf("error probe n=%d\n", n) }
 */
#define MAXNESTING 1
#include "runtime.h"

struct stp_frame_probe_0 { int unused; };
union stp_frame { struct stp_frame_probe_0 probe_0; };
static const size_t stp_frame_size = sizeof(union stp_frame);

static struct stp_global_lock stp_glock[1];
static int64_t g_n;

static void probe_begin(struct context *c) { _stp_print("begin\n"); }
static void probe_tick(struct context *c)
{
  g_n++;
  _stp_printf("tick %lld\n", (long long) g_n);
  if (g_n == 3) {
    int64_t d = g_n - g_n;
    if (d == 0) {
      c->last_error = "division by 0";
      c->last_stmt = "operator '/' at err.stp:3:80";
      goto out;
    }
    _stp_printf("%lld\n", (long long) (g_n / d));
  }
out:
  return;
}
static void probe_end(struct context *c) { _stp_print("end\n"); }
static void probe_error(struct context *c) { _stp_printf("error probe n=%lld\n", (long long) g_n); }

static const struct stp_lock_req locks_n_w[] = { { &stp_glock[0], 1 } };
static const struct stp_lock_req locks_n_r[] = { { &stp_glock[0], 0 } };

static const struct stp_probe stp_probes[] = {
  { "begin", "begin", probe_begin, NULL, 0 },
  { "timer.ms(50)", "timer.ms(50)", probe_tick, locks_n_w, 1 },
  { "end", "end", probe_end, NULL, 0 },
  { "error", "error", probe_error, locks_n_r, 1 },
};
static const struct stp_be_probe stp_be_probes[] = {
  { &stp_probes[0], STP_BEGIN, 0 },
  { &stp_probes[2], STP_END, 0 },
  { &stp_probes[3], STP_ERROR, 0 },
};
static const struct stp_timer_probe stp_timer_probes[] = {
  { &stp_probes[1], STP_TIMER_HR, 50000000ULL, 0 },
};
static const unsigned stp_n_probes = 4, stp_n_be_probes = 3, stp_n_timer_probes = 1;

static int stp_script_init(void)
{
  rwlock_init(&stp_glock[0].lock);
  stp_glock[0].name = "n";
  return 0;
}
static void stp_script_exit(void) { }

#include "linux/module_main.c"
