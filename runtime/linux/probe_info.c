/* probe_info.c - what the tapsets can ask about the running probe beyond
 * linux/context.c's basics: its label, the kind of low-level handler, the
 * user registers, and a register dump. */

static const char *_stp_probe_label(struct context *c)
{
  return c->probe && c->probe->label ? c->probe->label : "";
}

/* Word for the low-level mechanism behind a probe point, in upstream's
   vocabulary (probe_type()).  Pass 3 may name it in stp_probe.type; else
   it follows from the resolved probe point. */
static const char *_stp_probe_type_from_pp(const char *pp)
{
  size_t n = strlen(pp);
  int ret = n >= 7 && strcmp(pp + n - 7, ".return") == 0;

  if (!strcmp(pp, "begin") || !strncmp(pp, "begin(", 6) || !strcmp(pp, "end") ||
      !strncmp(pp, "end(", 4) || !strcmp(pp, "error") || !strncmp(pp, "error(", 6) ||
      !strcmp(pp, "never"))
    return "begin_end";
  if (!strncmp(pp, "timer.profile", 13))
    return "profile_timer";
  if (!strncmp(pp, "timer.", 6))
    return strstr(pp, "jiffies") ? "timer" : "hrtimer";
  if (!strncmp(pp, "perf.", 5))
    return "perf_event";
  if (!strncmp(pp, "procfs", 6))
    return "procfs";
  if (!strncmp(pp, "kernel.trace(", 13))
    return "tracepoint";
  if (!strncmp(pp, "kernel.data(", 12))
    return "hwbkpt";
  if (!strncmp(pp, "netfilter.", 10))
    return "netfilter";
  if (!strncmp(pp, "kernel.", 7) || !strncmp(pp, "module(", 7) || !strncmp(pp, "kprobe.", 7))
    return ret ? "kretprobe" : "kprobe";
  if (!strncmp(pp, "process", 7))
    return ret ? "uretprobe" : "uprobe";
  return "";
}

static const char *_stp_probe_type_name(struct context *c)
{
  if (!c->probe)
    return "";
  if (c->probe->type)
    return c->probe->type;
  return _stp_probe_type_from_pp(c->probe->pp ? c->probe->pp : "");
}

/* User registers of the current task: those the probe saved (a uprobe),
   those of the interrupted user code (the probe fired in user mode), or
   the ones saved when the task entered the kernel.  Kernel threads have
   none. */
static struct pt_regs *_stp_probe_uregs(struct context *c)
{
  if (c->kregs && user_mode(c->kregs))
    return c->kregs;
  if (!current->mm || (current->flags & PF_KTHREAD))
    return NULL;
  return task_pt_regs(current);
}

#if defined(CONFIG_X86_64)
/* Same layout as upstream's x86-64 dump, so scripts' output compares. */
static void _stp_print_regs(struct pt_regs *regs)
{
  unsigned long fs_base, gs_base, shadow_gs;
  unsigned short ds, cs, es, fsi, gsi;

  _stp_printf("RIP: %016lx\nRSP: %016lx  EFLAGS: %08lx\n", regs->ip, regs->sp, regs->flags);
  _stp_printf("RAX: %016lx RBX: %016lx RCX: %016lx\n", regs->ax, regs->bx, regs->cx);
  _stp_printf("RDX: %016lx RSI: %016lx RDI: %016lx\n", regs->dx, regs->si, regs->di);
  _stp_printf("RBP: %016lx R08: %016lx R09: %016lx\n", regs->bp, regs->r8, regs->r9);
  _stp_printf("R10: %016lx R11: %016lx R12: %016lx\n", regs->r10, regs->r11, regs->r12);
  _stp_printf("R13: %016lx R14: %016lx R15: %016lx\n", regs->r13, regs->r14, regs->r15);

  /* The segment and control registers of this CPU now, as upstream shows
     them (they are not part of pt_regs). */
  savesegment(ds, ds);
  savesegment(cs, cs);
  savesegment(es, es);
  savesegment(fs, fsi);
  savesegment(gs, gsi);
  rdmsrl(MSR_FS_BASE, fs_base);
  rdmsrl(MSR_GS_BASE, gs_base);
  rdmsrl(MSR_KERNEL_GS_BASE, shadow_gs);
  _stp_printf("FS:  %016lx(%04x) GS:%016lx(%04x) knlGS:%016lx\n", fs_base, fsi, gs_base, gsi,
              shadow_gs);
  _stp_printf("CS:  %04x DS: %04x ES: %04x CR0: %016lx\n", cs, ds, es, read_cr0());
  _stp_printf("CR2: %016lx CR3: %016lx CR4: %016lx\n", read_cr2(), __read_cr3(), __read_cr4());
}
#else
/* Other architectures: the registers every pt_regs can report. */
static void _stp_print_regs(struct pt_regs *regs)
{
  _stp_printf("PC: %016lx SP: %016lx RV: %016lx\n", (unsigned long) instruction_pointer(regs),
              (unsigned long) user_stack_pointer(regs), (unsigned long) regs_return_value(regs));
}
#endif
