/* test_string.c: string helpers and the output cursor. */
#include "rt_all.h"
#include "rt_test.h"

int main(void)
{
  static char a[MAXSTRINGLEN], b[MAXSTRINGLEN], big[MAXSTRINGLEN * 2];
  char small[8];
  struct stp_sbuf o;

  CHECK_LONG(stp_strlcpy(small, "hello world", sizeof(small)), 11);
  CHECK_STR(small, "hello w");
  CHECK_LONG(stp_strlcpy(small, NULL, sizeof(small)), 0);
  CHECK_STR(small, "");
  CHECK_LONG(stp_strlcpy(small, "abc", 0), 3);
  stp_strlcpy(small, "ab", sizeof(small));
  CHECK_LONG(stp_strlcat(small, "cdefghij", sizeof(small)), 10);
  CHECK_STR(small, "abcdefg");

  memset(big, 'x', sizeof(big) - 1);
  stp_str_copy(a, big);
  CHECK_LONG(strlen(a), MAXSTRINGLEN - 1);
  stp_str_copy(a, "left");
  stp_str_copy(b, "right");
  CHECK_STR(stp_str_concat(a, a, b), "leftright");
  CHECK_STR(stp_str_concat(b, a, b), "leftrightright");
  CHECK_STR(stp_str_concat(a, NULL, "x"), "x");
  stp_str_copy(a, big);
  stp_str_concat(b, "ab", a);
  CHECK_LONG(strlen(b), MAXSTRINGLEN - 1);
  CHECK(b[0] == 'a' && b[1] == 'b' && b[2] == 'x');

  CHECK_LONG(stp_str_from_long(a, 0), 1);
  CHECK_STR(a, "0");
  stp_str_from_long(a, INT64_MIN);
  CHECK_STR(a, "-9223372036854775808");
  stp_str_from_long(a, INT64_MAX);
  CHECK_STR(a, "9223372036854775807");

  CHECK_LONG(stp_decimal_width(0), 1);
  CHECK_LONG(stp_decimal_width(-1), 2);
  CHECK_LONG(stp_decimal_width(99999), 5);
  CHECK_LONG(stp_decimal_width(INT64_MIN), 20);

  CHECK_LONG(stp_div64(7, 2), 3);
  CHECK_LONG(stp_div64(-7, 2), -3);
  CHECK_LONG(stp_div64(7, 0), 0);
  CHECK_LONG(stp_div64(INT64_MIN, -1), INT64_MIN);

  stp_sbuf_init(&o, small, sizeof(small));
  stp_sbuf_long(&o, -42, 6);
  CHECK_LONG(o.len, 6);
  stp_sbuf_puts(&o, "abc");
  CHECK_LONG(o.len, 9);
  CHECK_LONG(stp_sbuf_room(&o), 0);
  CHECK_LONG(stp_sbuf_finish(&o), 7);
  CHECK_STR(small, "   -42a");
  stp_sbuf_init(&o, NULL, 100);
  stp_sbuf_repeat(&o, '@', 5);
  CHECK_LONG(o.len, 5);
  return rt_test_done("test_string");
}
