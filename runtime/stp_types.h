/* stp_types.h: the structures shared by generated code, the runtime
 * library and module main (see runtime/README.md).
 *
 * Included after runtime_defines.h and the kernel headers: it uses atomic_t,
 * rwlock_t, cycles_t and struct pt_regs from them.
 */
#ifndef STP_TYPES_H
#define STP_TYPES_H

/* Session states, as upstream numbers them (runtime/common_session_state.h). */
enum stp_session_state {
  STAP_SESSION_UNINITIALIZED = 0,
  STAP_SESSION_STARTING = 1,
  STAP_SESSION_RUNNING = 2,
  STAP_SESSION_ERROR = 3,
  STAP_SESSION_STOPPING = 4,
  STAP_SESSION_STOPPED = 5,
};

struct stp_probe;
struct kprobe;
struct kretprobe_instance;

/* Subexpressions the module's largest regular expression has, counting the
   whole match (pass 3 defines it before runtime.h when the script uses =~). */
#ifndef STP_REGEX_MAXGROUPS
#define STP_REGEX_MAXGROUPS 1
#endif

/* The last =~ / !~ of the running handler (runtime/stp_regex.c). */
struct stp_regex_last {
  int matched;                      /* it matched; reset when a handler starts */
  unsigned ngroups;                 /* subexpressions of the last *successful* match's
                                       pattern, counting the whole match; reset with matched */
  int caps[2 * STP_REGEX_MAXGROUPS];/* start/end offsets into str, -1: took no part */
  char str[MAXSTRINGLEN];           /* copy of the string it was matched against */
};

/* One per CPU, allocated by module main; a handler runs with preemption
   disabled and owns its CPU's context. */
struct context {
  atomic_t busy;                    /* reentrancy guard */
  const struct stp_probe *probe;    /* the running probe */
  int nesting;                      /* script-function depth, 0 in the probe body */
  long actionremaining;             /* MAXACTION countdown */
  const char *last_error;           /* non-NULL: a runtime error is unwinding the handler */
  const char *last_stmt;            /* token description of the failing statement, for "near" */
  char error_buf[MAXSTRINGLEN];     /* storage for formatted error messages */
  int aborted;                      /* abort(): unwind, not an error */
  struct pt_regs *kregs;            /* the probe's registers; user mode: user_mode(kregs) */
  void *probe_data;                 /* tracepoint arguments, or a kretprobe's entry values */
  char tok_buf[MAXSTRINGLEN];       /* tapset tokenize() */
  char *tok_next;
  void *frames;                     /* (MAXNESTING + 1) * stp_frame_size bytes */
  cycles_t cycles_base, cycles_sum; /* overload detection */
  struct stp_regex_last regex;      /* for matched(), ngroups() */
  void *regex_scratch;              /* STP_REGEX_SCRATCH_BYTES after the frames */
  int kstack_n;                     /* entries of kstack, -1 until unwound in this run */
  unsigned long kstack[MAXBACKTRACE]; /* kernel backtrace, probe address first */
};

struct stp_global_lock;
struct stp_lock_req {
  struct stp_global_lock *lock;
  unsigned char write;
};

struct stp_probe {
  const char *pp;                   /* derived probe point, what pp() returns */
  const char *pn;                   /* as written in the script, what pn() returns */
  void (*handler)(struct context *c);
  const struct stp_lock_req *locks; /* in global declaration order, no duplicates */
  unsigned nlocks;
  const char *type;                 /* probe_type() word; NULL: derived from pp */
  const char *label;                /* pnlabel(): .label name, NULL when none */
  unsigned index;                   /* position in stp_probes */
  const char *location;             /* -t report: FILE:LINE:COL of the probe */
  const char *derivation;           /* -t report: "PP from: ..." chain */
  /* Known to pass 3, and constants in each probe's own entry function: */
  unsigned char no_actions;         /* straight-line handler (no loops, no script functions):
                                       nothing counted, as 4.8 checks MAXACTION only where
                                       code repeats */
  unsigned char no_print;           /* the handler cannot print: no flush test */
  unsigned char is_return;          /* is_return(): a kretprobe's return handler */
  unsigned char tiny;               /* a handler that cannot fail and reads nothing of the
                                       context (scalar arithmetic, <<<, tracepoint arguments):
                                       no stack test, overload timing, error test or
                                       probe and register stores */
};

enum stp_be_type { STP_BEGIN = 0, STP_END = 1, STP_ERROR = 2 };
/* Sorted by (seq, script order) within each type. */
struct stp_be_probe {
  const struct stp_probe *probe;
  int type;
  int64_t seq;
};

enum stp_timer_kind { STP_TIMER_HR = 0, STP_TIMER_JIFFIES = 1 };
struct stp_timer_probe {
  const struct stp_probe *probe;
  int kind;
  uint64_t interval;                /* ns for HR, jiffies for JIFFIES */
  uint64_t randomize;               /* same unit; 0 = none */
};

/* perf.type(T).config(C).sample(N)|.hz(N): one counter per online CPU. */
struct stp_perf_probe {
  const struct stp_probe *probe;
  uint32_t type;                    /* PERF_TYPE_* */
  uint64_t config;                  /* PERF_COUNT_* */
  uint64_t period;                  /* events per sample, or samples a second with freq */
  int freq;                         /* .hz(N) */
};

/* kernel.function, module().function, kprobe.*: a kprobe or kretprobe by symbol name
   (plus offset), or at an absolute address.  `entry` runs at function entry for a
   .return probe that saves values there (@entry, parameters), into data_size bytes. */
struct stp_kprobe_probe {
  const struct stp_probe *probe;
  const char *symbol;               /* NULL: use address */
  unsigned long offset;
  unsigned long address;
  int is_return;
  int maxactive;                    /* kretprobes; -1: KRETACTIVE */
  const struct stp_probe *entry;
  size_t data_size;
  const char *module;               /* module("M") probes: M; NULL for vmlinux */
  /* The probe's own entry points (pass 3): the kprobe's pre_handler, or the
     kretprobe's handler and entry_handler (NULL when `entry` is). */
  int (*pre)(struct kprobe *kp, struct pt_regs *regs);
  int (*ret)(struct kretprobe_instance *ri, struct pt_regs *regs);
  int (*entry_fn)(struct kretprobe_instance *ri, struct pt_regs *regs);
};

/* kernel.trace("SYSTEM:NAME"): `callback` has the tracepoint's prototype and hands its
   arguments to the probe as an array of unsigned long. */
struct stp_tracepoint_probe {
  const struct stp_probe *probe;
  const char *name;
  void *callback;
  const char *module;               /* the module defining the tracepoint; NULL: vmlinux */
};

struct stp_global_lock {
  rwlock_t lock;
  const char *name;
  atomic_t contention;
};

#endif /* STP_TYPES_H */
