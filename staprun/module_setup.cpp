// module_setup.cpp: the startup messages of staprun.
#include "staprun/module_setup.h"

#include "staprun/ctl_channel.h"
#include "staprun/options.h"
#include "staprun/protocol.h"
#include "staprun/report.h"

#include <array>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fstream>
#include <string_view>
#include <unistd.h>

namespace stp {
namespace {

// Kernel symbols the runtime cannot look up itself because the kernel no
// longer exports them (the runtime finds the rest through the first one).
constexpr std::array<std::string_view, 4> kKernelSymbols = {
    "_stext", "kallsyms_lookup_name", "kallsyms_on_each_symbol",
    "module_kallsyms_on_each_symbol"};

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
  // Relocations need root; the module would answer EPERM anyway.
  if (geteuid() == 0) {
    if (!send_kernel_relocations() || !send_module_sections())
      return false;
  }
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

bool ModuleSetup::send_relocation(const std::string &module, const std::string &reloc,
                                  uint64_t address) {
  if (module.size() >= kModuleNameLen) {
    report_debug(1, "module name too long: " + module);
    return true;
  }
  if (reloc.size() >= kSymbolNameLen) {
    report_debug(1, "reloc name too long: " + reloc);
    return true;
  }
  MsgRelocation msg{};
  copy_name(msg.module, sizeof msg.module, module);
  copy_name(msg.reloc, sizeof msg.reloc, reloc);
  msg.address = address;
  report_debug(2, "relocate " + module + " " + reloc);
  if (int err = ctl_.send(kMsgRelocation, msg); err != 0) {
    report_error("Couldn't send relocation " + module + " " + reloc + ": " + errno_text(err));
    return false;
  }
  return true;
}

bool ModuleSetup::send_kernel_relocations() {
  std::ifstream in("/proc/kallsyms");
  if (!in) {
    report_error("cannot open /proc/kallsyms");
    return false;
  }
  // Only kernel (not module) symbols: module lines carry a "[mod]" column.
  std::array<uint64_t, kKernelSymbols.size()> found{};
  std::array<bool, kKernelSymbols.size()> seen{};
  size_t remaining = kKernelSymbols.size();
  std::string line;
  while (remaining > 0 && std::getline(in, line)) {
    if (line.find('[') != std::string::npos)
      continue;
    char type = 0;
    unsigned long long addr = 0;
    char name[256];
    if (std::sscanf(line.c_str(), "%llx %c %255s", &addr, &type, name) != 3)
      continue;
    for (size_t i = 0; i < kKernelSymbols.size(); ++i) {
      if (!seen[i] && kKernelSymbols[i] == name) {
        seen[i] = true;
        found[i] = addr;
        --remaining;
      }
    }
  }
  // A symbol hidden by kptr_restrict reads as 0: the runtime then asks
  // kallsyms_lookup_name itself, so 0 is still worth sending for _stext.
  for (size_t i = 0; i < kKernelSymbols.size(); ++i) {
    if (!seen[i] && i != 0)
      continue;
    if (!send_relocation("kernel", std::string(kKernelSymbols[i]), found[i]))
      return false;
  }
  return true;
}

bool ModuleSetup::send_module_sections() {
  DIR *mods = opendir("/sys/module");
  if (mods == nullptr)
    return true;  // no sysfs: nothing to relocate against
  bool ok = true;
  while (struct dirent *m = readdir(mods)) {
    std::string mod = m->d_name;
    if (mod == "." || mod == "..")
      continue;
    std::string dir = "/sys/module/" + mod + "/sections";
    DIR *secs = opendir(dir.c_str());
    if (secs == nullptr)
      continue;  // built-in: no sections
    while (struct dirent *s = readdir(secs)) {
      std::string sec = s->d_name;
      if (sec == "." || sec == "..")
        continue;
      uint64_t addr = 0;
      // Init sections are freed after load; a stale address would let a
      // probe land in reused memory.
      if (!sec.starts_with(".init")) {
        std::ifstream f(dir + "/" + sec);
        std::string text;
        if (!(f >> text))
          continue;
        addr = std::strtoull(text.c_str(), nullptr, 16);
      }
      if (!send_relocation(mod, sec, addr)) {
        ok = false;
        break;
      }
    }
    closedir(secs);
    if (!ok)
      break;
  }
  closedir(mods);
  return ok;
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
