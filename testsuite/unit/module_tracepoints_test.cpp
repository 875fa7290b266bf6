// The module tracepoint scan (stap/debuginfo/module_tracepoints.h): objects compiled here
// with the layout the kernel's trace macros give (so the relocations are real), the
// per-release cache, and the installed Debian module trees against stap 4.8's listing.

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "stap/debuginfo/kernel_info.h"
#include "stap/debuginfo/module_tracepoints.h"

namespace {

namespace fs = std::filesystem;
using stap::debuginfo::ModuleTracepointDecl;
using stap::debuginfo::ModuleTracepointIndex;
using stap::debuginfo::scan_module_elf;

// Two trace systems in one object, as a module with several trace headers has: the
// structs mirror struct tracepoint, trace_event_class and trace_event_call far enough
// for the members the scan follows (class at 16, tp at 24; system first in the class).
const char* kModuleSource = R"(
struct tracepoint { const char *name; int key; };
struct trace_event_class { const char *system; void *probe; };
struct trace_event_call { void *list[2]; struct trace_event_class *class; void *tp; int flags; };
#define TP(n) static const char __tpstrtab_##n[] = #n; \
  struct tracepoint __tracepoint_##n __attribute__((section("__tracepoints"))) = { __tpstrtab_##n };
TP(alpha_one) TP(alpha_two) TP(beta_one) TP(bare_one)
static const char str__alpha__trace_system_name[] = "alpha";
static const char str__beta__trace_system_name[] = "beta";
static void probe_a(void) {}
static struct trace_event_class event_class_alpha_tmpl __attribute__((used)) =
  { str__alpha__trace_system_name, (void *)probe_a };
static struct trace_event_class event_class_beta_tmpl __attribute__((used)) =
  { str__beta__trace_system_name, 0 };
#define EV(n, c) static struct trace_event_call event_##n __attribute__((used)) = \
  { {0, 0}, &event_class_##c, &__tracepoint_##n, 0 };
EV(alpha_one, alpha_tmpl) EV(alpha_two, alpha_tmpl) EV(beta_one, beta_tmpl)
/* Not an event of a tracepoint: its tp member points elsewhere. */
static int other;
static struct trace_event_call event_unrelated __attribute__((used)) =
  { {0, 0}, &event_class_beta_tmpl, &other, 0 };
)";

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ModuleTracepointsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/stap-modtp-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::ofstream(dir_ + "/m.c") << kModuleSource;
    const char* cc = getenv("CC");
    std::string cmd = std::string(cc && *cc ? cc : "cc") + " -c -O2 -o " + dir_ + "/m.o " +
                      dir_ + "/m.c";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
    obj_ = read_all(dir_ + "/m.o");
    ASSERT_FALSE(obj_.empty());
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string render(const std::vector<ModuleTracepointDecl>& v) {
    std::string s;
    for (const auto& d : v) s += d.system + ":" + d.name + "(" + d.tmpl + ") ";
    return s;
  }

  std::string dir_;
  std::string obj_;
};

TEST_F(ModuleTracepointsTest, FollowsRelocationsToEachSystem) {
  std::vector<ModuleTracepointDecl> v;
  std::string err;
  ASSERT_TRUE(scan_module_elf(obj_, &v, &err)) << err;
  EXPECT_EQ(render(v),
            "alpha:alpha_one(alpha_tmpl) alpha:alpha_two(alpha_tmpl) :bare_one() "
            "beta:beta_one(beta_tmpl) ");
}

TEST_F(ModuleTracepointsTest, RejectsWhatIsNotAModule) {
  std::vector<ModuleTracepointDecl> v;
  std::string err, text = "not an ELF file at all";
  EXPECT_FALSE(scan_module_elf(text, &v, &err));
  EXPECT_EQ(err, "not an ELF file");
  // An executable is ELF, but its pointers are no longer relocations.
  std::string exe = dir_ + "/x";
  std::ofstream(dir_ + "/x.c") << "int main(void) { return 0; }\n";
  ASSERT_EQ(std::system(("cc -o " + exe + " " + dir_ + "/x.c").c_str()), 0);
  std::string img = read_all(exe);
  EXPECT_FALSE(scan_module_elf(img, &v, &err));
  EXPECT_EQ(err, "not a relocatable ELF file (a kernel module)");
  // Truncated: the section headers are gone; no crash, and nothing or an error.
  std::string cut = obj_.substr(0, obj_.size() / 2);
  v.clear();
  scan_module_elf(cut, &v, &err);
  EXPECT_TRUE(v.empty());
}

TEST_F(ModuleTracepointsTest, IndexCachesAndRescansWhatChanged) {
  std::string root = dir_ + "/lib", cache = dir_ + "/cache";
  fs::create_directories(root + "/kernel/drivers");
  fs::copy_file(dir_ + "/m.o", root + "/kernel/drivers/my-mod.ko");
  std::ofstream(root + "/kernel/drivers/empty.ko") << "garbage";
  {
    ModuleTracepointIndex idx("9.9", root, cache);
    EXPECT_TRUE(idx.may_match("*", "*"));  // no cache yet: must look
    const auto& all = idx.tracepoints();
    ASSERT_EQ(all.size(), 4u);
    EXPECT_EQ(all[0].module, "my_mod");
    EXPECT_EQ(all[0].decl.system, "alpha");
    EXPECT_EQ(idx.errors().size(), 1u);  // empty.ko is not ELF
    EXPECT_TRUE(fs::exists(cache + "/tracepoints/modules-9.9.txt"));
  }
  {
    // From the cache alone: which globs can match a module tracepoint.
    ModuleTracepointIndex idx("9.9", root, cache);
    EXPECT_TRUE(idx.may_match("beta", "*"));
    EXPECT_TRUE(idx.may_match("*", "alpha_two"));
    EXPECT_TRUE(idx.may_match("", "bare_one"));
    EXPECT_FALSE(idx.may_match("sched", "*"));
    EXPECT_FALSE(idx.may_match("*", "sched_switch"));
    EXPECT_FALSE(idx.may_match("alpha", "beta_one"));
    EXPECT_EQ(idx.tracepoints().size(), 4u);
    EXPECT_TRUE(idx.errors().empty());  // the bad file was not read again
  }
  // A module replaced in place by one without tracepoints (new size and mtime; depmod
  // not run): the cache still says it may match, and the lookup rescans that module.
  fs::remove(root + "/kernel/drivers/my-mod.ko");
  std::ofstream(dir_ + "/n.c") << "int nothing;\n";
  ASSERT_EQ(std::system(("cc -c -o " + root + "/kernel/drivers/my-mod.ko " + dir_ + "/n.c").c_str()), 0);
  {
    ModuleTracepointIndex idx("9.9", root, cache);
    EXPECT_TRUE(idx.may_match("alpha", "*"));
    EXPECT_TRUE(idx.tracepoints().empty());
    EXPECT_FALSE(idx.may_match("*", "*"));
  }
  {
    ModuleTracepointIndex idx("9.9", root, cache);
    EXPECT_FALSE(idx.may_match("alpha", "*"));
  }
  // A module installed (the folder changes) or depmod run: the cache alone no longer
  // answers, whatever the globs.
  fs::copy_file(dir_ + "/m.o", root + "/kernel/new.ko");
  {
    ModuleTracepointIndex idx("9.9", root, cache);
    EXPECT_TRUE(idx.may_match("sched", "*"));
    EXPECT_EQ(idx.tracepoints().size(), 4u);
    EXPECT_EQ(idx.tracepoints()[0].module, "new");
  }
  std::ofstream(root + "/modules.dep") << "kernel/new.ko:\n";
  {
    ModuleTracepointIndex idx("9.9", root, cache);
    EXPECT_TRUE(idx.may_match("sched", "*"));
    EXPECT_EQ(idx.tracepoints().size(), 4u);
    EXPECT_FALSE(idx.may_match("sched", "*"));
  }
  // A damaged cache is scanned again, not trusted.
  std::ofstream(cache + "/tracepoints/modules-9.9.txt") << "stap-module-tracepoints 1\ndep\tx\nZ\n";
  {
    ModuleTracepointIndex idx("9.9", root, cache);
    EXPECT_TRUE(idx.may_match("alpha", "*"));
    EXPECT_EQ(idx.tracepoints().size(), 4u);
  }
}

// The installed trees: module tracepoints with their module, system and argument names
// and types, and every one stap 4.8 lists that we list too has its argument names.
void check_real(const std::string& kver, const std::string& data) {
  if (!fs::exists("/lib/modules/" + kver + "/kernel")) GTEST_SKIP() << kver << " not installed";
  char tmpl[] = "/tmp/stap-modtp-real-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string cache = tmpl;
  {
    auto info = stap::debuginfo::open_kernel_info(kver, cache);
    auto sun = info->tracepoints("sunrpc", "rpc_call_status");
    ASSERT_EQ(sun.size(), 1u) << info->missing_hint();
    EXPECT_EQ(sun[0].module, "sunrpc");
    ASSERT_EQ(sun[0].args.size(), 1u);
    EXPECT_EQ(sun[0].args[0].name, "task");
    auto wd = info->tracepoints("watchdog", "*");
    ASSERT_EQ(wd.size(), 4u);
    EXPECT_EQ(wd[0].name, "watchdog_ping");
    EXPECT_EQ(wd[0].module, "watchdog");
    ASSERT_EQ(wd[0].args.size(), 2u);
    EXPECT_EQ(wd[0].args[0].name, "wdd");
    EXPECT_EQ(wd[0].args[1].name, "err");
    // A DEFINE_EVENT that renames its class's argument keeps the event's name.
    auto hsm = info->tracepoints("libata", "ata_sff_hsm_state");
    ASSERT_EQ(hsm.size(), 1u);
    EXPECT_EQ(hsm[0].args.at(1).name, "state");
    // A module whose trace header is not in the headers package (fs/xfs/xfs_trace.h):
    // names from the module's BTF.
    auto xfs = info->tracepoints("xfs", "xfs_iomap_found");
    ASSERT_EQ(xfs.size(), 1u);
    EXPECT_EQ(xfs[0].args.at(0).name, "ip");
    EXPECT_EQ(info->tracepoints("sched", "sched_switch").at(0).module, "kernel");
    const char* src = getenv("STAP_TOP_SRCDIR");
    if (src) {
      std::map<std::string, std::string> ours;
      for (const auto& t : info->tracepoints("*", "*")) {
        std::string names;
        for (const auto& a : t.args) names += " " + a.name;
        ours[t.system + ":" + t.name] = names;
      }
      std::ifstream in(std::string(src) + "/testsuite/unit/data/" + data);
      std::string line;
      size_t common = 0;
      while (std::getline(in, line)) {
        std::string key = line.substr(0, line.find(' '));
        auto it = ours.find(key);
        if (it == ours.end()) continue;  // a header-only event: in no binary
        ++common;
        EXPECT_EQ(it->second, line.substr(key.size())) << key;
      }
      EXPECT_GT(common, 850u);
    }
  }
  {
    // Warm: a vmlinux tracepoint's lookup does not need the module tree.
    auto info = stap::debuginfo::open_kernel_info(kver, cache);
    EXPECT_EQ(info->tracepoints("sched", "sched_switch").size(), 1u);
  }
  fs::remove_all(cache);
}

TEST(ModuleTracepointsReal, Debian61) { check_real("6.1.0-56-cloud-amd64", "tracepoints-6.1-stap48.txt"); }

TEST(ModuleTracepointsReal, Debian612) {
  check_real("6.12.117+deb12-cloud-amd64", "tracepoints-6.12-stap48.txt");
}

}  // namespace
