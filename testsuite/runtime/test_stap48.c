/* test_stap48.c: the runtime library reproduces, byte for byte, what
 * SystemTap 4.8 printed for expected/stap48_begin.stp.
 *
 * expected/stap48_begin.out was recorded by building that script with
 * Debian's stap 4.8 (stap -p4 -R <patched 4.8 runtime> -r 6.1.0-56-cloud-amd64)
 * and running it with staprun -o in a QEMU guest of that kernel.  This
 * program performs the same operations through our runtime, in order, and
 * compares the print buffer's bytes.  expected/stap48_mem.{stp,out} (built
 * with -g) do the same for %m/%M and a read fault caught by try/catch.
 */
#include "rt_all.h"
#include "rt_test.h"

#ifndef RT_EXPECTED_DIR
#error "RT_EXPECTED_DIR must name testsuite/runtime/expected"
#endif

#define N(v) { .n = (int64_t)(v) }
#define S(v) { .s = (v) }
#define PRINTF(fmt, ...) do {                                               \
    union stp_arg a_[] = { N(0), __VA_ARGS__ };                             \
    stp_print_format(&ctx, fmt, a_ + 1, (int)(sizeof(a_) / sizeof(a_[0])) - 1); \
  } while (0)

static struct context ctx;
static struct stp_stat_data data;

static size_t read_file(const char *name, char *buf, size_t size)
{
  char path[1024];
  FILE *f;
  size_t n;

  snprintf(path, sizeof(path), "%s/%s", RT_EXPECTED_DIR, name);
  f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "cannot open %s\n", path);
    exit(2);
  }
  n = fread(buf, 1, size, f);
  fclose(f);
  return n;
}

/* stap48_mem.stp */
static void test_mem(void)
{
  static char rtlib_mem[] = "xyz\001";
  static char sbuf[MAXSTRINGLEN], expected[4096];
  int64_t a = (int64_t)(uintptr_t)rtlib_mem;
  size_t elen, alen;
  const char *actual;

  shim_output_reset();
  PRINTF("[%m][%.3m][%5.2m][%-5.2m][%M][%.4M][%8.2M][%-8.2M][%05.2m]\n",
         N(a), N(a), N(a), N(a), N(a), N(a), N(a), N(a), N(a));
  {
    union stp_arg m4[] = { N(a) };
    stp_format(&ctx, sbuf, sizeof(sbuf), "%.4M", m4, 1);
  }
  PRINTF("[%s]\n", S(sbuf));
  ctx.last_error = NULL;
  PRINTF("x%.2my\n", N(16));
  if (ctx.last_error) {           /* try/catch: the message without "near" */
    PRINTF("caught: %s\n", S(ctx.last_error));
    ctx.last_error = NULL;
  }
  PRINTF("after\n");
  elen = read_file("stap48_mem.out", expected, sizeof(expected));
  actual = shim_output(&alen);
  CHECK_MEM(actual, alen, expected, elen);
}

static void walk(struct stp_map *m)
{
  struct stp_map_entry *e;

  for (e = stp_map_first(m); e; e = stp_map_next(m, e))
    PRINTF("%d ", N(stp_entry_key_long(e, 0)));
  PRINTF("\n");
}

int main(void)
{
  struct stp_hist_spec none = { 0 }, shift1 = { .bit_shift = 1 };
  struct stp_map_spec aspec = { .name = "a", .nkeys = 1, .key_types = { STP_STRING },
                                .value_type = STP_STAT, .max_entries = MAXMAPENTRIES };
  struct stp_map_spec mspec = { .name = "m", .nkeys = 1, .key_types = { STP_LONG },
                                .value_type = STP_LONG, .max_entries = MAXMAPENTRIES };
  struct stp_map_spec wspec = { .name = "w", .nkeys = 1, .key_types = { STP_LONG },
                                .value_type = STP_LONG, .max_entries = 3, .wrap = 1 };
  struct stp_stat *x = stp_stat_new(&none), *y = stp_stat_new(&shift1);
  struct stp_map *a = stp_map_new(&aspec), *m = stp_map_new(&mspec), *w = stp_map_new(&wspec);
  static char sbuf[MAXSTRINGLEN];
  union stp_key k;
  int64_t vx, va, vy, va1;
  struct stp_map_entry *e;
  int i;
  static char expected[4096];
  size_t elen, alen;
  const char *actual;

  if (!x || !y || !a || !m || !w)
    return 2;
  shim_output_reset();
  k.s = "k";
  for (i = 1; i <= 5; i++) {
    stp_stat_add(x, i);
    stp_map_add_stat(a, &k, i);
    stp_stat_add(y, i);
  }
  stp_stat_get(x, &data);
  vx = stp_stat_variance(&data, 0);
  stp_map_get_stat(a, &k, &data);
  va = stp_stat_variance(&data, 0);
  stp_stat_get(y, &data);
  vy = stp_stat_variance(&data, 1);
  stp_map_get_stat(a, &k, &data);
  va1 = stp_stat_variance(&data, 0);
  PRINTF("var scalar=%d array=%d shift1=%d arrayshift1=%d\n", N(vx), N(va), N(vy), N(va1));
  PRINTF("[%08.3d][%.0d][%05s][%*d][%-*d][%#c][%#c][%#c][%p][%p][%#o][%#x][% d][%+d]\n",
         N(5), N(0), S("ab"), N(-6), N(42), N(6), N(42), N(10), N(0), N(200), N(0x1234),
         N(0), N(0), N(0), N(5), N(5));
  PRINTF("[%c][%3c][%#5c][%-3c]\n", N(321), N(120), N(9), N(120));
  PRINTF("[%u][%x][%o][%X][%#X]\n", N(-1), N(-1), N(-1), N(255), N(255));
  PRINTF("%4.2b|%-4.2b|%b|%3b|\n", N(0x4142), N(0x4142), N(0x41), N(0x43));
  PRINTF("[%.3s][%10s][%-10s][%.*s][%*s]\n", S("hello"), S("hi"), S("hi"), N(2), S("hello"),
         N(4294967299LL), S("x"));
  {
    union stp_arg w600[] = { N(5) };
    stp_format(&ctx, sbuf, sizeof(sbuf), "%600d", w600, 1);
  }
  PRINTF("[%s]\n", S(sbuf));

  {
    static const int64_t vals[] = { 30, 10, 30, -5, 10 };
    for (i = 1; i <= 5; i++) {
      k.n = i;
      stp_map_set_long(m, &k, vals[i - 1]);
    }
  }
  stp_map_sort(m, 0, 1, 0);
  walk(m);
  walk(m);
  stp_map_sort(m, 0, -1, 0);
  walk(m);
  walk(m);
  for (i = 1; i <= 5; i++) {
    k.n = i;
    stp_map_set_long(w, &k, i * 10);
  }
  k.n = 3;
  stp_map_set_long(w, &k, 33);
  k.n = 6;
  stp_map_set_long(w, &k, 60);
  for (e = stp_map_first(w); e; e = stp_map_next(w, e))
    PRINTF("%d=%d ", N(stp_entry_key_long(e, 0)), N(stp_entry_long(e)));
  PRINTF("\n");
  stp_stat_get(x, &data);
  PRINTF("avg=%d\n", N(stp_stat_avg(&data)));

  elen = read_file("stap48_begin.out", expected, sizeof(expected));
  actual = shim_output(&alen);
  CHECK_MEM(actual, alen, expected, elen);

  stp_stat_free(x);
  stp_stat_free(y);
  stp_map_free(a);
  stp_map_free(m);
  stp_map_free(w);
  test_mem();
  CHECK_LONG(shim_live_allocs, 0);
  return rt_test_done("test_stap48");
}
