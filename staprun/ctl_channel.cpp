// ctl_channel.cpp: open, write and read the module's .cmd file.
#include "staprun/ctl_channel.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace stp {

ControlChannel::~ControlChannel() { close(); }

std::optional<std::string> ControlChannel::module_dir(const std::string &module) {
  for (const char *base : {"/proc/systemtap/", "/sys/kernel/debug/systemtap/"}) {
    std::string dir = base + module;
    struct stat st {};
    if (stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
      return dir;
  }
  return std::nullopt;
}

int ControlChannel::open(const std::string &module_dir, bool nonblocking) {
  close();
  std::string path = module_dir + "/.cmd";
  int flags = O_RDWR | O_CLOEXEC | (nonblocking ? O_NONBLOCK : 0);
  fd_ = ::open(path.c_str(), flags);
  return fd_ < 0 ? errno : 0;
}

void ControlChannel::close() {
  if (fd_ >= 0)
    ::close(fd_);
  fd_ = -1;
}

int ControlChannel::send(uint32_t type, const void *payload, size_t len) {
  std::vector<char> msg(sizeof type + len);
  std::memcpy(msg.data(), &type, sizeof type);
  if (len != 0)
    std::memcpy(msg.data() + sizeof type, payload, len);
  for (;;) {
    ssize_t n = ::write(fd_, msg.data(), msg.size());
    if (n >= 0)
      return 0;  // modules answer count or count-4; both mean taken
    if (errno != EINTR)
      return errno;
  }
}

std::optional<CtlMessage> ControlChannel::receive(int *err) {
  for (;;) {
    ssize_t n = ::read(fd_, buffer_.data(), buffer_.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      *err = errno;
      return std::nullopt;
    }
    if (n == 0) {
      *err = 0;
      return std::nullopt;
    }
    if (static_cast<size_t>(n) < sizeof(uint32_t))
      continue;  // a runt message carries nothing we could act on
    CtlMessage m;
    std::memcpy(&m.type, buffer_.data(), sizeof m.type);
    m.payload.assign(buffer_.data() + sizeof m.type, buffer_.data() + n);
    return m;
  }
}

} // namespace stp
