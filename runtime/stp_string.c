/* stp_string.c: string helpers and the output cursor (see stp_string.h). */
#ifndef STP_STRING_C
#define STP_STRING_C

#include "stp_string.h"

static size_t stp_strlcpy(char *dst, const char *src, size_t size)
{
  size_t n;

  if (!src)
    src = "";
  n = strlen(src);
  if (size > 0) {
    size_t k = n < size - 1 ? n : size - 1;
    memmove(dst, src, k);
    dst[k] = '\0';
  }
  return n;
}

static size_t stp_strlcat(char *dst, const char *src, size_t size)
{
  size_t d = strnlen(dst, size);

  if (d == size)
    return d + (src ? strlen(src) : 0);
  return d + stp_strlcpy(dst + d, src, size - d);
}

static char *stp_str_copy(char *dst, const char *src)
{
  if (dst != src)
    stp_strlcpy(dst, src, MAXSTRINGLEN);
  return dst;
}

static char *stp_str_concat(char *dst, const char *a, const char *b)
{
  size_t la, lb;

  if (!a)
    a = "";
  if (!b)
    b = "";
  la = strnlen(a, MAXSTRINGLEN - 1);
  lb = strnlen(b, MAXSTRINGLEN - 1);
  if (la + lb > MAXSTRINGLEN - 1)
    lb = MAXSTRINGLEN - 1 - la;
  /* b may be dst itself: move it into place before a is copied over it. */
  memmove(dst + la, b, lb);
  if (dst != a)
    memmove(dst, a, la);
  dst[la + lb] = '\0';
  return dst;
}

static size_t stp_str_from_long(char *buf, int64_t v)
{
  struct stp_sbuf o;

  stp_sbuf_init(&o, buf, 21);
  stp_sbuf_long(&o, v, 0);
  return stp_sbuf_finish(&o);
}

static void stp_sbuf_init(struct stp_sbuf *o, char *buf, size_t cap)
{
  o->buf = buf;
  o->cap = buf ? cap : 0;
  o->len = 0;
}

static void stp_sbuf_putc(struct stp_sbuf *o, char ch)
{
  if (o->len < o->cap)
    o->buf[o->len] = ch;
  o->len++;
}

static void stp_sbuf_puts(struct stp_sbuf *o, const char *s)
{
  while (*s)
    stp_sbuf_putc(o, *s++);
}

static void stp_sbuf_repeat(struct stp_sbuf *o, char ch, int n)
{
  while (n-- > 0)
    stp_sbuf_putc(o, ch);
}

static void stp_sbuf_long(struct stp_sbuf *o, int64_t v, int width)
{
  char digits[24];
  int n = 0;
  uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;

  do {
    digits[n++] = (char)('0' + do_div(mag, 10));
  } while (mag);
  stp_sbuf_repeat(o, ' ', width - n - (v < 0));
  if (v < 0)
    stp_sbuf_putc(o, '-');
  while (n > 0)
    stp_sbuf_putc(o, digits[--n]);
}

static size_t stp_sbuf_room(const struct stp_sbuf *o)
{
  return o->len < o->cap ? o->cap - o->len : 0;
}

static size_t stp_sbuf_finish(struct stp_sbuf *o)
{
  size_t n = o->len < o->cap ? o->len : o->cap - 1;

  o->buf[n] = '\0';
  return n;
}

static int stp_decimal_width(int64_t v)
{
  uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;
  int n = v < 0;

  do {
    do_div(mag, 10);
    n++;
  } while (mag);
  return n;
}

static int64_t stp_div64(int64_t x, int64_t y)
{
  if (unlikely(y == 0))
    return 0;
  /* INT64_MIN / -1 overflows in hardware; wrap like upstream does. */
  if (unlikely(y == -1))
    return (int64_t)(0 - (uint64_t)x);
  return div64_s64(x, y);
}

#endif /* STP_STRING_C */
