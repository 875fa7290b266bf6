/* runtime_api.h - the tapset-facing runtime functions of linux/memory.c,
 * linux/probe_info.c and linux/session_info.c (tapset/RUNTIME_API.md).
 *
 * Everything here is safe in probe context: nothing sleeps, nothing takes a
 * lock a probe could already hold, and bad addresses give -EFAULT instead
 * of an oops. */
#ifndef STP_LINUX_RUNTIME_API_H
#define STP_LINUX_RUNTIME_API_H

#include <linux/sched/task_stack.h>
#include <linux/cred.h>
#include <linux/compat.h>
/* Without pass 4's feature header (hand-made builds), as linux/compat.h:
   6.4 replaced struct module's core_layout with mem[MOD_*]. */
#if !defined(STAPCONF_DONE) && LINUX_VERSION_CODE >= KERNEL_VERSION(6, 4, 0)
#define STAPCONF_MODULE_MEMORY 1
#endif

#ifdef CONFIG_X86_64
#include <asm/msr.h>
#include <asm/special_insns.h>
#endif

/* ---- memory access (linux/memory.c); 0 or -EFAULT ---- */
static int _stp_read_kernel(void *dst, unsigned long addr, size_t len);
static int _stp_write_kernel(unsigned long addr, const void *src, size_t len);
static int _stp_read_user(void *dst, unsigned long addr, size_t len);
/* Copy at most n-1 bytes and always NUL-terminate (n >= 1); the string's
   length or -EFAULT (dst is then ""). */
static long _stp_strncpy_from_kernel(char *dst, unsigned long addr, long n);
static long _stp_strncpy_from_user(char *dst, unsigned long addr, long n);

/* _stp_text_str flags */
#define _STP_TEXT_QUOTED 0x1  /* "..." around, and ... after it when cut */
#define _STP_TEXT_USER   0x2  /* in is a user address of the current task */
#define _STP_TEXT_BUFFER 0x4  /* NUL bytes do not end the input */
static int _stp_text_str(char *out, size_t outlen, unsigned long in, size_t inlen,
                         unsigned flags);
static int _stp_is_compat_task(void);

/* ---- probe point facts (linux/probe_info.c) ---- */
static const char *_stp_probe_label(struct context *c);
static const char *_stp_probe_type_name(struct context *c);
static struct pt_regs *_stp_probe_uregs(struct context *c);
static void _stp_print_regs(struct pt_regs *regs);

/* ---- symbols and stacks (linux/symbols.c) ---- */
#define _STP_SYM_NAME       0x01  /* symbol name (hex address when unknown) */
#define _STP_SYM_OFFSET     0x02  /* +0xOFF */
#define _STP_SYM_SIZE       0x04  /* /0xSIZE (with _OFFSET) */
#define _STP_SYM_MODULE     0x08  /* " [mod]" */
#define _STP_SYM_ADDR       0x10  /* leading " 0xADDR : " */
#define _STP_SYM_NEWLINE    0x20  /* each entry ends in a newline */
#define _STP_SYM_FILE       0x40  /* source file (no line tables yet: hex) */
#define _STP_SYM_LINE       0x80  /* source line (no line tables yet: hex) */
#define _STP_SYM_POST_SPACE 0x100 /* each entry ends in a space (backtrace()) */
#define _STP_SYM_DATA (_STP_SYM_NAME | _STP_SYM_OFFSET | _STP_SYM_SIZE | _STP_SYM_MODULE)
#define _STP_SYM_FULL (_STP_SYM_ADDR | _STP_SYM_DATA | _STP_SYM_NEWLINE)
#define _STP_SYM_SIMPLE (_STP_SYM_NAME | _STP_SYM_OFFSET | _STP_SYM_MODULE | _STP_SYM_NEWLINE)
static int _stp_snprint_addr(char *buf, size_t len, unsigned long addr, unsigned flags,
                             struct task_struct *task);
static void _stp_symbolize_list(const char *list, char *out, size_t outlen, unsigned flags,
                                struct task_struct *task);
static const char *_stp_kmodule_name(unsigned long addr);
static const char *_stp_umodule_name(unsigned long addr, struct task_struct *task);
static int _stp_snprint_kstack(char *buf, size_t len, struct context *c, unsigned flags,
                               int skip, int depth);
static void _stp_print_kstack(struct context *c, unsigned flags);
static unsigned long _stp_kstack_addr(struct context *c, int depth);
static int _stp_snprint_ustack(char *buf, size_t len, struct context *c, unsigned flags,
                               int skip, int depth);
static void _stp_print_ustack(struct context *c, unsigned flags);
static unsigned long _stp_ustack_addr(struct context *c, int depth);

/* ---- session (linux/session_info.c) ---- */
static int _stp_is_myproc(void);
static void _stp_module_size_str(char *buf, size_t len);
static void _stp_switch_file(void);
static void _stp_ftrace(const char *msg);
static u32 _stp_random_u32(void);
/* Bytes of script frames per CPU, recorded by _stp_contexts_alloc
   (linux/context.c) for module_size(). */
static size_t _stp_context_frame_bytes;

#endif /* STP_LINUX_RUNTIME_API_H */
