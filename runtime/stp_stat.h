/* stp_stat.h: statistics (`x <<< v`), histograms and their printing.
 *
 * A statistic keeps one stp_stat_cpu record per CPU; a handler adds only to
 * its own CPU's record, so adds need no lock shared between CPUs.  Reads
 * aggregate every CPU's record into a caller-provided stp_stat_data, the way
 * upstream SystemTap 4.8 does, including its integer arithmetic for @avg and
 * @variance (so results match it to the last digit).
 */
#ifndef STP_STAT_H
#define STP_STAT_H

enum stp_hist_type { STP_HIST_NONE = 0, STP_HIST_LOG = 1, STP_HIST_LINEAR = 2 };

/* What a statistic keeps besides count/sum/min/max/avg/variance.
   buckets: informational; the runtime derives the bucket count from the other
   fields (stp_hist_nbuckets).  bit_shift: the @variance(x, N) bit-shift
   (0..62) of this global; values are scaled by 2^N while adding. */
struct stp_hist_spec {
  int type;
  int64_t start, stop, interval;
  int buckets;
  int bit_shift;
  int no_variance;                  /* the script never reads @variance: skip its upkeep */
  int no_sum;                       /* nor @sum or @avg */
  int no_minmax;                    /* nor @min or @max */
};

struct stp_stat_data {
  int64_t count, sum, min, max;
  int64_t avg_s, var_s;             /* scaled mean and scaled variance (see stp_stat.c) */
  int64_t histogram[STP_MAX_BUCKETS];
};

struct stp_stat;

static __maybe_unused struct stp_stat *stp_stat_new(const struct stp_hist_spec *h); /* NULL on ENOMEM or a bad spec */
static __maybe_unused void stp_stat_free(struct stp_stat *s);
static __maybe_unused void stp_stat_add(struct stp_stat *s, int64_t v);          /* this CPU's part */
static __maybe_unused void stp_stat_add_spec(void __percpu *pcpu, int64_t v,
                                             const struct stp_hist_spec *h);      /* h: s's spec */
static __maybe_unused void __percpu *stp_stat_percpu(struct stp_stat *s);         /* for _add_spec */
static __maybe_unused void stp_stat_get(struct stp_stat *s, struct stp_stat_data *out); /* aggregated */
static __maybe_unused void stp_stat_clear(struct stp_stat *s);
static __maybe_unused int64_t stp_stat_avg(const struct stp_stat_data *d);       /* count must be > 0 */
static __maybe_unused int64_t stp_stat_variance(const struct stp_stat_data *d, int shift);
static __maybe_unused int stp_hist_bucket(const struct stp_stat_data *d, const struct stp_hist_spec *h,
                                          int64_t index, int64_t *out);          /* 0 or -ERANGE */
static __maybe_unused int stp_hist_nbuckets(const struct stp_hist_spec *h);      /* 0: no histogram / bad spec */
static __maybe_unused int64_t stp_hist_bucket_value(const struct stp_hist_spec *h, int i);
static __maybe_unused void stp_hist_print(const struct stp_stat_data *d, const struct stp_hist_spec *h);
static __maybe_unused size_t stp_hist_sprint(char *out, size_t outlen, const struct stp_stat_data *d,
                                             const struct stp_hist_spec *h);

/* --- shared with stp_map.c ---------------------------------------------- */

/* One CPU's accumulator; histogram has stp_hist_nbuckets() entries. */
struct stp_stat_cpu {
  int64_t count, sum, min, max;
  int64_t avg_s;                    /* Welford running mean, scaled by 2^bit_shift */
  int64_t m2;                       /* Welford sum of squared deviations, scaled */
  int64_t histogram[];
};
static __maybe_unused size_t stp_stat_cpu_size(const struct stp_hist_spec *h);
static __maybe_unused void stp_stat_cpu_add(struct stp_stat_cpu *sc, const struct stp_hist_spec *h,
                                            int64_t v);
static __maybe_unused void stp_stat_cpu_zero(struct stp_stat_cpu *sc, const struct stp_hist_spec *h);
/* Aggregation: begin with count 0, merge each CPU in order, finish. */
static __maybe_unused void stp_stat_agg_begin(struct stp_stat_data *out);
static __maybe_unused void stp_stat_agg_merge_pairwise(struct stp_stat_data *out,
                                                       const struct stp_stat_cpu *sc,
                                                       const struct stp_hist_spec *h);
/* Log histogram bucket of v, and the value a log bucket stands for. */
static __maybe_unused int stp_hist_log_bucket(int64_t v);
static __maybe_unused int64_t stp_hist_log_value(int bucket);

#endif /* STP_STAT_H */
