/* A 64-bit static workload for syscall/sc_calls3.stp: calls the other
 * syscall workloads leave out because their useful forms would change
 * the system.  Each is made with arguments the kernel rejects (bad
 * flags, a pid that does not exist, a missing file) or that are
 * harmless in the throwaway guest; the only signal is one this program
 * sends itself while it is blocked, so rt_sigsuspend returns at once. */
#include <signal.h>
#include <sys/mount.h>
#include <sys/time.h>
#include <time.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define BASE 0x20000000ul
#define AT(off) ((void *) (BASE + (off)))

static void on_usr1(int sig)
{
	(void) sig;
}

/* The "structs" group (syscall/sc_calls4.stp): readable structures where
 * the other workloads pass bad pointers or NULL, futex's wake-op and
 * requeue ops, mount flags, msgget/semget flags, sysfs's options. */
static void structs(void)
{
	/* Readable structures where the other workloads pass bad pointers
	 * or NULL: all harmless (a zero timezone, an alternate stack no
	 * handler uses, disarmed or far-off timers, signals queued to a pid
	 * that does not exist). */
	{
		long *w = AT(0x500);
		int *iw = AT(0x600);
		int tfd;

		w[0] = 0; w[1] = 0;				/* struct timezone */
		syscall(SYS_settimeofday, (void *) 0, w);
		w[0] = BASE + 0x1000; w[1] = 0; w[2] = 4096;	/* stack_t */
		syscall(SYS_sigaltstack, w, (void *) 0);
		w[1] = SS_DISABLE;
		syscall(SYS_sigaltstack, w, AT(0x540));
		/* itimerval: 100 s of CPU time, then disarmed. */
		w[0] = 0; w[1] = 0; w[2] = 100; w[3] = 5;
		syscall(SYS_setitimer, ITIMER_VIRTUAL, w, (void *) 0);
		w[0] = 0x100000003l; w[1] = 7;		/* high halves set */
		syscall(SYS_setitimer, ITIMER_VIRTUAL, w, (void *) 0);
		w[0] = 0; w[1] = 0; w[2] = 0; w[3] = 0;
		syscall(SYS_setitimer, ITIMER_VIRTUAL, w, AT(0x540));
		/* A POSIX timer that signals nothing: its id is 0. */
		iw[0] = 0; iw[1] = 0; iw[2] = SIGEV_NONE;
		syscall(SYS_timer_create, CLOCK_MONOTONIC, iw, AT(0x680));
		w[0] = 1; w[1] = 2; w[2] = 1000; w[3] = 4;	/* itimerspec */
		syscall(SYS_timer_settime, 0, 0, w, AT(0x540));
		syscall(SYS_timer_settime, 0, TIMER_ABSTIME, w, (void *) 0);
		w[0] = 0x100000001l;
		syscall(SYS_timer_settime, 0, 0, w, (void *) 0);
		w[0] = 1;
		tfd = syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 0);
		syscall(SYS_timerfd_settime, tfd, 0, w, AT(0x540));
		close(tfd);
		/* siginfo: SI_QUEUE from pid 1234 uid 0 with a value. */
		memset(iw, 0, 128);
		iw[0] = SIGUSR1; iw[2] = -1; iw[4] = 1234; iw[5] = 0; iw[6] = 77;
		syscall(SYS_rt_sigqueueinfo, 99999, SIGUSR1, iw);
		syscall(SYS_rt_tgsigqueueinfo, 99999, 99999, SIGUSR1, iw);
		iw[2] = -6;					/* SI_TKILL */
		syscall(SYS_rt_sigqueueinfo, 99999, SIGUSR1, iw);
	}

	/* futex on a private word: wake-op and the requeue ops wake nobody. */
	{
		int *word = AT(0x700);

		syscall(SYS_futex, word, 5, 1, 1ul, word + 1, 0x10001000);
		syscall(SYS_futex, word, 3, 1, 1ul, word + 1, 0);
		syscall(SYS_futex, word, 4, 1, 1ul, word + 1, 0);
		syscall(SYS_futex, word, 128 | 4, 1, 1ul, word + 1, 0);
		syscall(SYS_futex, word, 5, 1, 1ul, word + 1, 0x9a001ffe);
	}

	/* mount with flags onto a missing directory: ENOENT. */
	mount("none", "/nonexistent", "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV,
	      "size=1m");
	mount("none", "/nonexistent", "tmpfs",
	      MS_NOEXEC | MS_SYNCHRONOUS | MS_REMOUNT | MS_BIND | MS_REC, 0);
	mount("none", "/nonexistent", 0, MS_MGC_VAL | MS_NOATIME, 0);
	mount("none", "/nonexistent", "tmpfs", MS_MANDLOCK | MS_DIRSYNC | 0x100 |
	      0x200 | MS_NODIRATIME | MS_MOVE | MS_SILENT | MS_UNBINDABLE |
	      MS_SHARED | MS_STRICTATIME | MS_LAZYTIME | (0xful << 26), 0);

	/* msgget/semget with IPC_EXCL but no IPC_CREAT on a key no one
	 * has: ENOENT. */
	syscall(SYS_msgget, 0x5a5a, 02000 | 0600);
	syscall(SYS_semget, 0x5a5a, 2, 02000 | 0640);

	/* sysfs: the index of "proc", the number of types (both vary by
	 * kernel: the test masks them), then a bad name. */
	syscall(SYS_sysfs, 1, "proc");
	syscall(SYS_sysfs, 3);
	syscall(SYS_sysfs, 1, "nonexistentfs");

}

/* The "structs2" group (syscall/sc_calls5.stp): what sc_calls4 leaves
 * out: NULL new values of the timer calls, readable struct timex (modes 0:
 * read the clock's state, change nothing) and struct tms, msgget/semget
 * creating private objects, sigaltstack's other flags, futex's PI ops on a
 * private word, and an SI_TIMER siginfo returned by rt_sigtimedwait. */
static void structs2(void)
{
	long *w = AT(0x500);
	int *iw = AT(0x600);
	int tfd, id;

	/* NULL new values. */
	syscall(SYS_setitimer, ITIMER_VIRTUAL, (void *) 0, (void *) 0);
	syscall(SYS_timer_settime, 0, 0, (void *) 0, (void *) 0);
	tfd = syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 0);
	syscall(SYS_timerfd_settime, tfd, 0, (void *) 0, (void *) 0);
	close(tfd);

	/* struct timex with modes 0 and ADJ_OFFSET_SS_READ (both only
	 * read the clock's state); the rest of the buffer is distinct
	 * words, one negative, so the decoded input shows which it reads. */
	memset(w, 0, 208);
	{
		int *x = (int *) w;

		for (id = 1; id < 52; id++)
			x[id] = id * 1000 + id;
		x[5] = -5005;
	}
	syscall(SYS_adjtimex, w);
	/* Two that set values, the kernel's defaults for an unsynchronized
	 * clock: maximum errors, STA_UNSYNC, time constant 2, microseconds;
	 * then no frequency correction and the standard tick. */
	memset(w, 0, 208);
	*(int *) w = 0x4 | 0x8 | 0x10 | 0x20 | 0x1000;
	w[3] = 16000000; w[4] = 16000000; *(int *) &w[5] = 0x40; w[6] = 2;
	syscall(SYS_adjtimex, w);
	memset(w, 0, 208);
	*(int *) w = 0x2 | 0x4000;
	w[11] = 10000;
	syscall(SYS_adjtimex, w);
	/* A TAI offset of 0 (the default) and a step of 0 s. */
	memset(w, 0, 208);
	*(int *) w = 0x80 | 0x100;
	syscall(SYS_adjtimex, w);
	memset(w, 0, 208);
	*(int *) w = 0xa001;					/* ADJ_OFFSET_SS_READ */
	w[1] = 5;
	syscall(SYS_clock_adjtime, CLOCK_REALTIME, w);

	/* struct tms: what is in the buffer before the call. */
	w[0] = 1; w[1] = 2; w[2] = 3; w[3] = 4;
	syscall(SYS_times, w);

	/* Private IPC objects, created and removed. */
	id = syscall(SYS_msgget, 0, 01000 | 0600);
	if (id >= 0)
		syscall(SYS_msgctl, id, 0, (void *) 0);		/* IPC_RMID */
	id = syscall(SYS_semget, 0, 3, 01000 | 02000 | 0640);
	if (id >= 0)
		syscall(SYS_semctl, id, 0, 0, (void *) 0);	/* IPC_RMID */

	/* sigaltstack: SS_ONSTACK (taken as 0), SS_AUTODISARM, then off. */
	w[0] = BASE + 0x1000; w[1] = SS_ONSTACK; w[2] = 4096;
	syscall(SYS_sigaltstack, w, (void *) 0);
	w[1] = 1u << 31;					/* SS_AUTODISARM */
	syscall(SYS_sigaltstack, w, AT(0x540));
	w[1] = SS_DISABLE;
	syscall(SYS_sigaltstack, w, (void *) 0);

	/* futex PI ops on a private word nobody else uses: lock (the word
	 * takes our tid), trylock (already ours: EDEADLK), unlock; then the
	 * requeue-PI pair with a mismatched word (EINVAL / EAGAIN). */
	{
		int *word = AT(0x700);

		word[0] = 0; word[1] = 0;
		syscall(SYS_futex, word, 6 | 128, 0, (void *) 0, (void *) 0, 0);
		syscall(SYS_futex, word, 8 | 128, 0, (void *) 0, (void *) 0, 0);
		syscall(SYS_futex, word, 7 | 128, 0, (void *) 0, (void *) 0, 0);
		syscall(SYS_futex, word, 13 | 128, 0, (void *) 0, (void *) 0, 0);
		syscall(SYS_futex, word, 7 | 128, 0, (void *) 0, (void *) 0, 0);
		/* The shared forms and the private requeue-PI pair. */
		syscall(SYS_futex, word, 6, 0, (void *) 0, (void *) 0, 0);
		syscall(SYS_futex, word, 8, 0, (void *) 0, (void *) 0, 0);
		syscall(SYS_futex, word, 7, 0, (void *) 0, (void *) 0, 0);
		syscall(SYS_futex, word, 11 | 128, 1, (void *) 0, word, 0);
		syscall(SYS_futex, word, 12 | 128, 1, (void *) 1, word + 1, 5);
		syscall(SYS_futex, word, 11, 1, (void *) 0, word, 0);
		syscall(SYS_futex, word, 12, 1, (void *) 1, word + 1, 5);
	}

	/* epoll_create1 and signalfd4 without flags, which stap reports
	 * under the old names.  (The old calls themselves, 213 and 282, are
	 * not here: stap 4.8 does not see them on these kernels, ours does.) */
	{
		unsigned long *set = AT(0x780);

		close(syscall(SYS_epoll_create1, 0));
		set[0] = 1ul << (SIGUSR2 - 1);
		close(syscall(SYS_signalfd4, -1, set, 8, 0));
	}

	/* A POSIX timer's SIGALRM, blocked and taken by rt_sigtimedwait:
	 * si_code SI_TIMER. */
	{
		unsigned long *set = AT(0x780);
		struct timespec *ts = AT(0x7c0);

		set[0] = 1ul << (SIGALRM - 1);
		syscall(SYS_rt_sigprocmask, SIG_BLOCK, set, (void *) 0, 8);
		memset(iw, 0, 64);
		iw[0] = 42; iw[2] = SIGALRM; iw[3] = SIGEV_SIGNAL;	/* sigevent */
		syscall(SYS_timer_create, CLOCK_MONOTONIC, iw, AT(0x680));
		w[0] = 0; w[1] = 0; w[2] = 0; w[3] = 1000000;	/* 1 ms, once */
		syscall(SYS_timer_settime, *(int *) AT(0x680), 0, w, (void *) 0);
		ts->tv_sec = 5; ts->tv_nsec = 0;
		syscall(SYS_rt_sigtimedwait, set, AT(0x800), ts, 8);
	}

	/* rt_sigtimedwait decodes the siginfo buffer as it is on entry:
	 * one per si_code, none pending (a zero timeout: EAGAIN). */
	{
		static const int codes[][2] = {
			{ SIGUSR2, 0x80 }, { SIGUSR2, -2 }, { SIGUSR2, -3 },
			{ SIGUSR2, -4 }, { SIGUSR2, -5 }, { SIGUSR2, -7 },
			{ SIGUSR2, -60 }, { SIGUSR2, 1 }, { SIGUSR2, 5 },
		};
		unsigned long *set = AT(0x780);
		struct timespec *ts = AT(0x7c0);
		int *info = AT(0x800);
		unsigned i;

		set[0] = 1ul << (SIGUSR2 - 1);
		ts->tv_sec = 0; ts->tv_nsec = 0;
		for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
			memset(info, 0, 128);
			info[0] = codes[i][0]; info[2] = codes[i][1];
			info[4] = 77; info[5] = 88;
			syscall(SYS_rt_sigtimedwait, set, info, ts, 8);
		}
	}
}

/* The "siginfo" group (syscall/sc_calls6.stp): rt_sigtimedwait decodes
 * its siginfo buffer as it is on entry, so each call here fills it with one
 * signal-specific si_code (and distinct words where the per-signal fields
 * are) and waits for nothing: SIGUSR2 is not pending, the timeout is 0. */
static void siginfo_codes(void)
{
	static const int sigs[][2] = {
		{ SIGILL, 12 }, { SIGFPE, 15 }, { SIGSEGV, 10 }, { SIGBUS, 6 },
		{ SIGTRAP, 7 }, { SIGCHLD, 7 }, { SIGIO, 7 }, { SIGSYS, 2 },
	};
	unsigned long *set = AT(0x780);
	struct timespec *ts = AT(0x7c0);
	int *info = AT(0x800);
	unsigned i;
	int code;

	set[0] = 1ul << (SIGUSR2 - 1);
	ts->tv_sec = 0; ts->tv_nsec = 0;
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		for (code = 1; code <= sigs[i][1]; code++) {
			memset(info, 0, 128);
			info[0] = sigs[i][0]; info[2] = code;
			info[4] = 77; info[5] = 88; info[6] = 99;
			info[7] = 111; info[8] = 222;
			syscall(SYS_rt_sigtimedwait, set, info, ts, 8);
		}
	}
	/* Generic codes with those signals. */
	{
		static const int gen[][2] = {
			{ SIGCHLD, 0 }, { SIGCHLD, 0x80 }, { SIGSEGV, -1 },
			{ SIGSEGV, 0x80 }, { SIGIO, -6 }, { SIGILL, 0 },
		};

		for (i = 0; i < sizeof(gen) / sizeof(gen[0]); i++) {
			memset(info, 0, 128);
			info[0] = gen[i][0]; info[2] = gen[i][1];
			info[4] = 77; info[5] = 88; info[6] = 99;
			syscall(SYS_rt_sigtimedwait, set, info, ts, 8);
		}
	}
}

/* The "ctl" group (syscall/sc_calls7.stp): every bpf command with no
 * attributes (EFAULT or EINVAL), and prctl's options, each with arguments
 * the kernel rejects or that only read state (or change only this
 * short-lived process), so the names and argument forms show without
 * changing the guest. */
static void ctl_calls(void)
{
	static const long pr[][5] = {
		{ 1, 999 }, { 2, 0 }, { 3 }, { 4, 5 }, { 5, 0 }, { 6, 99 },
		{ 7, 0 }, { 8, 5 }, { 9, 0 }, { 10, 99 }, { 11, 0 }, { 12, 99 },
		{ 13, 0 }, { 14, 5 }, { 15, BASE + 0x900 }, { 16, 0 },
		{ 19, 0 }, { 20, 99 }, { 21 }, { 22, 99 }, { 23, 5 }, { 24, 999 },
		{ 25, 0 }, { 26, 9 }, { 27 }, { 28, 1 << 20 }, { 29, 50000 },
		{ 30 }, { 31 }, { 32 }, { 33, 99, 0 }, { 34, 1, 2, 3, 4 },
		{ 35, 99, 0 }, { 36, 1 }, { 37, 0 }, { 38, 1, 1 }, { 39, 1 },
		{ 40, 0 }, { 41, 1, 1 }, { 42, 1 }, { 43 }, { 44 }, { 45, 99 },
		{ 46 }, { 47, 99, 0 }, { 50, 99 }, { 51 }, { 52, 99 },
		{ 53, 99, 0, 0 }, { 54, 99 }, { 55, 99 }, { 56, 1 }, { 57 },
		{ 58, 1 }, { 59, 99 }, { 60, 99 }, { 61, 99 }, { 62, 99 },
		{ 63, 99 }, { 64, 99 }, { 65, 1 << 30 }, { 66, 1 },
		{ 0x59616d61, 99999 }, { 0x53564d41, 99 }, { 1000, 1, 2, 3, 4 },
	};
	unsigned i;
	int cmd;

	strcpy(AT(0x900), "ctl");
	for (cmd = 0; cmd <= 37; cmd++)
		syscall(SYS_bpf, cmd, (void *) 0, 0);
	syscall(SYS_bpf, 1000, AT(0x900), 16);
	for (i = 0; i < sizeof(pr) / sizeof(pr[0]); i++)
		syscall(SYS_prctl, pr[i][0], pr[i][1], pr[i][2], pr[i][3], pr[i][4]);
}

/* The "ctl2" group (syscall/sc_calls8.stp): prctl's sub-option names,
 * with values that x86 rejects, that are the defaults already, or that
 * change only this short-lived process (its bounding set, securebits, MCE
 * policy, ptracer); the securebits last, as they change how it runs. */
static void ctl2_calls(void)
{
	static const long pr[][3] = {
		{ 6, 1 }, { 6, 2 }, { 6, 3 }, { 10, 1 }, { 10, 2 },
		{ 6, 0 }, { 10, 0 }, { 12, 0 }, { 12, 2 }, { 12, 3 },
		{ 12, 0x20000 }, { 12, 0x40000 }, { 12, 0x80000 },
		{ 12, 0x100000 }, { 22, 0 }, { 22, 1 + 98 }, { 1, 9 }, { 1, 0 },
		{ 12, 0x80 }, { 12, 0x10000 }, { 12, 0x30000 }, { 12, 0x1 },
		{ 14, 0 }, { 14, 1 }, { 20, 0 }, { 20, 1 }, { 20, 2 },
		{ 26, 1 }, { 26, 2 }, { 22, 2 },
		{ 33, 0, 0 }, { 33, 1, 0 }, { 33, 1, 1 }, { 33, 1, 2 },
		{ 35, 1, 0 }, { 35, 2, 0 }, { 35, 3, 0 }, { 35, 4, 0 },
		{ 35, 5, 0 }, { 35, 6, 0 }, { 35, 7, 0 }, { 35, 8, 0 },
		{ 35, 9, 0 }, { 35, 10, 0 }, { 35, 11, 0 }, { 35, 12, 0 },
		{ 35, 13, -1 }, { 35, 14, 0 }, { 35, 15, 0 }, { 35, 16, 0 },
		{ 0x59616d61, 0 }, { 0x59616d61, -1 }, { 24, 22 },
		{ 28, 0x10 }, { 28, 0xff },
	};
	unsigned i;
	int cap;

	pid_t child;

	for (cap = 0; cap <= 41; cap++)
		syscall(SYS_prctl, 23, cap, 0, 0, 0);
	for (i = 0; i < sizeof(pr) / sizeof(pr[0]); i++)
		syscall(SYS_prctl, pr[i][0], pr[i][1], pr[i][2], 0, 0);
	/* SECCOMP_MODE_STRICT in a child, whose next call must be exit. */
	child = fork();
	if (child == 0) {
		syscall(SYS_prctl, 22, 1, 0, 0, 0);
		syscall(SYS_exit, 0);
	}
	if (child > 0)
		waitpid(child, (int *) 0, 0);
}

/* The "ptrace2" group (syscall/sc_calls9.stp): PTRACE_GETREGSET with
 * every ELF note type <elf.h> knows and PTRACE_ARCH_PRCTL with every x86
 * code, all on a pid that does not exist (ESRCH). */
static void ptrace2_calls(void)
{
	static const unsigned long notes[] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 13, 14, 15, 16, 17, 20,
		0x53494749, 0x46494c45, 0x46e62b7f, 0x100, 0x101, 0x102, 0x103,
		0x104, 0x105, 0x106, 0x107, 0x108, 0x109, 0x10a, 0x10b, 0x10c,
		0x10d, 0x10e, 0x10f, 0x110, 0x200, 0x201, 0x202, 0x203, 0x300,
		0x301, 0x302, 0x303, 0x304, 0x305, 0x306, 0x307, 0x308, 0x309,
		0x30a, 0x30b, 0x30c, 0x30d, 0x400, 0x401, 0x402, 0x403, 0x404,
		0x405, 0x406, 0x407, 0x408, 0x409, 0x40a, 0x700, 0x800, 0x801,
		0x802,
	};
	static const unsigned long codes[] = {
		0x1001, 0x1002, 0x1003, 0x1004, 0x1011, 0x1012, 0x1021, 0x1022,
		0x1023, 0x1024, 0x1025, 0x2001, 0x2002, 0x2003, 0x1005,
	};
	long *iov = AT(0x500);
	unsigned i;

	iov[0] = BASE + 0x1000; iov[1] = 512;
	for (i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		syscall(SYS_ptrace, 0x4204, 99999, notes[i], iov);
	syscall(SYS_ptrace, 0x4205, 99999, 0x202ul, iov);
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		syscall(SYS_ptrace, 30, 99999, BASE + 0x500, codes[i]);
}

/* The "keys" group (syscall/sc_calls10.stp): every keyctl command on a
 * key that does not exist (ENOKEY, EINVAL, ...), with distinct small
 * arguments, and the special keyring ids with KEYCTL_GET_KEYRING_ID
 * (without creating anything). */
static void keys_calls(void)
{
	long *w = AT(0x500);
	int cmd;
	long spec;

	strcpy(AT(0x900), "user");
	strcpy(AT(0x940), "stap:test");
	w[0] = BASE + 0x900; w[1] = 4;			/* an iovec */
	for (cmd = 0; cmd <= 33; cmd++)
		syscall(SYS_keyctl, cmd, 12345l, BASE + 0x900, BASE + 0x940, 7l);
	for (spec = -1; spec >= -8; spec--)
		syscall(SYS_keyctl, 0, spec, 0l, 0l, 0l);
	syscall(SYS_keyctl, 20, 12345l, w, 1l, -1l);	/* INSTANTIATE_IOV */
	/* Special ids where each command takes a key or keyring, negative
	 * uid/gid, every permission bit, every default-keyring value (only
	 * this process's request-key default changes).  The session keyring
	 * (-3) is a new one of this process's own, joined first: the ones
	 * that change or revoke it touch nothing else. */
	syscall(SYS_keyctl, 1, 0l, 0l, 0l, 0l);
	syscall(SYS_keyctl, 0, -3l, 1l, 0l, 0l);
	syscall(SYS_keyctl, 2, -3l, BASE + 0x900, 4l, 0l);
	syscall(SYS_keyctl, 7, -3l, 0l, 0l, 0l);
	syscall(SYS_keyctl, 11, -3l, 0l, 0l, 0l);
	syscall(SYS_keyctl, 16, -3l, 0l, 0l, 0l);
	syscall(SYS_keyctl, 17, -3l, 0l, 0l, 0l);
	syscall(SYS_keyctl, 4, 12345l, -1l, -1l, 0l);
	syscall(SYS_keyctl, 5, 12345l, 0x3f3f3f3fl, 0l, 0l);
	syscall(SYS_keyctl, 5, 12345l, 0l, 0l, 0l);
	syscall(SYS_keyctl, 8, 12345l, -3l, 0l, 0l);
	syscall(SYS_keyctl, 9, -4l, -3l, 0l, 0l);
	syscall(SYS_keyctl, 10, -3l, BASE + 0x900, BASE + 0x940, -3l);
	syscall(SYS_keyctl, 12, 12345l, BASE + 0x900, 4l, -3l);
	syscall(SYS_keyctl, 13, 12345l, 5l, -3l, 0l);
	syscall(SYS_keyctl, 19, 12345l, 5l, 6l, -3l);
	syscall(SYS_keyctl, 20, 12345l, w, 1l, -3l);
	syscall(SYS_keyctl, 22, -1l, -3l, 0l, 0l);
	syscall(SYS_keyctl, 6, -3l, 0l, 0l, 0l);
	syscall(SYS_keyctl, 15, -3l, 5l, 0l, 0l);
	for (spec = 0; spec <= 8; spec++)
		syscall(SYS_keyctl, 14, spec, 0l, 0l, 0l);
	syscall(SYS_keyctl, 14, -1l, 0l, 0l, 0l);	/* SET_REQKEY_KEYRING: no change */
	syscall(SYS_keyctl, 14, 0l, 0l, 0l, 0l);	/* back to the default */
	syscall(SYS_keyctl, 21, -3l, 0l, 0l, 0l);
	syscall(SYS_keyctl, 3, -3l, 0l, 0l, 0l);
}

/* The "quota" group (syscall/sc_calls11.stp): every quotactl command,
 * VFS and XFS, for user, group and project quotas, on a device that does
 * not exist, with the structures SETQUOTA and SETINFO take filled with
 * distinct values and a path for QUOTAON. */
static void quota_calls(void)
{
	static const unsigned cmds[] = {
		0x800001, 0x800002, 0x800003, 0x800004, 0x800005, 0x800006,
		0x800007, 0x800008, 0x800009, 0x80000a, 0x5801, 0x5802, 0x5803,
		0x5804, 0x5805, 0x5806, 0x5807, 0x5808, 0x5809, 0x580a,
	};
	long *w = AT(0x500);
	unsigned i, t;
	int k;

	strcpy(AT(0x900), "/dev/nonexistent");
	strcpy(AT(0x940), "/aquota.user");
	for (k = 0; k < 9; k++)
		w[k] = 1000 + k;
	((int *) w)[16] = 0x1ff;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		for (t = 0; t < 3; t++) {
			void *addr = cmds[i] == 0x800002 ? AT(0x940) : (void *) w;

			syscall(SYS_quotactl, (cmds[i] << 8) | t, AT(0x900), 7, addr);
		}
	syscall(SYS_quotactl, (0x800001u << 8) | 0, (void *) 0, 0, (void *) 0);
}

int main(int argc, char **argv)
{
	unsigned char *m = mmap(AT(0), 8192, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	unsigned long *mask = AT(0x100);	/* kernel sigset_t */
	char *cmdline = AT(0x200);
	struct sigaction sa;
	sigset_t block;

	if (m == MAP_FAILED)
		return 1;
	/* A group's name runs that group alone. */
	if (argc > 1) {
		static const struct { const char *name; void (*run)(void); } groups[] = {
			{ "structs", structs }, { "structs2", structs2 },
			{ "siginfo", siginfo_codes }, { "ctl", ctl_calls },
			{ "ctl2", ctl2_calls }, { "ptrace2", ptrace2_calls },
			{ "keys", keys_calls }, { "quota", quota_calls },
		};
		unsigned g;

		for (g = 0; g < sizeof(groups) / sizeof(groups[0]); g++) {
			if (strcmp(argv[1], groups[g].name) == 0) {
				groups[g].run();
				return 0;
			}
		}
	}

	/* kexec_load: 17 segments (more than KEXEC_SEGMENT_MAX), a foreign
	 * architecture, unknown flags: EINVAL each time. */
	syscall(SYS_kexec_load, 0x1000000ul, 17ul, AT(0x400),
		(62ul << 16) | 1);
	syscall(SYS_kexec_load, 0ul, 0ul, (void *) 0, 40ul << 16);
	syscall(SYS_kexec_load, 0ul, 1ul, AT(0x400), 0x100ul);
	syscall(SYS_kexec_load, 0ul, 17ul, AT(0x400), (3ul << 16) | 2);
	/* No segments, default architecture: unloads (nothing loaded). */
	syscall(SYS_kexec_load, 0ul, 0ul, (void *) 0, 0ul);
	/* kexec_file_load: unknown flag bits. */
	strcpy(cmdline, "console=ttyS0");
	syscall(SYS_kexec_file_load, -1, -1, 14ul, cmdline, 0x104ul);
	syscall(SYS_kexec_file_load, 3, 4, 0ul, (void *) 0, 0x80ul);
	syscall(SYS_kexec_file_load, -1, -1, 0ul, (void *) 0, 0ul);	/* EBADF */
	/* Unload the crash kernel (none is loaded). */
	syscall(SYS_kexec_file_load, -1, -1, 0ul, (void *) 0, 3ul);

	/* memfd_secret: unknown flags, O_CLOEXEC, none (6.1 has secret
	 * memory off, ENOSYS; 6.12 has it on: the test masks the result). */
	syscall(447, 0x10u);
	syscall(447, 0x80000u);					/* O_CLOEXEC */
	syscall(447, 0u);

	/* ptrace on a pid that does not exist: ESRCH. */
	syscall(SYS_ptrace, 16l, 99999l, 0ul, 0ul);		/* ATTACH */
	syscall(SYS_ptrace, 2l, 99999l, 0x1000ul, 0ul);		/* PEEKDATA */
	syscall(SYS_ptrace, 0x4200l, 99999l, 0ul, 0x3ful);	/* SETOPTIONS */
	syscall(SYS_ptrace, 0x4206l, 99999l, 0ul, 0ul);		/* SEIZE */
	syscall(SYS_ptrace, 12345l, -1l, 0ul, 0ul);
	{
		/* More requests, each with distinct addr and data. */
		static const long reqs[] = {
			1, 3, 4, 5, 6, 7, 8, 9, 12, 13, 14, 15, 17, 18, 19,
			24, 25, 26, 30, 31, 32, 33,
			0x4201, 0x4202, 0x4203, 0x4204, 0x4205, 0x4207,
			0x4208, 0x4209, 0x420a, 0x420b, 0x420c, 0x420d,
			0x420e, 0x420f, 0x4210, 0x4211, 0x4212,
		};
		unsigned i;

		for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
			syscall(SYS_ptrace, reqs[i], 99999l, 0x20000300ul,
				0x20000400ul);
		syscall(SYS_ptrace, 7l, 99999l, 0ul, 10ul);	/* CONT, SIGUSR1 */
		syscall(SYS_ptrace, 24l, 99999l, 0ul, 0ul);	/* SYSCALL */
		syscall(SYS_ptrace, 17l, 99999l, 0ul, 15ul);	/* DETACH */
		syscall(SYS_ptrace, 0x4204l, 99999l, 1ul, 0x20000400ul);
		syscall(SYS_ptrace, 30l, 99999l, 0x20000300ul, 0x1003ul);
		syscall(SYS_ptrace, 0x4206l, 99999l, 0ul, 0x100001ul);
		/* Requests that take a signal in data, with SIGUSR1. */
		syscall(SYS_ptrace, 8l, 99999l, 0ul, 10ul);	/* KILL */
		syscall(SYS_ptrace, 9l, 99999l, 0ul, 10ul);	/* SINGLESTEP */
		syscall(SYS_ptrace, 31l, 99999l, 0ul, 10ul);	/* SYSEMU */
		syscall(SYS_ptrace, 32l, 99999l, 0ul, 10ul);
		syscall(SYS_ptrace, 33l, 99999l, 0ul, 10ul);	/* SINGLEBLOCK */
		syscall(SYS_ptrace, 0x4208l, 99999l, 0ul, 10ul);	/* LISTEN */
		syscall(SYS_ptrace, 16l, 99999l, 0ul, 10ul);	/* ATTACH */
		/* SETOPTIONS: the other options, none, an unknown bit. */
		syscall(SYS_ptrace, 0x4200l, 99999l, 0ul, 0x3000c0ul);
		syscall(SYS_ptrace, 0x4200l, 99999l, 0ul, 0ul);
		syscall(SYS_ptrace, 0x4200l, 99999l, 0ul, 0x401ul);
		/* GETREGSET with an unreadable iovec, other notes. */
		syscall(SYS_ptrace, 0x4204l, 99999l, 2ul, 0x10ul);
		syscall(SYS_ptrace, 0x4205l, 99999l, 0x202ul, 0ul);
		syscall(SYS_ptrace, 1l, 99999l, 0ul, 0ul);	/* PEEKTEXT */
		syscall(SYS_ptrace, 30l, 99999l, 0ul, 0x1002ul);	/* ARCH_SET_FS */
		syscall(SYS_ptrace, 25l, 99999l, 12ul, 0ul);
	}

	/* restart_syscall with nothing to restart: EINTR. */
	syscall(SYS_restart_syscall);

	/* rt_sigsuspend with SIGUSR1 pending and blocked: the empty mask
	 * lets it in, the handler runs, EINTR. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, 0);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, 0);
	kill(getpid(), SIGUSR1);
	mask[0] = 0;
	syscall(SYS_rt_sigsuspend, mask, 8ul);
	syscall(SYS_rt_sigsuspend, mask, 4ul);			/* EINVAL */
	kill(getpid(), SIGUSR1);
	mask[0] = 1ul << (SIGINT - 1);
	syscall(SYS_rt_sigsuspend, mask, 8ul);
	syscall(SYS_rt_sigsuspend, (void *) 0x10, 8ul);		/* EFAULT */

	/* Numbers x86-64 no longer implements. */
	syscall(212, 0x123456789ul, AT(0x300), 64ul);		/* lookup_dcookie */
	syscall(134, "/nonexistent");				/* uselib */
	syscall(174, 0ul);					/* create_module */
	syscall(153);						/* vhangup */
	syscall(205, (void *) 0x10);				/* set_thread_area */
	syscall(211, (void *) 0x10);				/* get_thread_area */
	/* Last: make stapio (the parent) this process's tracer.  Nothing
	 * stops it after this (no signal, no exec), so it just exits. */
	syscall(SYS_ptrace, 0l, 0l, 0ul, 0ul);			/* TRACEME */
	return 0;
}
