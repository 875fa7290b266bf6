#include "stap/debuginfo/btf_source.h"
#include "stap/debuginfo/dwarf.h"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <lz4.h>
#include <lzma.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

namespace stap::debuginfo {

namespace fs = std::filesystem;

namespace {

// A decompressed kernel is ~70 MB; anything far beyond is a bomb, not a kernel.
constexpr size_t kMaxOutput = size_t{1} << 30;
constexpr size_t kLz4LegacyBlock = size_t{8} << 20;  // lz4 -l's fixed block size

}  // namespace

// One read() into a string sized from fstat (sysfs files such as /sys/kernel/btf/vmlinux
// report their size too); loops until end of file in case the size was short. A stream
// copy of vmlinux's 5 MB of BTF cost two extra copies and their page faults.
bool read_file(const std::string& path, std::string* out, std::string* error) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    *error = path + ": " + std::strerror(errno);
    return false;
  }
  struct stat st;
  size_t cap = fstat(fd, &st) == 0 && st.st_size > 0 ? static_cast<size_t>(st.st_size) : 0;
  out->clear();
  out->resize(cap + 1);  // one byte spare: a full buffer then means "maybe more"
  size_t have = 0;
  for (;;) {
    if (have == out->size()) out->resize(out->size() * 2 + 4096);
    ssize_t n = read(fd, out->data() + have, out->size() - have);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      *error = path + ": read error: " + std::strerror(errno);
      close(fd);
      return false;
    }
    if (n == 0) break;
    have += static_cast<size_t>(n);
  }
  close(fd);
  out->resize(have);
  return true;
}

namespace {

bool starts_with_bytes(const std::string& d, std::initializer_list<unsigned char> magic) {
  if (d.size() < magic.size()) return false;
  size_t i = 0;
  for (unsigned char c : magic)
    if (static_cast<unsigned char>(d[i++]) != c) return false;
  return true;
}

bool gunzip(const std::string& in, std::string* out, std::string* error) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) {
    *error = "zlib: cannot initialise";
    return false;
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(std::min<size_t>(in.size(), UINT32_MAX));
  out->clear();
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    size_t have = out->size();
    if (have >= kMaxOutput) break;
    out->resize(have + (size_t{4} << 20));
    zs.next_out = reinterpret_cast<Bytef*>(out->data() + have);
    zs.avail_out = static_cast<uInt>(out->size() - have);
    rc = inflate(&zs, Z_NO_FLUSH);
    out->resize(out->size() - zs.avail_out);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    *error = "gzip data is corrupt or truncated";
    return false;
  }
  return true;
}

bool unxz(const std::string& in, std::string* out, std::string* error) {
  lzma_stream ls = LZMA_STREAM_INIT;
  if (lzma_stream_decoder(&ls, UINT64_MAX, 0) != LZMA_OK) {
    *error = "liblzma: cannot initialise";
    return false;
  }
  ls.next_in = reinterpret_cast<const uint8_t*>(in.data());
  ls.avail_in = in.size();
  out->clear();
  lzma_ret rc = LZMA_OK;
  while (rc == LZMA_OK) {
    size_t have = out->size();
    if (have >= kMaxOutput) break;
    out->resize(have + (size_t{4} << 20));
    ls.next_out = reinterpret_cast<uint8_t*>(out->data() + have);
    ls.avail_out = out->size() - have;
    // The input ends where the stream does (a kernel appends its size after it), so
    // LZMA_FINISH from the start is right.
    rc = lzma_code(&ls, LZMA_FINISH);
    out->resize(out->size() - ls.avail_out);
  }
  lzma_end(&ls);
  if (rc != LZMA_STREAM_END) {
    *error = "xz data is corrupt or truncated (liblzma error " + std::to_string(rc) + ")";
    return false;
  }
  return true;
}

bool unzstd(const std::string& in, std::string* out, std::string* error) {
  ZSTD_DCtx* dc = ZSTD_createDCtx();
  if (!dc) {
    *error = "libzstd: cannot initialise";
    return false;
  }
  ZSTD_DCtx_setParameter(dc, ZSTD_d_windowLogMax, 31);  // zstd -22 kernels use big windows
  ZSTD_inBuffer ib{in.data(), in.size(), 0};
  out->clear();
  size_t rc = 1;
  // One frame: what follows it (the kernel's appended size) is not zstd.
  while (rc != 0) {
    size_t have = out->size();
    if (have >= kMaxOutput) break;
    out->resize(have + (size_t{4} << 20));
    ZSTD_outBuffer ob{out->data() + have, out->size() - have, 0};
    rc = ZSTD_decompressStream(dc, &ob, &ib);
    out->resize(have + ob.pos);
    if (ZSTD_isError(rc)) {
      *error = std::string("zstd data is corrupt: ") + ZSTD_getErrorName(rc);
      ZSTD_freeDCtx(dc);
      return false;
    }
    if (rc != 0 && ib.pos == ib.size && ob.pos < ob.size) break;  // input ran out
  }
  ZSTD_freeDCtx(dc);
  if (rc != 0) {
    *error = "zstd data is truncated";
    return false;
  }
  return true;
}

// lz4 -l: the magic, then blocks of (u32 compressed size, data), each at most 8 MiB
// decompressed. What follows the last block (the kernel's appended size) is too short
// to be one.
bool unlz4_legacy(const std::string& in, std::string* out, std::string* error) {
  size_t pos = 4;
  out->clear();
  while (in.size() - pos >= 4) {
    uint32_t csize;
    std::memcpy(&csize, in.data() + pos, 4);
    if (csize == 0x184C2102) {  // another stream's magic
      pos += 4;
      continue;
    }
    if (csize > in.size() - pos - 4) break;
    if (csize > static_cast<uint32_t>(LZ4_compressBound(kLz4LegacyBlock))) break;
    size_t have = out->size();
    if (have >= kMaxOutput) {
      *error = "lz4 data decompresses to more than 1 GiB";
      return false;
    }
    out->resize(have + kLz4LegacyBlock);
    int n = LZ4_decompress_safe(in.data() + pos + 4, out->data() + have, static_cast<int>(csize),
                                static_cast<int>(kLz4LegacyBlock));
    if (n < 0) {
      *error = "lz4 data is corrupt";
      return false;
    }
    out->resize(have + static_cast<size_t>(n));
    pos += 4 + csize;
  }
  if (out->empty()) {
    *error = "lz4 data is truncated";
    return false;
  }
  return true;
}

std::string release_dir(const std::string& release) { return "/lib/modules/" + release; }

// The cached blob for (dir, stem, key); stale ones of the same stem are removed when a
// new one is written.
std::string cache_path(const std::string& dir, const std::string& stem, const std::string& key) {
  return dir + "/" + stem + "@" + key + ".btf";
}

}  // namespace

void drop_stale(const std::string& dir, const std::string& stem, const std::string& keep) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string n = it->path().filename().string();
    std::string path = it->path().string();
    if (n.starts_with(stem + "@") && (n.ends_with(".btf") || n.ends_with(".btf.build-id")) &&
        path != keep && path != keep + ".build-id")
      fs::remove(it->path(), ec);
  }
}


void write_file_atomic(const std::string& path, const std::string& data) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return;  // caching is best effort
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!out) {
      out.close();
      fs::remove(tmp, ec);
      return;
    }
  }
  fs::rename(tmp, path, ec);
  if (ec) fs::remove(tmp, ec);
}

bool file_key(const std::string& path, std::string* key) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return false;
  *key = std::to_string(st.st_size) + "-" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
  return true;
}

bool decompress_by_magic(std::string data, std::string* out, std::string* error) {
  if (starts_with_bytes(data, {0x1f, 0x8b})) return gunzip(data, out, error);
  if (starts_with_bytes(data, {0xfd, '7', 'z', 'X', 'Z', 0x00})) return unxz(data, out, error);
  if (starts_with_bytes(data, {0x28, 0xb5, 0x2f, 0xfd})) return unzstd(data, out, error);
  if (starts_with_bytes(data, {0x02, 0x21, 0x4c, 0x18})) return unlz4_legacy(data, out, error);
  if (starts_with_bytes(data, {'B', 'Z', 'h'})) {
    *error = "bzip2-compressed data is not supported";
    return false;
  }
  if (starts_with_bytes(data, {0x5d, 0x00, 0x00})) {
    *error = "lzma-compressed data is not supported";
    return false;
  }
  if (starts_with_bytes(data, {0x89, 'L', 'Z', 'O'})) {
    *error = "lzo-compressed data is not supported";
    return false;
  }
  *out = std::move(data);
  return true;
}

bool vmlinux_from_bzimage(const std::string& path, std::string* elf, std::string* error) {
  std::string img;
  if (!read_file(path, &img, error)) return false;
  // The x86 boot protocol's setup header: setup_sects at 0x1f1, "HdrS" at 0x202, and
  // since 2.08 payload_offset/payload_length at 0x248, the offset counted from the end
  // of the real-mode setup code.
  if (img.size() < 0x250 || img.compare(0x202, 4, "HdrS") != 0) {
    if (starts_with_bytes(img, {0x7f, 'E', 'L', 'F'})) {  // already a vmlinux
      *elf = std::move(img);
      return true;
    }
    *error = path + ": not an x86 bzImage (no HdrS setup header)";
    return false;
  }
  uint16_t version;
  std::memcpy(&version, img.data() + 0x206, 2);
  if (version < 0x208) {
    *error = path + ": boot protocol too old to locate the compressed kernel";
    return false;
  }
  unsigned setup_sects = static_cast<unsigned char>(img[0x1f1]);
  if (setup_sects == 0) setup_sects = 4;
  uint32_t payload_off, payload_len;
  std::memcpy(&payload_off, img.data() + 0x248, 4);
  std::memcpy(&payload_len, img.data() + 0x24c, 4);
  uint64_t start = (uint64_t{setup_sects} + 1) * 512 + payload_off;
  if (start > img.size() || payload_len > img.size() - start || payload_len < 4) {
    *error = path + ": compressed kernel lies outside the file";
    return false;
  }
  std::string err;
  if (!decompress_by_magic(img.substr(start, payload_len), elf, &err)) {
    *error = path + ": " + err;
    return false;
  }
  if (!starts_with_bytes(*elf, {0x7f, 'E', 'L', 'F'})) {
    *error = path + ": the compressed kernel is in a format not supported";
    return false;
  }
  return true;
}

bool elf_section(std::string& image, const std::string& name, std::string* out,
                 std::string* error) {
  elf_version(EV_CURRENT);
  Elf* e = elf_memory(image.data(), image.size());
  if (!e) {
    *error = std::string("not an ELF file: ") + elf_errmsg(-1);
    return false;
  }
  size_t shstrndx;
  bool found = false;
  if (elf_kind(e) == ELF_K_ELF && elf_getshdrstrndx(e, &shstrndx) == 0) {
    for (Elf_Scn* s = elf_nextscn(e, nullptr); s; s = elf_nextscn(e, s)) {
      GElf_Shdr sh;
      if (!gelf_getshdr(s, &sh)) continue;
      const char* n = elf_strptr(e, shstrndx, sh.sh_name);
      if (!n || name != n) continue;
      if (sh.sh_type == SHT_NOBITS || sh.sh_offset > image.size() ||
          sh.sh_size > image.size() - sh.sh_offset) {
        *error = "section " + name + " lies outside the file";
        elf_end(e);
        return false;
      }
      out->assign(image.data() + sh.sh_offset, sh.sh_size);
      found = true;
      break;
    }
  }
  elf_end(e);
  if (!found) *error = "no " + name + " section";
  return found;
}

std::string running_release() {
  struct utsname u;
  if (uname(&u) != 0) return {};
  return u.release;
}

bool load_vmlinux_btf(const std::string& release, const std::string& cache_dir, BtfBlob* out,
                      std::string* error) {
  if (release == running_release()) {
    std::string err;
    if (read_file("/sys/kernel/btf/vmlinux", &out->data, &err)) {
      out->origin = "/sys/kernel/btf/vmlinux";
      std::string notes;
      if (read_file("/sys/kernel/notes", &notes, &err)) out->build_id = build_id_from_notes(notes);
      return true;
    }
  }
  std::string vmlinuz = "/boot/vmlinuz-" + release;
  std::string key;
  if (!file_key(vmlinuz, &key)) {
    *error = vmlinuz + ": " + std::strerror(errno);
    return false;
  }
  std::string dir = cache_dir.empty() ? "" : cache_dir + "/btf";
  std::string cached = dir.empty() ? "" : cache_path(dir, "vmlinux-" + release, key);
  std::string err;
  if (!cached.empty() && read_file(cached, &out->data, &err)) {
    out->origin = vmlinuz;
    read_file(cached + ".build-id", &out->build_id, &err);
    return true;
  }
  std::string elf;
  if (!vmlinux_from_bzimage(vmlinuz, &elf, error)) return false;
  if (!elf_section(elf, ".BTF", &out->data, &err)) {
    *error = vmlinuz + ": " + err + " (a kernel built without CONFIG_DEBUG_INFO_BTF)";
    return false;
  }
  out->origin = vmlinuz;
  std::string notes;
  if (elf_section(elf, ".notes", &notes, &err)) out->build_id = build_id_from_notes(notes);
  if (!cached.empty()) {
    // The build-id first: a cached BTF without its build-id file would look complete.
    write_file_atomic(cached + ".build-id", out->build_id);
    write_file_atomic(cached, out->data);
    drop_stale(dir, "vmlinux-" + release, cached);
  }
  return true;
}

std::string module_name_of(const std::string& path) {
  std::string n = fs::path(path).filename().string();
  size_t ko = n.find(".ko");
  if (ko != std::string::npos) n.resize(ko);
  for (char& c : n)
    if (c == '-') c = '_';
  return n;
}

void ModuleFiles::scan() {
  if (scanned_) return;
  scanned_ = true;
  std::error_code ec;
  // build/ and source/ are symlinks, which the iterator does not follow.
  for (fs::recursive_directory_iterator it(root_.empty() ? release_dir(release_) : root_, ec), end;
       !ec && it != end;
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string n = it->path().filename().string();
    if (!(n.ends_with(".ko") || n.ends_with(".ko.xz") || n.ends_with(".ko.zst") ||
          n.ends_with(".ko.gz")))
      continue;
    // An updates/ or extra/ copy wins over kernel/, as depmod orders them.
    std::string name = module_name_of(n);
    std::string p = it->path().string();
    auto [slot, fresh] = files_.try_emplace(name, p);
    if (!fresh && slot->second.find("/kernel/") != std::string::npos &&
        p.find("/kernel/") == std::string::npos)
      slot->second = p;
  }
}

std::string ModuleFiles::path(const std::string& name) {
  scan();
  std::string n = name;
  for (char& c : n)
    if (c == '-') c = '_';
  auto it = files_.find(n);
  return it == files_.end() ? "" : it->second;
}

std::vector<std::string> ModuleFiles::names() {
  scan();
  std::vector<std::string> out;
  for (const auto& [n, p] : files_) out.push_back(n);
  return out;
}

bool load_module_btf(const std::string& release, const std::string& name,
                     const std::string& module_path, const std::string& cache_dir, BtfBlob* out,
                     std::string* error) {
  if (release == running_release()) {
    std::string err, sys = "/sys/kernel/btf/" + name;
    if (read_file(sys, &out->data, &err)) {
      out->origin = sys;
      return true;
    }
  }
  if (module_path.empty()) {
    *error = "no module " + name + " in " + release_dir(release);
    return false;
  }
  bool compressed = !module_path.ends_with(".ko");
  std::string key, dir, cached, err;
  if (compressed && !cache_dir.empty() && file_key(module_path, &key)) {
    dir = cache_dir + "/btf/" + release;
    cached = cache_path(dir, name, key);
    if (read_file(cached, &out->data, &err)) {
      out->origin = module_path;
      return true;
    }
  }
  std::string raw, elf;
  if (!read_file(module_path, &raw, error)) return false;
  if (!decompress_by_magic(std::move(raw), &elf, &err) ||
      !elf_section(elf, ".BTF", &out->data, &err)) {
    *error = module_path + ": " + err;
    return false;
  }
  out->origin = module_path;
  if (!cached.empty()) {
    write_file_atomic(cached, out->data);
    drop_stale(dir, name, cached);
  }
  return true;
}

void store_module_btf_cache(const std::string& release, const std::string& name,
                            const std::string& module_path, const std::string& cache_dir,
                            std::string& elf) {
  std::string key, btf, err;
  if (module_path.ends_with(".ko") || cache_dir.empty() || !file_key(module_path, &key)) return;
  std::string dir = cache_dir + "/btf/" + release;
  std::string cached = cache_path(dir, name, key);
  if (fs::exists(cached) || !elf_section(elf, ".BTF", &btf, &err)) return;
  write_file_atomic(cached, btf);
  drop_stale(dir, name, cached);
}

}  // namespace stap::debuginfo
