/* Hand-written module equivalent to big.stp: two timers (hrtimer 1 ms and a
 * randomized jiffies timer) share a global under its write lock and print
 * 3000 lines of ~120 bytes, then exit.  Checks relay throughput, the record
 * framing across sub-buffers, jiffies timers with randomize and locking. */
#define MAXNESTING 1
#include "runtime.h"

struct stp_frame_probe_0 { int unused; };
union stp_frame { struct stp_frame_probe_0 probe_0; };
static const size_t stp_frame_size = sizeof(union stp_frame);

static struct stp_global_lock stp_glock[3];
static int64_t g_n, g_a, g_b;
static const char kText[] = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz";

static void hit(const char *who)
{
  g_n++;
  if (g_n <= 3000)
    _stp_printf("%s %5lld %s\n", who, (long long) g_n, kText);
  if (g_n == 3000)
    _stp_exit();
}
static void probe_a(struct context *c) { g_a++; hit("A"); }
static void probe_b(struct context *c) { g_b++; hit("B"); }
static void probe_end(struct context *c)
{
  _stp_printf("end n=%lld ok=%d\n", (long long) g_n, g_a + g_b == g_n);
}

static const struct stp_lock_req locks_na[] = { { &stp_glock[0], 1 }, { &stp_glock[1], 1 } };
static const struct stp_lock_req locks_nb[] = { { &stp_glock[0], 1 }, { &stp_glock[2], 1 } };
static const struct stp_lock_req locks_end[] = { { &stp_glock[0], 0 }, { &stp_glock[1], 0 }, { &stp_glock[2], 0 } };

static const struct stp_probe stp_probes[] = {
  { "timer.ms(1)", "timer.ms(1)", probe_a, locks_na, 2 },
  { "timer.jiffies(2).randomize(1)", "timer.jiffies(2).randomize(1)", probe_b, locks_nb, 2 },
  { "end", "end", probe_end, locks_end, 3 },
};
static const struct stp_be_probe stp_be_probes[] = {
  { &stp_probes[2], STP_END, 0 },
};
static const struct stp_timer_probe stp_timer_probes[] = {
  { &stp_probes[0], STP_TIMER_HR, 1000000ULL, 0 },
  { &stp_probes[1], STP_TIMER_JIFFIES, 2, 1 },
};
static const unsigned stp_n_probes = 3, stp_n_be_probes = 1, stp_n_timer_probes = 2;

static int stp_script_init(void)
{
  int i;
  for (i = 0; i < 3; i++)
    rwlock_init(&stp_glock[i].lock);
  return 0;
}
static void stp_script_exit(void) { }

#include "linux/module_main.c"
