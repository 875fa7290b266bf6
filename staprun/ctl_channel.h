// ctl_channel.h: the module's control file, /proc/systemtap/MOD/.cmd.
//
// The module lets one process at a time open it (others get EBUSY).  Each
// read returns one whole message; each write is one message.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "staprun/protocol.h"

namespace stp {

struct CtlMessage {
  uint32_t type = 0;
  std::vector<char> payload;
};

class ControlChannel {
public:
  ControlChannel() = default;
  ~ControlChannel();
  ControlChannel(const ControlChannel &) = delete;
  ControlChannel &operator=(const ControlChannel &) = delete;

  // The folder of a loaded module's files: procfs, else debugfs.
  // nullopt when neither exists.
  static std::optional<std::string> module_dir(const std::string &module);

  // Opens MODDIR/.cmd read-write; returns errno on failure.
  int open(const std::string &module_dir, bool nonblocking);
  void close();
  int fd() const { return fd_; }
  bool is_open() const { return fd_ >= 0; }

  // Writes [type][payload].  Returns 0 or the errno of the write.
  int send(uint32_t type, const void *payload, size_t len);
  template <typename T> int send(uint32_t type, const T &msg) {
    return send(type, &msg, sizeof msg);
  }

  // One message.  nullopt with *err = EAGAIN when none is waiting (non-
  // blocking), or another errno; *err = 0 and nullopt at end of file.
  std::optional<CtlMessage> receive(int *err);

private:
  int fd_ = -1;
  std::vector<char> buffer_ = std::vector<char>(kCtlReadBufferSize);
};

} // namespace stp
