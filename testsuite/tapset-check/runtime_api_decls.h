/*
 * runtime_api_decls.h - declarations of everything the tapsets' embedded C
 * expects from the translator and the kernel runtime (see ../RUNTIME_API.md).
 *
 * Used only by check_c.sh to compile every embedded-C body against real
 * kernel headers before the runtime exists.  The definitions of the
 * STAP_* macros here are one valid implementation, not the runtime's.
 */
#ifndef TAPSET_RUNTIME_API_DECLS_H
#define TAPSET_RUNTIME_API_DECLS_H

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/types.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/sched.h>
#include <asm/ptrace.h>

#ifndef MAXSTRINGLEN
#define MAXSTRINGLEN 512
#endif

/* --- the probe context (only the members tapsets touch) --- */
struct context {
	const char *last_error;			/* set by STAP_ERROR */
	char error_buffer[MAXSTRINGLEN];
	char tok_buf[MAXSTRINGLEN];		/* tokenize() input copy */
	char *tok_next;				/* tokenize() cursor, NULL = done */
};

/* --- translator macros (valid inside an embedded-C function body) --- */
#define CONTEXT c
#define STAP_PRINTF(fmt, ...) _stp_printf((fmt), ##__VA_ARGS__)
#define STAP_ERROR(fmt, ...)							\
	do {									\
		snprintf(CONTEXT->error_buffer, sizeof(CONTEXT->error_buffer),	\
			 (fmt), ##__VA_ARGS__);					\
		CONTEXT->last_error = CONTEXT->error_buffer;			\
		goto out;							\
	} while (0)
/* STAP_RETURN(v) / STAP_RETURN() are defined per function by check_c.sh. */

/* --- output and session control --- */
void _stp_printf(const char *fmt, ...) __printf(1, 2);
void _stp_warn(const char *fmt, ...) __printf(1, 2);
void _stp_exit(void);
void _stp_abort(struct context *c);
void _stp_print_binary(int64_t n, int64_t a1, int64_t a2, int64_t a3, int64_t a4);
void _stp_system(const char *cmd);
void _stp_switch_file(void);
void _stp_ftrace(const char *msg);

/* --- session parameters --- */
extern long _stp_target;
extern long _stp_pid;
extern long _stp_remote_id;
extern char _stp_remote_uri[];
extern long _stp_tz_gmtoff;
extern char _stp_tz_name[];
int _stp_is_myproc(void);
void _stp_module_size_str(char *buf, size_t len);

/* --- memory access (never sleep, never oops) --- */
int _stp_read_kernel(void *dst, unsigned long addr, size_t len);
int _stp_write_kernel(unsigned long addr, const void *src, size_t len);
int _stp_read_user(void *dst, unsigned long addr, size_t len);
long _stp_strncpy_from_kernel(char *dst, unsigned long addr, long n);
long _stp_strncpy_from_user(char *dst, unsigned long addr, long n);
#define _STP_TEXT_QUOTED 0x1	/* same values as runtime/linux/runtime_api.h */
#define _STP_TEXT_USER   0x2
#define _STP_TEXT_BUFFER 0x4
int _stp_text_str(char *out, size_t outlen, unsigned long in, size_t inlen,
		  unsigned flags);
int _stp_is_compat_task(void);

/* --- probe point facts --- */
const char *_stp_probe_point(struct context *c);
const char *_stp_probe_name(struct context *c);
const char *_stp_probe_label(struct context *c);
const char *_stp_probe_type_name(struct context *c);
int _stp_probe_is_return(struct context *c);
int _stp_probe_user_mode(struct context *c);
struct pt_regs *_stp_probe_kregs(struct context *c);
struct pt_regs *_stp_probe_uregs(struct context *c);
void _stp_print_regs(struct pt_regs *regs);

/* --- clocks and randomness --- */
u64 _stp_gettimeofday_ns(void);
u32 _stp_random_u32(void);

/* --- symbols and stacks --- */
#define _STP_SYM_NAME    0x01
#define _STP_SYM_OFFSET  0x02
#define _STP_SYM_SIZE    0x04
#define _STP_SYM_MODULE  0x08
#define _STP_SYM_ADDR    0x10
#define _STP_SYM_NEWLINE 0x20
#define _STP_SYM_FILE    0x40
#define _STP_SYM_LINE    0x80
#define _STP_SYM_POST_SPACE 0x100
#define _STP_SYM_DATA (_STP_SYM_NAME | _STP_SYM_OFFSET | _STP_SYM_SIZE | _STP_SYM_MODULE)
#define _STP_SYM_FULL (_STP_SYM_ADDR | _STP_SYM_DATA | _STP_SYM_NEWLINE)
#define _STP_SYM_SIMPLE (_STP_SYM_NAME | _STP_SYM_OFFSET | _STP_SYM_MODULE | _STP_SYM_NEWLINE)
int _stp_snprint_addr(char *buf, size_t len, unsigned long addr, unsigned flags,
		      struct task_struct *task);
void _stp_symbolize_list(const char *list, char *out, size_t outlen,
			 unsigned flags, struct task_struct *task);
const char *_stp_kmodule_name(unsigned long addr);
const char *_stp_umodule_name(unsigned long addr, struct task_struct *task);
int _stp_snprint_kstack(char *buf, size_t len, struct context *c, unsigned flags,
			int skip, int depth);
void _stp_print_kstack(struct context *c, unsigned flags);
unsigned long _stp_kstack_addr(struct context *c, int depth);
int _stp_snprint_ustack(char *buf, size_t len, struct context *c, unsigned flags,
			int skip, int depth);
void _stp_print_ustack(struct context *c, unsigned flags);
unsigned long _stp_ustack_addr(struct context *c, int depth);

/* --- regular expressions (=~) --- */
int _stp_regex_matched(struct context *c);
int _stp_regex_ngroups(struct context *c);
int _stp_regex_group(struct context *c, int n, char *out, size_t len);

#endif
