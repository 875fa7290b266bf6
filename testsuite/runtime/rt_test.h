/* rt_test.h: a tiny test harness.  CHECK* report the failing line and the
 * values, keep going, and make rt_test_done() return non-zero. */
#ifndef RT_TEST_H
#define RT_TEST_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int rt_failures;
static int rt_checks;

#define CHECK(cond) do {                                                   \
    rt_checks++;                                                           \
    if (!(cond)) {                                                         \
      rt_failures++;                                                       \
      fprintf(stderr, "%s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
    }                                                                      \
  } while (0)

#define CHECK_LONG(actual, expected) do {                                  \
    int64_t a_ = (int64_t)(actual), e_ = (int64_t)(expected);              \
    rt_checks++;                                                           \
    if (a_ != e_) {                                                        \
      rt_failures++;                                                       \
      fprintf(stderr, "%s:%d: %s is %" PRId64 ", expected %" PRId64 "\n",  \
              __FILE__, __LINE__, #actual, a_, e_);                        \
    }                                                                      \
  } while (0)

/* Compares n bytes exactly (NULs included). */
#define CHECK_MEM(actual, alen, expected, elen) do {                       \
    rt_checks++;                                                           \
    if ((size_t)(alen) != (size_t)(elen) ||                                \
        memcmp((actual), (expected), (elen)) != 0) {                       \
      rt_failures++;                                                       \
      fprintf(stderr, "%s:%d: %s\n  got      (%zu) [", __FILE__, __LINE__, #actual, (size_t)(alen)); \
      rt_dump((actual), (alen));                                           \
      fprintf(stderr, "]\n  expected (%zu) [", (size_t)(elen));            \
      rt_dump((expected), (elen));                                         \
      fprintf(stderr, "]\n");                                              \
    }                                                                      \
  } while (0)

#define CHECK_STR(actual, expected) do {                                   \
    const char *a__ = (actual), *e__ = (expected);                         \
    CHECK_MEM(a__, strlen(a__), e__, strlen(e__));                         \
  } while (0)

static __attribute__((unused)) void rt_dump(const char *p, size_t n)
{
  size_t i;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)p[i];
    if (c == '\n')
      fputs("\\n\n", stderr);
    else if (c < 0x20 || c > 0x7e)
      fprintf(stderr, "\\x%02x", c);
    else
      fputc(c, stderr);
  }
}

static __attribute__((unused)) int rt_test_done(const char *name)
{
  printf("%s: %d checks, %d failed\n", name, rt_checks, rt_failures);
  return rt_failures ? 1 : 0;
}

#endif
