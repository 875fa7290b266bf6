/* kderef.h - what pass 3's target-variable code uses (stap/probes/target_vars.cpp):
 * registers of the probed context, fault-safe kernel reads and writes, tracepoint
 * arguments, and the string builder of $var$ and $$parms.
 *
 * A fault never oopses: the access yields 0 and leaves upstream's message in
 * c->last_error, which the statement's check turns into a clean script error. */
#ifndef STP_LINUX_KDEREF_H
#define STP_LINUX_KDEREF_H

/* DWARF register numbers (x86-64 psABI) to pt_regs. */
static inline unsigned long *_stp_dwarf_reg(struct pt_regs *regs, int n)
{
#ifdef CONFIG_X86_64
  switch (n) {
  case 0: return &regs->ax;
  case 1: return &regs->dx;
  case 2: return &regs->cx;
  case 3: return &regs->bx;
  case 4: return &regs->si;
  case 5: return &regs->di;
  case 6: return &regs->bp;
  case 7: return &regs->sp;
  case 8: return &regs->r8;
  case 9: return &regs->r9;
  case 10: return &regs->r10;
  case 11: return &regs->r11;
  case 12: return &regs->r12;
  case 13: return &regs->r13;
  case 14: return &regs->r14;
  case 15: return &regs->r15;
  case 16: return &regs->ip;
  }
#endif
  return NULL;
}

static unsigned long _stp_reg_get(struct context *c, int n)
{
  unsigned long *r = c->kregs ? _stp_dwarf_reg(c->kregs, n) : NULL;
  if (!r) {
    if (!c->last_error)
      c->last_error = "register access fault [man error::fault]";
    return 0;
  }
  return *r;
}

static void _stp_reg_set(struct context *c, int n, int64_t v)
{
  unsigned long *r = c->kregs ? _stp_dwarf_reg(c->kregs, n) : NULL;
  if (!r) {
    if (!c->last_error)
      c->last_error = "register access fault [man error::fault]";
    return;
  }
  *r = (unsigned long) v;
}

static unsigned long _stp_kread(struct context *c, unsigned long addr, size_t size)
{
  unsigned long v = 0;  /* little-endian: a short read lands in the low bytes */
  if (unlikely(_stp_read_kernel(&v, addr, size))) {
    if (!c->last_error) {
      snprintf(c->error_buf, sizeof(c->error_buf),
               "read fault [man error::fault] at 0x%lx", addr);
      c->last_error = c->error_buf;
    }
    return 0;
  }
  return v;
}

static void _stp_kwrite(struct context *c, unsigned long addr, size_t size, int64_t v)
{
  if (unlikely(_stp_write_kernel(addr, &v, size))) {
    if (!c->last_error) {
      snprintf(c->error_buf, sizeof(c->error_buf),
               "write fault [man error::fault] at 0x%lx", addr);
      c->last_error = c->error_buf;
    }
  }
}

#define STP_REG(n) _stp_reg_get(c, (n))
#define STP_SET_REG(n, v) _stp_reg_set(c, (n), (v))
#define STP_DEREF(size, addr) _stp_kread(c, (unsigned long)(addr), (size))
#define STP_WRITE(size, addr, v) _stp_kwrite(c, (unsigned long)(addr), (size), (v))
#define STP_TPARG(i) (((unsigned long *) c->probe_data)[i])
#define STP_CFA (c->kregs ? c->kregs->sp + 8 : 0)
/* A vmlinux link-time address where the kernel really is (KASLR): the shift is
   measured on snprintf, whose link address pass 3 took from the debuginfo. */
#ifdef STP_RELOC_ANCHOR_LINK
#define STP_RELOC(a) \
  ((unsigned long)(a) + ((unsigned long)&snprintf - (unsigned long)STP_RELOC_ANCHOR_LINK))
#endif

/* A module's data (@var("name", "module")): the module is looked up by name in the
   kernel's list of modules, whose head is the vmlinux variable "modules" (its link
   address comes from pass 3 and moves with the kernel), then the symbol in the
   module's own symbol table, which holds data symbols too (CONFIG_KALLSYMS_ALL).
   Each read looks again, so a module loaded after the script started, or unloaded
   and loaded again elsewhere, is always found where it is now.  A module that is
   not loaded (or lacks the symbol) gives address 0, whose read is then the same
   clean fault error as upstream's; the list is walked as the kernel's own symbol
   lookups walk it, under RCU-sched, which module removal waits for.

   Each use in the script keeps where in the module's table the symbol was last
   found (`hint`), so a read tests that one entry before it searches the table:
   one comparison instead of thousands when the module stayed.  The hint is only
   a guess, checked against the name each time, so CPUs may race on it. */
#ifdef STP_MODULES_LINK
static int _stp_module_sym_is(const struct mod_kallsyms *ks, unsigned int i, const char *symbol)
{
  const Elf_Sym *sym = &ks->symtab[i];

  return sym->st_shndx != SHN_UNDEF && strcmp(ks->strtab + sym->st_name, symbol) == 0;
}

static unsigned long _stp_module_symbol(const char *modname, const char *symbol,
                                        unsigned long offset, unsigned int *hint)
{
  unsigned long addr = 0;
#ifdef CONFIG_KALLSYMS
  struct list_head *head = (struct list_head *) STP_RELOC(STP_MODULES_LINK);
  struct module *mod;

  rcu_read_lock_sched();
  list_for_each_entry_rcu(mod, head, list) {
    struct mod_kallsyms *ks;
    unsigned int i = READ_ONCE(*hint);
    if (mod->state == MODULE_STATE_UNFORMED || strcmp(mod->name, modname) != 0)
      continue;
    ks = rcu_dereference_sched(mod->kallsyms);
    if (!ks)
      break;
    if (i == 0 || i >= ks->num_symtab || !_stp_module_sym_is(ks, i, symbol)) {
      for (i = 1; i < ks->num_symtab && !_stp_module_sym_is(ks, i, symbol); i++)
        ;
      if (i >= ks->num_symtab)
        break;
      WRITE_ONCE(*hint, i);
    }
    addr = (unsigned long) ks->symtab[i].st_value + offset;
    break;
  }
  rcu_read_unlock_sched();
#endif
  return addr;
}
#define STP_MODSYM(m, s, off) \
  ({ static unsigned int _stp_modsym_hint; _stp_module_symbol((m), (s), (off), &_stp_modsym_hint); })
#endif

/* $var$ and $$parms build a string of at most MAXSTRINGLEN - 1 bytes. */
struct stp_tv_out {
  char *buf;
  size_t len;
};

static inline void stp_tv_begin(struct stp_tv_out *o, char *buf)
{
  o->buf = buf;
  o->len = 0;
  buf[0] = '\0';
}

static __printf(2, 3) void stp_tv_append(struct stp_tv_out *o, const char *fmt, ...)
{
  va_list ap;
  int n;
  if (o->len >= MAXSTRINGLEN - 1)
    return;
  va_start(ap, fmt);
  n = vsnprintf(o->buf + o->len, MAXSTRINGLEN - o->len, fmt, ap);
  va_end(ap);
  if (n > 0)
    o->len += (size_t) n;
  if (o->len > MAXSTRINGLEN - 1)
    o->len = MAXSTRINGLEN - 1;
}

/* A char * member: "the string", or the pointer when it cannot be read. */
static void stp_tv_append_kstring(struct context *c, struct stp_tv_out *o, int64_t addr)
{
  char tmp[MAXSTRINGLEN];
  (void) c;
  if (addr && _stp_strncpy_from_kernel(tmp, (unsigned long) addr, sizeof(tmp)) >= 0)
    stp_tv_append(o, "\"%s\"", tmp);
  else
    stp_tv_append(o, "0x%llx", (unsigned long long) addr);
}

#endif /* STP_LINUX_KDEREF_H */
