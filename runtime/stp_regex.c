/* stp_regex.c - the Pike VM of stp_regex.h.  Written in the common subset
 * of C and C++ so that testsuite/unit/regex_test.cpp runs this very code
 * against the programs pass 3 compiles. */
#ifndef STP_REGEX_C
#define STP_REGEX_C

/* Everything one exec needs, carved out of the scratch area. */
struct stp_regex_vm {
  const struct stp_regex_prog *p;
  const char *s;
  unsigned nslots;                /* 2 * ngroups */
  unsigned stride;                /* pos_t per thread: pc + slots */
  uint32_t *marks;                /* marks[pc] == gen: pc is in the list being built */
  uint32_t gen;
  stp_regex_pos_t *work;          /* captures of the path being followed */
  stp_regex_pos_t *stack;         /* pairs: (pc, 0) to visit, (-1 - slot, value) to restore */
};

/* Adds to list (n threads so far) every instruction that consumes a byte or
   matches, reachable from pc without consuming, in priority order, with the
   captures of vm->work as they stand at each.  pos is the position the
   threads are at. */
static __maybe_unused void stp_regex_add(struct stp_regex_vm *vm, stp_regex_pos_t *list,
                                         unsigned *n, unsigned pc0, int pos)
{
  const struct stp_regex_inst *code = vm->p->code;
  unsigned sp = 0;

  vm->stack[0] = (stp_regex_pos_t)pc0;
  vm->stack[1] = 0;
  sp = 1;
  while (sp > 0) {
    int a, b;
    unsigned pc;
    const struct stp_regex_inst *in;

    --sp;
    a = vm->stack[2 * sp];
    b = vm->stack[2 * sp + 1];
    if (a < 0) {                          /* leaving a SAVE: restore the slot */
      vm->work[-1 - a] = (stp_regex_pos_t)b;
      continue;
    }
    pc = (unsigned)a;
    if (pc >= vm->p->ninst || vm->marks[pc] == vm->gen)
      continue;
    vm->marks[pc] = vm->gen;
    in = &code[pc];
    /* Each instruction is entered once per list and pushes at most two
       entries, so the stack never holds more than 2 * ninst + 1. */
#define STP_RE_PUSH(x, y)                                   \
    do {                                                    \
      vm->stack[2 * sp] = (stp_regex_pos_t)(x);             \
      vm->stack[2 * sp + 1] = (stp_regex_pos_t)(y);         \
      ++sp;                                                 \
    } while (0)
    switch (in->op) {
    case STP_RE_JMP:
      STP_RE_PUSH(in->x, 0);
      break;
    case STP_RE_SPLIT:
      STP_RE_PUSH(in->y, 0);              /* popped last: lower priority */
      STP_RE_PUSH(in->x, 0);
      break;
    case STP_RE_SAVE:
      if (in->arg < vm->nslots) {
        STP_RE_PUSH(-1 - (int)in->arg, vm->work[in->arg]);
        vm->work[in->arg] = (stp_regex_pos_t)pos;
      }
      STP_RE_PUSH(pc + 1, 0);
      break;
    case STP_RE_BOL:
      if (pos == 0)
        STP_RE_PUSH(pc + 1, 0);
      break;
    default: {                            /* CHAR, CLASS, EOL, MATCH: a thread */
      stp_regex_pos_t *t = list + (size_t)(*n) * vm->stride;
      unsigned i;
      t[0] = (stp_regex_pos_t)pc;
      for (i = 0; i < vm->nslots; ++i)
        t[1 + i] = vm->work[i];
      ++*n;
      break;
    }
    }
#undef STP_RE_PUSH
  }
}

/* As upstream's matcher, `$` consumes the string's terminating NUL: it is a
   thread like a byte, taken at the end, so a match through `$` ends at
   len + 1 and is longer than one that stops before it ("a$$" never
   matches).  Offsets are clipped to len before they are returned. */
static __maybe_unused int stp_regex_exec(const struct stp_regex_prog *p, const char *s,
                                         void *scratch, size_t scratch_bytes, int *caps)
{
  struct stp_regex_vm vm;
  stp_regex_pos_t *clist, *nlist, *tmp;
  unsigned nc = 0, nn, i, ninst = p->ninst;
  int matched = 0, pos, len = 0;
  char *mem = (char *)scratch;

  if (ninst == 0 || p->ngroups == 0 ||
      STP_REGEX_SCRATCH_FOR(ninst, p->ngroups) > scratch_bytes || scratch == NULL)
    return -E2BIG;
  while (len < MAXSTRINGLEN - 1 && s[len] != '\0')
    ++len;
  vm.p = p;
  vm.s = s;
  vm.nslots = 2 * p->ngroups;
  vm.stride = 1 + vm.nslots;
  vm.marks = (uint32_t *)mem;
  mem += (size_t)ninst * sizeof(uint32_t);
  clist = (stp_regex_pos_t *)mem;
  nlist = clist + (size_t)ninst * vm.stride;
  vm.work = nlist + (size_t)ninst * vm.stride;
  vm.stack = vm.work + vm.nslots;
  for (i = 0; i < ninst; ++i)
    vm.marks[i] = 0;
  vm.gen = 1;
  for (i = 0; i < vm.nslots; ++i)
    caps[i] = -1;

  for (pos = 0; pos <= len + 1; ++pos) {
    unsigned char ch = pos < len ? (unsigned char)s[pos] : 0;

    /* Until something matched, a new attempt starts here, after (below)
       every attempt that started further left. */
    if (!matched && pos <= len) {
      for (i = 0; i < vm.nslots; ++i)
        vm.work[i] = -1;
      stp_regex_add(&vm, clist, &nc, 0, pos);
    }
    if (nc == 0 && (matched || pos >= len))
      break;
  restart:
    ++vm.gen;
    nn = 0;
    for (i = 0; i < nc; ++i) {
      stp_regex_pos_t *t = clist + (size_t)i * vm.stride;
      const struct stp_regex_inst *in = &p->code[t[0]];
      int take = 0;

      /* Once a match is known, only its attempt goes on (to make it longer). */
      if (matched && t[1] != caps[0])
        continue;
      switch (in->op) {
      case STP_RE_MATCH:
        if (!matched) {
          /* The first match to end fixes the start (4.8's matcher does the
             same: "abcd|b" on "abcd" is "b").  Of the attempts ending here,
             the leftmost comes first in the list.  Threads of other attempts
             already added to nlist may hold instructions this attempt needs,
             so the step is redone with them filtered out. */
          unsigned k;
          for (k = 0; k < vm.nslots; ++k)
            caps[k] = t[1 + k];
          matched = 1;
          goto restart;
        }
        /* Longer wins; at a tie the earlier (higher-priority) thread has. */
        if (t[2] > caps[1]) {
          unsigned k;
          for (k = 0; k < vm.nslots; ++k)
            caps[k] = t[1 + k];
        }
        break;
      case STP_RE_CHAR:
        take = pos < len && ch == in->arg;
        break;
      case STP_RE_CLASS:
        take = pos < len && ((p->classes[in->arg][ch >> 5] >> (ch & 31)) & 1);
        break;
      case STP_RE_EOL:
        take = pos == len;
        break;
      }
      if (take) {
        unsigned k;
        for (k = 0; k < vm.nslots; ++k)
          vm.work[k] = t[1 + k];
        stp_regex_add(&vm, nlist, &nn, t[0] + 1u, pos + 1);
      }
    }
    tmp = clist;
    clist = nlist;
    nlist = tmp;
    nc = nn;
  }
  for (i = 0; i < vm.nslots; ++i)
    if (caps[i] > len)
      caps[i] = len;
  return matched;
}

static __maybe_unused int stp_regex_match(struct context *c, const struct stp_regex_prog *p,
                                          const char *s)
{
  struct stp_regex_last *r = &c->regex;
  int rc;
  size_t i;

  if (p->ngroups > STP_REGEX_MAXGROUPS) {
    r->matched = 0;
    return 0;
  }
  for (i = 0; i + 1 < MAXSTRINGLEN && s[i] != '\0'; ++i)
    r->str[i] = s[i];
  r->str[i] = '\0';
  rc = stp_regex_exec(p, r->str, c->regex_scratch, STP_REGEX_SCRATCH_BYTES, r->caps);
  r->matched = rc > 0;
  /* As upstream, the group count is the last successful match's: after a
     failure, matched(n) still tells a group that pattern did not have. */
  if (rc > 0)
    r->ngroups = p->ngroups;
  return rc > 0;
}

static __maybe_unused int _stp_regex_matched(struct context *c)
{
  return c->regex.matched;
}

static __maybe_unused int _stp_regex_ngroups(struct context *c)
{
  return (int)c->regex.ngroups;
}

static __maybe_unused int _stp_regex_group(struct context *c, int n, char *out, size_t len)
{
  const struct stp_regex_last *r = &c->regex;
  int start, end, k;

  if (!r->matched || n < 0 || (unsigned)n >= r->ngroups)
    return -1;
  if (len == 0)
    return 0;
  start = r->caps[2 * n];
  end = r->caps[2 * n + 1];
  if (start < 0 || end < start)
    start = end = 0;
  for (k = 0; start + k < end && (size_t)k + 1 < len; ++k)
    out[k] = r->str[start + k];
  out[k] = '\0';
  return k;
}

#endif /* STP_REGEX_C */
