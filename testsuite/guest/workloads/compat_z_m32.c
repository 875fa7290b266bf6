/* A third 32-bit (gcc -m32 -static) workload for syscall/compat_z.stp:
 * the system calls only the ia32 table has (16-bit uid calls, old signal
 * calls, _llseek, readdir, statfs64, socketcall's send/recv, nice, stime,
 * waitpid, the thread-area calls, uselib, vhangup) and numbers the
 * kernel no longer implements.  Fixed arguments, buffers in one mapping
 * at a fixed address; calls that would change the system (stime) get a
 * bad pointer.  The only signal is one this program sends itself while
 * it is blocked, so sigsuspend returns at once with EINTR. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define BASE 0x20000000u
#define AT(off) ((void *) (BASE + (off)))
#define BAD ((void *) 0x10)

static void on_usr1(int sig)
{
	(void) sig;
}

int main(void)
{
	static const char path[] = "/tmp/compat_z";
	static const char missing[] = "/nonexistent";
	unsigned char *m = mmap(AT(0), 8192, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	unsigned *set = AT(0x100);	/* old_sigset_t */
	unsigned *oset = AT(0x108);
	unsigned *res = AT(0x110);	/* _llseek's loff_t */
	unsigned *sargs = AT(0x120);	/* socketcall arguments */
	int *sv = AT(0x140);		/* socketpair's fds */
	unsigned *desc = AT(0x150);	/* struct user_desc */
	char *buf = AT(0x200);		/* statfs64, readdir, messages */
	struct sigaction sa;
	int fd, dfd;

	if (m == MAP_FAILED)
		return 1;
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	dfd = open("/tmp", O_RDONLY | O_DIRECTORY);

	/* 16-bit owner calls: to root (already the owner), and -1 (keep). */
	syscall(182, path, 0, 0);			/* chown16 */
	syscall(182, path, -1, -1);
	syscall(182, missing, 0, 0);
	syscall(16, path, 0, -1);			/* lchown16 */
	syscall(95, fd, -1, 0);				/* fchown16 */
	syscall(95, -1, 0, 0);
	/* 16-bit id calls: root sets root, or -1 (unchanged). */
	syscall(70, -1, -1);				/* setreuid16 */
	syscall(70, 0, 0);
	syscall(71, -1, 0);				/* setregid16 */
	syscall(164, 0, -1, 0);				/* setresuid16 */
	syscall(170, -1, 0, -1);			/* setresgid16 */

	/* fadvise64_64: offset 2^32 + 8, len 4096, then a bad advice. */
	syscall(272, fd, 8, 1, 4096, 0, 2);
	syscall(272, fd, 0, 0, 0, 0, 99);
	/* statfs64/fstatfs64 with the right size (84), then a wrong one. */
	syscall(268, path, 84, buf);
	syscall(268, path, 10, buf);
	syscall(268, missing, 84, buf);
	syscall(269, fd, 84, buf);
	syscall(269, fd, 84, BAD);
	/* _llseek to 2^32 + 16 from the start, 0 from the end, bad whence. */
	syscall(140, fd, 1, 16, res, SEEK_SET);
	syscall(140, fd, 0, 0, res, SEEK_END);
	syscall(140, fd, 0, 0, res, 7);
	/* old readdir: the first entry of /tmp, then a file fd. */
	syscall(89, dfd, buf, 1);
	syscall(89, fd, buf, 1);

	/* send and recv through socketcall(2) on a socket pair. */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	memcpy(buf + 0x100, "hello", 5);
	sargs[0] = sv[0]; sargs[1] = BASE + 0x300; sargs[2] = 5; sargs[3] = 0;
	syscall(102, 9, sargs);				/* SYS_SEND */
	sargs[0] = sv[1]; sargs[1] = BASE + 0x400; sargs[2] = 16;
	sargs[3] = MSG_DONTWAIT;
	syscall(102, 10, sargs);			/* SYS_RECV */
	syscall(102, 10, sargs);			/* nothing left: EAGAIN */
	memcpy(buf + 0x100, "hello, world 123", 16);
	sargs[0] = sv[0]; sargs[1] = BASE + 0x300; sargs[2] = 16;
	sargs[3] = MSG_DONTWAIT | MSG_NOSIGNAL;
	syscall(102, 9, sargs);
	close(sv[0]);
	close(sv[1]);

	/* Old signal calls.  signal: SIGUSR2 ignored, then back to the
	 * default (returns the old handler, 1 = SIG_IGN).  It starts at the
	 * default whatever the parent left (stap 4.8's stapio hands its -c
	 * command SIGUSR2 ignored). */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGUSR2, &sa, 0);
	syscall(48, SIGUSR2, SIG_IGN);
	syscall(48, SIGUSR2, SIG_DFL);
	syscall(48, 99, SIG_IGN);
	syscall(48, SIGUSR2, AT(0x800));		/* never sent */
	syscall(48, SIGUSR2, (void *) -1);		/* SIG_ERR */
	syscall(48, SIGUSR2, SIG_DFL);
	syscall(68);					/* sgetmask */
	syscall(69, 1u << (SIGUSR2 - 1));		/* ssetmask */
	syscall(69, (1u << (SIGINT - 1)) | (1u << (SIGUSR2 - 1)));
	syscall(69, 0);
	set[0] = 1u << (SIGUSR1 - 1);
	syscall(126, SIG_BLOCK, set, oset);		/* sigprocmask */
	syscall(126, SIG_SETMASK, 0, oset);
	syscall(126, 9, set, 0);
	oset[1] = 1u << (SIGUSR2 - 1);
	syscall(126, SIG_UNBLOCK, oset + 1, 0);		/* SIGUSR1 stays */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, 0);
	kill(getpid(), SIGUSR1);			/* now pending */
	syscall(73, set);				/* sigpending */
	syscall(73, BAD);
	/* sigsuspend(unused, unused, mask): the mask lets SIGUSR1 in. */
	syscall(72, 0x11, 0x22, 1u << (SIGINT - 1));	/* EINTR */

	syscall(34, 0);					/* nice */
	syscall(34, 1);
	syscall(25, BAD);				/* stime: EFAULT */
	{
		/* stime to the time it is now: the clock does not move. */
		int *now = AT(0x1f00);

		*now = syscall(13, 0);			/* time */
		syscall(25, now);
	}
	syscall(7, -1, 0, WNOHANG);			/* waitpid: ECHILD */
	syscall(7, 12345, BAD, 0);
	syscall(7, 0, 0, WNOHANG | WUNTRACED | __WALL);

	/* Thread areas: set the unused TLS slot 13 (glibc's is 12), read it
	 * back, then bad pointers. */
	desc[0] = 13; desc[1] = BASE; desc[2] = 0xfff; desc[3] = 0x51;
	syscall(243, desc);				/* set_thread_area */
	desc[1] = 0; desc[2] = 0; desc[3] = 0;
	syscall(244, desc);				/* get_thread_area */
	syscall(243, BAD);
	syscall(244, BAD);

	syscall(86, missing);				/* uselib */
	syscall(111);					/* vhangup: no tty here */
	syscall(253, 1, 2, buf, 16);			/* lookup_dcookie */
	syscall(17);					/* break: ni_syscall */
	syscall(134, 2, 0);				/* bdflush */

	close(dfd);
	close(fd);
	unlink(path);
	return 0;
}
