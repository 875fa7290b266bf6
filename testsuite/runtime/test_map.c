/* test_map.c: associative arrays, statistic arrays and scalar statistics. */
#include "rt_all.h"
#include "rt_test.h"

static union stp_key k1(int64_t n)
{
  union stp_key k;
  k.n = n;
  return k;
}

static struct stp_map *new_map(unsigned nkeys, const unsigned char *types, int value_type,
                               unsigned max, int wrap)
{
  struct stp_map_spec spec;
  struct stp_map *m;

  memset(&spec, 0, sizeof(spec));
  spec.name = "a";
  spec.nkeys = nkeys;
  memcpy(spec.key_types, types, nkeys);
  spec.value_type = (unsigned char)value_type;
  spec.max_entries = max;
  spec.wrap = wrap;
  m = stp_map_new(&spec);
  if (!m)
    abort();
  return m;
}

static void test_long_map(void)
{
  static const unsigned char t[] = { STP_LONG };
  struct stp_map *m = new_map(1, t, STP_LONG, 4, 0);
  union stp_key k;
  int64_t *p;
  int i;

  k = k1(7);
  CHECK_LONG(stp_map_get_long(m, &k), 0);
  CHECK(!stp_map_exists(m, &k));
  CHECK_LONG(stp_map_set_long(m, &k, 42), 0);
  CHECK_LONG(stp_map_get_long(m, &k), 42);
  CHECK(stp_map_exists(m, &k));
  /* Assigning 0 keeps the element. */
  CHECK_LONG(stp_map_set_long(m, &k, 0), 0);
  CHECK(stp_map_exists(m, &k));
  CHECK_LONG(stp_map_size(m), 1);
  p = stp_map_ref_long(m, &k);
  CHECK(p != NULL);
  if (p)
    *p += 5;
  CHECK_LONG(stp_map_get_long(m, &k), 5);
  for (i = 1; i <= 3; i++) {
    k = k1(-i);
    CHECK_LONG(stp_map_set_long(m, &k, i), 0);
  }
  /* Full: a new key fails, an existing one can still be set. */
  k = k1(100);
  CHECK_LONG(stp_map_set_long(m, &k, 1), -E2BIG);
  CHECK(stp_map_ref_long(m, &k) == NULL);
  CHECK(!stp_map_exists(m, &k));
  k = k1(-2);
  CHECK_LONG(stp_map_set_long(m, &k, 20), 0);
  CHECK_LONG(stp_map_size(m), 4);
  /* Delete frees a slot. */
  stp_map_delete(m, &k);
  CHECK(!stp_map_exists(m, &k));
  CHECK_LONG(stp_map_size(m), 3);
  k = k1(100);
  CHECK_LONG(stp_map_set_long(m, &k, 1), 0);
  stp_map_delete(m, &k);
  stp_map_delete(m, &k);          /* absent: nothing happens */
  CHECK_LONG(stp_map_size(m), 3);
  /* Wrong value type. */
  CHECK_LONG(stp_map_set_str(m, &k, "x"), -EINVAL);
  CHECK_LONG(stp_map_add_stat(m, &k, 1), -EINVAL);
  stp_map_clear(m);
  CHECK_LONG(stp_map_size(m), 0);
  CHECK(stp_map_first(m) == NULL);
  for (i = 0; i < 4; i++) {
    k = k1(i);
    CHECK_LONG(stp_map_set_long(m, &k, i), 0);
  }
  CHECK_LONG(stp_map_size(m), 4);
  stp_map_free(m);
}

static void test_string_keys(void)
{
  static const unsigned char t[] = { STP_STRING, STP_LONG };
  struct stp_map *m = new_map(2, t, STP_STRING, 16, 0);
  static char longs[MAXSTRINGLEN + 50], other[MAXSTRINGLEN + 50];
  union stp_key k[2];
  struct stp_map_entry *e;

  k[0].s = "ab";
  k[1].n = 1;
  CHECK_STR(stp_map_get_str(m, k), "");
  CHECK_LONG(stp_map_set_str(m, k, "v1"), 0);
  k[0].s = "a";
  CHECK_LONG(stp_map_set_str(m, k, "v2"), 0);
  k[1].n = 2;
  CHECK_LONG(stp_map_set_str(m, k, ""), 0);
  CHECK(stp_map_exists(m, k));
  CHECK_LONG(stp_map_size(m), 3);
  k[0].s = "ab";
  k[1].n = 1;
  CHECK_STR(stp_map_get_str(m, k), "v1");
  /* NULL keys are "". */
  k[0].s = NULL;
  CHECK_LONG(stp_map_set_str(m, k, "null"), 0);
  k[0].s = "";
  CHECK_STR(stp_map_get_str(m, k), "null");

  /* Keys and values are cut to MAXSTRINGLEN - 1 bytes; keys that differ only
     after that are the same key. */
  memset(longs, 'k', sizeof(longs) - 1);
  memcpy(other, longs, sizeof(other));
  other[MAXSTRINGLEN + 10] = 'z';
  k[0].s = longs;
  CHECK_LONG(stp_map_set_str(m, k, longs), 0);
  k[0].s = other;
  CHECK_LONG(strlen(stp_map_get_str(m, k)), MAXSTRINGLEN - 1);
  CHECK_LONG(stp_map_size(m), 5);
  for (e = stp_map_first(m); e; e = stp_map_next(m, e))
    if (strlen(stp_entry_key_str(e, 0)) > 100)
      CHECK_LONG(strlen(stp_entry_key_str(e, 0)), MAXSTRINGLEN - 1);

  /* Insertion order, and the entry accessors. */
  e = stp_map_first(m);
  CHECK_STR(stp_entry_key_str(e, 0), "ab");
  CHECK_LONG(stp_entry_key_long(e, 1), 1);
  CHECK_STR(stp_entry_str(e), "v1");
  e = stp_map_next(m, e);
  CHECK_STR(stp_entry_key_str(e, 0), "a");
  CHECK_STR(stp_entry_str(e), "v2");
  /* Mismatched accessors give 0 / "". */
  CHECK_LONG(stp_entry_key_long(e, 0), 0);
  CHECK_STR(stp_entry_key_str(e, 1), "");
  CHECK_LONG(stp_entry_long(e), 0);
  stp_map_free(m);
}

static void test_wrap(void)
{
  static const unsigned char t[] = { STP_LONG };
  struct stp_map *m = new_map(1, t, STP_LONG, 3, 1);
  struct stp_map_entry *e;
  union stp_key k;
  int i;

  for (i = 1; i <= 5; i++) {
    k = k1(i);
    CHECK_LONG(stp_map_set_long(m, &k, i * 10), 0);
  }
  CHECK_LONG(stp_map_size(m), 3);
  k = k1(1);
  CHECK(!stp_map_exists(m, &k));
  k = k1(2);
  CHECK(!stp_map_exists(m, &k));
  i = 3;
  for (e = stp_map_first(m); e; e = stp_map_next(m, e), i++) {
    CHECK_LONG(stp_entry_key_long(e, 0), i);
    CHECK_LONG(stp_entry_long(e), i * 10);
  }
  CHECK_LONG(i, 6);
  /* Updating an element does not make it newer. */
  k = k1(3);
  stp_map_set_long(m, &k, 33);
  k = k1(6);
  stp_map_set_long(m, &k, 60);
  k = k1(3);
  CHECK(!stp_map_exists(m, &k));
  stp_map_free(m);
}

static void test_slices(void)
{
  static const unsigned char t[] = { STP_LONG, STP_STRING, STP_LONG };
  struct stp_map *m = new_map(3, t, STP_LONG, 32, 0);
  union stp_key k[3];
  int i, j;

  for (i = 0; i < 3; i++)
    for (j = 0; j < 3; j++) {
      k[0].n = i;
      k[1].s = j == 0 ? "x" : j == 1 ? "y" : "z";
      k[2].n = i * j;
      stp_map_set_long(m, k, 1);
    }
  CHECK_LONG(stp_map_size(m), 9);
  k[0].n = 1;
  k[1].s = "q";
  k[2].n = 0;
  CHECK(stp_map_exists_slice(m, k, 2 | 4));          /* [1, *, *] */
  CHECK(!stp_map_exists_slice(m, k, 4));             /* [1, "q", *] */
  CHECK(stp_map_exists_slice(m, k, 2));              /* [1, *, 0] */
  k[2].n = 3;
  CHECK(!stp_map_exists_slice(m, k, 2));             /* [1, *, 3] */
  CHECK(!stp_map_exists_slice(m, k, 1 | 2));         /* [*, *, 3]: no i*j is 3 */
  k[1].s = "y";
  k[2].n = 4;
  CHECK(stp_map_exists_slice(m, k, 0) == 0);         /* [1, "y", 4] exact */
  k[0].n = 2;
  k[2].n = 2;
  CHECK(stp_map_exists_slice(m, k, 0));              /* [2, "y", 2] */

  k[1].s = "y";
  stp_map_delete_slice(m, k, 1 | 4);                 /* [*, "y", *] */
  CHECK_LONG(stp_map_size(m), 6);
  k[0].n = 0;
  CHECK(!stp_map_exists_slice(m, k, 1 | 4));
  k[0].n = 2;
  stp_map_delete_slice(m, k, 2 | 4);                 /* [2, *, *] */
  CHECK_LONG(stp_map_size(m), 4);
  stp_map_delete_slice(m, k, 1 | 2 | 4);             /* everything */
  CHECK_LONG(stp_map_size(m), 0);
  stp_map_free(m);
}

/* Sorting: by value or any key, both directions, stable. */
static void check_order(struct stp_map *m, const int64_t *keys, int n)
{
  struct stp_map_entry *e;
  int i = 0;

  for (e = stp_map_first(m); e; e = stp_map_next(m, e), i++)
    if (i < n)
      CHECK_LONG(stp_entry_key_long(e, 0), keys[i]);
  CHECK_LONG(i, n);
}

static void test_sort(void)
{
  static const unsigned char t[] = { STP_LONG, STP_STRING };
  struct stp_map *m = new_map(2, t, STP_LONG, 16, 0);
  static const struct { int64_t key; const char *s; int64_t v; } rows[] = {
    { 1, "b", 30 }, { 2, "a", 10 }, { 3, "c", 30 }, { -4, "b", -5 }, { 5, "B", 10 },
  };
  static const int64_t by_value_up[] = { -4, 2, 5, 1, 3 };
  static const int64_t by_value_down[] = { 1, 3, 2, 5, -4 };
  static const int64_t by_key_up[] = { -4, 1, 2, 3, 5 };
  /* Ties keep the order the previous sort left ("b": -4 before 1). */
  static const int64_t by_str_up[] = { 5, 2, -4, 1, 3 };
  static const int64_t by_str_down[] = { 3, -4, 1, 2, 5 };
  union stp_key k[2];
  unsigned i;

  for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
    k[0].n = rows[i].key;
    k[1].s = rows[i].s;
    stp_map_set_long(m, k, rows[i].v);
  }
  stp_map_sort(m, 0, 1, 0);
  check_order(m, by_value_up, 5);
  stp_map_sort(m, 0, -1, 0);
  check_order(m, by_value_down, 5);
  stp_map_sort(m, 1, 1, 0);
  check_order(m, by_key_up, 5);
  stp_map_sort(m, 2, 1, 0);
  check_order(m, by_str_up, 5);
  stp_map_sort(m, 2, -1, 0);
  check_order(m, by_str_down, 5);
  /* dir 0 keeps the current order; bad columns are ignored. */
  stp_map_sort(m, 0, 0, 0);
  check_order(m, by_str_down, 5);
  stp_map_sort(m, 7, 1, 0);
  check_order(m, by_str_down, 5);
  /* The list is usable after sorting: prev links, appends, deletes. */
  k[0].n = 9;
  k[1].s = "z";
  stp_map_set_long(m, k, 0);
  {
    static const int64_t then[] = { 3, -4, 1, 2, 5, 9 };
    check_order(m, then, 6);
  }
  k[0].n = 2;
  k[1].s = "a";
  stp_map_delete(m, k);
  {
    static const int64_t then[] = { 3, -4, 1, 5, 9 };
    check_order(m, then, 5);
  }
  stp_map_free(m);

  /* Many equal values: a stable sort keeps insertion order. */
  {
    static const unsigned char t1[] = { STP_LONG };
    struct stp_map *m2 = new_map(1, t1, STP_LONG, 200, 0);
    struct stp_map_entry *e;
    int64_t prev_v = INT64_MIN, prev_k = -1;
    int j, ok = 1;
    for (j = 0; j < 200; j++) {
      union stp_key kk = k1(j);
      stp_map_set_long(m2, &kk, (j * 7) % 5);
    }
    stp_map_sort(m2, 0, 1, 0);
    for (e = stp_map_first(m2); e; e = stp_map_next(m2, e)) {
      int64_t v = stp_entry_long(e), kk = stp_entry_key_long(e, 0);
      if (v < prev_v || (v == prev_v && kk < prev_k))
        ok = 0;
      prev_v = v;
      prev_k = kk;
    }
    CHECK(ok);
    CHECK_LONG(stp_map_size(m2), 200);
    stp_map_free(m2);
  }
}

/* A foreach may delete the element it is on. */
static void test_delete_while_walking(void)
{
  static const unsigned char t[] = { STP_LONG };
  struct stp_map *m = new_map(1, t, STP_LONG, 8, 0);
  struct stp_map_entry *e;
  union stp_key k;
  int i, seen = 0;

  for (i = 0; i < 6; i++) {
    k = k1(i);
    stp_map_set_long(m, &k, i);
  }
  for (e = stp_map_first(m); e; e = stp_map_next(m, e)) {
    seen++;
    if (stp_entry_key_long(e, 0) % 2 == 0) {
      k = k1(stp_entry_key_long(e, 0));
      stp_map_delete(m, &k);
    }
  }
  CHECK_LONG(seen, 6);
  CHECK_LONG(stp_map_size(m), 3);
  stp_map_free(m);
}

static void test_stat_map(void)
{
  static const unsigned char t[] = { STP_STRING };
  struct stp_map_spec spec;
  struct stp_map *m;
  struct stp_stat_data *d = malloc(sizeof(*d));
  struct stp_map_entry *e;
  union stp_key k;
  int i;

  memset(&spec, 0, sizeof(spec));
  spec.name = "s";
  spec.nkeys = 1;
  memcpy(spec.key_types, t, 1);
  spec.value_type = STP_STAT;
  spec.max_entries = 4;
  spec.hist.type = STP_HIST_LOG;
  m = stp_map_new(&spec);
  CHECK(m != NULL && d != NULL);
  if (!m || !d)
    return;

  /* Values 1..5 for "one" on CPU 0 only: upstream's array elements take
     that CPU's own Welford variance (7; a scalar gives 12). */
  k.s = "one";
  for (i = 1; i <= 5; i++)
    CHECK_LONG(stp_map_add_stat(m, &k, i), 0);
  CHECK_LONG(stp_map_get_stat(m, &k, d), 0);
  CHECK_LONG(d->count, 5);
  CHECK_LONG(d->sum, 15);
  CHECK_LONG(stp_stat_variance(d, 0), 7);

  /* "two" on CPUs 0..3: each CPU adds to its own copy, reads see all. */
  k.s = "two";
  for (i = 0; i < 12; i++) {
    shim_cpu = i % 4;
    stp_map_add_stat(m, &k, i < 6 ? -i : i * 100);
  }
  shim_cpu = 0;
  CHECK_LONG(stp_map_get_stat(m, &k, d), 0);
  CHECK_LONG(d->count, 12);
  CHECK_LONG(d->sum, -15 + 100 * (6 + 7 + 8 + 9 + 10 + 11));
  CHECK_LONG(d->min, -5);
  CHECK_LONG(d->max, 1100);
  CHECK_LONG(d->histogram[HIST_LOG_BUCKET0], 1);         /* 0 */
  CHECK_LONG(d->histogram[HIST_LOG_BUCKET0 - 1], 1);     /* -1 */
  CHECK_LONG(d->histogram[HIST_LOG_BUCKET0 - 3], 2);     /* -4, -5 */
  CHECK_LONG(d->histogram[HIST_LOG_BUCKET0 + 10], 5);    /* 600..1000: 512..1023 */
  CHECK_LONG(d->histogram[HIST_LOG_BUCKET0 + 11], 1);    /* 1100 */

  k.s = "absent";
  CHECK_LONG(stp_map_get_stat(m, &k, d), -ENOENT);
  CHECK_LONG(d->count, 0);
  k.s = "three";
  stp_map_add_stat(m, &k, 50);
  shim_cpu = 3;
  stp_map_add_stat(m, &k, 60);
  shim_cpu = 0;
  k.s = "four";
  stp_map_add_stat(m, &k, 1000);
  k.s = "five";
  CHECK_LONG(stp_map_add_stat(m, &k, 1), -E2BIG);

  /* Sorting by an aggregate. */
  stp_map_sort(m, 0, -1, STP_AGG_COUNT);
  e = stp_map_first(m);
  CHECK_STR(stp_entry_key_str(e, 0), "two");
  stp_map_sort(m, 0, 1, STP_AGG_MIN);
  e = stp_map_first(m);
  CHECK_STR(stp_entry_key_str(e, 0), "two");
  e = stp_map_next(m, e);
  CHECK_STR(stp_entry_key_str(e, 0), "one");
  stp_map_sort(m, 0, -1, STP_AGG_AVG);
  e = stp_map_first(m);
  CHECK_STR(stp_entry_key_str(e, 0), "four");
  e = stp_map_next(m, e);
  CHECK_STR(stp_entry_key_str(e, 0), "two");              /* 4785/12 = 398 */
  e = stp_map_next(m, e);
  CHECK_STR(stp_entry_key_str(e, 0), "three");            /* 55 */
  stp_entry_stat(m, e, d);
  CHECK_LONG(d->count, 2);
  CHECK_LONG(stp_stat_avg(d), 55);
  stp_map_sort(m, 0, 1, STP_AGG_SUM);
  e = stp_map_first(m);
  CHECK_STR(stp_entry_key_str(e, 0), "one");
  stp_map_sort(m, 0, -1, STP_AGG_MAX);
  e = stp_map_first(m);
  CHECK_STR(stp_entry_key_str(e, 0), "two");
  stp_map_sort(m, 1, 1, 0);
  e = stp_map_first(m);
  CHECK_STR(stp_entry_key_str(e, 0), "four");

  /* A deleted element comes back empty on every CPU. */
  k.s = "two";
  stp_map_delete(m, &k);
  shim_cpu = 2;
  stp_map_add_stat(m, &k, 9);
  shim_cpu = 0;
  stp_map_get_stat(m, &k, d);
  CHECK_LONG(d->count, 1);
  CHECK_LONG(d->sum, 9);
  CHECK_LONG(stp_stat_variance(d, 0), 0);
  stp_map_clear(m);
  CHECK_LONG(stp_map_size(m), 0);
  stp_map_free(m);
  free(d);
}

/* Arrays merge CPUs pairwise: check a three-CPU case against the formula
   worked by hand. */
static void test_stat_map_variance(void)
{
  static const unsigned char t[] = { STP_LONG };
  struct stp_map_spec spec;
  struct stp_map *m;
  struct stp_stat_data *d = malloc(sizeof(*d));
  union stp_key k = k1(0);

  memset(&spec, 0, sizeof(spec));
  spec.nkeys = 1;
  memcpy(spec.key_types, t, 1);
  spec.value_type = STP_STAT;
  spec.max_entries = 2;
  m = stp_map_new(&spec);
  if (!m || !d)
    abort();
  /* CPU0: 1 2 3 (mean 1, var 2); CPU1: 4 5 (mean 4, var 1); CPU2: 100. */
  shim_cpu = 0;
  stp_map_add_stat(m, &k, 1);
  stp_map_add_stat(m, &k, 2);
  stp_map_add_stat(m, &k, 3);
  shim_cpu = 1;
  stp_map_add_stat(m, &k, 4);
  stp_map_add_stat(m, &k, 5);
  shim_cpu = 2;
  stp_map_add_stat(m, &k, 100);
  shim_cpu = 0;
  stp_map_get_stat(m, &k, d);
  /* CPU0+1: mean 3, (12 + 4 + 2 + 1) / 4 = 4.
     +CPU2: mean 115/6 = 19, (5*16*16 + 4*4 + 1*81*81 + 0) / 5 = 1571. */
  CHECK_LONG(stp_stat_variance(d, 0), 1571);
  CHECK_LONG(d->count, 6);
  stp_map_free(m);
  free(d);
}

static void test_scalar_stat(void)
{
  struct stp_hist_spec h = { .type = STP_HIST_NONE };
  struct stp_stat *s;
  struct stp_stat_data *d = malloc(sizeof(*d));
  int i;

  if (!d)
    abort();
  s = stp_stat_new(&h);
  /* stap's own example (stap.1): @variance of 1..5 is 12, with shift 1 2. */
  for (i = 1; i <= 5; i++)
    stp_stat_add(s, i);
  stp_stat_get(s, d);
  CHECK_LONG(stp_stat_variance(d, 0), 12);
  CHECK_LONG(stp_stat_avg(d), 3);
  stp_stat_free(s);
  h.bit_shift = 1;
  s = stp_stat_new(&h);
  for (i = 1; i <= 5; i++)
    stp_stat_add(s, i);
  stp_stat_get(s, d);
  CHECK_LONG(stp_stat_variance(d, 1), 2);
  stp_stat_free(s);
  h.bit_shift = 0;

  /* Same values on two CPUs: total variance against the overall mean. */
  s = stp_stat_new(&h);
  shim_cpu = 0;
  stp_stat_add(s, 1);
  stp_stat_add(s, 2);
  stp_stat_add(s, 3);
  shim_cpu = 1;
  stp_stat_add(s, 4);
  stp_stat_add(s, 5);
  shim_cpu = 0;
  stp_stat_get(s, d);
  CHECK_LONG(d->count, 5);
  CHECK_LONG(d->min, 1);
  CHECK_LONG(d->max, 5);
  CHECK_LONG(stp_stat_variance(d, 0), 4);           /* (14 + 5) / 4 */

  /* @avg truncates toward zero; count 1 has variance 0. */
  stp_stat_clear(s);
  stp_stat_get(s, d);
  CHECK_LONG(d->count, 0);
  stp_stat_add(s, -1);
  stp_stat_get(s, d);
  CHECK_LONG(stp_stat_variance(d, 0), 0);
  CHECK_LONG(stp_stat_avg(d), -1);
  shim_cpu = 3;
  stp_stat_add(s, -2);
  shim_cpu = 0;
  stp_stat_get(s, d);
  CHECK_LONG(stp_stat_avg(d), -1);                  /* -3 / 2 */
  CHECK_LONG(d->min, -2);
  CHECK_LONG(d->max, -1);
  stp_stat_free(s);

  /* Extreme values do not trap. */
  s = stp_stat_new(&h);
  stp_stat_add(s, INT64_MIN);
  stp_stat_add(s, INT64_MAX);
  stp_stat_add(s, INT64_MAX);
  stp_stat_get(s, d);
  CHECK_LONG(d->min, INT64_MIN);
  CHECK_LONG(d->max, INT64_MAX);
  stp_stat_free(s);
  free(d);
}

static void test_hist_specs(void)
{
  struct stp_hist_spec h = { .type = STP_HIST_LINEAR, .start = 0, .stop = 1250, .interval = 10 };
  struct stp_stat_data *d = calloc(1, sizeof(*d));
  struct stp_stat *s;
  int64_t v = 0;

  CHECK_LONG(stp_hist_nbuckets(&h), 128);
  s = stp_stat_new(&h);
  CHECK(s != NULL);
  stp_stat_free(s);
  h.stop = 1260;
  CHECK_LONG(stp_hist_nbuckets(&h), 0);
  CHECK(stp_stat_new(&h) == NULL);
  h.stop = 100;
  h.interval = 0;
  CHECK(stp_stat_new(&h) == NULL);
  h.interval = -10;
  CHECK(stp_stat_new(&h) == NULL);
  h.interval = 10;
  h.bit_shift = 63;
  CHECK(stp_stat_new(&h) == NULL);
  h.bit_shift = 0;

  /* Linear buckets: under, start.., the stop row, over. */
  CHECK_LONG(stp_hist_nbuckets(&h), 13);
  s = stp_stat_new(&h);
  stp_stat_add(s, -1);
  stp_stat_add(s, 0);
  stp_stat_add(s, 9);
  stp_stat_add(s, 100);
  stp_stat_add(s, 109);
  stp_stat_add(s, 110);
  stp_stat_add(s, INT64_MAX);
  stp_stat_add(s, INT64_MIN);
  stp_stat_get(s, d);
  CHECK_LONG(d->histogram[0], 2);
  CHECK_LONG(d->histogram[1], 2);
  CHECK_LONG(d->histogram[11], 2);
  CHECK_LONG(d->histogram[12], 2);
  CHECK_LONG(stp_hist_bucket_value(&h, 0), 0);
  CHECK_LONG(stp_hist_bucket_value(&h, 1), 0);
  CHECK_LONG(stp_hist_bucket_value(&h, 11), 100);
  CHECK_LONG(stp_hist_bucket_value(&h, 12), 100);
  CHECK_LONG(stp_hist_bucket(d, &h, 13, &v), -ERANGE);
  CHECK_LONG(stp_hist_bucket(d, &h, -1, &v), -ERANGE);
  CHECK_LONG(stp_hist_bucket(d, &h, 12, &v), 0);
  CHECK_LONG(v, 2);
  stp_stat_free(s);

  /* Log buckets. */
  CHECK_LONG(stp_hist_log_bucket(0), 64);
  CHECK_LONG(stp_hist_log_bucket(1), 65);
  CHECK_LONG(stp_hist_log_bucket(2), 66);
  CHECK_LONG(stp_hist_log_bucket(3), 66);
  CHECK_LONG(stp_hist_log_bucket(4), 67);
  CHECK_LONG(stp_hist_log_bucket(-1), 63);
  CHECK_LONG(stp_hist_log_bucket(-3), 62);
  CHECK_LONG(stp_hist_log_bucket(-4), 61);
  CHECK_LONG(stp_hist_log_bucket(INT64_MAX), 127);
  CHECK_LONG(stp_hist_log_bucket(INT64_MIN), 0);
  CHECK_LONG(stp_hist_log_value(0), INT64_MIN);
  CHECK_LONG(stp_hist_log_value(61), -4);
  CHECK_LONG(stp_hist_log_value(64), 0);
  CHECK_LONG(stp_hist_log_value(127), (int64_t)1 << 62);
  h.type = STP_HIST_LOG;
  CHECK_LONG(stp_hist_nbuckets(&h), 128);
  CHECK_LONG(stp_hist_bucket_value(&h, 63), -1);
  h.type = STP_HIST_NONE;
  CHECK_LONG(stp_hist_nbuckets(&h), 0);
  CHECK_LONG(stp_hist_bucket(d, &h, 0, &v), -ERANGE);
  free(d);
}

static void test_bad_specs_and_enomem(void)
{
  static const unsigned char t[] = { STP_LONG };
  struct stp_map_spec spec;
  struct stp_hist_spec h = { .type = STP_HIST_LOG };
  int n;

  memset(&spec, 0, sizeof(spec));
  spec.nkeys = 0;
  spec.value_type = STP_LONG;
  spec.max_entries = 4;
  CHECK(stp_map_new(&spec) == NULL);
  spec.nkeys = 10;
  CHECK(stp_map_new(&spec) == NULL);
  spec.nkeys = 1;
  spec.key_types[0] = 7;
  CHECK(stp_map_new(&spec) == NULL);
  memcpy(spec.key_types, t, 1);
  spec.value_type = 9;
  CHECK(stp_map_new(&spec) == NULL);
  spec.value_type = STP_STAT;
  spec.max_entries = 0;
  CHECK(stp_map_new(&spec) == NULL);
  spec.max_entries = 4;
  spec.hist.type = STP_HIST_LINEAR;
  CHECK(stp_map_new(&spec) == NULL);                 /* interval 0 */
  spec.hist.type = STP_HIST_LOG;
  CHECK(stp_map_new(NULL) == NULL);

  /* Every allocation failure is handled and leaks nothing. */
  for (n = 0; n < 8; n++) {
    struct stp_map *m;
    shim_fail_alloc_after = n;
    m = stp_map_new(&spec);
    shim_fail_alloc_after = -1;
    stp_map_free(m);
    CHECK_LONG(shim_live_allocs, 0);
  }
  for (n = 0; n < 3; n++) {
    struct stp_stat *s;
    shim_fail_alloc_after = n;
    s = stp_stat_new(&h);
    shim_fail_alloc_after = -1;
    stp_stat_free(s);
    CHECK_LONG(shim_live_allocs, 0);
  }
}

int main(void)
{
  shim_ncpus = 4;
  test_long_map();
  test_string_keys();
  test_wrap();
  test_slices();
  test_sort();
  test_delete_while_walking();
  test_stat_map();
  test_stat_map_variance();
  test_scalar_stat();
  test_hist_specs();
  test_bad_specs_and_enomem();
  CHECK_LONG(shim_live_allocs, 0);
  return rt_test_done("test_map");
}
