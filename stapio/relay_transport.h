// relay_transport.h: reading the module's per-CPU relay files.
//
// One reader thread per file trace0..N: it waits (poll, -T timeout; the
// kernel only signals full sub-buffers, so the timeout is what picks up
// partial ones), reads what is there, cuts it into records at their
// headers and hands them to the serializer.  stop() makes every reader
// read its file dry once more, so no output written before the module said
// STP_EXIT is lost.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "stapio/record_serializer.h"

namespace stp {

class OutputSink;

class RelayTransport {
public:
  RelayTransport(OutputSink &sink, int poll_timeout_ms);
  ~RelayTransport();
  RelayTransport(const RelayTransport &) = delete;
  RelayTransport &operator=(const RelayTransport &) = delete;

  // Opens every traceN in DIR_FD and starts the threads.  Prints the error
  // and returns false when there is no relay file at all.
  bool start(int dir_fd, const std::string &module);

  // Drains, joins and returns what went missing.  Idempotent.
  LossReport stop();

private:
  struct Reader {
    int fd = -1;
    int cpu = 0;
    std::string pending;  // bytes of a record not complete yet
    std::thread thread;
  };

  void read_loop(size_t index);
  // Reads FD until it has nothing more; false on a read error.
  bool read_available(Reader &r);
  void split_records(Reader &r);

  OutputSink &sink_;
  int poll_timeout_ms_;
  int wake_fd_ = -1;  // eventfd: stop() wakes the readers from poll
  std::atomic<bool> stopping_{false};
  bool started_ = false;
  bool stopped_ = false;
  std::vector<std::unique_ptr<Reader>> readers_;
  std::unique_ptr<RecordSerializer> serializer_;
  LossReport result_;
};

} // namespace stp
