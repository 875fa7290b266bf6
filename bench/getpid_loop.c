/* getpid_loop.c - cost of one getpid() system call, for kprobe_overhead.sh.
 *
 * usage: getpid_loop ITERATIONS REPEATS [CPU]
 *
 * Makes ITERATIONS raw getpid system calls REPEATS times and prints one line
 * "NS <nanoseconds per call>" per repeat (CLOCK_MONOTONIC around the loop).
 * With CPU, the process first pins itself to that CPU, so a probe module's
 * stapio or other guest work lands on the other CPU rather than between the
 * calls.  The call goes through syscall(2), not glibc's getpid(), so every
 * iteration really enters the kernel whatever the C library caches.
 * Built static on the host (gcc -static -O2) and copied into the guest.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long parse_count(const char *s, const char *what)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || v < 1) {
		fprintf(stderr, "getpid_loop: bad %s '%s' (want a positive integer)\n", what, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: getpid_loop ITERATIONS REPEATS [CPU]\n");
		return 2;
	}
	long iterations = parse_count(argv[1], "ITERATIONS");
	long repeats = parse_count(argv[2], "REPEATS");
	if (argc == 4) {
		char *end;
		long cpu = strtol(argv[3], &end, 10);
		cpu_set_t set;
		if (*end || cpu < 0 || cpu >= CPU_SETSIZE) {
			fprintf(stderr, "getpid_loop: bad CPU '%s'\n", argv[3]);
			return 2;
		}
		CPU_ZERO(&set);
		CPU_SET(cpu, &set);
		if (sched_setaffinity(0, sizeof set, &set) != 0) {
			perror("getpid_loop: sched_setaffinity");
			return 1;
		}
	}
	for (long r = 0; r < repeats; r++) {
		struct timespec a, b;
		clock_gettime(CLOCK_MONOTONIC, &a);
		for (long i = 0; i < iterations; i++)
			syscall(SYS_getpid);
		clock_gettime(CLOCK_MONOTONIC, &b);
		double ns = (b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec);
		printf("NS %.2f\n", ns / iterations);
		fflush(stdout);
	}
	return 0;
}
