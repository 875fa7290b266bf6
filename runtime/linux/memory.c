/* memory.c - fault-safe access to kernel and user memory for the tapsets.
 *
 * Probe handlers run with preemption (sometimes interrupts) disabled, so
 * nothing here may sleep or take page faults that need servicing: every
 * access goes through the kernel's *_nofault copies, which turn a fault
 * into an error return.  strncpy_from_{kernel,user}_nofault and
 * copy_to_kernel_nofault are not exported to modules, so the string copies
 * are built from copy_{from_kernel,from_user}_nofault in page-bounded
 * chunks, and the kernel write from the arch's __put_kernel_nofault. */

static int _stp_read_kernel(void *dst, unsigned long addr, size_t len)
{
  if (len == 0)
    return 0;
  /* The kernel answers -ERANGE for user addresses; callers only need to
     know the read failed. */
  return copy_from_kernel_nofault(dst, (const void *) addr, len) ? -EFAULT : 0;
}

static int _stp_read_user(void *dst, unsigned long addr, size_t len)
{
  if (len == 0)
    return 0;
  /* A kernel thread has no user memory to read. */
  if (!current->mm || (current->flags & PF_KTHREAD))
    return -EFAULT;
  return copy_from_user_nofault(dst, (const void __user *) addr, len) ? -EFAULT : 0;
}

/* An address the kernel-write may touch: not user space, and (x86-64) a
   canonical address, since a non-canonical one raises #GP rather than a
   page fault. */
static int _stp_kernel_addr_ok(unsigned long addr, size_t len)
{
  if (addr + len < addr)
    return 0;
#ifdef CONFIG_X86_64
  if (addr < TASK_SIZE_MAX + PAGE_SIZE)
    return 0;
  return __is_canonical_address(addr, boot_cpu_data.x86_virt_bits) &&
         __is_canonical_address(addr + len - 1, boot_cpu_data.x86_virt_bits);
#else
  return addr >= TASK_SIZE;
#endif
}

static int _stp_write_kernel(unsigned long addr, const void *src, size_t len)
{
  const unsigned char *s = src;
  int rc = 0;

  if (len == 0)
    return 0;
  if (!_stp_kernel_addr_ok(addr, len))
    return -EFAULT;
  pagefault_disable();
  while (len >= sizeof(u64)) {
    u64 v;
    memcpy(&v, s, sizeof(v));
    __put_kernel_nofault((void *) addr, &v, u64, fault);
    addr += sizeof(v);
    s += sizeof(v);
    len -= sizeof(v);
  }
  while (len > 0) {
    __put_kernel_nofault((void *) addr, s, u8, fault);
    addr++;
    s++;
    len--;
  }
  goto done;
fault:
  rc = -EFAULT;
done:
  pagefault_enable();
  return rc;
}

/* Reads len bytes that do not cross a page boundary. */
static int _stp_read_chunk(void *dst, unsigned long addr, size_t len, int user)
{
  return user ? _stp_read_user(dst, addr, len) : _stp_read_kernel(dst, addr, len);
}

/* Bytes from addr to the end of its page. */
static size_t _stp_page_left(unsigned long addr)
{
  return PAGE_SIZE - (addr & (PAGE_SIZE - 1));
}

/* Copies a NUL-terminated string a page piece at a time.  Reading past
   the terminator within a page is harmless (the page is mapped); a piece
   never crosses into a page the string does not reach, so a fault means
   the string itself ran into unreadable memory. */
static long _stp_strncpy_nofault(char *dst, unsigned long addr, long n, int user)
{
  long done = 0;

  if (n <= 0)
    return 0;
  while (done < n - 1) {
    size_t piece = min_t(size_t, n - 1 - done, _stp_page_left(addr + done));
    char *nul;

    if (_stp_read_chunk(dst + done, addr + done, piece, user)) {
      dst[0] = '\0';
      return -EFAULT;
    }
    nul = memchr(dst + done, '\0', piece);
    if (nul)
      return nul - dst;
    done += piece;
  }
  dst[done] = '\0';
  return done;
}

static long _stp_strncpy_from_kernel(char *dst, unsigned long addr, long n)
{
  return _stp_strncpy_nofault(dst, addr, n, 0);
}

static long _stp_strncpy_from_user(char *dst, unsigned long addr, long n)
{
  return _stp_strncpy_nofault(dst, addr, n, 1);
}

static int _stp_is_compat_task(void)
{
  if (!current->mm || (current->flags & PF_KTHREAD))
    return 0;
#if defined(CONFIG_X86_64) && defined(CONFIG_IA32_EMULATION)
  /* A 32-bit process runs with the 32-bit user code segment. */
  return !user_64bit_mode(task_pt_regs(current));
#elif defined(CONFIG_ARM64) && defined(CONFIG_COMPAT)
  return is_compat_thread(task_thread_info(current));
#else
  return 0;
#endif
}

/* ---- _stp_text_str ---- */

/* Input for _stp_text_str: a small window over kernel or user memory,
   refilled a page piece at a time, so a fault is reported only for bytes
   the escaper actually needs. */
struct _stp_text_src {
  unsigned long addr;    /* next address not yet in buf */
  size_t unread;         /* input bytes not yet in buf */
  int user;
  unsigned pos, len;     /* buf[pos..len) is buffered, not consumed */
  unsigned char buf[64];
};

/* Bytes of input not yet consumed. */
static size_t _stp_text_left(const struct _stp_text_src *s)
{
  return s->len - s->pos + s->unread;
}

/* Makes at least `need` (<= 4) bytes available in buf, or all that is
   left; 0 or -EFAULT. */
static int _stp_text_fill(struct _stp_text_src *s, unsigned need)
{
  while (s->len - s->pos < need && s->unread > 0) {
    size_t piece;

    if (s->pos > 0) {
      memmove(s->buf, s->buf + s->pos, s->len - s->pos);
      s->len -= s->pos;
      s->pos = 0;
    }
    piece = min_t(size_t, sizeof(s->buf) - s->len, s->unread);
    piece = min_t(size_t, piece, _stp_page_left(s->addr));
    if (_stp_read_chunk(s->buf + s->len, s->addr, piece, s->user))
      return -EFAULT;
    s->addr += piece;
    s->unread -= piece;
    s->len += piece;
  }
  return 0;
}

/* Decodes one character: a well-formed UTF-8 sequence of 2 to 4 bytes
   gives its code point (*width = its byte count), anything else one byte
   taken as is (*width = 1).  Overlong forms, surrogates and values past
   U+10FFFF count as plain bytes, so they show up escaped byte by byte.
   Does not consume; 0 or -EFAULT. */
static int _stp_text_peek(struct _stp_text_src *s, u32 *ch, unsigned *width)
{
  unsigned char b;
  unsigned n, i;
  u32 v;

  if (_stp_text_fill(s, 1))
    return -EFAULT;
  b = s->buf[s->pos];
  *ch = b;
  *width = 1;
  if ((b & 0xe0) == 0xc0)
    n = 2, v = b & 0x1f;
  else if ((b & 0xf0) == 0xe0)
    n = 3, v = b & 0x0f;
  else if ((b & 0xf8) == 0xf0)
    n = 4, v = b & 0x07;
  else
    return 0;
  if (_stp_text_left(s) < n)
    return 0;
  if (_stp_text_fill(s, n))
    return -EFAULT;
  for (i = 1; i < n; i++) {
    unsigned char cont = s->buf[s->pos + i];
    if ((cont & 0xc0) != 0x80)
      return 0;
    v = (v << 6) | (cont & 0x3f);
  }
  if ((v >= 0xd800 && v <= 0xdfff) || v > 0x10ffff)
    return 0;
  if ((n == 2 && v < 0x80) || (n == 3 && v < 0x800) || (n == 4 && v < 0x10000))
    return 0;
  *ch = v;
  *width = n;
  return 0;
}

/* The escaped form of one character into seq (at least 11 bytes); returns
   its length.  Printable ASCII stands for itself except `"` and `\`; the
   usual C escapes; NUL as \0; other bytes as three octal digits; decoded
   UTF-8 as \uXXXX or \UXXXXXXXX. */
static unsigned _stp_text_escape(u32 ch, unsigned width, char *seq)
{
  static const char hex[] = "0123456789ABCDEF";
  unsigned k = 0;
  int shift;

  if (width > 1) {
    seq[k++] = '\\';
    seq[k++] = ch <= 0xffff ? 'u' : 'U';
    for (shift = (ch <= 0xffff ? 12 : 28); shift >= 0; shift -= 4)
      seq[k++] = hex[(ch >> shift) & 0xf];
    return k;
  }
  if (ch >= 0x20 && ch < 0x7f && ch != '"' && ch != '\\') {
    seq[0] = (char) ch;
    return 1;
  }
  seq[k++] = '\\';
  switch (ch) {
  case '\a': seq[k++] = 'a'; break;
  case '\b': seq[k++] = 'b'; break;
  case '\f': seq[k++] = 'f'; break;
  case '\n': seq[k++] = 'n'; break;
  case '\r': seq[k++] = 'r'; break;
  case '\t': seq[k++] = 't'; break;
  case '\v': seq[k++] = 'v'; break;
  case '"': seq[k++] = '"'; break;
  case '\\': seq[k++] = '\\'; break;
  case '\0': seq[k++] = '0'; break;
  default:
    seq[k++] = '0' + ((ch >> 6) & 3);
    seq[k++] = '0' + ((ch >> 3) & 7);
    seq[k++] = '0' + (ch & 7);
    break;
  }
  return k;
}

/* The escaper proper; out has room for maxout characters plus the NUL
   (maxout >= 5 when quoted). */
static int _stp_text_str_into(char *out, size_t maxout, unsigned long in, size_t inlen,
                              unsigned flags)
{
  struct _stp_text_src src = { .addr = in, .unread = inlen, .user = !!(flags & _STP_TEXT_USER) };
  int quoted = !!(flags & _STP_TEXT_QUOTED);
  char *o = out;
  /* Room left for escaped text (the quotes are reserved up front). */
  long room = quoted ? (long) maxout - 2 : (long) maxout;
  /* The first sequence that reaches into the last three characters of the
     room: if "..." has to go there, that whole sequence goes instead of
     leaving half of it. */
  char *tail_seq = NULL;
  unsigned tail_len = 0;
  int cut = 0;

  if (quoted)
    *o++ = '"';
  while (_stp_text_left(&src) > 0) {
    char seq[12];
    unsigned width, k, cost;
    u32 ch;

    if (_stp_text_peek(&src, &ch, &width)) {
      *out = '\0';
      return -EFAULT;
    }
    if (ch == 0 && !(flags & _STP_TEXT_BUFFER))
      break;
    k = _stp_text_escape(ch, width, seq);
    /* As upstream, a NUL is budgeted as four characters (an octal escape's
       length) though it prints as the two of \0. */
    cost = (ch == 0 && width == 1) ? 4 : k;
    if (!tail_seq && room - 3 < (long) cost) {
      tail_seq = o;
      tail_len = k;
    }
    if (room < (long) cost) {
      /* The output is full.  As upstream, it counts as cut only when
         input is left after this character, and not when the character
         is a NUL (buffer mode). */
      cut = ch != 0 && (room <= 0 || _stp_text_left(&src) > width);
      break;
    }
    memcpy(o, seq, k);
    o += k;
    room -= cost;
    src.pos += width;
  }
  if (quoted) {
    if (cut) {
      char *mark = o - 3 + room;
      o = (tail_seq && tail_seq < mark && mark < tail_seq + tail_len) ? tail_seq : mark;
      memcpy(o, "\"...", 4);
      o += 4;
    } else {
      *o++ = '"';
    }
  }
  *o = '\0';
  return 0;
}

/* Escapes up to inlen bytes at in (0 or more than MAXSTRINGLEN-1: that
   many) into out, a buffer of outlen bytes; see RUNTIME_API.md. */
static int _stp_text_str(char *out, size_t outlen, unsigned long in, size_t inlen,
                         unsigned flags)
{
  size_t maxout;

  if (outlen == 0)
    return 0;
  if (inlen == 0 || inlen > MAXSTRINGLEN - 1)
    inlen = MAXSTRINGLEN - 1;
  maxout = min_t(size_t, outlen - 1, MAXSTRINGLEN - 1);
  if ((flags & _STP_TEXT_QUOTED) && maxout < 5) {
    /* Too small for a quoted result with its "..." mark: make the
       smallest one and keep what fits. */
    char small[6];
    int rc = _stp_text_str_into(small, 5, in, inlen, flags);
    if (rc == 0)
      strscpy(out, small, outlen);
    else
      *out = '\0';
    return rc;
  }
  return _stp_text_str_into(out, maxout, in, inlen, flags);
}
