// module_image.cpp: reading a module file and the two ELF sections staprun
// cares about.  Only 64-bit little-endian ELF is handled: that is every
// kernel this tool targets, and anything else fails later in init_module
// with "Invalid module format" anyway.
#include "staprun/module_image.h"

#include "staprun/report.h"

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <elf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace stp {

std::optional<ModuleImage> ModuleImage::load(const std::string &path, std::string *error,
                                             int *missing_errno) {
  char real[PATH_MAX];
  if (realpath(path.c_str(), real) == nullptr) {
    *missing_errno = errno;
    *error = "Unable to canonicalize path \"" + path + "\": " + errno_text(errno);
    return std::nullopt;
  }
  ModuleImage img;
  img.path_ = real;
  img.name_ = name_from_path(img.path_);
  report_debug(2, "module path canonicalized to '" + img.path_ + "'");

  int fd = ::open(real, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    *error = "Couldn't open '" + img.path_ + "': " + errno_text(errno);
    return std::nullopt;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0) {
    *error = "Error stat'ing '" + img.path_ + "': " + errno_text(errno);
    ::close(fd);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    *error = "Couldn't insert module '" + img.path_ + "': " + errno_text(EINVAL);
    ::close(fd);
    return std::nullopt;
  }
  img.bytes_.resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  while (done < img.bytes_.size()) {
    ssize_t n = ::read(fd, img.bytes_.data() + done, img.bytes_.size() - done);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      *error = "Error reading '" + img.path_ + "': " + errno_text(errno);
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) {
      *error = "Unexpected EOF reading '" + img.path_ + "'";
      ::close(fd);
      return std::nullopt;
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
  return img;
}

std::string ModuleImage::name_from_path(const std::string &path) {
  auto slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  if (base.size() > 3 && base.ends_with(".ko"))
    base.resize(base.size() - 3);
  for (char &c : base)
    if (c == '-')
      c = '_';
  return base;
}

const char *ModuleImage::section(const char *name, size_t *size) const {
  *size = 0;
  const char *b = bytes_.data();
  size_t n = bytes_.size();
  if (n < sizeof(Elf64_Ehdr) || std::memcmp(b, ELFMAG, SELFMAG) != 0 ||
      b[EI_CLASS] != ELFCLASS64)
    return nullptr;
  Elf64_Ehdr eh;
  std::memcpy(&eh, b, sizeof eh);
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shoff > n ||
      eh.e_shnum > (n - eh.e_shoff) / sizeof(Elf64_Shdr) || eh.e_shstrndx >= eh.e_shnum)
    return nullptr;
  auto shdr = [&](size_t i) {
    Elf64_Shdr sh;
    std::memcpy(&sh, b + eh.e_shoff + i * sizeof(Elf64_Shdr), sizeof sh);
    return sh;
  };
  Elf64_Shdr strs = shdr(eh.e_shstrndx);
  if (strs.sh_offset > n || strs.sh_size > n - strs.sh_offset)
    return nullptr;
  size_t want = std::strlen(name);
  for (size_t i = 0; i < eh.e_shnum; ++i) {
    Elf64_Shdr sh = shdr(i);
    if (sh.sh_name >= strs.sh_size || strs.sh_size - sh.sh_name <= want)
      continue;
    const char *sname = b + strs.sh_offset + sh.sh_name;
    if (std::memcmp(sname, name, want + 1) != 0)
      continue;
    if (sh.sh_type == SHT_NOBITS || sh.sh_offset > n || sh.sh_size > n - sh.sh_offset)
      return nullptr;
    *size = sh.sh_size;
    return b + sh.sh_offset;
  }
  return nullptr;
}

char *ModuleImage::section(const char *name, size_t *size) {
  return const_cast<char *>(static_cast<const ModuleImage *>(this)->section(name, size));
}

bool ModuleImage::rename_for_pid(int pid, std::string *error, std::string *warning) {
  std::string suffix = "_" + std::to_string(pid);
  if (name_.size() <= suffix.size()) {
    *warning = "Old module name '" + name_ + "' is too short for renaming, ignoring -R.";
    return true;
  }
  size_t size = 0;
  char *data = section(".gnu.linkonce.this_module", &size);
  if (data == nullptr) {
    *error = "Section name \".gnu.linkonce.this_module\" not found in module.";
    return false;
  }
  // struct module keeps its name in a fixed char array near the start; find
  // the NUL-terminated old name rather than depend on the kernel's layout.
  std::string needle = name_ + '\0';
  std::string_view hay(data, size);
  auto at = hay.find(needle);
  if (at == std::string_view::npos) {
    *error = "Error renaming module";
    return false;
  }
  std::string renamed = name_.substr(0, name_.size() - suffix.size()) + suffix;
  std::memcpy(data + at, renamed.data(), renamed.size());
  report_debug(1, "Renamed module to '" + renamed + "'");
  name_ = renamed;
  return true;
}

std::optional<int32_t> ModuleImage::required_privilege() const {
  size_t size = 0;
  const char *data = section(".stap_privilege", &size);
  if (data == nullptr)
    return std::nullopt;
  if (size != sizeof(int32_t))
    return -1;  // malformed: the caller demands the most privilege
  int32_t v;
  std::memcpy(&v, data, sizeof v);
  return v;
}

std::optional<std::string> ModuleImage::kernel_build_id() const {
  size_t size = 0;
  const char *data = section(".stap_kernel_build_id", &size);
  if (data == nullptr)
    return std::nullopt;
  return std::string(data, strnlen(data, size));
}

} // namespace stp
