// The BTF reader and the BTF-backed KernelInfo against real kernels: this machine's own
// (/sys/kernel/btf/vmlinux) and Debian's 6.1 and 6.12 cloud images in /boot. A test
// whose kernel is not on the machine is skipped with a message saying what to install.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <regex>
#include <string>

#include "stap/debuginfo/btf.h"
#include "stap/debuginfo/btf_kernel_info.h"
#include "stap/debuginfo/btf_source.h"
#include "stap/debuginfo/image_kallsyms.h"
#include "stap/debuginfo/kernel_info.h"
#include "stap/debuginfo/types.h"

namespace fs = std::filesystem;
using namespace stap::debuginfo;

namespace {

constexpr const char* k61 = "6.1.0-56-cloud-amd64";
constexpr const char* k612 = "6.12.117+deb12-cloud-amd64";

bool have_image(const std::string& rel) { return fs::exists("/boot/vmlinuz-" + rel); }

#define NEED_IMAGE(rel)                                                                   \
  if (!have_image(rel))                                                                   \
  GTEST_SKIP() << "/boot/vmlinuz-" << rel                                                 \
               << " missing: run testsuite/guest/setup-kernels.sh (it installs the image)"

// A fresh cache directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/btf_test.XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// "$name:type ..." as stap -L prints a function's parameters.
std::string param_list(const Function& f) {
  std::string s;
  for (const Variable& v : f.params) {
    if (!s.empty()) s += ' ';
    s += "$" + v.name + ":" + type_name(v.type);
  }
  return s;
}

// pahole's offset of struct S's member M in a BTF file (an independent reader), or -1.
long pahole_offset(const std::string& btf_file, const std::string& s, const std::string& m) {
  if (system("command -v pahole >/dev/null 2>&1") != 0) return -1;
  std::string cmd = "pahole -F btf -C " + s + " " + btf_file + " 2>/dev/null";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  std::string out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  std::smatch sm;
  std::regex re("[ *]" + m + ";\\s*/\\*\\s*(\\d+)");
  if (!std::regex_search(out, sm, re)) return -1;
  return std::stol(sm[1]);
}

uint64_t member_offset(const Type* agg, const std::string& name) {
  Member m;
  EXPECT_TRUE(find_member(agg, name, &m)) << name;
  return m.bit_offset / 8;
}

}  // namespace

// --- the type model ------------------------------------------------------------------

TEST(TypeTable, FindSpellingsAndFwdReplacement) {
  TypeTable tt;
  Type ul;
  ul.kind = TypeKind::Int;
  ul.name = "long unsigned int";
  ul.size = 8;
  const Type* ulp = tt.add(ul);
  Type fwd;
  fwd.kind = TypeKind::Fwd;
  fwd.name = "file";
  const Type* f = tt.add(fwd);
  EXPECT_EQ(tt.find("struct file"), f);
  Type def;
  def.kind = TypeKind::Struct;
  def.name = "file";
  def.size = 200;
  Type* d = tt.add(def);
  EXPECT_EQ(tt.find("struct file"), d);
  EXPECT_EQ(resolve(f), d);  // pointers to the Fwd reach the definition
  EXPECT_EQ(tt.find("unsigned long"), ulp);
  EXPECT_EQ(tt.find("long  unsigned"), ulp);
  const Type* pp = tt.find("struct file **");
  ASSERT_NE(pp, nullptr);
  EXPECT_EQ(type_name(pp), "struct file**");
  EXPECT_EQ(pp->ref, tt.pointer_to(d));
  EXPECT_EQ(tt.find("struct nosuch"), nullptr);
  EXPECT_EQ(tt.find("struct file * x"), nullptr);
  EXPECT_EQ(tt.find(""), nullptr);
  EXPECT_EQ(type_name(tt.find("void*")), "void*");
}

TEST(TypeTable, AnonymousMembersAddTheirOffsets) {
  TypeTable tt;
  Type i;
  i.kind = TypeKind::Int;
  i.name = "int";
  i.size = 4;
  const Type* it = tt.add(i);
  Type inner;
  inner.kind = TypeKind::Union;
  inner.size = 4;
  inner.members = {{"a", it, 0, 0}, {"b", it, 0, 0}};
  const Type* u = tt.add(inner);
  Type outer;
  outer.kind = TypeKind::Struct;
  outer.name = "s";
  outer.size = 12;
  outer.members = {{"x", it, 0, 0}, {"", u, 64, 0}};
  tt.add(outer);
  Member m;
  ASSERT_TRUE(find_member(tt.find("struct s"), "b", &m));
  EXPECT_EQ(m.bit_offset, 64u);
  EXPECT_FALSE(find_member(tt.find("struct s"), "c", &m));
  EXPECT_EQ(type_name(u), "union {...}");
}

// --- raw BTF -----------------------------------------------------------------------

TEST(Btf, RejectsMalformedData) {
  TypeTable tt;
  std::string err;
  EXPECT_EQ(Btf::parse("", nullptr, &tt, &err), nullptr);
  EXPECT_NE(err.find("invalid BTF"), std::string::npos);
  EXPECT_EQ(Btf::parse(std::string(64, 'x'), nullptr, &tt, &err), nullptr);
  EXPECT_NE(err.find("bad magic"), std::string::npos);
  BtfBlob blob;
  ASSERT_TRUE(load_vmlinux_btf(running_release(), "", &blob, &err)) << err;
  // Cut in the middle of the type section: the header's lengths no longer fit.
  EXPECT_EQ(Btf::parse(blob.data.substr(0, blob.data.size() / 2), nullptr, &tt, &err), nullptr);
  EXPECT_NE(err.find("outside"), std::string::npos) << err;
  // An unknown kind in the first type record.
  std::string bad = blob.data;
  uint32_t hdr_len, type_off;
  std::memcpy(&hdr_len, bad.data() + 4, 4);
  std::memcpy(&type_off, bad.data() + 8, 4);
  bad[hdr_len + type_off + 7] = 0x1f;  // kind bits 24..28 of info
  EXPECT_EQ(Btf::parse(bad, nullptr, &tt, &err), nullptr);
  EXPECT_NE(err.find("unknown kind 31"), std::string::npos) << err;
}

TEST(Btf, HostTaskStructMatchesPahole) {
  TypeTable tt;
  BtfBlob blob;
  std::string err;
  ASSERT_TRUE(load_vmlinux_btf(running_release(), "", &blob, &err)) << err;
  EXPECT_EQ(blob.origin, "/sys/kernel/btf/vmlinux");
  auto btf = Btf::parse(blob.data, nullptr, &tt, &err);
  ASSERT_NE(btf, nullptr) << err;
  const Type* ts = btf->find_type("struct task_struct");
  ASSERT_NE(ts, nullptr);
  EXPECT_EQ(ts->kind, TypeKind::Struct);
  long want = pahole_offset("/sys/kernel/btf/vmlinux", "task_struct", "pid");
  if (want < 0) GTEST_SKIP() << "pahole (package pahole) is not installed";
  EXPECT_EQ(member_offset(ts, "pid"), static_cast<uint64_t>(want));
  EXPECT_EQ(member_offset(ts, "tgid"),
            static_cast<uint64_t>(pahole_offset("/sys/kernel/btf/vmlinux", "task_struct", "tgid")));
  Member pid;
  ASSERT_TRUE(find_member(ts, "pid", &pid));
  EXPECT_EQ(type_name(pid.type), "pid_t");
  EXPECT_EQ(resolve(pid.type)->size, 4u);
  EXPECT_TRUE(resolve(pid.type)->is_signed);
}

// BTF only: which functions the kernel refuses to kprobe, from the image's kallsyms
// and tables (6.1 is checked against DWARF in dwarf_test.cpp), cached per release.
TEST(Btf, RefusedFunctionsFromImage) {
  for (const char* rel : {k61, k612}) {
    if (!have_image(rel)) continue;
    TempDir cache;
    ImageKprobeInfo cold, warm;
    std::string err;
    ASSERT_TRUE(load_image_kprobe_info(rel, cache.path(), &cold, &err)) << rel << ": " << err;
    for (const char* n : {"native_sched_clock", "exc_page_fault", "notifier_call_chain",
                          "sched_clock_stable", "preempt_schedule"}) {
      EXPECT_TRUE(cold.refused.count(n)) << rel << " " << n;
    }
    for (const char* n : {"vfs_read", "do_sys_openat2", "schedule", "sched_clock_cpu"}) {
      EXPECT_FALSE(cold.refused.count(n) || cold.discarded.count(n)) << rel << " " << n;
    }
    EXPECT_TRUE(cold.discarded.count("sched_clock_init")) << rel;
    EXPECT_GT(cold.refused.size(), 300u) << rel;
    // The second load reads the cache file and gives the same sets.
    ASSERT_TRUE(load_image_kprobe_info(rel, cache.path(), &warm, &err)) << err;
    EXPECT_EQ(warm.refused, cold.refused);
    EXPECT_EQ(warm.discarded, cold.discarded);
    size_t files = 0;
    for (const auto& e : fs::directory_iterator(cache.path() + "/btf"))
      files += e.path().filename().string().starts_with("kprobe-refused-");
    EXPECT_EQ(files, 1u);
    // The BTF listing leaves both kinds out of wildcards.
    BtfKernelInfo ki(rel, cache.path());
    bool cpu = false;
    for (const Function& f : ki.functions("sched_clock_*", "kernel")) {
      EXPECT_FALSE(cold.discarded.count(f.name)) << f.name;
      EXPECT_EQ(f.kprobe_refused, cold.refused.count(f.name) > 0) << f.name;
      cpu |= f.name == "sched_clock_cpu";
    }
    EXPECT_TRUE(cpu) << rel;
  }
  std::string err;
  ImageKprobeInfo none;
  EXPECT_FALSE(load_image_kprobe_info("0.0.0-nosuch", "", &none, &err));
  EXPECT_NE(err.find("/boot/vmlinuz-0.0.0-nosuch"), std::string::npos) << err;
}

// 6.1's offsets from its DWARF (pahole on the -dbg package's vmlinux): BTF must agree.
TEST(Btf, Vmlinuz61Lz4OffsetsMatchDwarf) {
  NEED_IMAGE(k61);
  TempDir cache;
  BtfKernelInfo ki(k61, cache.path());
  const Type* ts = ki.find_type("struct task_struct", "kernel");
  ASSERT_NE(ts, nullptr) << ki.missing_hint();
  EXPECT_EQ(ki.vmlinux_origin(), std::string("/boot/vmlinuz-") + k61);
  EXPECT_EQ(member_offset(ts, "pid"), 2416u);
  EXPECT_EQ(member_offset(ts, "tgid"), 2420u);
  EXPECT_EQ(member_offset(ts, "real_parent"), 2432u);
  EXPECT_EQ(member_offset(ts, "comm"), 2976u);
  const Type* skb = ki.find_type("struct sk_buff", "kernel");
  ASSERT_NE(skb, nullptr);
  EXPECT_EQ(member_offset(skb, "next"), 0u);  // inside an anonymous union and struct
  EXPECT_EQ(member_offset(skb, "dev"), 16u);
  EXPECT_EQ(member_offset(skb, "len"), 112u);
  Member comm;
  ASSERT_TRUE(find_member(ts, "comm", &comm));
  EXPECT_EQ(type_name(comm.type), "char[]");
  EXPECT_EQ(resolve(comm.type)->count, 16u);
  EXPECT_TRUE(resolve(resolve(comm.type)->ref)->is_char);
}

// The parameter lists stap 4.8 -L printed for 6.1 from DWARF (locals dropped).
TEST(BtfKernelInfo, Functions61SpelledAsStap48) {
  NEED_IMAGE(k61);
  TempDir cache;
  BtfKernelInfo ki(k61, cache.path());
  const std::pair<const char*, const char*> cases[] = {
      {"vfs_read", "$file:struct file* $buf:char* $count:size_t $pos:loff_t*"},
      {"do_sys_open", "$dfd:int $filename:char const* $flags:int $mode:umode_t"},
      {"__set_task_comm", "$tsk:struct task_struct* $buf:char const* $exec:bool"},
      {"kmem_cache_alloc", "$s:struct kmem_cache* $gfpflags:gfp_t"},
      {"__x64_sys_rt_sigaction", "$regs:struct pt_regs const*"},
      {"sched_setaffinity", "$pid:pid_t $in_mask:struct cpumask const*"},
      {"add_timer_on", "$timer:struct timer_list* $cpu:int"},
      // 4.8 left out $gfp_mask (its DWARF there has no location for it); the spelling of
      // function pointers is the point here.
      {"call_usermodehelper_setup",
       "$path:char const* $argv:char** $envp:char** $gfp_mask:gfp_t "
       "$init:int (*) (struct subprocess_info*, struct cred*) "
       "$cleanup:void (*) (struct subprocess_info*) $data:void*"},
      {"bsearch", "$key:void const* $base:void const* $num:size_t $size:size_t $cmp:cmp_func_t"},
      {"clock_was_set", "$bases:unsigned int"},
      {"get_random_bytes", "$buf:void* $len:size_t"},
  };
  for (auto [name, want] : cases) {
    auto fs = ki.functions(name, "kernel");
    ASSERT_EQ(fs.size(), 1u) << name << ": " << ki.missing_hint();
    EXPECT_EQ(fs[0].name, name);
    EXPECT_EQ(fs[0].module, "kernel");
    EXPECT_TRUE(fs[0].has_proto);
    EXPECT_EQ(param_list(fs[0]), want) << name;
  }
}

TEST(BtfKernelInfo, VfsReadLocatedBySysV) {
  for (std::string rel : {running_release(), std::string(k612)}) {
    if (rel != running_release() && !have_image(rel)) continue;
    TempDir cache;
    auto ki = open_kernel_info(rel, cache.path());
    auto fs = ki->functions("vfs_read", "kernel");
    ASSERT_EQ(fs.size(), 1u) << rel << ": " << ki->missing_hint();
    const Function& f = fs[0];
    ASSERT_EQ(f.params.size(), 4u);
    const char* names[] = {"file", "buf", "count", "pos"};
    const char* regs[] = {"STP_REG(5)", "STP_REG(4)", "STP_REG(1)", "STP_REG(2)"};
    for (int i = 0; i < 4; ++i) {
      EXPECT_EQ(f.params[i].name, names[i]);
      EXPECT_TRUE(f.params[i].is_param);
      EXPECT_EQ(f.params[i].loc.kind, Location::Value);
      EXPECT_EQ(f.params[i].loc.c, regs[i]);
    }
    EXPECT_EQ(type_name(f.ret), "ssize_t");
    // Module.symvers (from the headers package) says what is exported: kernel_read is,
    // vfs_read is not.
    EXPECT_FALSE(f.exported);
    if (fs::exists("/lib/modules/" + rel + "/build/Module.symvers")) {
      auto kr = ki->functions("kernel_read", "kernel");
      ASSERT_EQ(kr.size(), 1u);
      EXPECT_TRUE(kr[0].exported) << rel;
    }
  }
}

TEST(BtfKernelInfo, GlobsSortedAndPfxSkipped) {
  TempDir cache;
  auto ki = open_kernel_info(running_release(), cache.path());
  auto fs = ki->functions("vfs_*", "kernel");
  ASSERT_GT(fs.size(), 20u);
  for (size_t i = 1; i < fs.size(); ++i) EXPECT_LT(fs[i - 1].name, fs[i].name);
  for (const auto& f : fs) EXPECT_EQ(f.name.rfind("vfs_", 0), 0u) << f.name;
  EXPECT_TRUE(ki->functions("__pfx_vfs_read", "kernel").empty());
  EXPECT_TRUE(ki->functions("no_such_function_xyz", "kernel").empty());
  EXPECT_NE(ki->missing_hint().find("-dbg"), std::string::npos) << ki->missing_hint();
  auto q = ki->functions("vfs_rea?", "kernel");
  ASSERT_FALSE(q.empty());
  EXPECT_EQ(q[0].name, "vfs_read");
}

TEST(SysV, AggregatesStopTheRegisterCount) {
  TypeTable tt;
  Type l;
  l.kind = TypeKind::Int;
  l.name = "long int";
  l.size = 8;
  const Type* lt = tt.add(l);
  Type s;
  s.kind = TypeKind::Struct;
  s.name = "pair";
  s.size = 16;
  const Type* st = tt.add(s);
  Type d;
  d.kind = TypeKind::Float;
  d.name = "double";
  d.size = 8;
  const Type* dt = tt.add(d);
  auto locs = sysv_entry_locations({lt, dt, lt, st, lt});
  ASSERT_EQ(locs.size(), 5u);
  EXPECT_EQ(locs[0].c, "STP_REG(5)");
  EXPECT_EQ(locs[1].kind, Location::Unavailable);  // in xmm0
  EXPECT_EQ(locs[2].c, "STP_REG(4)");              // the double used no integer register
  EXPECT_EQ(locs[3].kind, Location::Unavailable);
  EXPECT_EQ(locs[4].kind, Location::Unavailable);
  auto seven = sysv_entry_locations({lt, lt, lt, lt, lt, lt, lt});
  EXPECT_EQ(seven[4].c, "STP_REG(8)");
  EXPECT_EQ(seven[5].c, "STP_REG(9)");
  EXPECT_EQ(seven[6].kind, Location::Unavailable);  // on the stack
}

TEST(BtfKernelInfo, SchedSwitchTracepoint) {
  for (std::string rel : {running_release(), std::string(k61), std::string(k612)}) {
    if (rel != running_release() && !have_image(rel)) continue;
    TempDir cache;
    BtfKernelInfo ki(rel, cache.path());
    auto tps = ki.tracepoints("*", "sched_switch");
    ASSERT_EQ(tps.size(), 1u) << rel << ": " << ki.missing_hint();
    const Tracepoint& t = tps[0];
    EXPECT_EQ(t.name, "sched_switch");
    EXPECT_EQ(t.system, "");
    ASSERT_EQ(t.args.size(), 4u) << rel;
    EXPECT_EQ(t.args[0].name, "arg1");
    EXPECT_EQ(type_name(t.args[0].type), "bool");
    EXPECT_EQ(type_name(t.args[1].type), "struct task_struct*");
    EXPECT_EQ(type_name(t.args[2].type), "struct task_struct*");
    EXPECT_EQ(type_name(t.args[3].type), "unsigned int");
    // The trace headers' names and system, once given, are used and filter.
    ki.set_trace_names({{"sched_switch", {"sched", {"preempt", "prev", "next", "prev_state"}}}});
    tps = ki.tracepoints("sched", "sched_sw*");
    ASSERT_EQ(tps.size(), 1u);
    EXPECT_EQ(tps[0].system, "sched");
    EXPECT_EQ(tps[0].args[1].name, "prev");
    EXPECT_TRUE(ki.tracepoints("irq", "sched_switch").empty());
    EXPECT_GT(ki.tracepoints("*", "*").size(), 500u) << rel;
  }
}

// A module's split BTF: its own ids continue vmlinux's, and its types refer to both.
TEST(BtfKernelInfo, ModuleBtfResolvesAgainstVmlinux) {
  NEED_IMAGE(k612);
  TempDir cache;
  BtfKernelInfo ki(k612, cache.path());
  ModuleFiles mf(k612);
  std::string path = mf.path("btrfs");
  if (path.empty()) GTEST_SKIP() << "no btrfs module for " << k612;
  auto fs = ki.functions("btrfs_file_read_iter", "btrfs");
  ASSERT_EQ(fs.size(), 1u) << ki.missing_hint();
  EXPECT_EQ(fs[0].module, "btrfs");
  EXPECT_EQ(param_list(fs[0]), "$iocb:struct kiocb* $to:struct iov_iter*");
  Btf* m = ki.module("btrfs");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->first_id(), ki.vmlinux()->end_id());
  // A module-only type, whose members use vmlinux's types.
  const Type* fsi = ki.find_type("struct btrfs_fs_info", "btrfs");
  ASSERT_NE(fsi, nullptr) << ki.missing_hint();
  Member sb;
  ASSERT_TRUE(find_member(fsi, "sb", &sb));
  EXPECT_EQ(type_name(sb.type), "struct super_block*");
  EXPECT_GT(resolve(resolve(sb.type)->ref)->members.size(), 10u);
  EXPECT_EQ(ki.find_type("struct btrfs_fs_info", "kernel"), nullptr);
  // Its module name spelled with '-' finds the same file.
  EXPECT_EQ(mf.path("btrfs"), ModuleFiles(k612).path("btrfs"));
  // Compressed modules' BTF is cached too.
  EXPECT_TRUE(path.ends_with(".ko") || fs::exists(cache.path() + "/btf/" + k612));
  EXPECT_EQ(ki.module("no_such_module"), nullptr);
  EXPECT_NE(ki.missing_hint().find("no_such_module"), std::string::npos);
}

TEST(BtfSource, VmlinuzCacheIsWrittenThenRead) {
  NEED_IMAGE(k612);
  TempDir cache;
  BtfBlob cold, warm;
  std::string err;
  ASSERT_TRUE(load_vmlinux_btf(k612, cache.path(), &cold, &err)) << err;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(cache.path() + "/btf"))
    if (e.path().string().ends_with(".btf")) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  // The image's build-id is kept next to its BTF, for the module's build-id check.
  EXPECT_EQ(cold.build_id.size(), 40u);
  EXPECT_TRUE(fs::exists(files[0].string() + ".build-id"));
  EXPECT_EQ(files[0].filename().string().rfind(std::string("vmlinux-") + k612 + "@", 0), 0u);
  EXPECT_EQ(fs::file_size(files[0]), cold.data.size());
  // The second load must come from the cache: mark the cached copy and see the mark.
  std::string marked = cold.data;
  marked[marked.size() - 1] = 'X';
  std::ofstream(files[0], std::ios::binary | std::ios::trunc) << marked;
  ASSERT_TRUE(load_vmlinux_btf(k612, cache.path(), &warm, &err)) << err;
  EXPECT_EQ(warm.data, marked);
  EXPECT_EQ(warm.build_id, cold.build_id);
  TypeTable tt;
  EXPECT_NE(Btf::parse(cold.data, nullptr, &tt, &err), nullptr) << err;
}

TEST(BtfKernelInfo, MissingKernelSaysWhatToInstall) {
  TempDir cache;
  auto ki = open_kernel_info("0.0.0-nosuch", cache.path());
  EXPECT_TRUE(ki->functions("vfs_read", "kernel").empty());
  std::string hint = ki->missing_hint();
  EXPECT_NE(hint.find("/boot/vmlinuz-0.0.0-nosuch"), std::string::npos) << hint;
  EXPECT_NE(hint.find("linux-image-0.0.0-nosuch-dbg"), std::string::npos) << hint;
  EXPECT_EQ(ki->find_type("struct task_struct", "kernel"), nullptr);
  EXPECT_TRUE(ki->tracepoints("*", "*").empty());
}

TEST(BtfSource, CorruptCompressedDataIsAnError) {
  std::string out, err;
  std::string zst = {'\x28', '\xb5', '\x2f', '\xfd', '\x00', '\x01', '\x02'};
  EXPECT_FALSE(decompress_by_magic(zst, &out, &err));
  EXPECT_FALSE(err.empty());
  std::string xz = {'\xfd', '7', 'z', 'X', 'Z', '\0', '\x01'};
  EXPECT_FALSE(decompress_by_magic(xz, &out, &err));
  std::string lz4 = {'\x02', '\x21', '\x4c', '\x18', '\x10', '\0', '\0', '\0', 'a', 'b'};
  EXPECT_FALSE(decompress_by_magic(lz4, &out, &err));
  std::string gz = {'\x1f', '\x8b', '\x08', '\0'};
  EXPECT_FALSE(decompress_by_magic(gz, &out, &err));
  std::string plain = "plain";
  EXPECT_TRUE(decompress_by_magic(plain, &out, &err));
  EXPECT_EQ(out, "plain");
  std::string elf;
  EXPECT_FALSE(vmlinux_from_bzimage("/etc/hostname", &elf, &err));
  EXPECT_FALSE(vmlinux_from_bzimage("/nonexistent/vmlinuz", &elf, &err));
}
