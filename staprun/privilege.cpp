// privilege.cpp: group-based credentials and the unsigned-module rules.
#include "staprun/privilege.h"

#include "staprun/module_image.h"
#include "staprun/protocol.h"
#include "staprun/report.h"

#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace stp {
namespace {

bool in_group(const char *group, gid_t egid, const std::vector<gid_t> &groups) {
  struct group *g = getgrnam(group);
  if (g == nullptr)
    return false;
  if (g->gr_gid == egid || g->gr_gid == getgid())
    return true;
  for (gid_t x : groups)
    if (x == g->gr_gid)
      return true;
  return false;
}

} // namespace

int32_t Privilege::current_credentials() {
  if (getuid() == 0)
    return kPrivStapusr | kPrivStapsys | kPrivStapdev;
  int n = getgroups(0, nullptr);
  std::vector<gid_t> groups(n > 0 ? static_cast<size_t>(n) : 0);
  if (n > 0 && getgroups(n, groups.data()) < 0)
    groups.clear();
  gid_t egid = getegid();
  if (in_group("stapdev", egid, groups))
    return kPrivStapdev | kPrivStapsys | kPrivStapusr;
  if (in_group("stapsys", egid, groups))
    return kPrivStapsys | kPrivStapusr;
  if (in_group("stapusr", egid, groups))
    return kPrivStapusr;
  return kPrivNone;
}

std::string Privilege::name(int32_t mask) {
  if (mask & kPrivStapdev)
    return "stapdev";
  if (mask & kPrivStapsys)
    return "stapsys";
  if (mask & kPrivStapusr)
    return "stapusr";
  return "none";
}

bool Privilege::may_load(const ModuleImage &image, int32_t credentials,
                         const std::string &kernel_release) {
  if (credentials & kPrivStapdev)
    return true;
  if (credentials == kPrivNone) {
    report_error("You are trying to run systemtap as a normal user.\n"
                 "You should either be root, or be part of the group \"stapusr\" and "
                 "possibly one of the groups \"stapsys\" or \"stapdev\".");
    return false;
  }

  // Unsigned modules: only from root's own systemtap module folder.
  std::string dir = "/lib/modules/" + kernel_release + "/systemtap";
  auto refuse = [&](const std::string &why) {
    report_error("Members of the \"stapusr\" and \"stapsys\" groups can only use unsigned "
                 "modules within\n  the \"" + dir + "\" directory.\n" + why);
    return false;
  };
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0)
    return refuse("  Error getting information on that directory");
  if (!S_ISDIR(st.st_mode))
    return refuse("  That path must refer to a directory.");
  if (st.st_uid != 0)
    return refuse("  That directory should be owned by root.");
  if (st.st_mode & S_IWOTH)
    return refuse("  That directory should not be world writable.");
  if (!image.path().starts_with(dir + "/"))
    return refuse("  Module \"" + image.path() + "\" does not exist within that directory.");
  if (stat(image.path().c_str(), &st) != 0) {
    report_error("Couldn't get information on the module\"" + image.path() + "\": " +
                 errno_text(errno));
    return false;
  }
  if (st.st_uid != 0) {
    report_error("The module \"" + image.path() + "\" must be owned by root.");
    return false;
  }
  if (st.st_mode & S_IWOTH) {
    report_error("The module \"" + image.path() + "\" must not be world writable.");
    return false;
  }

  // What the module asks for, against what the user has.
  int32_t required = kPrivStapusr;
  if (auto p = image.required_privilege()) {
    if (*p == kPrivStapusr || *p == kPrivStapsys || *p == kPrivStapdev)
      required = *p;
    else
      required = kPrivStapdev;
  }
  if ((credentials & required) != required) {
    report_error("Your privilege credentials (" + name(credentials) +
                 ") are insufficient to load the module " + image.path() + " (" +
                 name(required) + " required)");
    return false;
  }
  return true;
}

} // namespace stp
