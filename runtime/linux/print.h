/* print.h - the script's output: per-CPU buffers flushed as relay records. */
#ifndef STP_LINUX_PRINT_H
#define STP_LINUX_PRINT_H

static void _stp_print(const char *s);
static void _stp_print_char(char ch);
static void _stp_print_bytes(const char *s, size_t n);
static void _stp_printf(const char *fmt, ...) __printf(1, 2);
static void _stp_vprintf(const char *fmt, va_list args) __printf(1, 0);
static char *_stp_print_reserve(size_t *avail);
static void _stp_print_commit(size_t n);
static void _stp_print_flush(void);
static void _stp_print_binary(int64_t n, int64_t a1, int64_t a2, int64_t a3, int64_t a4);
static void _stp_system(const char *cmd);

static int _stp_print_init(void);
static void _stp_print_exit(void);

#endif /* STP_LINUX_PRINT_H */
