// Where a kernel release's BTF comes from when no DWARF is installed:
//   vmlinux  /sys/kernel/btf/vmlinux for the running kernel, else the .BTF section of the
//            vmlinux compressed inside /boot/vmlinuz-REL (extracted once and cached);
//   modules  /sys/kernel/btf/NAME for a loaded module of the running kernel, else the
//            .BTF section of /lib/modules/REL/**/NAME.ko[.xz|.zst|.gz].
#pragma once

#include <map>
#include <string>
#include <vector>

namespace stap::debuginfo {

struct BtfBlob {
  std::string data;    // raw BTF
  std::string origin;  // the file it came from, for messages
  std::string build_id;  // the kernel's GNU build-id (lowercase hex), when known
};

// Decompresses gzip, xz, zstd and lz4 ("legacy" frames, as the kernel's lz4 images use)
// by their magic; other data is returned as it is. False with *error on corrupt data.
bool decompress_by_magic(std::string data, std::string* out, std::string* error);

// The vmlinux ELF inside an x86 bzImage.
bool vmlinux_from_bzimage(const std::string& path, std::string* elf, std::string* error);

// The contents of ELF section `name` of an ELF image in memory.
bool elf_section(std::string& elf, const std::string& name, std::string* out,
                 std::string* error);

// The running kernel's release (uname -r).
std::string running_release();

// vmlinux's BTF for `release`. The blob from a vmlinuz is cached in
// CACHE_DIR/btf/vmlinux-REL-SIZE-MTIME.btf (SIZE and MTIME of the vmlinuz), so only the
// first run decompresses. An empty cache_dir disables caching.
bool load_vmlinux_btf(const std::string& release, const std::string& cache_dir,
                      BtfBlob* out, std::string* error);

// The module files of a release by module name ('-' spelled '_', as the kernel names
// modules), found once by walking /lib/modules/REL.
class ModuleFiles {
 public:
  explicit ModuleFiles(std::string release) : release_(std::move(release)) {}
  // The modules under `root` instead of /lib/modules/RELEASE.
  ModuleFiles(std::string release, std::string root)
      : release_(std::move(release)), root_(std::move(root)) {}
  // The file of module `name`, or "" when there is none.
  std::string path(const std::string& name);
  // Names of every module of the release, sorted.
  std::vector<std::string> names();

 private:
  void scan();
  std::string release_;
  std::string root_;
  bool scanned_ = false;
  std::map<std::string, std::string> files_;
};

// A module's split BTF (relative to vmlinux's). Compressed modules' BTF is cached like
// vmlinux's, under CACHE_DIR/btf/REL/.
bool load_module_btf(const std::string& release, const std::string& name,
                     const std::string& module_path, const std::string& cache_dir,
                     BtfBlob* out, std::string* error);

// Puts the BTF of a compressed module, already decompressed to `elf`, where
// load_module_btf looks for it first. Does nothing for an uncompressed module (read
// directly), or without a cache_dir.
void store_module_btf_cache(const std::string& release, const std::string& name,
                            const std::string& module_path, const std::string& cache_dir,
                            std::string& elf);

// Writes `data` to `path` (creating its folder) through a temporary and a rename, so a
// concurrent reader never sees half a file. Best effort: caches use it.
void write_file_atomic(const std::string& path, const std::string& data);

// The whole file (one read() sized from fstat). False with *error set.
bool read_file(const std::string& path, std::string* out, std::string* error);

// Removes the cache files of `stem` (named STEM@KEY...) in dir other than keep and
// keep + ".build-id".
void drop_stale(const std::string& dir, const std::string& stem, const std::string& keep);

// "SIZE-MTIME" of a file, to key caches by; false when it cannot be stat'ed.
bool file_key(const std::string& path, std::string* key);

// The module name of a .ko path: its basename without .ko[.xz|...], '-' as '_'.
std::string module_name_of(const std::string& path);

}  // namespace stap::debuginfo
