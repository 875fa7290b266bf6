// module_image.h: a kernel module file read into memory.
//
// staprun checks and inserts the bytes it read, never the file again, so
// the file cannot change between the check and init_module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace stp {

class ModuleImage {
public:
  // Reads the whole file at PATH (symlinks resolved first, the final open
  // refuses a symlink).  On failure returns nullopt and sets *error; a
  // path that does not resolve also sets *missing_errno.
  static std::optional<ModuleImage> load(const std::string &path, std::string *error,
                                         int *missing_errno);

  const std::string &path() const { return path_; }   // canonical
  const std::string &name() const { return name_; }   // kernel module name
  const std::vector<char> &bytes() const { return bytes_; }

  // The module's name as the kernel will see it: file base name without
  // ".ko", '-' read as '_'.
  static std::string name_from_path(const std::string &path);

  // -R: gives the module the name PREFIX_PID of the same length by
  // rewriting the name inside .gnu.linkonce.this_module.  Returns false
  // with *error set when the image has no such section or name; *warning is
  // set (and the name kept) when the name is too short to rename.
  bool rename_for_pid(int pid, std::string *error, std::string *warning);

  // The int in section .stap_privilege: nullopt when the section is
  // missing, kPrivUnknown-like garbage is returned as read.
  std::optional<int32_t> required_privilege() const;

  // The build-id (lowercase hex) of the kernel the module was built for, from its
  // .stap_kernel_build_id section; nullopt when it has none.
  std::optional<std::string> kernel_build_id() const;

private:
  // Bytes of the named section, or nullptr (and *size 0).
  char *section(const char *name, size_t *size);
  const char *section(const char *name, size_t *size) const;

  std::string path_;
  std::string name_;
  std::vector<char> bytes_;
};

} // namespace stp
