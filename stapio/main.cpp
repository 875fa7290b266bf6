// stapio: the unprivileged half of running a SystemTap module (staprun
// execs it once the module is in).  Moves the module's output to stdout or
// -o FILE, relays its warnings and errors, runs -c CMD, and unloads the
// module at the end.
#include "stapio/stapio_session.h"
#include "staprun/options.h"
#include "staprun/report.h"

#include <cstdio>
#include <unistd.h>

int main(int argc, char **argv) {
  using namespace stp;
  ParseResult parsed = parse_options(Program::kStapio, argc, argv);
  if (!parsed.options)
    return parsed.exit_status;
  const Options &opts = *parsed.options;
  configure_reporting(opts);
  if (opts.load_only || opts.attach || opts.monitor || opts.read_stdin || opts.load_uprobes) {
    report_error("This stapio option is not supported yet.");
    return 1;
  }
  if (opts.daemon) {
    // -D: the parent reports the daemon's pid and returns at once.
    pid_t pid = fork();
    if (pid < 0) {
      report_error("fork: " + errno_text(errno));
      return 1;
    }
    if (pid > 0) {
      std::printf("%d\n", pid);
      return 0;
    }
    setsid();
  }
  StapioSession session(opts);
  return session.run();
}
