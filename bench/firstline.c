// firstline - runs a command on a pseudo-terminal and reports how long it took
// to print its first line, the way a user at a terminal would see it.
//
// usage: firstline [-p] PROG [ARGS...]
//   -p  use a pipe for the command's stdout instead of a pseudo-terminal
//
// Prints one line on stdout once PROG has exited:
//   FL <first-line us> <exit us> <exit status> <mode> <first line>
// where both times count from just before fork() on CLOCK_MONOTONIC, the exit
// status is PROG's (128+N for a signal), mode is "pty" or "pipe", and the first
// line is shown without its line end ("-" when PROG printed no full line, in
// which case <first-line us> is -1).  PROG's stderr is passed through; the rest
// of its stdout is read and dropped, so PROG never blocks on a full buffer.
//
// Built static by bench/first_output.sh for the guest, whose initramfs has no C
// library.  Exit status: 0 when PROG ran (whatever its own status), 2 on usage
// errors, 1 when it could not be started.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static long long now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

// Opens a pseudo-terminal pair; returns the master and stores the slave's path.
// The slave is put in raw output mode so the line end arrives as written.
static int open_pty(char* slave_path, size_t len) {
  int m = posix_openpt(O_RDWR | O_NOCTTY);
  if (m < 0) return -1;
  if (grantpt(m) != 0 || unlockpt(m) != 0 || ptsname_r(m, slave_path, len) != 0) {
    close(m);
    return -1;
  }
  return m;
}

int main(int argc, char** argv) {
  int use_pipe = 0;
  int argi = 1;
  if (argi < argc && strcmp(argv[argi], "-p") == 0) {
    use_pipe = 1;
    argi++;
  }
  if (argi >= argc) {
    fprintf(stderr, "usage: firstline [-p] PROG [ARGS...]\n");
    return 2;
  }

  char slave_path[128] = "";
  int rd = -1, wr = -1;
  if (!use_pipe) {
    rd = open_pty(slave_path, sizeof slave_path);
    // The slave is opened here, before fork(), and not in the child: a master
    // read while no slave is open fails with EIO, which would look like the end.
    if (rd >= 0) {
      wr = open(slave_path, O_RDWR | O_NOCTTY);
      struct termios t;
      if (wr >= 0 && tcgetattr(wr, &t) == 0) {
        t.c_oflag &= ~(tcflag_t)OPOST;
        tcsetattr(wr, TCSANOW, &t);
      }
      if (wr < 0) {
        close(rd);
        rd = -1;
      }
    }
    if (rd < 0) {
      fprintf(stderr, "firstline: no pseudo-terminal (%s); using a pipe\n", strerror(errno));
      use_pipe = 1;
    }
  }
  if (use_pipe) {
    int p[2];
    if (pipe(p) != 0) {
      perror("firstline: pipe");
      return 1;
    }
    rd = p[0];
    wr = p[1];
  }

  long long t0 = now_us();
  pid_t pid = fork();
  if (pid < 0) {
    perror("firstline: fork");
    return 1;
  }
  if (pid == 0) {
    int out = wr;
    if (!use_pipe) setsid();
    int in = open("/dev/null", O_RDONLY);
    if (in >= 0) dup2(in, 0);
    dup2(out, 1);
    close(rd);
    if (out != 1) close(out);
    execvp(argv[argi], argv + argi);
    fprintf(stderr, "firstline: cannot run %s: %s\n", argv[argi], strerror(errno));
    _exit(127);
  }
  close(wr);  // the child's copy is now the only writer: its exit ends the reads

  char line[256];
  size_t used = 0;
  long long t_first = -1;
  char buf[4096];
  for (;;) {
    ssize_t n = read(rd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF on a pipe; EIO on a pty whose last user has gone
    if (t_first >= 0) continue;
    char* nl = memchr(buf, '\n', (size_t)n);
    if (nl) t_first = now_us();
    size_t take = nl ? (size_t)(nl - buf) : (size_t)n;
    if (take > sizeof line - 1 - used) take = sizeof line - 1 - used;
    memcpy(line + used, buf, take);
    used += take;
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  long long t_exit = now_us();
  close(rd);

  line[used] = '\0';
  if (used > 0 && line[used - 1] == '\r') line[--used] = '\0';
  int rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  printf("FL %lld %lld %d %s %s\n", t_first < 0 ? -1 : t_first - t0, t_exit - t0, rc,
         use_pipe ? "pipe" : "pty", t_first < 0 ? "-" : line);
  return 0;
}
