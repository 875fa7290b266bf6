// output_sink.cpp: the output file and its rotation.
#include "stapio/output_sink.h"

#include "staprun/options.h"
#include "staprun/report.h"

#include <cerrno>
#include <climits>
#include <ctime>
#include <fcntl.h>
#include <unistd.h>

namespace stp {

OutputSink::~OutputSink() { close(); }

std::string OutputSink::expand_path(const std::string &format) {
  time_t now = time(nullptr);
  struct tm tm {};
  localtime_r(&now, &tm);
  char buf[PATH_MAX];
  size_t n = format.empty() ? 0 : strftime(buf, sizeof buf, format.c_str(), &tm);
  if (n == 0)
    return {};
  std::string path(buf, n);
  if (path.front() != '/') {
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) == nullptr)
      return {};
    path = std::string(cwd) + "/" + path;
  }
  if (path.size() >= PATH_MAX)
    return {};
  return path;
}

bool OutputSink::open(const Options &opts) {
  std::lock_guard lock(mu_);
  if (opts.output_file.empty()) {
    fd_ = STDOUT_FILENO;
    own_fd_ = false;
    return true;
  }
  base_ = expand_path(opts.output_file);
  if (base_.empty()) {
    report_error("Invalid FILE name format");
    return false;
  }
  if (opts.rotate_size_mb != 0) {
    numbered_ = true;
    limit_bytes_ = opts.rotate_size_mb * 1024 * 1024;
    keep_ = opts.rotate_count;
  }
  return open_current();
}

std::string OutputSink::current_name() const {
  return numbered_ ? base_ + "." + std::to_string(index_) : base_;
}

bool OutputSink::open_current() {
  std::string name = current_name();
  int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    report_error("Couldn't open output file " + name + ": " + errno_text(errno));
    return false;
  }
  if (own_fd_ && fd_ >= 0)
    ::close(fd_);
  fd_ = fd;
  own_fd_ = true;
  written_ = 0;
  // Keep only the newest N files.
  if (numbered_ && keep_ > 0 && index_ >= keep_)
    unlink((base_ + "." + std::to_string(index_ - keep_)).c_str());
  return true;
}

bool OutputSink::write(const char *data, size_t len) {
  std::lock_guard lock(mu_);
  if (failed_ || fd_ < 0)
    return false;
  if (limit_bytes_ > 0 && written_ > 0 && written_ + static_cast<long>(len) > limit_bytes_) {
    ++index_;
    if (!open_current()) {
      failed_ = true;
      return false;
    }
  }
  while (len > 0) {
    ssize_t n = ::write(fd_, data, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      // A closed pipe (stapio | head) is not worth a message.
      if (errno != EPIPE)
        report_error("Couldn't write output: " + errno_text(errno));
      failed_ = true;
      return false;
    }
    data += n;
    len -= static_cast<size_t>(n);
    written_ += n;
  }
  return true;
}

void OutputSink::switch_file() {
  std::lock_guard lock(mu_);
  if (base_.empty())
    return;
  if (!numbered_) {
    // The first switch leaves FILE as it is and continues in FILE.1.
    numbered_ = true;
    index_ = 0;
  }
  ++index_;
  if (!open_current())
    failed_ = true;
}

void OutputSink::close() {
  std::lock_guard lock(mu_);
  if (own_fd_ && fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
  own_fd_ = false;
}

} // namespace stp
