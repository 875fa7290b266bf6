/* A second 32-bit (gcc -m32 -static) workload for the ia32 system call
 * probes (see compat_x_m32.c): timers, futex, file times, poll/select,
 * signals, SysV IPC through ipc(2), sockets through socketcall(2), exec
 * of a missing file.  Every buffer lives in one mapping at a fixed
 * address so the pointers argstr shows are the same on every run; calls
 * that would change the system (settimeofday, adjtimex) get a bad
 * pointer and fail with EFAULT. */
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define BASE 0x20000000u
/* Offsets of the buffers in the fixed mapping. */
#define AT(off) ((void *) (BASE + (off)))

int main(void)
{
	static const char path[] = "/tmp/compat_y";
	static const char missing[] = "/nonexistent";
	unsigned char *m = mmap(AT(0), 8192, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	int *ts = AT(0x100);		/* 2 x struct old_timespec32 */
	int *tv = AT(0x120);		/* 2 x struct old_timeval32 */
	int *word = AT(0x140);		/* futex word */
	int *pfd = AT(0x150);		/* struct pollfd */
	unsigned *mask = AT(0x160);	/* compat sigset_t */
	unsigned *act = AT(0x170);	/* struct compat_sigaction */
	unsigned *oact = AT(0x190);	/* struct compat_old_sigaction */
	unsigned *iov = AT(0x1b0);	/* struct compat_iovec */
	unsigned *sargs = AT(0x1c0);	/* socketcall arguments */
	int *sv = AT(0x1e0);		/* socketpair's fds */
	unsigned *msg = AT(0x200);	/* struct compat_msghdr */
	unsigned *mmsg = AT(0x240);	/* struct compat_mmsghdr */
	unsigned *kludge = AT(0x280);	/* struct compat_ipc_kludge */
	unsigned *sops = AT(0x290);	/* struct sembuf */
	unsigned *semun = AT(0x2a0);	/* union semun */
	unsigned *raddr = AT(0x2b0);	/* shmat's result */
	unsigned *argv = AT(0x2c0);
	unsigned *envp = AT(0x2d0);
	char *strs = AT(0x300);
	char *data = AT(0x400);		/* message buffers */
	int fd, pipefd[2], id;

	if (m == MAP_FAILED)
		return 1;

	/* clock_nanosleep: relative 1 us on CLOCK_MONOTONIC, then an
	 * absolute time long past on CLOCK_REALTIME (returns at once). */
	ts[0] = 0; ts[1] = 1000;
	syscall(267, 1, 0, ts, 0);
	ts[0] = 1; ts[1] = 0;
	syscall(267, 0, 1, ts, 0);
	syscall(267, 99, 0, ts, AT(0x108));		/* no such clock */

	/* futex: wake nobody, shared and private; wait for a value the word
	 * does not hold (EAGAIN at once), plain and with a bitset; wake with
	 * a bitset; requeue and compare-requeue nobody; wake-op (adds 1 to
	 * the second word, wakes nobody). */
	syscall(240, word, 1, 1, 0, 0, 0);
	syscall(240, word, 129, 1, 0, 0, 0);
	ts[0] = 0; ts[1] = 1000;
	syscall(240, word, 0, 1, ts, 0, 0);
	syscall(240, word, 9, 1, ts, 0, 0xff);
	syscall(240, word, 10, 1, 0, 0, 0xff);
	syscall(240, word, 3, 1, 1, word + 1, 0);
	syscall(240, word, 4, 1, 1, word + 1, 0);
	syscall(240, word, 5, 1, 1, word + 1, 0x10001000);
	syscall(240, word, 5, 1, 1, word + 1, 0x9a001ffe);

	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	/* futimesat / utimensat relative to the current directory. */
	tv[0] = 1; tv[1] = 2; tv[2] = 3; tv[3] = 4;
	syscall(299, -100, path, tv);
	ts[0] = 5; ts[1] = 6; ts[2] = 7; ts[3] = 8;
	syscall(320, -100, path, ts, 0);
	syscall(320, -100, path, ts, 0x100);
	ts[1] = (1 << 30) - 1; ts[3] = (1 << 30) - 2;	/* UTIME_NOW, _OMIT */
	syscall(320, -100, path, ts, 0);
	syscall(320, fd, 0, 0, 0);			/* the fd itself, now */

	/* ppoll / pselect6 with a zero timeout. */
	pfd[0] = fd; pfd[1] = 1;	/* POLLIN */
	ts[0] = 0; ts[1] = 0;
	syscall(309, pfd, 1, ts, 0, 8);
	ts[0] = 0; ts[1] = 0;
	syscall(308, 0, 0, 0, 0, ts, 0);
	ts[0] = 0; ts[1] = 0;
	syscall(309, pfd, 1, ts, mask, 8);		/* with a mask */
	mask[0] = 1u << fd; mask[1] = 0;
	syscall(308, fd + 1, mask, 0, 0, ts, 0);	/* fd readable */

	/* signalfd and signalfd4 on SIGUSR1. */
	mask[0] = 1u << 9; mask[1] = 0;
	id = syscall(321, -1, mask, 8);
	close(id);
	id = syscall(327, -1, mask, 8, O_CLOEXEC);
	close(id);

	/* fadvise64: offset 2^32 + 16, len 4096, POSIX_FADV_SEQUENTIAL. */
	syscall(250, fd, 16, 1, 4096, 2);
	syscall(250, fd, 0, 0, -1, 4);			/* POSIX_FADV_DONTNEED */
	syscall(250, fd, 0, 0, 0, 77);			/* no such advice */

	/* vmsplice five bytes into a pipe. */
	pipe(pipefd);
	memcpy(data, "hello", 5);
	iov[0] = (unsigned) (unsigned long) data; iov[1] = 5;
	syscall(316, pipefd[1], iov, 1, 0);
	close(pipefd[0]);
	close(pipefd[1]);

	/* rt_sigaction: SIGUSR2 ignored; sigaction (int 0x80 67): SIGUSR1
	 * ignored, the old action read back. */
	act[0] = 1; act[1] = 0; act[2] = 0; act[3] = 0; act[4] = 0;
	syscall(174, 12, act, 0, 8);
	oact[0] = 1; oact[1] = 0; oact[2] = 0; oact[3] = 0;
	syscall(67, 10, oact, oact + 4);
	/* With a handler address (never run: the signals are never sent),
	 * flags (SA_RESTART|SA_SIGINFO|SA_RESTORER, then SA_NODEFER) and a
	 * mask. */
	act[0] = BASE + 0x700; act[1] = 0x10000004 | 0x04000000;
	act[2] = BASE + 0x710; act[3] = 1u << 1; act[4] = 0;
	syscall(174, 12, act, AT(0x1f0), 8);
	oact[0] = BASE + 0x700; oact[1] = 1u << 2; oact[2] = 0x40000000;
	oact[3] = 0;
	syscall(67, 10, oact, 0);
	/* Restore the defaults. */
	act[0] = 0; act[1] = 0; act[3] = 0;
	syscall(174, 12, act, 0, 8);
	oact[0] = 0; oact[1] = 0; oact[2] = 0;
	syscall(67, 10, oact, 0);

	/* settimeofday and adjtimex with a bad pointer: EFAULT. */
	syscall(79, 0x10, 0);
	tv[0] = -60; tv[1] = 1;				/* struct timezone */
	syscall(79, 0x10, tv);
	syscall(124, 0x10);
	/* ustat of no device. */
	syscall(62, 0, AT(0x600));

	/* Message queue through ipc(2): msgget, msgsnd, msgrcv (version 0:
	 * the kludge holds the buffer and type), msgctl IPC_RMID. */
	id = syscall(117, 13, 0, 0600, 0, 0, 0);
	((int *) data)[0] = 1;
	memcpy(data + 4, "abc", 4);
	syscall(117, 11, id, 4, 04000, data, 0);
	kludge[0] = (unsigned) (unsigned long) AT(0x500); kludge[1] = 0;
	syscall(117, 12, id, 4, 04000, kludge, 0);
	/* msgrcv, version 1 (buffer and type in ptr and fifth): queue
	 * empty, ENOMSG; msgctl IPC_STAT|IPC_64 as glibc asks, then
	 * IPC_RMID. */
	syscall(117, 0x1000c, id, 4, 04000, AT(0x500), 1);
	syscall(117, 14, id, 0x102, 0, AT(0x800), 0);
	syscall(117, 14, id, 0, 0, 0, 0);

	/* Semaphores: semget, semtimedop (+1, IPC_NOWAIT), semctl GETVAL
	 * and IPC_RMID. */
	id = syscall(117, 2, 0, 1, 0600, 0, 0);
	sops[0] = 0 | (1u << 16); sops[1] = 04000;	/* num 0, op 1, flg */
	ts[0] = 0; ts[1] = 1000;
	syscall(117, 4, id, 1, 0, sops, ts);
	semun[0] = 0;
	syscall(117, 3, id, 0, 12, semun, 0);
	semun[0] = BASE + 0x800;
	syscall(117, 3, id, 0, 0x102, semun, 0);	/* IPC_STAT|IPC_64 */
	semun[0] = 0;
	syscall(117, 3, id, 0, 0, semun, 0);

	/* Shared memory: shmget, shmat (result stored at raddr), shmdt,
	 * shmctl IPC_RMID. */
	id = syscall(117, 23, 0, 4096, 0600, 0, 0);
	syscall(117, 21, id, 0, raddr, 0, 0);
	syscall(117, 22, 0, 0, 0, (void *) (unsigned long) *raddr, 0);
	syscall(117, 21, id, 010000, raddr, 0, 0);	/* SHM_RDONLY */
	syscall(117, 22, 0, 0, 0, (void *) (unsigned long) *raddr, 0);
	syscall(117, 24, id, 0x102, 0, AT(0x800), 0);	/* IPC_STAT|IPC_64 */
	syscall(117, 24, id, 0, 0, 0, 0);

	/* socketpair, sendmsg, recvmsg through socketcall(2); recvmmsg. */
	sargs[0] = 1; sargs[1] = 2; sargs[2] = 0;	/* AF_UNIX, SOCK_DGRAM */
	sargs[3] = (unsigned) (unsigned long) sv;
	syscall(102, 8, sargs);
	memset(msg, 0, 28);
	msg[2] = (unsigned) (unsigned long) iov; msg[3] = 1;
	sargs[0] = sv[0]; sargs[1] = (unsigned) (unsigned long) msg;
	sargs[2] = 0;
	syscall(102, 16, sargs);
	syscall(102, 16, sargs);
	sargs[0] = sv[1]; sargs[2] = 0x40;		/* MSG_DONTWAIT */
	syscall(102, 17, sargs);
	memset(mmsg, 0, 32);
	mmsg[2] = (unsigned) (unsigned long) iov; mmsg[3] = 1;
	syscall(337, sv[1], mmsg, 1, 0x40, 0);
	syscall(337, sv[1], mmsg, 1, 0x40, 0);		/* empty: EAGAIN */
	ts[0] = 0; ts[1] = 1000;			/* with a timeout */
	syscall(337, sv[1], mmsg, 1, 0x40 | 0x2000, ts);	/* |MSG_ERRQUEUE: none, EAGAIN */
	sargs[0] = sv[0]; sargs[2] = 0x40 | 0x4000;	/* |MSG_NOSIGNAL */
	syscall(102, 16, sargs);
	sargs[0] = sv[1]; sargs[2] = 0x40 | 0x2;	/* |MSG_PEEK */
	syscall(102, 17, sargs);
	close(sv[0]);
	close(sv[1]);

	/* execve / execveat of a missing file: ENOENT. */
	strcpy(strs, missing);
	strcpy(strs + 16, "a");
	strcpy(strs + 32, "X=1");
	argv[0] = (unsigned) (unsigned long) strs;
	argv[1] = (unsigned) (unsigned long) (strs + 16);
	argv[2] = 0;
	envp[0] = (unsigned) (unsigned long) (strs + 32);
	envp[1] = 0;
	syscall(11, strs, argv, envp);
	syscall(358, -100, strs, argv, envp, 0);
	syscall(11, strs, 0, 0);			/* no argv, no envp */
	syscall(358, fd, "", argv, envp, 0x1000 | 0x100);
	/* ^ AT_EMPTY_PATH|AT_SYMLINK_NOFOLLOW of a file not executable: EACCES */

	close(fd);
	unlink(path);
	return 0;
}
