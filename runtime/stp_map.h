/* stp_map.h: associative arrays (global a[...]), including per-CPU
 * statistic arrays (a[...] <<< v).
 *
 * Every entry is allocated once, in stp_map_new: a hash table for lookups,
 * a list in insertion order (foreach order; sorting reorders it in place,
 * as upstream does) and a free list.  String keys and values are truncated
 * to MAXSTRINGLEN - 1 bytes.  Nothing here allocates or sleeps after
 * stp_map_new.
 *
 * Locking: the caller holds the global's lock.  stp_map_add_stat may run on
 * several CPUs at once under a read lock (it serialises on the array's own
 * spinlock, like upstream's per-CPU adds need no write lock); every other
 * function that changes the array, and every read of a statistic array,
 * needs the write lock.
 */
#ifndef STP_MAP_H
#define STP_MAP_H

#include "stp_stat.h"

enum stp_type { STP_LONG = 1, STP_STRING = 2, STP_STAT = 3 };
#define STP_MAX_KEYS 9

struct stp_map_spec {
  const char *name;                         /* the global's name, for messages */
  unsigned nkeys;                           /* 1..STP_MAX_KEYS */
  unsigned char key_types[STP_MAX_KEYS];    /* STP_LONG or STP_STRING */
  unsigned char value_type;                 /* STP_LONG, STP_STRING or STP_STAT */
  unsigned max_entries;                     /* MAXMAPENTRIES or global a[N] */
  int wrap;                                 /* global a%: a full array drops its oldest entry */
  struct stp_hist_spec hist;                /* STP_STAT: the histogram (and bit_shift) kept per entry */
};
union stp_key { int64_t n; const char *s; };

struct stp_map;
struct stp_map_entry;

static __maybe_unused struct stp_map *stp_map_new(const struct stp_map_spec *spec); /* NULL on ENOMEM or a bad spec */
static __maybe_unused void stp_map_free(struct stp_map *m);
static __maybe_unused int stp_map_set_long(struct stp_map *m, const union stp_key *k, int64_t v);    /* 0 or -E2BIG */
static __maybe_unused int stp_map_set_str(struct stp_map *m, const union stp_key *k, const char *v); /* 0 or -E2BIG */
static __maybe_unused int64_t *stp_map_ref_long(struct stp_map *m, const union stp_key *k);         /* creates; NULL when full */
static __maybe_unused int stp_map_add_stat(struct stp_map *m, const union stp_key *k, int64_t v);   /* per-CPU; 0 or -E2BIG */
static __maybe_unused int64_t stp_map_get_long(struct stp_map *m, const union stp_key *k);          /* 0 when absent */
static __maybe_unused const char *stp_map_get_str(struct stp_map *m, const union stp_key *k);       /* "" when absent */
static __maybe_unused int stp_map_get_stat(struct stp_map *m, const union stp_key *k,
                                           struct stp_stat_data *out);  /* aggregated over CPUs; -ENOENT when absent */
static __maybe_unused int stp_map_exists(struct stp_map *m, const union stp_key *k);
static __maybe_unused void stp_map_delete(struct stp_map *m, const union stp_key *k);
static __maybe_unused void stp_map_clear(struct stp_map *m);
static __maybe_unused unsigned stp_map_size(struct stp_map *m);
/* Slices: bit i of wild set = key i is `*`. */
static __maybe_unused int stp_map_exists_slice(struct stp_map *m, const union stp_key *k, unsigned wild);
static __maybe_unused void stp_map_delete_slice(struct stp_map *m, const union stp_key *k, unsigned wild);

/* foreach: sort, then walk.  column 0 = value, 1..nkeys = key column-1;
   dir +1 ascending (the script's `+`), -1 descending, 0 leaves the order;
   agg: which statistic sorts a statistic array by value.  Stable: equal
   elements keep their order.  The sort reorders the array's list in place
   (as upstream), so a later unsorted walk sees the sorted order. */
enum stp_agg { STP_AGG_COUNT, STP_AGG_SUM, STP_AGG_MIN, STP_AGG_MAX, STP_AGG_AVG };
static __maybe_unused void stp_map_sort(struct stp_map *m, int column, int dir, int agg);
static __maybe_unused struct stp_map_entry *stp_map_first(struct stp_map *m);
static __maybe_unused struct stp_map_entry *stp_map_next(struct stp_map *m, struct stp_map_entry *e);
/* Key i of an entry, 0-based like the k[] arrays above. */
static __maybe_unused int64_t stp_entry_key_long(const struct stp_map_entry *e, unsigned i);
static __maybe_unused const char *stp_entry_key_str(const struct stp_map_entry *e, unsigned i);
static __maybe_unused int64_t stp_entry_long(const struct stp_map_entry *e);
static __maybe_unused const char *stp_entry_str(const struct stp_map_entry *e);
static __maybe_unused void stp_entry_stat(struct stp_map *m, const struct stp_map_entry *e,
                                          struct stp_stat_data *out);

#endif /* STP_MAP_H */
