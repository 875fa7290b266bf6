// module_setup.cpp: the startup messages of staprun.
#include "staprun/module_setup.h"

#include "staprun/ctl_channel.h"
#include "staprun/options.h"
#include "staprun/protocol.h"
#include "staprun/report.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <dirent.h>
#include <fcntl.h>
#include <string_view>
#include <unistd.h>
#include <vector>

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
  // /proc/kallsyms has well over 100000 lines: read it in large blocks and
  // look only at the name field, which is much cheaper than a stream and
  // sscanf per line (this runs before the module's first output).
  int fd = ::open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    report_error("cannot open /proc/kallsyms");
    return false;
  }
  std::array<uint64_t, kKernelSymbols.size()> found{};
  std::array<bool, kKernelSymbols.size()> seen{};
  size_t remaining = kKernelSymbols.size();
  std::vector<char> buf(1 << 16);
  size_t have = 0;
  bool eof = false;
  while (remaining > 0 && !(eof && have == 0)) {
    if (!eof && have < buf.size()) {
      ssize_t n = ::read(fd, buf.data() + have, buf.size() - have);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        eof = true;
      else
        have += static_cast<size_t>(n);
    }
    std::string_view text(buf.data(), have);
    size_t pos = 0;
    while (remaining > 0) {
      size_t nl = text.find('\n', pos);
      if (nl == std::string_view::npos) {
        if (!eof) {
          // A partial line: read more first (into a bigger buffer if this
          // line fills it all).
          if (pos == 0 && have == buf.size())
            buf.resize(buf.size() * 2);
          break;
        }
        nl = text.size();
      }
      std::string_view line = text.substr(pos, nl - pos);
      pos = nl + (nl < text.size() ? 1 : 0);
      // "ADDR TYPE NAME", plus "\t[mod]" on module (and bpf, ftrace)
      // symbols, which all come after the kernel's own: stop there.
      if (line.find('[') != std::string_view::npos) {
        remaining = 0;
        break;
      }
      size_t sp1 = line.find(' ');
      size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
      if (sp2 == std::string_view::npos || sp2 != sp1 + 2 || sp1 == 0)
        continue;
      std::string_view name = line.substr(sp2 + 1);
      name = name.substr(0, name.find_first_of(" \t"));
      for (size_t i = 0; i < kKernelSymbols.size(); ++i) {
        if (!seen[i] && kKernelSymbols[i] == name) {
          std::string addr(line.substr(0, sp1));
          char *end = nullptr;
          unsigned long long v = std::strtoull(addr.c_str(), &end, 16);
          if (end == addr.c_str() || *end != '\0')
            break;
          seen[i] = true;
          found[i] = v;
          --remaining;
          break;
        }
      }
      if (pos >= text.size())
        break;
    }
    std::memmove(buf.data(), buf.data() + pos, have - pos);
    have -= pos;
  }
  ::close(fd);
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

// The loaded modules, the only ones with sections to relocate against:
// /proc/modules names them directly, where /sys/module also lists every
// built-in module (without sections), each a failed lookup.
static std::vector<std::string> loaded_modules() {
  std::vector<std::string> names;
  int fd = ::open("/proc/modules", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    std::string text;
    char buf[16384];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
      if (n > 0)
        text.append(buf, static_cast<size_t>(n));
    ::close(fd);
    if (n == 0) {
      for (size_t pos = 0; pos < text.size();) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string::npos)
          nl = text.size();
        std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        std::string name = line.substr(0, line.find(' '));
        if (!name.empty())
          names.push_back(name);
      }
      return names;
    }
  }
  DIR *mods = opendir("/sys/module");
  if (mods == nullptr)
    return names;  // no sysfs: nothing to relocate against
  while (struct dirent *m = readdir(mods)) {
    std::string mod = m->d_name;
    if (mod != "." && mod != "..")
      names.push_back(mod);
  }
  closedir(mods);
  return names;
}

bool ModuleSetup::send_module_sections() {
  for (const std::string &mod : loaded_modules()) {
    std::string dir = "/sys/module/" + mod + "/sections";
    DIR *secs = opendir(dir.c_str());
    if (secs == nullptr)
      continue;  // built-in: no sections
    bool ok = true;
    while (struct dirent *s = readdir(secs)) {
      std::string sec = s->d_name;
      if (sec == "." || sec == "..")
        continue;
      uint64_t addr = 0;
      // Init sections are freed after load; a stale address would let a
      // probe land in reused memory.
      if (!sec.starts_with(".init")) {
        int fd = ::openat(dirfd(secs), sec.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
          continue;
        char text[64];
        ssize_t n = ::read(fd, text, sizeof text - 1);
        ::close(fd);
        if (n <= 0)
          continue;
        text[n] = '\0';
        addr = std::strtoull(text, nullptr, 16);
      }
      if (!send_relocation(mod, sec, addr)) {
        ok = false;
        break;
      }
    }
    closedir(secs);
    if (!ok)
      return false;
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
