// relay_transport.cpp: per-CPU reader threads over the relay files.
#include "stapio/relay_transport.h"

#include "staprun/protocol.h"
#include "staprun/report.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/sysinfo.h>
#include <unistd.h>

namespace stp {
namespace {

// A print buffer is 8 KiB; anything near this size is not a record header
// but lost framing.
constexpr uint32_t kMaxRecordLen = 1u << 24;
constexpr size_t kReadChunk = 256 * 1024;

} // namespace

RelayTransport::RelayTransport(OutputSink &sink, int poll_timeout_ms)
    : sink_(sink), poll_timeout_ms_(poll_timeout_ms) {}

RelayTransport::~RelayTransport() {
  stop();
  for (auto &r : readers_)
    if (r->fd >= 0)
      ::close(r->fd);
  if (wake_fd_ >= 0)
    ::close(wake_fd_);
}

bool RelayTransport::start(int dir_fd, const std::string &module) {
  int ncpus = get_nprocs_conf();
  for (int cpu = 0; cpu < ncpus; ++cpu) {
    std::string name = "trace" + std::to_string(cpu);
    int fd = openat(dir_fd, name.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
      // A CPU that was offline when the module started has no file.
      report_debug(2, "couldn't open " + name + ": " + errno_text(errno));
      continue;
    }
    auto r = std::make_unique<Reader>();
    r->fd = fd;
    r->cpu = cpu;
    readers_.push_back(std::move(r));
  }
  if (readers_.empty()) {
    report_error("Couldn't open the relay files of module " + module + ".");
    return false;
  }
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) {
    report_error("eventfd: " + errno_text(errno));
    return false;
  }
  serializer_ = std::make_unique<RecordSerializer>(sink_, readers_.size());
  serializer_->start();
  for (size_t i = 0; i < readers_.size(); ++i)
    readers_[i]->thread = std::thread([this, i] { read_loop(i); });
  started_ = true;
  return true;
}

bool RelayTransport::read_available(Reader &r) {
  char buf[kReadChunk];
  for (;;) {
    ssize_t n = ::read(r.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    // The runtime answers ENODATA when no sub-buffer is ready.
    if (n < 0 && (errno == EAGAIN || errno == ENODATA))
      return true;
    if (n < 0) {
      report_error("Couldn't read relay data for cpu " + std::to_string(r.cpu) + ": " +
                   errno_text(errno));
      return false;
    }
    if (n == 0)
      return true;
    r.pending.append(buf, static_cast<size_t>(n));
    split_records(r);
  }
}

void RelayTransport::split_records(Reader &r) {
  size_t pos = 0;
  const std::string &p = r.pending;
  for (;;) {
    size_t left = p.size() - pos;
    if (left < kTraceHeaderLen)
      break;
    size_t header = kTraceHeaderLen;
    if (std::memcmp(p.data() + pos, kTraceMagic, sizeof kTraceMagic) == 0) {
      if (left < kTraceMagicHeaderLen)
        break;
      header = kTraceMagicHeaderLen;
    }
    uint32_t seq, len;
    std::memcpy(&seq, p.data() + pos + header - 8, 4);
    std::memcpy(&len, p.data() + pos + header - 4, 4);
    if (len > kMaxRecordLen) {
      // Framing lost (a record the module could only half write): drop
      // what we have; with magic headers, resume at the next magic.
      size_t next = p.find(std::string_view(reinterpret_cast<const char *>(kTraceMagic), 4),
                           pos + 1);
      size_t skip = (next == std::string::npos ? p.size() : next) - pos;
      serializer_->add_lost_bytes(skip);
      pos += skip;
      continue;
    }
    if (left < header + len)
      break;
    serializer_->add(seq, p.substr(pos + header, len));
    pos += header + len;
  }
  r.pending.erase(0, pos);
}

void RelayTransport::read_loop(size_t index) {
  Reader &r = *readers_[index];
  for (;;) {
    bool last = stopping_.load();
    if (!read_available(r))
      break;
    serializer_->pass_done(index);
    if (last)
      break;
    struct pollfd fds[2] = {{r.fd, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    int rc = poll(fds, 2, poll_timeout_ms_);
    if (rc < 0 && errno != EINTR) {
      report_error("poll: " + errno_text(errno));
      break;
    }
    // Once the module stopped its relay the file polls as an error at
    // once; wait for stop() instead of spinning.
    if (rc > 0 && (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) != 0 &&
        (fds[1].revents & POLLIN) == 0)
      poll(&fds[1], 1, poll_timeout_ms_);
  }
  if (!r.pending.empty())
    serializer_->add_lost_bytes(r.pending.size());
}

LossReport RelayTransport::stop() {
  if (!started_ || stopped_)
    return result_;
  stopped_ = true;
  stopping_.store(true);
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_fd_, &one, sizeof one);
  for (auto &r : readers_)
    if (r->thread.joinable())
      r->thread.join();
  serializer_->finish();
  result_ = serializer_->losses();
  return result_;
}

} // namespace stp
