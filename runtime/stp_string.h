/* stp_string.h: string helpers of the kernel runtime.
 *
 * Script strings live in MAXSTRINGLEN-byte buffers and are silently
 * truncated to MAXSTRINGLEN - 1 bytes, as upstream does.  Nothing here
 * allocates or sleeps.
 */
#ifndef STP_STRING_H
#define STP_STRING_H

/* Copies src (NULL is "") into dst of size bytes, truncating; returns
   strlen(src) like strlcpy.  size 0 writes nothing. */
static __maybe_unused size_t stp_strlcpy(char *dst, const char *src, size_t size);
/* Appends src to the string in dst (size bytes), truncating; returns the
   length the result would have had without truncation. */
static __maybe_unused size_t stp_strlcat(char *dst, const char *src, size_t size);
/* dst = src for script strings (MAXSTRINGLEN bytes); returns dst. */
static __maybe_unused char *stp_str_copy(char *dst, const char *src);
/* dst = a . b for script strings; dst may be a or b. */
static __maybe_unused char *stp_str_concat(char *dst, const char *a, const char *b);
/* Decimal text of v in buf (at least 21 bytes); returns its length. */
static __maybe_unused size_t stp_str_from_long(char *buf, int64_t v);

/* An output cursor over a caller's buffer.  Writes past cap are dropped but
   still counted in len, so the same code both measures and writes. */
struct stp_sbuf {
  char *buf;
  size_t cap;
  size_t len;
};
static __maybe_unused void stp_sbuf_init(struct stp_sbuf *o, char *buf, size_t cap);
static __maybe_unused void stp_sbuf_putc(struct stp_sbuf *o, char ch);
static __maybe_unused void stp_sbuf_puts(struct stp_sbuf *o, const char *s);
static __maybe_unused void stp_sbuf_repeat(struct stp_sbuf *o, char ch, int n);
/* v in decimal, right-aligned in width columns (no padding when shorter). */
static __maybe_unused void stp_sbuf_long(struct stp_sbuf *o, int64_t v, int width);
/* Bytes still writable, 0 once full. */
static __maybe_unused size_t stp_sbuf_room(const struct stp_sbuf *o);
/* NUL-terminates what fits (the last byte when full); returns the length
   of the string left in the buffer, at most cap - 1.  cap must be > 0. */
static __maybe_unused size_t stp_sbuf_finish(struct stp_sbuf *o);

/* Columns the decimal text of v takes, sign included. */
static __maybe_unused int stp_decimal_width(int64_t v);

/* 64-bit division the way script arithmetic does it (and the kernel can:
   no libgcc helpers on 32-bit).  y == 0 gives 0; callers that must report
   "division by 0" check first. */
static __maybe_unused int64_t stp_div64(int64_t x, int64_t y);

#endif /* STP_STRING_H */
