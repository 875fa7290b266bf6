/* rtlib_check.c: the runtime library built as a kernel module, the way a
 * generated module includes it (one translation unit, everything static).
 *
 * check_kbuild.sh compiles it against each installed kernel's headers with
 * -Werror -Wmissing-prototypes -Wframe-larger-than=256; loaded in a guest,
 * it runs a few operations on the real kernel (per-CPU memory, vmalloc,
 * fault-safe reads) and logs "rtlib_check: ..." lines, ending with
 * "rtlib_check: ok" when every result was as expected.
 */
#include "runtime_defines.h"
#include <linux/module.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/percpu.h>
#include <linux/uaccess.h>
#include <linux/math64.h>
#include <linux/string.h>
#include <linux/spinlock.h>
#include <linux/timex.h>
#include <linux/errno.h>
#include "stp_types.h"

/* Stand-ins for the transport's print buffer (runtime/linux/print.c). */
static char capture_buf[STP_BUFFER_SIZE];
static size_t capture_len;
static char *_stp_print_reserve(size_t *avail)
{
  *avail = sizeof(capture_buf) - capture_len;
  return capture_buf + capture_len;
}
static void _stp_print_commit(size_t n) { capture_len += n; }
static void _stp_print_flush(void) { capture_len = 0; }

#include "stp_string.h"
#include "stp_stat.h"
#include "stp_map.h"
#include "stp_format.h"
#include "stp_string.c"
#include "stp_stat.c"
#include "stp_map.c"
#include "stp_format.c"

static struct stp_stat_data *data;
static struct context *ctx;
static char text[1024];
static const char mem[] = "xyz\001";

static int expect(const char *what, const char *got, const char *want)
{
  if (strcmp(got, want) == 0)
    return 0;
  pr_err("rtlib_check: %s: got [%s], want [%s]\n", what, got, want);
  return 1;
}

static int __init rtlib_check_init(void)
{
  static const struct stp_map_spec spec = {
    .name = "a", .nkeys = 2, .key_types = { STP_STRING, STP_LONG },
    .value_type = STP_STAT, .max_entries = MAXMAPENTRIES, .hist = { .type = STP_HIST_LOG } };
  static const struct stp_hist_spec h = { .type = STP_HIST_LINEAR, .start = 0, .stop = 100, .interval = 10 };
  static union stp_key k[2] = { { .s = "x" }, { .n = 1 } };
  static union stp_arg args[5];
  struct stp_map *m;
  struct stp_stat *s;
  int i, bad = 0;

  data = kzalloc(sizeof(*data), GFP_KERNEL);
  ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
  m = stp_map_new(&spec);
  s = stp_stat_new(&h);
  if (!data || !ctx || !m || !s) {
    pr_err("rtlib_check: allocation failed\n");
    bad = 1;
    goto out;
  }
  for (i = 1; i <= 5; i++) {
    preempt_disable();
    stp_map_add_stat(m, k, i);
    stp_stat_add(s, i);
    preempt_enable();
  }
  stp_map_get_stat(m, k, data);
  args[0].n = stp_stat_variance(data, 0);
  stp_stat_get(s, data);
  args[1].n = stp_stat_variance(data, 0);
  stp_format(ctx, text, sizeof(text), "variance array=%d scalar=%d", args, 2);
  bad |= expect("variance", text, "variance array=7 scalar=12");

  stp_hist_sprint(text, sizeof(text), data, &h);
  bad |= expect("histogram", text,
                "value |-------------------------------------------------- count\n"
                "    0 |@@@@@                                              5\n"
                "   10 |                                                   0\n"
                "   20 |                                                   0\n"
                "\n");

  args[0].n = (long)mem;
  args[1].n = (long)mem;
  args[2].s = "str";
  args[3].n = -1;
  args[4].n = -1;
  stp_format(ctx, text, sizeof(text), "%.3m|%.4M|%5s|%p|%#c", args, 5);
  bad |= expect("printf", text, "xyz|78797a01|  str|0xffffffffffffffff|\\377");

  /* A bad kernel address faults cleanly. */
  args[0].n = 16;
  ctx->last_error = NULL;
  stp_format(ctx, text, sizeof(text), "%m", args, 1);
  bad |= expect("fault", ctx->last_error ? ctx->last_error : "(none)",
                "read fault [man error::fault] at 0x10");

  stp_print_format(ctx, "%d\n", args, 1);
  bad |= expect("print buffer", capture_buf, "16\n");
  pr_info("rtlib_check: %s (%u possible CPUs)\n", bad ? "FAILED" : "ok", nr_cpu_ids);
out:
  stp_stat_free(s);
  stp_map_free(m);
  kfree(ctx);
  kfree(data);
  return 0;
}

static void __exit rtlib_check_exit(void) {}

module_init(rtlib_check_init);
module_exit(rtlib_check_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("systemtap runtime library check");
