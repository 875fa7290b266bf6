/* print.c - per-CPU output buffers.
 *
 * Output of a handler collects in its CPU's buffer (preemption is off, so
 * the buffer is the handler's alone) and goes to stapio as one relay record
 * when the handler ends, so output of different CPUs never interleaves
 * inside one handler's output.  A buffer that fills up is flushed early. */

struct _stp_print_buf {
  size_t len;
  char data[STP_BUFFER_SIZE];
};

static struct _stp_print_buf __percpu *_stp_print_bufs;

static int _stp_print_init(void)
{
  _stp_print_bufs = alloc_percpu(struct _stp_print_buf);
  return _stp_print_bufs ? 0 : -ENOMEM;
}

static void _stp_print_exit(void)
{
  free_percpu(_stp_print_bufs);
  _stp_print_bufs = NULL;
}

static struct _stp_print_buf *_stp_print_this_cpu(void)
{
  return _stp_print_bufs ? this_cpu_ptr(_stp_print_bufs) : NULL;
}

static void _stp_print_flush(void)
{
  struct _stp_print_buf *pb = _stp_print_this_cpu();

  if (!pb || pb->len == 0)
    return;
  _stp_relay_write(pb->data, pb->len);
  pb->len = 0;
}

/* The end of a handler that printed something. */
static noinline void _stp_print_flush_now(void)
{
  _stp_print_flush();
}

static char *_stp_print_reserve(size_t *avail)
{
  struct _stp_print_buf *pb = _stp_print_this_cpu();

  if (!pb) {
    *avail = 0;
    return NULL;
  }
  if (pb->len == STP_BUFFER_SIZE)
    _stp_print_flush();
  *avail = STP_BUFFER_SIZE - pb->len;
  return pb->data + pb->len;
}

static void _stp_print_commit(size_t n)
{
  struct _stp_print_buf *pb = _stp_print_this_cpu();

  if (pb)
    pb->len = min_t(size_t, pb->len + n, STP_BUFFER_SIZE);
}

static void _stp_print_bytes(const char *s, size_t n)
{
  while (n > 0) {
    size_t avail, k;
    char *p = _stp_print_reserve(&avail);
    if (!p || avail == 0)
      return;
    k = min(n, avail);
    memcpy(p, s, k);
    _stp_print_commit(k);
    s += k;
    n -= k;
  }
}

static void _stp_print(const char *s)
{
  _stp_print_bytes(s, strlen(s));
}

static void _stp_print_char(char ch)
{
  _stp_print_bytes(&ch, 1);
}

static void _stp_vprintf(const char *fmt, va_list args)
{
  struct _stp_print_buf *pb = _stp_print_this_cpu();
  va_list copy;
  int need;

  if (!pb)
    return;
  va_copy(copy, args);
  need = vsnprintf(pb->data + pb->len, STP_BUFFER_SIZE - pb->len, fmt, copy);
  va_end(copy);
  if (need < 0)
    return;
  if ((size_t) need < STP_BUFFER_SIZE - pb->len) {
    pb->len += need;
    return;
  }
  /* Did not fit behind what is already there: send that, then format
     again into the empty buffer (cut at the buffer size). */
  _stp_print_flush();
  need = vscnprintf(pb->data, STP_BUFFER_SIZE, fmt, args);
  pb->len = need;
}

static void _stp_printf(const char *fmt, ...)
{
  va_list args;
  va_start(args, fmt);
  _stp_vprintf(fmt, args);
  va_end(args);
}

static void _stp_print_binary(int64_t n, int64_t a1, int64_t a2, int64_t a3, int64_t a4)
{
  int64_t v[4] = { a1, a2, a3, a4 };

  if (n < 0)
    n = 0;
  if (n > 4)
    n = 4;
  _stp_print_bytes((const char *) v, (size_t) n * sizeof(int64_t));
}

/* system(): stapio runs the command with sh -c; like 4.8 the message holds
   the NUL-terminated command, cut to the 128 bytes of struct _stp_msg_cmd. */
static void _stp_system(const char *cmd)
{
  struct _stp_msg_cmd m;
  size_t n = strscpy(m.cmd, cmd, sizeof(m.cmd)) < 0 ? sizeof(m.cmd) : strlen(m.cmd) + 1;

  _stp_ctl_send(STP_SYSTEM, m.cmd, n);
}
