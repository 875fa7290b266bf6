/* symbols.c - kernel symbols and stacks for the tapsets (RUNTIME_API.md,
 * "Symbols and stacks").
 *
 * Symbols come from the running kernel's own kallsyms (sprint_symbol, the
 * helper behind printk's %pS), which knows the kernel image and every
 * loaded module, so no symbol table has to be built into the module.
 * Kernel stacks come from the architecture unwinder (ORC or frame pointers
 * on x86) through its exported __unwind_start/unwind_next_frame; elsewhere
 * only stack_trace_save is used.  Everything here runs in probe context:
 * no sleeping, no locks, and a bad address only ever yields "unknown".
 *
 * User space has no unwind or symbol tables yet: a user stack is the one
 * frame the registers give, user symbols print as hex, and umodname() asks
 * the task's memory map only when that cannot deadlock.
 */

#include <linux/kallsyms.h>
#include <linux/stacktrace.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/dcache.h>
#if defined(CONFIG_X86) && (defined(CONFIG_UNWINDER_ORC) || defined(CONFIG_UNWINDER_FRAME_POINTER))
#include <asm/unwind.h>
#define STP_HAVE_X86_UNWIND 1
#endif

/* One kallsyms answer, split into its parts.  sprint_symbol() writes
   "name+0xOFF/0xSIZE [module]" (no module part for the kernel image) or
   just "0xADDR" when no symbol covers the address; the buffer is per CPU
   because KSYM_SYMBOL_LEN is too big for a probe's stack. */
struct stp_ksym {
  const char *name;     /* NULL: unknown address */
  const char *module;   /* "kernel" or the module's name; NULL when unknown */
  unsigned long offset, size;
};

struct stp_ksym_buf {
  char text[KSYM_SYMBOL_LEN];
  char module[MODULE_NAME_LEN + 1];
};
static DEFINE_PER_CPU(struct stp_ksym_buf, _stp_ksym_bufs);

static void _stp_ksym_lookup(unsigned long addr, struct stp_ksym *out)
{
  struct stp_ksym_buf *b = this_cpu_ptr(&_stp_ksym_bufs);
  char *plus, *slash, *bracket, *end;

  out->name = out->module = NULL;
  out->offset = out->size = 0;
  b->text[0] = '\0';
  sprint_symbol(b->text, addr);
  b->text[sizeof(b->text) - 1] = '\0';
  /* Unknown addresses come back as hex; symbol names never start with
     "0x" followed by the whole address, and never contain '+'. */
  plus = strchr(b->text, '+');
  if (b->text[0] == '\0' || plus == NULL)
    return;
  *plus = '\0';
  out->offset = simple_strtoul(plus + 1, &slash, 16);
  if (*slash == '/')
    out->size = simple_strtoul(slash + 1, &end, 16);
  else
    end = slash;
  out->name = b->text;
  bracket = strchr(end, '[');
  if (bracket) {
    size_t n = 0;
    /* "[mod]" or, with build ids, "[mod id]" */
    for (bracket++; bracket[n] && bracket[n] != ']' && bracket[n] != ' '
                    && n < sizeof(b->module) - 1; n++)
      b->module[n] = bracket[n];
    b->module[n] = '\0';
    out->module = b->module;
  } else {
    out->module = "kernel";
  }
}

/* scnprintf that also works on a NULL buffer (nothing written). */
static int _stp_sym_append(char *buf, size_t len, size_t used, const char *fmt, ...)
  __printf(4, 5);
static int _stp_sym_append(char *buf, size_t len, size_t used, const char *fmt, ...)
{
  va_list args;
  int n;

  if (!buf || used >= len)
    return 0;
  va_start(args, fmt);
  n = vscnprintf(buf + used, len - used, fmt, args);
  va_end(args);
  return n;
}

static int _stp_snprint_addr(char *buf, size_t len, unsigned long addr, unsigned flags,
                             struct task_struct *task)
{
  struct stp_ksym sym = { NULL, NULL, 0, 0 };
  int used = 0;
  const char *pre = (flags & _STP_SYM_ADDR) ? " " : "";

  if (len)
    buf[0] = '\0';
  if (!task && (flags & (_STP_SYM_NAME | _STP_SYM_MODULE)))
    _stp_ksym_lookup(addr, &sym);

  if (sym.name && (flags & _STP_SYM_NAME)) {
    if (flags & _STP_SYM_ADDR)
      used += _stp_sym_append(buf, len, used, " 0x%lx : ", addr);
    used += _stp_sym_append(buf, len, used, "%s", sym.name);
    if (flags & _STP_SYM_OFFSET)
      used += _stp_sym_append(buf, len, used, "+0x%lx", sym.offset);
    if ((flags & (_STP_SYM_OFFSET | _STP_SYM_SIZE)) == (_STP_SYM_OFFSET | _STP_SYM_SIZE))
      used += _stp_sym_append(buf, len, used, "/0x%lx", sym.size);
    if ((flags & _STP_SYM_MODULE) && sym.module)
      used += _stp_sym_append(buf, len, used, " [%s]", sym.module);
  } else if (sym.module && (flags & _STP_SYM_MODULE)) {
    used += _stp_sym_append(buf, len, used, "%s0x%lx [%s+0x%lx", pre, addr, sym.module,
                            sym.offset);
    if (flags & _STP_SYM_SIZE)
      used += _stp_sym_append(buf, len, used, "/0x%lx", sym.size);
    used += _stp_sym_append(buf, len, used, "]");
  } else {
    /* No line tables: file and line queries also end up here, as hex. */
    used += _stp_sym_append(buf, len, used, "%s0x%lx", pre, addr);
  }
  if (flags & _STP_SYM_NEWLINE)
    used += _stp_sym_append(buf, len, used, "\n");
  else if (flags & _STP_SYM_POST_SPACE)
    used += _stp_sym_append(buf, len, used, " ");
  return used;
}

/* " TOKEN : symdata\n" for each hex address of a space-separated list, as
   upstream's print_syms: the token is echoed as written.  Into OUT (whole
   lines only) or, OUT NULL, to the script's output. */
static void _stp_symbolize_list(const char *list, char *out, size_t outlen, unsigned flags,
                                struct task_struct *task)
{
  char tok[32], line[256];
  size_t used = 0;

  if (out && outlen)
    out[0] = '\0';
  while (*list) {
    size_t n = 0, k;
    unsigned long addr;

    while (*list == ' ')
      list++;
    if (!*list)
      break;
    while (list[n] && list[n] != ' ')
      n++;
    k = min(n, sizeof(tok) - 1);
    memcpy(tok, list, k);
    tok[k] = '\0';
    list += n;
    addr = simple_strtoul(tok, NULL, 16);
    if (flags & _STP_SYM_ADDR) {
      int m = scnprintf(line, sizeof(line), " %s : ", tok);
      _stp_snprint_addr(line + m, sizeof(line) - m, addr, flags & ~_STP_SYM_ADDR, task);
    } else {
      _stp_snprint_addr(line, sizeof(line), addr, flags, task);
    }
    if (!out) {
      _stp_print(line);
      continue;
    }
    k = strlen(line);
    if (used + k + 1 > outlen)
      break;
    memcpy(out + used, line, k + 1);
    used += k;
  }
}

static const char *_stp_kmodule_name(unsigned long addr)
{
  struct stp_ksym sym;

  _stp_ksym_lookup(addr, &sym);
  return sym.module;
}

/* Short name of the file mapped at ADDR in TASK (the current task only).
   The memory map's lock is a sleeping rwsem: it is only tried, and only
   where releasing it cannot need a scheduler lock the probe may hold. */
static const char *_stp_umodule_name(unsigned long addr, struct task_struct *task)
{
  struct stp_ksym_buf *b = this_cpu_ptr(&_stp_ksym_bufs);
  struct mm_struct *mm;
  struct vm_area_struct *vma;
  const char *found = NULL;

  if (task != current || !task->mm || (task->flags & PF_KTHREAD) || in_nmi() ||
      irqs_disabled())
    return NULL;
  mm = task->mm;
  if (!mmap_read_trylock(mm))
    return NULL;
  vma = find_vma(mm, addr);
  if (vma && vma->vm_start <= addr && vma->vm_file) {
    const unsigned char *name = vma->vm_file->f_path.dentry->d_name.name;
    strscpy(b->module, name, sizeof(b->module));
    found = b->module;
  }
  mmap_read_unlock(mm);
  return found;
}

/* ---- kernel stacks ---- */

/* Fills c->kstack once per handler run: the probe address first (from the
   probe's registers), then the return addresses up to the kernel entry;
   without registers, the handler's own stack from its caller outwards. */
static noinline void _stp_kstack_collect(struct context *c)
{
  struct pt_regs *regs = c->kregs;
  int n = 0;

  if (c->kstack_n >= 0)
    return;
  if (regs && user_mode(regs))
    regs = NULL; /* a probe on user code: the kernel stack is ours alone */
#ifdef STP_HAVE_X86_UNWIND
  {
    struct unwind_state state;

    if (regs && n < MAXBACKTRACE)
      c->kstack[n++] = instruction_pointer(regs);
    for (unwind_start(&state, current, regs, NULL); !unwind_done(&state) && n < MAXBACKTRACE;
         unwind_next_frame(&state)) {
      struct pt_regs *entry = unwind_get_entry_regs(&state, NULL);
      unsigned long where;

      if (entry && user_mode(entry))
        break;
      where = unwind_get_return_address(&state);
      if (!where)
        break;
      c->kstack[n++] = where;
    }
  }
#else
  if (regs)
    c->kstack[n++] = instruction_pointer(regs);
  else
    n = stack_trace_save(c->kstack, MAXBACKTRACE, 0);
#endif
  c->kstack_n = n;
}

static unsigned long _stp_kstack_addr(struct context *c, int depth)
{
  _stp_kstack_collect(c);
  return depth >= 0 && depth < c->kstack_n ? c->kstack[depth] : 0;
}

/* Shared by the kernel and user stacks: entries FROM.. of STACK (at most
   DEPTH, -1 all) formatted with FLAGS into BUF, whole entries only, or to
   the output when BUF is NULL. */
static int _stp_snprint_stack(char *buf, size_t len, const unsigned long *stack, int count,
                              unsigned flags, int skip, int depth, struct task_struct *task)
{
  char entry[256];
  size_t used = 0;
  int i, shown = 0;

  if (buf && len)
    buf[0] = '\0';
  for (i = skip < 0 ? 0 : skip; i < count && (depth < 0 || shown < depth); i++, shown++) {
    size_t k = 0;

    if (shown && !(flags & (_STP_SYM_NEWLINE | _STP_SYM_POST_SPACE)))
      entry[k++] = ' ';
    _stp_snprint_addr(entry + k, sizeof(entry) - k, stack[i], flags, task);
    if (!buf) {
      _stp_print(entry);
      continue;
    }
    k = strlen(entry);
    if (used + k + 1 > len)
      break;
    memcpy(buf + used, entry, k + 1);
    used += k;
  }
  return used;
}

static int _stp_snprint_kstack(char *buf, size_t len, struct context *c, unsigned flags,
                               int skip, int depth)
{
  _stp_kstack_collect(c);
  return _stp_snprint_stack(buf, len, c->kstack, c->kstack_n, flags, skip, depth, NULL);
}

static void _stp_print_kstack(struct context *c, unsigned flags)
{
  _stp_kstack_collect(c);
  _stp_snprint_stack(NULL, 0, c->kstack, c->kstack_n, flags, 0, -1, NULL);
}

/* ---- user stacks: the registers' frame only (no unwind tables yet) ---- */

static int _stp_ustack_collect(struct context *c, unsigned long *first)
{
  struct pt_regs *regs = _stp_probe_uregs(c);

  if (!regs)
    return 0;
  *first = instruction_pointer(regs);
  return 1;
}

static unsigned long _stp_ustack_addr(struct context *c, int depth)
{
  unsigned long first;

  return depth == 0 && _stp_ustack_collect(c, &first) ? first : 0;
}

static int _stp_snprint_ustack(char *buf, size_t len, struct context *c, unsigned flags,
                               int skip, int depth)
{
  unsigned long first;
  int n = _stp_ustack_collect(c, &first);

  return _stp_snprint_stack(buf, len, &first, n, flags, skip, depth, current);
}

static void _stp_print_ustack(struct context *c, unsigned flags)
{
  unsigned long first;
  int n = _stp_ustack_collect(c, &first);

  _stp_snprint_stack(NULL, 0, &first, n, flags, 0, -1, current);
}
