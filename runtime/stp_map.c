/* stp_map.c: associative arrays (see stp_map.h). */
#ifndef STP_MAP_C
#define STP_MAP_C

#include "stp_map.h"

struct stp_map_entry {
  struct stp_map_entry *hnext;      /* hash chain */
  struct stp_map_entry *prev, *next; /* the array's list; next survives delete */
  struct stp_map_entry *free_next;  /* free list */
  const struct stp_map *map;
  unsigned index;                   /* slot in the per-CPU statistic blocks */
  unsigned hash;
  int64_t sortval;                  /* statistic arrays: the aggregate being sorted on */
  int64_t data[];                   /* keys, then the value, at the map's offsets */
};

struct stp_map {
  struct stp_map_spec spec;
  unsigned key_off[STP_MAX_KEYS];   /* byte offsets into entry->data */
  unsigned val_off;
  size_t entry_size;
  unsigned hash_mask;
  struct stp_map_entry **hash;
  struct stp_map_entry *first, *last, *free;
  unsigned num;
  char *entries;
  size_t stat_size;                 /* bytes of one stp_stat_cpu */
  void **cpu_stats;                 /* [nr_cpu_ids] blocks of max_entries records */
  raw_spinlock_t lock;              /* serialises stp_map_add_stat across CPUs */
};

static inline char *stp_entry_field(const struct stp_map_entry *e, unsigned off)
{
  return (char *)e->data + off;
}

static inline struct stp_stat_cpu *stp_map_stat_cpu(const struct stp_map *m, unsigned index, int cpu)
{
  return (struct stp_stat_cpu *)((char *)m->cpu_stats[cpu] + (size_t)index * m->stat_size);
}

/* --- creation ------------------------------------------------------------- */

static int stp_map_spec_ok(const struct stp_map_spec *spec)
{
  unsigned i;

  if (!spec || spec->nkeys < 1 || spec->nkeys > STP_MAX_KEYS || spec->max_entries < 1)
    return 0;
  for (i = 0; i < spec->nkeys; i++)
    if (spec->key_types[i] != STP_LONG && spec->key_types[i] != STP_STRING)
      return 0;
  switch (spec->value_type) {
  case STP_LONG:
  case STP_STRING:
    return 1;
  case STP_STAT:
    if (spec->hist.bit_shift < 0 || spec->hist.bit_shift > 62)
      return 0;
    return spec->hist.type == STP_HIST_NONE || stp_hist_nbuckets(&spec->hist) > 0;
  default:
    return 0;
  }
}

static struct stp_map *stp_map_new(const struct stp_map_spec *spec)
{
  struct stp_map *m;
  unsigned i, off = 0, nhash = 16;
  int cpu;

  if (!stp_map_spec_ok(spec))
    return NULL;
  m = kzalloc(sizeof(*m), GFP_KERNEL);
  if (!m)
    return NULL;
  m->spec = *spec;
  raw_spin_lock_init(&m->lock);

  for (i = 0; i < spec->nkeys; i++) {
    m->key_off[i] = off;
    off += spec->key_types[i] == STP_STRING ? MAXSTRINGLEN : sizeof(int64_t);
    off = (off + 7) & ~7u;
  }
  m->val_off = off;
  if (spec->value_type == STP_STRING)
    off += MAXSTRINGLEN;
  else if (spec->value_type == STP_LONG)
    off += sizeof(int64_t);
  off = (off + 7) & ~7u;
  m->entry_size = sizeof(struct stp_map_entry) + off;

  while (nhash < spec->max_entries && nhash < (1u << 20))
    nhash <<= 1;
  m->hash_mask = nhash - 1;
  m->hash = vzalloc(nhash * sizeof(*m->hash));
  m->entries = vzalloc(m->entry_size * spec->max_entries);
  if (!m->hash || !m->entries)
    goto fail;

  if (spec->value_type == STP_STAT) {
    m->stat_size = stp_stat_cpu_size(&m->spec.hist);
    m->cpu_stats = kcalloc(nr_cpu_ids, sizeof(*m->cpu_stats), GFP_KERNEL);
    if (!m->cpu_stats)
      goto fail;
    for_each_possible_cpu(cpu) {
      m->cpu_stats[cpu] = vzalloc(m->stat_size * spec->max_entries);
      if (!m->cpu_stats[cpu])
        goto fail;
    }
  }

  /* Free list in slot order, so the first entries used are the first slots. */
  for (i = spec->max_entries; i-- > 0;) {
    struct stp_map_entry *e = (struct stp_map_entry *)(m->entries + (size_t)i * m->entry_size);
    e->map = m;
    e->index = i;
    e->free_next = m->free;
    m->free = e;
  }
  return m;

fail:
  stp_map_free(m);
  return NULL;
}

static void stp_map_free(struct stp_map *m)
{
  int cpu;

  if (!m)
    return;
  if (m->cpu_stats) {
    for_each_possible_cpu(cpu)
      vfree(m->cpu_stats[cpu]);
    kfree(m->cpu_stats);
  }
  vfree(m->entries);
  vfree(m->hash);
  kfree(m);
}

/* --- keys ----------------------------------------------------------------- */

static unsigned stp_map_hash(const struct stp_map *m, const union stp_key *k)
{
  uint32_t h = 2166136261u;
  unsigned i;

  for (i = 0; i < m->spec.nkeys; i++) {
    if (m->spec.key_types[i] == STP_STRING) {
      const unsigned char *s = (const unsigned char *)(k[i].s ? k[i].s : "");
      size_t n;
      for (n = 0; n < MAXSTRINGLEN - 1 && s[n]; n++)
        h = (h ^ s[n]) * 16777619u;
    } else {
      uint64_t v = (uint64_t)k[i].n;
      int b;
      for (b = 0; b < 8; b++, v >>= 8)
        h = (h ^ (uint32_t)(v & 0xff)) * 16777619u;
    }
    h = (h ^ 0xff) * 16777619u;     /* separates ("ab","c") from ("a","bc") */
  }
  return h ^ (h >> 16);
}

/* Does entry e's key i match k[i]? */
static int stp_map_key_eq(const struct stp_map *m, const struct stp_map_entry *e,
                          const union stp_key *k, unsigned i)
{
  const char *f = stp_entry_field(e, m->key_off[i]);

  if (m->spec.key_types[i] == STP_STRING)
    return strncmp(f, k[i].s ? k[i].s : "", MAXSTRINGLEN - 1) == 0;
  return *(const int64_t *)f == k[i].n;
}

static int stp_map_keys_match(const struct stp_map *m, const struct stp_map_entry *e,
                              const union stp_key *k, unsigned wild)
{
  unsigned i;

  for (i = 0; i < m->spec.nkeys; i++)
    if (!(wild & (1u << i)) && !stp_map_key_eq(m, e, k, i))
      return 0;
  return 1;
}

static struct stp_map_entry *stp_map_find(const struct stp_map *m, const union stp_key *k,
                                          unsigned hash)
{
  struct stp_map_entry *e;

  for (e = m->hash[hash & m->hash_mask]; e; e = e->hnext)
    if (e->hash == hash && stp_map_keys_match(m, e, k, 0))
      return e;
  return NULL;
}

static void stp_map_unhash(struct stp_map *m, struct stp_map_entry *e)
{
  struct stp_map_entry **pp = &m->hash[e->hash & m->hash_mask];

  while (*pp && *pp != e)
    pp = &(*pp)->hnext;
  if (*pp)
    *pp = e->hnext;
  e->hnext = NULL;
}

static void stp_map_unlist(struct stp_map *m, struct stp_map_entry *e)
{
  if (e->prev)
    e->prev->next = e->next;
  else
    m->first = e->next;
  if (e->next)
    e->next->prev = e->prev;
  else
    m->last = e->prev;
  /* e->next is kept, so a foreach that deletes its current element can
     still step to the element after it. */
}

static struct stp_map_entry *stp_map_create(struct stp_map *m, const union stp_key *k,
                                            unsigned hash)
{
  struct stp_map_entry *e = m->free;
  unsigned i;
  int cpu;

  if (e) {
    m->free = e->free_next;
    m->num++;
  } else {
    if (!m->spec.wrap || !m->first)
      return NULL;
    e = m->first;                   /* a% array: reuse the oldest element */
    stp_map_unhash(m, e);
    stp_map_unlist(m, e);
  }
  e->hash = hash;
  for (i = 0; i < m->spec.nkeys; i++) {
    char *f = stp_entry_field(e, m->key_off[i]);
    if (m->spec.key_types[i] == STP_STRING)
      stp_strlcpy(f, k[i].s, MAXSTRINGLEN);
    else
      *(int64_t *)f = k[i].n;
  }
  if (m->spec.value_type == STP_STRING)
    stp_entry_field(e, m->val_off)[0] = '\0';
  else if (m->spec.value_type == STP_LONG)
    *(int64_t *)stp_entry_field(e, m->val_off) = 0;
  else
    for_each_possible_cpu(cpu)
      stp_stat_cpu_zero(stp_map_stat_cpu(m, e->index, cpu), &m->spec.hist);

  e->hnext = m->hash[hash & m->hash_mask];
  m->hash[hash & m->hash_mask] = e;
  e->prev = m->last;
  e->next = NULL;
  if (m->last)
    m->last->next = e;
  else
    m->first = e;
  m->last = e;
  return e;
}

static struct stp_map_entry *stp_map_lookup(struct stp_map *m, const union stp_key *k, int create)
{
  unsigned hash = stp_map_hash(m, k);
  struct stp_map_entry *e = stp_map_find(m, k, hash);

  if (!e && create)
    e = stp_map_create(m, k, hash);
  return e;
}

/* --- values --------------------------------------------------------------- */

static int stp_map_set_long(struct stp_map *m, const union stp_key *k, int64_t v)
{
  int64_t *p;

  if (m->spec.value_type != STP_LONG)
    return -EINVAL;
  p = stp_map_ref_long(m, k);
  if (!p)
    return -E2BIG;
  *p = v;
  return 0;
}

static int stp_map_set_str(struct stp_map *m, const union stp_key *k, const char *v)
{
  struct stp_map_entry *e;

  if (m->spec.value_type != STP_STRING)
    return -EINVAL;
  e = stp_map_lookup(m, k, 1);
  if (!e)
    return -E2BIG;
  stp_strlcpy(stp_entry_field(e, m->val_off), v, MAXSTRINGLEN);
  return 0;
}

static int64_t *stp_map_ref_long(struct stp_map *m, const union stp_key *k)
{
  struct stp_map_entry *e;

  if (m->spec.value_type != STP_LONG)
    return NULL;
  e = stp_map_lookup(m, k, 1);
  return e ? (int64_t *)stp_entry_field(e, m->val_off) : NULL;
}

static int stp_map_add_stat(struct stp_map *m, const union stp_key *k, int64_t v)
{
  struct stp_map_entry *e;
  unsigned long flags;
  int rc = 0;

  if (m->spec.value_type != STP_STAT)
    return -EINVAL;
  raw_spin_lock_irqsave(&m->lock, flags);
  e = stp_map_lookup(m, k, 1);
  if (e)
    stp_stat_cpu_add(stp_map_stat_cpu(m, e->index, smp_processor_id()), &m->spec.hist, v);
  else
    rc = -E2BIG;
  raw_spin_unlock_irqrestore(&m->lock, flags);
  return rc;
}

static int64_t stp_map_get_long(struct stp_map *m, const union stp_key *k)
{
  struct stp_map_entry *e;

  if (m->spec.value_type != STP_LONG)
    return 0;
  e = stp_map_lookup(m, k, 0);
  return e ? *(int64_t *)stp_entry_field(e, m->val_off) : 0;
}

static const char *stp_map_get_str(struct stp_map *m, const union stp_key *k)
{
  struct stp_map_entry *e;

  if (m->spec.value_type != STP_STRING)
    return "";
  e = stp_map_lookup(m, k, 0);
  return e ? stp_entry_field(e, m->val_off) : "";
}

static int stp_map_get_stat(struct stp_map *m, const union stp_key *k, struct stp_stat_data *out)
{
  struct stp_map_entry *e;

  if (m->spec.value_type != STP_STAT)
    return -EINVAL;
  e = stp_map_lookup(m, k, 0);
  if (!e) {
    stp_stat_agg_begin(out);
    return -ENOENT;
  }
  stp_entry_stat(m, e, out);
  return 0;
}

static int stp_map_exists(struct stp_map *m, const union stp_key *k)
{
  return stp_map_lookup(m, k, 0) != NULL;
}

static void stp_map_remove(struct stp_map *m, struct stp_map_entry *e)
{
  stp_map_unhash(m, e);
  stp_map_unlist(m, e);
  e->free_next = m->free;
  m->free = e;
  m->num--;
}

static void stp_map_delete(struct stp_map *m, const union stp_key *k)
{
  struct stp_map_entry *e = stp_map_lookup(m, k, 0);

  if (e)
    stp_map_remove(m, e);
}

static void stp_map_clear(struct stp_map *m)
{
  struct stp_map_entry *e = m->first;

  while (e) {
    struct stp_map_entry *next = e->next;
    e->hnext = NULL;
    e->free_next = m->free;
    m->free = e;
    e = next;
  }
  memset(m->hash, 0, (m->hash_mask + 1) * sizeof(*m->hash));
  m->first = m->last = NULL;
  m->num = 0;
}

static unsigned stp_map_size(struct stp_map *m)
{
  return m->num;
}

static int stp_map_exists_slice(struct stp_map *m, const union stp_key *k, unsigned wild)
{
  struct stp_map_entry *e;

  if ((wild & ((1u << m->spec.nkeys) - 1)) == 0)
    return stp_map_exists(m, k);
  for (e = m->first; e; e = e->next)
    if (stp_map_keys_match(m, e, k, wild))
      return 1;
  return 0;
}

static void stp_map_delete_slice(struct stp_map *m, const union stp_key *k, unsigned wild)
{
  struct stp_map_entry *e = m->first;

  if ((wild & ((1u << m->spec.nkeys) - 1)) == 0) {
    stp_map_delete(m, k);
    return;
  }
  while (e) {
    struct stp_map_entry *next = e->next;
    if (stp_map_keys_match(m, e, k, wild))
      stp_map_remove(m, e);
    e = next;
  }
}

/* --- iteration and sorting ------------------------------------------------ */

static struct stp_map_entry *stp_map_first(struct stp_map *m)
{
  return m->first;
}

static struct stp_map_entry *stp_map_next(struct stp_map *m, struct stp_map_entry *e)
{
  (void)m;
  return e ? e->next : NULL;
}

static int64_t stp_entry_key_long(const struct stp_map_entry *e, unsigned i)
{
  const struct stp_map *m = e->map;

  if (i >= m->spec.nkeys || m->spec.key_types[i] != STP_LONG)
    return 0;
  return *(const int64_t *)stp_entry_field(e, m->key_off[i]);
}

static const char *stp_entry_key_str(const struct stp_map_entry *e, unsigned i)
{
  const struct stp_map *m = e->map;

  if (i >= m->spec.nkeys || m->spec.key_types[i] != STP_STRING)
    return "";
  return stp_entry_field(e, m->key_off[i]);
}

static int64_t stp_entry_long(const struct stp_map_entry *e)
{
  if (e->map->spec.value_type != STP_LONG)
    return 0;
  return *(const int64_t *)stp_entry_field(e, e->map->val_off);
}

static const char *stp_entry_str(const struct stp_map_entry *e)
{
  if (e->map->spec.value_type != STP_STRING)
    return "";
  return stp_entry_field(e, e->map->val_off);
}

static void stp_entry_stat(struct stp_map *m, const struct stp_map_entry *e, struct stp_stat_data *out)
{
  int cpu;

  stp_stat_agg_begin(out);
  if (m->spec.value_type != STP_STAT)
    return;
  /* Upstream merges the CPUs' copies pairwise, in CPU order. */
  for_each_possible_cpu(cpu)
    stp_stat_agg_merge_pairwise(out, stp_map_stat_cpu(m, e->index, cpu), &m->spec.hist);
}

/* The aggregate a statistic array is sorted on, without the histogram. */
static int64_t stp_map_stat_sortval(const struct stp_map *m, const struct stp_map_entry *e, int agg)
{
  int64_t count = 0, sum = 0, min = 0, max = 0;
  int cpu;

  for_each_possible_cpu(cpu) {
    const struct stp_stat_cpu *sc = stp_map_stat_cpu(m, e->index, cpu);
    if (!sc->count)
      continue;
    if (count == 0 || sc->min < min)
      min = sc->min;
    if (count == 0 || sc->max > max)
      max = sc->max;
    count += sc->count;
    sum = STP_WRAP_ADD(sum, sc->sum);
  }
  switch (agg) {
  case STP_AGG_SUM:
    return sum;
  case STP_AGG_MIN:
    return min;
  case STP_AGG_MAX:
    return max;
  case STP_AGG_AVG:
    return stp_div64(sum, count);
  default:
    return count;
  }
}

/* <0, 0, >0 as a sorts before, with, after b in ascending order. */
static int stp_map_cmp(const struct stp_map *m, const struct stp_map_entry *a,
                       const struct stp_map_entry *b, int column)
{
  int type;
  unsigned off;
  int64_t x, y;

  if (column == 0) {
    if (m->spec.value_type == STP_STAT) {
      x = a->sortval;
      y = b->sortval;
      return x < y ? -1 : x > y;
    }
    type = m->spec.value_type;
    off = m->val_off;
  } else {
    type = m->spec.key_types[column - 1];
    off = m->key_off[column - 1];
  }
  if (type == STP_STRING)
    return strcmp(stp_entry_field(a, off), stp_entry_field(b, off));
  x = *(const int64_t *)stp_entry_field(a, off);
  y = *(const int64_t *)stp_entry_field(b, off);
  return x < y ? -1 : x > y;
}

static void stp_map_sort(struct stp_map *m, int column, int dir, int agg)
{
  struct stp_map_entry *list = m->first, *p, *q, *e, *tail;
  unsigned insize = 1, nmerges, psize, qsize, i;

  if (dir == 0 || !list || column < 0 || column > (int)m->spec.nkeys)
    return;
  if (column == 0 && m->spec.value_type == STP_STAT)
    for (e = list; e; e = e->next)
      e->sortval = stp_map_stat_sortval(m, e, agg);

  /* Bottom-up merge sort of the singly linked next chain: stable, no
     recursion, no extra memory. */
  for (;;) {
    p = list;
    list = tail = NULL;
    nmerges = 0;
    while (p) {
      nmerges++;
      q = p;
      psize = 0;
      for (i = 0; i < insize && q; i++) {
        psize++;
        q = q->next;
      }
      qsize = insize;
      while (psize > 0 || (qsize > 0 && q)) {
        if (psize == 0) {
          e = q; q = q->next; qsize--;
        } else if (qsize == 0 || !q) {
          e = p; p = p->next; psize--;
        } else if (dir * stp_map_cmp(m, p, q, column) <= 0) {
          e = p; p = p->next; psize--;
        } else {
          e = q; q = q->next; qsize--;
        }
        if (tail)
          tail->next = e;
        else
          list = e;
        tail = e;
      }
      p = q;
    }
    tail->next = NULL;
    if (nmerges <= 1)
      break;
    insize *= 2;
  }

  m->first = list;
  for (p = NULL, e = list; e; p = e, e = e->next)
    e->prev = p;
  m->last = p;
}

#endif /* STP_MAP_C */
