/* A static workload for syscall/sc_write_nul.stp: writes buffers holding NUL bytes
 * to /dev/null, so the test sees how their escaped form is budgeted against
 * syscall_string_trunc (stap 4.8 counts a NUL as four characters, an octal
 * escape's length, though it prints it as \0). */
#include <fcntl.h>
#include <unistd.h>

static void put(int fd, const char *buf, size_t n)
{
  if (write(fd, buf, n) < 0)
    _exit(1);
}

int main(void)
{
  int fd = open("/dev/null", O_WRONLY);
  if (fd < 0)
    return 1;
  put(fd, "hello\0\0\0\0\0\0\0\0\0\0\0", 16);          /* NULs to the end */
  put(fd, "\0\0\0\0\0\0\0\0\0\0\0\0xyz", 15);          /* cut after NULs */
  put(fd, "ab\0cd\0ef\0gh\0ij\0kl\0mn\0op\0qr\0st\0uv", 32); /* mixed, cut */
  put(fd, "\0\0\0\0\0\0\0\0\0\0\0\0", 12);             /* fits exactly */
  put(fd, "a\tb\0c\001", 7);                           /* other escapes */
  return 0;
}
