/* stp_stat.c: statistics, histograms and their printing (see stp_stat.h).
 *
 * Arithmetic follows SystemTap 4.8 exactly, quirks included, because scripts
 * and tests compare the numbers:
 * - @avg is sum / count truncated toward zero.
 * - @variance uses Welford's algorithm per CPU on values scaled by
 *   2^bit_shift, with the running difference held in 32 bits and every
 *   division truncating.  A scalar statistic then combines the CPUs with the
 *   "total variance" formula against the exact overall mean; an array element
 *   merges its CPUs pairwise in CPU order.  The two differ (1..5 on one CPU
 *   gives 12 for a scalar, 7 for an array element) and upstream does both.
 * - All sums wrap around on overflow (done in unsigned arithmetic here, since
 *   signed overflow is undefined in C).
 */
#ifndef STP_STAT_C
#define STP_STAT_C

#include "stp_stat.h"

#define STP_WRAP_ADD(a, b) ((int64_t)((uint64_t)(a) + (uint64_t)(b)))
#define STP_WRAP_SUB(a, b) ((int64_t)((uint64_t)(a) - (uint64_t)(b)))
#define STP_WRAP_MUL(a, b) ((int64_t)((uint64_t)(a) * (uint64_t)(b)))
#define STP_WRAP_SHL(a, n) ((int64_t)((uint64_t)(a) << (n)))

struct stp_stat {
  struct stp_hist_spec h;
  size_t cpu_size;
  void __percpu *cpu;               /* one stp_stat_cpu per CPU */
};

/* --- buckets -------------------------------------------------------------- */

static int stp_hist_nbuckets(const struct stp_hist_spec *h)
{
  int64_t n;

  if (!h)
    return 0;
  switch (h->type) {
  case STP_HIST_LOG:
    return HIST_LOG_BUCKETS;
  case STP_HIST_LINEAR:
    if (h->interval <= 0 || h->stop < h->start)
      return 0;
    /* Rows start..stop plus one for underflow and one for overflow. */
    n = stp_div64(h->stop - h->start, h->interval) + 3;
    return n <= STP_MAX_BUCKETS ? (int)n : 0;
  default:
    return 0;
  }
}

static int stp_hist_log_bucket(int64_t v)
{
  uint64_t mag;
  int log2;

  if (v == 0)
    return HIST_LOG_BUCKET0;
  mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
  log2 = 63 - __builtin_clzll(mag);
  /* 1 -> 65, 2..3 -> 66, ... 2^62.. -> 127; negatives mirror below 64,
     and INT64_MIN lands in bucket 0. */
  return v > 0 ? HIST_LOG_BUCKET0 + 1 + log2
               : HIST_LOG_BUCKETS - (HIST_LOG_BUCKET0 + 1 + log2);
}

static int64_t stp_hist_log_value(int bucket)
{
  if (bucket == HIST_LOG_BUCKET0)
    return 0;
  if (bucket < HIST_LOG_BUCKET0)
    return (int64_t)(~(uint64_t)0 << (63 - bucket));     /* -2^(63-bucket) */
  return (int64_t)1 << (bucket - HIST_LOG_BUCKET0 - 1);
}

static int stp_hist_linear_bucket(const struct stp_hist_spec *h, int nb, int64_t v)
{
  int64_t d = STP_WRAP_SUB(v, h->start);
  uint64_t idx;

  if (d < 0)
    return 0;
  idx = div64_u64((uint64_t)d, (uint64_t)h->interval) + 1;
  return idx >= (uint64_t)(nb - 1) ? nb - 1 : (int)idx;
}

static int64_t stp_hist_bucket_value(const struct stp_hist_spec *h, int i)
{
  int nb = stp_hist_nbuckets(h);

  if (i < 0 || i >= nb)
    return 0;
  if (h->type == STP_HIST_LOG)
    return stp_hist_log_value(i);
  if (i == 0)
    return h->start;
  if (i == nb - 1)
    return h->start + (int64_t)(i - 2) * h->interval;
  return h->start + (int64_t)(i - 1) * h->interval;
}

static int stp_hist_bucket(const struct stp_stat_data *d, const struct stp_hist_spec *h,
                           int64_t index, int64_t *out)
{
  if (index < 0 || index >= stp_hist_nbuckets(h))
    return -ERANGE;
  *out = d->histogram[index];
  return 0;
}

/* --- one CPU's accumulator ------------------------------------------------ */

static size_t stp_stat_cpu_size(const struct stp_hist_spec *h)
{
  return sizeof(struct stp_stat_cpu) + (size_t)stp_hist_nbuckets(h) * sizeof(int64_t);
}

static void stp_stat_cpu_zero(struct stp_stat_cpu *sc, const struct stp_hist_spec *h)
{
  memset(sc, 0, stp_stat_cpu_size(h));
}

/* Inline so that a constant spec (pass 3's stp_hspec_*) drops the parts no
   extractor reads: `n <<< 1` read only by @count is one increment. */
static __always_inline void stp_stat_cpu_add_inline(struct stp_stat_cpu *sc,
                                                    const struct stp_hist_spec *h, int64_t v)
{
  int full = !h || !h->no_variance;
  int nb;

  if (full || !h->no_minmax) {
    if (sc->count == 0) {
      sc->min = sc->max = v;
    } else {
      if (v > sc->max)
        sc->max = v;
      if (v < sc->min)
        sc->min = v;
    }
  }
  if (full || !h->no_sum)
    sc->sum = STP_WRAP_ADD(sc->sum, v);
  sc->count++;
  /* Upstream keeps the difference in an int: so do we.  The division is
     most of the cost of a <<<: skipped when nothing reads @variance. */
  if (full) {
    int shift = h ? h->bit_shift : 0;
    int64_t scaled = STP_WRAP_SHL(v, shift);

    if (sc->count == 1) {
      sc->avg_s = scaled;
      sc->m2 = 0;
    } else {
      int32_t delta = (int32_t)STP_WRAP_SUB(scaled, sc->avg_s);
      sc->avg_s = STP_WRAP_ADD(sc->avg_s, stp_div64(delta, sc->count));
      sc->m2 = STP_WRAP_ADD(sc->m2, STP_WRAP_MUL(delta, STP_WRAP_SUB(scaled, sc->avg_s)));
    }
  }

  /* Most aggregates have no histogram: leave before the bucket count, an
     out-of-line call on every `<<<` otherwise. */
  if (!h || h->type == STP_HIST_NONE)
    return;
  nb = stp_hist_nbuckets(h);
  if (nb == 0)
    return;
  if (h->type == STP_HIST_LOG) {
    int b = stp_hist_log_bucket(v);
    sc->histogram[b < nb ? b : nb - 1]++;
  } else {
    sc->histogram[stp_hist_linear_bucket(h, nb, v)]++;
  }
}

static void stp_stat_cpu_add(struct stp_stat_cpu *sc, const struct stp_hist_spec *h, int64_t v)
{
  stp_stat_cpu_add_inline(sc, h, v);
}

/* The per-CPU variance upstream keeps next to its M2. */
static int64_t stp_stat_cpu_variance(const struct stp_stat_cpu *sc)
{
  return sc->count >= 2 ? stp_div64(sc->m2, sc->count - 1) : 0;
}

/* --- aggregation ---------------------------------------------------------- */

static void stp_stat_agg_begin(struct stp_stat_data *out)
{
  memset(out, 0, sizeof(*out));
}

/* count/sum/min/max and the histogram; the caller does mean and variance. */
static void stp_stat_agg_basic(struct stp_stat_data *out, const struct stp_stat_cpu *sc, int nb)
{
  int j;

  if (out->count == 0) {
    out->min = sc->min;
    out->max = sc->max;
  } else {
    if (sc->min < out->min)
      out->min = sc->min;
    if (sc->max > out->max)
      out->max = sc->max;
  }
  out->count += sc->count;
  out->sum = STP_WRAP_ADD(out->sum, sc->sum);
  for (j = 0; j < nb; j++)
    out->histogram[j] += sc->histogram[j];
}

static void stp_stat_agg_merge_pairwise(struct stp_stat_data *out, const struct stp_stat_cpu *sc,
                                        const struct stp_hist_spec *h)
{
  int shift = h ? h->bit_shift : 0;
  int64_t c1 = out->count, a1 = out->avg_s, v1 = out->var_s;
  int64_t s11, s12, s21, s22, d1, d2;

  if (sc->count == 0)
    return;
  stp_stat_agg_basic(out, sc, stp_hist_nbuckets(h));
  if (c1 == 0) {
    out->avg_s = sc->avg_s;
    out->var_s = stp_stat_cpu_variance(sc);
    return;
  }
  out->avg_s = stp_div64(STP_WRAP_SHL(out->sum, shift), out->count);
  d1 = STP_WRAP_SUB(a1, out->avg_s);
  d2 = STP_WRAP_SUB(sc->avg_s, out->avg_s);
  s11 = STP_WRAP_MUL(STP_WRAP_MUL(c1, d1), d1);
  s12 = STP_WRAP_MUL(c1 - 1, v1);
  s21 = STP_WRAP_MUL(STP_WRAP_MUL(sc->count, d2), d2);
  s22 = STP_WRAP_MUL(sc->count - 1, stp_stat_cpu_variance(sc));
  out->var_s = stp_div64(STP_WRAP_ADD(STP_WRAP_ADD(s11, s12), STP_WRAP_ADD(s21, s22)),
                         out->count - 1);
}

/* A scalar statistic: all CPUs at once, against the overall mean. */
static void stp_stat_agg_total(struct stp_stat *s, struct stp_stat_data *out)
{
  int nb = stp_hist_nbuckets(&s->h);
  int64_t s1 = 0, s2 = 0;
  int cpu;

  stp_stat_agg_begin(out);
  for_each_possible_cpu(cpu) {
    const struct stp_stat_cpu *sc = per_cpu_ptr(s->cpu, cpu);
    if (sc->count)
      stp_stat_agg_basic(out, sc, nb);
  }
  if (out->count == 0)
    return;
  out->avg_s = stp_div64(STP_WRAP_SHL(out->sum, s->h.bit_shift), out->count);
  for_each_possible_cpu(cpu) {
    const struct stp_stat_cpu *sc = per_cpu_ptr(s->cpu, cpu);
    int64_t d;
    if (!sc->count)
      continue;
    d = STP_WRAP_SUB(sc->avg_s, out->avg_s);
    s1 = STP_WRAP_ADD(s1, STP_WRAP_MUL(STP_WRAP_MUL(sc->count, d), d));
    s2 = STP_WRAP_ADD(s2, STP_WRAP_MUL(sc->count - 1, stp_stat_cpu_variance(sc)));
  }
  out->var_s = stp_div64(STP_WRAP_ADD(s1, s2), out->count - 1);
}

/* --- scalar statistics ---------------------------------------------------- */

static struct stp_stat *stp_stat_new(const struct stp_hist_spec *h)
{
  struct stp_stat *s;
  int cpu;

  if (h && (h->bit_shift < 0 || h->bit_shift > 62))
    return NULL;
  if (h && h->type != STP_HIST_NONE && stp_hist_nbuckets(h) == 0)
    return NULL;
  s = kzalloc(sizeof(*s), GFP_KERNEL);
  if (!s)
    return NULL;
  if (h)
    s->h = *h;
  s->cpu_size = stp_stat_cpu_size(&s->h);
  s->cpu = __alloc_percpu(s->cpu_size, sizeof(int64_t));
  if (!s->cpu) {
    kfree(s);
    return NULL;
  }
  for_each_possible_cpu(cpu)
    stp_stat_cpu_zero(per_cpu_ptr(s->cpu, cpu), &s->h);
  return s;
}

static void stp_stat_free(struct stp_stat *s)
{
  if (!s)
    return;
  free_percpu(s->cpu);
  kfree(s);
}

static void stp_stat_add(struct stp_stat *s, int64_t v)
{
  stp_stat_cpu_add(this_cpu_ptr(s->cpu), &s->h, v);
}

/* `s <<< v` in generated code: pcpu is s's per-CPU part (stp_stat_percpu,
   kept by the generated code so a hit loads one pointer, not two), h the
   statistic's own constant spec, the one s was made with. */
static __always_inline void stp_stat_add_spec(void __percpu *pcpu, int64_t v,
                                              const struct stp_hist_spec *h)
{
  stp_stat_cpu_add_inline(this_cpu_ptr((struct stp_stat_cpu __percpu *) pcpu), h, v);
}

static void __percpu *stp_stat_percpu(struct stp_stat *s)
{
  return s->cpu;
}

static void stp_stat_get(struct stp_stat *s, struct stp_stat_data *out)
{
  stp_stat_agg_total(s, out);
}

static void stp_stat_clear(struct stp_stat *s)
{
  int cpu;

  for_each_possible_cpu(cpu)
    stp_stat_cpu_zero(per_cpu_ptr(s->cpu, cpu), &s->h);
}

static int64_t stp_stat_avg(const struct stp_stat_data *d)
{
  return stp_div64(d->sum, d->count);
}

static int64_t stp_stat_variance(const struct stp_stat_data *d, int shift)
{
  if (shift < 0 || shift > 62)
    shift = 0;
  return d->var_s >> (2 * shift);
}

/* --- printing ------------------------------------------------------------- */

/* A row is at most the value column, the bar and the count column. */
#define STP_HIST_LINE_MAX (HIST_WIDTH + 64)

/* Lines go either into one caller buffer, or each into this CPU's print
   buffer (reserved per line, flushing first when the buffer is too full). */
struct stp_hist_out {
  struct stp_sbuf sb;
  int to_print;
};

static void stp_hist_line_begin(struct stp_hist_out *w)
{
  char *p;
  size_t avail = 0;

  if (!w->to_print)
    return;
  p = _stp_print_reserve(&avail);
  if (!p || avail < STP_HIST_LINE_MAX) {
    _stp_print_flush();
    p = _stp_print_reserve(&avail);
  }
  stp_sbuf_init(&w->sb, p, p ? avail : 0);
}

static void stp_hist_line_end(struct stp_hist_out *w)
{
  if (!w->to_print || !w->sb.buf)
    return;
  _stp_print_commit(w->sb.len < w->sb.cap ? w->sb.len : w->sb.cap);
}

static void stp_hist_emit(struct stp_hist_out *w, const struct stp_stat_data *d,
                          const struct stp_hist_spec *h)
{
  int nb = stp_hist_nbuckets(h);
  int low = -1, high = 0, under = 0, over = 0;
  int i, k, val_space, cnt_space, eliding = 0;
  int64_t valmax = 0, scale;

  if (nb == 0)
    return;
  for (i = 0; i < nb; i++) {
    if (d->histogram[i] > 0 && low == -1)
      low = i;
    if (d->histogram[i] > 0)
      high = i;
    if (d->histogram[i] > valmax)
      valmax = d->histogram[i];
  }
  if (low == -1) {
    /* No data (generated code reports "empty aggregate" before printing). */
    low = 0;
    high = -1;
  }

  /* Up to two empty rows on either side of the data; a log histogram goes
     below its zero row only when it has negative values. */
  for (i = 0; i < 2 && high >= low; i++) {
    if (h->type == STP_HIST_LOG) {
      if (low != HIST_LOG_BUCKET0 && low > 0)
        low--;
    } else if (low > 0) {
      low--;
    }
    if (high < nb - 1)
      high++;
  }
  if (h->type == STP_HIST_LINEAR && high >= low) {
    /* The underflow and overflow rows only when they count something. */
    if (low == 0 && d->histogram[0] == 0)
      low++;
    if (high == nb - 1 && d->histogram[high] == 0)
      high--;
    under = low == 0;
    over = high == nb - 1;
  }

  scale = valmax <= HIST_WIDTH ? 1 : stp_div64(valmax + HIST_WIDTH - 1, HIST_WIDTH);
  cnt_space = stp_decimal_width(valmax);
  if (h->type == STP_HIST_LINEAR) {
    /* As upstream: the widest value is taken one interval past the last row. */
    int a = stp_decimal_width(h->start) + under;
    int b = stp_decimal_width(h->start + h->interval * (high < 0 ? 0 : high)) + over;
    val_space = a > b ? a : b;
  } else {
    int a = stp_decimal_width(stp_hist_log_value(high < 0 ? 0 : high));
    int b = stp_decimal_width(stp_hist_log_value(low));
    val_space = a > b ? a : b;
  }
  if (val_space < 5)
    val_space = 5;

  stp_hist_line_begin(w);
  stp_sbuf_repeat(&w->sb, ' ', val_space - 5);
  stp_sbuf_puts(&w->sb, "value |");
  stp_sbuf_repeat(&w->sb, '-', HIST_WIDTH);
  stp_sbuf_puts(&w->sb, " count\n");
  stp_hist_line_end(w);

  for (i = low; i <= high; i++) {
    const char *prefix = "";
    int64_t val, bar;

    if ((long)HIST_ELISION >= 0) {
      /* Skip a zero row whose neighbours within HIST_ELISION rows are all
         zero; mark the gap with a ~ before the next printed row. */
      int max_elide = (long)HIST_ELISION < nb ? (int)HIST_ELISION : nb;
      int from = i - max_elide > low ? i - max_elide : low;
      int to = i + max_elide < high ? i + max_elide : high;
      int elide = 1;
      for (k = from; k <= to; k++)
        if (d->histogram[k] != 0)
          elide = 0;
      if (elide) {
        eliding = 1;
        continue;
      }
      if (eliding) {
        stp_hist_line_begin(w);
        stp_sbuf_repeat(&w->sb, ' ', val_space);
        stp_sbuf_puts(&w->sb, " ~\n");
        stp_hist_line_end(w);
        eliding = 0;
      }
    }

    val = stp_hist_bucket_value(h, i);
    if (h->type == STP_HIST_LINEAR) {
      if (i == 0)
        prefix = "<";
      else if (i == nb - 1)
        prefix = ">";
    }
    bar = stp_div64(d->histogram[i], scale);

    stp_hist_line_begin(w);
    stp_sbuf_repeat(&w->sb, ' ', val_space - stp_decimal_width(val) - (int)strlen(prefix));
    stp_sbuf_puts(&w->sb, prefix);
    stp_sbuf_long(&w->sb, val, 0);
    stp_sbuf_puts(&w->sb, " |");
    stp_sbuf_repeat(&w->sb, '@', (int)bar);
    stp_sbuf_long(&w->sb, d->histogram[i], (int)(HIST_WIDTH - bar + 1 + cnt_space));
    stp_sbuf_putc(&w->sb, '\n');
    stp_hist_line_end(w);
  }
  stp_hist_line_begin(w);
  stp_sbuf_putc(&w->sb, '\n');
  stp_hist_line_end(w);
}

static void stp_hist_print(const struct stp_stat_data *d, const struct stp_hist_spec *h)
{
  struct stp_hist_out w;

  w.to_print = 1;
  stp_sbuf_init(&w.sb, NULL, 0);
  stp_hist_emit(&w, d, h);
}

static size_t stp_hist_sprint(char *out, size_t outlen, const struct stp_stat_data *d,
                              const struct stp_hist_spec *h)
{
  struct stp_hist_out w;

  if (!out || outlen == 0)
    return 0;
  w.to_print = 0;
  stp_sbuf_init(&w.sb, out, outlen);
  stp_hist_emit(&w, d, h);
  return stp_sbuf_finish(&w.sb);
}

#endif /* STP_STAT_C */
