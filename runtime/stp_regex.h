/* stp_regex.h - matching for the script's `s =~ "RE"` and `s !~ "RE"`.
 *
 * Pass 3 (stap/kmod/regex_compile.cpp) compiles each pattern into a small
 * program for a Pike VM and emits it as static tables.  The matcher here
 * runs that program over the string in one pass, keeping at most one thread
 * per instruction, so a match costs at most (length + 1) * instructions
 * steps, never recurses and never allocates: its working memory is the
 * per-CPU scratch area (STP_REGEX_SCRATCH_BYTES, sized by pass 3 for the
 * module's largest pattern, allocated with the frames in linux/context.c).
 *
 * Semantics are upstream's (stap 4.8's matcher, checked against it): the
 * match that ends first fixes the start (of several ending there, the
 * leftmost: "abcd|b" on "abcd" is "b"), then it is made as long as that
 * start allows ("ab(cd)?|b" is "abcd"); subexpressions are those of the highest-priority way to make that match
 * (alternatives left to right, repetitions greedy).
 *
 * Also the runtime API of tapset/regex.stp: _stp_regex_matched,
 * _stp_regex_ngroups, _stp_regex_group (tapset/RUNTIME_API.md). */
#ifndef STP_REGEX_H
#define STP_REGEX_H

/* Instruction codes, as stap::RegexOp numbers them. */
enum {
  STP_RE_CHAR = 0,   /* the byte arg */
  STP_RE_CLASS = 1,  /* a byte of classes[arg] */
  STP_RE_SPLIT = 2,  /* x, then y */
  STP_RE_JMP = 3,    /* x */
  STP_RE_SAVE = 4,   /* capture slot arg = position */
  STP_RE_BOL = 5,
  STP_RE_EOL = 6,
  STP_RE_MATCH = 7,
};

struct stp_regex_inst {
  unsigned char op;
  unsigned short arg, x, y;
};

struct stp_regex_prog {
  const struct stp_regex_inst *code;
  unsigned ninst;
  const uint32_t (*classes)[8];   /* 256-bit byte sets */
  unsigned ngroups;               /* subexpressions including the whole match */
};

/* Largest program of the module (pass 3 defines them before runtime.h). */
#ifndef STP_REGEX_MAXINST
#define STP_REGEX_MAXINST 0
#endif

/* Positions inside a string of at most MAXSTRINGLEN bytes; the instruction
   index shares the type. */
#if MAXSTRINGLEN < 32767
typedef int16_t stp_regex_pos_t;
#else
typedef int32_t stp_regex_pos_t;
#endif

/* Scratch layout: a mark per instruction, two thread lists of ninst threads
   (pc, then 2 * ngroups capture slots), the working captures, and the
   explicit stack of the epsilon-closure walk (two entries per instruction
   at most, plus the start). */
#define STP_REGEX_SCRATCH_FOR(ninst, ngroups)                              \
  ((size_t)(ninst) * sizeof(uint32_t) +                                   \
   sizeof(stp_regex_pos_t) *                                              \
       ((size_t)2 * (ninst) * (1 + 2 * (size_t)(ngroups)) +               \
        2 * (size_t)(ngroups) + 2 * (2 * (size_t)(ninst) + 2)))

#if STP_REGEX_MAXINST > 0
#define STP_REGEX_SCRATCH_BYTES \
  STP_REGEX_SCRATCH_FOR(STP_REGEX_MAXINST, STP_REGEX_MAXGROUPS)
#else
#define STP_REGEX_SCRATCH_BYTES 0
#endif

/* Runs p over the NUL-terminated s.  1: matched, caps[0..2*ngroups) hold the
   group offsets (-1 for a group that took no part); 0: no match; -E2BIG:
   scratch is too small for p. */
static int stp_regex_exec(const struct stp_regex_prog *p, const char *s,
                          void *scratch, size_t scratch_bytes, int *caps);

/* s =~ p for generated code: records the result in c->regex for matched(). */
static int stp_regex_match(struct context *c, const struct stp_regex_prog *p,
                           const char *s);

static int _stp_regex_matched(struct context *c);
static int _stp_regex_ngroups(struct context *c);
static int _stp_regex_group(struct context *c, int n, char *out, size_t len);

#endif /* STP_REGEX_H */
