/* stp_format.h: the script's printf/sprintf engine.
 *
 * Pass 2 has checked the format against the argument types and pass 3 has
 * turned escapes into bytes, so the engine takes the format as written and
 * the arguments as an array: numbers (%d %i %u %o %x %X %p %c %b, `*` widths
 * and precisions, %m/%M addresses) in .n, strings (%s) in .s.  Output is
 * byte-for-byte what SystemTap 4.8's generated printf code produces.
 *
 * %m and %M read kernel memory (user memory with `#`) without faulting.  A
 * bad address ends the call with no output and, when c is not NULL, sets
 * c->last_error to "read fault [man error::fault] at 0x..." (in
 * c->error_buf), like upstream; the caller then unwinds as for any error.
 */
#ifndef STP_FORMAT_H
#define STP_FORMAT_H

union stp_arg { int64_t n; const char *s; };

/* Formats into out (always NUL-terminated when outlen > 0); returns the
   length of the result, which is at most outlen - 1. */
static __maybe_unused size_t stp_format(struct context *c, char *out, size_t outlen, const char *fmt,
                                        const union stp_arg *args, int nargs);
/* Formats straight into this CPU's print buffer (at most STP_BUFFER_SIZE
   bytes; the buffer is flushed first when the result does not fit). */
static __maybe_unused void stp_print_format(struct context *c, const char *fmt,
                                            const union stp_arg *args, int nargs);

#endif /* STP_FORMAT_H */
