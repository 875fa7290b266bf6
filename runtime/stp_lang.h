/* Helpers that only generated code uses: frames, errors, arithmetic and
 * strings with the script language's semantics.  Included by the generated
 * file right after runtime.h (runtime/README.md). */
#ifndef STP_LANG_H
#define STP_LANG_H

/* The frame of the probe or function running at the current nesting depth. */
#define STP_FRAME(c, member) (&((union stp_frame *)(c)->frames)[(c)->nesting].member)
/* The frame a call is about to use, one level deeper. */
#define STP_NEXT_FRAME(c, member) (&((union stp_frame *)(c)->frames)[(c)->nesting + 1].member)

/* Raise a runtime error: MSG is a string that outlives the handler, WHERE the
 * token description printed after "near". */
#define STP_RAISE(c, msg, where, label)       \
  do {                                        \
    (c)->last_error = (msg);                  \
    (c)->last_stmt = (where);                 \
    goto label;                               \
  } while (0)

/* After anything that may fail: unwind when an error is pending.  The error
 * keeps the location it was raised with (none for error() and other
 * embedded-C failures, as upstream prints them). */
#define STP_CHECK(c, label)                            \
  do {                                                 \
    if (unlikely((c)->last_error != NULL))             \
      goto label;                                      \
  } while (0)

/* One statement's worth of the MAXACTION budget. */
#define STP_ACTION(c, where, label)                                   \
  do {                                                                \
    if (unlikely(--(c)->actionremaining < 0))                         \
      STP_RAISE(c, "MAXACTION exceeded", where, label);               \
  } while (0)

/* Names the embedded C of script functions uses (tapset/RUNTIME_API.md).  Every
 * function body has its context in `c` and an `out` label that ends it. */
#define CONTEXT c
#define STAP_PRINTF(...) _stp_printf(__VA_ARGS__)
/* Errors raised by a function's embedded C are reported near the function's
 * name, as upstream reports them; each function defines STP_FN_WHERE. */
#define STP_FN_WHERE NULL
#define STAP_ERROR(...)                                               \
  do {                                                                \
    snprintf(c->error_buf, sizeof(c->error_buf), __VA_ARGS__);        \
    c->last_error = c->error_buf;                                     \
    c->last_stmt = STP_FN_WHERE;                                      \
    goto out;                                                         \
  } while (0)

static inline int64_t stp_lang_div(int64_t a, int64_t b)
{
  /* INT64_MIN / -1 overflows in C; the language wraps. */
  if (b == -1)
    return (int64_t)(0ULL - (uint64_t)a);
  return div64_s64(a, b);
}

static inline int64_t stp_lang_mod(int64_t a, int64_t b)
{
  if (b == -1)
    return 0;
  return a - div64_s64(a, b) * b;
}

/* Shifts take their count modulo 64 on every architecture. */
static inline int64_t stp_lang_shl(int64_t a, int64_t n)
{
  return (int64_t)((uint64_t)a << (n & 63));
}

static inline int64_t stp_lang_shr(int64_t a, int64_t n)
{
  return a >> (n & 63);
}

static inline int64_t stp_lang_lshr(int64_t a, int64_t n)
{
  return (int64_t)((uint64_t)a >> (n & 63));
}

/* dst = a . b, truncated to MAXSTRINGLEN - 1 bytes.  dst may be a or b. */
static inline void stp_lang_concat(char *dst, const char *a, const char *b)
{
  size_t la = strnlen(a, MAXSTRINGLEN - 1);
  size_t lb = strnlen(b, MAXSTRINGLEN - 1);
  if (la + lb > MAXSTRINGLEN - 1)
    lb = MAXSTRINGLEN - 1 - la;
  if (dst == b) {
    memmove(dst + la, b, lb);
    if (dst != a)
      memmove(dst, a, la);
  } else {
    if (dst != a)
      memmove(dst, a, la);
    memmove(dst + la, b, lb);
  }
  dst[la + lb] = '\0';
}

static inline void stp_lang_strcpy(char *dst, const char *src)
{
  if (dst != src)
    strscpy(dst, src, MAXSTRINGLEN);
}

/* module_param() support for the script's numeric globals (-G, staprun var=val). */
static int stp_param_set_int64(const char *val, const struct kernel_param *kp)
{
  return kstrtoll(val, 0, (long long *)kp->arg);
}

static int stp_param_get_int64(char *buffer, const struct kernel_param *kp)
{
  return scnprintf(buffer, PAGE_SIZE, "%lld", *(long long *)kp->arg);
}

static const struct kernel_param_ops param_ops_int64_t __attribute__((unused)) = {
  .set = stp_param_set_int64,
  .get = stp_param_get_int64,
};
#define param_check_int64_t(name, p) __param_check(name, p, int64_t)

#endif /* STP_LANG_H */
