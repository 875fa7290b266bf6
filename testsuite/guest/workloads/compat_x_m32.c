/* A 32-bit (gcc -m32 -static) workload for the ia32 system call probes:
 * each call goes through the int $0x80/sysenter entry with arguments the
 * test's .out spells out, the 64-bit values split over two registers as
 * the 32-bit ABI passes them. */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void)
{
	static const char path[] = "/tmp/compat_x";
	int req[2] = { 0, 1000 };		/* struct old_timespec32 */
	/* At a fixed address: argstr shows the pointer. */
	int *itv = mmap((void *) 0x20000000, 4096, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	int arm[4] = { 0, 0, 5, 250000 };
	int ub[2] = { 1000000000, 1000000001 };	/* struct old_utimbuf32 */
	int tv[4] = { 1, 2, 3, 4 };		/* 2 x struct old_timeval32 */
	int tmo[2] = { 0, 10 };
	int fd;

	if (itv == MAP_FAILED)
		return 1;
	syscall(162, req, 0);				/* nanosleep */
	syscall(105, 0, itv);				/* getitimer */
	syscall(104, 0, arm, 0);			/* setitimer */
	syscall(104, 0, itv, 0);
	fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
	syscall(181, fd, "hello", 5, 16, 0);		/* pwrite64 at 16 */
	syscall(194, fd, 32, 0);			/* ftruncate64 */
	syscall(193, path, 0x40, 1);			/* truncate64 (2^32 + 64) */
	syscall(272, fd, 0, 0, 8, 0, 1);		/* fadvise64_64 */
	syscall(225, fd, 4096, 0, 4096);		/* readahead */
	syscall(324, fd, 1, 0, 0, 100, 0);		/* fallocate */
	syscall(149, 0);				/* _sysctl: ENOSYS */
	syscall(30, path, ub);				/* utime */
	syscall(271, path, tv);				/* utimes */
	syscall(142, 0, 0, 0, 0, tmo);			/* _newselect */
	close(fd);
	unlink(path);
	return 0;
}
