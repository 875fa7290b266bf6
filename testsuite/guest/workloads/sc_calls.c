/* A fixed sequence of system calls with fixed arguments, made through
 * syscall(2) so libc adds nothing of its own: the workload of the
 * syscall.* argstr/retstr tests (systemtap.guest/syscall/sc_calls*.stp).
 *
 * Everything it passes is the same on every run and every kernel: paths
 * and buffers are globals (a static, non-PIE executable keeps them at fixed
 * addresses, which tests still mask as the compiler may move them), pointer
 * arguments the kernel must not read are small constants (which fault), and
 * ids and fds come out in the same order each time (pids are the tests'
 * to mask: wait4 and waitid wait for any child).  Calls whose result
 * would depend on the kernel version or timing are made so they fail the
 * same way on both kernels (bad fd, bad pointer, zero timeouts).
 *
 * usage: sc_calls [GROUP...]   groups: files mem net proc sig time misc more more2
 * (none: all but more2, in that order).  Runs in the current directory, which it
 * fills with a few files (the guest's /tmp is emptied between tests).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <time.h>
#include <unistd.h>

#define BAD ((long)0x10) /* an address no process maps */

static char buf[4096];
static char buf2[4096];
static char rbuf1[16], rbuf2[16]; /* getrandom's: the second stays zero */
static int fds[2];
static int one = 1;
/* ts_short has no nanoseconds: stap 4.8 reads a timespec's fields as 32-bit
 * halves for nanosleep and clock_nanosleep, so only then do both agree. */
static struct timespec ts_zero, ts_short = {1, 0};
static struct timeval tv_zero;
static struct rlimit rl = {1024, 4096};
static struct iovec iov[2];
static struct msghdr mh;
static struct sockaddr_un sun;
static struct sockaddr_in sin_;
static struct epoll_event ev;
static struct pollfd pfd;
static unsigned long sigset_usr1 = 1UL << (SIGUSR1 - 1);
static unsigned long sigset_old;
static struct {
  void *handler;
  unsigned long flags;
  void *restorer;
  unsigned long mask;
} sa;
static char *argv_[] = {"/nonexistent", "-a", "b c", 0};
static char *envp_[] = {"X=1", 0};
static int futex_word;

static long sc(long n, long a, long b, long c, long d, long e, long f) {
  return syscall(n, a, b, c, d, e, f);
}
#define S0(n) sc(n, 0, 0, 0, 0, 0, 0)
#define S1(n, a) sc(n, (long)(a), 0, 0, 0, 0, 0)
#define S2(n, a, b) sc(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define S3(n, a, b, c) sc(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define S4(n, a, b, c, d) sc(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)
#define S5(n, a, b, c, d, e) sc(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), 0)
#define S6(n, a, b, c, d, e, f) sc(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

static void files(void) {
  long fd, dfd;
  fd = S4(SYS_openat, AT_FDCWD, "f1", O_RDWR | O_CREAT | O_TRUNC, 0644); /* 3 */
  S3(SYS_write, fd, "hello world\n", 12);
  S3(SYS_lseek, fd, 0, SEEK_SET);
  S3(SYS_lseek, fd, -2, SEEK_END);
  S3(SYS_lseek, fd, 1, SEEK_CUR);
  S4(SYS_pread64, fd, buf, 4, 1);
  S2(SYS_fcntl, fd, F_GETFD);
  S3(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC);
  S2(SYS_fcntl, fd, F_GETFL);
  S3(SYS_fcntl, fd, F_SETFL, O_NONBLOCK | O_APPEND);
  S3(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 10); /* 10 */
  S3(SYS_fcntl, -1, F_SETLK, BAD);
  S1(SYS_dup, fd);                  /* 4 */
  S2(SYS_dup2, fd, 20);
  S3(SYS_dup3, fd, 21, O_CLOEXEC);
  S3(SYS_dup3, fd, 22, 0);
  S2(SYS_pipe2, fds, O_CLOEXEC);    /* 5, 6 */
  S2(SYS_pipe2, fds, O_NONBLOCK);   /* 7, 8 */
  S1(SYS_pipe, fds);                /* 9, 11 */
  S3(SYS_ioctl, fd, FIONREAD, buf);
  S3(SYS_ioctl, -1, 0x5401, BAD);
  S2(SYS_fstat, fd, buf);
  S2(SYS_fstat, -1, buf);
  S4(SYS_newfstatat, AT_FDCWD, "f1", buf, 0);
  S4(SYS_newfstatat, fd, "", buf, AT_EMPTY_PATH);
  S4(SYS_newfstatat, AT_FDCWD, "f1", buf, AT_SYMLINK_NOFOLLOW);
  S5(SYS_statx, AT_FDCWD, "f1", AT_SYMLINK_NOFOLLOW, 0x7ff, buf);
  S5(SYS_statx, fd, "", AT_EMPTY_PATH, 1, buf);
  S2(SYS_stat, "f1", buf);
  S2(SYS_lstat, "f1", buf);
  S2(SYS_mkdir, "d", 0755);
  S3(SYS_mkdirat, AT_FDCWD, "d/e", 0700);
  S4(SYS_mknodat, AT_FDCWD, "d/fifo", S_IFIFO | 0600, 0);
  S3(SYS_mknod, "d/fifo2", S_IFIFO | 0644, 0);
  dfd = S4(SYS_openat, AT_FDCWD, "d", O_RDONLY | O_DIRECTORY, 0);
  S3(SYS_getdents64, dfd, buf, sizeof buf);
  S3(SYS_getdents64, dfd, buf, sizeof buf);
  S3(SYS_getdents, -1, buf, 100);
  S2(SYS_symlink, "f1", "s1");
  S3(SYS_symlinkat, "f1", dfd, "s2");
  S2(SYS_link, "f1", "h1");
  S5(SYS_linkat, AT_FDCWD, "f1", dfd, "h2", 0);
  S5(SYS_linkat, AT_FDCWD, "s1", AT_FDCWD, "h3", AT_SYMLINK_FOLLOW);
  S3(SYS_readlink, "s1", buf, 100);
  S4(SYS_readlinkat, dfd, "s2", buf, 100);
  S2(SYS_rename, "h1", "h4");
  S4(SYS_renameat, AT_FDCWD, "h4", dfd, "h5");
  S5(SYS_renameat2, dfd, "h5", AT_FDCWD, "h6", 1 /* RENAME_NOREPLACE */);
  S5(SYS_renameat2, AT_FDCWD, "h6", AT_FDCWD, "h3", 2 /* RENAME_EXCHANGE */);
  S2(SYS_chmod, "f1", 0640);
  S2(SYS_fchmod, fd, 0600);
  S3(SYS_fchmodat, AT_FDCWD, "f1", 0644);
  S3(SYS_chown, "f1", 1, 2);
  S3(SYS_lchown, "s1", 3, 4);
  S3(SYS_fchown, fd, -1, 5);
  S5(SYS_fchownat, dfd, "h2", 6, -1, AT_SYMLINK_NOFOLLOW);
  S2(SYS_access, "f1", R_OK | W_OK);
  S3(SYS_faccessat, AT_FDCWD, "f1", X_OK);
  S4(SYS_faccessat2, AT_FDCWD, "f1", F_OK, AT_EACCESS);
  S2(SYS_truncate, "f1", 100);
  S2(SYS_ftruncate, fd, 50);
  S1(SYS_fsync, fd);
  S1(SYS_fdatasync, fd);
  S1(SYS_syncfs, fd);
  S4(SYS_fadvise64, fd, 0, 100, POSIX_FADV_DONTNEED);
  S4(SYS_fadvise64, fd, 10, 0, POSIX_FADV_SEQUENTIAL);
  S4(SYS_fallocate, fd, 0, 0, 4096);
  S4(SYS_fallocate, fd, 3 /* KEEP_SIZE|PUNCH_HOLE */, 0, 100);
  S4(SYS_sync_file_range, fd, 0, 100, 2);
  S3(SYS_readahead, fd, 0, 100);
  S2(SYS_flock, fd, LOCK_EX | LOCK_NB);
  S2(SYS_flock, fd, LOCK_UN);
  S4(SYS_sendfile, 6, fd, BAD, 10);
  S6(SYS_copy_file_range, fd, 0, 10, 0, 5, 0);
  iov[0].iov_base = buf; iov[0].iov_len = 3;
  iov[1].iov_base = buf2; iov[1].iov_len = 4;
  S3(SYS_readv, fd, iov, 2);
  S3(SYS_writev, fd, iov, 2);
  S4(SYS_preadv, fd, iov, 2, 0);
  S4(SYS_pwritev, fd, iov, 2, 7);
  S5(SYS_preadv2, fd, iov, 2, 0, 0);
  S5(SYS_pwritev2, fd, iov, 1, -1, 0);
  S2(SYS_statfs, ".", buf);
  S2(SYS_fstatfs, fd, buf);
  S1(SYS_chdir, "d");
  S1(SYS_fchdir, dfd);
  S2(SYS_getcwd, buf, sizeof buf);
  S1(SYS_chdir, "..");
  S1(SYS_umask, 022);
  S1(SYS_umask, 077);
  S1(SYS_umask, 022);
  S5(SYS_setxattr, "f1", "trusted.a", "v1", 2, 0);
  S5(SYS_lsetxattr, "f1", "trusted.b", "v2", 2, 1 /* XATTR_CREATE */);
  S5(SYS_fsetxattr, fd, "trusted.c", "v3", 2, 0);
  S4(SYS_getxattr, "f1", "trusted.a", buf, 100);
  S4(SYS_lgetxattr, "f1", "trusted.b", buf, 100);
  S4(SYS_fgetxattr, fd, "trusted.c", buf, 100);
  S3(SYS_listxattr, "f1", buf, 100);
  S3(SYS_llistxattr, "f1", buf, 100);
  S3(SYS_flistxattr, fd, buf, 100);
  S2(SYS_removexattr, "f1", "trusted.a");
  S2(SYS_lremovexattr, "f1", "trusted.b");
  S2(SYS_fremovexattr, fd, "trusted.c");
  S3(SYS_utimensat, AT_FDCWD, "f1", 0);
  S2(SYS_utime, "f1", 0);
  S2(SYS_utimes, "f1", 0);
  S3(SYS_futimesat, AT_FDCWD, "f1", 0);
  S1(SYS_unlink, "h3");
  S3(SYS_unlinkat, dfd, "h2", 0);
  S3(SYS_unlinkat, dfd, "e", AT_REMOVEDIR);
  S1(SYS_rmdir, "nonexistent");
  S2(SYS_creat, "f2", 0600);
  S1(SYS_chroot, "nonexistent");
  S1(SYS_acct, 0);
  S2(SYS_memfd_create, "mem", 1 /* MFD_CLOEXEC */);
  S2(SYS_eventfd2, 3, 0x80000 /* EFD_CLOEXEC */);
  S1(SYS_eventfd, 4);
  S2(SYS_timerfd_create, CLOCK_MONOTONIC, 0x80000 /* TFD_CLOEXEC */);
  S1(SYS_inotify_init, 0);
  S1(SYS_inotify_init1, 0x800 /* IN_NONBLOCK */);
  S4(SYS_signalfd4, -1, &sigset_usr1, 8, 0x80000);
  S2(SYS_close, 100, 0);
  S1(SYS_close, dfd);
  S0(SYS_sync);
}

static void mem(void) {
  long a = S6(SYS_mmap, 0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  S3(SYS_mprotect, a, 4096, PROT_READ);
  S3(SYS_mprotect, a, 4096, PROT_NONE);
  S3(SYS_madvise, a, 4096, MADV_DONTNEED);
  S3(SYS_madvise, a, 8192, MADV_SEQUENTIAL);
  S2(SYS_mlock, a, 4096);
  S2(SYS_munlock, a, 4096);
  S3(SYS_mlock2, a, 4096, 1 /* MLOCK_ONFAULT */);
  S3(SYS_msync, a, 4096, MS_ASYNC);
  S3(SYS_mincore, a, 4096, buf);
  S2(SYS_munmap, a, 8192);
  S1(SYS_mlockall, MCL_CURRENT);
  S0(SYS_munlockall);
  S5(SYS_mremap, BAD, 4096, 8192, 0, 0);
  S2(SYS_munmap, BAD, 0);
  S1(SYS_brk, 0);
  S5(SYS_remap_file_pages, BAD, 4096, 0, 0, 0);
}

static void net(void) {
  long s, t, u;
  S3(SYS_socket, AF_INET, SOCK_STREAM, 0); /* 12 */
  s = S3(SYS_socket, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  S5(SYS_setsockopt, s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  u = sizeof(int);
  S5(SYS_getsockopt, s, SOL_SOCKET, SO_TYPE, buf, &u);
  sun.sun_family = AF_UNIX;
  strcpy(sun.sun_path, "sock");
  S3(SYS_bind, s, &sun, sizeof sun);
  S2(SYS_listen, s, 5);
  t = S3(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
  S3(SYS_connect, t, &sun, sizeof sun);
  u = sizeof sun;
  long c = S4(SYS_accept4, s, buf, &u, SOCK_NONBLOCK);
  S3(SYS_accept, s, 0, 0);
  S4(SYS_accept4, s, 0, 0, SOCK_CLOEXEC);
  u = sizeof sun;
  S3(SYS_getsockname, t, buf, &u);
  u = sizeof sun;
  S3(SYS_getpeername, t, buf, &u);
  S6(SYS_sendto, t, "ping", 4, MSG_DONTWAIT, 0, 0);
  S6(SYS_recvfrom, c, buf, 100, MSG_DONTWAIT, 0, 0);
  iov[0].iov_base = "pong"; iov[0].iov_len = 4;
  mh.msg_iov = iov; mh.msg_iovlen = 1;
  S3(SYS_sendmsg, c, &mh, MSG_NOSIGNAL);
  iov[0].iov_base = buf; iov[0].iov_len = 100;
  S3(SYS_recvmsg, t, &mh, MSG_DONTWAIT);
  S3(SYS_recvmsg, t, &mh, MSG_DONTWAIT | MSG_PEEK);
  S5(SYS_sendmmsg, -1, BAD, 1, 0, 0);
  S5(SYS_recvmmsg, -1, BAD, 1, 0, 0);
  S2(SYS_shutdown, t, SHUT_WR);
  S2(SYS_shutdown, c, SHUT_RDWR);
  S4(SYS_socketpair, AF_UNIX, SOCK_DGRAM, 0, fds);
  sin_.sin_family = AF_INET;
  sin_.sin_port = htons(9);
  sin_.sin_addr.s_addr = htonl(0x7f000001);
  S3(SYS_connect, 12, &sin_, sizeof sin_);
  S6(SYS_sendto, -1, "x", 1, 0, &sin_, sizeof sin_);
  long ep = S1(SYS_epoll_create1, EPOLL_CLOEXEC);
  S1(SYS_epoll_create, 10);
  ev.events = EPOLLIN | EPOLLOUT;
  ev.data.u64 = 7;
  S4(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, t, &ev);
  S4(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, t, &ev);
  S4(SYS_epoll_wait, ep, buf, 4, 0);
  S6(SYS_epoll_pwait, ep, buf, 4, 0, 0, 8);
  S4(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, t, 0);
  pfd.fd = t;
  pfd.events = POLLIN;
  S3(SYS_poll, &pfd, 1, 0);
  S5(SYS_ppoll, &pfd, 1, &ts_zero, 0, 8);
  S5(SYS_select, 0, 0, 0, 0, &tv_zero);
  S6(SYS_pselect6, 0, 0, 0, 0, &ts_zero, 0);
}

static void proc(void) {
  long pid;
  int st;
  S0(SYS_getpid);
  S0(SYS_getppid);
  S0(SYS_gettid);
  S0(SYS_getuid);
  S0(SYS_geteuid);
  S0(SYS_getgid);
  S0(SYS_getegid);
  S1(SYS_setuid, 0);
  S1(SYS_setgid, 0);
  S2(SYS_setreuid, -1, 0);
  S2(SYS_setregid, 0, -1);
  S3(SYS_setresuid, -1, -1, 0);
  S3(SYS_setresgid, 0, -1, -1);
  S3(SYS_getresuid, buf, buf + 4, buf + 8);
  S3(SYS_getresgid, buf, buf + 4, buf + 8);
  S1(SYS_setfsuid, 0);
  S1(SYS_setfsgid, 0);
  S2(SYS_getgroups, 0, 0);
  S2(SYS_setgroups, 0, 0);
  S2(SYS_getrlimit, RLIMIT_NOFILE, buf);
  S2(SYS_setrlimit, RLIMIT_CORE, &rl);
  S4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, buf);
  S4(SYS_prlimit64, 0, RLIMIT_STACK, &rl, 0);
  S2(SYS_getrusage, RUSAGE_SELF, buf);
  S2(SYS_getpriority, PRIO_PROCESS, 0);
  S3(SYS_setpriority, PRIO_PROCESS, 0, 0);
  S5(SYS_prctl, PR_GET_DUMPABLE, 0, 0, 0, 0);
  S5(SYS_prctl, PR_SET_NAME, "wl", 0, 0, 0);
  S2(SYS_setpgid, 0, 0);
  S1(SYS_getpgid, 0);
  S0(SYS_getpgrp);
  S1(SYS_getsid, 0);
  S0(SYS_setsid);
  S1(SYS_personality, 0xffffffff);
  S1(SYS_uname, buf);
  S1(SYS_sysinfo, BAD);
  S1(SYS_times, BAD);
  S3(SYS_sched_getaffinity, 0, 128, buf);
  S3(SYS_sched_setaffinity, 0, 8, buf);
  S1(SYS_sched_getscheduler, 0);
  S2(SYS_sched_getparam, 0, buf);
  S2(SYS_sched_setparam, 0, BAD);
  S3(SYS_sched_setscheduler, 0, SCHED_OTHER, BAD);
  S1(SYS_sched_get_priority_max, SCHED_FIFO);
  S1(SYS_sched_get_priority_min, SCHED_RR);
  S2(SYS_sched_rr_get_interval, 0, BAD);
  S4(SYS_sched_getattr, 0, BAD, 48, 0);
  S3(SYS_sched_setattr, 0, BAD, 0);
  S0(SYS_sched_yield);
  S2(SYS_ioprio_get, 1, 0);
  S3(SYS_ioprio_set, 1, 0, 0x4004);
  S3(SYS_getcpu, BAD, 0, 0);
  S1(SYS_set_tid_address, &futex_word);
  S2(SYS_set_robust_list, BAD, 24);
  S3(SYS_get_robust_list, 0, buf, buf + 8);
  S6(SYS_futex, &futex_word, FUTEX_WAKE, 1, 0, 0, 0);
  S6(SYS_futex, &futex_word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 1, &ts_zero, 0, 0);
  S2(SYS_kill, 0x7ffffff0, 0);
  S3(SYS_tgkill, 0x7ffffff0, 0x7ffffff0, SIGUSR1);
  S2(SYS_tkill, 0x7ffffff0, SIGTERM);
  S1(SYS_unshare, 0);
  S2(SYS_setns, -1, 0);
  pid = S5(SYS_clone, SIGCHLD, 0, 0, 0, 0);
  if (pid == 0)
    _exit(3);
  S4(SYS_wait4, -1, &st, 0, 0);
  pid = S0(SYS_fork);
  if (pid == 0)
    _exit(4);
  S5(SYS_waitid, P_ALL, 0, buf, WEXITED, 0);
  S4(SYS_wait4, -1, &st, WNOHANG, 0);
  S3(SYS_execve, "/nonexistent", argv_, envp_);
  S5(SYS_execveat, AT_FDCWD, "/nonexistent", argv_, envp_, 0);
  S5(SYS_execveat, -1, "", argv_, envp_, AT_EMPTY_PATH);
}

static void sig(void) {
  sa.handler = SIG_IGN;
  sa.flags = 0x04000000; /* SA_RESTORER */
  S4(SYS_rt_sigaction, SIGUSR1, &sa, buf, 8);
  S4(SYS_rt_sigaction, SIGUSR2, 0, buf, 8);
  S4(SYS_rt_sigprocmask, SIG_BLOCK, &sigset_usr1, &sigset_old, 8);
  S4(SYS_rt_sigprocmask, SIG_SETMASK, &sigset_old, 0, 8);
  S2(SYS_rt_sigpending, buf, 8);
  memset(buf, 0, sizeof buf); /* argstr shows the siginfo at entry */
  S4(SYS_rt_sigtimedwait, &sigset_usr1, buf, &ts_zero, 8);
  S3(SYS_rt_sigqueueinfo, 0x7ffffff0, SIGUSR1, BAD);
  S4(SYS_rt_tgsigqueueinfo, 0x7ffffff0, 0x7ffffff0, SIGUSR1, BAD);
  S2(SYS_sigaltstack, 0, buf);
  S1(SYS_alarm, 0);
  S2(SYS_getitimer, ITIMER_REAL, buf);
  S3(SYS_setitimer, ITIMER_VIRTUAL, BAD, 0);
}

static void time_(void) {
  long id;
  S2(SYS_nanosleep, &ts_short, 0);
  S4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ts_short, 0);
  S2(SYS_clock_gettime, CLOCK_REALTIME, buf);
  S2(SYS_clock_gettime, CLOCK_MONOTONIC, buf);
  S2(SYS_clock_getres, CLOCK_BOOTTIME, buf);
  S2(SYS_clock_settime, CLOCK_MONOTONIC, &ts_zero);
  S2(SYS_clock_adjtime, CLOCK_REALTIME, BAD);
  S2(SYS_gettimeofday, buf, 0);
  S2(SYS_settimeofday, 0, 0);
  S1(SYS_time, BAD);
  S1(SYS_adjtimex, BAD);
  id = 0;
  S3(SYS_timer_create, CLOCK_MONOTONIC, 0, buf2);
  S4(SYS_timer_settime, 0, 0, BAD, 0);
  S2(SYS_timer_gettime, 0, buf);
  S1(SYS_timer_getoverrun, 0);
  S1(SYS_timer_delete, 0);
  (void)id;
  S4(SYS_timerfd_settime, -1, 1, BAD, 0);
  S2(SYS_timerfd_gettime, -1, buf);
}

static void misc(void) {
  S3(SYS_getrandom, rbuf1, 16, 4 /* GRND_INSECURE: never blocks */);
  S3(SYS_getrandom, rbuf2, 8, 6 /* GRND_INSECURE|GRND_RANDOM: EINVAL */);
  S2(SYS_capget, BAD, BAD);
  S2(SYS_capset, BAD, BAD);
  memset(buf, 0, sizeof buf); /* argstr shows the struct as it is at entry */
  S1(SYS_sysinfo, buf);
  S3(SYS_syslog, 99, 0, 0);
  S3(SYS_bpf, -1, 0, 0);
  S2(SYS_membarrier, 99, 0);
  S3(SYS_seccomp, 99, 0, 0);
  S2(SYS_pkey_alloc, 0, 0);
  S1(SYS_pkey_free, 99);
  S4(SYS_pkey_mprotect, BAD, 4096, PROT_READ, -1);
  S1(SYS_userfaultfd, 0x80000);
  S2(SYS_fanotify_init, 0, 0);
  S5(SYS_kcmp, 0x7ffffff0, 0x7ffffff0, 0, 0, 0);
  S2(SYS_io_setup, 0, BAD);
  S1(SYS_io_destroy, 0);
  S5(SYS_io_getevents, 0, 0, 1, BAD, 0);
  S3(SYS_io_submit, 0, 1, BAD);
  S3(SYS_io_cancel, 0, BAD, BAD);
  S2(SYS_msgget, 0x1234, 0);
  S3(SYS_msgctl, -1, 0, 0);
  S2(SYS_semget, 0x1234, 1);
  S4(SYS_semctl, -1, 0, 0, 0);
  S3(SYS_semop, -1, BAD, 1);
  S3(SYS_shmget, 0x1234, 4096, 0);
  S3(SYS_shmctl, -1, 0, 0);
  S1(SYS_shmdt, BAD);
  S4(SYS_mq_open, "nonexistent", O_RDONLY, 0, 0);
  S1(SYS_mq_unlink, "nonexistent");
  S3(SYS_delete_module, "nonexistent", O_NONBLOCK, 0);
  S2(SYS_sethostname, BAD, 0x100000);
  S2(SYS_setdomainname, BAD, 0x100000);
  S2(SYS_swapoff, "nonexistent", 0);
  S2(SYS_umount2, "nonexistent", 0);
  S5(SYS_mount, "none", "nonexistent", "tmpfs", 0, 0);
  S2(SYS_pivot_root, "nonexistent", "nonexistent");
  S4(SYS_reboot, 0, 0, 0, 0);
}

static void more(void) {
  S6(SYS_splice, -1, 0, -1, 0, 10, 1 /* SPLICE_F_MOVE */);
  S4(SYS_tee, -1, -1, 10, 0);
  S4(SYS_vmsplice, -1, BAD, 1, 0);
  S6(SYS_process_vm_readv, 0x7ffffff0, BAD, 1, BAD, 1, 0);
  S6(SYS_process_vm_writev, 0x7ffffff0, BAD, 1, BAD, 1, 0);
  S5(SYS_name_to_handle_at, AT_FDCWD, "nonexistent", BAD, BAD, 0);
  S3(SYS_open_by_handle_at, AT_FDCWD, BAD, O_RDONLY);
  S5(SYS_perf_event_open, BAD, 0, -1, -1, 0);
  S3(SYS_inotify_add_watch, -1, "f1", 2 /* IN_MODIFY */);
  S2(SYS_inotify_rm_watch, -1, 1);
  S5(SYS_fanotify_mark, -1, 1 /* FAN_MARK_ADD */, 2 /* FAN_MODIFY */, AT_FDCWD, "f1");
  S5(SYS_mbind, BAD, 4096, 0, 0, 0);
  S5(SYS_get_mempolicy, 0, 0, 0, 0, 0);
  S3(SYS_set_mempolicy, 0, 0, 0);
  S4(SYS_migrate_pages, 0x7ffffff0, 8, BAD, BAD);
  S6(SYS_move_pages, 0x7ffffff0, 1, BAD, 0, BAD, 0);
  S3(SYS_finit_module, -1, "", 0);
  S5(SYS_keyctl, 99, 0, 0, 0, 0);
  S3(SYS_ioperm, 0x10000, 1, 1);
  S4(SYS_msgsnd, -1, BAD, 1, 0);
  S5(SYS_msgrcv, -1, BAD, 1, 0, 0);
  S4(SYS_semtimedop, -1, BAD, 1, BAD);
  S3(SYS_shmat, -1, 0, 0);
  S5(SYS_mq_timedsend, -1, BAD, 1, 0, 0);
  S5(SYS_mq_timedreceive, -1, BAD, 1, 0, 0);
  S2(SYS_mq_notify, -1, 0);
  S3(SYS_mq_getsetattr, -1, 0, 0);
  S2(SYS_swapon, "nonexistent", 0);
  S3(SYS_sysfs, 2, 9999, buf);
  S2(SYS_clone3, BAD, 0);
}

/* Not in the default run (sc_calls2.stp runs it): calls whose results are
 * less certain to be the same on every kernel. */
static void more2(void) {
  S5(SYS_add_key, "user", "k", BAD, 4, -1 /* KEY_SPEC_THREAD_KEYRING */);
  S4(SYS_request_key, "user", "nonexistent", 0, 0);
  S3(SYS_init_module, BAD, 0, "");
  S4(SYS_quotactl, 0x80000100 /* QCMD(Q_SYNC, USRQUOTA) */, 0, 0, 0);
  S3(SYS_modify_ldt, 0, buf, 16);
  S2(SYS_ustat, 0, BAD);
}

int main(int argc, char **argv) {
  static const struct { const char *name; void (*fn)(void); } groups[] = {
    {"files", files}, {"mem", mem}, {"net", net}, {"proc", proc},
    {"sig", sig}, {"time", time_}, {"misc", misc}, {"more", more},
    {"more2", more2},
  };
  unsigned i;
  int j;
  /* The marker tests start recording at: what libc's start-up calls
   * before main depends on its version. */
  S3(SYS_write, -1, "sc_calls start", 14);
  if (argc < 2) {
    for (i = 0; i < sizeof groups / sizeof groups[0] - 1; i++)
      groups[i].fn();
  }
  for (j = 1; j < argc; j++) {
    for (i = 0; i < sizeof groups / sizeof groups[0]; i++)
      if (strcmp(argv[j], groups[i].name) == 0)
        break;
    if (i == sizeof groups / sizeof groups[0]) {
      static const char msg[] = "sc_calls: unknown group\n";
      S3(SYS_write, 2, msg, sizeof msg - 1);
      S1(SYS_exit_group, 2);
    }
    groups[i].fn();
  }
  S1(SYS_exit_group, 0);
  return 0;
}
