/* stp_format.c: the printf engine (see stp_format.h).
 *
 * Output rules are SystemTap 4.8's (its generated printf code), which differ
 * from C's printf in places scripts can see:
 * - widths and precisions, literal or `*`, are clamped to [0, space left];
 *   a negative `*` width is 0, not left-justification;
 * - the `0` flag pads with zeros even when a precision is given, and %.0d of
 *   0 prints "0";
 * - `#` gives "0x"/"0X"/"0" prefixes even for 0, and %p is %#x;
 * - %s, %m and %M with the `0` flag pad with spaces and then emit a NUL byte;
 * - %b writes 1, 2, 4 or 8 raw bytes in host order, padded with NUL bytes to
 *   the width; a value that does not fit in the space left is dropped whole;
 * - %#c escapes like C (\n, \t, \', \\ ...) or in octal (\001).
 * Every conversion is measured first, then written, so print output is
 * reserved once and never split.
 */
#ifndef STP_FORMAT_C
#define STP_FORMAT_C

#include "stp_format.h"

enum {
  STP_FMT_ZEROPAD = 1,
  STP_FMT_SIGN = 2,
  STP_FMT_PLUS = 4,
  STP_FMT_SPACE = 8,
  STP_FMT_LEFT = 16,
  STP_FMT_SPECIAL = 32,
  STP_FMT_LARGE = 64,
};

struct stp_fmt_state {
  struct stp_sbuf o;
  int measuring;                    /* count only: no memory reads, no clamping to o.cap */
  struct context *c;
  const union stp_arg *args;
  int nargs, next;
};

static int64_t stp_fmt_arg_n(struct stp_fmt_state *st)
{
  int i = st->next++;
  return i < st->nargs ? st->args[i].n : 0;
}

static const char *stp_fmt_arg_s(struct stp_fmt_state *st)
{
  int i = st->next++;
  return i < st->nargs ? st->args[i].s : NULL;
}

/* Clamps a width or precision to what the output can still take. */
static int stp_fmt_clamp(const struct stp_fmt_state *st, int v)
{
  int hi = st->measuring ? STP_BUFFER_SIZE : (int)stp_sbuf_room(&st->o);

  if (v < 0)
    v = 0;
  return v > hi ? hi : v;
}

static void stp_fmt_number(struct stp_sbuf *o, uint64_t num, int base, int size, int precision,
                           unsigned flags)
{
  const char *digits = (flags & STP_FMT_LARGE) ? "0123456789ABCDEF" : "0123456789abcdef";
  char tmp[24];                     /* 64 bits in octal is 22 digits */
  char sign = 0, pad;
  int i = 0;

  if (flags & STP_FMT_LEFT)
    flags &= ~STP_FMT_ZEROPAD;
  pad = (flags & STP_FMT_ZEROPAD) ? '0' : ' ';
  if (flags & STP_FMT_SIGN) {
    if ((int64_t)num < 0) {
      sign = '-';
      num = -num;
      size--;
    } else if (flags & STP_FMT_PLUS) {
      sign = '+';
      size--;
    } else if (flags & STP_FMT_SPACE) {
      sign = ' ';
      size--;
    }
  }
  if (flags & STP_FMT_SPECIAL) {
    if (base == 16)
      size -= 2;
    else if (base == 8)
      size--;
  }
  do {
    tmp[i++] = digits[do_div(num, base)];
  } while (num);
  if (i > precision)
    precision = i;
  size -= precision;

  if (!(flags & (STP_FMT_ZEROPAD | STP_FMT_LEFT)))
    for (; size > 0; size--)
      stp_sbuf_putc(o, ' ');
  if (sign)
    stp_sbuf_putc(o, sign);
  if (flags & STP_FMT_SPECIAL) {
    if (base == 8) {
      stp_sbuf_putc(o, '0');
    } else if (base == 16) {
      stp_sbuf_putc(o, '0');
      stp_sbuf_putc(o, (flags & STP_FMT_LARGE) ? 'X' : 'x');
    }
  }
  if (!(flags & STP_FMT_LEFT))
    for (; size > 0; size--)
      stp_sbuf_putc(o, pad);
  for (; precision > i; precision--)
    stp_sbuf_putc(o, '0');
  while (i > 0)
    stp_sbuf_putc(o, tmp[--i]);
  for (; size > 0; size--)
    stp_sbuf_putc(o, ' ');
}

/* The C escape letter of ch, 0 when it has none. */
static char stp_fmt_escape(unsigned char ch)
{
  switch (ch) {
  case '\a': return 'a';
  case '\b': return 'b';
  case '\f': return 'f';
  case '\n': return 'n';
  case '\r': return 'r';
  case '\t': return 't';
  case '\v': return 'v';
  case '\'': return '\'';
  case '\\': return '\\';
  default: return 0;
  }
}

static void stp_fmt_char(struct stp_sbuf *o, unsigned char ch, int width, unsigned flags)
{
  int size = 1;

  if ((flags & STP_FMT_SPECIAL) && (ch < 0x20 || ch > 0x7e || ch == '\'' || ch == '\\'))
    size = stp_fmt_escape(ch) ? 2 : 4;
  if (!(flags & STP_FMT_LEFT))
    for (; width > size; width--)
      stp_sbuf_putc(o, ' ');
  if (size == 1) {
    stp_sbuf_putc(o, (char)ch);
  } else {
    stp_sbuf_putc(o, '\\');
    if (size == 2) {
      stp_sbuf_putc(o, stp_fmt_escape(ch));
    } else {
      stp_sbuf_putc(o, (char)('0' + ((ch >> 6) & 3)));
      stp_sbuf_putc(o, (char)('0' + ((ch >> 3) & 7)));
      stp_sbuf_putc(o, (char)('0' + (ch & 7)));
    }
  }
  for (; width > size; width--)
    stp_sbuf_putc(o, ' ');
}

static int stp_fmt_read_byte(unsigned long addr, int user, unsigned char *b)
{
  long rc;

  if (user)
    rc = copy_from_user_nofault(b, (const void __user *)addr, 1);
  else
    rc = copy_from_kernel_nofault(b, (const void *)addr, 1);
  return rc ? -EFAULT : 0;
}

static void stp_fmt_fault(struct stp_fmt_state *st, unsigned long addr)
{
  union stp_arg a;

  if (!st->c)
    return;
  a.n = (int64_t)addr;
  stp_format(NULL, st->c->error_buf, sizeof(st->c->error_buf),
             "read fault [man error::fault] at %p", &a, 1);
  st->c->last_error = st->c->error_buf;
}

/* %s, %m, %M.  Returns -EFAULT when memory could not be read. */
static int stp_fmt_memory(struct stp_fmt_state *st, const char *ptr, int width, int precision,
                          char conv, unsigned flags)
{
  static const char hex[] = "0123456789abcdef";
  struct stp_sbuf *o = &st->o;
  int i, len, actlen;

  if (conv == 's') {
    size_t limit = precision < 0 ? STP_BUFFER_SIZE
                 : (precision > STP_BUFFER_SIZE ? STP_BUFFER_SIZE : (size_t)precision);
    if ((unsigned long)ptr < PAGE_SIZE)
      ptr = "<NULL>";
    len = (int)strnlen(ptr, limit);
  } else {
    len = precision > 0 ? precision : 1;
  }

  actlen = conv == 'M' ? len * 2 : len;
  if (!(flags & STP_FMT_LEFT))
    for (; width > actlen; width--)
      stp_sbuf_putc(o, ' ');

  if (conv == 's') {
    for (i = 0; i < len; i++)
      stp_sbuf_putc(o, ptr[i]);
  } else if (st->measuring) {
    o->len += actlen;
  } else {
    unsigned long addr = (unsigned long)ptr;
    int user = (flags & STP_FMT_SPECIAL) != 0;
    unsigned char b;
    /* Only what fits is read; a hex pair is written whole or not at all. */
    for (i = 0; i < len && stp_sbuf_room(o) >= (conv == 'M' ? 2u : 1u); i++) {
      if (stp_fmt_read_byte(addr + i, user, &b)) {
        stp_fmt_fault(st, addr + i);
        return -EFAULT;
      }
      if (conv == 'M') {
        stp_sbuf_putc(o, hex[b >> 4]);
        stp_sbuf_putc(o, hex[b & 15]);
      } else {
        stp_sbuf_putc(o, (char)b);
      }
    }
  }

  for (; width > actlen; width--)
    stp_sbuf_putc(o, ' ');
  if (flags & STP_FMT_ZEROPAD)
    stp_sbuf_putc(o, '\0');
  return 0;
}

static int stp_fmt_binary_size_ok(int n)
{
  return n == 1 || n == 2 || n == 4 || n == 8;
}

static void stp_fmt_binary(struct stp_fmt_state *st, int64_t num, int width, int precision,
                           unsigned flags)
{
  struct stp_sbuf *o = &st->o;
  unsigned char bytes[8];
  int i;

  if (!stp_fmt_binary_size_ok(precision))
    precision = -1;
  /* Width and precision default to each other, both to 8. */
  if (width == -1)
    width = precision = (precision == -1 ? 8 : precision);
  else if (precision == -1)
    precision = stp_fmt_binary_size_ok(width) ? width : 8;

  if (!(flags & STP_FMT_LEFT))
    for (; width > precision; width--)
      stp_sbuf_putc(o, '\0');
  if (st->measuring || stp_sbuf_room(o) >= (size_t)precision) {
    /* The low bytes of the value, in the host's byte order. */
    switch (precision) {
    case 1: { int8_t v = (int8_t)num; memcpy(bytes, &v, 1); break; }
    case 2: { int16_t v = (int16_t)num; memcpy(bytes, &v, 2); break; }
    case 4: { int32_t v = (int32_t)num; memcpy(bytes, &v, 4); break; }
    default: memcpy(bytes, &num, 8); break;
    }
    for (i = 0; i < precision; i++)
      stp_sbuf_putc(o, (char)bytes[i]);
  }
  for (; width > precision; width--)
    stp_sbuf_putc(o, '\0');
}

/* Reads a literal width or precision; absurd values saturate. */
static int stp_fmt_digits(const char **pf)
{
  const char *f = *pf;
  int v = 0;

  while (*f >= '0' && *f <= '9') {
    if (v < 1000000)
      v = v * 10 + (*f - '0');
    f++;
  }
  *pf = f;
  return v;
}

/* One pass over the format.  Returns 0, or -EFAULT after a read fault. */
static int stp_fmt_run(struct stp_fmt_state *st, const char *fmt)
{
  const char *f;

  for (f = fmt; *f; f++) {
    unsigned flags = 0;
    int width = -1, precision = -1, base = 10;
    int64_t num;

    if (*f != '%') {
      stp_sbuf_putc(&st->o, *f);
      continue;
    }
    for (;;) {
      switch (*++f) {
      case '-': flags |= STP_FMT_LEFT; continue;
      case '+': flags |= STP_FMT_PLUS; continue;
      case ' ': flags |= STP_FMT_SPACE; continue;
      case '#': flags |= STP_FMT_SPECIAL; continue;
      case '0': flags |= STP_FMT_ZEROPAD; continue;
      }
      break;
    }
    if (*f >= '0' && *f <= '9') {
      width = stp_fmt_clamp(st, stp_fmt_digits(&f));
    } else if (*f == '*') {
      f++;
      /* The argument is taken as a C int, as upstream's generated code does. */
      width = stp_fmt_clamp(st, (int)(int32_t)(uint32_t)stp_fmt_arg_n(st));
    }
    if (*f == '.') {
      f++;
      if (*f == '*') {
        f++;
        precision = (int)(int32_t)(uint32_t)stp_fmt_arg_n(st);
      } else {
        precision = stp_fmt_digits(&f);
      }
      precision = stp_fmt_clamp(st, precision);
    }
    while (*f == 'l' || *f == 'h' || *f == 'L')
      f++;

    switch (*f) {
    case 'd':
    case 'i':
      flags |= STP_FMT_SIGN;
      break;
    case 'u':
      break;
    case 'o':
      base = 8;
      break;
    case 'X':
      flags |= STP_FMT_LARGE;
      base = 16;
      break;
    case 'x':
      base = 16;
      break;
    case 'p':
      flags |= STP_FMT_SPECIAL;
      base = 16;
      break;
    case 'c':
      stp_fmt_char(&st->o, (unsigned char)stp_fmt_arg_n(st), width, flags);
      continue;
    case 's':
      if (stp_fmt_memory(st, stp_fmt_arg_s(st), width, precision, 's', flags))
        return -EFAULT;
      continue;
    case 'm':
    case 'M':
      num = stp_fmt_arg_n(st);
      if (stp_fmt_memory(st, (const char *)(uintptr_t)num, width, precision, *f, flags))
        return -EFAULT;
      continue;
    case 'b':
      stp_fmt_binary(st, stp_fmt_arg_n(st), width, precision, flags);
      continue;
    case '%':
      stp_sbuf_putc(&st->o, '%');
      continue;
    default:
      /* Pass 2 rejects these; print them rather than guess. */
      stp_sbuf_putc(&st->o, '%');
      if (*f)
        stp_sbuf_putc(&st->o, *f);
      else
        f--;
      continue;
    }
    num = stp_fmt_arg_n(st);
    stp_fmt_number(&st->o, (uint64_t)num, base, width, precision, flags);
  }
  return 0;
}

static size_t stp_format(struct context *c, char *out, size_t outlen, const char *fmt,
                         const union stp_arg *args, int nargs)
{
  struct stp_fmt_state st;

  if (!out || outlen == 0)
    return 0;
  stp_sbuf_init(&st.o, out, outlen);
  st.measuring = 0;
  st.c = c;
  st.args = args;
  st.nargs = nargs;
  st.next = 0;
  if (stp_fmt_run(&st, fmt ? fmt : "")) {
    out[0] = '\0';
    return 0;
  }
  return stp_sbuf_finish(&st.o);
}

static void stp_print_format(struct context *c, const char *fmt, const union stp_arg *args,
                             int nargs)
{
  struct stp_fmt_state st;
  size_t need, avail = 0;
  char *p;

  if (!fmt)
    return;
  stp_sbuf_init(&st.o, NULL, 0);
  st.measuring = 1;
  st.c = c;
  st.args = args;
  st.nargs = nargs;
  st.next = 0;
  stp_fmt_run(&st, fmt);
  need = st.o.len < STP_BUFFER_SIZE ? st.o.len : STP_BUFFER_SIZE;
  if (need == 0)
    return;

  p = _stp_print_reserve(&avail);
  if (!p || avail < need) {
    _stp_print_flush();
    p = _stp_print_reserve(&avail);
  }
  if (!p || avail == 0)
    return;
  stp_sbuf_init(&st.o, p, need < avail ? need : avail);
  st.measuring = 0;
  st.next = 0;
  if (stp_fmt_run(&st, fmt))
    return;
  _stp_print_commit(st.o.len < st.o.cap ? st.o.len : st.o.cap);
}

#endif /* STP_FORMAT_C */
