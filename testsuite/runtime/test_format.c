/* test_format.c: the printf engine against SystemTap 4.8's output rules. */
#include "rt_all.h"
#include "rt_test.h"

static struct context ctx;

#define N(v) { .n = (int64_t)(v) }
#define S(v) { .s = (v) }

/* sprintf into a MAXSTRINGLEN buffer, compared as bytes. */
#define FMT(expected, fmt, ...) do {                                        \
    union stp_arg a_[] = { N(0), __VA_ARGS__ };                             \
    char out_[MAXSTRINGLEN];                                                \
    size_t n_;                                                              \
    ctx.last_error = NULL;                                                  \
    n_ = stp_format(&ctx, out_, sizeof(out_), fmt, a_ + 1,                  \
                    (int)(sizeof(a_) / sizeof(a_[0])) - 1);                 \
    CHECK_MEM(out_, n_, expected, sizeof(expected) - 1);                    \
    CHECK(ctx.last_error == NULL);                                          \
  } while (0)

static void test_integers(void)
{
  FMT("42", "%d", N(42));
  FMT("-5", "%i", N(-5));
  FMT("   42|42   |00042", "%5d|%-5d|%05d", N(42), N(42), N(42));
  FMT("+5  5 -5", "%+d % d % d", N(5), N(5), N(-5));
  FMT("-0000005", "%+08d", N(-5));
  FMT("-9223372036854775808", "%d", N(INT64_MIN));
  FMT("18446744073709551615", "%u", N(-1));
  FMT("ffffffffffffffff FFFFFFFFFFFFFFFF", "%x %X", N(-1), N(-1));
  FMT("1777777777777777777777", "%o", N(-1));
  FMT("01 0x2 0X3", "%#o %#x %#X", N(1), N(2), N(3));
  /* The prefix is written for 0 too, unlike C. */
  FMT("00 0x0", "%#o %#x", N(0), N(0));
  FMT("0x1234 0x0 0xffffffffffffffff", "%p %p %p", N(0x1234), N(0), N(-1));
  FMT("      0xff|0x000000ff|0xff      |", "%#10x|%#010x|%-#10x|", N(255), N(255), N(255));
  FMT("005|     005|005     |+005", "%.3d|%8.3d|%-8.3d|%+.3d", N(5), N(5), N(5), N(5));
  /* Upstream pads with zeros even with a precision, and %.0d of 0 is "0". */
  FMT("00000005|0", "%08.3d|%.0d", N(5), N(0));
  FMT("-005", "%.3d", N(-5));
  FMT("42 7 ff", "%lld %ld %llx", N(42), N(7), N(255));
  FMT("100%", "100%%");
  FMT("1 -2 3", "%d %d %d", N(1), N(-2), N(3));
}

static void test_star(void)
{
  FMT("    42", "%*d", N(6), N(42));
  FMT("42    |", "%-*d|", N(6), N(42));
  /* A negative `*` width is clamped to 0, not a left-justification. */
  FMT("42|", "%*d|", N(-6), N(42));
  FMT("0007", "%.*d", N(4), N(7));
  FMT("  0007", "%*.*d", N(6), N(4), N(7));
  FMT("he", "%.*s", N(2), S("hello"));
  /* `*` takes a C int: 2^32 + 3 is 3. */
  FMT("  x", "%*s", N(((int64_t)1 << 32) + 3), S("x"));
}

static void test_chars(void)
{
  FMT("A", "%c", N(65));
  FMT("A", "%c", N(321));
  FMT("  x|x  |", "%3c|%-3c|", N('x'), N('x'));
  FMT("\\n", "%#c", N('\n'));
  FMT("\\t\\a\\b\\f\\r\\v", "%#c%#c%#c%#c%#c%#c", N('\t'), N('\a'), N('\b'), N('\f'), N('\r'), N('\v'));
  FMT("\\000", "%#c", N(0));
  FMT("\\001", "%#c", N(1));
  FMT("\\177", "%#c", N(127));
  FMT("\\310", "%#c", N(200));
  FMT("\\'\\\\a", "%#c%#c%#c", N('\''), N('\\'), N('a'));
  FMT("   \\t|\\t   |", "%#5c|%-#5c|", N('\t'), N('\t'));
  FMT(" \\001", "%#5c", N(1));
  /* %c of 0 writes a NUL byte. */
  FMT("a\0b", "a%cb", N(0));
}

static void test_strings(void)
{
  FMT("hello", "%s", S("hello"));
  FMT("hel", "%.3s", S("hello"));
  FMT("     hello|hello     |", "%10s|%-10s|", S("hello"), S("hello"));
  FMT("   he|", "%5.2s|", S("hello"));
  FMT("<NULL>", "%s", S(NULL));
  FMT("", "%s", S(""));
  /* The 0 flag pads with spaces and appends a NUL byte. */
  FMT("   ab\0|", "%05s|", S("ab"));
  FMT("a=1 b=two", "a=%d b=%s", N(1), S("two"));
}

static void test_binary(void)
{
  int64_t v = 0x0102030405060708LL;
  union { int64_t v; char b[8]; } u8;
  union { int32_t v; char b[4]; } u4;
  union { int16_t v; char b[2]; } u2;

  u8.v = v;
  u4.v = (int32_t)v;
  u2.v = (int16_t)v;
  {
    union stp_arg a[] = { N(v) };
    char out[64];
    size_t n = stp_format(&ctx, out, sizeof(out), "%b", a, 1);
    CHECK_MEM(out, n, u8.b, 8);
    n = stp_format(&ctx, out, sizeof(out), "%4b", a, 1);
    CHECK_MEM(out, n, u4.b, 4);
    n = stp_format(&ctx, out, sizeof(out), "%.2b", a, 1);
    CHECK_MEM(out, n, u2.b, 2);
    n = stp_format(&ctx, out, sizeof(out), "%1b", a, 1);
    CHECK_MEM(out, n, "\x08", 1);
    /* Width 4, two value bytes: NUL padding on the left, or right with -. */
    n = stp_format(&ctx, out, sizeof(out), "%4.2b|", a, 1);
    CHECK_MEM(out, n, "\0\0" "\x08\x07" "|", 5);
    n = stp_format(&ctx, out, sizeof(out), "%-4.2b|", a, 1);
    CHECK_MEM(out, n, "\x08\x07" "\0\0" "|", 5);
    /* An invalid size (3) means 8 bytes, and a width under 8 adds nothing. */
    n = stp_format(&ctx, out, sizeof(out), "%3b", a, 1);
    CHECK_MEM(out, n, u8.b, 8);
    /* A value that does not fit the space left is dropped whole. */
    n = stp_format(&ctx, out, 8, "ab%4b|", a, 1);
    CHECK_MEM(out, n, "ab\x08\x07\x06\x05|", 7);
    n = stp_format(&ctx, out, 5, "ab%4b|", a, 1);
    CHECK_MEM(out, n, "ab|", 3);
    /* It fits exactly, so the NUL then replaces its last byte (as upstream). */
    n = stp_format(&ctx, out, 6, "ab%4b|", a, 1);
    CHECK_MEM(out, n, "ab\x08\x07\x06", 5);
  }
}

static void test_memory(void)
{
  static const char mem[] = "xyz\001";
  int64_t addr = (int64_t)(uintptr_t)mem;

  FMT("x", "%m", N(addr));
  FMT("xyz", "%.3m", N(addr));
  FMT("   xy|xy   |", "%5.2m|%-5.2m|", N(addr), N(addr));
  FMT("78", "%M", N(addr));
  FMT("78797a01", "%.4M", N(addr));
  FMT("    7879|7879    |", "%8.2M|%-8.2M|", N(addr), N(addr));
  /* # reads user memory: the same bytes in the shim. */
  FMT("xy", "%#.2m", N(addr));

  /* A bad address: no output at all, and a read fault error. */
  {
    union stp_arg a[] = { N(0x10) };
    char out[32] = "junk";
    size_t n;
    ctx.last_error = NULL;
    n = stp_format(&ctx, out, sizeof(out), "a%.2mb", a, 1);
    CHECK_LONG(n, 0);
    CHECK_STR(out, "");
    CHECK(ctx.last_error == ctx.error_buf);
    CHECK_STR(ctx.error_buf, "read fault [man error::fault] at 0x10");
    /* The fault address is the first byte that could not be read. */
    a[0].n = (int64_t)SHIM_FAULT_LIMIT - 2;
    ctx.last_error = NULL;
    stp_format(&ctx, out, sizeof(out), "%.4M", a, 1);
    CHECK_STR(ctx.error_buf, "read fault [man error::fault] at 0xfffe");
    /* Without a context the fault only suppresses the output. */
    n = stp_format(NULL, out, sizeof(out), "%m", a, 1);
    CHECK_LONG(n, 0);
  }
}

static void test_truncation(void)
{
  union stp_arg a[] = { N(123456789012LL), S("abcdef") };
  char out[16];
  size_t n;

  n = stp_format(&ctx, out, 8, "%d", a, 1);
  CHECK_STR(out, "1234567");
  CHECK_LONG(n, 7);
  n = stp_format(&ctx, out, 1, "%d", a, 1);
  CHECK_LONG(n, 0);
  CHECK_STR(out, "");
  /* Widths are clamped to the space left: 16 columns, then the NUL. */
  a[0].n = 5;
  n = stp_format(&ctx, out, 16, "%30d", a, 1);
  CHECK_LONG(n, 15);
  CHECK_STR(out, "               ");
  n = stp_format(&ctx, out, 16, "ab%12d", a, 1);
  CHECK_STR(out, "ab           5");
  n = stp_format(&ctx, out, 4, "%s", a + 1, 1);
  CHECK_STR(out, "abc");
  CHECK_LONG(stp_format(&ctx, out, 0, "%s", a + 1, 1), 0);
  /* Missing arguments are 0 / <NULL>, never a crash. */
  n = stp_format(&ctx, out, 16, "%d %s", NULL, 0);
  CHECK_STR(out, "0 <NULL>");
  /* Unknown conversions and a trailing % are printed as written. */
  n = stp_format(&ctx, out, 16, "%q %", NULL, 0);
  CHECK_STR(out, "%q %");
}

static void test_print(void)
{
  union stp_arg a[] = { N(5), S("five") };
  size_t len, i;
  const char *o;
  static char big[STP_BUFFER_SIZE];

  shim_output_reset();
  stp_print_format(&ctx, "x=%d s=%s\n", a, 2);
  stp_print_format(&ctx, "%05s", a + 1, 1);
  o = shim_output(&len);
  CHECK_MEM(o, len, "x=5 s=five\n" " five\0", 17);
  CHECK_LONG(shim_flushes, 0);

  /* A result that does not fit what is left is not split: flush first. */
  shim_output_reset();
  memset(big, 'a', sizeof(big) - 5);
  big[sizeof(big) - 5] = '\0';
  _stp_print(big);
  stp_print_format(&ctx, "%s|%d", a + 1, 1);
  CHECK_LONG(shim_flushes, 1);
  o = shim_output(&len);
  CHECK_LONG(len, sizeof(big) - 5 + 6);
  CHECK_MEM(o + len - 6, 6, "five|0", 6);

  /* One printf emits at most STP_BUFFER_SIZE bytes; the width is clamped
     to that, so the number still ends the output. */
  shim_output_reset();
  {
    union stp_arg w[] = { N(100000), N(7) };
    stp_print_format(&ctx, "%*d", w, 2);
  }
  o = shim_output(&len);
  CHECK_LONG(len, STP_BUFFER_SIZE);
  for (i = 0; i < len && o[i] == ' '; i++)
    ;
  CHECK_LONG(i, STP_BUFFER_SIZE - 1);
  CHECK(o[len - 1] == '7');

  /* A read fault prints nothing and sets the error. */
  shim_output_reset();
  a[0].n = 8;
  ctx.last_error = NULL;
  stp_print_format(&ctx, "before %m after", a, 1);
  o = shim_output(&len);
  CHECK_LONG(len, 0);
  CHECK_STR(ctx.last_error ? ctx.last_error : "", "read fault [man error::fault] at 0x8");
}

int main(void)
{
  test_integers();
  test_star();
  test_chars();
  test_strings();
  test_binary();
  test_memory();
  test_truncation();
  test_print();
  return rt_test_done("test_format");
}
