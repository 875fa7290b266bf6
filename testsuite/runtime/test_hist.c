/* test_hist.c: histogram text, exactly as SystemTap 4.8 prints it.
 *
 * The expected files are upstream's test expectations (systemtap.maps
 * linear, linear_overunder, log_edge and elision).  The program is built
 * once per HIST_ELISION value checked (-1, 0, 1, 2); the default build also
 * checks the other cases and stp_hist_sprint.
 */
#include "rt_all.h"
#include "rt_test.h"

#ifndef RT_EXPECTED_DIR
#error "RT_EXPECTED_DIR must name testsuite/runtime/expected"
#endif

static char *read_expected(const char *name, size_t *len)
{
  char path[1024];
  FILE *f;
  char *buf;
  long n;

  snprintf(path, sizeof(path), "%s/%s", RT_EXPECTED_DIR, name);
  f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  fseek(f, 0, SEEK_SET);
  buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
    exit(2);
  buf[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static void check_output(const char *name)
{
  size_t elen, alen;
  char *expected = read_expected(name, &elen);
  const char *actual = shim_output(&alen);

  CHECK_MEM(actual, alen, expected, elen);
  free(expected);
}

static struct stp_stat *new_stat(int type, int64_t start, int64_t stop, int64_t interval)
{
  struct stp_hist_spec h = { .type = type, .start = start, .stop = stop, .interval = interval };
  struct stp_stat *s = stp_stat_new(&h);

  if (!s)
    abort();
  return s;
}

/* Prints s's histogram; it must also be what stp_hist_sprint gives, up to
   the buffer's size. */
static struct stp_stat_data data;
static void print_hist(struct stp_stat *s, const struct stp_hist_spec *h)
{
  static char buf[MAXSTRINGLEN];
  size_t before, after, n;
  const char *o;

  shim_output(&before);
  stp_stat_get(s, &data);
  stp_hist_print(&data, h);
  o = shim_output(&after);
  n = stp_hist_sprint(buf, sizeof(buf), &data, h);
  CHECK_LONG(n, after - before < sizeof(buf) - 1 ? after - before : sizeof(buf) - 1);
  CHECK_MEM(buf, n, o + before, n);
}

/* systemtap.maps/elision.stp */
static void test_elision(void)
{
  struct stp_stat *a = new_stat(STP_HIST_LINEAR, 0, 1500, 50);
  struct stp_stat *b = new_stat(STP_HIST_LINEAR, -100, 100, 10);
  struct stp_stat *c = new_stat(STP_HIST_LOG, 0, 0, 0);
  struct stp_hist_spec ha = { .type = STP_HIST_LINEAR, .start = 0, .stop = 1500, .interval = 50 };
  struct stp_hist_spec hb = { .type = STP_HIST_LINEAR, .start = -100, .stop = 100, .interval = 10 };
  struct stp_hist_spec hc = { .type = STP_HIST_LOG };
  static const int64_t a_runs[][2] = {
    { 444, 999 }, { 444, 500 }, { 0, -1 }, { 50, -1 }, { 1450, -1 }, { 1500, -1 },
  };
  char name[64];
  unsigned i;

  shim_output_reset();
  for (i = 0; i < sizeof(a_runs) / sizeof(a_runs[0]); i++) {
    stp_stat_add(a, a_runs[i][0]);
    if (a_runs[i][1] >= 0)
      stp_stat_add(a, a_runs[i][1]);
    print_hist(a, &ha);
    stp_stat_clear(a);
  }
  stp_stat_add(b, -10);
  print_hist(b, &hb);
  stp_stat_clear(b);
  stp_stat_add(b, 0);
  print_hist(b, &hb);
  stp_stat_add(c, 128);
  print_hist(c, &hc);
  stp_stat_clear(c);
  stp_stat_add(c, 0);
  print_hist(c, &hc);
  stp_stat_clear(c);
  stp_stat_add(c, -2);
  stp_stat_add(c, -4096);
  print_hist(c, &hc);

  snprintf(name, sizeof(name), "elision_%d.txt", (int)HIST_ELISION);
  check_output(name);
  stp_stat_free(a);
  stp_stat_free(b);
  stp_stat_free(c);
}

#if HIST_ELISION == 2
/* systemtap.maps/linear.stp and linear_overunder.stp: 1600 values, spread
   over the simulated CPUs to exercise the aggregation. */
static void add_linear_data(struct stp_stat *s)
{
  static const int mult[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 12, 13, 14, 15 };
  int key, m;

  for (key = 0; key < 100; key++)
    for (m = 0; m < 16; m++) {
      shim_cpu = (key + m) % shim_ncpus;
      stp_stat_add(s, (int64_t)key * mult[m]);
    }
  shim_cpu = 0;
}

static void test_linear(void)
{
  struct stp_hist_spec h1 = { .type = STP_HIST_LINEAR, .start = 0, .stop = 1500, .interval = 50 };
  struct stp_hist_spec h2 = { .type = STP_HIST_LINEAR, .start = 250, .stop = 1000, .interval = 50 };
  struct stp_stat *s1 = stp_stat_new(&h1), *s2 = stp_stat_new(&h2);

  CHECK(s1 && s2);
  add_linear_data(s1);
  add_linear_data(s2);

  shim_output_reset();
  print_hist(s1, &h1);
  CHECK_LONG(data.count, 1600);
  CHECK_LONG(data.sum, 653400);
  CHECK_LONG(data.min, 0);
  CHECK_LONG(data.max, 1485);
  CHECK_LONG(stp_stat_avg(&data), 408);
  check_output("linear.txt");

  shim_output_reset();
  print_hist(s2, &h2);
  check_output("linear_overunder.txt");
  stp_stat_free(s1);
  stp_stat_free(s2);
}

/* systemtap.maps/log_edge.stp */
static void test_log_edge(void)
{
  struct stp_hist_spec h = { .type = STP_HIST_LOG };
  struct stp_stat *s = stp_stat_new(&h);
  int64_t v;

  shim_output_reset();
  stp_stat_add(s, -1);
  shim_cpu = 1;
  stp_stat_add(s, 1);
  shim_cpu = 0;
  print_hist(s, &h);
  CHECK(stp_hist_bucket(&data, &h, 63, &v) == 0 && v == 1);
  CHECK(stp_hist_bucket(&data, &h, 65, &v) == 0 && v == 1);
  CHECK(stp_hist_bucket(&data, &h, 64, &v) == 0 && v == 0);
  stp_stat_clear(s);
  stp_stat_add(s, 0);
  print_hist(s, &h);
  stp_stat_clear(s);
  stp_stat_add(s, INT64_MAX);
  print_hist(s, &h);
  CHECK(stp_hist_bucket(&data, &h, 127, &v) == 0 && v == 1);
  stp_stat_clear(s);
  for (v = 1; v <= 4; v++)
    stp_stat_add(s, v);
  print_hist(s, &h);
  check_output("log_edge.txt");
  stp_stat_free(s);
}

/* Bars are scaled to HIST_WIDTH by ceil(max / HIST_WIDTH); the count column
   is as wide as the largest count. */
static void test_scaling(void)
{
  struct stp_hist_spec h = { .type = STP_HIST_LINEAR, .start = 0, .stop = 20, .interval = 10 };
  struct stp_stat *s = stp_stat_new(&h);
  char buf[1024];
  int i;

  for (i = 0; i < 1000; i++)
    stp_stat_add(s, 5);
  for (i = 0; i < 20; i++)
    stp_stat_add(s, 15);
  for (i = 0; i < 3; i++)
    stp_stat_add(s, -7);
  for (i = 0; i < 2; i++)
    stp_stat_add(s, 99);
  stp_stat_get(s, &data);
  stp_hist_sprint(buf, sizeof(buf), &data, &h);
  CHECK_STR(buf,
            "value |-------------------------------------------------- count\n"
            "   <0 |                                                      3\n"
            "    0 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@ 1000\n"
            "   10 |@                                                    20\n"
            "   20 |                                                      0\n"
            "  >20 |                                                      2\n"
            "\n");
  /* A small buffer gets the same text, cut. */
  CHECK_LONG(stp_hist_sprint(buf, 12, &data, &h), 11);
  CHECK_STR(buf, "value |----");
  CHECK_LONG(stp_hist_sprint(buf, 0, &data, &h), 0);
  stp_stat_free(s);
}

/* Printing flushes the print buffer when a row would not fit. */
static void test_print_flush(void)
{
  struct stp_hist_spec h = { .type = STP_HIST_LOG };
  struct stp_stat *s = stp_stat_new(&h);
  static char fill[STP_BUFFER_SIZE];
  size_t len;
  const char *o;
  int i;

  for (i = 1; i < 100000; i *= 3)
    stp_stat_add(s, i);
  stp_stat_get(s, &data);
  shim_output_reset();
  memset(fill, 'x', sizeof(fill) - 30);
  _stp_print(fill);
  stp_hist_print(&data, &h);
  CHECK(shim_flushes >= 1);
  o = shim_output(&len);
  {
    static char buf[4096];
    size_t n = stp_hist_sprint(buf, sizeof(buf), &data, &h);
    CHECK_LONG(len, strlen(fill) + n);
    CHECK_MEM(o + strlen(fill), len - strlen(fill), buf, n);
  }
  stp_stat_free(s);
}
#endif

int main(void)
{
  test_elision();
#if HIST_ELISION == 2
  test_linear();
  test_log_edge();
  test_scaling();
  test_print_flush();
#endif
  CHECK_LONG(shim_live_allocs, 0);
  return rt_test_done("test_hist");
}
