// module_setup.cpp: the startup messages of staprun.
#include "staprun/module_setup.h"

#include "staprun/ctl_channel.h"
#include "staprun/options.h"
#include "staprun/protocol.h"
#include "staprun/report.h"

#include <cerrno>
#include <cstring>
#include <ctime>
#include <algorithm>

namespace stp {
namespace {

void copy_name(char *dst, size_t cap, const std::string &src) {
  std::memset(dst, 0, cap);
  std::memcpy(dst, src.data(), std::min(src.size(), cap - 1));
}

} // namespace

bool ModuleSetup::run(int32_t credentials) {
  MsgPrivilegeCredentials pc{credentials};
  if (int err = ctl_.send(kMsgPrivilegeCredentials, pc); err != 0) {
    report_error("Couldn't send privilege credentials to the module: " + errno_text(err));
    return false;
  }
  // No STP_RELOCATION messages: 4.8's staprun reads /proc/kallsyms and
  // every loaded module's sections for them (tens of ms before the first
  // output), but these modules relocate kernel addresses themselves from an
  // exported anchor symbol and probe module code by name.
  if (!send_tzinfo())
    return false;
  if (opts_.remote_given) {
    MsgRemoteId rid{};
    rid.remote_id = opts_.remote_id;
    copy_name(rid.remote_uri, sizeof rid.remote_uri, opts_.remote_uri);
    if (int err = ctl_.send(kMsgRemoteId, rid); err != 0) {
      report_error("Couldn't send the remote id to the module: " + errno_text(err));
      return false;
    }
  }
  return true;
}

bool ModuleSetup::send_tzinfo() {
  tzset();
  time_t now = time(nullptr);
  struct tm tm {};
  if (localtime_r(&now, &tm) == nullptr)
    return true;  // no zone information: the module keeps UTC
  MsgTzinfo tz{};
  // The runtime adds this to UTC seconds the other way round from tm.
  tz.tz_gmtoff = -static_cast<int64_t>(tm.tm_gmtoff);
  copy_name(tz.tz_name, sizeof tz.tz_name, tm.tm_zone != nullptr ? tm.tm_zone : "");
  if (int err = ctl_.send(kMsgTzinfo, tz); err != 0) {
    report_error("Couldn't send the time zone to the module: " + errno_text(err));
    return false;
  }
  return true;
}

} // namespace stp
